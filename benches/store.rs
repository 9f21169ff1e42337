//! The result store beside the plain call, on the local file system: a JSON result of
//! `STORE_MIB` MiB (1,024 by default; 8 when `cargo test --benches` runs it once) written with
//! `ResultStore::write` against `JsonSerializer` into `std::fs::write`, and read with
//! `ResultStore::read` against `std::fs::read` and `from_slice`, and against `deserialize_from` a
//! buffered file (serde_json's streaming reader, which the store uses for large results).
//!
//! `cargo bench --bench store --features store,derive` measures the time;
//! `STORE_MEMORY=write:store` (or `write:plain`, `read:store`, `read:plain`,
//! `read:plain-streaming`) measures one call's peak resident set above the value, in a process
//! of its own, and prints it. With
//! `STORE_URL=s3://bucket` (and the `s3` feature, and `AWS_*` in the environment, such as
//! `AWS_ENDPOINT` for a local S3 server) the store's side runs on that store instead of the
//! local file system.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/workloads.rs"]
#[allow(dead_code, unreachable_pub)]
mod workloads;

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput};
use result_serializers::store::{BlockingResultStore, ResultStore};
use result_serializers::{JsonSerializer, ResultSerializer, Serializer};
use serde::{Deserialize, Serialize};
use workloads::{records, status_mib, Record};

/// W1's records, as many as make `STORE_MIB` MiB of JSON.
#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json)]
struct Big(Vec<Record>);

const LOCATION: &str = "bench/big.json";

fn mib() -> u64 {
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    std::env::var("STORE_MIB")
        .ok()
        .and_then(|mib| mib.parse().ok())
        .unwrap_or(if benchmarking { 1024 } else { 8 })
}

fn value() -> Big {
    // W1's JSON takes 105.7 bytes a record.
    Big(records(mib() * 1024 * 1024 / 106))
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/store-bench")
}

fn store() -> BlockingResultStore {
    let store = match std::env::var("STORE_URL") {
        Ok(url) => ResultStore::from_url(&url).unwrap(),
        Err(_) => ResultStore::local(dir().join("store")).unwrap(),
    };
    BlockingResultStore::new(store).unwrap()
}

fn plain_path() -> PathBuf {
    dir().join("plain.json")
}

fn write_plain(big: &Big) {
    std::fs::write(plain_path(), JsonSerializer::new().serialize(big).unwrap()).unwrap();
}

fn read_plain() -> Big {
    JsonSerializer::new()
        .deserialize(&std::fs::read(plain_path()).unwrap())
        .unwrap()
}

/// The plain call that streams, in the store's memory: `deserialize_from` a buffered file.
fn read_plain_streaming() -> Big {
    let file = std::fs::File::open(plain_path()).unwrap();
    JsonSerializer::new()
        .deserialize_from(std::io::BufReader::new(file))
        .unwrap()
}

fn main() {
    std::fs::create_dir_all(dir()).unwrap();
    if let Ok(spec) = std::env::var("STORE_MEMORY") {
        memory(&spec);
        return;
    }
    let big = value();
    let store = store();
    let bytes = store.write(&big, LOCATION).unwrap().length;
    write_plain(&big);
    assert_eq!(store.read::<Big>(LOCATION).unwrap(), big);

    let mut criterion = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .configure_from_args();
    let mut group = criterion.benchmark_group(format!("store {} MiB", mib()));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("write/store", |b| {
        b.iter(|| store.write(&big, LOCATION).unwrap());
    });
    group.bench_function("write/plain", |b| b.iter(|| write_plain(&big)));
    group.bench_function("read/store", |b| {
        b.iter(|| store.read::<Big>(LOCATION).unwrap());
    });
    group.bench_function("read/plain", |b| b.iter(read_plain));
    group.bench_function("read/plain-streaming", |b| b.iter(read_plain_streaming));
    group.finish();
    criterion.final_summary();
}

/// One call's peak resident set above the value, in a process of its own: for a write, above
/// the set before the call, with the value built (after a warm-up write, which also leaves
/// the files the reads take); for a read, a first call in the process, above the set after it,
/// with the value read still held.
fn memory(spec: &str) {
    let (op, way) = spec.split_once(':').expect("STORE_MEMORY=op:way");
    let store = store();
    let above = match op {
        "write" => {
            let big = value();
            let write = || match way {
                "store" => drop(store.write(&big, LOCATION).unwrap()),
                _ => write_plain(&big),
            };
            write();
            std::fs::write("/proc/self/clear_refs", "5").unwrap();
            let base = status_mib("VmRSS:");
            write();
            status_mib("VmHWM:") - base
        }
        "read" => {
            let back = match way {
                "store" => store.read::<Big>(LOCATION).unwrap(),
                "plain-streaming" => read_plain_streaming(),
                _ => read_plain(),
            };
            let held = status_mib("VmRSS:");
            let above = status_mib("VmHWM:") - held;
            drop(back);
            above
        }
        _ => panic!("unknown operation {op}"),
    };
    println!(
        "STOREMEMORY {op} {way}: {above:.0} MiB above the value ({} MiB of JSON)",
        mib()
    );
}
