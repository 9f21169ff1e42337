//! The workloads of Prefect's peer benchmark (`bench_python.py`), each through the derived
//! serializer and through the hand-written call it stands for, on the same data.
//!
//! `cargo bench --bench workloads --features dataframe` measures; `benches/compare.sh` runs the
//! Python peer too and prints one table. `cargo test --benches --all-features` runs each
//! benchmark once, as a test.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::io::{Read, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use criterion::{criterion_group, Criterion, Throughput};
use result_serializers::{ResultSerializer, Serializer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[path = "common/workloads.rs"]
#[allow(dead_code, unreachable_pub)]
mod workloads;

use workloads::Record;

/// The peer's record count.
const RECORDS: u64 = 100_000;
/// The peer's date-time count.
const DATETIMES: u64 = 100_000;

/// The peer's fingerprints (`bench_python.py` prints them): the same data on both sides.
const W1_SHA256: &str = "270ebfa8c38eecf182b0c5b319cb28f42fedbd4db7cad77f8485bebde6c72d41";
const W3_SHA256: &str = "234014532107fd59c2914bdf8589d6d3d1cf080a8857ac0a91c369c184c29da6";
#[cfg(feature = "dataframe")]
const W4_FINGERPRINT: &str = "c6b501a93fcfb063b26fc3e0858a5b46895bce6140eb87e9303e46b4c13eaa8d";

/// W1: the records as Prefect's `JSONSerializer` writes them (`json.dumps`).
#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(python))]
#[serde(transparent)]
struct PythonJsonRecords(Vec<Record>);

/// W1 in serde_json's compact form, beside `serde_json::to_vec`.
#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json)]
#[serde(transparent)]
struct JsonRecords(Vec<Record>);

/// W2: postcard where Prefect used pickle.
#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
#[serde(transparent)]
struct BinaryRecords(Vec<Record>);

/// W3: one date-time.
#[derive(Debug, Clone, Copy, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct FinishedAt(DateTime<Utc>);

/// W5: `json.dumps` then gzip at Python's default level 9, zlib at its default 6, zstd at 3.
#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(python), compress(codec = "gzip", level = 9))]
#[serde(transparent)]
struct GzipRecords(Vec<Record>);

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(python), compress(codec = "zlib", level = 6))]
#[serde(transparent)]
struct ZlibRecords(Vec<Record>);

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(python), compress(codec = "zstd", level = 3))]
#[serde(transparent)]
struct ZstdRecords(Vec<Record>);

/// The records inside a W5 newtype.
macro_rules! records_deref {
    ($($ty:ty),*) => {$(
        impl std::ops::Deref for $ty {
            type Target = Vec<Record>;
            fn deref(&self) -> &Vec<Record> {
                &self.0
            }
        }
    )*};
}
records_deref!(
    PythonJsonRecords,
    JsonRecords,
    GzipRecords,
    ZlibRecords,
    ZstdRecords
);

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Benchmarks one workload both ways: `ours` through the derived serializer, `by_hand` through
/// the library call it stands for.
fn pair<O, H>(c: &mut Criterion, group: &str, bytes: u64, ours: O, by_hand: H)
where
    O: FnMut() -> usize,
    H: FnMut() -> usize,
{
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    let (mut ours, mut by_hand) = (ours, by_hand);
    // One call of each first: glibc raises its mmap threshold after the first large free, so
    // without this the function measured second gets its large buffers faster.
    black_box((ours(), by_hand()));
    group.bench_function("derived", |b| b.iter(|| black_box(ours())));
    group.bench_function("by-hand", |b| b.iter(|| black_box(by_hand())));
    group.finish();
}

fn w1_json(c: &mut Criterion) {
    let records = workloads::records(RECORDS);
    let python = PythonJsonRecords(records.clone());
    let bytes = python.to_result_bytes().unwrap();
    println!("W1 python json sha256 {}", sha256(&bytes));
    assert_eq!(sha256(&bytes), W1_SHA256, "W1 is not the peer's data");
    let compact = JsonRecords(records);
    let compact_bytes = compact.to_result_bytes().unwrap();
    assert_eq!(compact_bytes, serde_json::to_vec(&compact.0).unwrap());

    w1_pairs(c, "json", &compact, &compact_bytes);
    // Prefect's own bytes; the hand-written call is serde_json with its compact layout.
    w1_pairs(c, "python json", &python, &compact_bytes);
}

