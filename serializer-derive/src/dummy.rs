//! The `const _: () = { ... };` every expansion is wrapped in.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

/// `const _: () = { use path as _rs; ... };`: the generated items see the runtime as `_rs`
/// and nothing of theirs leaks into the user's namespace.
pub(crate) fn wrap_in_const(krate: Option<&syn::Path>, body: &TokenStream) -> TokenStream {
    let krate = krate.map_or_else(|| quote!(::result_serializers), ToTokens::to_token_stream);
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_attributes, unused_qualifications, clippy::absolute_paths)]
        const _: () = {
            #[allow(unused_imports)]
            use #krate as _rs;
            #body
        };
    }
}
