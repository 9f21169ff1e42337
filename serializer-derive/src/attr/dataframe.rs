//! `dataframe(file_type = "...", option = value, ...)`: each option parsed and checked against
//! its file type, its kind of value and its range, into [`Checked`] options that
//! `expand::dataframe` turns into the runtime's typed builders.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{LitBool, LitInt, LitStr, Token};

use super::{duplicate, take_rest, Attr};
use crate::errors::{did_you_mean, key_of, one_of, Errors};
use crate::symbol::{
    AVRO, AVRO_CODECS, AVRO_OPTIONS, COLUMNS, COMPRESSION, CSV, CSV_OPTIONS, DATAFRAME,
    DATETIME_FORMAT, DATE_FORMAT, FEATHER, FILE_TYPE, FILE_TYPES, FLOAT_PRECISION, HEADER,
    INFER_SCHEMA_LENGTH, IPC, IPC_CODECS, IPC_OPTIONS, JSON, JSON_FILE_LAYOUTS, JSON_FILE_OPTIONS,
    LAYOUT, LEVEL, LEVELED_CODECS, MAX_DECODED_BYTES, NA_REP, NA_VALUES, NDJSON, NDJSON_OPTIONS,
    PARQUET, PARQUET_CODECS, PARQUET_OPTIONS, PARSE_DATES, QUOTE, ROW_GROUP_SIZE, ROW_LIMIT,
    SEPARATOR, STATISTICS,
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
            CSV => FileType::Csv,
            PARQUET => FileType::Parquet,
            JSON => FileType::Json,
            NDJSON => FileType::NdJson,
            IPC | FEATHER => FileType::Ipc,
            AVRO => FileType::Avro,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            FileType::Csv => CSV,
            FileType::Parquet => PARQUET,
            FileType::Json => JSON,
            FileType::NdJson => NDJSON,
            FileType::Ipc => IPC,
            FileType::Avro => AVRO,
        }
    }

    fn options(self) -> &'static [&'static str] {
        match self {
            FileType::Csv => CSV_OPTIONS,
            FileType::Parquet => PARQUET_OPTIONS,
            FileType::Json => JSON_FILE_OPTIONS,
            FileType::NdJson => NDJSON_OPTIONS,
            FileType::Ipc => IPC_OPTIONS,
            FileType::Avro => AVRO_OPTIONS,
        }
    }

    /// The codecs `compression = "..."` accepts.
    fn codecs(self) -> &'static [&'static str] {
        match self {
            FileType::Parquet => PARQUET_CODECS,
            FileType::Ipc => IPC_CODECS,
            FileType::Avro => AVRO_CODECS,
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

/// A checked option, ready to expand: its key (which names the runtime's `with_` builder)
/// and its value.
pub(crate) enum Checked {
    Byte(&'static str, u8),
    Bool(&'static str, bool),
    Str(&'static str, String),
    Count(&'static str, u64),
    NonZero(&'static str, u64),
    List(&'static str, Vec<String>),
    /// A codec of [`FileType::codecs`].
    Compression(&'static str),
    Level(i64),
    /// One of [`JSON_FILE_LAYOUTS`].
    Layout(&'static str),
}

/// `dataframe(...)` as checked.
pub(crate) struct DataFrame {
    pub(crate) file_type: FileType,
    pub(crate) options: Vec<Checked>,
}

/// Parses `dataframe(...)` after the `dataframe` keyword at `keyword`.
pub(crate) fn parse(
    meta: &ParseNestedMeta<'_>,
    keyword: Span,
    errors: &mut Errors,
) -> syn::Result<Option<DataFrame>> {
    let kind = meta
        .path
        .get_ident()
        .map_or_else(|| DATAFRAME.to_owned(), ToString::to_string);
    if !meta.input.peek(syn::token::Paren) {
        errors.push(meta.error(format!(
            "`{kind}` needs a file type: `{kind}(file_type = \"parquet\")`"
        )));
        return Ok(None);
    }
    let mut file_type: Attr<FileType> = Attr::default();
    let mut raw: Vec<(String, Span, Value)> = Vec::new();
    let mut file_type_broken = false;
    meta.parse_nested_meta(|option| {
        let (key, key_span) = key_of(&option.path);
        if !option.input.peek(Token![=]) {
            errors.push(option.error(format!("`{key}` needs a value: `{key} = ...`")));
            return take_rest(&option).map(drop);
        }
        let value = parse_value(option.value()?)?;
        if key == FILE_TYPE {
            let parsed = match (&value, file_type.get()) {
                // A second `file_type` is a duplicate, whatever its value.
                (_, Some(&first)) => Some(first),
                (Value::Str(lit), None) => FileType::from_name(&lit.value()).or_else(|| {
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
                    None
                }),
                (other, None) => {
                    file_type_broken = true;
                    errors.at(
                        other.span(),
                        format!("`file_type` takes a string, one of: {}", one_of(FILE_TYPES)),
                    );
                    None
                }
            };
            if let Some(parsed) = parsed {
                file_type.set(errors, FILE_TYPE, key_span, parsed);
            }
        } else if let Some((_, first, _)) = raw.iter().find(|(name, _, _)| *name == key) {
            duplicate(errors, &key, key_span, *first);
        } else {
            raw.push((key, key_span, value));
        }
        Ok(())
    })?;

    let Some(&file_type) = file_type.get() else {
        if !file_type_broken {
            errors.at(
                keyword,
                format!(
                    "`{kind}(...)` needs `file_type = \"...\"`, one of: {}",
                    one_of(FILE_TYPES)
                ),
            );
        }
        return Ok(None);
    };
    let compression = raw
        .iter()
        .find_map(|(key, _, value)| match (key.as_str(), value) {
            (COMPRESSION, Value::Str(lit)) => Some(lit.value()),
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
        (SEPARATOR | QUOTE, Value::Char(lit)) if lit.value().is_ascii() => {
            Some(Checked::Byte(key, lit.value() as u8))
        }
        (SEPARATOR | QUOTE, Value::Str(lit))
            if lit.value().len() == 1 && lit.value().is_ascii() =>
        {
            lit.value()
                .bytes()
                .next()
                .map(|byte| Checked::Byte(key, byte))
        }
        (SEPARATOR | QUOTE, _) => wrong(errors, "one ASCII character, such as `';'`"),
        (HEADER | PARSE_DATES | STATISTICS, Value::Bool(lit)) => {
            Some(Checked::Bool(key, lit.value))
        }
        (HEADER | PARSE_DATES | STATISTICS, _) => wrong(errors, "`true` or `false`"),
        (NA_REP | DATE_FORMAT | DATETIME_FORMAT, Value::Str(lit)) => {
            Some(Checked::Str(key, lit.value()))
        }
        (NA_REP | DATE_FORMAT | DATETIME_FORMAT, _) => wrong(errors, "a string"),
        (NA_VALUES | COLUMNS, Value::List(items, _)) => Some(Checked::List(
            key,
            items.iter().map(LitStr::value).collect(),
        )),
        (NA_VALUES | COLUMNS, _) => wrong(errors, "a list of strings, such as `[\"a\", \"b\"]`"),
        (FLOAT_PRECISION | ROW_LIMIT | MAX_DECODED_BYTES, Value::Int(lit)) => {
            match lit.base10_parse::<u64>() {
                Ok(count) => Some(Checked::Count(key, count)),
                Err(_) => wrong(errors, "a whole number of 0 or more"),
            }
        }
        (FLOAT_PRECISION | ROW_LIMIT | MAX_DECODED_BYTES, _) => {
            wrong(errors, "a whole number of 0 or more")
        }
        (ROW_GROUP_SIZE | INFER_SCHEMA_LENGTH, Value::Int(lit)) => {
            match lit.base10_parse::<u64>() {
                Ok(count) if count > 0 => Some(Checked::NonZero(key, count)),
                _ => wrong(errors, "a whole number of 1 or more"),
            }
        }
        (ROW_GROUP_SIZE | INFER_SCHEMA_LENGTH, _) => wrong(errors, "a whole number of 1 or more"),
        (COMPRESSION, Value::Str(lit)) => {
            let codecs = file_type.codecs();
            match codecs.iter().find(|codec| **codec == lit.value()) {
                Some(codec) => Some(Checked::Compression(codec)),
                None => wrong(
                    errors,
                    &format!(
                        "one of: {}{}",
                        one_of(codecs),
                        did_you_mean(&lit.value(), codecs)
                    ),
                ),
            }
        }
        (COMPRESSION, _) => wrong(
            errors,
            &format!("a string, one of: {}", one_of(file_type.codecs())),
        ),
        (LEVEL, Value::Int(lit)) => {
            let Some(&(codec, low, high)) = LEVELED_CODECS
                .iter()
                .find(|(codec, _, _)| Some(*codec) == compression)
            else {
                let leveled: Vec<&str> = file_type
                    .codecs()
                    .iter()
                    .copied()
                    .filter(|codec| LEVELED_CODECS.iter().any(|(with, _, _)| with == codec))
                    .collect();
                errors.at(
                    key_span,
                    format!(
                        "`level` needs `compression` set to a codec with levels: {}",
                        one_of(&leveled)
                    ),
                );
                return None;
            };
            match lit.base10_parse::<i64>() {
                Ok(level) if (low..=high).contains(&level) => Some(Checked::Level(level)),
                _ => wrong(errors, &format!("a {codec} level from {low} to {high}")),
            }
        }
        (LEVEL, _) => wrong(errors, "a whole number"),
        (LAYOUT, Value::Str(lit)) => match JSON_FILE_LAYOUTS
            .iter()
            .find(|layout| **layout == lit.value())
        {
            Some(layout) => Some(Checked::Layout(layout)),
            None => wrong(errors, "one of: \"records\", \"pandas_columns\""),
        },
        (LAYOUT, _) => wrong(errors, "one of: \"records\", \"pandas_columns\""),
        _ => wrong(errors, "another kind of value"),
    }
}

#[cfg(all(test, feature = "dataframe"))]
mod tests {
    use syn::parse_quote;

    use super::{Checked, FileType};
    use crate::attr::{parse, Kind};
    use crate::errors::Errors;

    fn parse_frame(attr: syn::Attribute) -> (Option<(FileType, usize)>, Vec<String>) {
        let mut errors = Errors::default();
        let attrs = parse(&[attr], &mut errors);
        let frame = match attrs.kind.get() {
            Some(Kind::DataFrame(frame)) => Some((frame.file_type, frame.options.len())),
            _ => None,
        };
        let messages = match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        };
        (frame, messages)
    }

    #[test]
    fn checks_each_option_against_its_file_type() {
        let (frame, errors) = parse_frame(parse_quote!(
            #[serializer(dataframe(file_type = "feather", compression = "zstd", level = 3))]
        ));
        assert!(errors.is_empty(), "{errors:?}");
        assert!(
            frame.is_some_and(|(file_type, options)| file_type == FileType::Ipc && options == 2)
        );

        let mut errors = Errors::default();
        let attrs = parse(
            &[
                parse_quote!(#[serializer(dataframe(file_type = "csv", separator = ';', na_values = ["NA"]))]),
            ],
            &mut errors,
        );
        assert!(errors.finish().is_ok());
        let Some(Kind::DataFrame(frame)) = attrs.kind.get() else {
            panic!("no frame parsed");
        };
        assert!(matches!(
            frame.options.first(),
            Some(Checked::Byte("separator", b';'))
        ));
        assert!(
            matches!(frame.options.get(1), Some(Checked::List("na_values", items)) if items == &["NA"])
        );
    }

    #[test]
    fn reports_every_mistake_in_the_options() {
        let (frame, errors) = parse_frame(parse_quote!(
            #[serializer(dataframe(file_type = "parquet", level = 30, compression = "zstd",
                file_type = "csv", separator = ";", row_group_size = 0, layout = "records"))]
        ));
        assert!(frame.is_some());
        assert_eq!(
            errors,
            [
                "duplicate `file_type`",
                "first `file_type` here",
                "`level` takes a zstd level from 1 to 22",
                "`separator` is not an option of parquet files; parquet options are: compression, level, statistics, row_group_size, columns, row_limit, max_decoded_bytes",
                "`row_group_size` takes a whole number of 1 or more",
                "`layout` is not an option of parquet files; parquet options are: compression, level, statistics, row_group_size, columns, row_limit, max_decoded_bytes",
            ]
        );
    }

    #[test]
    fn needs_a_known_file_type() {
        let (frame, errors) =
            parse_frame(parse_quote!(#[serializer(dataframe(file_type = "parqet"))]));
        assert!(frame.is_none());
        assert_eq!(
            errors,
            ["unknown file type `parqet`; expected one of: csv, parquet, json, ndjson, ipc, feather, avro; did you mean `parquet`?"]
        );
        let (_, errors) = parse_frame(parse_quote!(#[serializer(dataframe(compression = "zstd"))]));
        assert_eq!(
            errors,
            ["`dataframe(...)` needs `file_type = \"...\"`, one of: csv, parquet, json, ndjson, ipc, feather, avro"]
        );
    }
}
