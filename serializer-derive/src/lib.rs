//! `#[derive(ResultSerializer)]`: picks the serializer of a type at compile time.
//!
//! Use it through the `result-serializers` crate, which documents the attribute.
//!
//! The attribute is parsed (`ast`, `attr/`), checked against the type (`valid`), then expanded
//! (`expand/`, wrapped by `dummy`); on any error, `fallback` emits the errors and a stub impl.
//! Nothing that parses imports what generates.

mod ast;
mod attr;
mod dummy;
mod errors;
mod expand;
mod fallback;
mod python;
mod row;
mod serde_attr;
mod symbol;
mod valid;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `ResultSerializer` with the serializer named in `#[serializer(...)]`.
#[proc_macro_derive(ResultSerializer, attributes(serializer))]
pub fn derive_result_serializer(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}

/// Implements the runtime's `prefect3::ToPython`: the type written as the Python value Prefect
/// 3's JSON encoder writes for it, each field by its type (a `DateTime` as a tagged
/// `datetime`), a struct renamed `#[serde(rename = "module.Class")]` as that pydantic model or
/// dataclass.
#[proc_macro_derive(ToPython, attributes(serde, python))]
pub fn derive_to_python(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    python::derive(&input).into()
}

/// Implements the runtime's `Row` (a struct as one row of a table, a column per field) and
/// `ColumnType` (the type as a struct column; a fieldless enum as a column of its variants'
/// names), following the type's `#[serde(rename, rename_all, skip)]`.
#[proc_macro_derive(Row, attributes(serde, serializer))]
pub fn derive_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    row::derive(&input).into()
}
