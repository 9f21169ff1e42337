use std::io::{self, Read, Write};

use chrono::{TimeZone, Utc};
use result_serializers::{
    BinarySerializer, DateTimeSerializer, Error, ErrorKind, JsonSerializer, Operation, Serializer,
};

use crate::{assert_error, DeserializeAs};

/// Accepts `room` bytes, then fails.
struct FullDisk {
    room: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.room == 0 {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Yields `data`, then fails.
struct BrokenRead<'a> {
    data: &'a [u8],
}

impl Read for BrokenRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset",
            ));
        }
        let n = self.data.read(buf)?;
        Ok(n)
    }
}

fn is_io(kind: &ErrorKind) -> bool {
    matches!(kind, ErrorKind::Io(_))
}

#[test]
fn streamed_output_equals_in_memory_output() {
    let value: Vec<(String, Option<f32>)> =
        (0..500).map(|i| (i.to_string(), Some(i as f32))).collect();
    for serializer in [JsonSerializer::new(), JsonSerializer::pretty()] {
        let mut out = Vec::new();
        serializer.serialize_into(&value, &mut out).unwrap();
        assert_eq!(out, serializer.serialize(&value).unwrap());
        let back: Vec<(String, Option<f32>)> = serializer.deserialize_from(&out[..]).unwrap();
        assert_eq!(back, value);
    }
    let mut out = Vec::new();
    BinarySerializer::new()
        .serialize_into(&value, &mut out)
        .unwrap();
    assert_eq!(out, BinarySerializer::new().serialize(&value).unwrap());
    let back: Vec<(String, Option<f32>)> =
        BinarySerializer::new().deserialize_from(&out[..]).unwrap();
    assert_eq!(back, value);

    let at = Utc.with_ymd_and_hms(2021, 1, 2, 3, 4, 5).unwrap();
    let mut out = Vec::new();
    DateTimeSerializer::new()
        .serialize_into(&at, &mut out)
        .unwrap();
    assert_eq!(out, b"2021-01-02T03:04:05Z");
    let back: chrono::DateTime<Utc> = DateTimeSerializer::new()
        .deserialize_from(&out[..])
        .unwrap();
    assert_eq!(back, at);
}

#[test]
fn a_failing_writer_is_an_io_error_holding_its_cause() {
    let value = vec!["x".repeat(100); 10];
    for room in [0, 1, 50] {
        let err = assert_error(
            JsonSerializer::new().serialize_into(&value, FullDisk { room }),
            "json",
            Operation::Serialize,
            is_io,
        );
        assert!(err.to_string().ends_with("I/O error: disk full"), "{err}");
        let err = assert_error(
            BinarySerializer::new().serialize_into(&value, FullDisk { room }),
            "binary",
            Operation::Serialize,
            is_io,
        );
        match err.kind() {
            ErrorKind::Io(io) => assert_eq!(io.to_string(), "disk full"),
            other => panic!("not an I/O error: {other:?}"),
        }
    }
    let at = Utc.with_ymd_and_hms(2021, 1, 2, 3, 4, 5).unwrap();
    assert_error(
        DateTimeSerializer::new().serialize_into(&at, FullDisk { room: 3 }),
        "datetime",
        Operation::Serialize,
        is_io,
    );
}

#[test]
fn a_failing_reader_is_an_io_error() {
    let err = assert_error(
        JsonSerializer::new().deserialize_from_as::<Vec<u8>>(BrokenRead { data: b"[1," }),
        "json",
        Operation::Deserialize,
        is_io,
    );
    assert!(err.to_string().contains("connection reset"), "{err}");
    assert_error(
        BinarySerializer::new().deserialize_from_as::<Vec<u8>>(BrokenRead { data: b"\x01" }),
        "binary",
        Operation::Deserialize,
        is_io,
    );
    assert_error(
        DateTimeSerializer::new()
            .deserialize_from_as::<chrono::NaiveDateTime>(BrokenRead { data: b"2020" }),
        "datetime",
        Operation::Deserialize,
        is_io,
    );
}

#[test]
fn streamed_input_with_trailing_bytes_is_refused() {
    let result = JsonSerializer::new().deserialize_from_as::<Vec<u8>>(&b"[1] [2]"[..]);
    assert!(result.is_err());
    let result = BinarySerializer::new().deserialize_from_as::<u8>(&b"\x01\x02"[..]);
    assert!(matches!(
        result.unwrap_err().kind(),
        ErrorKind::TrailingBytes { count: 1 }
    ));
}

/// A serializer that implements only the two required methods, like a Prefect subclass.
struct Reverse;

impl Serializer<Vec<u8>> for Reverse {
    fn serialize(&self, value: &Vec<u8>) -> Result<Vec<u8>, Error> {
        Ok(value.iter().rev().copied().collect())
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(bytes.iter().rev().copied().collect())
    }
}

#[test]
fn default_streaming_methods_build_on_the_two_required_ones() {
    let mut out = Vec::new();
    Reverse.serialize_into(&vec![1, 2, 3], &mut out).unwrap();
    assert_eq!(out, [3, 2, 1]);
    assert_eq!(Reverse.deserialize_from(&out[..]).unwrap(), [1, 2, 3]);
    let err = Reverse
        .serialize_into(&vec![1], FullDisk { room: 0 })
        .unwrap_err();
    // Without a `name`, errors carry the serializer's type name.
    assert!(
        err.serializer().ends_with("Reverse"),
        "{}",
        err.serializer()
    );
    assert!(is_io(err.kind()));
    let err = Reverse
        .deserialize_from(BrokenRead { data: b"" })
        .unwrap_err();
    assert_eq!(err.operation(), Operation::Deserialize);
}
