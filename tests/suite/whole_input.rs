//! Every reader consumes its whole input: an output with bytes before or after it, or a second
//! output appended, reads as its format defines or is refused; never as the first value alone
//! with the rest dropped. The expected outcome of each case is the table in the README's
//! "Guarantees" (and in `serializer_core`'s docs).

use std::fmt::Debug;

use proptest::prelude::*;
use result_serializers::{
    BinarySerializer, Codec, CompressedSerializer, Compression, DateTimeSerializer, ErrorKind,
    JsonSerializer, PickleSerializer, Serializer,
};

use crate::Passthrough;

/// What surrounds a valid output `a` (`b` is a second valid output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Around {
    LeadingJunk,
    LeadingZeros,
    TrailingJunk,
    TrailingZeros,
    SecondOutput,
}

const AROUND: [Around; 5] = [
    Around::LeadingJunk,
    Around::LeadingZeros,
    Around::TrailingJunk,
    Around::TrailingZeros,
    Around::SecondOutput,
];

impl Around {
    fn apply(self, a: &[u8], b: &[u8], junk: &[u8], zeros: usize) -> Vec<u8> {
        let zeros = vec![0u8; zeros];
        match self {
            Around::LeadingJunk => [junk, a].concat(),
            Around::LeadingZeros => [&zeros, a].concat(),
            Around::TrailingJunk => [a, junk].concat(),
            Around::TrailingZeros => [a, &zeros].concat(),
            Around::SecondOutput => [a, b].concat(),
        }
    }
}

/// What reading gives: an error, or a value.
#[derive(Debug, PartialEq)]
enum Outcome<T> {
    Refused,
    Reads(T),
}

/// Reads every case around `a` and `b` and checks each against `expected`.
fn check<T, S>(
    name: &str,
    serializer: &S,
    (a, b): (&T, &T),
    (junk, zeros): (&[u8], usize),
    expected: impl Fn(Around) -> Outcome<T>,
) where
    T: Debug + PartialEq,
    S: Serializer<T>,
{
    let a_bytes = serializer.serialize(a).unwrap();
    let b_bytes = serializer.serialize(b).unwrap();
    for around in AROUND {
        let input = around.apply(&a_bytes, &b_bytes, junk, zeros);
        let outcome = match serializer.deserialize(&input) {
            Ok(value) => Outcome::Reads(value),
            Err(_) => Outcome::Refused,
        };
        assert_eq!(outcome, expected(around), "{name}, {around:?}");
        // Streaming reads the same.
        let streamed = match serializer.deserialize_from(&input[..]) {
            Ok(value) => Outcome::Reads(value),
            Err(_) => Outcome::Refused,
        };
        assert_eq!(streamed, expected(around), "{name}, {around:?}, streamed");
    }
}

fn refused<T>(_: Around) -> Outcome<T> {
    Outcome::Refused
}

/// The table for `CompressedSerializer` around a serializer that refuses every case itself:
/// each codec refuses bytes around its streams, but xz's format allows stream padding (zero
/// bytes in fours) after a stream.
fn compressed_outcome<T>(codec: Codec, around: Around, zeros: usize, a: T) -> Outcome<T> {
    match (codec, around) {
        (Codec::Xz, Around::TrailingZeros) if zeros.is_multiple_of(4) => Outcome::Reads(a),
        _ => Outcome::Refused,
    }
}

const JUNK: &[u8] = b"junkjunk";

#[test]
fn every_serializer_refuses_bytes_around_its_value() {
    let (a, b) = (vec![1, 2], vec![3]);
    let cases = (JUNK, 8);
    check("json", &JsonSerializer::new(), (&a, &b), cases, refused);
    check(
        "json-pretty",
        &JsonSerializer::pretty(),
        (&a, &b),
        cases,
        refused,
    );
    check(
        "json-python",
        &JsonSerializer::python(),
        (&a, &b),
        cases,
        refused,
    );
    check("binary", &BinarySerializer::new(), (&a, &b), cases, refused);
    check("pickle", &PickleSerializer::new(), (&a, &b), cases, refused);
    let at = chrono::DateTime::parse_from_rfc3339("2024-02-29T23:59:59+05:30").unwrap();
    let later = at + chrono::Duration::hours(1);
    check(
        "datetime",
        &DateTimeSerializer::new(),
        (&at, &later),
        cases,
        refused,
    );
}

