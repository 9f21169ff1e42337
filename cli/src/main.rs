//! `result-serializers`: look at, check and clean up results stored with result-serializers,
//! on any store URL the library opens (`file://`, `s3://`, `az://`, `gs://`, `memory://`).
//!
//! ```text
//! result-serializers ls URL [PREFIX] [--json]
//! result-serializers show URL LOCATION [--raw] [--head N]
//! result-serializers verify URL [PREFIX]
//! result-serializers gc URL [PREFIX] [--dry-run] [--unreadable] [--older-than 10m]
//! result-serializers rm URL LOCATION...
//! ```
//!
//! The URL may be a plain path. Every command opens a store that exists and creates nothing
//! (a missing directory or bucket is an error naming it). A prefix is a folder: `p/a` holds
//! `p/a/b.json`, not `p/ab.json`. Every failure is one line on standard error and a non-zero
//! exit: 2 for an error (a bad URL, a missing store or location, output closed mid-way), 1 when
//! `verify` finds damage or `ls` meets records it cannot read.

mod render;

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use console::style;
use indicatif::{ProgressBar, ProgressStyle};
use result_serializers::store::{
    BlockingResultStore, GarbageOptions, Record, ResultStore, StoreError,
};

/// Look at, check and clean up stored results.
#[derive(Debug, Parser)]
#[command(name = "result-serializers", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// One line per stored result: location, serializer, Rust type, size, created, expires.
    Ls {
        /// The store: `file:///path`, `s3://bucket/prefix`, `az://...`, `gs://...`.
        url: String,
        /// Only results under this prefix.
        prefix: Option<String>,
        /// Print the records as a JSON array, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// A result's record, its checksum verified, and its value as a person reads it.
    Show {
        /// The store.
        url: String,
        /// The result's location.
        location: String,
        /// Write the stored bytes to standard output, unchanged.
        #[arg(long)]
        raw: bool,
        /// Show only the first N lines of the value (of a table: N rows, every column).
        #[arg(long, value_name = "N")]
        head: Option<usize>,
    },
    /// Check every result's record and checksum; exit 1 if any is damaged.
    Verify {
        /// The store.
        url: String,
        /// Only results under this prefix.
        prefix: Option<String>,
    },
    /// Remove expired results and what interrupted writes left behind, and the folders it
    /// leaves empty.
    Gc {
        /// The store.
        url: String,
        /// Only under this prefix.
        prefix: Option<String>,
        /// Say what would be removed, and remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also remove results whose record does not read (bytes and record).
        #[arg(long)]
        unreadable: bool,
        /// How old an unfinished write's temporary file must be to be taken (`30s`, `10m`,
        /// `2h`, `1d`).
        #[arg(long, value_name = "AGE", default_value = "10m", value_parser = parse_age)]
        older_than: std::time::Duration,
    },
    /// Remove results (bytes and record), each under its lock.
    Rm {
        /// The store.
        url: String,
        /// The results' locations.
        #[arg(required = true)]
        locations: Vec<String>,
    },
}

/// `30s`, `10m`, `2h`, `1d`.
fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not an age such as `30s`, `10m`, `2h` or `1d`"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{text}`: the unit is one of `s`, `m`, `h`, `d`")),
    };
    Ok(std::time::Duration::from_secs(
        number.saturating_mul(seconds),
    ))
}

/// Why the command failed.
#[derive(Debug)]
enum Failure {
    Store(StoreError),
    Output(io::Error),
    Damaged(usize),
    Unreadable(usize),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Store(err) => write!(f, "{err}"),
            Failure::Output(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                f.write_str("the output was closed before everything was written")
            }
            Failure::Output(err) => write!(f, "writing the output failed: {err}"),
            Failure::Damaged(count) => write!(f, "{} damaged", plural(*count, "result")),
            Failure::Unreadable(count) => write!(
                f,
                "{} could not be read (`gc --unreadable` removes them)",
                plural(*count, "record")
            ),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        Failure::Store(err)
    }
}

impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Output(err)
    }
}

