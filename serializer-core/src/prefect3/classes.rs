//! Rust types with a Python class in Prefect 3's JSON, and the `with` module that writes them
//! tagged: `#[serde(with = "result_serializers::prefect3::tagged")]` on a field writes
//! `{"__class__": "datetime.datetime", "data": "2020-12-16T21:36:00Z"}`, which a Prefect 3 flow
//! reads back as a `datetime`, where serde alone would write a string.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use crate::datetime::python::{aware_text, naive_text, time_text};

/// A Rust type that Prefect 3's JSON holds as a tagged Python class.
pub trait PythonClass: Sized {
    /// The class, with its module: `datetime.datetime`.
    const CLASS: &'static str;

    /// The text Prefect's encoder writes as the class's `data`, or why the Python class
    /// cannot hold the value (a nanosecond, a year past 9999).
    fn to_data(&self) -> Result<String, String>;

    /// The value of the text Prefect's encoder wrote, or why it is not one.
    fn from_data(data: &str) -> Result<Self, String>;
}

/// Refuses what Python's `datetime` cannot hold, where writing it would change it: a year
/// outside 1 to 9999, nanoseconds, a leap second.
fn held(at: NaiveDateTime) -> Result<(), String> {
    use chrono::{Datelike, Timelike};
    if !(1..=9999).contains(&at.year()) {
        return Err(format!(
            "{at} is outside the years 1 to 9999 that Python's `datetime` holds"
        ));
    }
    if at.nanosecond() >= 1_000_000_000 {
        return Err(format!(
            "{at} is a leap second, which Python's `datetime` cannot hold"
        ));
    }
    if !at.nanosecond().is_multiple_of(1_000) {
        return Err(format!(
            "{at} has nanoseconds, which Python's `datetime` (microseconds) cannot hold: round it first"
        ));
    }
    Ok(())
}

fn bad(what: &str, data: &str) -> String {
    format!("`{data}` is not a {what}")
}

impl PythonClass for DateTime<Utc> {
    const CLASS: &'static str = "datetime.datetime";

    fn to_data(&self) -> Result<String, String> {
        held(self.naive_utc())?;
        Ok(aware_text(self.fixed_offset()))
    }

    fn from_data(data: &str) -> Result<Self, String> {
        DateTime::<FixedOffset>::from_data(data).map(|at| at.to_utc())
    }
}

impl PythonClass for DateTime<FixedOffset> {
    const CLASS: &'static str = "datetime.datetime";

    fn to_data(&self) -> Result<String, String> {
        held(self.naive_local())?;
        Ok(aware_text(*self))
    }

    fn from_data(data: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(data).map_err(|_| bad("date-time with an offset", data))
    }
}

impl PythonClass for NaiveDateTime {
    const CLASS: &'static str = "datetime.datetime";

    fn to_data(&self) -> Result<String, String> {
        held(*self)?;
        Ok(naive_text(*self))
    }

    fn from_data(data: &str) -> Result<Self, String> {
        data.parse()
            .map_err(|_| bad("date-time without an offset", data))
    }
}

impl PythonClass for NaiveDate {
    const CLASS: &'static str = "datetime.date";

    fn to_data(&self) -> Result<String, String> {
        held(self.and_time(NaiveTime::MIN))?;
        Ok(self.to_string())
    }

    fn from_data(data: &str) -> Result<Self, String> {
        data.parse().map_err(|_| bad("date", data))
    }
}

impl PythonClass for NaiveTime {
    const CLASS: &'static str = "datetime.time";

    fn to_data(&self) -> Result<String, String> {
        held(NaiveDate::MIN.and_time(*self)).or_else(|err| {
            // Only the time matters here, not the placeholder date's year.
            if err.contains("year") {
                Ok(())
            } else {
                Err(err)
            }
        })?;
        Ok(time_text(*self))
    }

    fn from_data(data: &str) -> Result<Self, String> {
        data.parse().map_err(|_| bad("time of day", data))
    }
}

impl PythonClass for TimeDelta {
    const CLASS: &'static str = "datetime.timedelta";