#[test]
fn every_codec_reads_its_whole_input_or_refuses_it() {
    let (a, b) = (vec![1, 2], vec![3]);
    for &codec in Codec::ALL {
        let serializer = CompressedSerializer::new(JsonSerializer::new(), Compression::new(codec));
        check(codec.name(), &serializer, (&a, &b), (JUNK, 8), |around| {
            compressed_outcome(codec, around, 8, a.clone())
        });
    }
}

/// The cases of the table that read as the format defines: the codecs that decode every
/// stream hand the inner serializer both outputs, which it refuses.
#[test]
fn concatenated_streams_are_all_decoded() {
    let json = JsonSerializer::new();
    let (a, b) = (
        json.serialize(&vec![1, 2]).unwrap(),
        json.serialize(&vec![3]).unwrap(),
    );
    for &codec in Codec::ALL {
        let raw = CompressedSerializer::new(Passthrough, Compression::new(codec));
        let both = [raw.serialize(&a).unwrap(), raw.serialize(&b).unwrap()].concat();
        let decoded: Vec<u8> = raw.deserialize(&both).unwrap_or_default();
        match codec {
            // zlib defines one stream and nothing after it.
            Codec::Zlib => assert!(raw.deserialize(&both).is_err()),
            _ => assert_eq!(decoded, b"[1,2][3]", "{codec}"),
        }
    }
}

#[test]
fn regression_zlib_and_lz4_no_longer_drop_what_follows_the_first_stream() {
    let (a, b) = (vec![1, 2], vec![3]);
    for codec in [Codec::Zlib, Codec::Lz4] {
        let serializer = CompressedSerializer::new(JsonSerializer::new(), Compression::new(codec));
        let a_bytes = serializer.serialize(&a).unwrap();
        let b_bytes = serializer.serialize(&b).unwrap();
        for tail in [&b_bytes[..], b"junkjunk", &[0; 8]] {
            let input = [&a_bytes[..], tail].concat();
            let read: Result<Vec<i32>, _> = serializer.deserialize(&input);
            assert!(read.is_err(), "{codec}: {read:?}");
        }
        // Junk after the stream names its offset.
        let input = [&a_bytes[..], b"junkjunk"].concat();
        let err = Serializer::<Vec<i32>>::deserialize(&serializer, &input).unwrap_err();
        assert_eq!(err.serializer(), codec.name());
        assert!(
            matches!(err.kind(), ErrorKind::TrailingInput { offset } if *offset == a_bytes.len() as u64),
            "{err:?}"
        );
    }
    // LZ4: a frame cut at a block boundary is an error, not the blocks before the cut.
    let lz4 = CompressedSerializer::new(Passthrough, Compression::new(Codec::Lz4));
    let whole = lz4.serialize(&vec![7u8; 200_000]).unwrap();
    let cut = &whole[..whole.len() - 4];
    assert!(lz4.deserialize(cut).is_err());
    // A skippable frame is passed over, as the format defines.
    let mut skippable = vec![0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
    skippable.extend_from_slice(&whole);
    assert_eq!(lz4.deserialize(&skippable).unwrap(), vec![7u8; 200_000]);
}

#[test]
fn the_decompression_bound_applies_to_all_frames_together() {
    let raw = CompressedSerializer::new(Passthrough, Compression::new(Codec::Lz4));
    let frame = raw.serialize(&vec![1u8; 1_000]).unwrap();
    let three = [&frame[..], &frame, &frame].concat();
    assert_eq!(raw.deserialize(&three).unwrap().len(), 3_000);
    let bounded = raw.with_max_decompressed_size(2_500);
    let err = bounded.deserialize(&three).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::DecompressedTooLarge { limit: 2_500 }),
        "{err:?}"
    );
}

