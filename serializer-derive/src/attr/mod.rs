//! Parses `#[serializer(...)]` into [`Attrs`], recording every mistake in [`Errors`]. Nothing
//! here generates code: `expand` reads what this module leaves.

pub(crate) mod dataframe;

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Meta, Token};

use self::dataframe::DataFrame;
use crate::errors::{did_you_mean, key_of, one_of, Errors};
use crate::symbol::{
    BINARY, CODEC, CODECS, COMPRESS, COMPRESS_OPTIONS, CRATE, DATAFRAME, DATETIME, JSON,
    JSON_LAYOUTS, KINDS, LEVEL, MAX_DECOMPRESSED_SIZE, PICKLE, PRETTY, ROWS, SERIALIZER, WITH,
};

/// What the attributes of one type say.
#[derive(Default)]
pub(crate) struct Attrs {
    /// The serializer chosen, if any.
    pub(crate) kind: Attr<Kind>,
    /// `crate = "..."`: where the generated code finds `result-serializers`.
    pub(crate) krate: Attr<syn::Path>,
    /// `compress = ...`: compression around the serializer.
    pub(crate) compress: Attr<Compress>,
    /// The first `#[serializer(...)]` attribute, for errors about the attribute as a whole.
    pub(crate) first_attr: Option<Attribute>,
}

/// A value that may be given once, with the word that gave it and where: the same word again
/// is reported as a duplicate, another word of the same choice (a second serializer, a second
/// layout) as a conflict; each with a note at the first.
pub(crate) struct Attr<T> {
    value: Option<(&'static str, Span, T)>,
}

impl<T> Default for Attr<T> {
    fn default() -> Self {
        Attr { value: None }
    }
}

impl<T> Attr<T> {
    /// Keeps `value`, given by the key `name` at `span`, or reports it as a duplicate.
    pub(crate) fn set(&mut self, errors: &mut Errors, name: &'static str, span: Span, value: T) {
        self.choose(errors, name, span, value, |_| String::new());
    }

    /// Keeps `value`, chosen by the word `name` at `span`; a second choice is a duplicate of
    /// the same word or a conflict with another, which `conflict` words from the first's name.
    pub(crate) fn choose(
        &mut self,
        errors: &mut Errors,
        name: &'static str,
        span: Span,
        value: T,
        conflict: impl FnOnce(&str) -> String,
    ) {
        match &self.value {
            None => self.value = Some((name, span, value)),
            Some((first, first_span, _)) if *first == name => {
                duplicate(errors, name, span, *first_span);
            }
            Some((first, first_span, _)) => {
                errors.at(span, conflict(first));
                errors.at(*first_span, format!("`{first}` chosen here"));
            }
        }
    }

    pub(crate) fn get(&self) -> Option<&T> {
        self.value.as_ref().map(|(_, _, value)| value)
    }
}

/// `compress = "codec"` or `compress(codec = "...", level = N, max_decompressed_size = N)`.
pub(crate) struct Compress {
    /// The runtime's `Codec` variant.
    pub(crate) codec: &'static str,
    pub(crate) level: Option<u32>,
    pub(crate) max_decompressed_size: Option<u64>,
}

/// The JSON layouts of `json(...)`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonLayout {
    Compact,
    Pretty,
    Python,
}

/// Reports the key `name` at `second`, given already at `first`.
pub(crate) fn duplicate(errors: &mut Errors, name: &str, second: Span, first: Span) {
    errors.at(second, format!("duplicate `{name}`"));
    errors.at(first, format!("first `{name}` here"));
}