/// One W1 layout both ways, beside serde_json's compact `to_vec` and `from_slice`.
fn w1_pairs<T>(c: &mut Criterion, layout: &str, value: &T, compact_bytes: &[u8])
where
    T: ResultSerializer + std::ops::Deref<Target = Vec<Record>>,
{
    let bytes = value.to_result_bytes().unwrap();
    pair(
        c,
        &format!("W1 {layout}/serialize"),
        bytes.len() as u64,
        || value.to_result_bytes().unwrap().len(),
        || serde_json::to_vec(&**value).unwrap().len(),
    );
    pair(
        c,
        &format!("W1 {layout}/deserialize"),
        bytes.len() as u64,
        || T::from_result_bytes(&bytes).unwrap().len(),
        || {
            serde_json::from_slice::<Vec<Record>>(compact_bytes)
                .unwrap()
                .len()
        },
    );
}

fn w2_binary(c: &mut Criterion) {
    let records = BinaryRecords(workloads::records(RECORDS));
    let bytes = records.to_result_bytes().unwrap();
    assert_eq!(bytes, postcard::to_allocvec(&records.0).unwrap());
    pair(
        c,
        "W2 binary/serialize",
        bytes.len() as u64,
        || records.to_result_bytes().unwrap().len(),
        || postcard::to_allocvec(&records.0).unwrap().len(),
    );
    pair(
        c,
        "W2 binary/deserialize",
        bytes.len() as u64,
        || BinaryRecords::from_result_bytes(&bytes).unwrap().0.len(),
        || postcard::from_bytes::<Vec<Record>>(&bytes).unwrap().len(),
    );
}

fn w3_datetime(c: &mut Criterion) {
    let datetimes: Vec<FinishedAt> = workloads::datetimes(DATETIMES)
        .into_iter()
        .map(FinishedAt)
        .collect();
    let outputs: Vec<Vec<u8>> = datetimes
        .iter()
        .map(|at| at.to_result_bytes().unwrap())
        .collect();
    let fingerprint = sha256(&outputs.join(&b'\n'));
    println!("W3 datetime newline-joined sha256 {fingerprint}");
    assert_eq!(fingerprint, W3_SHA256, "W3 is not the peer's data");
    let total: usize = outputs.iter().map(Vec::len).sum();
    let texts: Vec<String> = outputs
        .iter()
        .map(|o| String::from_utf8(o.clone()).unwrap())
        .collect();
    pair(
        c,
        "W3 datetime/serialize",
        total as u64,
        || {
            datetimes
                .iter()
                .map(|at| at.to_result_bytes().unwrap().len())
                .sum()
        },
        || {
            datetimes
                .iter()
                .map(|at| at.0.to_rfc3339_opts(SecondsFormat::AutoSi, true).len())
                .sum()
        },
    );
    pair(
        c,
        "W3 datetime/deserialize",
        total as u64,
        || {
            outputs
                .iter()
                .map(|o| {
                    FinishedAt::from_result_bytes(o)
                        .unwrap()
                        .0
                        .timestamp_subsec_nanos() as usize
                })
                .sum()
        },
        || {
            texts
                .iter()
                .map(|t| {
                    DateTime::parse_from_rfc3339(t)
                        .unwrap()
                        .timestamp_subsec_nanos() as usize
                })
                .sum()
        },
    );
}

fn w5_compressed(c: &mut Criterion) {
    use flate2::read::{GzDecoder, ZlibDecoder};
    use flate2::write::{GzEncoder, ZlibEncoder};
    use flate2::Compression;

    let records = workloads::records(RECORDS);
    w5_codec(
        c,
        "gzip",
        &GzipRecords(records.clone()),
        || GzEncoder::new(Vec::new(), Compression::new(9)),
        GzEncoder::finish,
        |bytes| read_all(GzDecoder::new(bytes)),
    );
    w5_codec(
        c,
        "zlib",
        &ZlibRecords(records.clone()),
        || ZlibEncoder::new(Vec::new(), Compression::new(6)),
        ZlibEncoder::finish,
        |bytes| read_all(ZlibDecoder::new(bytes)),
    );
    w5_codec(
        c,
        "zstd",
        &ZstdRecords(records),
        || zstd::Encoder::new(Vec::new(), 3).unwrap(),
        zstd::Encoder::finish,
        |bytes| zstd::decode_all(bytes).unwrap(),
    );
}

