//! Each field type's column: how its values become a polars column, and how a column (of the
//! dtypes a file may give it) becomes its values again, exactly or not at all.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use polars::prelude::{
    DataType, IntoSeries, ListChunked, NamedFrom, PlSmallStr, Series, StructChunked, TimeUnit,
    TimeZone,
};
use polars_arrow::bitmap::Bitmap;

use super::ColumnType;
use crate::error::ErrorKind;

/// A value or a column that does not fit its field: where, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    row: Option<usize>,
    element: Option<usize>,
    fields: Vec<String>,
    reason: String,
    out_of_range: bool,
}

impl CellError {
    /// A column that does not fit, whatever the row.
    pub fn new(reason: impl Into<String>) -> Self {
        CellError {
            row: None,
            element: None,
            fields: Vec::new(),
            reason: reason.into(),
            out_of_range: false,
        }
    }

    /// A value at `row` that does not fit.
    pub fn at(row: usize, reason: impl Into<String>) -> Self {
        CellError {
            row: Some(row),
            ..CellError::new(reason)
        }
    }

    fn out_of_range(row: usize, reason: impl Into<String>) -> Self {
        CellError {
            out_of_range: true,
            ..CellError::at(row, reason)
        }
    }

    /// The same error in a table whose rows start at `first`.
    pub(super) fn shifted(mut self, first: usize) -> Self {
        self.row = self.row.map(|row| row + first);
        self
    }

    /// The same error inside the struct field `name`.
    pub fn in_field(mut self, name: &str) -> Self {
        self.fields.insert(0, name.to_owned());
        self
    }

    /// The same error inside the list at `row`: its row becomes the element.
    fn in_list(mut self, row: usize) -> Self {
        self.element = self.row;
        self.row = Some(row);
        self
    }

    /// The error of column `name`.
    pub fn in_column(self, name: &str) -> ErrorKind {
        let out_of_range = self.out_of_range;
        let message = format!("{}", Located { name, error: &self });
        if out_of_range {
            ErrorKind::out_of_range(message)
        } else {
            ErrorKind::mismatch(message)
        }
    }
}

struct Located<'a> {
    name: &'a str,
    error: &'a CellError,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column `{}", self.name)?;
        for field in &self.error.fields {
            write!(f, ".{field}")?;
        }
        f.write_str("`")?;
        if let Some(row) = self.error.row {
            write!(f, ", row {row}")?;
        }
        if let Some(element) = self.error.element {
            write!(f, ", element {element}")?;
        }
        write!(f, ": {}", self.error.reason)
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Located {
            name: "",
            error: self,
        }
        .fmt(f)
    }
}

fn polars_error(err: impl fmt::Display) -> CellError {
    CellError::new(err.to_string())
}

fn not_a(series: &Series, what: &str) -> CellError {
    CellError::new(format!("a column of {}, not {what}", series.dtype()))
}

/// A column of `values`, without a validity mask when none is null.
fn primitive<T>(name: PlSmallStr, values: &[Option<&T>]) -> Series
where
    T: Copy,
    Series: NamedFrom<Vec<T>, [T]> + NamedFrom<Vec<Option<T>>, [Option<T>]>,
{
    let present: Vec<T> = values.iter().flatten().map(|value| **value).collect();
    if present.len() == values.len() {
        Series::new(name, present)
    } else {
        let values: Vec<Option<T>> = values.iter().map(|value| value.copied()).collect();
        Series::new(name, values)
    }
}

/// A column of `values`, without a validity mask when none is null.
fn owned<T>(name: PlSmallStr, values: Vec<Option<T>>) -> Series
where
    Series: NamedFrom<Vec<T>, [T]> + NamedFrom<Vec<Option<T>>, [Option<T>]>,
{
    if values.iter().all(Option::is_some) {
        Series::new(name, values.into_iter().flatten().collect::<Vec<T>>())
    } else {
        Series::new(name, values)
    }
}

macro_rules! integer {
    ($($ty:ty => $dtype:ident $method:ident),* $(,)?) => {$(
        impl ColumnType for $ty {
            fn dtype() -> DataType {
                DataType::$dtype
            }

            fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
                Ok(primitive(name, values))
            }

            fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
                if *series.dtype() == DataType::$dtype {
                    return Ok(series.$method().map_err(polars_error)?.iter().collect());
                }
                integers(series, stringify!($ty))
            }
        }
    )*};
}

integer!(
    i8 => Int8 i8, i16 => Int16 i16, i32 => Int32 i32, i64 => Int64 i64,
    u8 => UInt8 u8, u16 => UInt16 u16, u32 => UInt32 u32, u64 => UInt64 u64,
);

