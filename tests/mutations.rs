//! Mutation harness for every serializer, file type and codec: valid outputs and the Prefect
//! vectors, truncated, bit-flipped, spliced, repeated, replaced by random bytes, with junk or
//! zeros appended or prepended, and followed by a second output, must each read as a value or
//! an `Error`: no panic, no abort, no hang.
//!
//! Decoding runs in a child process (this binary again), so that a panic or an abort is
//! observed instead of ending the run; the child's address space is capped at 8 GiB, so that
//! an allocation of a size read from corrupt bytes fails (and aborts) instead of swapping. The
//! child names each input before decoding it, and the parent restarts it after the input that
//! killed it.
//!
//! `cargo test --all-features --test mutations` runs 5,000 inputs per target (each serializer,
//! each codec, each DataFrame file type, each file type read as typed rows, and Prefect 3's
//! records, metadata and pickles of its classes); `MUTATIONS=n` (per target), `MUTATION_SEED=n` and
//! `MUTATION_TARGETS=json,pickle,...` change the run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../benches/common/workloads.rs"]
#[allow(dead_code, unreachable_pub)]
mod workloads;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use result_serializers::{
    BinarySerializer, Codec, CompressedSerializer, Compression, DateTimeSerializer, Error,
    ErrorKind, JsonSerializer, PickleSerializer, Serializer,
};
use serde::{Deserialize, Serialize};
use workloads::{records, Record};

const CHILD: &str = "RESULT_SERIALIZERS_MUTATION_CHILD";
/// How long one input may take before the child is taken to hang.
const PER_INPUT: Duration = Duration::from_secs(20);

/// SplitMix64: the same inputs for the same seed on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(workloads::GAMMA);
        workloads::mix64(self.0)
    }

    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mutation {
    Truncated,
    BitFlipped,
    Spliced,
    Repeated,
    Random,
    /// Junk or zeros after the output.
    Appended,
    /// Junk or zeros before the output.
    Prepended,
    /// A second output after the first.
    Concatenated,
}

const MUTATIONS: [Mutation; 8] = [
    Mutation::Truncated,
    Mutation::BitFlipped,
    Mutation::Spliced,
    Mutation::Repeated,
    Mutation::Random,
    Mutation::Appended,
    Mutation::Prepended,
    Mutation::Concatenated,
];

/// Up to 64 random bytes, or as many zeros.
fn junk_or_zeros(rng: &mut Rng) -> Vec<u8> {
    let len = 1 + rng.below(64);
    if rng.below(2) == 0 {
        vec![0; len]
    } else {
        (0..len).map(|_| rng.next() as u8).collect()
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], mutation: Mutation) -> Vec<u8> {
    let seed = &seeds[rng.below(seeds.len())];
    let mut bytes = seed.clone();
    match mutation {
        Mutation::Truncated => bytes.truncate(rng.below(seed.len())),
        Mutation::BitFlipped => {
            for _ in 0..=rng.below(8) {
                let at = rng.below(bytes.len());
                bytes[at] ^= 1 << rng.below(8);
            }
        }
        Mutation::Spliced => {
            let other = &seeds[rng.below(seeds.len())];
            let from = rng.below(other.len());
            let len = rng.below(other.len() - from + 1).min(64);
            let at = rng.below(bytes.len());
            let end = (at + len).min(bytes.len());
            bytes.splice(at..end, other[from..from + len].iter().copied());
        }
        Mutation::Repeated => {
            let from = rng.below(bytes.len());
            let len = rng.below(bytes.len() - from + 1).min(256);
            let chunk: Vec<u8> = bytes[from..from + len].to_vec();
            let at = rng.below(bytes.len() + 1);
            for _ in 0..=rng.below(4) {
                bytes.splice(at..at, chunk.iter().copied());
            }
        }
        Mutation::Random => {
            let len = rng.below(4096);
            bytes = (0..len).map(|_| rng.next() as u8).collect();
        }
        Mutation::Appended => bytes.extend(junk_or_zeros(rng)),
        Mutation::Prepended => {
            bytes.splice(0..0, junk_or_zeros(rng));
        }
        Mutation::Concatenated => bytes.extend_from_slice(&seeds[rng.below(seeds.len())]),
    }
    bytes
}

