//! Hostile inputs that claim more than they hold: each must be the expected `Error`, within a
//! fixed memory bound. Every case runs in a child process (this binary again) whose address
//! space is capped (1 GiB unless the case says otherwise), so that an allocation past the bound
//! ends the child and fails the case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;

use result_serializers::{
    BinarySerializer, Codec, CompressedSerializer, Compression, ErrorKind, JsonSerializer,
    PickleSerializer, Serializer,
};

const CHILD: &str = "RESULT_SERIALIZERS_LIMITS_CASE";

/// A pickle of a list nested `depth` deep (protocol 2: `]` pushes a list, `a` appends).
fn nested_pickle(depth: usize) -> Vec<u8> {
    let mut pickle = vec![0x80, 2];
    pickle.extend(std::iter::repeat_n(b']', depth));
    pickle.extend(std::iter::repeat_n(b'a', depth - 1));
    pickle.push(b'.');
    pickle
}

/// A pickle whose memo doubles a list 64 times: 2^64 elements once expanded, 400 bytes here.
fn memo_bomb() -> Vec<u8> {
    let mut pickle = vec![0x80, 2, b']', b'K', 1, b'a', b'q', 0]; // memo[0] = [1]
    for level in 1..=64u8 {
        // [memo[level-1], memo[level-1]] -> memo[level]
        pickle.extend_from_slice(&[b'h', level - 1, b'h', level - 1, 0x86, b'q', level]);
    }
    pickle.push(b'.');
    pickle
}

/// A hostile input: its name, the address-space cap in MiB, the read, and the error it must give.
struct Case {
    name: &'static str,
    memory_mib: u32,
    run: fn() -> Result<(), result_serializers::Error>,
    expect: fn(&ErrorKind) -> bool,
}

const fn case(
    name: &'static str,
    run: fn() -> Result<(), result_serializers::Error>,
    expect: fn(&ErrorKind) -> bool,
) -> Case {
    Case {
        name,
        memory_mib: 1024,
        run,
        expect,
    }
}

fn limit(kind: &ErrorKind) -> bool {
    matches!(kind, ErrorKind::LimitExceeded { .. })
}

fn too_large(kind: &ErrorKind) -> bool {
    matches!(kind, ErrorKind::DecompressedTooLarge { .. })
}