/// zlib-rs (flate2's backend here) compressing W5's Python-compatible JSON in one call, at
/// zlib's default level 6 and gzip's 9. `benches/zlib_stock.py` times stock zlib (the C library
/// CPython's `zlib` module links) on the same bytes: the measurement behind the backend.
fn w5_zlib_backends(c: &mut Criterion) {
    let text = result_serializers::json::to_python_json(&workloads::records(RECORDS)).unwrap();
    assert_eq!(sha256(&text), W1_SHA256, "W5's JSON is not the peer's");
    for level in [6, 9] {
        let mut group = c.benchmark_group(format!("W5 zlib backends/level-{level}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.sample_size(10);
        let zlib_rs = || {
            let mut encoder =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
            encoder.write_all(&text).unwrap();
            encoder.finish().unwrap().len()
        };
        println!(
            "W5 zlib-rs level {level}: {} bytes of {}",
            zlib_rs(),
            text.len()
        );
        group.bench_function("zlib-rs", |b| b.iter(|| black_box(zlib_rs())));
        group.finish();
    }
}

fn read_all(mut reader: impl Read) -> Vec<u8> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).unwrap();
    bytes
}

/// One W5 codec both ways: the derived compressed serializer beside Python-compatible JSON
/// written into, and read out of, the codec's own encoder and decoder.
fn w5_codec<T, E>(
    c: &mut Criterion,
    codec: &str,
    value: &T,
    encoder: impl Fn() -> E,
    finish: impl Fn(E) -> std::io::Result<Vec<u8>>,
    decompress: impl Fn(&[u8]) -> Vec<u8>,
) where
    T: ResultSerializer + std::ops::Deref<Target = Vec<Record>>,
    E: Write,
{
    let python = result_serializers::JsonSerializer::python();
    let bytes = value.to_result_bytes().unwrap();
    pair(
        c,
        &format!("W5 json+{codec}/serialize"),
        bytes.len() as u64,
        || value.to_result_bytes().unwrap().len(),
        || {
            // Buffered, as a serializer's small writes should reach an encoder.
            let mut encoder = std::io::BufWriter::new(encoder());
            python.serialize_into(&**value, &mut encoder).unwrap();
            finish(encoder.into_inner().ok().unwrap()).unwrap().len()
        },
    );
    pair(
        c,
        &format!("W5 json+{codec}/deserialize"),
        bytes.len() as u64,
        || T::from_result_bytes(&bytes).unwrap().len(),
        || {
            let text = decompress(&bytes);
            Serializer::<Vec<Record>>::deserialize(&python, &text)
                .unwrap()
                .len()
        },
    );
}

#[cfg(feature = "dataframe")]
mod frames {
    use criterion::Criterion;
    use result_serializers::polars::prelude::*;
    use result_serializers::ResultSerializer;

    use super::{pair, workloads};

