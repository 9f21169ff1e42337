//! `#[derive(ToPython)]`: a struct written as the Python value Prefect 3's JSON encoder writes
//! for it. Each field is written by its type's `ToPython` (a `DateTime` tagged as a `datetime`,
//! a `BTreeSet` as a `set`), spanned at the field's type, so that a type without a Python
//! counterpart is one error at its field. A struct whose serde name is a Python class
//! (`#[serde(rename = "module.Class")]`) is a pydantic model or a dataclass of that class:
//! `{"__class__": "module.Class", "data": {fields}}`; any other struct is a `dict`. Field
//! names follow serde's `rename`, `rename_all`, `skip`, `skip_serializing` and
//! `skip_serializing_if`; the serde keys that write a value otherwise (`flatten`, `with`,
//! `tag`, ...) are refused, as is an enum with fields.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields};

use crate::dummy::wrap_in_const;
use crate::serde_attr::{unraw, Serde};

/// The derive: the impls, or the errors.
pub(crate) fn derive(node: &DeriveInput) -> TokenStream {
    match expand(node) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

/// Refuses the serde keys whose writing this derive does not follow.
fn refuse_reshaping(serde: &Serde) -> syn::Result<()> {
    let mut errors = serde.reshaping.iter().map(|(key, span)| {
        syn::Error::new(
            *span,
            format!(
                "`#[serde({key})]` changes how serde writes the value, which \
                 `#[derive(ToPython)]` does not follow: remove it, or implement `ToPython` by hand"
            ),
        )
    });
    let Some(mut first) = errors.next() else {
        return Ok(());
    };
    first.extend(errors);
    Err(first)
}

fn expand(node: &DeriveInput) -> syn::Result<TokenStream> {
    let container = Serde::parse(&node.attrs)?;
    refuse_reshaping(&container)?;
    let krate = crate_path(&node.attrs)?;
    let ident = &node.ident;
    let mut generics = node.generics.clone();
    for param in generics.type_params_mut() {
        param
            .bounds
            .push(syn::parse_quote!(_rs::prefect3::ToPython));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let d = quote!(_rs::prefect3::__derive);
    // Each use of a field's type is one call bound by `ToPython`, spanned at the type: a type
    // without a Python counterpart is one error, at its field.
    let call = |ty: &syn::Type, function: &str| {
        let function = syn::Ident::new(function, proc_macro2::Span::call_site());
        quote_spanned!(ty.span()=> _rs::prefect3::__derive::#function::<#ty, _>)
    };

    // A struct with named fields also implements `Fields`, which its `to_python` writes.
    let mut fields_impl = TokenStream::new();
    let body = match &node.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => {
                let mut writes = Vec::new();
                let mut counts = Vec::new();
                for field in &fields.named {
                    let serde = Serde::parse(&field.attrs)?;
                    refuse_reshaping(&serde)?;
                    let Some(member) = field.ident.as_ref() else {
                        continue;
                    };
                    if serde.skip || serde.skip_serializing {
                        continue;
                    }
                    let name = serde
                        .rename
                        .clone()
                        .unwrap_or_else(|| container.rename_all(&unraw(member), false));
                    let entry = call(&field.ty, "entry");
                    let write = quote!(#entry(map, #name, &self.#member, layout)?;);
                    match &serde.skip_serializing_if {
                        Some(skip) => {
                            writes.push(quote!(if !#skip(&self.#member) { #write }));
                            counts.push(quote!(usize::from(!#skip(&self.#member))));
                        }
                        None => {
                            writes.push(write);
                            counts.push(quote!(1usize));
                        }
                    }
                }
                let class = match container
                    .rename
                    .as_deref()
                    .filter(|name| name.contains('.'))
                {
                    Some(class) => quote!(::core::option::Option::Some(#class)),
                    None => quote!(::core::option::Option::None),
                };
                fields_impl = quote! {
                    #[automatically_derived]
                    impl #impl_generics #d::Fields for #ident #ty_generics #where_clause {
                        fn count(&self) -> usize {
                            0usize #(+ #counts)*
                        }

                        fn write<M: #d::SerializeMap>(
                            &self,
                            map: &mut M,
                            layout: #d::Layout,
                        ) -> ::core::result::Result<(), M::Error> {
                            #(#writes)*
                            ::core::result::Result::Ok(())
                        }
                    }
                };
                quote!(#d::object(serializer, #class, self, layout))
            }
            Fields::Unnamed(fields) => {
                let types: Vec<&syn::Type> = fields.unnamed.iter().map(|field| &field.ty).collect();
                if let [ty] = types.as_slice() {
                    // A newtype is its field, as serde writes it.
                    let to_python =
                        quote_spanned!(ty.span()=> <#ty as _rs::prefect3::ToPython>::to_python);
                    quote!(#to_python(&self.0, serializer, layout))
                } else {
                    let len = types.len();
                    let writes = types.iter().enumerate().map(|(index, ty)| {
                        let index = syn::Index::from(index);
                        let element = call(ty, "element");
                        quote!(#element(&mut tuple, &self.#index, layout)?;)
                    });
                    quote! {
                        let mut tuple = #d::Serializer::serialize_tuple(serializer, #len)?;
                        #(#writes)*
                        #d::SerializeTuple::end(tuple)
                    }
                }
            }
            Fields::Unit => quote!(#d::Serializer::serialize_unit(serializer)),
        },
        Data::Enum(data) => {
            let mut arms = Vec::new();
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    return Err(syn::Error::new(
                        variant.fields.span(),
                        "`#[derive(ToPython)]` writes an enum as its variant's name, a Python `str`: \
                         a variant with fields has no Python counterpart; make it a struct, or \
                         implement `ToPython` by hand",
                    ));
                }
                let serde = Serde::parse(&variant.attrs)?;
                let name = serde
                    .rename
                    .unwrap_or_else(|| container.rename_all(&variant.ident.to_string(), true));
                let variant = &variant.ident;
                arms.push(quote!(Self::#variant => #name));
            }
            quote! {
                let name: &str = match self { #(#arms,)* };
                #d::Serializer::serialize_str(serializer, name)
            }
        }
        Data::Union(data) => {
            return Err(syn::Error::new(
                data.union_token.span(),
                "`#[derive(ToPython)]` takes a struct or a fieldless enum, not a union",
            ))
        }
    };
    Ok(wrap_in_const(
        krate.as_ref(),
        &quote! {
            #fields_impl

            #[automatically_derived]
            impl #impl_generics _rs::prefect3::ToPython for #ident #ty_generics #where_clause {
                fn to_python<S: #d::Serializer>(
                    &self,
                    serializer: S,
                    layout: #d::Layout,
                ) -> ::core::result::Result<S::Ok, S::Error> {
                    let _ = layout;
                    #body
                }
            }
        },
    ))
}

/// `#[python(crate = path)]`, for code inside the runtime's own crates.
fn crate_path(attrs: &[Attribute]) -> syn::Result<Option<syn::Path>> {
    let mut path = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("python")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                path = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error(
                    "`#[derive(ToPython)]` takes only `crate = path` in `#[python(...)]`; the \
                     Python class of a struct is its serde name: `#[serde(rename = \"module.Class\")]`",
                ))
            }
        })?;
    }
    Ok(path)
}