fn cases() -> Vec<Case> {
    let mut cases = vec![
        case(
            "pickle nested 1,000,000 deep",
            || {
                PickleSerializer::new()
                    .deserialize_value(&nested_pickle(1_000_000))
                    .map(drop)
            },
            limit,
        ),
        case(
            "pickle nested 1,000,000 deep, typed",
            || {
                Serializer::<Vec<u8>>::deserialize(
                    &PickleSerializer::new(),
                    &nested_pickle(1_000_000),
                )
                .map(drop)
            },
            limit,
        ),
        case(
            "pickle nested 100 deep, under a depth limit of 50",
            || {
                PickleSerializer::new()
                    .with_max_depth(50)
                    .deserialize_value(&nested_pickle(100))
                    .map(drop)
            },
            limit,
        ),
        case(
            "pickle memo bomb of 2^64 elements",
            || {
                PickleSerializer::new()
                    .deserialize_value(&memo_bomb())
                    .map(drop)
            },
            limit,
        ),
        case(
            "pickle string claiming 2^62 bytes",
            || {
                let mut pickle = vec![0x80, 4, 0x8d];
                pickle.extend_from_slice(&(1u64 << 62).to_le_bytes());
                pickle.extend_from_slice(b"abc.");
                PickleSerializer::new().deserialize_value(&pickle).map(drop)
            },
            |kind| matches!(kind, ErrorKind::Pickle(_)),
        ),
        case(
            "postcard sequence claiming 2^63 items",
            || {
                let input = [
                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 7,
                ];
                Serializer::<Vec<u64>>::deserialize(&BinarySerializer::new(), &input).map(drop)
            },
            |kind| matches!(kind, ErrorKind::Postcard(_)),
        ),
        case(
            "postcard string claiming 2^40 bytes",
            || {
                let input = [0x80, 0x80, 0x80, 0x80, 0x80, 0x20, b'x'];
                Serializer::<String>::deserialize(&BinarySerializer::new(), &input).map(drop)
            },
            |kind| matches!(kind, ErrorKind::Postcard(_)),
        ),
        case(
            "json nested 1,000,000 deep",
            || {
                let input = "[".repeat(1_000_000);
                Serializer::<serde_json::Value>::deserialize(
                    &JsonSerializer::new(),
                    input.as_bytes(),
                )
                .map(drop)
            },
            |kind| matches!(kind, ErrorKind::Json(_)),
        ),
        case(
            "python json nested 1,000,000 deep",
            || {
                let input = "[".repeat(1_000_000);
                Serializer::<serde_json::Value>::deserialize(
                    &JsonSerializer::python(),
                    input.as_bytes(),
                )
                .map(drop)
            },
            |kind| matches!(kind, ErrorKind::Malformed { .. }),
        ),
        Case {
            memory_mib: 1536,
            ..case(
                "zstd bomb of 4 GiB, default bound of 1 GiB",
                || bomb(Codec::Zstd, 4096, None),
                too_large,
            )
        },
    ];
    for &codec in Codec::ALL {
        cases.push(case(
            match codec {
                Codec::Gzip => "gzip bomb of 256 MiB, bound of 64 MiB",
                Codec::Zlib => "zlib bomb of 256 MiB, bound of 64 MiB",
                Codec::Bz2 => "bz2 bomb of 256 MiB, bound of 64 MiB",
                Codec::Xz => "xz bomb of 256 MiB, bound of 64 MiB",
                Codec::Zstd => "zstd bomb of 256 MiB, bound of 64 MiB",
                Codec::Lz4 => "lz4 bomb of 256 MiB, bound of 64 MiB",
            },
            match codec {
                Codec::Gzip => || bomb(Codec::Gzip, 256, Some(64 << 20)),
                Codec::Zlib => || bomb(Codec::Zlib, 256, Some(64 << 20)),
                Codec::Bz2 => || bomb(Codec::Bz2, 256, Some(64 << 20)),
                Codec::Xz => || bomb(Codec::Xz, 256, Some(64 << 20)),
                Codec::Zstd => || bomb(Codec::Zstd, 256, Some(64 << 20)),
                Codec::Lz4 => || bomb(Codec::Lz4, 256, Some(64 << 20)),
            },
            too_large,
        ));
    }
    #[cfg(feature = "dataframe")]
    cases.extend(dataframe_cases());
    cases
}

/// Compresses `mib` MiB of zeros in a stream, never holding them, then reads it back under
/// `bound` (the default bound when `None`).
fn bomb(codec: Codec, mib: usize, bound: Option<u64>) -> Result<(), result_serializers::Error> {
    struct Zeros(usize);
    impl Serializer<()> for Zeros {
        fn serialize(&self, value: &()) -> Result<Vec<u8>, result_serializers::Error> {
            let mut out = Vec::new();
            self.serialize_into(value, &mut out)?;
            Ok(out)
        }
        fn deserialize(&self, bytes: &[u8]) -> Result<(), result_serializers::Error> {
            panic!("the bound let {} bytes through", bytes.len())
        }
        fn serialize_into<W: std::io::Write>(
            &self,
            _: &(),
            mut writer: W,
        ) -> Result<(), result_serializers::Error> {
            let block = vec![0u8; 1 << 20];
            for _ in 0..self.0 {
                writer.write_all(&block).unwrap();
            }
            Ok(())
        }
    }
    let mut serializer = CompressedSerializer::new(Zeros(mib), Compression::new(codec));
    if let Some(bound) = bound {
        serializer = serializer.with_max_decompressed_size(bound);
    }
    let mut compressed = Vec::new();
    serializer.serialize_into(&(), &mut compressed).unwrap();
    serializer.deserialize(&compressed)
}