    /// The peer's row count when benchmarking, 10,000 when run as a test; `W4_ROWS` sets it.
    fn rows() -> u64 {
        let benchmarking = std::env::args().any(|arg| arg == "--bench");
        std::env::var("W4_ROWS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(if benchmarking { 1_000_000 } else { 10_000 })
    }

    /// Parquet with snappy, pyarrow's default, as Prefect's `PandasSerializer("parquet")` writes.
    #[derive(ResultSerializer)]
    #[serializer(dataframe(file_type = "parquet", compression = "snappy"))]
    pub(super) struct Parquet(pub(super) DataFrame);

    /// CSV with polars' defaults.
    #[derive(ResultSerializer)]
    #[serializer(dataframe(file_type = "csv"))]
    pub(super) struct Csv(pub(super) DataFrame);

    /// Feather: Arrow IPC with lz4, pyarrow's default.
    #[derive(ResultSerializer)]
    #[serializer(dataframe(file_type = "feather", compression = "lz4"))]
    pub(super) struct Feather(pub(super) DataFrame);

    /// Feather with zstd at level 1, pyarrow's default level.
    #[derive(ResultSerializer)]
    #[serializer(dataframe(file_type = "feather", compression = "zstd", level = 1))]
    pub(super) struct FeatherZstd(pub(super) DataFrame);

    /// polars' own IPC writer with `compression`, as a user would call it.
    pub(super) fn ipc_by_hand(frame: &DataFrame, compression: IpcCompression) -> Vec<u8> {
        let mut out = Vec::new();
        IpcWriter::new(&mut out)
            .with_compression(Some(compression))
            .finish(&mut frame.clone())
            .unwrap();
        out
    }

    /// polars' zstd at pyarrow's default level.
    pub(super) fn zstd_1() -> IpcCompression {
        IpcCompression::ZSTD(
            result_serializers::polars::polars_utils::compression::ZstdLevel::try_new(1).unwrap(),
        )
    }

    /// Both directions of a feather row: `T` against polars' own writer and reader.
    fn feather<T: ResultSerializer>(
        c: &mut Criterion,
        group: &str,
        value: &T,
        inner: fn(T) -> DataFrame,
        compression: IpcCompression,
        frame: &DataFrame,
    ) {
        let bytes = value.to_result_bytes().unwrap();
        let back = inner(T::from_result_bytes(&bytes).unwrap());
        assert_eq!(
            workloads::frame_fingerprint(&back),
            workloads::frame_fingerprint(frame)
        );
        pair(
            c,
            &format!("{group}/serialize"),
            bytes.len() as u64,
            || value.to_result_bytes().unwrap().len(),
            || ipc_by_hand(frame, compression).len(),
        );
        pair(
            c,
            &format!("{group}/deserialize"),
            bytes.len() as u64,
            || inner(T::from_result_bytes(&bytes).unwrap()).height(),
            || {
                IpcReader::new(std::io::Cursor::new(&bytes))
                    .finish()
                    .unwrap()
                    .height()
            },
        );
    }

    pub(super) fn w4(c: &mut Criterion) {
        let frame = workloads::frame(rows());
        let fingerprint = workloads::frame_fingerprint(&frame);
        println!("W4 frame fingerprint {fingerprint}");
        if rows() == 1_000_000 {
            assert_eq!(
                fingerprint,
                super::W4_FINGERPRINT,
                "W4 is not the peer's data"
            );
        }

        let parquet = Parquet(frame.clone());
        let bytes = parquet.to_result_bytes().unwrap();
        let back = Parquet::from_result_bytes(&bytes).unwrap().0;
        assert_eq!(
            workloads::frame_fingerprint(&back),
            workloads::frame_fingerprint(&frame)
        );
        pair(
            c,
            "W4 parquet/serialize",
            bytes.len() as u64,
            || parquet.to_result_bytes().unwrap().len(),
            || {
                let mut out = Vec::new();
                ParquetWriter::new(&mut out)
                    .with_compression(ParquetCompression::Snappy)
                    .finish(&mut frame.clone())
                    .unwrap();
                out.len()
            },
        );
        pair(
            c,
            "W4 parquet/deserialize",
            bytes.len() as u64,
            || Parquet::from_result_bytes(&bytes).unwrap().0.height(),
            || {
                ParquetReader::new(std::io::Cursor::new(&bytes))
                    .finish()
                    .unwrap()
                    .height()
            },
        );

        let csv = Csv(frame.clone());
        let bytes = csv.to_result_bytes().unwrap();
        pair(
            c,
            "W4 csv/serialize",
            bytes.len() as u64,
            || csv.to_result_bytes().unwrap().len(),
            || {
                let mut out = Vec::new();
                CsvWriter::new(&mut out).finish(&mut frame.clone()).unwrap();
                out.len()
            },
        );
        pair(
            c,
            "W4 csv/deserialize",
            bytes.len() as u64,
            || Csv::from_result_bytes(&bytes).unwrap().0.height(),
            || {
                CsvReadOptions::default()
                    .into_reader_with_file_handle(std::io::Cursor::new(&bytes))
                    .finish()
                    .unwrap()
                    .height()
            },
        );

        let lz4 = Feather(frame.clone());
        feather(c, "W4 feather", &lz4, |f| f.0, IpcCompression::LZ4, &frame);
        let zstd = FeatherZstd(frame.clone());
        feather(c, "W4 feather-zstd", &zstd, |f| f.0, zstd_1(), &frame);
    }
}

#[cfg(feature = "dataframe")]
fn w4_frames(c: &mut Criterion) {
    frames::w4(c);
}

#[cfg(not(feature = "dataframe"))]
fn w4_frames(_: &mut Criterion) {}

/// W6: typed rows, `#[serializer(rows(...))]` against serde_arrow and arrow-rs' parquet
/// writer by hand.
#[cfg(feature = "dataframe")]
mod rows {
    use std::sync::Arc;

    use arrow_array::RecordBatch;
    use arrow_schema::{DataType, Field, FieldRef, TimeUnit};
    use criterion::Criterion;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;
    use result_serializers::ResultSerializer;
    use serde_arrow::schema::{SchemaLike, TracingOptions};

    use super::{pair, workloads};
    use workloads::Row6;