/// An integer column of any width and sign, each value checked against `T`'s range.
fn integers<T>(series: &Series, type_name: &str) -> Result<Vec<Option<T>>, CellError>
where
    T: TryFrom<i64> + TryFrom<u64>,
{
    let out_of_range = |row: usize, value: &dyn fmt::Display| {
        CellError::out_of_range(row, format!("{value} is outside the range of {type_name}"))
    };
    let dtype = series.dtype();
    if dtype.is_signed_integer() {
        let wide = series.cast(&DataType::Int64).map_err(polars_error)?;
        let values = wide.i64().map_err(polars_error)?;
        each_value(values.iter(), |row, value| {
            T::try_from(value).map_err(|_| out_of_range(row, &value))
        })
    } else if dtype.is_unsigned_integer() {
        let wide = series.cast(&DataType::UInt64).map_err(polars_error)?;
        let values = wide.u64().map_err(polars_error)?;
        each_value(values.iter(), |row, value| {
            T::try_from(value).map_err(|_| out_of_range(row, &value))
        })
    } else {
        Err(not_a(series, "integers"))
    }
}

impl ColumnType for f64 {
    fn dtype() -> DataType {
        DataType::Float64
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        Ok(primitive(name, values))
    }

    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        match series.dtype() {
            DataType::Float64 => Ok(series.f64().map_err(polars_error)?.iter().collect()),
            DataType::Float32 => {
                let values = series.f32().map_err(polars_error)?;
                Ok(values.iter().map(|value| value.map(f64::from)).collect())
            }
            _ => Err(not_a(series, "floats")),
        }
    }
}

impl ColumnType for f32 {
    fn dtype() -> DataType {
        DataType::Float32
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        Ok(primitive(name, values))
    }

    /// A `Float64` column (CSV and JSON read floats so) reads where each value is an `f32`.
    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        match series.dtype() {
            DataType::Float32 => Ok(series.f32().map_err(polars_error)?.iter().collect()),
            DataType::Float64 => {
                let values = series.f64().map_err(polars_error)?;
                each_value(values.iter(), |row, value| {
                    #[allow(clippy::cast_possible_truncation)]
                    let narrow = value as f32;
                    if f64::from(narrow) == value || value.is_nan() {
                        Ok(narrow)
                    } else {
                        Err(CellError::out_of_range(
                            row,
                            format!("{value:?} is not exactly an f32"),
                        ))
                    }
                })
            }
            _ => Err(not_a(series, "floats")),
        }
    }
}

impl ColumnType for bool {
    fn dtype() -> DataType {
        DataType::Boolean
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        Ok(primitive(name, values))
    }

    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        let values = series.bool().map_err(|_| not_a(series, "booleans"))?;
        Ok(values.iter().collect())
    }
}

impl ColumnType for String {
    fn dtype() -> DataType {
        DataType::String
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        let values: Vec<Option<&str>> = values
            .iter()
            .map(|value| value.map(String::as_str))
            .collect();
        Ok(Series::new(name, values))
    }

    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        let values = series.str().map_err(|_| not_a(series, "strings"))?;
        Ok(values
            .iter()
            .map(|value| value.map(str::to_owned))
            .collect())
    }
}

/// A string column of `values`: the names of a fieldless enum's variants.
pub fn string_series(name: PlSmallStr, values: &[Option<&str>]) -> Series {
    Series::new(name, values)
}

/// The variants a string column names; `parse` gives the variant of a name.
pub fn variants<T>(
    series: &Series,
    names: &[&str],
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<Option<T>>, CellError> {
    let values = series
        .str()
        .map_err(|_| not_a(series, "the names of variants"))?;
    each_value(values.iter(), |row, value| {
        parse(value).ok_or_else(|| {
            CellError::at(
                row,
                format!("`{value}` is none of the variants {}", names.join(", ")),
            )
        })
    })
}

/// The strings of a column that holds dates or date-times as text (CSV and JSON do), parsed by
/// `parse`.
fn parsed<T>(
    series: &Series,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<Option<T>>, CellError> {
    let values = series.str().map_err(polars_error)?;
    each_value(values.iter(), |row, value| {
        parse(value).ok_or_else(|| CellError::at(row, format!("`{value}` is not {what}")))
    })
}

/// The physical `i64`s of a date-time or duration column, in `unit`s.
fn physical_i64(series: &Series) -> Result<Vec<Option<i64>>, CellError> {
    let physical = series.to_physical_repr();
    Ok(physical.i64().map_err(polars_error)?.iter().collect())
}

const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

impl ColumnType for NaiveDate {
    fn dtype() -> DataType {
        DataType::Date
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        let days: Vec<Option<i32>> = values
            .iter()
            .map(|value| value.map(|date| date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE))
            .collect();
        Ok(owned(name, days).into_date())
    }

    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        match series.dtype() {
            DataType::Date => {
                let physical = series.to_physical_repr();
                let days = physical.i32().map_err(polars_error)?;
                each_value(days.iter(), |row, days| {
                    days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)
                        .and_then(NaiveDate::from_num_days_from_ce_opt)
                        .ok_or_else(|| {
                            CellError::out_of_range(
                                row,
                                format!("{days} days from 1970 is not a date chrono holds"),
                            )
                        })
                })
            }
            DataType::String => parsed(series, "a date (YYYY-MM-DD)", |text| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
            }),
            _ => Err(not_a(series, "dates")),
        }
    }
}

