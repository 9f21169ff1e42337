use result_serializers::{BinarySerializer, ErrorKind, Operation, Serializer};
use serde::{Deserialize, Serialize};

use crate::{assert_error, DeserializeAs};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Sample {
    id: u32,
    label: String,
    values: Vec<f64>,
    nested: Option<(i128, char)>,
    state: State,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum State {
    Idle,
    Running { pid: u32 },
    Failed(String),
}

fn sample() -> Sample {
    Sample {
        id: 42,
        label: "größe".into(),
        values: vec![0.5, -0.0, f64::MAX, f64::INFINITY],
        nested: Some((i128::MIN, '\u{10FFFF}')),
        state: State::Running { pid: 7 },
    }
}

#[test]
fn output_is_postcard_to_allocvec() {
    let value = sample();
    let bytes = BinarySerializer::new().serialize(&value).unwrap();
    assert_eq!(bytes, postcard::to_allocvec(&value).unwrap());
    let back: Sample = BinarySerializer::new().deserialize(&bytes).unwrap();
    assert_eq!(back, value);
}

#[test]
fn non_finite_floats_round_trip_bit_for_bit() {
    let values = [f64::NAN, f64::NEG_INFINITY, -0.0];
    let bytes = BinarySerializer::new().serialize(&values).unwrap();
    let back: [f64; 3] = BinarySerializer::new().deserialize(&bytes).unwrap();
    for (a, b) in values.iter().zip(back) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
}

#[test]
fn every_enum_shape_round_trips() {
    for state in [
        State::Idle,
        State::Running { pid: 1 },
        State::Failed("x".into()),
    ] {
        let bytes = BinarySerializer::new().serialize(&state).unwrap();
        let back: State = BinarySerializer::new().deserialize(&bytes).unwrap();
        assert_eq!(back, state);
    }
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut bytes = BinarySerializer::new().serialize(&sample()).unwrap();
    bytes.extend_from_slice(&[0, 1, 2]);
    // postcard alone would accept this.
    assert!(postcard::from_bytes::<Sample>(&bytes).is_ok());
    let err = assert_error(
        BinarySerializer::new().deserialize_as::<Sample>(&bytes),
        "binary",
        Operation::Deserialize,
        |kind| matches!(kind, ErrorKind::TrailingBytes { count: 3 }),
    );
    assert_eq!(
        err.to_string(),
        "binary serializer failed to deserialize: 3 unexpected trailing byte(s) after the value"
    );
}

#[test]
fn missing_bytes_are_an_error_at_every_truncation() {
    let bytes = BinarySerializer::new().serialize(&sample()).unwrap();
    for end in 0..bytes.len() {
        assert_error(
            BinarySerializer::new().deserialize_as::<Sample>(&bytes[..end]),
            "binary",
            Operation::Deserialize,
            |kind| matches!(kind, ErrorKind::Postcard(_)),
        );
    }
}

#[test]
fn garbage_and_wrong_types_are_errors() {
    let serializer = BinarySerializer::new();
    // An enum discriminant that does not exist.
    assert_error(
        serializer.deserialize_as::<State>(&[9]),
        "binary",
        Operation::Deserialize,
        |kind| matches!(kind, ErrorKind::Postcard(_)),
    );
    // A string that is not UTF-8.
    assert_error(
        serializer.deserialize_as::<String>(&[2, 0xff, 0xfe]),
        "binary",
        Operation::Deserialize,
        |kind| matches!(kind, ErrorKind::Postcard(_)),
    );
    // A length prefix that claims far more than the input holds.
    assert_error(
        serializer.deserialize_as::<Vec<u64>>(&[0xff, 0xff, 0xff, 0xff, 0x0f, 1]),
        "binary",
        Operation::Deserialize,
        |kind| matches!(kind, ErrorKind::Postcard(_)),
    );
    // A bool that is neither 0 nor 1.
    assert_error(
        serializer.deserialize_as::<bool>(&[2]),
        "binary",
        Operation::Deserialize,
        |kind| matches!(kind, ErrorKind::Postcard(_)),
    );
}
