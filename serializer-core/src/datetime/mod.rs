//! Human-readable ISO 8601 date-times through chrono: Prefect's `DateTimeSerializer`.

mod format;
mod parse;
#[cfg(feature = "pickle")]
pub(crate) mod python;

use std::io::Write;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};

use crate::error::excerpt;
use crate::error::{Error, ErrorKind, Operation};
use crate::serializer::Serializer;

const NAME: &str = "datetime";

/// Writes date-times as ISO 8601 text, byte for byte as Prefect 1.x's `DateTimeSerializer`,
/// and reads what it reads.
///
/// # Writing
///
/// `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)`:
///
/// - six fraction digits, none when the sub-second part is zero; nine when the value carries
///   nanoseconds, so that nothing is lost (Prefect, with microseconds, reads the first six);
/// - `Z` for [`DateTime<Utc>`] and for [`NaiveDateTime`] (a naive value means UTC, as in
///   Prefect); `±HH:MM` for [`DateTime<FixedOffset>`], `+00:00` included, and `±HH:MM:SS`
///   when the offset has seconds;
/// - years outside `0000..=9999` with a sign and at least four digits (`+10000`, `-0001`),
///   the ISO 8601 expanded form, which Prefect cannot read;
/// - a leap second (chrono's second 59 with 1,000,000,000 ns or more) is an
///   [`ErrorKind::Unrepresentable`] error: Prefect refuses second `60` when reading.
///
/// # Reading
///
/// What Prefect's (pendulum's strict ISO 8601 parser) reads, into chrono's types:
///
/// - calendar dates `2020-12-16` and `20201216`, reduced `2020-12` and `2020`, week dates
///   `2020-W51-3` and `2020-W51`, ordinal dates `2020-351`, each alone (midnight) or followed by
///   `T` or a space and a time;
/// - times `21`, `21:36`, `21:36:00` and basic `2136`, `213600`, with a fraction after `.` or
///   `,` (digits past the ninth are dropped: chrono keeps nanoseconds);
/// - offsets `Z`, `±HH:MM`, `±HHMM`, `±HH`, and `±HH:MM:SS`, which Prefect writes for
///   historic offsets but cannot read back; no offset means UTC.
///
/// Everything else is an [`ErrorKind::InvalidDateTime`] error saying where and why: lowercase
/// `t` or `z`, surrounding spaces, hour 24, second 60, dates not in the calendar, and the
/// inputs pendulum reads as something other than a date-time (durations such as `P1D`,
/// intervals, a time without a date, `now`).
///
/// The value is converted to the target type: an offset into UTC for [`DateTime<Utc>`] and
/// [`NaiveDateTime`], `Z` into `+00:00` for [`DateTime<FixedOffset>`].
///
/// ```
/// use chrono::{DateTime, FixedOffset, TimeZone, Utc};
/// use serializer_core::{DateTimeSerializer, Serializer};
///
/// let at = Utc.with_ymd_and_hms(2020, 12, 16, 21, 36, 0).unwrap();
/// assert_eq!(DateTimeSerializer::new().serialize(&at)?, b"2020-12-16T21:36:00Z");
///
/// let local: DateTime<FixedOffset> =
///     DateTimeSerializer::new().deserialize(b"2020-12-16T21:36:00+0530")?;
/// assert_eq!(local.to_rfc3339(), "2020-12-16T21:36:00+05:30");
/// # Ok::<(), serializer_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct DateTimeSerializer {}

impl DateTimeSerializer {
    /// The date-time serializer.
    pub const fn new() -> Self {
        DateTimeSerializer {}
    }
}

/// The zone a date-time is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// UTC, written `Z`; also what text without an offset means.
    Utc,
    /// A fixed offset from UTC, written `±HH:MM` (`+00:00` included).
    Offset(FixedOffset),
}

/// A date-time as written: the wall-clock time in its zone, and the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTimeParts {
    /// The wall-clock date and time in `zone`.
    pub local: NaiveDateTime,
    /// The zone `local` is in.
    pub zone: Zone,
}

impl DateTimeParts {
    /// The UTC date-time of these parts, or `None` outside chrono's range.
    pub fn to_utc(&self) -> Option<NaiveDateTime> {
        match self.zone {
            Zone::Utc => Some(self.local),
            Zone::Offset(offset) => self.local.checked_sub_offset(offset),
        }
    }
}

/// A value [`DateTimeSerializer`] can write and read: chrono's [`DateTime<Utc>`],
/// [`DateTime<FixedOffset>`] and [`NaiveDateTime`], and newtypes over them that derive
/// `ResultSerializer` with `#[serializer(datetime)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a date-time that `#[serializer(datetime)]` can store",
    label = "not `DateTime<Utc>`, `DateTime<FixedOffset>` or `NaiveDateTime`",
    note = "`#[serializer(datetime)]` goes on a newtype over `chrono::DateTime<Utc>`, `chrono::DateTime<FixedOffset>` or `chrono::NaiveDateTime`, such as `struct Finished(DateTime<Utc>);`"
)]
pub trait DateTimeValue: Sized {
    /// The parts this value is written with, or `None` when its wall-clock time is outside
    /// chrono's range.
    fn to_parts(&self) -> Option<DateTimeParts>;

    /// The value for parts read from text, or `None` when it is outside the range of `Self`.
    fn from_parts(parts: DateTimeParts) -> Option<Self>;
}

