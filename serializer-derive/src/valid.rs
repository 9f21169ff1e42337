//! Checks what the attributes ask for against the shape of the type.

use quote::ToTokens;
use syn::Data;

use crate::ast::Input;
use crate::attr::Kind;
use crate::errors::{one_of, Errors};
use crate::symbol::KINDS;

pub(crate) fn check(input: &Input<'_>, errors: &mut Errors) {
    if let Data::Union(data) = input.data {
        errors.spanned(
            data.union_token,
            "`ResultSerializer` cannot be derived for a union: serde cannot serialize unions; \
             use a struct or an enum",
        );
        return;
    }
    let Some(kind) = input.attrs.kind.get() else {
        if !errors.is_empty() {
            // A mistake in the attribute was reported already; saying it chose nothing adds noise.
            return;
        }
        let message = format!(
            "`#[derive(ResultSerializer)]` needs a serializer for `{}`: add \
             `#[serializer(json)]`, or one of: {}",
            input.ident,
            one_of(KINDS)
        );
        match &input.attrs.first_attr {
            // An attribute with only `crate = ...`: point at it.
            Some(attr) => errors.spanned(attr, message),
            None => errors.spanned(input.ident, message),
        }
        return;
    };
    let needs_newtype = match kind {
        Kind::DateTime => Some((
            "datetime",
            "a chrono date-time",
            "DateTime<Utc>",
            " (or `DateTime<FixedOffset>`, `NaiveDateTime`)",
        )),
        Kind::DataFrame(_) => Some(("dataframe(...)", "a polars DataFrame", "DataFrame", "")),
        Kind::Rows(_) => Some((
            "rows(...)",
            "a `Vec` of rows",
            "Vec<Reading>",
            " where `Reading` derives `Row`",
        )),
        _ => None,
    };
    if let Some((attribute, what, example, others)) = needs_newtype {
        if input.newtype_field().is_none() {
            let shape = match input.data {
                Data::Struct(data) if data.fields.is_empty() => input.ident.to_token_stream(),
                Data::Struct(data) => data.fields.to_token_stream(),
                Data::Enum(data) => data.enum_token.to_token_stream(),
                Data::Union(data) => data.union_token.to_token_stream(),
            };
            errors.spanned(
                shape,
                format!(
                    "`#[serializer({attribute})]` needs a newtype over {what}, such as \
                     `struct {}({example});`{others}",
                    input.ident
                ),
            );
        }
    }
}
