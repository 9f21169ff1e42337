use result_serializers::{
    BinarySerializer, Codec, CompressedSerializer, Compression, CompressionError, ErrorKind,
    JsonSerializer, Operation, ResultSerializer, Serializer, DEFAULT_MAX_DECOMPRESSED,
};
use serde::{Deserialize, Serialize};

use crate::{assert_error, python, DeserializeAs};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Batch {
    ids: Vec<u64>,
    label: String,
}

fn batch() -> Batch {
    Batch {
        ids: (0..2_000).collect(),
        label: "ünïcode ✓".repeat(20),
    }
}

#[test]
fn every_codec_round_trips_at_every_level_it_takes() {
    for &codec in Codec::ALL {
        let mut compressions = vec![Compression::new(codec)];
        if let Some((low, high)) = codec.levels() {
            compressions
                .extend([low, high].map(|level| Compression::with_level(codec, level).unwrap()));
        }
        for compression in compressions {
            let serializer = CompressedSerializer::new(JsonSerializer::new(), compression);
            let bytes = serializer.serialize(&batch()).unwrap();
            if compression.level() > 0 || codec == Codec::Lz4 {
                assert!(
                    bytes.len() < serde_json::to_vec(&batch()).unwrap().len(),
                    "{compression:?}"
                );
            }
            let back: Batch = serializer.deserialize(&bytes).unwrap();
            assert_eq!(back, batch(), "{compression:?}");
            let streamed: Batch = serializer.deserialize_from(&bytes[..]).unwrap();
            assert_eq!(streamed, batch());
            let mut out = Vec::new();
            serializer.serialize_into(&batch(), &mut out).unwrap();
            assert_eq!(out, bytes, "{compression:?}: streamed output differs");
        }
    }
}

#[test]
fn python_reads_the_gzip_zlib_bz2_and_xz_we_write() {
    let json = JsonSerializer::python();
    for (codec, module) in [
        (Codec::Gzip, "gzip"),
        (Codec::Zlib, "zlib"),
        (Codec::Bz2, "bz2"),
        (Codec::Xz, "lzma"),
    ] {
        let bytes = CompressedSerializer::new(json, Compression::new(codec))
            .serialize(&batch())
            .unwrap();
        let decompressed = python::run(
            &format!("import sys, {module}; sys.stdout.buffer.write({module}.decompress(sys.stdin.buffer.read()))"),
            &bytes,
        );
        assert_eq!(decompressed, json.serialize(&batch()).unwrap(), "{module}");
    }
}

#[test]
fn a_decompression_bomb_is_an_error_within_the_bound() {
    // 16 MiB of zeros compress to a few kilobytes.
    let zeros = vec![0u8; 16 << 20];
    for &codec in Codec::ALL {
        let bomb = CompressedSerializer::new(BinarySerializer::new(), Compression::new(codec))
            .serialize(&serde_bytes::ByteBuf::from(zeros.clone()))
            .unwrap();
        assert!(bomb.len() < 1 << 20, "{codec}: {} bytes", bomb.len());
        let bounded = CompressedSerializer::new(BinarySerializer::new(), Compression::new(codec))
            .with_max_decompressed_size(1 << 20);
        let err = assert_error(
            bounded.deserialize_as::<serde_bytes::ByteBuf>(&bomb),
            codec.name(),
            Operation::Deserialize,
            |kind| matches!(kind, ErrorKind::DecompressedTooLarge { limit: 1_048_576 }),
        );
        assert!(
            err.to_string()
                .contains("decompresses to more than 1048576 bytes"),
            "{err}"
        );
    }
    let default = CompressedSerializer::new(JsonSerializer::new(), Compression::new(Codec::Gzip));
    assert_eq!(default.max_decompressed_size(), DEFAULT_MAX_DECOMPRESSED);
}

#[test]
fn corrupt_and_truncated_input_is_an_error() {
    for &codec in Codec::ALL {
        let serializer = CompressedSerializer::new(JsonSerializer::new(), Compression::new(codec));
        let bytes = serializer.serialize(&batch()).unwrap();
        for input in [
            &b""[..],
            &bytes[..bytes.len() / 2],
            b"not compressed at all",
        ] {
            let err = serializer.deserialize_as::<Batch>(input).unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::Decompress(_) | ErrorKind::Json(_)),
                "{codec}: {err:?}"
            );
        }
    }
}

#[test]
fn names_and_levels_are_checked() {
    assert_eq!("lzma".parse::<Codec>().unwrap(), Codec::Xz);
    assert_eq!("bzip2".parse::<Codec>().unwrap(), Codec::Bz2);
    assert_eq!(
        "brotli".parse::<Codec>().unwrap_err().to_string(),
        "unknown compression `brotli`; expected one of: gzip, zlib, bz2, xz (or lzma), zstd, lz4"
    );
    assert_eq!(
        Compression::with_level(Codec::Zstd, 23).unwrap_err(),
        CompressionError::InvalidLevel {
            codec: Codec::Zstd,
            level: 23
        }
    );
    assert_eq!(
        Compression::with_level(Codec::Bz2, 0)
            .unwrap_err()
            .to_string(),
        "bz2 takes levels 1 to 9, not 0"
    );
    assert_eq!(
        Compression::with_level(Codec::Lz4, 1)
            .unwrap_err()
            .to_string(),
        "lz4 takes no level, not 1"
    );
    assert_eq!(Compression::new(Codec::Gzip).level(), 9);
    assert_eq!(Compression::new(Codec::Zlib).level(), 6);
}

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json, compress = "gzip")]
struct Gzipped(Vec<u32>);

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(
    binary,
    compress(codec = "zstd", level = 19, max_decompressed_size = 4096)
)]
struct Zstandard(Vec<u32>);

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(python), compress(codec = "lzma"))]
struct PythonXz(Vec<f64>);

#[test]
fn the_attribute_builds_the_compressed_serializer() {
    assert_eq!(
        Gzipped::serializer(),
        CompressedSerializer::new(JsonSerializer::new(), Compression::new(Codec::Gzip))
    );
    assert_eq!(
        Zstandard::serializer(),
        CompressedSerializer::new(
            BinarySerializer::new(),
            Compression::with_level(Codec::Zstd, 19).unwrap()
        )
        .with_max_decompressed_size(4096)
    );
    let value = PythonXz(vec![f64::NAN, 1e16]);
    let bytes = value.to_result_bytes().unwrap();
    let text = python::run(
        "import sys, lzma; sys.stdout.buffer.write(lzma.decompress(sys.stdin.buffer.read()))",
        &bytes,
    );
    assert_eq!(text, b"[NaN, 1e+16]");
    let back = PythonXz::from_result_bytes(&bytes).unwrap();
    assert!(back.0[0].is_nan() && back.0[1] == 1e16);
    let big = Zstandard((0..10_000).collect());
    let err = Zstandard::from_result_bytes(&big.to_result_bytes().unwrap()).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::DecompressedTooLarge { limit: 4096 }
    ));
}