impl DateTimeValue for DateTime<Utc> {
    fn to_parts(&self) -> Option<DateTimeParts> {
        Some(DateTimeParts {
            local: self.naive_utc(),
            zone: Zone::Utc,
        })
    }

    fn from_parts(parts: DateTimeParts) -> Option<Self> {
        parts.to_utc().map(|utc| utc.and_utc())
    }
}

impl DateTimeValue for NaiveDateTime {
    fn to_parts(&self) -> Option<DateTimeParts> {
        Some(DateTimeParts {
            local: *self,
            zone: Zone::Utc,
        })
    }

    fn from_parts(parts: DateTimeParts) -> Option<Self> {
        parts.to_utc()
    }
}

impl DateTimeValue for DateTime<FixedOffset> {
    fn to_parts(&self) -> Option<DateTimeParts> {
        // `naive_local` panics when the local time leaves chrono's range; this does not.
        let offset = *self.offset();
        let local = self.naive_utc().checked_add_offset(offset)?;
        Some(DateTimeParts {
            local,
            zone: Zone::Offset(offset),
        })
    }

    fn from_parts(parts: DateTimeParts) -> Option<Self> {
        let offset = match parts.zone {
            Zone::Utc => FixedOffset::east_opt(0)?,
            Zone::Offset(offset) => offset,
        };
        let utc = parts.to_utc()?;
        Some(DateTime::from_naive_utc_and_offset(utc, offset))
    }
}

fn error(operation: Operation, kind: ErrorKind) -> Error {
    Error::new(NAME, operation, kind)
}

impl DateTimeSerializer {
    fn format<T: DateTimeValue>(value: &T) -> Result<format::Formatted, Error> {
        let parts = value.to_parts().ok_or_else(|| {
            error(
                Operation::Serialize,
                ErrorKind::unrepresentable("the local time of the value is outside chrono's range"),
            )
        })?;
        format::format(&parts)
            .map_err(|reason| error(Operation::Serialize, ErrorKind::unrepresentable(reason)))
    }
}

impl<T: DateTimeValue> Serializer<T> for DateTimeSerializer {
    fn serialize(&self, value: &T) -> Result<Vec<u8>, Error> {
        Ok(Self::format(value)?.as_bytes().to_vec())
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<T, Error> {
        let parts = parse::parse(bytes).map_err(|reason| {
            let kind = match std::str::from_utf8(bytes) {
                Err(utf8) => ErrorKind::InvalidUtf8 {
                    valid_up_to: utf8.valid_up_to(),
                },
                Ok(_) => ErrorKind::InvalidDateTime {
                    input: excerpt(bytes),
                    reason,
                },
            };
            error(Operation::Deserialize, kind)
        })?;
        T::from_parts(parts).ok_or_else(|| {
            error(
                Operation::Deserialize,
                ErrorKind::out_of_range(format!(
                    "`{}` is outside the range of `{}`",
                    excerpt(bytes),
                    std::any::type_name::<T>()
                )),
            )
        })
    }

    fn serialize_into<W: Write>(&self, value: &T, mut writer: W) -> Result<(), Error> {
        let text = Self::format(value)?;
        writer
            .write_all(text.as_bytes())
            .map_err(|err| Error::io(NAME, Operation::Serialize, err))
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn format_identity(&self) -> String {
        format!("{NAME} (ISO 8601)")
    }

    fn self_describing(&self) -> bool {
        true
    }
}

/// Prefect's date-time text for one field of a struct, whatever the struct's own serializer:
/// `#[serde(with = "result_serializers::datetime::prefect")]` on a `DateTime<Utc>`,
/// `DateTime<FixedOffset>` or `NaiveDateTime` field writes it as [`DateTimeSerializer`] does
/// (`2020-12-16T21:36:00Z`) and reads every form Prefect reads.
///
/// ```
/// use chrono::{DateTime, TimeZone, Utc};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize)]
/// struct Run {
///     flow: String,
///     #[serde(with = "serializer_core::datetime::prefect")]
///     finished: DateTime<Utc>,
/// }
///
/// let run = Run { flow: "etl".into(), finished: Utc.with_ymd_and_hms(2020, 12, 16, 21, 36, 0).unwrap() };
/// let json = serde_json::to_string(&run).unwrap();
/// assert_eq!(json, r#"{"flow":"etl","finished":"2020-12-16T21:36:00Z"}"#);
/// let prefect = r#"{"flow":"etl","finished":"2020-12-17T03:06:00+05:30"}"#;
/// assert_eq!(serde_json::from_str::<Run>(prefect).unwrap(), run);
/// ```
pub mod prefect {
    use std::borrow::Cow;

    use serde::de::Error as _;
    use serde::ser::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{DateTimeSerializer, DateTimeValue};

    /// Writes `value` as Prefect's text.
    pub fn serialize<T: DateTimeValue, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let text = DateTimeSerializer::format(value).map_err(S::Error::custom)?;
        let text = std::str::from_utf8(text.as_bytes()).map_err(S::Error::custom)?;
        serializer.serialize_str(text)
    }

    /// Reads a date-time from text as Prefect reads it.
    pub fn deserialize<'de, T: DateTimeValue, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let text = <Cow<'de, str>>::deserialize(deserializer)?;
        crate::Serializer::<T>::deserialize(&DateTimeSerializer::new(), text.as_bytes())
            .map_err(D::Error::custom)
    }
}
