use std::collections::BTreeMap;

use result_serializers::{JsonSerializer, JsonStyle, Operation, Serializer};
use serde::{Deserialize, Serialize};

use crate::{assert_error, DeserializeAs};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Record {
    id: u64,
    name: String,
    score: f64,
    tags: Vec<String>,
    parent: Option<Box<Record>>,
    kind: Kind,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Kind {
    Unit,
    Newtype(i32),
    Tuple(i8, String),
    Struct { flag: bool },
}

fn record() -> Record {
    Record {
        id: u64::MAX,
        name: "zoë \u{1F600} \"quoted\"\n".into(),
        score: -0.1,
        tags: vec!["a".into(), String::new()],
        parent: Some(Box::new(Record {
            id: 0,
            name: String::new(),
            score: 1e300,
            tags: vec![],
            parent: None,
            kind: Kind::Struct { flag: true },
        })),
        kind: Kind::Tuple(-128, "t".into()),
    }
}

#[test]
fn compact_output_is_serde_json_to_vec() {
    let value = record();
    let bytes = JsonSerializer::new().serialize(&value).unwrap();
    assert_eq!(bytes, serde_json::to_vec(&value).unwrap());
    let back: Record = JsonSerializer::new().deserialize(&bytes).unwrap();
    assert_eq!(back, value);
}

#[test]
fn pretty_output_is_serde_json_to_vec_pretty() {
    let value = record();
    let serializer = JsonSerializer::pretty();
    let bytes = serializer.serialize(&value).unwrap();
    assert_eq!(bytes, serde_json::to_vec_pretty(&value).unwrap());
    let back: Record = serializer.deserialize(&bytes).unwrap();
    assert_eq!(back, value);
}

#[test]
fn every_enum_shape_round_trips() {
    for kind in [
        Kind::Unit,
        Kind::Newtype(i32::MIN),
        Kind::Tuple(1, "x".into()),
        Kind::Struct { flag: false },
    ] {
        let bytes = JsonSerializer::new().serialize(&kind).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&kind).unwrap());
        let back: Kind = JsonSerializer::new().deserialize(&bytes).unwrap();
        assert_eq!(back, kind);
    }
}

#[test]
fn non_finite_floats_are_errors_not_null() {
    fn refused<T: Serialize + serde::de::DeserializeOwned + std::fmt::Debug>(value: T, bad: f64) {
        let err = assert_error(
            JsonSerializer::new().serialize(&value),
            "json",
            Operation::Serialize,
            |kind| matches!(kind, result_serializers::ErrorKind::NonFiniteFloat { .. }),
        );
        match err.kind() {
            result_serializers::ErrorKind::NonFiniteFloat { value } => {
                assert!(value.to_bits() == bad.to_bits() || (value.is_nan() && bad.is_nan()));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("JSON cannot represent"), "{err}");
    }
    refused(f64::NAN, f64::NAN);
    refused(vec![1.0, f64::INFINITY], f64::INFINITY);
    refused(Some(f32::NEG_INFINITY), f64::NEG_INFINITY);
    // A `None` before the `NaN`: both are `null` to serde_json.
    refused(vec![None, Some(1.5), Some(f64::NAN)], f64::NAN);
    let with_nones = vec![None, Some(1.5), None];
    assert_eq!(
        JsonSerializer::new().serialize(&with_nones).unwrap(),
        serde_json::to_vec(&with_nones).unwrap()
    );
    refused(
        BTreeMap::from([("k".to_string(), (0u8, f64::NAN))]),
        f64::NAN,
    );
    refused(
        Record {
            score: f64::NAN,
            ..record()
        },
        f64::NAN,
    );
    // Streaming refuses too.
    let mut out = Vec::new();
    let result = JsonSerializer::pretty().serialize_into(&[f64::NAN], &mut out);
    assert!(result.is_err());
}

#[test]
fn trailing_bytes_are_an_error_but_whitespace_is_not() {
    let serializer = JsonSerializer::new();
    let ok: Vec<u8> = serializer.deserialize(b" [1, 2]\n").unwrap();
    assert_eq!(ok, [1, 2]);
    let err = assert_error(
        serializer.deserialize_as::<Vec<u8>>(b"[1,2] 3"),
        "json",
        Operation::Deserialize,
        |kind| matches!(kind, result_serializers::ErrorKind::Json(_)),
    );
    assert!(err.to_string().contains("trailing characters"), "{err}");
}

#[test]
fn bad_input_is_a_typed_error() {
    let serializer = JsonSerializer::new();
    for (input, expected) in [
        (&b""[..], "EOF while parsing"),
        (b"{\"id\": 1, \"na", "EOF while parsing"),
        (b"\xff\xfe garbage", "expected value"),
        (b"[1, 2, 3]", "invalid type"),
        (b"{\"id\": -1}", "invalid value"),
    ] {
        let err = assert_error(
            serializer.deserialize_as::<Record>(input),
            "json",
            Operation::Deserialize,
            |kind| matches!(kind, result_serializers::ErrorKind::Json(_)),
        );
        assert!(err.to_string().contains(expected), "{input:?}: {err}");
        // The serde_json error is kept in the kind; the message says it once, with no
        // `source` to say it again.
        assert!(std::error::Error::source(&err).is_none());
    }
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    let result: Result<serde_json::Value, _> = JsonSerializer::new().deserialize(deep.as_bytes());
    let err = result.unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

#[test]
fn serializers_compare_by_configuration() {
    assert_eq!(JsonSerializer::new(), JsonSerializer::default());
    assert_ne!(JsonSerializer::new(), JsonSerializer::pretty());
    assert_eq!(
        JsonSerializer::new().with_style(JsonStyle::Pretty),
        JsonSerializer::pretty()
    );
    assert_eq!(JsonSerializer::pretty().style(), JsonStyle::Pretty);
}