/// One decoder under test: its name, the valid inputs to mutate, and the read.
struct Target {
    name: String,
    seeds: Box<dyn Fn() -> Vec<Vec<u8>>>,
    decode: Box<Decode>,
}

type Decode = dyn Fn(&[u8]) -> Result<(), Error>;

impl Target {
    fn new(
        name: impl Into<String>,
        seeds: impl Fn() -> Vec<Vec<u8>> + 'static,
        decode: impl Fn(&[u8]) -> Result<(), Error> + 'static,
    ) -> Self {
        Target {
            name: name.into(),
            seeds: Box::new(seeds),
            decode: Box::new(decode),
        }
    }
}

/// A value with every integer width, strings, bytes, options, maps and an enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Unit,
    Ints(i8, i16, i32, i64, i128, u8, u16, u32, u64, u128),
    Text {
        name: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        maybe: Option<f32>,
    },
    Nested(Vec<std::collections::BTreeMap<String, Vec<Option<char>>>>),
}

fn shapes() -> Vec<Shape> {
    vec![
        Shape::Unit,
        Shape::Ints(
            i8::MIN,
            i16::MAX,
            i32::MIN,
            i64::MAX,
            i128::MIN,
            u8::MAX,
            0,
            u32::MAX,
            u64::MAX,
            u128::MAX,
        ),
        Shape::Text {
            name: "naïve 🦀 \u{0}".into(),
            bytes: vec![0, 255, 10],
            maybe: Some(-0.5),
        },
        Shape::Nested(vec![[("k".to_string(), vec![Some('é'), None])]
            .into_iter()
            .collect()]),
    ]
}

/// The files of a Prefect vector folder whose names end with `suffix`, in name order.
fn vectors(folder: &str, suffix: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/prefect-vectors")
        .join(folder);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .collect();
    names.sort();
    names
        .iter()
        .map(|path| std::fs::read(path).unwrap())
        .collect()
}

/// Reads `bytes` as each type in turn: a value if any of them reads it, else the last error.
macro_rules! read_as {
    ($serializer:expr, $bytes:expr, $($ty:ty),+) => {{
        let serializer = $serializer;
        let outcomes = [$(Serializer::<$ty>::deserialize(&serializer, $bytes).map(drop)),+];
        outcomes.into_iter().reduce(|a, b| a.or(b)).unwrap()
    }};
}

