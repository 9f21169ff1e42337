//! Reads pandas' default `to_json` layout (orient `"columns"`): `{"col": {"label": v, ...}}`.

use std::fmt;

use polars::prelude::{Column, DataFrame, DataType, NamedFrom, PlSmallStr, Series};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::error::ErrorKind;

/// A JSON object with its keys in document order.
struct Ordered<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<V>(std::marker::PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for OrderedVisitor<V> {
            type Value = Ordered<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }

        deserializer.deserialize_map(OrderedVisitor(std::marker::PhantomData))
    }
}

fn not_pandas_columns(reason: String) -> ErrorKind {
    ErrorKind::malformed(format!("not pandas' columns layout: {reason}"))
}

pub(super) fn read(bytes: &[u8]) -> Result<DataFrame, ErrorKind> {
    let columns: Ordered<Ordered<Value>> =
        serde_json::from_slice(bytes).map_err(ErrorKind::Json)?;
    // No column: no row labels either, the table is empty.
    let labels: Vec<String> = columns
        .0
        .first()
        .map(|(_, cells)| cells.0.iter().map(|(label, _)| label.clone()).collect())
        .unwrap_or_default();

    let mut out = Vec::with_capacity(columns.0.len() + 1);
    let is_range = labels
        .iter()
        .enumerate()
        .all(|(position, label)| *label == position.to_string());
    if !is_range {
        out.push(Column::from(Series::new("index".into(), labels.as_slice())));
    }
    for (name, cells) in columns.0 {
        let same_labels = cells.0.len() == labels.len()
            && cells
                .0
                .iter()
                .zip(&labels)
                .all(|((label, _), expected)| label == expected);
        if !same_labels {
            return Err(not_pandas_columns(format!(
                "column `{name}` has other row labels than the first column"
            )));
        }
        let values: Vec<Value> = cells.0.into_iter().map(|(_, value)| value).collect();
        out.push(Column::from(column(&name, &values)?));
    }
    DataFrame::new(labels.len(), out).map_err(ErrorKind::Polars)
}

/// One column, typed by its values: booleans, integers, floats (integers among floats become
/// floats, when exact), or strings; nulls anywhere.
fn column(name: &str, values: &[Value]) -> Result<Series, ErrorKind> {
    let name = PlSmallStr::from(name);
    let present = || values.iter().filter(|v| !v.is_null());
    if present().next().is_none() {
        return Ok(Series::full_null(name, values.len(), &DataType::Null));
    }
    if present().all(Value::is_boolean) {
        let cells: Vec<Option<bool>> = values.iter().map(Value::as_bool).collect();
        return Ok(Series::new(name, cells));
    }
    if present().all(Value::is_i64) {
        let cells: Vec<Option<i64>> = values.iter().map(Value::as_i64).collect();
        return Ok(Series::new(name, cells));
    }
    if present().all(Value::is_number) {
        let cells = values
            .iter()
            .map(|value| match value {
                Value::Null => Ok(None),
                Value::Number(number) => exact_f64(number).map(Some).ok_or_else(|| {
                    not_pandas_columns(format!("column `{name}`: {number} is no exact float"))
                }),
                _ => Ok(None),
            })
            .collect::<Result<Vec<Option<f64>>, _>>()?;
        return Ok(Series::new(name, cells));
    }
    if present().all(Value::is_string) {
        let cells: Vec<Option<&str>> = values.iter().map(Value::as_str).collect();
        return Ok(Series::new(name, cells));
    }
    Err(not_pandas_columns(format!(
        "column `{name}` mixes JSON types or holds arrays or objects"
    )))
}

/// The number as an `f64`, if that loses nothing.
fn exact_f64(number: &serde_json::Number) -> Option<f64> {
    if let Some(int) = number.as_i64() {
        // Integers beyond 2^53 do not all survive the trip to f64.
        let float = int as f64;
        return (float as i64 == int && float.abs() < 9_007_199_254_740_992.0).then_some(float);
    }
    if let Some(uint) = number.as_u64() {
        let float = uint as f64;
        return (float < 9_007_199_254_740_992.0).then_some(float);
    }
    number.as_f64()
}
