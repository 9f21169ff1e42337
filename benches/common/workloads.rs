//! The workloads of Prefect's peer benchmark (`bench_python.py`), generated from the same
//! counter-based SplitMix64 draws so that both sides serialize identical data.

use serde::{Deserialize, Serialize};

const SEED: u64 = 0x5EED_1234_ABCD_0001;
/// SplitMix64's increment.
pub const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
const ALPHA: &[u8; 26] = b"abcdefghijklmnopqrstuvwxyz";
const TAGS: [&str; 8] = ["red", "green", "blue", "new", "sale", "hot", "eco", "pro"];

/// SplitMix64's output function.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `i`-th draw (0-based) of `stream`.
pub fn draw(stream: u64, i: u64) -> u64 {
    mix64(
        SEED.wrapping_add(stream)
            .wrapping_add((i + 1).wrapping_mul(GAMMA)),
    )
}

/// Twelve ASCII letters from a draw.
pub fn name12(draw: u64) -> String {
    (0..12)
        .map(|k| char::from(ALPHA[(((draw >> (5 * k)) & 31) % 26) as usize]))
        .collect()
}

/// One record of W1 (JSON), W2 (pickle) and W5 (compressed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: u64,
    pub name: String,
    pub price: f64,
    pub tags: Vec<String>,
    pub active: bool,
}

/// The first `n` records (the peer uses 100,000).
pub fn records(n: u64) -> Vec<Record> {
    (0..n)
        .map(|i| Record {
            id: i,
            name: name12(draw(1, i)),
            price: (draw(2, i) % 1_000_000) as f64 / 100.0,
            tags: (0..3)
                .map(|k| TAGS[((draw(3, i) >> (8 * k)) & 7) as usize].to_string())
                .collect(),
            active: (draw(4, i) >> 63) == 1,
        })
        .collect()
}

/// Unix microseconds of 2020-01-01T00:00:00Z, where W3's and W4's date-times start.
pub const BASE_US: i64 = 1_577_836_800_000_000;
/// Ten years in microseconds: the span W3's and W4's date-times fall in.
pub const SPAN_US: u64 = 3653 * 86_400 * 1_000_000;

/// W3: the first `n` date-times, in UTC.
pub fn datetimes(n: u64) -> Vec<chrono::DateTime<chrono::Utc>> {
    (0..n)
        .map(|i| {
            let micros = BASE_US + (draw(10, i) % SPAN_US) as i64;
            chrono::DateTime::from_timestamp_micros(micros).expect("within chrono's range")
        })
        .collect()
}

/// W4: the frame of `n` rows: `id`, `value`, `name`, `flag` and a naive `ts` in nanoseconds.
#[cfg(feature = "dataframe")]
pub fn frame(n: u64) -> result_serializers::polars::prelude::DataFrame {
    use result_serializers::polars::prelude::*;

    let ids: Vec<i64> = (0..n as i64).collect();
    let values: Vec<f64> = (0..n)
        .map(|i| (draw(20, i) >> 11) as f64 * 2f64.powi(-53))
        .collect();
    let names: Vec<String> = (0..n).map(|i| name12(draw(21, i))).collect();
    let flags: Vec<bool> = (0..n).map(|i| (draw(22, i) >> 63) == 1).collect();
    let ts: Vec<i64> = (0..n)
        .map(|i| (BASE_US + (draw(23, i) % SPAN_US) as i64) * 1000)
        .collect();
    let columns = vec![
        Column::new("id".into(), ids),
        Column::new("value".into(), values),
        Column::new("name".into(), names),
        Column::new("flag".into(), flags),
        Column::new("ts".into(), ts)
            .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
            .expect("an i64 column casts to a date-time"),
    ];
    DataFrame::new(n as usize, columns).expect("columns of one length")
}

/// W4's formatting-free fingerprint: sha256 over the columns' bytes, as `bench_python.py`
/// computes it.
#[cfg(feature = "dataframe")]
pub fn frame_fingerprint(frame: &result_serializers::polars::prelude::DataFrame) -> String {
    use result_serializers::polars::prelude::{DataType, TimeUnit};
    use sha2::{Digest, Sha256};

    let column = |name: &str| {
        frame
            .column(name)
            .expect("a W4 column")
            .as_materialized_series()
            .clone()
    };
    let mut hash = Sha256::new();
    for id in column("id").i64().expect("int64").into_no_null_iter() {
        hash.update(id.to_le_bytes());
    }
    for value in column("value").f64().expect("float64").into_no_null_iter() {
        hash.update(value.to_le_bytes());
    }
    let names = column("name");
    let names: Vec<&str> = names.str().expect("string").iter().flatten().collect();
    hash.update(names.join("\n").as_bytes());
    for flag in column("flag").bool().expect("bool").iter().flatten() {
        hash.update([u8::from(flag)]);
    }
    let ts = column("ts")
        .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
        .expect("a date-time column in nanoseconds");
    for at in ts
        .datetime()
        .expect("datetime")
        .physical()
        .into_no_null_iter()
    {
        hash.update(at.to_le_bytes());
    }
    format!("{:x}", hash.finalize())
}