    /// The peer's fingerprint of its 200,000 rows.
    const W6_FINGERPRINT: &str = "dce423762ebd9ed0d5b52199384f52167b9cb1a80d2d82d2ccfdc33c9118a737";

    /// Parquet with snappy, as Prefect's `PandasSerializer("parquet")` writes.
    #[derive(ResultSerializer)]
    #[serializer(rows(file_type = "parquet", compression = "snappy"))]
    pub(super) struct Rows6(pub(super) Vec<Row6>);

    /// The peer's row count when benchmarking, 5,000 when run as a test; `W6_ROWS` sets it.
    pub(super) fn count() -> u64 {
        let benchmarking = std::env::args().any(|arg| arg == "--bench");
        std::env::var("W6_ROWS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(if benchmarking { 200_000 } else { 5_000 })
    }

    /// serde_arrow's fields for the rows: traced from them, the date-time in microseconds
    /// with its zone (serde sees a string).
    pub(super) fn fields(rows: &[Row6]) -> Vec<FieldRef> {
        let options = TracingOptions::default().enums_without_data_as_strings(true);
        let traced = Vec::<FieldRef>::from_samples(rows, options).unwrap();
        traced
            .into_iter()
            .map(|field| {
                if field.name() == "ts" {
                    Arc::new(Field::new(
                        "ts",
                        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                        false,
                    ))
                } else {
                    field
                }
            })
            .collect()
    }

    pub(super) fn write_by_hand(fields: &[FieldRef], rows: &[Row6]) -> Vec<u8> {
        let batch = serde_arrow::to_record_batch(fields, &rows).unwrap();
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let mut out = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut out, batch.schema(), Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        out
    }

    pub(super) fn read_by_hand(bytes: &[u8]) -> Vec<Row6> {
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
            .unwrap()
            .with_batch_size(1 << 20)
            .build()
            .unwrap();
        let mut rows = Vec::new();
        for batch in reader {
            let batch: RecordBatch = batch.unwrap();
            rows.extend(serde_arrow::from_record_batch::<Vec<Row6>>(&batch).unwrap());
        }
        rows
    }

    pub(super) fn w6(c: &mut Criterion) {
        let rows = workloads::rows6(count());
        let fingerprint = workloads::rows6_fingerprint(&rows);
        println!("W6 rows fingerprint {fingerprint}");
        if count() == 200_000 {
            assert_eq!(fingerprint, W6_FINGERPRINT, "W6 is not the peer's data");
        }
        let ours = Rows6(rows);
        let bytes = ours.to_result_bytes().unwrap();
        let back = Rows6::from_result_bytes(&bytes).unwrap().0;
        assert_eq!(workloads::rows6_fingerprint(&back), fingerprint);
        let fields = fields(&ours.0);
        let by_hand = write_by_hand(&fields, &ours.0);
        assert_eq!(
            workloads::rows6_fingerprint(&read_by_hand(&by_hand)),
            fingerprint
        );
        pair(
            c,
            "W6 rows parquet/serialize",
            bytes.len() as u64,
            || ours.to_result_bytes().unwrap().len(),
            || write_by_hand(&fields, &ours.0).len(),
        );
        pair(
            c,
            "W6 rows parquet/deserialize",
            bytes.len() as u64,
            || Rows6::from_result_bytes(&bytes).unwrap().0.len(),
            || read_by_hand(&by_hand).len(),
        );
    }
}

#[cfg(feature = "dataframe")]
fn w6_rows(c: &mut Criterion) {
    rows::w6(c);
}

#[cfg(not(feature = "dataframe"))]
fn w6_rows(_: &mut Criterion) {}

criterion_group!(
    benches,
    w1_json,
    w2_binary,
    w3_datetime,
    w4_frames,
    w5_compressed,
    w5_zlib_backends,
    w6_rows
);

fn main() {
    #[cfg(feature = "dataframe")]
    if let Ok(spec) = std::env::var("W4_MEMORY") {
        memory::measure(&spec);
        return;
    }
    #[cfg(feature = "dataframe")]
    if let Ok(way) = std::env::var("W6_MEMORY") {
        memory::rows(&way);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

/// W4's peak memory, one operation per process as the peer measures it:
/// `W4_MEMORY=format:op:way` (`parquet|csv|feather|feather-zstd`, `serialize|deserialize`,
/// `derived|by-hand`) builds the frame, or reads the file's bytes, makes one warm-up call,
/// resets the peak resident set (`/proc/self/clear_refs`), makes the call again and prints the
/// peak and the base in MiB.
#[cfg(feature = "dataframe")]
mod memory {
    use result_serializers::polars::prelude::*;
    use result_serializers::ResultSerializer;

    use super::frames::{ipc_by_hand, zstd_1, Csv, Feather, FeatherZstd, Parquet};
    use super::workloads::{self, status_mib};

    fn write(format: &str, way: &str, frame: &DataFrame) -> Vec<u8> {
        let mut out = Vec::new();
        match (format, way) {
            ("parquet", "derived") => Parquet(frame.clone()).write_result(&mut out).unwrap(),
            ("csv", "derived") => Csv(frame.clone()).write_result(&mut out).unwrap(),
            ("feather", "derived") => Feather(frame.clone()).write_result(&mut out).unwrap(),
            ("feather-zstd", "derived") => {
                FeatherZstd(frame.clone()).write_result(&mut out).unwrap()
            }
            ("parquet", _) => drop(
                ParquetWriter::new(&mut out)
                    .with_compression(ParquetCompression::Snappy)
                    .finish(&mut frame.clone())
                    .unwrap(),
            ),
            ("csv", _) => CsvWriter::new(&mut out).finish(&mut frame.clone()).unwrap(),
            ("feather", _) => out = ipc_by_hand(frame, IpcCompression::LZ4),
            ("feather-zstd", _) => out = ipc_by_hand(frame, zstd_1()),
            _ => panic!("unknown format {format}"),
        }
        out
    }

    fn read(format: &str, way: &str, bytes: &[u8]) -> DataFrame {
        match (format, way) {
            ("parquet", "derived") => Parquet::from_result_bytes(bytes).unwrap().0,
            ("csv", "derived") => Csv::from_result_bytes(bytes).unwrap().0,
            ("feather", "derived") => Feather::from_result_bytes(bytes).unwrap().0,
            ("feather-zstd", "derived") => FeatherZstd::from_result_bytes(bytes).unwrap().0,
            ("parquet", _) => ParquetReader::new(std::io::Cursor::new(bytes))
                .finish()
                .unwrap(),
            ("csv", _) => CsvReadOptions::default()
                .into_reader_with_file_handle(std::io::Cursor::new(bytes))
                .finish()
                .unwrap(),
            ("feather" | "feather-zstd", _) => IpcReader::new(std::io::Cursor::new(bytes))
                .finish()
                .unwrap(),
            _ => panic!("unknown format {format}"),
        }
    }

    pub(super) fn measure(spec: &str) {
        let mut parts = spec.split(':');
        let (format, op, way) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let frame = workloads::frame(1_000_000);
        let (base, peak) = if op == "serialize" {
            drop(write(format, way, &frame));
            std::fs::write("/proc/self/clear_refs", "5").unwrap();
            let base = status_mib("VmRSS:");
            let out = write(format, way, &frame);
            let peak = status_mib("VmHWM:");
            drop(out);
            (base, peak)
        } else {
            let bytes = write(format, "derived", &frame);
            drop(frame);
            drop(read(format, way, &bytes));
            std::fs::write("/proc/self/clear_refs", "5").unwrap();
            let base = status_mib("VmRSS:");
            let back = read(format, way, &bytes);
            let peak = status_mib("VmHWM:");
            drop(back);
            (base, peak)
        };
        println!("W4MEMORY {format} {op} {way} peak {peak:.1} base {base:.1}");
    }

    /// W6's peak memory writing parquet, `W6_MEMORY=derived` or `by-hand`: the peak above the
    /// set with the rows built, beside the rows' own size.
    pub(super) fn rows(way: &str) {
        let rows = workloads::rows6(200_000);
        let own = workloads::rows6_bytes(&rows) as f64 / (1024.0 * 1024.0);
        let fields = super::rows::fields(&rows);
        let rows = super::rows::Rows6(rows);
        let write = || match way {
            "derived" => rows.to_result_bytes().unwrap(),
            _ => super::rows::write_by_hand(&fields, &rows.0),
        };
        drop(write());
        std::fs::write("/proc/self/clear_refs", "5").unwrap();
        let base = status_mib("VmRSS:");
        let out = write();
        let peak = status_mib("VmHWM:");
        drop(out);
        println!(
            "W6MEMORY {way} peak {:.1} above the rows, which take {own:.1} MiB ({:.2}x)",
            peak - base,
            (peak - base) / own
        );
    }
}
