//! What the derives read of `#[serde(...)]`, so that what they generate names fields and
//! variants as serde does: `rename`, `rename_all`, `skip` (and for writing `skip_serializing`
//! and `skip_serializing_if`), `deny_unknown_fields`. The keys that change how serde writes a
//! value in ways a derive does not follow are kept, for the derives that must refuse them.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, LitStr};

/// A field's name without `r#`.
pub(crate) fn unraw(ident: &syn::Ident) -> String {
    let name = ident.to_string();
    name.strip_prefix("r#").map_or(name.clone(), str::to_owned)
}

/// What this derive reads of `#[serde(...)]`; every other key is serde's business.
#[derive(Default)]
pub(crate) struct Serde {
    pub(crate) rename: Option<String>,
    pub(crate) rename_all: Option<String>,
    pub(crate) skip: bool,
    /// `skip_serializing`: written by no serializer.
    pub(crate) skip_serializing: bool,
    /// `skip_serializing_if = "path"`.
    pub(crate) skip_serializing_if: Option<syn::ExprPath>,
    pub(crate) deny_unknown_fields: bool,
    /// Keys that change how serde writes the value (`flatten`, `with`, `tag`, ...), with
    /// where they are.
    pub(crate) reshaping: Vec<(String, Span)>,
}

/// The keys with which serde writes a value otherwise than its fields' types say.
const RESHAPING: &[&str] = &[
    "flatten",
    "with",
    "serialize_with",
    "getter",
    "tag",
    "content",
    "untagged",
    "transparent",
    "into",
    "remote",
];

impl Serde {
    pub(crate) fn parse(attrs: &[Attribute]) -> syn::Result<Self> {
        let mut serde = Serde::default();
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    if meta.input.peek(syn::Token![=]) {
                        let name: LitStr = meta.value()?.parse()?;
                        serde.rename = Some(name.value());
                    } else {
                        // `rename(serialize = "...", deserialize = "...")`: serde's own.
                        skip_rest(&meta)?;
                    }
                } else if meta.path.is_ident("rename_all") && meta.input.peek(syn::Token![=]) {
                    let rule: LitStr = meta.value()?.parse()?;
                    if !RULES.contains(&rule.value().as_str()) {
                        return Err(syn::Error::new(rule.span(), "an unknown `rename_all` rule"));
                    }
                    serde.rename_all = Some(rule.value());
                } else if meta.path.is_ident("skip") {
                    serde.skip = true;
                } else if meta.path.is_ident("deny_unknown_fields") {
                    serde.deny_unknown_fields = true;
                } else if meta.path.is_ident("skip_serializing") {
                    serde.skip_serializing = true;
                } else if meta.path.is_ident("skip_serializing_if") {
                    let path: LitStr = meta.value()?.parse()?;
                    serde.skip_serializing_if = Some(path.parse()?);
                } else {
                    if let Some(key) = RESHAPING.iter().find(|key| meta.path.is_ident(key)) {
                        serde.reshaping.push(((*key).to_owned(), meta.path.span()));
                    }
                    skip_rest(&meta)?;
                }
                Ok(())
            })?;
        }
        Ok(serde)
    }

    /// `name` under the container's `rename_all` rule; `variant` for an enum's variant names,
    /// which serde writes in PascalCase.
    pub(crate) fn rename_all(&self, name: &str, variant: bool) -> String {
        let Some(rule) = &self.rename_all else {
            return name.to_owned();
        };
        let words: Vec<String> = if variant {
            split_pascal(name)
        } else {
            name.split('_').map(str::to_owned).collect()
        };
        let lower: Vec<String> = words.iter().map(|word| word.to_lowercase()).collect();
        let capitalized = |word: &String| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        };
        match rule.as_str() {
            "lowercase" => lower.concat(),
            "UPPERCASE" => lower.concat().to_uppercase(),
            "PascalCase" => lower.iter().map(capitalized).collect(),
            "camelCase" => lower
                .iter()
                .enumerate()
                .map(|(index, word)| {
                    if index == 0 {
                        word.clone()
                    } else {
                        capitalized(word)
                    }
                })
                .collect(),
            "snake_case" => lower.join("_"),
            "SCREAMING_SNAKE_CASE" => lower.join("_").to_uppercase(),
            "kebab-case" => lower.join("-"),
            _ => lower.join("-").to_uppercase(),
        }
    }
}

const RULES: &[&str] = &[
    "lowercase",
    "UPPERCASE",
    "PascalCase",
    "camelCase",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "SCREAMING-KEBAB-CASE",
];

fn split_pascal(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for ch in name.chars() {
        match words.last_mut() {
            Some(word) if !ch.is_uppercase() => word.push(ch),
            _ => words.push(ch.to_string()),
        }
    }
    words
}

/// Skips a key's value: `= expr` or `(...)`.
fn skip_rest(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_rest(&inner))?;
    }
    Ok(())
}