    fn to_data(&self) -> Result<String, String> {
        if self.subsec_nanos() % 1_000 != 0 {
            return Err(format!(
                "{self} has nanoseconds, which Python's `timedelta` (microseconds) cannot hold"
            ));
        }
        Ok(crate::datetime::python::to_iso(*self))
    }

    fn from_data(data: &str) -> Result<Self, String> {
        crate::datetime::python::parse_iso(data).ok_or_else(|| bad("ISO 8601 duration", data))
    }
}

impl PythonClass for uuid::Uuid {
    const CLASS: &'static str = "uuid.UUID";

    fn to_data(&self) -> Result<String, String> {
        Ok(self.hyphenated().to_string())
    }

    fn from_data(data: &str) -> Result<Self, String> {
        data.parse().map_err(|_| bad("UUID", data))
    }
}

/// Its text keeps its scale, as Python's `Decimal` does: `1234.5600`.
impl PythonClass for rust_decimal::Decimal {
    const CLASS: &'static str = "decimal.Decimal";

    fn to_data(&self) -> Result<String, String> {
        Ok(self.to_string())
    }

    fn from_data(data: &str) -> Result<Self, String> {
        data.parse()
            .map_err(|_| bad("decimal that fits 96 bits", data))
    }
}

/// A time of day with a UTC offset: Python's aware `datetime.time`, which Prefect 3 writes as
/// `23:59:59Z` or `23:59:59.000005+05:30` and chrono has no type for. Its serde form is that
/// text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AwareTime {
    /// The time of day, on the clock of `offset`.
    pub time: NaiveTime,
    /// Its offset from UTC.
    pub offset: FixedOffset,
}

impl fmt::Display for AwareTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = if self.offset.local_minus_utc() == 0 {
            "Z".to_string()
        } else {
            self.offset.to_string()
        };
        write!(f, "{}{offset}", time_text(self.time))
    }
}

impl std::str::FromStr for AwareTime {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || bad("time of day with a UTC offset", text);
        let split = text.rfind(['Z', '+', '-']).ok_or_else(bad)?;
        let (time, offset) = text.split_at(split);
        let offset = match offset {
            "Z" => FixedOffset::east_opt(0),
            _ => offset.parse().ok(),
        };
        Ok(AwareTime {
            time: time.parse().map_err(|_| bad())?,
            offset: offset.ok_or_else(bad)?,
        })
    }
}

impl PythonClass for AwareTime {
    const CLASS: &'static str = "datetime.time";

    fn to_data(&self) -> Result<String, String> {
        self.time.to_data()?;
        if self.offset.local_minus_utc() % 60 != 0 {
            return Err(format!(
                "the UTC offset {} is not whole minutes, which Prefect's JSON writes",
                self.offset
            ));
        }
        Ok(self.to_string())
    }

    fn from_data(data: &str) -> Result<Self, String> {
        data.parse()
    }
}

impl serde::Serialize for AwareTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AwareTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        tagged::deserialize(deserializer)
    }
}

/// A field of a [`PythonClass`] type, written tagged with its class and read tagged with it
/// (any other class is an error naming both) or as its text alone.
pub mod tagged {
    use std::marker::PhantomData;

    use serde::de::{self, Deserialize, Deserializer, Visitor};
    use serde::ser::{self, Serializer};

    use super::PythonClass;

    /// Writes `{"__class__": CLASS, "data": "..."}`.
    pub fn serialize<T: PythonClass, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let data = value.to_data().map_err(ser::Error::custom)?;
        crate::prefect3::python::class(serializer, T::CLASS, &data)
    }

    /// Reads the class's text: the data of an object tagged with `T::CLASS`, or the text alone.
    pub fn deserialize<'de, T: PythonClass, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        // A newtype named after the class: Prefect 3's reader checks the tag's class by it.
        deserializer.deserialize_newtype_struct(T::CLASS, Text(PhantomData))
    }

    struct Text<T>(PhantomData<T>);

    impl<'de, T: PythonClass> Visitor<'de> for Text<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "the text of a `{}`", T::CLASS)
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<T, D::Error> {
            let text = String::deserialize(inner)?;
            T::from_data(&text).map_err(de::Error::custom)
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
            T::from_data(text).map_err(E::custom)
        }
    }
}