#[cfg(feature = "dataframe")]
fn dataframe_cases() -> Vec<Case> {
    use result_serializers::dataframe::{DataFrameSerializer, FileType};
    use result_serializers::polars::prelude::{df, DataFrame};

    fn file(file_type: FileType) -> Vec<u8> {
        let frame = df!("a" => (0..1000i64).collect::<Vec<_>>()).unwrap();
        DataFrameSerializer::new(file_type)
            .serialize(&frame)
            .unwrap()
    }
    fn read(file_type: FileType, bytes: &[u8]) -> Result<(), result_serializers::Error> {
        Serializer::<DataFrame>::deserialize(&DataFrameSerializer::new(file_type), bytes).map(drop)
    }
    fn parquet(kind: &ErrorKind) -> bool {
        matches!(kind, ErrorKind::Polars(_) | ErrorKind::Malformed { .. })
    }
    fn malformed(kind: &ErrorKind) -> bool {
        matches!(kind, ErrorKind::Malformed { .. })
    }
    vec![
        case(
            "parquet footer claiming 2 GiB",
            || {
                let mut bytes = file(FileType::Parquet);
                let at = bytes.len() - 8;
                bytes[at..at + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
                read(FileType::Parquet, &bytes)
            },
            parquet,
        ),
        case(
            "parquet of garbage claiming 4 GiB",
            || {
                let mut bytes = vec![b'P', b'A', b'R', b'1'];
                bytes.extend_from_slice(&[0xff; 64]);
                bytes.extend_from_slice(&u32::MAX.to_le_bytes());
                bytes.extend_from_slice(b"PAR1");
                read(FileType::Parquet, &bytes)
            },
            parquet,
        ),
        case(
            "ipc footer claiming 2 GiB",
            || {
                let mut bytes = file(FileType::Ipc);
                let at = bytes.len() - 10;
                bytes[at..at + 4].copy_from_slice(&0x7fff_fff0i32.to_le_bytes());
                read(FileType::Ipc, &bytes)
            },
            malformed,
        ),
        case(
            "avro block claiming 2^62 rows",
            || {
                let mut bytes = file(FileType::Avro);
                // The first block count follows the header's 16-byte sync marker; 1000 rows
                // take two bytes as a zigzag varint.
                let sync = bytes.len() - 16;
                let marker = bytes[sync..].to_vec();
                let start = bytes
                    .windows(16)
                    .position(|w| w == marker.as_slice())
                    .unwrap()
                    + 16;
                let mut huge = vec![0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
                huge.extend_from_slice(&bytes[start + 2..]);
                bytes.truncate(start);
                bytes.extend_from_slice(&huge);
                read(FileType::Avro, &bytes)
            },
            malformed,
        ),
    ]
}

fn main() {
    if let Ok(index) = std::env::var(CHILD) {
        let case = &cases()[index.parse::<usize>().unwrap()];
        match (case.run)() {
            Ok(()) => panic!("{}: read as a value", case.name),
            Err(err) => {
                assert!(
                    (case.expect)(err.kind()),
                    "{}: unexpected error: {err}",
                    case.name
                );
                println!("{err}");
            }
        }
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let (mut passed, mut failed) = (0, 0);
    for (index, case) in cases().iter().enumerate() {
        let output = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v {} && exec \"$0\"",
                u64::from(case.memory_mib) << 10
            ))
            .arg(&exe)
            .env(CHILD, index.to_string())
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stdout);
        if output.status.success() {
            passed += 1;
            println!(
                "ok    {} (under {} MiB): {}",
                case.name,
                case.memory_mib,
                said.trim()
            );
        } else {
            failed += 1;
            println!(
                "FAIL  {} (under {} MiB): {:?}\n{}",
                case.name,
                case.memory_mib,
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
