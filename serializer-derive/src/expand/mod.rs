//! Writes the `ResultSerializer` impl from what `attr` parsed and `valid` checked.

mod dataframe;

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::DeriveInput;

use crate::ast::Input;
use crate::attr::{Compress, JsonLayout, Kind};
use crate::dummy::wrap_in_const;
use crate::errors::Errors;
use crate::{fallback, valid};

/// The derive: parse, check, then the impl, or the errors and a stub impl.
pub(crate) fn derive(node: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let input = Input::from_syn(node, &mut errors);
    valid::check(&input, &mut errors);
    match (errors.finish(), input.attrs.kind.get()) {
        (Ok(()), Some(kind)) => expand(&input, kind),
        (Err(error), _) => fallback::expand(&input, &error),
        (Ok(()), None) => fallback::expand(
            &input,
            &syn::Error::new(Span::call_site(), "no serializer was chosen"),
        ),
    }
}

fn expand(input: &Input<'_>, kind: &Kind) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Errors about the serializer and the type land on the type's name (or the `with` path).
    let span = match kind {
        Kind::With(path) => path.span(),
        _ => ident.span(),
    };
    let (serializer_ty, constructor) = serializer(kind, span);
    let (serializer_ty, constructor) = match input.attrs.compress.get() {
        Some(compress) => compressed(compress, serializer_ty, constructor),
        None => (serializer_ty, constructor),
    };

    // A bound on the serializer rather than on each type parameter: exact whatever the fields.
    let mut where_clause = where_clause.cloned();
    if input.is_generic() {
        let default = matches!(kind, Kind::With(_)).then(|| quote!(+ _rs::__private::Default));
        where_clause
            .get_or_insert_with(|| syn::parse_quote!(where))
            .predicates
            .push(syn::parse_quote!(#serializer_ty: _rs::Serializer<#ident #ty_generics> #default));
    }

    let assoc = quote_spanned!(span=> type Serializer = #serializer_ty;);
    let value_impl = match kind {
        Kind::DateTime => datetime_value(input),
        Kind::DataFrame(_) => dataframe::value_impl(input),
        Kind::Rows(frame) => dataframe::rows_value_impl(input, frame),
        _ => TokenStream::new(),
    };

    let shape = input.shape.as_ref().map(|shape| {
        quote! {
            #[inline]
            fn shape() -> _rs::__private::Option<&'static str> {
                _rs::__private::Option::Some(#shape)
            }
        }
    });
    let body = quote! {
        #value_impl

        #[automatically_derived]
        impl #impl_generics _rs::ResultSerializer for #ident #ty_generics #where_clause {
            #assoc

            #[inline]
            fn serializer() -> <Self as _rs::ResultSerializer>::Serializer {
                #constructor
            }

            #shape
        }
    };
    wrap_in_const(input.attrs.krate.get(), &body)
}

/// The serializer type of a kind, spanned at `span`, and the expression that builds it.
fn serializer(kind: &Kind, span: Span) -> (TokenStream, TokenStream) {
    match kind {
        Kind::Json(layout) => {
            let constructor = match layout {
                JsonLayout::Compact => quote!(new),
                JsonLayout::Pretty => quote!(pretty),
                JsonLayout::Python => quote!(python),
            };
            (
                quote_spanned!(span=> _rs::JsonSerializer),
                quote!(_rs::JsonSerializer::#constructor()),
            )
        }
        Kind::Pickle => (
            quote_spanned!(span=> _rs::PickleSerializer),
            quote!(_rs::PickleSerializer::new()),
        ),
        Kind::Binary => (
            quote_spanned!(span=> _rs::BinarySerializer),
            quote!(_rs::BinarySerializer::new()),
        ),
        Kind::DateTime => (
            quote_spanned!(span=> _rs::DateTimeSerializer),
            quote!(_rs::DateTimeSerializer::new()),
        ),
        Kind::DataFrame(frame) => (
            quote_spanned!(span=> _rs::DataFrameSerializer),
            dataframe::constructor(frame),
        ),
        Kind::Rows(frame) => {
            let frame = dataframe::constructor(frame);
            (
                quote_spanned!(span=> _rs::dataframe::RowsSerializer),
                quote!(_rs::dataframe::RowsSerializer::new(#frame)),
            )
        }
        Kind::With(path) => (
            path.to_token_stream(),
            quote_spanned!(span=> <#path as _rs::__private::Default>::default()),
        ),
    }
}

/// The serializer inside `CompressedSerializer`.
fn compressed(
    compress: &Compress,
    inner_ty: TokenStream,
    inner: TokenStream,
) -> (TokenStream, TokenStream) {
    let codec = syn::Ident::new(compress.codec, Span::call_site());
    let compression = match compress.level {
        Some(level) => checked_const(quote!(
            _rs::Compression::try_with_level(_rs::Codec::#codec, #level)
        )),
        None => quote!(_rs::Compression::new(_rs::Codec::#codec)),
    };
    let bound = compress
        .max_decompressed_size
        .map(|bytes| quote!(.with_max_decompressed_size(#bytes)));
    (
        quote!(_rs::CompressedSerializer<#inner_ty>),
        quote!(_rs::CompressedSerializer::new(#inner, #compression) #bound),
    )
}

/// `DateTimeValue` for a newtype, delegating to its field.
fn datetime_value(input: &Input<'_>) -> TokenStream {
    newtype_impl(input, quote!(DateTimeValue), |member, inner| {
        quote! {
            #[inline]
            fn to_parts(&self) -> _rs::__private::Option<_rs::DateTimeParts> {
                #inner::to_parts(&self.#member)
            }

            #[inline]
            fn from_parts(parts: _rs::DateTimeParts) -> _rs::__private::Option<Self> {
                _rs::__private::Option::map(#inner::from_parts(parts), |inner| Self { #member: inner })
            }
        }
    })
}

/// `impl _rs::#runtime_trait for` a newtype, with the methods `methods` writes from the field's
/// member (`0` or its name) and `<FieldType as _rs::#runtime_trait>`, spanned at the field's
/// type so that a field of the wrong type is reported there.
fn newtype_impl(
    input: &Input<'_>,
    runtime_trait: TokenStream,
    methods: impl FnOnce(&TokenStream, &TokenStream) -> TokenStream,
) -> TokenStream {
    let Some(field) = input.newtype_field() else {
        // `valid::check` refused this shape already.
        return TokenStream::new();
    };
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let member = match &field.ident {
        Some(name) => quote!(#name),
        None => quote!(0),
    };
    let field_ty = &field.ty;
    let inner = quote_spanned!(field_ty.span()=> <#field_ty as _rs::#runtime_trait>);
    let methods = methods(&member, &inner);
    quote! {
        #[automatically_derived]
        impl #impl_generics _rs::#runtime_trait for #ident #ty_generics #where_clause {
            #methods
        }
    }
}

/// A value checked at compile time, unwrapped in a `const` block so that a disagreement with
/// the runtime's own check is a compile error too.
fn checked_const(value: TokenStream) -> TokenStream {
    quote! {
        const {
            match #value {
                ::core::option::Option::Some(value) => value,
                ::core::option::Option::None => ::core::panic!("out of range"),
            }
        }
    }
}
