//! Parses `#[serializer(...)]` into [`Attrs`], recording every mistake in [`Errors`].

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Meta, Token};

use crate::dataframe::{self, DataFrame};
use crate::errors::{did_you_mean, one_of, Errors};
use crate::symbol::{
    BINARY, CRATE, DATAFRAME, DATETIME, JSON, JSON_OPTIONS, KINDS, PRETTY, SERIALIZER, WITH,
};

/// What the attributes of one type say.
#[derive(Default)]
pub(crate) struct Attrs {
    /// The serializer chosen, if any.
    pub(crate) kind: Option<Chosen>,
    /// `crate = "..."`: where the generated code finds `result-serializers`.
    pub(crate) krate: Option<syn::Path>,
    /// The first `#[serializer(...)]` attribute, for errors about the attribute as a whole.
    pub(crate) first_attr: Option<Attribute>,
}

/// A serializer kind and the keyword that chose it.
pub(crate) struct Chosen {
    pub(crate) kind: Kind,
    pub(crate) name: &'static str,
    pub(crate) span: Span,
}

/// How a type is serialized. Adding a kind: a word in `symbol.rs`, a variant here with its arm
/// in `parse_key`, and its arm in `expand::serializer`.
pub(crate) enum Kind {
    Json { pretty: bool },
    Binary,
    DateTime,
    DataFrame(DataFrame),
    With(syn::Path),
}

pub(crate) fn parse(attrs: &[Attribute], errors: &mut Errors) -> Attrs {
    let mut out = Attrs::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(SERIALIZER)) {
        out.first_attr.get_or_insert_with(|| attr.clone());
        match &attr.meta {
            Meta::Path(path) => errors.spanned(
                path,
                "expected `#[serializer(...)]` naming a serializer, such as `#[serializer(json)]`",
            ),
            Meta::NameValue(pair) => {
                let (eq, value) = (&pair.eq_token, &pair.value);
                errors.spanned(
                    quote::quote!(#eq #value),
                    "`#[serializer = ...]` is not supported: name the serializer in parentheses, \
                     such as `#[serializer(json)]`",
                );
            }
            Meta::List(list) if list.tokens.is_empty() => errors.spanned(
                list,
                format!(
                    "`#[serializer()]` is empty: name a serializer, one of: {}",
                    one_of(KINDS)
                ),
            ),
            Meta::List(_) => {
                let result = attr.parse_nested_meta(|meta| parse_key(&meta, &mut out, errors));
                errors.ok(result);
            }
        }
    }
    out
}

fn parse_key(meta: &ParseNestedMeta<'_>, out: &mut Attrs, errors: &mut Errors) -> syn::Result<()> {
    let Some(ident) = meta.path.get_ident() else {
        errors.push(meta.error(format!(
            "expected a serializer name, one of: {}",
            one_of(KINDS)
        )));
        return take_rest(meta).map(drop);
    };
    let key = ident.to_string();
    let span = ident.span();
    match key.as_str() {
        JSON => {
            let pretty = parse_json_options(meta, errors)?;
            choose(out, errors, JSON, span, Kind::Json { pretty });
        }
        BINARY => {
            no_value(meta, BINARY, errors)?;
            choose(out, errors, BINARY, span, Kind::Binary);
        }
        DATETIME => {
            no_value(meta, DATETIME, errors)?;
            choose(out, errors, DATETIME, span, Kind::DateTime);
        }
        DATAFRAME if cfg!(feature = "dataframe") => {
            if let Some(frame) = dataframe::parse(meta, span, errors)? {
                choose(out, errors, DATAFRAME, span, Kind::DataFrame(frame));
            }
        }
        DATAFRAME => {
            errors.push(meta.error(
                "`dataframe` needs the `dataframe` feature of result-serializers: \
                 `result-serializers = { version = \"...\", features = [\"dataframe\"] }`",
            ));
            take_rest(meta)?;
        }
        WITH => {
            if let Some(path) = path_value(meta, WITH, "path::To::Serializer", errors)? {
                choose(out, errors, WITH, span, Kind::With(path));
            }
        }
        CRATE => {
            if let Some(path) = path_value(meta, CRATE, "\"result_serializers\"", errors)? {
                match &out.krate {
                    Some(first) => duplicate(errors, CRATE, span, first_span(first)),
                    None => out.krate = Some(path),
                }
            }
        }
        _ => {
            let mut words = KINDS.to_vec();
            words.push(CRATE);
            errors.push(meta.error(format!(
                "unknown serializer `{key}`; expected one of: {}{}",
                one_of(KINDS),
                did_you_mean(&key, &words)
            )));
            take_rest(meta)?;
        }
    }
    Ok(())
}

