//! JSON as Python's `json.dumps` writes it and `json.loads` reads it.
//!
//! Writing is `serde_json` with a formatter for Python's layout (`ser`: `", "` and `": "`,
//! ASCII only with `\uXXXX` escapes; `float`: `repr` floats) and the check of
//! [`super::finite`] for `NaN` and `Infinity`. Reading takes `serde_json` where `sniff` shows
//! that its strict grammar gives Python's value, and otherwise a parser of its own, since
//! `serde_json` has no way to carry a `NaN` to serde: `encoding` decodes UTF-16 or UTF-32
//! input as Python does, `parse` reads Python's grammar (strict JSON plus `NaN`, `Infinity`,
//! `-Infinity`, integers that fit `i128` or `u128`) into a [`Value`], and `de` deserializes it.

mod de;
mod encoding;
mod float;
mod parse;
mod ser;
mod sniff;
mod value;

pub(super) use self::encoding::decode_text;
#[cfg(feature = "prefect3")]
pub(crate) use self::float::write_float;
pub(super) use self::parse::parse;
pub(crate) use self::ser::PythonFormatter;
pub(super) use self::sniff::strict_reading_agrees;
#[cfg(feature = "prefect3")]
pub(crate) use self::value::Value;
