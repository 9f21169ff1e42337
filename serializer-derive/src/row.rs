//! `#[derive(Row)]`: a struct as one row of a table (one column per field), a fieldless enum
//! as a column of its variants' names. Field and variant names follow the type's serde
//! attributes (`rename`, `rename_all`, `skip`, `deny_unknown_fields`), so a table's columns are
//! named as its JSON keys.

use proc_macro2::{Span, TokenStream};
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

fn expand(node: &DeriveInput) -> syn::Result<TokenStream> {
    if let Some(param) = node.generics.params.first() {
        return Err(syn::Error::new(
            param.span(),
            "`#[derive(Row)]` takes no generic parameters: a table's columns are fixed",
        ));
    }
    let container = Serde::parse(&node.attrs)?;
    let krate = crate_path(&node.attrs)?;
    let body = match &node.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => {
                let fields = fields
                    .named
                    .iter()
                    .map(|field| Field::new(field, &container))
                    .collect::<syn::Result<Vec<_>>>()?;
                struct_impls(&node.ident, &fields, container.deny_unknown_fields)
            }
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "`#[derive(Row)]` needs named fields: each names a column",
                ))
            }
        },
        Data::Enum(data) => {
            let mut variants = Vec::new();
            for variant in &data.variants {
                if !matches!(variant.fields, Fields::Unit) {
                    return Err(syn::Error::new(
                        variant.fields.span(),
                        "`#[derive(Row)]` on an enum stores its variants' names: a variant with fields has no column",
                    ));
                }
                let serde = Serde::parse(&variant.attrs)?;
                let name = serde
                    .rename
                    .unwrap_or_else(|| container.rename_all(&variant.ident.to_string(), true));
                variants.push((&variant.ident, name));
            }
            enum_impl(&node.ident, &variants)
        }
        Data::Union(data) => {
            return Err(syn::Error::new(
                data.union_token.span(),
                "`#[derive(Row)]` takes a struct or a fieldless enum, not a union",
            ))
        }
    };
    Ok(wrap_in_const(krate.as_ref(), &body))
}

/// A struct's field as a column.
struct Field<'a> {
    ident: &'a syn::Ident,
    ty: &'a syn::Type,
    /// The column's name; `None` for a skipped field.
    column: Option<String>,
}

impl<'a> Field<'a> {
    fn new(field: &'a syn::Field, container: &Serde) -> syn::Result<Self> {
        let serde = Serde::parse(&field.attrs)?;
        let ident = field
            .ident
            .as_ref()
            .ok_or_else(|| syn::Error::new(field.span(), "a field without a name"))?;
        let column = (!serde.skip).then(|| {
            serde
                .rename
                .clone()
                .unwrap_or_else(|| container.rename_all(&unraw(ident), false))
        });
        Ok(Field {
            ident,
            ty: &field.ty,
            column,
        })
    }
}