fn targets() -> Vec<Target> {
    let mut targets = vec![
        Target::new(
            "json",
            || {
                let json = JsonSerializer::new();
                let mut seeds = vectors("json", ".json");
                seeds.push(json.serialize(&records(20)).unwrap());
                seeds.extend(shapes().iter().map(|shape| json.serialize(shape).unwrap()));
                seeds
            },
            |bytes| {
                read_as!(
                    JsonSerializer::new(),
                    bytes,
                    Vec<Record>,
                    Shape,
                    serde_json::Value
                )
            },
        ),
        Target::new(
            "json-python",
            || {
                let json = JsonSerializer::python();
                let mut seeds = vectors("json", ".json");
                seeds.push(json.serialize(&records(20)).unwrap());
                seeds.push(
                    json.serialize(&vec![f64::NAN, f64::INFINITY, -0.0, 1e300])
                        .unwrap(),
                );
                seeds.extend(shapes().iter().map(|shape| json.serialize(shape).unwrap()));
                seeds
            },
            |bytes| {
                read_as!(
                    JsonSerializer::python(),
                    bytes,
                    Vec<Record>,
                    Shape,
                    serde_json::Value
                )
            },
        ),
        Target::new(
            "binary",
            || {
                let binary = BinarySerializer::new();
                let mut seeds = vec![binary.serialize(&records(20)).unwrap()];
                seeds.extend(
                    shapes()
                        .iter()
                        .map(|shape| binary.serialize(shape).unwrap()),
                );
                seeds
            },
            |bytes| read_as!(BinarySerializer::new(), bytes, Vec<Record>, Shape),
        ),
        Target::new(
            "datetime",
            || {
                let mut seeds = vectors("datetime", ".txt");
                let at =
                    DateTime::parse_from_rfc3339("2024-02-29T23:59:59.123456789+05:30").unwrap();
                seeds.push(DateTimeSerializer::new().serialize(&at).unwrap());
                seeds
            },
            |bytes| {
                read_as!(
                    DateTimeSerializer::new(),
                    bytes,
                    DateTime<FixedOffset>,
                    DateTime<Utc>,
                    NaiveDateTime
                )
            },
        ),
        Target::new(
            "pickle",
            || {
                let pickle = PickleSerializer::new();
                let mut seeds = vectors("pickle", ".pkl");
                seeds.push(pickle.serialize(&records(20)).unwrap());
                seeds.extend(
                    shapes()
                        .iter()
                        .filter_map(|shape| pickle.serialize(shape).ok()),
                );
                seeds
            },
            |bytes| {
                let value = PickleSerializer::new().deserialize_value(bytes).map(drop);
                value.or(read_as!(PickleSerializer::new(), bytes, Vec<Record>, Shape))
            },
        ),
    ];
    for &codec in Codec::ALL {
        let serializer =
            move || CompressedSerializer::new(JsonSerializer::new(), Compression::new(codec));
        let suffix = match codec {
            Codec::Gzip => ".gz",
            Codec::Zlib => ".zz",
            Codec::Bz2 => ".bz2",
            Codec::Xz => ".xz",
            Codec::Zstd => ".zst",
            Codec::Lz4 => ".lz4",
        };
        targets.push(Target::new(
            format!("compressed-{}", codec.name()),
            move || {
                let mut seeds = vectors("compressed", suffix);
                seeds.push(serializer().serialize(&records(50)).unwrap());
                seeds
            },
            move |bytes| read_as!(serializer(), bytes, Vec<Record>, serde_json::Value),
        ));
    }
    #[cfg(feature = "dataframe")]
    targets.extend(frames::targets());
    #[cfg(feature = "prefect3")]
    targets.extend(prefect3::targets());
    targets
}

/// Prefect 3's records (every vector, both layouts' bytes) and the pickles they hold, with
/// `datetime`, `UUID`, `Decimal` and models in them, read as typed values.
#[cfg(feature = "prefect3")]
mod prefect3 {
    use std::collections::BTreeSet;
    use std::path::Path;

    use base64::Engine as _;
    use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
    use result_serializers::prefect3::{Prefect3Metadata, Prefect3Record};
    use result_serializers::{Error, PickleSerializer, Serializer};

    use super::Target;

    /// Every vector file: records, split results and their metadata.
    fn files() -> Vec<(String, Vec<u8>)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/prefect3-vectors");
        let mut files = Vec::new();
        for layout in ["record", "split"] {
            for serializer in std::fs::read_dir(dir.join(layout)).unwrap() {
                for file in std::fs::read_dir(serializer.unwrap().path()).unwrap() {
                    let path = file.unwrap().path();
                    let name = path.display().to_string();
                    files.push((name, std::fs::read(path).unwrap()));
                }
            }
        }
        files.sort();
        files
    }

    /// The bytes of the vector files whose path `keep` takes.
    fn files_where(keep: impl Fn(&str) -> bool) -> Vec<Vec<u8>> {
        files()
            .into_iter()
            .filter(|(name, _)| keep(name))
            .map(|(_, bytes)| bytes)
            .collect()
    }

    /// What a result may be read as.
    fn read(record: &Prefect3Record) -> Result<(), Error> {
        record
            .read::<serde_json::Value>()
            .map(drop)
            .or(record
                .read::<(DateTime<Utc>, uuid::Uuid, rust_decimal::Decimal)>()
                .map(drop))
            .or(record.read::<NaiveDate>().map(drop))
            .or(record.read::<NaiveTime>().map(drop))
            .or(record.read::<BTreeSet<i64>>().map(drop))
    }

    pub(super) fn targets() -> Vec<Target> {
        vec![
            Target::new(
                "prefect3-record",
                || files_where(|name| name.contains("/record/")),
                |bytes| read(&Prefect3Record::from_slice(bytes)?),
            ),
            Target::new(
                "prefect3-metadata",
                || files_where(|name| name.ends_with(".metadata.json")),
                |bytes| Prefect3Metadata::from_slice(bytes).map(drop),
            ),
            Target::new(
                "pickle-classes",
                || {
                    files_where(|name| name.contains("/split/pickle/") && !name.ends_with(".json"))
                        .into_iter()
                        .filter_map(|text| {
                            let text: Vec<u8> = text
                                .into_iter()
                                .filter(|b| !b.is_ascii_whitespace())
                                .collect();
                            base64::engine::general_purpose::STANDARD.decode(text).ok()
                        })
                        .collect()
                },
                |bytes| {
                    let pickle = PickleSerializer::new();
                    pickle
                        .deserialize_value(bytes)
                        .map(drop)
                        .or(Serializer::<(DateTime<Utc>, uuid::Uuid, rust_decimal::Decimal)>::deserialize(&pickle, bytes).map(drop))
                        .or(Serializer::<String>::deserialize(&pickle, bytes).map(drop))
                },
            ),
        ]
    }
}

