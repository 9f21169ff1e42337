//! `result-serializers`: look at, check and clean up results stored with result-serializers,
//! on any store URL the library opens (`file://`, `s3://`, `az://`, `gs://`, `memory://`).
//!
//! ```text
//! result-serializers ls URL [PREFIX] [--json]
//! result-serializers show URL LOCATION [--raw]
//! result-serializers verify URL [PREFIX]
//! result-serializers gc URL [PREFIX] [--dry-run]
//! ```
//!
//! Every failure is one line on standard error and a non-zero exit: 2 for an error (a bad URL,
//! a missing location, a corrupt record, output closed mid-way), 1 when `verify` finds damage.

mod render;

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use console::style;
use indicatif::{ProgressBar, ProgressStyle};
use result_serializers::store::{BlockingResultStore, Record, ResultStore, StoreError};

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
    },
    /// Check every result's record and checksum; exit 1 if any is damaged.
    Verify {
        /// The store.
        url: String,
        /// Only results under this prefix.
        prefix: Option<String>,
    },
    /// Remove expired results and what interrupted writes left behind.
    Gc {
        /// The store.
        url: String,
        /// Only under this prefix.
        prefix: Option<String>,
        /// Say what would be removed, and remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Why the command failed.
#[derive(Debug)]
enum Failure {
    Store(StoreError),
    Output(io::Error),
    Damaged(usize),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Store(err) => write!(f, "{err}"),
            Failure::Output(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                f.write_str("the output was closed before everything was written")
            }
            Failure::Output(err) => write!(f, "writing the output failed: {err}"),
            Failure::Damaged(count) => write!(f, "{count} damaged result(s)"),
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
    let cli = Cli::parse();
    let mut out = io::stdout().lock();
    match run(cli.command, &mut out).and_then(|()| out.flush().map_err(Failure::from)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Nothing else is printed: one line, whatever went wrong.
            let _ = writeln!(io::stderr(), "{} {failure}", style("error:").red().bold());
            match failure {
                Failure::Damaged(_) => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

fn run(command: Command, out: &mut impl Write) -> Result<(), Failure> {
    match command {
        Command::Ls { url, prefix, json } => ls(&open(&url)?, prefix.as_deref(), json, out),
        Command::Show { url, location, raw } => show(&open(&url)?, &location, raw, out),
        Command::Verify { url, prefix } => verify(&open(&url)?, prefix.as_deref(), out),
        Command::Gc {
            url,
            prefix,
            dry_run,
        } => gc(&open(&url)?, prefix.as_deref(), dry_run, out),
    }
}

fn open(url: &str) -> Result<BlockingResultStore, Failure> {
    Ok(BlockingResultStore::new(ResultStore::from_url(url)?)?)
}

fn ls(
    store: &BlockingResultStore,
    prefix: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let locations = store.list(prefix.unwrap_or_default())?;
    let records = locations
        .iter()
        .map(|location| Ok((location.as_str(), store.record(location)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    if json {
        let entries: Vec<serde_json::Value> = records
            .iter()
            .map(|(location, record)| serde_json::json!({ "location": location, "record": record }))
            .collect();
        let text = serde_json::to_string_pretty(&entries).unwrap_or_default();
        writeln!(out, "{text}")?;
        return Ok(());
    }
    let rows: Vec<[String; 6]> = records
        .iter()
        .map(|(location, record)| match record {
            Some(record) => [
                (*location).to_owned(),
                record.serializer.clone(),
                record.type_name.clone(),
                human_size(record.length),
                record.created_at.clone(),
                record.expires_at.clone().unwrap_or_else(|| "-".into()),
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

fn show(
    store: &BlockingResultStore,
    location: &str,
    raw: bool,
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
    describe(&record, out)?;
    writeln!(
        out,
        "{}  {} ({} bytes, sha256 {})",
        label("checksum"),
        style("verified").green(),
        record.length,
        record.sha256
    )?;
    writeln!(out)?;
    render::value(&record.serializer, &record.format, &bytes, out)
}

fn describe(record: &Record, out: &mut impl Write) -> io::Result<()> {
    let rows = [
        ("serializer", record.serializer.as_str()),
        ("format", record.format.as_str()),
        ("type", record.type_name.as_str()),
        ("shape", record.shape.as_deref().unwrap_or("-")),
        ("created", record.created_at.as_str()),
        ("expires", record.expires_at.as_deref().unwrap_or("-")),
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
    let locations = store.list(prefix.unwrap_or_default())?;
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
                format!("{}  {location}: {err}", style("damaged").red().bold())
            }
        };
        // The bar is taken off the terminal while the line is written, then drawn below it.
        progress.suspend(|| writeln!(out, "{verdict}"))?;
        progress.inc(1);
    }
    progress.finish_and_clear();
    writeln!(
        out,
        "{} result(s) checked, {damaged} damaged",
        locations.len()
    )?;
    if damaged > 0 {
        return Err(Failure::Damaged(damaged));
    }
    Ok(())
}

fn gc(
    store: &BlockingResultStore,
    prefix: Option<&str>,
    dry_run: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let found = store.collect_garbage(prefix.unwrap_or_default(), dry_run)?;
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