fn main() -> ExitCode {
    // A table shows every column, whatever the terminal's width (polars would hide some), and
    // the rows `show --head` asks for.
    for (name, value) in [
        ("POLARS_FMT_MAX_COLS", "-1"),
        ("POLARS_FMT_MAX_ROWS", "-1"),
        // Wide enough that no column's name is folded onto two lines.
        ("POLARS_TABLE_WIDTH", "65535"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
    let cli = Cli::parse();
    let mut out = io::stdout().lock();
    match run(cli.command, &mut out).and_then(|()| out.flush().map_err(Failure::from)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Nothing else is printed: one line, whatever went wrong.
            let _ = writeln!(
                io::stderr(),
                "{} {failure}",
                style("error:").for_stderr().red().bold()
            );
            match failure {
                Failure::Damaged(_) | Failure::Unreadable(_) => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

fn run(command: Command, out: &mut impl Write) -> Result<(), Failure> {
    match command {
        Command::Ls { url, prefix, json } => ls(&open(&url)?, prefix.as_deref(), json, out),
        Command::Show {
            url,
            location,
            raw,
            head,
        } => show(&open(&url)?, &location, raw, head, out),
        Command::Verify { url, prefix } => verify(&open(&url)?, prefix.as_deref(), out),
        Command::Gc {
            url,
            prefix,
            dry_run,
            unreadable,
            older_than,
        } => {
            let options = GarbageOptions::new()
                .dry_run(dry_run)
                .unreadable_records(unreadable)
                .leftover_age(older_than);
            gc(&open(&url)?, prefix.as_deref(), &options, out)
        }
        Command::Rm { url, locations } => rm(&open(&url)?, &locations, out),
    }
}

/// The store at `url` (or a plain path), which must exist: nothing is created.
fn open(url: &str) -> Result<BlockingResultStore, Failure> {
    let runtime = tokio_runtime()?;
    let store = runtime.block_on(ResultStore::open(url))?;
    Ok(BlockingResultStore::new(store)?)
}

fn tokio_runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Failure::Output)
}

/// `1 result`, `2 results`.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn ls(
    store: &BlockingResultStore,
    prefix: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let locations = store.list(prefix.unwrap_or(""))?;
    let mut records = Vec::with_capacity(locations.len());
    let mut unreadable = 0;
    for location in &locations {
        match store.record(location) {
            Ok(record) => records.push((location.as_str(), record)),
            // Reported and skipped: one bad record does not hide the rest.
            Err(err) => {
                unreadable += 1;
                let _ = writeln!(
                    io::stderr(),
                    "{} {err}",
                    style("skipped:").for_stderr().yellow().bold()
                );
            }
        }
    }
    let now = chrono::Utc::now();
    if json {
        let entries: Vec<serde_json::Value> = records
            .iter()
            .map(|(location, record)| {
                let expired = record
                    .as_ref()
                    .is_some_and(|record| record.is_expired_at(now));
                serde_json::json!({ "location": location, "record": record, "expired": expired })
            })
            .collect();
        let text = serde_json::to_string_pretty(&entries)
            .map_err(|err| Failure::Output(io::Error::other(err)))?;
        writeln!(out, "{text}")?;
    } else {
        table(&records, now, out)?;
        let total: u64 = records
            .iter()
            .filter_map(|(_, record)| record.as_ref().map(|record| record.length))
            .sum();
        writeln!(
            out,
            "{}, {}",
            plural(records.len(), "result"),
            human_size(total)
        )?;
    }
    if unreadable > 0 {
        return Err(Failure::Unreadable(unreadable));
    }
    Ok(())
}

fn table(
    records: &[(&str, Option<Record>)],
    now: chrono::DateTime<chrono::Utc>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let rows: Vec<[String; 6]> = records
        .iter()
        .map(|(location, record)| match record {
            Some(record) => [
                (*location).to_owned(),
                record.serializer.clone(),
                record.type_name.clone(),
                human_size(record.length),
                record.created_at.clone(),
                expiry(record, now),
            ],
            None => [
                (*location).to_owned(),
                "-".into(),
                "(no record)".into(),
                "-".into(),
                "-".into(),
                "-".into(),
            ],
        })
        .collect();
    let header = [
        "LOCATION",
        "SERIALIZER",
        "TYPE",
        "SIZE",
        "CREATED",
        "EXPIRES",
    ]
    .map(String::from);
    let mut widths = header.clone().map(|cell| cell.len());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for (index, row) in std::iter::once(&header).chain(&rows).enumerate() {
        let line = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ");
        let line = line.trim_end();
        if index == 0 {
            writeln!(out, "{}", style(line).bold())?;
        } else {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// When a result expires, `(expired)` after it once it has.
fn expiry(record: &Record, now: chrono::DateTime<chrono::Utc>) -> String {
    match &record.expires_at {
        Some(at) if record.is_expired_at(now) => format!("{at} (expired)"),
        Some(at) => at.clone(),
        None => "-".into(),
    }
}

fn show(
    store: &BlockingResultStore,
    location: &str,
    raw: bool,
    head: Option<usize>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let (record, bytes) = store.read_bytes(location)?;
    if raw {
        out.write_all(&bytes)?;
        return Ok(());
    }
    writeln!(out, "{}  {location}", label("location"))?;
    let Some(record) = record else {
        writeln!(
            out,
            "{}  none: written by Prefect 1.x or another tool; its bytes follow",
            label("record")
        )?;
        writeln!(out)?;
        render::hex(&bytes, out)?;
        return Ok(());
    };
    describe(&record, chrono::Utc::now(), out)?;
    writeln!(
        out,
        "{}  {} ({} bytes, sha256 {})",
        label("checksum"),
        style("verified").green(),
        record.length,
        record.sha256
    )?;
    writeln!(out)?;
    render::value(&record.serializer, &record.format, &bytes, head, out)
}

fn describe(
    record: &Record,
    now: chrono::DateTime<chrono::Utc>,
    out: &mut impl Write,
) -> io::Result<()> {
    let expires = expiry(record, now);
    let rows = [
        ("serializer", record.serializer.as_str()),
        ("format", record.format.as_str()),
        ("type", record.type_name.as_str()),
        ("shape", record.shape.as_deref().unwrap_or("-")),
        ("created", record.created_at.as_str()),
        ("expires", expires.as_str()),
        ("written by", record.crate_version.as_str()),
    ];
    for (name, value) in rows {
        writeln!(out, "{}  {value}", label(name))?;
    }
    Ok(())
}

/// A field's name in `show`, bold, in a column of its own.
fn label(name: &str) -> console::StyledObject<String> {
    style(format!("{name:<10}")).bold()
}

fn verify(
    store: &BlockingResultStore,
    prefix: Option<&str>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let locations = store.list_all(prefix.unwrap_or(""))?;
    // Drawn on standard error only when it is a terminal.
    let progress = ProgressBar::new(locations.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut damaged = 0;
    for location in &locations {
        progress.set_message(location.clone());
        let verdict = match store.verify(location) {
            Ok(_) => format!("{}       {location}", style("ok").green()),
            Err(err) => {
                damaged += 1;
                format!(
                    "{}  {location}: {}",
                    style("damaged").red().bold(),
                    damage(&err)
                )
            }
        };
        // The bar is taken off the terminal while the line is written, then drawn below it.
        progress.suspend(|| writeln!(out, "{verdict}"))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    writeln!(
        out,
        "{} checked, {damaged} damaged",
        plural(locations.len(), "result")
    )?;
    if damaged > 0 {
        return Err(Failure::Damaged(damaged));
    }
    Ok(())
}

/// What is wrong with a result, without its location (the line names it).
fn damage(err: &StoreError) -> String {
    match err {
        StoreError::Corrupt { reason, .. } => reason.clone(),
        StoreError::NoRecord { .. } => {
            "no record: written by Prefect 1.x or another tool, or a record lost".into()
        }
        other => other.to_string(),
    }
}

fn gc(
    store: &BlockingResultStore,
    prefix: Option<&str>,
    options: &GarbageOptions,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let dry_run = options.is_dry_run();
    let found = store.collect_garbage_with(prefix.unwrap_or(""), options)?;
    let verb = if dry_run { "would remove" } else { "removed" };
    for garbage in &found {
        writeln!(out, "{verb}  {}  ({})", garbage.location(), garbage.kind())?;
    }
    if dry_run {
        writeln!(out, "{} found; nothing removed (--dry-run)", found.len())?;
    } else {
        writeln!(out, "{} removed", found.len())?;
    }
    Ok(())
}

fn rm(
    store: &BlockingResultStore,
    locations: &[String],
    out: &mut impl Write,
) -> Result<(), Failure> {
    for location in locations {
        if !store.exists(location)? {
            return Err(Failure::Store(StoreError::NotFound {
                location: location.clone(),
            }));
        }
        store.delete(location)?;
        writeln!(out, "removed  {location}")?;
    }
    Ok(())
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS.get(unit).unwrap_or(&"TiB"))
}