fn struct_impls(ident: &syn::Ident, fields: &[Field<'_>], strict: bool) -> TokenStream {
    let stored: Vec<_> = fields
        .iter()
        .filter_map(|field| field.column.as_ref().map(|column| (field, column)))
        .collect();
    let d = quote!(_rs::dataframe::__derive);
    let column_type =
        |ty: &syn::Type| quote_spanned!(ty.span()=> <#ty as _rs::dataframe::ColumnType>);
    let field_refs = |member: &syn::Ident| quote!(values.iter().map(|value| value.map(|row| &row.#member)).collect::<::std::vec::Vec<_>>());

    // Every use of a field's type is `<Type as ColumnType>`, spanned at the type: a type that
    // is not a column type is one error, at the field.
    let columns = stored.iter().map(|(field, column)| {
        let refs = field_refs(field.ident);
        let column_type = column_type(field.ty);
        quote!(#d::column(#column, #column_type::to_series(#column.into(), &#refs))?)
    });
    let value_names: Vec<_> = stored
        .iter()
        .map(|(field, _)| syn::Ident::new(&format!("__{}", unraw(field.ident)), Span::call_site()))
        .collect();
    let reads = stored
        .iter()
        .zip(&value_names)
        .map(|((field, column), var)| {
            let column_type = column_type(field.ty);
            quote!(let mut #var = #d::values(frame, #column, #column_type::from_series, first)?;)
        });
    let build = |required: TokenStream| {
        let members = fields.iter().map(|field| {
            let member = field.ident;
            match &field.column {
                Some(column) => {
                    let var = syn::Ident::new(&format!("__{}", unraw(member)), Span::call_site());
                    quote!(#member: #d::#required(#var.next(), #column, row)?)
                }
                None => quote!(#member: ::core::default::Default::default()),
            }
        });
        quote!(Self { #(#members),* })
    };
    let row_value = build(quote!(required));
    let field_value = build(quote!(required_field));

    let dtypes = stored.iter().map(|(field, column)| {
        let column_type = column_type(field.ty);
        quote!(_rs::polars::prelude::Field::new(#column.into(), #column_type::dtype()))
    });
    let struct_fields = stored.iter().map(|(field, column)| {
        let refs = field_refs(field.ident);
        let column_type = column_type(field.ty);
        quote!(#column_type::to_series(#column.into(), &#refs).map_err(|err| err.in_field(#column))?)
    });
    let struct_reads = stored
        .iter()
        .zip(&value_names)
        .map(|((field, column), var)| {
            let column_type = column_type(field.ty);
            quote!(let mut #var = #d::struct_values(&fields, #column, #column_type::from_series)?;)
        });
    let skip_nulls = value_names.iter().map(|var| quote!(#var.next();));
    let column_names = stored.iter().map(|(_, column)| column);
    // `#[serde(deny_unknown_fields)]`: a column that is no field is an error, as serde makes
    // an unknown key one.
    let strict_check = strict.then(|| {
        let known = stored.iter().map(|(_, column)| column);
        quote!(#d::no_other_columns(frame, &[#(#known),*])?;)
    });
    let column_types = stored.iter().map(|(field, _)| column_type(field.ty));
    let nested = stored.iter().rev().fold(
        quote!(::core::option::Option::None),
        |otherwise, (field, column)| {
            let column_type = column_type(field.ty);
            let message = format!(
                "field `{column}` of `{ident}` is a list or a struct, which a csv file cannot \
                 hold: store these rows as parquet, ipc or json"
            );
            quote! {
                if #column_type::NESTED {
                    ::core::option::Option::Some(#message)
                } else {
                    #otherwise
                }
            }
        },
    );

    quote! {
        #[automatically_derived]
        impl _rs::dataframe::Row for #ident {
            const NESTED_FIELD: ::core::option::Option<&'static str> = #nested;

            fn columns() -> ::std::vec::Vec<(&'static str, _rs::polars::prelude::DataType)> {
                ::std::vec![#((#column_names, #column_types::dtype())),*]
            }

            fn to_frame(
                rows: &[Self],
            ) -> ::core::result::Result<_rs::polars::frame::DataFrame, _rs::ErrorKind> {
                let values: ::std::vec::Vec<::core::option::Option<&Self>> =
                    rows.iter().map(::core::option::Option::Some).collect();
                #d::frame(rows.len(), ::std::vec![#(#columns),*])
            }

            fn from_frame_at(
                frame: &_rs::polars::frame::DataFrame,
                first: usize,
            ) -> ::core::result::Result<::std::vec::Vec<Self>, _rs::ErrorKind> {
                #strict_check
                #(#reads)*
                let mut rows = ::std::vec::Vec::with_capacity(frame.height());
                for row in first..first + frame.height() {
                    rows.push(#row_value);
                }
                ::core::result::Result::Ok(rows)
            }
        }

        #[automatically_derived]
        impl _rs::dataframe::ColumnType for #ident {
            const NESTED: bool = true;

            fn dtype() -> _rs::polars::prelude::DataType {
                _rs::polars::prelude::DataType::Struct(::std::vec![#(#dtypes),*])
            }

            fn to_series(
                name: _rs::polars::prelude::PlSmallStr,
                values: &[::core::option::Option<&Self>],
            ) -> ::core::result::Result<_rs::polars::prelude::Series, _rs::dataframe::CellError> {
                let fields = ::std::vec![#(#struct_fields),*];
                #d::struct_series(name, values, &fields)
            }

            fn from_series(
                series: &_rs::polars::prelude::Series,
            ) -> ::core::result::Result<
                ::std::vec::Vec<::core::option::Option<Self>>,
                _rs::dataframe::CellError,
            > {
                let (fields, nulls) = #d::struct_fields(series)?;
                #(#struct_reads)*
                let mut out = ::std::vec::Vec::with_capacity(nulls.len());
                for (row, null) in nulls.into_iter().enumerate() {
                    if null {
                        #(#skip_nulls)*
                        out.push(::core::option::Option::None);
                        continue;
                    }
                    out.push(::core::option::Option::Some(#field_value));
                }
                ::core::result::Result::Ok(out)
            }
        }
    }
}

fn enum_impl(ident: &syn::Ident, variants: &[(&syn::Ident, String)]) -> TokenStream {
    let d = quote!(_rs::dataframe::__derive);
    let to_name = variants
        .iter()
        .map(|(variant, name)| quote!(Self::#variant => #name));
    let from_name = variants
        .iter()
        .map(|(variant, name)| quote!(#name => ::core::option::Option::Some(Self::#variant)));
    let names = variants.iter().map(|(_, name)| name);
    quote! {
        #[automatically_derived]
        impl _rs::dataframe::ColumnType for #ident {
            fn dtype() -> _rs::polars::prelude::DataType {
                _rs::polars::prelude::DataType::String
            }

            fn to_series(
                name: _rs::polars::prelude::PlSmallStr,
                values: &[::core::option::Option<&Self>],
            ) -> ::core::result::Result<_rs::polars::prelude::Series, _rs::dataframe::CellError> {
                let names: ::std::vec::Vec<::core::option::Option<&str>> = values
                    .iter()
                    .map(|value| value.map(|value| match value { #(#to_name),* }))
                    .collect();
                ::core::result::Result::Ok(#d::string_series(name, &names))
            }

            fn from_series(
                series: &_rs::polars::prelude::Series,
            ) -> ::core::result::Result<
                ::std::vec::Vec<::core::option::Option<Self>>,
                _rs::dataframe::CellError,
            > {
                #d::variants(series, &[#(#names),*], |name| match name {
                    #(#from_name,)*
                    _ => ::core::option::Option::None,
                })
            }
        }
    }
}

/// `#[serializer(crate = path)]`, for code inside the runtime's own crates.
fn crate_path(attrs: &[Attribute]) -> syn::Result<Option<syn::Path>> {
    let mut path = None;
    for attr in attrs
        .iter()
        .filter(|attr| attr.path().is_ident("serializer"))
    {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                path = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta
                    .error("`#[derive(Row)]` takes only `crate = path` in `#[serializer(...)]`"))
            }
        })?;
    }
    Ok(path)
}