#[cfg(feature = "dataframe")]
mod frames {
    use result_serializers::dataframe::{
        AvroCompression, AvroOptions, DataFrameSerializer, FileType, IpcCompression, IpcOptions,
        ParquetCompression, ParquetOptions, RowsSerializer,
    };
    use result_serializers::polars::prelude::*;
    use result_serializers::Serializer;

    use super::{vectors, Target};

    fn sample() -> DataFrame {
        let n = 300;
        let ints: Vec<Option<i64>> = (0..n)
            .map(|i| (i % 7 != 0).then_some(i * 1_000_003 - 99))
            .collect();
        let floats: Vec<Option<f64>> = (0..n)
            .map(|i| (i % 5 != 0).then_some(i as f64 / 3.0))
            .collect();
        let texts: Vec<Option<String>> = (0..n)
            .map(|i| (i % 3 != 0).then(|| format!("row {i} ✓")))
            .collect();
        let flags: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
        let at = Series::new("at".into(), ints.clone())
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .unwrap();
        let columns = vec![
            Series::new("int".into(), ints),
            Series::new("float".into(), floats),
            Series::new("text".into(), texts),
            Series::new("flag".into(), flags),
            at,
        ];
        DataFrame::new_infer_height(columns.into_iter().map(Column::from).collect()).unwrap()
    }

    /// Valid files of `file_type` to mutate: ours with several options, and Prefect's vectors.
    fn seeds(file_type: FileType) -> Vec<Vec<u8>> {
        let frame = sample();
        let serializers = match file_type {
            FileType::Parquet => vec![
                DataFrameSerializer::new(FileType::Parquet),
                DataFrameSerializer::parquet(
                    ParquetOptions::new().with_compression(ParquetCompression::Snappy),
                ),
                DataFrameSerializer::parquet(
                    ParquetOptions::new().with_compression(ParquetCompression::Uncompressed),
                ),
                // Several row groups.
                DataFrameSerializer::parquet(
                    ParquetOptions::new()
                        .with_row_group_size(std::num::NonZeroUsize::new(64).unwrap()),
                ),
            ],
            FileType::Ipc => vec![
                DataFrameSerializer::new(FileType::Ipc),
                DataFrameSerializer::ipc(IpcOptions::new().with_compression(IpcCompression::Lz4)),
                DataFrameSerializer::ipc(
                    IpcOptions::new().with_compression(IpcCompression::Zstd(None)),
                ),
            ],
            FileType::Avro => vec![
                DataFrameSerializer::new(FileType::Avro),
                DataFrameSerializer::avro(
                    AvroOptions::new().with_compression(AvroCompression::Deflate),
                ),
                DataFrameSerializer::avro(
                    AvroOptions::new().with_compression(AvroCompression::Snappy),
                ),
            ],
            other => vec![DataFrameSerializer::new(other)],
        };
        let mut seeds: Vec<Vec<u8>> = serializers
            .iter()
            .map(|s| s.serialize(&frame).unwrap())
            .collect();
        let suffix = match file_type {
            FileType::Parquet => Some(".parquet"),
            FileType::Ipc => Some(".feather"),
            FileType::Csv => Some(".csv"),
            FileType::Json => Some(".json"),
            FileType::NdJson | FileType::Avro => None,
        };
        if let Some(suffix) = suffix {
            seeds.extend(vectors("pandas", suffix));
        }
        seeds
    }