use chrono::Datelike;

/// Nanoseconds since 1970 of a UTC date-time, or an error past the years 1677 to 2262 that
/// they hold.
fn nanos(row: usize, time: &DateTime<Utc>) -> Result<i64, CellError> {
    time.timestamp_nanos_opt().ok_or_else(|| {
        CellError::out_of_range(
            row,
            format!("{time} is outside the years 1677 to 2262 that a nanosecond date-time holds"),
        )
    })
}

fn from_unit(row: usize, value: i64, unit: TimeUnit) -> Result<DateTime<Utc>, CellError> {
    let time = match unit {
        TimeUnit::Nanoseconds => Some(DateTime::from_timestamp_nanos(value)),
        TimeUnit::Microseconds => DateTime::from_timestamp_micros(value),
        TimeUnit::Milliseconds => DateTime::from_timestamp_millis(value),
    };
    time.ok_or_else(|| {
        CellError::out_of_range(
            row,
            format!("{value} {unit:?} is not a date-time chrono holds"),
        )
    })
}

fn date_times(series: &Series, unit: TimeUnit) -> Result<Vec<Option<DateTime<Utc>>>, CellError> {
    each_value(physical_i64(series)?, |row, value| {
        from_unit(row, value, unit)
    })
}

impl ColumnType for DateTime<Utc> {
    fn dtype() -> DataType {
        DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        let nanos: Vec<Option<i64>> = values
            .iter()
            .enumerate()
            .map(|(row, value)| value.map(|time| nanos(row, time)).transpose())
            .collect::<Result<_, _>>()?;
        Ok(owned(name, nanos).into_datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC)))
    }

    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        match series.dtype() {
            DataType::Datetime(unit, Some(_)) => date_times(series, *unit),
            DataType::Datetime(_, None) => Err(CellError::new(
                "date-times without a time zone, and the field is a `DateTime<Utc>`",
            )),
            DataType::String => parsed(series, "a date-time with an offset", |text| {
                DateTime::parse_from_rfc3339(text)
                    .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
                    .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%z"))
                    .ok()
                    .map(|time| time.with_timezone(&Utc))
            }),
            _ => Err(not_a(series, "date-times")),
        }
    }
}

impl ColumnType for NaiveDateTime {
    fn dtype() -> DataType {
        DataType::Datetime(TimeUnit::Nanoseconds, None)
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        let nanos: Vec<Option<i64>> = values
            .iter()
            .enumerate()
            .map(|(row, value)| value.map(|time| nanos(row, &time.and_utc())).transpose())
            .collect::<Result<_, _>>()?;
        Ok(owned(name, nanos).into_datetime(TimeUnit::Nanoseconds, None))
    }

    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        match series.dtype() {
            DataType::Datetime(unit, None) => Ok(date_times(series, *unit)?
                .into_iter()
                .map(|time| time.map(|time| time.naive_utc()))
                .collect()),
            DataType::Datetime(_, Some(zone)) => Err(CellError::new(format!(
                "date-times in the time zone {zone}, and the field is a `NaiveDateTime`"
            ))),
            DataType::String => parsed(series, "a date-time", |text| {
                NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                    .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
                    .ok()
            }),
            _ => Err(not_a(series, "date-times")),
        }
    }
}

