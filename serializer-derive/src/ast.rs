//! The derive input as this macro sees it.

use quote::ToTokens;
use sha2::{Digest, Sha256};
use syn::{Attribute, Data, DeriveInput, Fields, Generics, Ident};

use crate::attr::{self, Attrs};
use crate::errors::Errors;

pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
    pub(crate) data: &'a Data,
    pub(crate) attrs: Attrs,
    /// The fingerprint of the type's shape; `None` for a generic type, whose shape depends on
    /// its parameters.
    pub(crate) shape: Option<String>,
}

impl<'a> Input<'a> {
    pub(crate) fn from_syn(node: &'a DeriveInput, errors: &mut Errors) -> Self {
        Input {
            ident: &node.ident,
            generics: &node.generics,
            data: &node.data,
            attrs: attr::parse(&node.attrs, errors),
            shape: (node.generics.type_params().next().is_none()).then(|| shape(node)),
        }
    }

    /// The one field of a newtype struct (`struct A(T);` or `struct A { t: T }`).
    pub(crate) fn newtype_field(&self) -> Option<&'a syn::Field> {
        match self.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) if fields.named.len() == 1 => fields.named.first(),
                Fields::Unnamed(fields) if fields.unnamed.len() == 1 => fields.unnamed.first(),
                _ => None,
            },
            Data::Enum(_) | Data::Union(_) => None,
        }
    }

    /// Whether the type has type parameters, which the impl then bounds.
    pub(crate) fn is_generic(&self) -> bool {
        self.generics.type_params().next().is_some()
    }
}

/// The first 16 bytes of the SHA-256, in hex, of the type's shape in serde's data model as its
/// definition spells it: its name, its serde attributes, and each variant's and field's name,
/// serde attributes and type, all without whitespace.
fn shape(node: &DeriveInput) -> String {
    fn compact(tokens: impl ToTokens) -> String {
        tokens
            .to_token_stream()
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }
    fn serde_attrs(attrs: &[Attribute]) -> String {
        attrs
            .iter()
            .filter(|attr| attr.path().is_ident("serde"))
            .map(compact)
            .collect()
    }
    fn fields(fields: &Fields) -> String {
        let each = fields.iter().enumerate().map(|(index, field)| {
            let name = field
                .ident
                .as_ref()
                .map_or_else(|| index.to_string(), ToString::to_string);
            format!("{}{name}:{}", serde_attrs(&field.attrs), compact(&field.ty))
        });
        format!("{{{}}}", each.collect::<Vec<_>>().join(","))
    }
    let body = match &node.data {
        Data::Struct(data) => format!("struct{}", fields(&data.fields)),
        Data::Enum(data) => {
            let variants = data.variants.iter().map(|variant| {
                format!(
                    "{}{}{}",
                    serde_attrs(&variant.attrs),
                    variant.ident,
                    fields(&variant.fields)
                )
            });
            format!("enum{{{}}}", variants.collect::<Vec<_>>().join(","))
        }
        Data::Union(_) => "union".to_owned(),
    };
    let described = format!("{}{} {body}", serde_attrs(&node.attrs), node.ident);
    Sha256::digest(described.as_bytes())
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
