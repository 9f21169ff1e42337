//! The command line as a program: the built binary run against fixture stores (local, and
//! moto's S3 server), its output compared with snapshots (`cli/tests/snapshots/`), errors
//! included, and once in a real terminal (`script` gives it a pty) for its colors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../tests/common/venv.rs"]
#[allow(dead_code)]
mod venv;

#[path = "../../tests/common/server.rs"]
#[allow(dead_code)]
mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use object_store::{ObjectStore, ObjectStoreExt};
use result_serializers::store::{BlockingResultStore, ResultStore, WriteOptions};
use result_serializers::{ResultSerializer, Row};
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(pretty))]
struct Summary {
    flow: String,
    rows: u64,
    failed_tasks: Vec<String>,
}

#[derive(Debug, PartialEq, Row)]
struct Reading {
    sensor: u16,
    value: Option<f64>,
    ok: bool,
}

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(rows(file_type = "parquet"))]
struct Readings(Vec<Reading>);

#[derive(Debug, PartialEq, ResultSerializer)]
#[serializer(datetime)]
struct FinishedAt(chrono::DateTime<Utc>);

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(pickle)]
struct Counts(std::collections::BTreeMap<String, i64>);

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Blob(Vec<u32>);

#[derive(Debug, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json, compress = "gzip")]
struct Packed(Vec<String>);

fn summary() -> Summary {
    Summary {
        flow: "etl".into(),
        rows: 3,
        failed_tasks: vec!["upload".into()],
    }
}

/// Every kind of result, an expired one, and bytes without a record, in `store`.
fn fill(store: &BlockingResultStore) {
    store.write(&summary(), "runs/summary.json").unwrap();
    let readings = Readings(
        (0..12)
            .map(|i| Reading {
                sensor: i,
                value: (i % 3 != 0).then_some(f64::from(i) / 4.0),
                ok: i % 2 == 0,
            })
            .collect(),
    );
    store.write(&readings, "runs/readings.parquet").unwrap();
    let finished = FinishedAt(Utc.with_ymd_and_hms(2026, 11, 24, 6, 30, 0).unwrap());
    store.write(&finished, "runs/finished.txt").unwrap();
    let counts = Counts([("ok".to_owned(), 7), ("failed".to_owned(), 1)].into());
    store.write(&counts, "runs/counts.pickle").unwrap();
    store
        .write(&Blob(vec![1, 2, 300]), "runs/blob.bin")
        .unwrap();
    store
        .write(&Packed(vec!["a".into(), "b".into()]), "runs/packed.json.gz")
        .unwrap();
    let expired = WriteOptions::new().expires_in(Duration::ZERO);
    store
        .write_with_options(&summary(), "old/expired.json", &expired)
        .unwrap();
}

/// A local store of `name`, filled, with a Prefect 1.x file (no record) beside the results.
fn local(name: &str) -> (PathBuf, String) {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("prefect")).unwrap();
    std::fs::write(root.join("prefect/legacy.json"), br#"{"rows": 3}"#).unwrap();
    let url = format!("file://{}", root.display());
    fill(&BlockingResultStore::new(ResultStore::from_url(&url).unwrap()).unwrap());
    (root, url)
}

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_result-serializers"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '-' || c == '_' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

macro_rules! snapshot {
    ($name:expr, $text:expr, $root:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(&regex_escape($root), "[STORE]");
        settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIME]");
        settings.add_filter(r"written by  \S+", "written by  [VERSION]");
        settings.bind(|| insta::assert_snapshot!($name, $text));
    }};
}

