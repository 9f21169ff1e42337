//! Persists the results of a small pipeline run to files, one serializer per type, and loads
//! them back.
//!
//! ```text
//! cargo run --example quickstart --features dataframe [DIRECTORY]
//! ```
//!
//! Files go to `DIRECTORY`, by default `target/quickstart-results`.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use result_serializers::polars::prelude::{df, DataFrame};
use result_serializers::{Error, Operation, ResultSerializer, Serializer};
use serde::{Deserialize, Serialize};

/// What a run computed: readable JSON, as Prefect's `JSONSerializer` wrote it.
#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(pretty))]
struct RunSummary {
    flow: String,
    rows: u64,
    mean_latency_ms: f64,
    failed_tasks: Vec<String>,
}

/// Raw readings, many of them: compact binary (postcard), where Prefect used pickle.
#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Readings(Vec<Reading>);

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Reading {
    sensor: u16,
    value: f32,
    flagged: bool,
}

/// When the run finished: ISO 8601 text, as Prefect's `DateTimeSerializer` wrote it.
#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct FinishedAt(DateTime<Utc>);

/// When the next run is due, in the operator's local offset.
#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct NextRunLocal(DateTime<FixedOffset>);

/// Per-sensor statistics as a table: Parquet with zstd, which pandas reads as well.
#[derive(Debug, ResultSerializer)]
#[serializer(dataframe(file_type = "parquet", compression = "zstd", level = 3))]
struct SensorStats(DataFrame);

impl PartialEq for SensorStats {
    fn eq(&self, other: &Self) -> bool {
        self.0.equals_missing(&other.0)
    }
}

/// A serializer of our own, the way a Prefect user subclassed `Serializer`: tab-separated
/// `sensor<TAB>threshold` lines.
#[derive(Debug, Default, PartialEq)]
struct ThresholdsTsv;

/// Alert thresholds per sensor, written by [`ThresholdsTsv`].
#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(with = ThresholdsTsv)]
struct Thresholds(Vec<(u16, f32)>);

impl Serializer<Thresholds> for ThresholdsTsv {
    fn serialize(&self, value: &Thresholds) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        for (sensor, threshold) in &value.0 {
            writeln!(out, "{sensor}\t{threshold}")
                .map_err(|err| Error::io("tsv", Operation::Serialize, err))?;
        }
        Ok(out)
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<Thresholds, Error> {
        let fail = |message: String| Error::custom("tsv", Operation::Deserialize, message);
        let text = std::str::from_utf8(bytes).map_err(|err| fail(err.to_string()))?;
        text.lines()
            .map(|line| {
                let (sensor, threshold) = line
                    .split_once('\t')
                    .ok_or_else(|| fail(format!("no tab in line `{line}`")))?;
                let sensor = sensor
                    .parse()
                    .map_err(|_| fail(format!("bad sensor `{sensor}`")))?;
                let threshold = threshold
                    .parse()
                    .map_err(|_| fail(format!("bad threshold `{threshold}`")))?;
                Ok((sensor, threshold))
            })
            .collect::<Result<_, _>>()
            .map(Thresholds)
    }

    fn name(&self) -> &'static str {
        "tsv"
    }
}

/// Writes `value` to `dir/file`, reads it back, checks it is the same value, and reports.
fn persist_and_reload<T>(
    dir: &Path,
    file: &str,
    value: &T,
) -> Result<(), Box<dyn std::error::Error>>
where
    T: ResultSerializer + PartialEq + std::fmt::Debug,
{
    let path = dir.join(file);
    // Atomic: a crash leaves the previous file or this one, never half of it.
    value.save(&path)?;
    let loaded = T::load(&path)?;
    if &loaded != value {
        return Err(format!("{} did not load back as it was written", path.display()).into());
    }
    let bytes = std::fs::read(&path)?;
    let preview: String = match std::str::from_utf8(&bytes) {
        Ok(text) => text.split_whitespace().collect::<Vec<_>>().join(" "),
        Err(_) => bytes.iter().take(12).map(|b| format!("{b:02x} ")).collect(),
    };
    let preview: String = preview.chars().take(48).collect();
    println!(
        "  {:<20} {:>6} bytes  {:<19} {preview}",
        file,
        bytes.len(),
        std::any::type_name::<T::Serializer>()
            .rsplit("::")
            .next()
            .unwrap_or_default(),
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/quickstart-results"), PathBuf::from);
    std::fs::create_dir_all(&dir)?;

    let finished = Utc
        .with_ymd_and_hms(2026, 11, 24, 6, 30, 0)
        .single()
        .ok_or("bad date")?;
    let operator = FixedOffset::east_opt(5 * 3600 + 1800).ok_or("bad offset")?;
    let readings: Vec<Reading> = (0..1_000)
        .map(|i| Reading {
            sensor: (i % 16) as u16,
            value: (i as f32).sin() * 10.0,
            flagged: i % 97 == 0,
        })
        .collect();
    let mean = readings.iter().map(|r| f64::from(r.value)).sum::<f64>() / readings.len() as f64;

    println!("persisting results to {}", dir.display());
    persist_and_reload(
        &dir,
        "summary.json",
        &RunSummary {
            flow: "sensor-etl".into(),
            rows: readings.len() as u64,
            mean_latency_ms: mean,
            failed_tasks: vec!["upload-archive".into()],
        },
    )?;
    let mut by_sensor = vec![(0u32, 0f64); 16];
    for reading in &readings {
        if let Some(entry) = by_sensor.get_mut(usize::from(reading.sensor)) {
            entry.0 += 1;
            entry.1 += f64::from(reading.value);
        }
    }
    let stats = SensorStats(df!(
        "sensor" => (0..16u32).collect::<Vec<_>>(),
        "count" => by_sensor.iter().map(|(count, _)| *count).collect::<Vec<_>>(),
        "mean" => by_sensor.iter().map(|(count, sum)| sum / f64::from(*count)).collect::<Vec<_>>(),
    )?);
    persist_and_reload(&dir, "readings.bin", &Readings(readings))?;
    persist_and_reload(&dir, "sensor_stats.parquet", &stats)?;
    persist_and_reload(&dir, "finished_at.txt", &FinishedAt(finished))?;
    persist_and_reload(
        &dir,
        "next_run_local.txt",
        &NextRunLocal((finished + chrono::Duration::hours(24)).with_timezone(&operator)),
    )?;
    persist_and_reload(
        &dir,
        "thresholds.tsv",
        &Thresholds(vec![(0, 9.5), (1, 8.25), (15, 10.0)]),
    )?;

    // A result written by Prefect 1.x's DateTimeSerializer loads into the same type.
    let from_prefect = FinishedAt::from_result_bytes(b"2026-11-24T12:00:00+05:30")?;
    println!(
        "read Prefect's `2026-11-24T12:00:00+05:30` as {}",
        from_prefect.0
    );

    // Corrupt bytes are an error that names the serializer, never a panic or a wrong value.
    let err = Readings::from_result_bytes(&[0xff, 0xff, 0xff])
        .err()
        .ok_or("expected an error")?;
    println!("reading corrupt bytes fails cleanly: {err}");
    println!("all results loaded back unchanged");
    Ok(())
}