    /// A typed row of the sample's columns; avro holds no nanosecond date-times, so the
    /// date-time is naive (the sample's is in microseconds).
    #[derive(Debug, result_serializers::Row)]
    struct SampleRow {
        int: Option<i64>,
        float: Option<f64>,
        text: Option<String>,
        flag: bool,
        at: Option<chrono::NaiveDateTime>,
    }

    pub(super) fn targets() -> Vec<Target> {
        let frames = FileType::ALL.into_iter().map(|file_type| {
            Target::new(
                format!("dataframe-{file_type}"),
                move || seeds(file_type),
                move |bytes| {
                    Serializer::<DataFrame>::deserialize(
                        &DataFrameSerializer::new(file_type),
                        bytes,
                    )
                    .map(drop)
                },
            )
        });
        // The same files read as rows: every column checked and converted, value by value.
        let rows = FileType::ALL.into_iter().map(|file_type| {
            Target::new(
                format!("rows-{file_type}"),
                move || seeds(file_type),
                move |bytes| {
                    let rows = RowsSerializer::new(DataFrameSerializer::new(file_type));
                    Serializer::<Vec<SampleRow>>::deserialize(&rows, bytes).map(drop)
                },
            )
        });
        frames.chain(rows).collect()
    }
}

/// The child: decodes each input of the batch file with the target it names, naming each
/// input first.
fn child(batch: &Path) {
    let bytes = std::fs::read(batch).unwrap();
    let (name, mut rest) = bytes.split_at(bytes.iter().position(|b| *b == b'\n').unwrap());
    rest = &rest[1..];
    let name = std::str::from_utf8(name).unwrap();
    let target = targets()
        .into_iter()
        .find(|target| target.name == name)
        .unwrap();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut index = 0usize;
    while rest.len() >= 4 {
        let len = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
        let input = &rest[4..4 + len];
        rest = &rest[4 + len..];
        writeln!(out, "start {index}").unwrap();
        out.flush().unwrap();
        let outcome = match (target.decode)(input) {
            Ok(()) => "value",
            Err(err) if matches!(err.kind(), ErrorKind::Panicked { .. }) => "caught-panic",
            Err(_) => "error",
        };
        writeln!(out, "{outcome} {index}").unwrap();
        out.flush().unwrap();
        index += 1;
    }
}

#[derive(Default, Debug)]
struct Counts {
    inputs: usize,
    values: usize,
    errors: usize,
    caught_panics: usize,
    aborts: usize,
    hangs: usize,
}

