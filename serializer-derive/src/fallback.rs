//! What a failed derive expands to: the errors, and a stub impl so that uses of the type do
//! not add errors of their own.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::Input;
use crate::dummy::wrap_in_const;

pub(crate) fn expand(input: &Input<'_>, error: &syn::Error) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let error = error.to_compile_error();
    let stub = quote! {
        #[automatically_derived]
        impl #impl_generics _rs::ResultSerializer for #ident #ty_generics #where_clause {
            type Serializer = _rs::__private::Never;

            fn serializer() -> Self::Serializer {
                ::core::unreachable!()
            }
        }
    };
    let stub = wrap_in_const(input.attrs.krate.get(), &stub);
    quote! {
        #error
        #stub
    }
}
