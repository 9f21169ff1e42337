//! The derive input as this macro sees it.

use syn::{Data, DeriveInput, Fields, Generics, Ident};

use crate::attr::{self, Attrs};
use crate::errors::Errors;

pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
    pub(crate) data: &'a Data,
    pub(crate) attrs: Attrs,
}

impl<'a> Input<'a> {
    pub(crate) fn from_syn(node: &'a DeriveInput, errors: &mut Errors) -> Self {
        Input {
            ident: &node.ident,
            generics: &node.generics,
            data: &node.data,
            attrs: attr::parse(&node.attrs, errors),
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