/// Runs `inputs` in children, restarting after each one that kills its child.
fn run_all(name: &str, inputs: &[Vec<u8>], dir: &Path) -> (Counts, Vec<usize>) {
    let mut counts = Counts {
        inputs: inputs.len(),
        ..Counts::default()
    };
    let mut fatal = Vec::new();
    let mut next = 0;
    while next < inputs.len() {
        let batch = dir.join(format!("{name}-{next}.batch"));
        let mut file = format!("{name}\n").into_bytes();
        for input in &inputs[next..] {
            file.extend_from_slice(&(input.len() as u32).to_le_bytes());
            file.extend_from_slice(input);
        }
        std::fs::write(&batch, file).unwrap();
        let exe = std::env::current_exe().unwrap();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("ulimit -v 8388608 && exec \"$0\"")
            .arg(&exe)
            .env(CHILD, &batch)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if lines_tx.send(line.unwrap_or_default()).is_err() {
                    break;
                }
            }
        });
        let mut in_flight: Option<usize> = None;
        let mut last_progress = Instant::now();
        let status = loop {
            match lines_rx.recv_timeout(Duration::from_millis(50)) {
                Ok(line) => {
                    last_progress = Instant::now();
                    let (word, index) = line.split_once(' ').unwrap();
                    let index = next + index.parse::<usize>().unwrap();
                    match word {
                        "start" => in_flight = Some(index),
                        "value" => counts.values += 1,
                        "error" => counts.errors += 1,
                        "caught-panic" => counts.caught_panics += 1,
                        other => panic!("unknown child line {other}"),
                    }
                    if word != "start" {
                        in_flight = None;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if last_progress.elapsed() > PER_INPUT {
                        child.kill().unwrap();
                        let _ = child.wait();
                        break None;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break child.wait().ok(),
            }
        };
        std::fs::remove_file(&batch).unwrap();
        match (status, in_flight) {
            (Some(status), None) if status.success() => break,
            (None, Some(index)) => {
                counts.hangs += 1;
                fatal.push(index);
                next = index + 1;
            }
            (_, Some(index)) => {
                counts.aborts += 1;
                fatal.push(index);
                next = index + 1;
            }
            (status, None) => panic!("the child ended between inputs: {status:?}"),
        }
    }
    (counts, fatal)
}

fn main() {
    if let Some(batch) = std::env::var_os(CHILD) {
        child(Path::new(&batch));
        return;
    }
    let per_target: usize = std::env::var("MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    let seed: u64 = std::env::var("MUTATION_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let only: Option<Vec<String>> = std::env::var("MUTATION_TARGETS")
        .ok()
        .map(|names| names.split(',').map(str::to_owned).collect());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutations");
    std::fs::create_dir_all(&dir).unwrap();

    println!("{per_target} mutated inputs per target, seed {seed}, plus the empty input");
    println!(
        "{:<20} {:>6} {:>7} {:>7} {:>7} {:>13} {:>6} {:>5}",
        "target", "seeds", "inputs", "values", "errors", "caught-panics", "aborts", "hangs"
    );
    let (mut passed, mut failed) = (0, 0);
    for (number, target) in targets().iter().enumerate() {
        if only
            .as_ref()
            .is_some_and(|only| !only.contains(&target.name))
        {
            continue;
        }
        let seeds = (target.seeds)();
        assert!(!seeds.is_empty(), "{}: no seeds", target.name);
        for (index, valid) in seeds.iter().enumerate() {
            if let Err(err) = (target.decode)(valid) {
                // Some Prefect vectors hold what this target refuses, by design; ours must read.
                println!("  {}: seed {index} reads as an error: {err}", target.name);
            }
        }
        let mut rng = Rng(seed ^ (number as u64 + 1).wrapping_mul(0x1234_5678_9ABC));
        let mut inputs = vec![Vec::new()];
        let mut kinds = vec![None];
        for i in 0..per_target {
            let mutation = MUTATIONS[i % MUTATIONS.len()];
            inputs.push(mutate(&mut rng, &seeds, mutation));
            kinds.push(Some(mutation));
        }
        let (counts, fatal) = run_all(&target.name, &inputs, &dir);
        println!(
            "{:<20} {:>6} {:>7} {:>7} {:>7} {:>13} {:>6} {:>5}",
            target.name,
            seeds.len(),
            counts.inputs,
            counts.values,
            counts.errors,
            counts.caught_panics,
            counts.aborts,
            counts.hangs,
        );
        for index in &fatal {
            let path = dir.join(format!("{}-fatal-{index}.bin", target.name));
            std::fs::write(&path, &inputs[*index]).unwrap();
            println!(
                "  input {index} ({:?}) killed or hung the reader: kept as {}",
                kinds[*index],
                path.display()
            );
        }
        assert_eq!(
            counts.values + counts.errors + counts.caught_panics + counts.aborts + counts.hangs,
            counts.inputs,
            "every input is accounted for"
        );
        passed += counts.values + counts.errors + counts.caught_panics;
        failed += counts.aborts + counts.hangs;
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