/// Junk that no format takes for one of its own streams: lowercase letters only.
fn junk() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(b'a'..=b'z', 1..24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn no_serializer_reads_the_first_value_alone(
        a in proptest::collection::vec(any::<i32>(), 0..8),
        b in proptest::collection::vec(any::<i32>(), 0..8),
        junk in junk(),
        zeros in 1usize..16,
    ) {
        let cases = (&junk[..], zeros);
        check("json", &JsonSerializer::new(), (&a, &b), cases, refused);
        check("json-python", &JsonSerializer::python(), (&a, &b), cases, refused);
        check("binary", &BinarySerializer::new(), (&a, &b), cases, refused);
        check("pickle", &PickleSerializer::new(), (&a, &b), cases, refused);
    }

    #[test]
    fn no_codec_reads_the_first_value_alone(
        a in proptest::collection::vec(any::<i32>(), 0..8),
        b in proptest::collection::vec(any::<i32>(), 0..8),
        junk in junk(),
        zeros in 1usize..16,
    ) {
        for &codec in Codec::ALL {
            let compression = Compression::new(codec);
            let outcome = |around| compressed_outcome(codec, around, zeros, a.clone());
            let cases = (&junk[..], zeros);
            check(codec.name(), &CompressedSerializer::new(JsonSerializer::new(), compression), (&a, &b), cases, outcome);
            check(codec.name(), &CompressedSerializer::new(JsonSerializer::python(), compression), (&a, &b), cases, outcome);
            check(codec.name(), &CompressedSerializer::new(BinarySerializer::new(), compression), (&a, &b), cases, outcome);
            check(codec.name(), &CompressedSerializer::new(PickleSerializer::new(), compression), (&a, &b), cases, outcome);
        }
    }
}

#[cfg(feature = "dataframe")]
mod frames {
    use result_serializers::dataframe::{
        DataFrameSerializer, FileType, IpcCompression, IpcOptions, ParquetCompression,
        ParquetOptions,
    };
    use result_serializers::polars::prelude::*;
    use result_serializers::Serializer;

    use super::{Around, AROUND, JUNK};

    /// What a DataFrame reader makes of a case: refused, or a frame, which must not be the
    /// first one alone.
    #[derive(Debug, PartialEq)]
    enum Read {
        Refused,
        /// Both frames' rows, in order: what newline-delimited JSON defines for two outputs.
        BothRows,
        /// Another frame than the first: CSV has no start or end mark, so bytes around it are
        /// more text of the table (leading bytes join the first column's name, trailing ones
        /// make a row, a second output's header becomes a row).
        OtherText,
    }

    fn outcome(file_type: FileType, around: Around) -> Read {
        match (file_type, around) {
            (FileType::NdJson, Around::SecondOutput) => Read::BothRows,
            (FileType::Csv, _) => Read::OtherText,
            _ => Read::Refused,
        }
    }

    fn frame(values: &[i64]) -> DataFrame {
        df!("n" => values, "s" => values.iter().map(|v| format!("v{v}")).collect::<Vec<_>>())
            .unwrap()
    }

    #[test]
    fn every_file_type_reads_its_whole_input_or_refuses_it() {
        let (a, b) = (frame(&[1, 2]), frame(&[3]));
        let both = frame(&[1, 2, 3]);
        let mut serializers: Vec<DataFrameSerializer> = FileType::ALL
            .into_iter()
            .map(DataFrameSerializer::new)
            .collect();
        serializers.extend([
            DataFrameSerializer::ipc(IpcOptions::new().with_compression(IpcCompression::Lz4)),
            DataFrameSerializer::parquet(
                ParquetOptions::new().with_compression(ParquetCompression::Uncompressed),
            ),
        ]);
        let mut wrong = Vec::new();
        for serializer in serializers {
            let file_type = serializer.file_type();
            let a_bytes = serializer.serialize(&a).unwrap();
            let b_bytes = serializer.serialize(&b).unwrap();
            for around in AROUND {
                let input = around.apply(&a_bytes, &b_bytes, JUNK, 8);
                let read: Result<DataFrame, _> = serializer.deserialize(&input);
                let seen = match read {
                    Err(_) => Read::Refused,
                    Ok(frame) if frame.equals_missing(&a) => {
                        panic!("{file_type} {around:?}: the first frame alone")
                    }
                    Ok(frame) if frame.equals_missing(&both) => Read::BothRows,
                    Ok(_) => Read::OtherText,
                };
                if seen != outcome(file_type, around) {
                    wrong.push(format!("{file_type} ({serializer:?}) {around:?}: {seen:?}"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