/// `json` or `json(pretty)`; returns whether `pretty` was given.
fn parse_json_options(meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<bool> {
    if !meta.input.peek(syn::token::Paren) {
        no_value(meta, JSON, errors)?;
        return Ok(false);
    }
    let mut pretty: Option<Span> = None;
    meta.parse_nested_meta(|option| {
        let word = option
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let span = option
            .path
            .get_ident()
            .map_or_else(Span::call_site, |ident| ident.span());
        if word == PRETTY {
            no_value(&option, PRETTY, errors)?;
            match pretty {
                Some(first) => duplicate(errors, PRETTY, span, first),
                None => pretty = Some(span),
            }
        } else {
            errors.push(option.error(format!(
                "unknown `json` option `{word}`; expected one of: {}{}",
                one_of(JSON_OPTIONS),
                did_you_mean(&word, JSON_OPTIONS)
            )));
            take_rest(&option)?;
        }
        Ok(())
    })?;
    Ok(pretty.is_some())
}

/// Records the kind, or reports a second one.
fn choose(out: &mut Attrs, errors: &mut Errors, name: &'static str, span: Span, kind: Kind) {
    match &out.kind {
        Some(first) if first.name == name => duplicate(errors, name, span, first.span),
        Some(first) => {
            errors.at(
                span,
                format!(
                    "a type has one serializer: `{name}` conflicts with `{}`; keep one of them",
                    first.name
                ),
            );
            errors.at(first.span, format!("`{}` chosen here", first.name));
        }
        None => out.kind = Some(Chosen { kind, name, span }),
    }
}

fn duplicate(errors: &mut Errors, name: &str, second: Span, first: Span) {
    errors.at(second, format!("duplicate `{name}`"));
    errors.at(first, format!("first `{name}` here"));
}

fn first_span(path: &syn::Path) -> Span {
    path.segments
        .first()
        .map_or_else(Span::call_site, |segment| segment.ident.span())
}

/// Reports `= value` or `(...)` after a word that takes neither, pointing at them.
fn no_value(meta: &ParseNestedMeta<'_>, name: &str, errors: &mut Errors) -> syn::Result<()> {
    let rest = take_rest(meta)?;
    if !rest.is_empty() {
        let usage = if name == JSON {
            "write `json`, or `json(pretty)` for indented output".to_string()
        } else {
            format!("write `{name}` alone")
        };
        errors.spanned(rest, format!("`{name}` takes no value: {usage}"));
    }
    Ok(())
}

/// `name = path` or `name = "path"`.
fn path_value(
    meta: &ParseNestedMeta<'_>,
    name: &str,
    example: &str,
    errors: &mut Errors,
) -> syn::Result<Option<syn::Path>> {
    if !meta.input.peek(Token![=]) {
        errors.push(meta.error(format!("`{name}` needs a value: `{name} = {example}`")));
        take_rest(meta)?;
        return Ok(None);
    }
    let value = meta.value()?;
    let path = if value.peek(syn::LitStr) {
        value.parse::<syn::LitStr>()?.parse::<syn::Path>()
    } else {
        value.parse::<syn::Path>()
    };
    match path {
        Ok(path) => Ok(Some(path)),
        Err(error) => {
            errors.push(error);
            take_rest(meta)?;
            Ok(None)
        }
    }
}

/// Everything up to the next comma, so that parsing goes on after a mistake.
fn take_rest(meta: &ParseNestedMeta<'_>) -> syn::Result<TokenStream> {
    let mut rest = TokenStream::new();
    while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        rest.extend([meta.input.parse::<TokenTree>()?]);
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn parse_attrs(attrs: &[Attribute]) -> (Attrs, Vec<String>) {
        let mut errors = Errors::default();
        let out = parse(attrs, &mut errors);
        let messages = match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        };
        (out, messages)
    }

    #[test]
    fn reads_each_kind() {
        let (attrs, errors) = parse_attrs(&[parse_quote!(#[serializer(json(pretty))])]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(matches!(
            attrs.kind.map(|k| k.kind),
            Some(Kind::Json { pretty: true })
        ));

        let (attrs, _) = parse_attrs(&[parse_quote!(#[serializer(binary)])]);
        assert!(matches!(attrs.kind.map(|k| k.kind), Some(Kind::Binary)));

        let (attrs, errors) = parse_attrs(&[
            parse_quote!(#[serializer(with = my::Codec)]),
            parse_quote!(#[serializer(crate = "renamed")]),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(matches!(attrs.kind.map(|k| k.kind), Some(Kind::With(_))));
        assert!(attrs.krate.is_some_and(|path| path.is_ident("renamed")));
    }

    #[test]
    fn reports_every_mistake_at_once() {
        let (_, errors) = parse_attrs(&[parse_quote!(
            #[serializer(jsn, binary, json = 1, crate = "a", crate = "b", json(pretty, pretty, compact))]
        )]);
        assert_eq!(
            errors,
            [
                "unknown serializer `jsn`; expected one of: json, binary, datetime, dataframe, with; did you mean `json`?",
                "`json` takes no value: write `json`, or `json(pretty)` for indented output",
                "a type has one serializer: `json` conflicts with `binary`; keep one of them",
                "`binary` chosen here",
                "duplicate `crate`",
                "first `crate` here",
                "duplicate `pretty`",
                "first `pretty` here",
                "unknown `json` option `compact`; expected one of: pretty",
                "a type has one serializer: `json` conflicts with `binary`; keep one of them",
                "`binary` chosen here",
            ]
        );
    }

    #[test]
    fn refuses_malformed_forms() {
        let (_, errors) = parse_attrs(&[
            parse_quote!(#[serializer]),
            parse_quote!(#[serializer = "json"]),
            parse_quote!(#[serializer()]),
            parse_quote!(#[serializer(with)]),
        ]);
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("expected `#[serializer(...)]`"));
        assert!(errors[1].starts_with("`#[serializer = ...]` is not supported"));
        assert!(errors[2].starts_with("`#[serializer()]` is empty"));
        assert_eq!(
            errors[3],
            "`with` needs a value: `with = path::To::Serializer`"
        );
    }
}