#[test]
fn ls_lists_every_result_and_its_record() {
    let (root, url) = local("ls");
    let root = root.display().to_string();
    let output = cli(&["ls", &url]);
    assert!(output.status.success(), "{}", stderr(&output));
    snapshot!("ls", stdout(&output), &root);

    let output = cli(&["ls", &url, "runs", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(entries.len(), 6);
    let summary = entries
        .iter()
        .find(|entry| entry["location"] == "runs/summary.json")
        .unwrap();
    assert_eq!(summary["record"]["serializer"], "json");
    assert_eq!(summary["record"]["type_name"], "cli::Summary");
}

#[test]
fn show_displays_each_kind_as_a_person_reads_it() {
    let (root, url) = local("show");
    let root = root.display().to_string();
    for (name, location) in [
        ("show-json", "runs/summary.json"),
        ("show-rows", "runs/readings.parquet"),
        ("show-datetime", "runs/finished.txt"),
        ("show-pickle", "runs/counts.pickle"),
        ("show-binary", "runs/blob.bin"),
        ("show-compressed", "runs/packed.json.gz"),
        ("show-no-record", "prefect/legacy.json"),
    ] {
        let output = cli(&["show", &url, location]);
        assert!(output.status.success(), "{location}: {}", stderr(&output));
        snapshot!(name, stdout(&output), &root);
    }
    let raw = cli(&["show", &url, "runs/readings.parquet", "--raw"]);
    assert!(raw.status.success());
    assert_eq!(
        raw.stdout,
        std::fs::read(Path::new(&root).join("runs/readings.parquet")).unwrap()
    );
}

#[test]
fn verify_names_each_damaged_result_and_fails() {
    let (root, url) = local("verify");
    let root_text = root.display().to_string();
    let output = cli(&["verify", &url, "runs"]);
    assert!(output.status.success(), "{}", stderr(&output));
    snapshot!("verify-ok", stdout(&output), &root_text);

    // One flipped byte and one record that is not JSON.
    let path = root.join("runs/blob.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    std::fs::write(root.join(".records/runs/finished.txt.json"), b"{not json").unwrap();
    let output = cli(&["verify", &url, "runs"]);
    assert_eq!(output.status.code(), Some(1));
    snapshot!("verify-damaged", stdout(&output), &root_text);
    assert_eq!(stderr(&output), "error: 2 results damaged\n");
}

#[test]
fn gc_removes_what_no_reader_needs() {
    let (root, url) = local("gc");
    let root_text = root.display().to_string();
    // A record whose bytes are gone.
    std::fs::remove_file(root.join("runs/blob.bin")).unwrap();
    let output = cli(&["gc", &url, "--dry-run"]);
    assert!(output.status.success(), "{}", stderr(&output));
    snapshot!("gc-dry-run", stdout(&output), &root_text);
    assert!(root.join("old/expired.json").exists());

    let output = cli(&["gc", &url]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!root.join("old/expired.json").exists());
    assert!(!root.join(".records/old/expired.json.json").exists());
    assert!(!root.join(".records/runs/blob.bin.json").exists());
    let listed = stdout(&cli(&["ls", &url]));
    assert!(!listed.contains("old/expired.json"), "{listed}");
    assert!(listed.contains("runs/summary.json"), "{listed}");
}

#[test]
fn bad_input_is_one_line_and_a_failing_exit() {
    let (root, url) = local("errors");
    let root_text = root.display().to_string();
    std::fs::write(root.join(".records/runs/summary.json.json"), b"{not json").unwrap();
    let cases = [
        ("error-bad-url", vec!["ls", "nope://bucket"]),
        (
            "error-missing",
            vec!["show", url.as_str(), "runs/missing.json"],
        ),
        (
            "error-corrupt-record",
            vec!["show", url.as_str(), "runs/summary.json"],
        ),
        (
            "error-escaping-location",
            vec!["show", url.as_str(), "../outside.json"],
        ),
    ];
    for (name, args) in cases {
        let output = cli(&args);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(output.stdout.is_empty(), "{name}");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{name}: {message}");
        assert!(!message.contains("panicked"), "{name}: {message}");
        snapshot!(name, message, &root_text);
    }
}

#[test]
fn output_closed_midway_is_one_line_not_a_panic() {
    let (_, url) = local("pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_result-serializers"))
        .args(["show", &url, "runs/readings.parquet"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the command writes.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: the output was closed before everything was written\n"
    );
}

/// In a terminal, `verify` colors its verdicts; into a pipe it does not.
#[test]
fn a_terminal_gets_colors_and_a_pipe_does_not() {
    let (_, url) = local("terminal");
    let binary = env!("CARGO_BIN_EXE_result-serializers");
    let output = Command::new("script")
        .args(["-qec", &format!("{binary} verify {url} runs"), "/dev/null"])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .env("CLICOLOR_FORCE", "0")
        .output()
        .expect("`script` (util-linux) gives the command a terminal");
    assert!(output.status.success(), "{}", stderr(&output));
    let shown = stdout(&output);
    assert!(shown.contains("\u{1b}[32mok\u{1b}[0m"), "{shown:?}");
    // The progress bar is drawn on the terminal (standard error, which `script` merges), with
    // the count of results, and each verdict starts a line of its own rather than after it.
    assert!(shown.contains("0/6 runs/blob.bin"), "{shown:?}");
    assert!(shown.contains("\u{2588} 6/6"), "{shown:?}");
    let verdicts: Vec<&str> = shown
        .split("\r\n")
        .filter_map(|line| line.rsplit("\u{1b}[2K").next())
        .filter(|verdict| verdict.contains("ok\u{1b}[0m"))
        .collect();
    assert_eq!(verdicts.len(), 6, "{shown:?}");
    for verdict in verdicts {
        assert!(verdict.starts_with("\u{1b}[32mok"), "{verdict:?}");
    }

    let piped = Command::new(binary)
        .args(["verify", &url, "runs"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!stdout(&piped).contains('\u{1b}'));
    assert_eq!(stderr(&piped), "", "no progress bar into a pipe");

    // Standard output a terminal, standard error a file: the error is not colored, as its
    // own stream is no terminal.
    let err_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-terminal-stderr.txt");
    let _ = std::fs::remove_file(&err_file);
    let output = Command::new("script")
        .args([
            "-qec",
            &format!("{binary} show {url} missing.json 2>{}", err_file.display()),
            "/dev/null",
        ])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .env("CLICOLOR_FORCE", "0")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let written = std::fs::read_to_string(&err_file).unwrap();
    assert_eq!(written, "error: no result at `missing.json`\n");
}

/// moto's S3 server on loopback with the bucket `bucket`, and the environment that points
/// `object_store` (in this process and the commands it runs) at it.
fn moto(bucket: &str) -> (server::Server, [(&'static str, String); 5]) {
    let venv = venv::venv("moto-venv", "../tests/interop/requirements-s3.txt");
    let server = server::start("moto", |port| {
        let mut command = Command::new(venv.join("bin/moto_server"));
        command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
        command
    });
    let port = server.port;
    let created = server::request(port, &format!("PUT /{bucket} HTTP/1.1"), "");
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");
    let env = [
        ("AWS_ENDPOINT", format!("http://127.0.0.1:{port}")),
        ("AWS_ALLOW_HTTP", "true".to_owned()),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
    ];
    for (key, value) in &env {
        std::env::set_var(key, value);
    }
    (server, env)
}

/// The same commands against moto's S3 server, started on loopback.
#[test]
fn the_commands_work_on_s3() {
    let (server, env) = moto("cli");
    let url = "s3://cli/results";
    fill(&BlockingResultStore::new(ResultStore::from_url(url).unwrap()).unwrap());
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_result-serializers"))
            .args(args)
            .envs(env.iter().map(|(key, value)| (key, value)))
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let listed = run(&["ls", url, "runs"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(stdout(&listed).lines().count(), 8, "{}", stdout(&listed));
    let shown = run(&["show", url, "runs/summary.json"]);
    assert!(
        stdout(&shown).contains("\"failed_tasks\": ["),
        "{}",
        stdout(&shown)
    );
    let verified = run(&["verify", url]);
    assert!(verified.status.success(), "{}", stdout(&verified));
    assert!(stdout(&verified).contains("7 results checked, 0 damaged"));
    let collected = run(&["gc", url]);
    assert!(
        stdout(&collected).contains("old/expired.json  (expired)"),
        "{}",
        stdout(&collected)
    );
    drop(server);
}

/// A store an operator works on: `url` (a local directory or an S3 prefix) and the commands
/// run against it, with the environment they need.
struct Operator<'a> {
    url: String,
    env: &'a [(&'a str, String)],
}

impl Operator<'_> {
    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_result-serializers"));
        command
            .args(args)
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .env("NO_COLOR", "1");
        command.output().unwrap()
    }

    fn store(&self) -> BlockingResultStore {
        BlockingResultStore::new(ResultStore::from_url(&self.url).unwrap()).unwrap()
    }
}

/// A digest of every file under `dir` (paths and contents): what a read-only command must
/// leave as it was.
fn tree_digest(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.push((path.clone(), Vec::new()));
                pending.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// The numbered points of an operator's session, on any store: `gc` never touches a result,
/// prefixes are folders, `verify` walks records and bytes, a bad record is skipped by `ls` and
/// removable, and each answer says what it is about.
fn operate(operator: &Operator<'_>, local_root: Option<&Path>) {
    let url = operator.url.as_str();
    let store = operator.store();
    fill(&store);
    // 1. A result whose name is a staging name cannot be written; one named like it is never
    //    garbage, however old.
    let err = store.write(&summary(), "live/.cache.tmp").unwrap_err();
    assert!(err.to_string().contains("unfinished writes"), "{err}");
    store.write(&summary(), "live/cache.tmp").unwrap();
    let collected = operator.run(&["gc", url, "--older-than", "0s"]);
    assert!(collected.status.success(), "{}", stderr(&collected));
    assert!(
        !stdout(&collected).contains("live/"),
        "{}",
        stdout(&collected)
    );
    assert_eq!(store.read::<Summary>("live/cache.tmp").unwrap(), summary());

    // 2. A prefix is a folder, the same for ls, verify and gc; a trailing slash is the same.
    let expiring = WriteOptions::new().expires_in(Duration::ZERO);
    for location in ["p/a/old.json", "p/ab/old.json", "p/a2.json"] {
        store
            .write_with_options(&summary(), location, &expiring)
            .unwrap();
    }
    let listed = operator.run(&["ls", url, "p/a/"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).contains("p/a/old.json"));
    assert!(!stdout(&listed).contains("p/ab/") && !stdout(&listed).contains("p/a2"));
    let verified = operator.run(&["verify", url, "p/a"]);
    assert!(
        stdout(&verified).contains("1 result checked"),
        "{}",
        stdout(&verified)
    );
    let dry = operator.run(&["gc", url, "p/a", "--dry-run"]);
    assert!(
        stdout(&dry).contains("would remove  p/a/old.json  (expired)")
            && !stdout(&dry).contains("p/ab/")
            && !stdout(&dry).contains("p/a2"),
        "{}",
        stdout(&dry)
    );
    let removed = operator.run(&["gc", url, "p/a"]);
    assert!(
        stdout(&removed).contains("1 removed"),
        "{}",
        stdout(&removed)
    );
    assert!(store.exists("p/ab/old.json").unwrap() && store.exists("p/a2.json").unwrap());
    if let Some(root) = local_root {
        assert!(!root.join("p/a").exists(), "gc leaves no empty folder");
    }

    // 4. A result whose bytes are gone is damage `verify` names.
    store.write(&summary(), "runs/gone.json").unwrap();
    on_backend(&store, |backend| async move {
        backend.delete(&"runs/gone.json".into()).await
    });
    let verified = operator.run(&["verify", url, "runs"]);
    assert_eq!(verified.status.code(), Some(1));
    assert!(
        stdout(&verified)
            .contains("damaged  runs/gone.json: its record is there, but its bytes are missing"),
        "{}",
        stdout(&verified)
    );

    // 5. One unreadable record: `ls` reports it, lists the rest and exits 1; `gc --unreadable`
    //    removes it; `rm` removes a result.
    put(&store, ".records/runs/summary.json.json", b"{not json");
    let listed = operator.run(&["ls", url]);
    assert_eq!(listed.status.code(), Some(1), "{}", stderr(&listed));
    assert!(
        stdout(&listed).contains("runs/counts.pickle"),
        "{}",
        stdout(&listed)
    );
    assert!(
        stderr(&listed).contains("skipped: result at `runs/summary.json` is corrupt"),
        "{}",
        stderr(&listed)
    );
    let cleaned = operator.run(&["gc", url, "runs", "--unreadable"]);
    assert!(
        stdout(&cleaned).contains("removed  runs/summary.json  (unreadable record)"),
        "{}",
        stdout(&cleaned)
    );
    assert!(!store.exists("runs/summary.json").unwrap());
    let removed = operator.run(&["rm", url, "runs/blob.bin"]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert!(!store.exists("runs/blob.bin").unwrap());
    let missing = operator.run(&["rm", url, "runs/blob.bin"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(stderr(&missing), "error: no result at `runs/blob.bin`\n");

    // 9. Expired results say so; `ls` counts; `show --head` cuts a long value.
    store
        .write_with_options(&summary(), "old/again.json", &expiring)
        .unwrap();
    let listed = operator.run(&["ls", url, "old"]);
    assert!(stdout(&listed).contains("(expired)"), "{}", stdout(&listed));
    assert!(
        stdout(&listed).contains("1 result, 70 B"),
        "{}",
        stdout(&listed)
    );
    let shown = operator.run(&["show", url, "old/again.json", "--head", "2"]);
    assert!(
        stdout(&shown).contains("more lines (`--head` shows more)"),
        "{}",
        stdout(&shown)
    );
    assert!(stdout(&shown).contains("(expired)"), "{}", stdout(&shown));
}

/// Runs `call` on the store's backend, as another tool (or damage) would touch it.
fn on_backend<F, T>(
    store: &BlockingResultStore,
    call: impl FnOnce(std::sync::Arc<dyn ObjectStore>) -> F,
) -> T
where
    F: std::future::Future<Output = object_store::Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(call(store.store().object_store().clone()))
        .unwrap()
}

fn put(store: &BlockingResultStore, path: &'static str, bytes: &'static [u8]) {
    on_backend(store, |backend| async move {
        backend
            .put(&path.into(), bytes.to_vec().into())
            .await
            .map(drop)
    });
}

/// The operator's session on a local directory, plus what only a local store has: read-only
/// commands leave the tree as it was and create nothing, and errors name their paths.
#[test]
fn an_operator_session_on_a_local_store() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-operator");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    // A plain path is a store URL.
    let operator = Operator {
        url: root.display().to_string(),
        env: &[],
    };
    operate(&operator, Some(&root));

    // 3. Read-only commands create nothing and change nothing; a missing store is an error.
    let before = tree_digest(&root);
    for args in [
        vec!["ls", operator.url.as_str()],
        vec!["verify", operator.url.as_str()],
        vec!["gc", operator.url.as_str(), "--dry-run"],
        vec!["show", operator.url.as_str(), "runs/counts.pickle"],
    ] {
        operator.run(&args);
    }
    assert_eq!(
        tree_digest(&root),
        before,
        "a read-only command changed the store"
    );
    let typo = root.join("typo/store");
    for command in ["ls", "verify", "gc"] {
        let output = operator.run(&[command, &format!("file://{}", typo.display())]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        assert!(
            stderr(&output).starts_with("error: no store at `file://"),
            "{}",
            stderr(&output)
        );
        assert!(!typo.exists(), "{command} created the store");
    }

    // 6. I/O errors name their paths.
    let output = operator.run(&["ls", "file:///etc/passwd/x"]);
    assert_eq!(
        stderr(&output),
        "error: no store at `file:///etc/passwd/x`: /etc/passwd/x: Not a directory (os error 20)\n"
    );
    std::fs::create_dir_all(root.join("runs/folder.json")).unwrap();
    let output = operator.run(&["show", &operator.url, "runs/folder.json"]);
    assert!(
        stderr(&output).contains("runs/folder.json"),
        "{}",
        stderr(&output)
    );

    // 9. The pickle display keeps floats floats; error colors follow standard error.
    let shown = operator.run(&["show", &operator.url, "runs/counts.pickle"]);
    assert!(stdout(&shown).contains('{'), "{}", stdout(&shown));
    let colored = Command::new(env!("CARGO_BIN_EXE_result-serializers"))
        .args(["show", &operator.url, "missing.json"])
        .env("CLICOLOR_FORCE", "0")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        !stderr(&colored).contains('\u{1b}'),
        "escape codes into a file"
    );
}

/// The operator's session on moto's S3 server, and S3's errors on one line naming the store.
#[test]
fn an_operator_session_on_s3() {
    let (server, env) = moto("operator");
    let operator = Operator {
        url: "s3://operator/results".into(),
        env: &env,
    };
    operate(&operator, None);
    // 8. A missing bucket: one line, naming it.
    let output = operator.run(&["ls", "s3://no-such-bucket/x"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("error: no store at `s3://no-such-bucket/x`"),
        "{text}"
    );
    assert!(!text.contains("<?xml"), "{text}");
    drop(server);
}

/// A table of twelve columns shows all twelve, whatever the terminal's width (polars' display
/// alone hid four), and `--head` sets how many rows.
#[test]
fn show_prints_every_column_of_a_wide_table() {
    #[derive(Debug, PartialEq, Row)]
    struct Wide {
        column_a: i64,
        column_b: i64,
        column_c: i64,
        column_d: i64,
        column_e: i64,
        column_f: i64,
        column_g: i64,
        column_h: i64,
        column_i: i64,
        column_j: i64,
        column_k: i64,
        column_l: i64,
    }
    #[derive(Debug, PartialEq, ResultSerializer)]
    #[serializer(rows(file_type = "parquet"))]
    struct Table(Vec<Wide>);
    let (_, url) = local("wide");
    let store = BlockingResultStore::new(ResultStore::from_url(&url).unwrap()).unwrap();
    let row = |i: i64| Wide {
        column_a: i,
        column_b: i,
        column_c: i,
        column_d: i,
        column_e: i,
        column_f: i,
        column_g: i,
        column_h: i,
        column_i: i,
        column_j: i,
        column_k: i,
        column_l: i,
    };
    store
        .write(&Table((0..30).map(row).collect()), "wide.parquet")
        .unwrap();
    let shown = cli(&["show", &url, "wide.parquet", "--head", "3"]);
    let text = stdout(&shown);
    assert!(shown.status.success(), "{}", stderr(&shown));
    for name in ["column_a", "column_f", "column_k", "column_l"] {
        assert!(text.contains(name), "{name} hidden:\n{text}");
    }
    assert!(text.contains("30 rows, 12 columns; the first 3:"), "{text}");
}