/// How a type is serialized. Adding a kind: a word in `symbol.rs`, a variant here with its arm
/// in `parse_key`, and its arm in `expand::serializer`.
pub(crate) enum Kind {
    Json(JsonLayout),
    Pickle,
    Binary,
    DateTime,
    DataFrame(DataFrame),
    /// `rows(...)`: the options of `dataframe(...)`, for a `Vec` of rows.
    Rows(DataFrame),
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
            let layout = parse_json_options(meta, errors)?;
            choose(out, errors, JSON, span, Kind::Json(layout));
        }
        PICKLE if cfg!(feature = "pickle") => {
            no_value(meta, PICKLE, errors)?;
            choose(out, errors, PICKLE, span, Kind::Pickle);
        }
        PICKLE => {
            errors.push(meta.error(
                "`pickle` needs the `pickle` feature of result-serializers (part of `full`, \
                 which is on by default): `features = [\"pickle\"]`",
            ));
            take_rest(meta)?;
        }
        COMPRESS => {
            if let Some(compress) = parse_compress(meta, span, errors)? {
                out.compress.set(errors, COMPRESS, span, compress);
            }
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
        ROWS if cfg!(feature = "dataframe") => {
            if let Some(frame) = dataframe::parse(meta, span, errors)? {
                choose(out, errors, ROWS, span, Kind::Rows(frame));
            }
        }
        DATAFRAME | ROWS => {
            errors.push(meta.error(format!(
                "`{key}` needs the `dataframe` feature of result-serializers: \
                 `result-serializers = {{ version = \"...\", features = [\"dataframe\"] }}`",
            )));
            take_rest(meta)?;
        }
        WITH => {
            if let Some(path) = path_value(meta, WITH, "path::To::Serializer", errors)? {
                choose(out, errors, WITH, span, Kind::With(path));
            }
        }
        CRATE => {
            if let Some(path) = path_value(meta, CRATE, "\"result_serializers\"", errors)? {
                out.krate.set(errors, CRATE, span, path);
            }
        }
        _ => {
            let mut words = KINDS.to_vec();
            words.extend([CRATE, COMPRESS]);
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

/// `json`, `json(pretty)` or `json(python)`.
fn parse_json_options(meta: &ParseNestedMeta<'_>, errors: &mut Errors) -> syn::Result<JsonLayout> {
    if !meta.input.peek(syn::token::Paren) {
        no_value(meta, JSON, errors)?;
        return Ok(JsonLayout::Compact);
    }
    let mut chosen = Attr::default();
    meta.parse_nested_meta(|option| {
        let (word, span) = key_of(&option.path);
        if let Some(&layout) = JSON_LAYOUTS.iter().find(|layout| **layout == word) {
            no_value(&option, layout, errors)?;
            let value = if layout == PRETTY {
                JsonLayout::Pretty
            } else {
                JsonLayout::Python
            };
            chosen.choose(errors, layout, span, value, |first| {
                format!("`{layout}` and `{first}` are two layouts of `json`; keep one")
            });
        } else {
            errors.push(option.error(format!(
                "unknown `json` option `{word}`; expected one of: {}{}",
                one_of(JSON_LAYOUTS),
                did_you_mean(&word, JSON_LAYOUTS)
            )));
            take_rest(&option)?;
        }
        Ok(())
    })?;
    Ok(chosen.get().copied().unwrap_or(JsonLayout::Compact))
}

fn codec_of(lit: &syn::LitStr, errors: &mut Errors) -> Option<(&'static str, Option<(u32, u32)>)> {
    let name = lit.value();
    let found = CODECS.iter().find(|(codec, _, _)| *codec == name);
    if found.is_none() {
        let names: Vec<&str> = CODECS.iter().map(|(codec, _, _)| *codec).collect();
        errors.spanned(
            lit,
            format!(
                "unknown compression `{name}`; expected one of: {}{}",
                one_of(&names),
                did_you_mean(&name, &names)
            ),
        );
    }
    let (_, variant, levels) = found?;
    let (feature, enabled) = codec_feature(variant);
    if !enabled {
        errors.spanned(
            lit,
            format!(
                "`{name}` needs the `{feature}` feature of result-serializers (part of `full`, \
                 which is on by default): `features = [\"{feature}\"]`"
            ),
        );
        return None;
    }
    Some((*variant, *levels))
}

/// The feature of result-serializers that builds a codec, and whether it is on.
fn codec_feature(variant: &str) -> (&'static str, bool) {
    match variant {
        "Gzip" | "Zlib" => ("gzip", cfg!(feature = "gzip")),
        "Bz2" => ("bz2", cfg!(feature = "bz2")),
        "Xz" => ("xz", cfg!(feature = "xz")),
        "Zstd" => ("zstd", cfg!(feature = "zstd")),
        _ => ("lz4", cfg!(feature = "lz4")),
    }
}

/// `compress = "zstd"` or `compress(codec = "zstd", level = 19, max_decompressed_size = N)`.
fn parse_compress(
    meta: &ParseNestedMeta<'_>,
    span: Span,
    errors: &mut Errors,
) -> syn::Result<Option<Compress>> {
    if meta.input.peek(Token![=]) {
        let lit: syn::LitStr = meta.value()?.parse()?;
        return Ok(codec_of(&lit, errors).map(|(codec, _)| Compress {
            codec,
            level: None,
            max_decompressed_size: None,
        }));
    }
    if !meta.input.peek(syn::token::Paren) {
        errors.push(meta.error(
            "`compress` needs a codec: `compress = \"zstd\"` or `compress(codec = \"zstd\", level = 19)`",
        ));
        take_rest(meta)?;
        return Ok(None);
    }
    let mut codec = None;
    let mut codec_broken = false;
    let mut level: Option<syn::LitInt> = None;
    let mut max_size = None;
    meta.parse_nested_meta(|option| {
        let (key, _) = key_of(&option.path);
        match key.as_str() {
            CODEC => {
                let lit: syn::LitStr = option.value()?.parse()?;
                codec = codec_of(&lit, errors);
                codec_broken |= codec.is_none();
            }
            LEVEL => level = Some(option.value()?.parse()?),
            MAX_DECOMPRESSED_SIZE => {
                let lit: syn::LitInt = option.value()?.parse()?;
                match lit.base10_parse::<u64>() {
                    Ok(bytes) => max_size = Some(bytes),
                    Err(_) => {
                        errors.spanned(&lit, "`max_decompressed_size` takes a number of bytes")
                    }
                }
            }
            _ => {
                errors.push(option.error(format!(
                    "unknown `compress` option `{key}`; expected one of: {}{}",
                    one_of(COMPRESS_OPTIONS),
                    did_you_mean(&key, COMPRESS_OPTIONS)
                )));
                take_rest(&option)?;
            }
        }
        Ok(())
    })?;
    let Some((codec, levels)) = codec else {
        if !codec_broken {
            errors.at(
                span,
                "`compress(...)` needs `codec = \"...\"`, such as `codec = \"zstd\"`",
            );
        }
        return Ok(None);
    };
    let level = match (level, levels) {
        (None, _) => None,
        (Some(lit), Some((low, high))) => match lit.base10_parse::<u32>() {
            Ok(level) if (low..=high).contains(&level) => Some(level),
            _ => {
                let name = codec.to_lowercase();
                errors.spanned(&lit, format!("{name} takes levels {low} to {high}"));
                return Ok(None);
            }
        },
        (Some(lit), None) => {
            errors.spanned(&lit, "lz4 takes no level");
            return Ok(None);
        }
    };
    Ok(Some(Compress {
        codec,
        level,
        max_decompressed_size: max_size,
    }))
}

/// Records the kind, or reports a second one.
fn choose(out: &mut Attrs, errors: &mut Errors, name: &'static str, span: Span, kind: Kind) {
    out.kind.choose(errors, name, span, kind, |first| {
        format!("a type has one serializer: `{name}` conflicts with `{first}`; keep one of them")
    });
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
pub(crate) fn take_rest(meta: &ParseNestedMeta<'_>) -> syn::Result<TokenStream> {
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
            attrs.kind.get(),
            Some(Kind::Json(JsonLayout::Pretty))
        ));

        let (attrs, _) = parse_attrs(&[parse_quote!(#[serializer(binary)])]);
        assert!(matches!(attrs.kind.get(), Some(Kind::Binary)));

        let (attrs, errors) = parse_attrs(&[
            parse_quote!(#[serializer(with = my::Codec)]),
            parse_quote!(#[serializer(crate = "renamed")]),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(matches!(attrs.kind.get(), Some(Kind::With(_))));
        assert!(attrs
            .krate
            .get()
            .is_some_and(|path| path.is_ident("renamed")));
    }

    #[test]
    fn reports_every_mistake_at_once() {
        let (_, errors) = parse_attrs(&[parse_quote!(
            #[serializer(jsn, binary, json = 1, crate = "a", crate = "b", json(pretty, pretty, compact))]
        )]);
        assert_eq!(
            errors,
            [
                "unknown serializer `jsn`; expected one of: json, binary, datetime, dataframe, rows, pickle, with; did you mean `json`?",
                "`json` takes no value: write `json`, or `json(pretty)` for indented output",
                "a type has one serializer: `json` conflicts with `binary`; keep one of them",
                "`binary` chosen here",
                "duplicate `crate`",
                "first `crate` here",
                "duplicate `pretty`",
                "first `pretty` here",
                "unknown `json` option `compact`; expected one of: pretty, python",
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

    /// Each codec and `pickle` is an error naming its feature when the facade built the derive
    /// without it, and chosen when it did: CI runs this both ways (`--all-features`, and the
    /// derive alone).
    #[test]
    fn codecs_and_pickle_follow_their_features() {
        let cases = [
            ("gzip", cfg!(feature = "gzip")),
            ("zlib", cfg!(feature = "gzip")),
            ("bz2", cfg!(feature = "bz2")),
            ("xz", cfg!(feature = "xz")),
            ("zstd", cfg!(feature = "zstd")),
            ("lz4", cfg!(feature = "lz4")),
        ];
        for (codec, enabled) in cases {
            let lit = syn::LitStr::new(codec, Span::call_site());
            let (attrs, errors) =
                parse_attrs(&[parse_quote!(#[serializer(json, compress = #lit)])]);
            if enabled {
                assert!(errors.is_empty(), "{codec}: {errors:?}");
                assert!(attrs.compress.get().is_some(), "{codec}");
            } else {
                assert_eq!(errors.len(), 1, "{codec}: {errors:?}");
                assert!(
                    errors[0].contains("feature of result-serializers"),
                    "{errors:?}"
                );
            }
        }
        let (attrs, errors) = parse_attrs(&[parse_quote!(#[serializer(pickle)])]);
        if cfg!(feature = "pickle") {
            assert!(matches!(attrs.kind.get(), Some(Kind::Pickle)), "{errors:?}");
        } else {
            assert_eq!(
                errors,
                ["`pickle` needs the `pickle` feature of result-serializers (part of `full`, which is on by default): `features = [\"pickle\"]`"]
            );
        }
    }
}
