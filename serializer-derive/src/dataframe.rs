//! `dataframe(file_type = "...", option = value, ...)`: parsed and checked at compile time,
//! expanded into the typed options of the runtime.

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{LitBool, LitInt, LitStr, Token};

use crate::errors::{did_you_mean, key_of, one_of, Errors};
use crate::symbol::{
    AVRO_OPTIONS, CSV_OPTIONS, FILE_TYPE, FILE_TYPES, IPC_OPTIONS, JSON_OPTIONS_DF, NDJSON_OPTIONS,
    PARQUET_OPTIONS,
};

/// The file types, with the name the runtime gives them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileType {
    Csv,
    Parquet,
    Json,
    NdJson,
    Ipc,
    Avro,
}

impl FileType {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "csv" => FileType::Csv,
            "parquet" => FileType::Parquet,
            "json" => FileType::Json,
            "ndjson" => FileType::NdJson,
            "ipc" | "feather" => FileType::Ipc,
            "avro" => FileType::Avro,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            FileType::Csv => "csv",
            FileType::Parquet => "parquet",
            FileType::Json => "json",
            FileType::NdJson => "ndjson",
            FileType::Ipc => "ipc",
            FileType::Avro => "avro",
        }
    }

    fn options(self) -> &'static [&'static str] {
        match self {
            FileType::Csv => CSV_OPTIONS,
            FileType::Parquet => PARQUET_OPTIONS,
            FileType::Json => JSON_OPTIONS_DF,
            FileType::NdJson => NDJSON_OPTIONS,
            FileType::Ipc => IPC_OPTIONS,
            FileType::Avro => AVRO_OPTIONS,
        }
    }

    /// The codecs `compression = "..."` accepts.
    fn codecs(self) -> &'static [&'static str] {
        match self {
            FileType::Parquet => &["uncompressed", "snappy", "gzip", "brotli", "zstd", "lz4raw"],
            FileType::Ipc => &["uncompressed", "lz4", "zstd"],
            FileType::Avro => &["uncompressed", "deflate", "snappy"],
            FileType::Csv | FileType::Json | FileType::NdJson => &[],
        }
    }
}

/// A value as written in the attribute.
enum Value {
    Str(LitStr),
    Bool(LitBool),
    Int(LitInt),
    Char(syn::LitChar),
    List(Vec<LitStr>, Span),
}

impl Value {
    fn span(&self) -> Span {
        match self {
            Value::Str(lit) => lit.span(),
            Value::Bool(lit) => lit.span,
            Value::Int(lit) => lit.span(),
            Value::Char(lit) => lit.span(),
            Value::List(_, span) => *span,
        }
    }
}

