//! A small pipeline whose steps persist their results in a local result store, one serializer
//! per type. Run it again and each step loads its stored result instead of recomputing it.
//!
//! ```text
//! cargo run --example quickstart --features dataframe,store [DIRECTORY]
//! ```
//!
//! Results go to `DIRECTORY`, by default `target/quickstart-results`.

use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use result_serializers::polars::prelude::{df, DataFrame};
use result_serializers::store::{BlockingResultStore, ResultStore, Template};
use result_serializers::Row;
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

/// Raw readings, many of them, as a table: one row per reading, a column per field, in
/// Parquet that pandas, polars and duckdb open.
#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(rows(file_type = "parquet", compression = "zstd", level = 3))]
struct Readings(Vec<Reading>);

#[derive(Debug, PartialEq, Row)]
struct Reading {
    sensor: u16,
    value: f32,
    flagged: bool,
    at: DateTime<Utc>,
}

/// Raw readings kept compact where only Rust reads them: postcard, where Prefect used pickle.
#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Flagged(Vec<(u16, f32)>);

/// When the run finished: ISO 8601 text, as Prefect's `DateTimeSerializer` wrote it.
#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct FinishedAt(DateTime<Utc>);

/// When the next run is due, in the operator's local offset.
#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct NextRunLocal(DateTime<FixedOffset>);

/// Per-sensor statistics as a polars DataFrame, built from the readings' table: Parquet with
/// zstd, which pandas reads as well.
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

/// What a step's computation fails with.
type StepError = Box<dyn std::error::Error + Send + Sync>;

/// Runs one step of the pipeline, or loads its result when an earlier run stored it: the
/// store's `get_or_compute`, which also keeps two workers from computing the same step.
fn step<T: ResultSerializer>(
    store: &BlockingResultStore,
    location: &str,
    compute: impl FnOnce() -> Result<T, StepError>,
) -> Result<T, StepError> {
    let mut computed = false;
    let value = store.get_or_compute(location, || {
        computed = true;
        compute()
    })?;
    if computed {
        let record = store.record(location)?.ok_or("no record after a write")?;
        println!(
            "  {location:<44} computed and stored: {:>5} bytes by the {} serializer",
            record.length, record.serializer
        );
    } else {
        println!("  {location:<44} loaded from the store, not recomputed");
    }
    Ok(value)
}

fn main() -> Result<(), StepError> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/quickstart-results"), PathBuf::from);
    let store = BlockingResultStore::new(ResultStore::local(&dir)?)?;
    let location = Template::new("{flow}/{date}/{task}.{extension}")?;
    let at = |task: &str, extension: &str| {
        location.render([
            ("flow", "sensor-etl"),
            ("date", "2026-11-24"),
            ("task", task),
            ("extension", extension),
        ])
    };
    println!("results in {}", dir.display());

    let start = Utc
        .with_ymd_and_hms(2026, 11, 24, 0, 0, 0)
        .single()
        .ok_or("bad date")?;
    let readings: Readings = step(&store, &at("readings", "parquet")?, || {
        Ok(Readings(
            (0..1_000)
                .map(|i| Reading {
                    sensor: (i % 16) as u16,
                    value: (i as f32).sin() * 10.0,
                    flagged: i % 97 == 0,
                    at: start + chrono::Duration::seconds(i64::from(i) * 60),
                })
                .collect(),
        ))
    })?;
    let flagged: Flagged = step(&store, &at("flagged", "bin")?, || {
        Ok(Flagged(
            readings
                .0
                .iter()
                .filter(|reading| reading.flagged)
                .map(|reading| (reading.sensor, reading.value))
                .collect(),
        ))
    })?;
    let stats: SensorStats = step(&store, &at("sensor-stats", "parquet")?, || {
        // The readings' own table: one column per field of `Reading`.
        let table = Reading::to_frame(&readings.0)?;
        let sensors = table.column("sensor")?.u16()?;
        let values = table.column("value")?.f32()?;
        let mut by_sensor = vec![(0u32, 0f64); 16];
        for (sensor, value) in sensors.into_no_null_iter().zip(values.into_no_null_iter()) {
            if let Some(entry) = by_sensor.get_mut(usize::from(sensor)) {
                entry.0 += 1;
                entry.1 += f64::from(value);
            }
        }
        Ok(SensorStats(df!(
            "sensor" => (0..16u32).collect::<Vec<_>>(),
            "count" => by_sensor.iter().map(|(count, _)| *count).collect::<Vec<_>>(),
            "mean" => by_sensor.iter().map(|(count, sum)| sum / f64::from(*count)).collect::<Vec<_>>(),
        )?))
    })?;
    let summary: RunSummary = step(&store, &at("summary", "json")?, || {
        let values = &readings.0;
        Ok(RunSummary {
            flow: "sensor-etl".into(),
            rows: values.len() as u64,
            mean_latency_ms: values.iter().map(|r| f64::from(r.value)).sum::<f64>()
                / values.len() as f64,
            failed_tasks: vec!["upload-archive".into()],
        })
    })?;
    let thresholds: Thresholds = step(&store, &at("thresholds", "tsv")?, || {
        Ok(Thresholds(vec![(0, 9.5), (1, 8.25), (15, 10.0)]))
    })?;
    let finished: FinishedAt = step(&store, &at("finished-at", "txt")?, || {
        Ok(FinishedAt(
            Utc.with_ymd_and_hms(2026, 11, 24, 6, 30, 0)
                .single()
                .ok_or("bad date")?,
        ))
    })?;
    let next: NextRunLocal = step(&store, &at("next-run", "txt")?, || {
        let operator = FixedOffset::east_opt(5 * 3600 + 1800).ok_or("bad offset")?;
        Ok(NextRunLocal(
            (finished.0 + chrono::Duration::hours(24)).with_timezone(&operator),
        ))
    })?;
    println!(
        "{} rows from {} sensors, {} flagged, {} thresholds; finished {}, next run {}",
        summary.rows,
        stats.0.height(),
        flagged.0.len(),
        thresholds.0.len(),
        finished.0,
        next.0
    );

    // Reading a result with another type's serializer is refused by its record.
    let wrong = store.read::<Flagged>(&at("summary", "json")?);
    println!(
        "reading the summary as binary flagged readings fails cleanly: {}",
        wrong.err().ok_or("expected an error")?
    );
    // A result written by Prefect 1.x's DateTimeSerializer loads into the same type.
    let from_prefect = FinishedAt::from_result_bytes(b"2026-11-24T12:00:00+05:30")?;
    println!(
        "read Prefect's `2026-11-24T12:00:00+05:30` as {}",
        from_prefect.0
    );
    Ok(())
}