/// A field of `/proc/self/status` (`VmRSS:`, `VmHWM:`) in MiB, for the benchmarks' memory
/// measurements.
pub fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .expect("the field in /proc/self/status");
    let kib: f64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .expect("a number of kB");
    kib / 1024.0
}

/// W6's tag: one of the eight tags, stored as its name.
#[cfg(feature = "dataframe")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, result_serializers::Row)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    Red,
    Green,
    Blue,
    New,
    Sale,
    Hot,
    Eco,
    Pro,
}

#[cfg(feature = "dataframe")]
impl Tag {
    const ALL: [Tag; 8] = [
        Tag::Red,
        Tag::Green,
        Tag::Blue,
        Tag::New,
        Tag::Sale,
        Tag::Hot,
        Tag::Eco,
        Tag::Pro,
    ];

    pub fn name(self) -> &'static str {
        TAGS[self as usize]
    }
}

/// One record of W6 (typed rows): `bench_python.py`'s ten fields.
#[cfg(feature = "dataframe")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, result_serializers::Row)]
pub struct Row6 {
    pub id: i64,
    pub sensor: u16,
    pub name: String,
    pub value: f64,
    pub reading: Option<f64>,
    pub count: u32,
    pub flag: bool,
    pub tag: Tag,
    pub ts: chrono::DateTime<chrono::Utc>,
    pub note: Option<String>,
}

/// W6: the first `n` rows (the peer uses 200,000).
#[cfg(feature = "dataframe")]
pub fn rows6(n: u64) -> Vec<Row6> {
    let unit = |draw: u64| (draw >> 11) as f64 * 2f64.powi(-53);
    (0..n)
        .map(|i| Row6 {
            id: i as i64,
            sensor: (draw(30, i) % 65_536) as u16,
            name: name12(draw(31, i)),
            value: unit(draw(32, i)),
            reading: (!draw(33, i).is_multiple_of(10)).then(|| unit(draw(34, i))),
            count: (draw(35, i) % (1 << 32)) as u32,
            flag: (draw(36, i) >> 63) == 1,
            tag: Tag::ALL[(draw(37, i) & 7) as usize],
            ts: chrono::DateTime::from_timestamp_micros(BASE_US + (draw(38, i) % SPAN_US) as i64)
                .expect("within chrono's range"),
            note: (!draw(39, i).is_multiple_of(4)).then(|| name12(draw(39, i))[..8].to_owned()),
        })
        .collect()
}

/// W6's formatting-free fingerprint, as `bench_python.py` computes it.
#[cfg(feature = "dataframe")]
pub fn rows6_fingerprint(rows: &[Row6]) -> String {
    use sha2::{Digest, Sha256};

    let mut hash = Sha256::new();
    let joined = |text: Vec<&str>| text.join("\n");
    rows.iter()
        .for_each(|row| hash.update(row.id.to_le_bytes()));
    rows.iter()
        .for_each(|row| hash.update(row.sensor.to_le_bytes()));
    hash.update(joined(rows.iter().map(|row| row.name.as_str()).collect()).as_bytes());
    rows.iter()
        .for_each(|row| hash.update(row.value.to_le_bytes()));
    rows.iter()
        .for_each(|row| hash.update([u8::from(row.reading.is_some())]));
    rows.iter()
        .for_each(|row| hash.update(row.reading.unwrap_or(0.0).to_le_bytes()));
    rows.iter()
        .for_each(|row| hash.update(row.count.to_le_bytes()));
    rows.iter()
        .for_each(|row| hash.update([u8::from(row.flag)]));
    hash.update(joined(rows.iter().map(|row| row.tag.name()).collect()).as_bytes());
    rows.iter()
        .for_each(|row| hash.update(row.ts.timestamp_micros().to_le_bytes()));
    rows.iter()
        .for_each(|row| hash.update([u8::from(row.note.is_some())]));
    hash.update(
        joined(
            rows.iter()
                .map(|row| row.note.as_deref().unwrap_or(""))
                .collect(),
        )
        .as_bytes(),
    );
    format!("{:x}", hash.finalize())
}

/// The rows' own size in memory: the structs and the strings' heap bytes.
#[cfg(feature = "dataframe")]
pub fn rows6_bytes(rows: &[Row6]) -> usize {
    rows.iter()
        .map(|row| {
            size_of::<Row6>() + row.name.capacity() + row.note.as_ref().map_or(0, String::capacity)
        })
        .sum()
}