/// A checked option, ready to expand.
enum Checked {
    Byte(&'static str, u8),
    Bool(&'static str, bool),
    Str(&'static str, String),
    Count(&'static str, u64),
    NonZero(&'static str, u64),
    List(&'static str, Vec<String>),
    Compression(String),
    Level(i64),
    Layout(String),
}

/// `dataframe(...)` as checked.
pub(crate) struct DataFrame {
    file_type: FileType,
    options: Vec<Checked>,
}

/// Parses `dataframe(...)` after the `dataframe` keyword at `keyword`.
pub(crate) fn parse(
    meta: &ParseNestedMeta<'_>,
    keyword: Span,
    errors: &mut Errors,
) -> syn::Result<Option<DataFrame>> {
    if !meta.input.peek(syn::token::Paren) {
        errors.push(
            meta.error("`dataframe` needs a file type: `dataframe(file_type = \"parquet\")`"),
        );
        return Ok(None);
    }
    let mut file_type: Option<(FileType, Span)> = None;
    let mut raw: Vec<(String, Span, Value)> = Vec::new();
    let mut file_type_broken = false;
    meta.parse_nested_meta(|option| {
        let (key, key_span) = key_of(&option.path);
        if !option.input.peek(Token![=]) {
            errors.push(option.error(format!("`{key}` needs a value: `{key} = ...`")));
            return skip(&option);
        }
        let value = parse_value(option.value()?)?;
        if key == FILE_TYPE {
            match (&value, &file_type) {
                (_, Some((_, first))) => {
                    errors.at(key_span, "duplicate `file_type`");
                    errors.at(*first, "first `file_type` here");
                }
                (Value::Str(lit), None) => match FileType::from_name(&lit.value()) {
                    Some(parsed) => file_type = Some((parsed, key_span)),
                    None => {
                        file_type_broken = true;
                        errors.spanned(
                            lit,
                            format!(
                                "unknown file type `{}`; expected one of: {}{}",
                                lit.value(),
                                one_of(FILE_TYPES),
                                did_you_mean(&lit.value(), FILE_TYPES)
                            ),
                        );
                    }
                },
                (other, None) => {
                    file_type_broken = true;
                    errors.at(
                        other.span(),
                        format!("`file_type` takes a string, one of: {}", one_of(FILE_TYPES)),
                    );
                }
            }
        } else if let Some((_, first, _)) = raw.iter().find(|(name, _, _)| *name == key) {
            errors.at(key_span, format!("duplicate `{key}`"));
            errors.at(*first, format!("first `{key}` here"));
        } else {
            raw.push((key, key_span, value));
        }
        Ok(())
    })?;

    let Some((file_type, _)) = file_type else {
        if !file_type_broken {
            errors.at(
                keyword,
                format!(
                    "`dataframe(...)` needs `file_type = \"...\"`, one of: {}",
                    one_of(FILE_TYPES)
                ),
            );
        }
        return Ok(None);
    };
    let compression = raw
        .iter()
        .find_map(|(key, _, value)| match (key.as_str(), value) {
            ("compression", Value::Str(lit)) => Some(lit.value()),
            _ => None,
        });
    let mut options = Vec::new();
    for (key, span, value) in raw {
        if let Some(checked) = check(file_type, &key, span, value, compression.as_deref(), errors) {
            options.push(checked);
        }
    }
    Ok(Some(DataFrame { file_type, options }))
}

/// `"text"`, `true`, `3`, `';'` or `["a", "b"]`.
fn parse_value(input: syn::parse::ParseStream<'_>) -> syn::Result<Value> {
    if input.peek(syn::token::Bracket) {
        let content;
        let brackets = syn::bracketed!(content in input);
        let items = content.parse_terminated(|item| item.parse::<LitStr>(), Token![,])?;
        return Ok(Value::List(
            items.into_iter().collect(),
            brackets.span.join(),
        ));
    }
    Ok(match input.parse::<syn::Lit>()? {
        syn::Lit::Str(lit) => Value::Str(lit),
        syn::Lit::Bool(lit) => Value::Bool(lit),
        syn::Lit::Int(lit) => Value::Int(lit),
        syn::Lit::Char(lit) => Value::Char(lit),
        other => {
            return Err(syn::Error::new(
                other.span(),
                "expected a string, a number, `true`/`false`, a character or a list of strings",
            ))
        }
    })
}

fn skip(option: &ParseNestedMeta<'_>) -> syn::Result<()> {
    while !option.input.is_empty() && !option.input.peek(Token![,]) {
        option.input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// Checks one option against the file type and its value kind and range.
fn check(
    file_type: FileType,
    key: &str,
    key_span: Span,
    value: Value,
    compression: Option<&str>,
    errors: &mut Errors,
) -> Option<Checked> {
    let allowed = file_type.options();
    let Some(&key) = allowed.iter().find(|name| **name == key) else {
        errors.at(
            key_span,
            format!(
                "`{key}` is not an option of {} files; {} options are: {}{}",
                file_type.name(),
                file_type.name(),
                one_of(allowed),
                did_you_mean(key, allowed)
            ),
        );
        return None;
    };
    let span = value.span();
    let wrong = |errors: &mut Errors, expected: &str| {
        errors.at(span, format!("`{key}` takes {expected}"));
        None
    };
    match (key, value) {
        ("separator" | "quote", Value::Char(lit)) if lit.value().is_ascii() => {
            Some(Checked::Byte(key, lit.value() as u8))
        }
        ("separator" | "quote", Value::Str(lit))
            if lit.value().len() == 1 && lit.value().is_ascii() =>
        {
            lit.value()
                .bytes()
                .next()
                .map(|byte| Checked::Byte(key, byte))
        }
        ("separator" | "quote", _) => wrong(errors, "one ASCII character, such as `';'`"),
        ("header" | "parse_dates" | "statistics", Value::Bool(lit)) => {
            Some(Checked::Bool(key, lit.value))
        }
        ("header" | "parse_dates" | "statistics", _) => wrong(errors, "`true` or `false`"),
        ("null_value" | "date_format" | "datetime_format", Value::Str(lit)) => {
            Some(Checked::Str(key, lit.value()))
        }
        ("null_value" | "date_format" | "datetime_format", _) => wrong(errors, "a string"),
        ("null_values" | "columns", Value::List(items, _)) => Some(Checked::List(
            key,
            items.iter().map(LitStr::value).collect(),
        )),
        ("null_values" | "columns", _) => {
            wrong(errors, "a list of strings, such as `[\"a\", \"b\"]`")
        }
        ("float_precision" | "row_limit" | "max_decoded_bytes", Value::Int(lit)) => {
            match lit.base10_parse::<u64>() {
                Ok(count) => Some(Checked::Count(key, count)),
                Err(_) => wrong(errors, "a whole number of 0 or more"),
            }
        }
        ("float_precision" | "row_limit" | "max_decoded_bytes", _) => {
            wrong(errors, "a whole number of 0 or more")
        }
        ("row_group_size" | "infer_schema_length", Value::Int(lit)) => {
            match lit.base10_parse::<u64>() {
                Ok(count) if count > 0 => Some(Checked::NonZero(key, count)),
                _ => wrong(errors, "a whole number of 1 or more"),
            }
        }
        ("row_group_size" | "infer_schema_length", _) => {
            wrong(errors, "a whole number of 1 or more")
        }
        ("compression", Value::Str(lit)) => {
            let codecs = file_type.codecs();
            if codecs.contains(&lit.value().as_str()) {
                Some(Checked::Compression(lit.value()))
            } else {
                wrong(
                    errors,
                    &format!(
                        "one of: {}{}",
                        one_of(codecs),
                        did_you_mean(&lit.value(), codecs)
                    ),
                )
            }
        }
        ("compression", _) => wrong(
            errors,
            &format!("a string, one of: {}", one_of(file_type.codecs())),
        ),
        ("level", Value::Int(lit)) => {
            let range = match compression {
                Some("gzip") => 0..=9,
                Some("brotli") => 0..=11,
                Some("zstd") => 1..=22,
                _ => {
                    let leveled: Vec<&str> = file_type
                        .codecs()
                        .iter()
                        .copied()
                        .filter(|codec| ["gzip", "brotli", "zstd"].contains(codec))
                        .collect();
                    errors.at(
                        key_span,
                        format!(
                            "`level` needs `compression` set to a codec with levels: {}",
                            one_of(&leveled)
                        ),
                    );
                    return None;
                }
            };
            match lit.base10_parse::<i64>() {
                Ok(level) if range.contains(&level) => Some(Checked::Level(level)),
                _ => wrong(
                    errors,
                    &format!(
                        "a {} level from {} to {}",
                        compression.unwrap_or_default(),
                        range.start(),
                        range.end()
                    ),
                ),
            }
        }
        ("level", _) => wrong(errors, "a whole number"),
        ("layout", Value::Str(lit))
            if ["records", "pandas_columns"].contains(&lit.value().as_str()) =>
        {
            Some(Checked::Layout(lit.value()))
        }
        ("layout", _) => wrong(errors, "one of: \"records\", \"pandas_columns\""),
        _ => wrong(errors, "another kind of value"),
    }
}

/// The expression building the serializer.
pub(crate) fn constructor(frame: &DataFrame) -> TokenStream {
    let options_type = match frame.file_type {
        FileType::Csv => quote!(CsvOptions),
        FileType::Parquet => quote!(ParquetOptions),
        FileType::Json => quote!(JsonOptions),
        FileType::NdJson => quote!(NdJsonOptions),
        FileType::Ipc => quote!(IpcOptions),
        FileType::Avro => quote!(AvroOptions),
    };
    let constructor = syn::Ident::new(frame.file_type.name(), Span::call_site());
    let level = frame.options.iter().find_map(|option| match option {
        Checked::Level(level) => Some(*level),
        _ => None,
    });
    let calls = frame
        .options
        .iter()
        .filter_map(|option| builder_call(frame.file_type, option, level));
    quote! {
        _rs::DataFrameSerializer::#constructor(
            _rs::dataframe::#options_type::new() #(#calls)*
        )
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

fn builder_call(file_type: FileType, option: &Checked, level: Option<i64>) -> Option<TokenStream> {
    let method = |key: &str| syn::Ident::new(&format!("with_{key}"), Span::call_site());
    Some(match option {
        Checked::Byte(key, byte) => {
            let method = method(key);
            let byte = Literal::u8_unsuffixed(*byte);
            quote!(.#method(#byte))
        }
        Checked::Bool(key, value) => {
            let method = method(key);
            quote!(.#method(#value))
        }
        Checked::Str(key, value) => {
            let method = method(key);
            quote!(.#method(#value))
        }
        Checked::Count(key, count) => {
            let method = method(key);
            let count = Literal::u64_unsuffixed(*count);
            quote!(.#method(#count))
        }
        Checked::NonZero(key, count) => {
            let count = Literal::u64_unsuffixed(*count);
            let value = checked_const(quote!(::core::num::NonZeroUsize::new(#count)));
            if *key == "infer_schema_length" {
                quote!(.with_infer_schema_length(::core::option::Option::Some(#value)))
            } else {
                let method = method(key);
                quote!(.#method(#value))
            }
        }
        Checked::List(key, items) => {
            let method = method(key);
            quote!(.#method([#(#items),*]))
        }
        Checked::Layout(layout) => {
            let variant = if layout == "pandas_columns" {
                quote!(PandasColumns)
            } else {
                quote!(Records)
            };
            quote!(.with_layout(_rs::dataframe::JsonLayout::#variant))
        }
        Checked::Level(_) => return None,
        Checked::Compression(codec) => {
            let level_of = |level_type: TokenStream| match level {
                Some(level) => {
                    let level = Literal::i64_unsuffixed(level);
                    let value = checked_const(quote!(_rs::dataframe::#level_type::new(#level)));
                    quote!(::core::option::Option::Some(#value))
                }
                None => quote!(::core::option::Option::None),
            };
            let compression = match (file_type, codec.as_str()) {
                (FileType::Parquet, "uncompressed") => quote!(ParquetCompression::Uncompressed),
                (FileType::Parquet, "snappy") => quote!(ParquetCompression::Snappy),
                (FileType::Parquet, "lz4raw") => quote!(ParquetCompression::Lz4Raw),
                (FileType::Parquet, "gzip") => {
                    let level = level_of(quote!(GzipLevel));
                    quote!(ParquetCompression::Gzip(#level))
                }
                (FileType::Parquet, "brotli") => {
                    let level = level_of(quote!(BrotliLevel));
                    quote!(ParquetCompression::Brotli(#level))
                }
                (FileType::Parquet, _) => {
                    let level = level_of(quote!(ZstdLevel));
                    quote!(ParquetCompression::Zstd(#level))
                }
                (FileType::Ipc, "uncompressed") => quote!(IpcCompression::Uncompressed),
                (FileType::Ipc, "lz4") => quote!(IpcCompression::Lz4),
                (FileType::Ipc, _) => {
                    let level = level_of(quote!(ZstdLevel));
                    quote!(IpcCompression::Zstd(#level))
                }
                (_, "deflate") => quote!(AvroCompression::Deflate),
                (_, "snappy") => quote!(AvroCompression::Snappy),
                (_, _) => quote!(AvroCompression::Uncompressed),
            };
            quote!(.with_compression(_rs::dataframe::#compression))
        }
    })
}

/// `DataFrameValue` for a newtype, delegating to its field.
pub(crate) fn value_impl(input: &crate::ast::Input<'_>) -> TokenStream {
    crate::expand::newtype_impl(input, quote!(DataFrameValue), |member, inner| {
        quote! {
            #[inline]
            fn as_data_frame(&self) -> &_rs::polars::frame::DataFrame {
                #inner::as_data_frame(&self.#member)
            }

            #[inline]
            fn from_data_frame(frame: _rs::polars::frame::DataFrame) -> Self {
                Self { #member: #inner::from_data_frame(frame) }
            }
        }
    })
}