impl ColumnType for TimeDelta {
    fn dtype() -> DataType {
        DataType::Duration(TimeUnit::Nanoseconds)
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        let nanos: Vec<Option<i64>> = values
            .iter()
            .enumerate()
            .map(|(row, value)| {
                value
                    .map(|delta| {
                        delta.num_nanoseconds().ok_or_else(|| {
                            CellError::out_of_range(
                                row,
                                format!("{delta} is longer than a nanosecond duration holds"),
                            )
                        })
                    })
                    .transpose()
            })
            .collect::<Result<_, _>>()?;
        Ok(owned(name, nanos).into_duration(TimeUnit::Nanoseconds))
    }

    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        let DataType::Duration(unit) = series.dtype() else {
            return Err(not_a(series, "durations"));
        };
        let unit = *unit;
        each_value(physical_i64(series)?, |row, value| {
            match unit {
                TimeUnit::Nanoseconds => Some(TimeDelta::nanoseconds(value)),
                TimeUnit::Microseconds => Some(TimeDelta::microseconds(value)),
                TimeUnit::Milliseconds => TimeDelta::try_milliseconds(value),
            }
            .ok_or_else(|| {
                CellError::out_of_range(
                    row,
                    format!("{value} {unit:?} is longer than chrono holds"),
                )
            })
        })
    }
}

impl<T: ColumnType> ColumnType for Option<T> {
    const NESTED: bool = T::NESTED;

    fn dtype() -> DataType {
        T::dtype()
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        let inner: Vec<Option<&T>> = values
            .iter()
            .map(|value| value.and_then(Option::as_ref))
            .collect();
        T::to_series(name, &inner)
    }

    /// Every value is there: a null is `Some(None)`. A column of the `Null` dtype is all
    /// `None`, whatever `T` is.
    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        if series.dtype().is_null() {
            return Ok(std::iter::repeat_with(|| Some(None))
                .take(series.len())
                .collect());
        }
        Ok(T::from_series(series)?.into_iter().map(Some).collect())
    }
}

impl<T: ColumnType> ColumnType for Vec<T> {
    const NESTED: bool = true;

    fn dtype() -> DataType {
        DataType::List(Box::new(T::dtype()))
    }

    fn to_series(name: PlSmallStr, values: &[Option<&Self>]) -> Result<Series, CellError> {
        let lists = values
            .iter()
            .enumerate()
            .map(|(row, value)| {
                value
                    .map(|list| {
                        let items: Vec<Option<&T>> = list.iter().map(Some).collect();
                        T::to_series(PlSmallStr::EMPTY, &items).map_err(|err| err.in_list(row))
                    })
                    .transpose()
            })
            .collect::<Result<Vec<Option<Series>>, _>>()?;
        let mut lists: ListChunked = lists.into_iter().collect();
        lists.rename(name);
        let series = lists.into_series();
        // A column of empty or null lists only has no inner dtype of its own.
        if *series.dtype() == Self::dtype() {
            Ok(series)
        } else {
            series.cast(&Self::dtype()).map_err(polars_error)
        }
    }

    fn from_series(series: &Series) -> Result<Vec<Option<Self>>, CellError> {
        let lists = series.list().map_err(|_| not_a(series, "lists"))?;
        lists
            .amortized_iter()
            .enumerate()
            .map(|(row, list)| {
                list.map(|list| {
                    super::__derive::read_or_nulls(list.as_ref(), T::from_series)
                        .map_err(|err| err.in_list(row))?
                        .into_iter()
                        .enumerate()
                        .map(|(element, item)| {
                            item.ok_or_else(|| {
                                CellError::at(
                                    row,
                                    "a null in a list of values that are not `Option`s",
                                )
                                .with_element(element)
                            })
                        })
                        .collect()
                })
                .transpose()
            })
            .collect()
    }
}

impl CellError {
    fn with_element(mut self, element: usize) -> Self {
        self.element = Some(element);
        self
    }
}

/// A struct column of `fields`, null where `values` is `None`.
pub fn struct_series<T>(
    name: PlSmallStr,
    values: &[Option<&T>],
    fields: &[Series],
) -> Result<Series, CellError> {
    let column =
        StructChunked::from_series(name, values.len(), fields.iter()).map_err(polars_error)?;
    let column = if values.iter().any(Option::is_none) {
        let validity: Bitmap = values.iter().map(Option::is_some).collect();
        column.with_outer_validity(Some(validity))
    } else {
        column
    };
    Ok(column.into_series())
}

/// Converts each value that is not null with `convert`, given its row; the first that fails
/// is the error.
fn each_value<T, U>(
    values: impl IntoIterator<Item = Option<T>>,
    mut convert: impl FnMut(usize, T) -> Result<U, CellError>,
) -> Result<Vec<Option<U>>, CellError> {
    values
        .into_iter()
        .enumerate()
        .map(|(row, value)| value.map(|value| convert(row, value)).transpose())
        .collect()
}
