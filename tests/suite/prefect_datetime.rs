//! Every `DateTimeSerializer` vector of Prefect 1.4.1 in `tests/data/prefect-vectors`.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Timelike, Utc};
use result_serializers::{DateTimeSerializer, ErrorKind, Serializer};
use serde_json::Value;

use crate::prefect_vectors::{hex, Outcome};
use crate::{vectors_dir, DeserializeAs};

/// A Python `isoformat()` split into its wall-clock time and its UTC offset in seconds.
fn expected_instant(datetime: &Value) -> (NaiveDateTime, Option<i32>) {
    let iso = datetime["isoformat"].as_str().unwrap();
    let offset_at = iso
        .char_indices()
        .skip(19)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(iso.len(), |(index, _)| index);
    let local = NaiveDateTime::parse_from_str(&iso[..offset_at], "%Y-%m-%dT%H:%M:%S%.f")
        .unwrap_or_else(|err| panic!("{iso}: {err}"));
    let offset = datetime["utcoffset_seconds"]
        .as_f64()
        .map(|seconds| seconds as i32);
    (local, offset)
}

fn with_offset(local: NaiveDateTime, seconds: i32) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(seconds).unwrap();
    local.and_local_timezone(offset).single().unwrap()
}

/// Checks one `DateTimeSerializer` vector.
pub(crate) fn check(vector: &Value) -> Outcome {
    match vector["op"].as_str() {
        Some("serialize") => check_serialize(vector),
        Some("deserialize") => check_deserialize(vector),
        _ => Outcome::NotCovered("not a serialize or deserialize vector"),
    }
}

/// Reproduces the bytes Prefect wrote, from the same instant and offset.
fn check_serialize(vector: &Value) -> Outcome {
    let serializer = DateTimeSerializer::new();
    let id = vector["id"].as_str().unwrap();
    let input = &vector["input"]["datetime"];
    if input.is_null() {
        // Prefect raises AttributeError for a date, time, str, int or None; in Rust the
        // derive refuses such a type at compile time (ui-tests/shape).
        return Outcome::NotCovered(
            "a non-date-time input, refused by Rust's types at compile time",
        );
    }
    let expected = std::fs::read(vectors_dir().join(vector["file"].as_str().unwrap())).unwrap();
    let (local, offset) = expected_instant(input);
    // Prefect writes `Z` for naive values and zones named UTC, an offset otherwise.
    let written = match (offset, input["tz_name"].as_str()) {
        (None, _) => serializer.serialize(&local).unwrap(),
        (Some(0), Some("UTC")) => serializer.serialize(&local.and_utc()).unwrap(),
        (Some(seconds), _) => serializer.serialize(&with_offset(local, seconds)).unwrap(),
    };
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&expected),
        "{id}"
    );

    // What we wrote reads back as the same instant and offset, including the offsets with
    // seconds that Prefect itself cannot read back.
    let back: DateTime<FixedOffset> = serializer.deserialize(&written).unwrap();
    assert_eq!(
        back.naive_utc(),
        with_offset(local, offset.unwrap_or(0)).naive_utc(),
        "{id}"
    );
    if vector.get("roundtrip_error").is_none() {
        let (result_local, result_offset) = expected_instant(&vector["result"]["datetime"]);
        let result = with_offset(result_local, result_offset.unwrap_or(0));
        assert_eq!(back, result, "{id}");
        assert_eq!(back.offset(), result.offset(), "{id}");
    }
    Outcome::Checked
}

/// Reads the text as Prefect read it, or fails where it failed.
fn check_deserialize(vector: &Value) -> Outcome {
    let serializer = DateTimeSerializer::new();
    let id = vector["id"].as_str().unwrap();
    let bytes = hex(vector["input"]["bytes_hex"].as_str().unwrap());
    let ours = serializer.deserialize_as::<DateTime<FixedOffset>>(&bytes);

    if let Some(error) = vector.get("error") {
        let err = ours.expect_err(id);
        match error["type"].as_str().unwrap() {
            "ParserError" => assert!(
                matches!(err.kind(), ErrorKind::InvalidDateTime { .. }),
                "{id}: {err}"
            ),
            "UnicodeDecodeError" => assert!(
                matches!(err.kind(), ErrorKind::InvalidUtf8 { .. }),
                "{id}: {err}"
            ),
            other => panic!("{id}: unexpected Prefect error {other}"),
        }
        return Outcome::Checked;
    }

    let result = &vector["result"];
    let datetime = &result["datetime"];
    if datetime["type"] != "pendulum.datetime.DateTime" || result["volatile"] == true {
        // A duration, an interval, or a value that depends on today's date: no chrono
        // date-time holds it, so the serializer refuses it with a reason.
        let err = ours.expect_err(id);
        assert!(
            matches!(err.kind(), ErrorKind::InvalidDateTime { .. }),
            "{id}: {err}"
        );
        return Outcome::NotCovered(
            "pendulum reads it as a duration, an interval or a clock-dependent time; refused here",
        );
    }

    let ours = ours.unwrap_or_else(|err| panic!("{id}: {err}"));
    let (local, offset) = expected_instant(datetime);
    let expected = with_offset(local, offset.unwrap());
    // Prefect keeps microseconds; chrono keeps up to nine digits, compared separately.
    let micros = ours
        .with_nanosecond(ours.nanosecond() / 1_000 * 1_000)
        .unwrap();
    assert_eq!(micros, expected, "{id}");
    assert_eq!(micros.offset(), expected.offset(), "{id}");
    if id.contains(".123456789") {
        assert_eq!(ours.nanosecond(), 123_456_789, "{id}");
    }
    // The same text read as UTC is the same instant.
    let utc: DateTime<Utc> = serializer.deserialize(&bytes).unwrap();
    assert_eq!(utc, ours, "{id}");
    Outcome::Checked
}
