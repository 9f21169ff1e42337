//! The result store on every backend: the local file system, memory, and S3 against a real
//! S3-compatible server (moto's, from PyPI) started on loopback by the test itself.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[cfg(feature = "s3")]
#[path = "common/venv.rs"]
mod venv;

use std::sync::Arc;

use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use result_serializers::store::{ResultStore, StoreError, Template};
use result_serializers::{JsonSerializer, ResultSerializer};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json)]
struct Summary {
    rows: u64,
    failed: Vec<String>,
}

/// The same field as `Summary`, stored with another serializer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct BinarySummary {
    rows: u64,
    failed: Vec<String>,
}

/// `Summary` in JSON's pretty configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json(pretty))]
struct PrettySummary {
    rows: u64,
    failed: Vec<String>,
}

/// A value written by one of many writers: every element is the writer's number, so a torn
/// read would show two numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Stamp(Vec<u32>);

fn summary() -> Summary {
    Summary {
        rows: 1_000,
        failed: vec!["load ✓".into()],
    }
}

/// Everything but concurrency, on one backend.
async fn exercise(store: &ResultStore) {
    let location = "etl/2026-11-24/summary.json";
    assert!(!store.exists(location).await.unwrap());
    assert!(matches!(
        store.read::<Summary>(location).await,
        Err(StoreError::NotFound { .. })
    ));

    let header = store.write(&summary(), location).await.unwrap();
    assert_eq!(header.serializer, "json");
    assert!(store.exists(location).await.unwrap());
    assert_eq!(store.read::<Summary>(location).await.unwrap(), summary());
    assert_eq!(store.record(location).await.unwrap(), Some(header));

    // Another serializer, or another configuration of the same one, is refused.
    let err = store.read::<BinarySummary>(location).await.unwrap_err();
    assert!(
        matches!(err, StoreError::SerializerMismatch { .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("written by the json serializer"),
        "{err}"
    );
    let err = store.read::<PrettySummary>(location).await.unwrap_err();
    assert!(
        matches!(err, StoreError::SerializerMismatch { .. }),
        "{err}"
    );

    // Listing, under a prefix and all.
    store
        .write(&summary(), "etl/2026-11-25/summary.json")
        .await
        .unwrap();
    store.write(&summary(), "other/summary.json").await.unwrap();
    assert_eq!(
        store.list("etl").await.unwrap(),
        ["etl/2026-11-24/summary.json", "etl/2026-11-25/summary.json"]
    );
    assert_eq!(store.list("").await.unwrap().len(), 3);

    // Replacing, then deleting (twice: a missing result is not an error).
    let second = Summary {
        rows: 2,
        failed: vec![],
    };
    store.write(&second, location).await.unwrap();
    assert_eq!(store.read::<Summary>(location).await.unwrap(), second);
    store.delete(location).await.unwrap();
    store.delete(location).await.unwrap();
    assert!(!store.exists(location).await.unwrap());

    // A location that would leave the store is refused before the backend sees it.
    for escaping in [
        "../outside.json",
        "/etc/passwd",
        "a/../../b",
        "a//b",
        "a\\b",
        "",
    ] {
        let err = store.write(&summary(), escaping).await.unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidLocation { .. }),
            "{escaping}: {err}"
        );
    }

    // Prefect 1.x's bytes, without a record: refused by `read`, read by naming the serializer.
    let raw = "raw/prefect.json";
    let prefect = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/prefect-vectors/json/nested.json"),
    )
    .unwrap();
    store
        .object_store()
        .put(&raw.into(), PutPayload::from(prefect.clone()))
        .await
        .unwrap();
    let err = store.read::<Summary>(raw).await.unwrap_err();
    assert!(matches!(err, StoreError::NoRecord { .. }), "{err}");
    let value: serde_json::Value = store
        .read_raw(&JsonSerializer::python(), raw)
        .await
        .unwrap();
    assert_eq!(
        value,
        serde_json::from_slice::<serde_json::Value>(&prefect).unwrap()
    );

    // Corrupt bytes are refused by the checksum before any decoder sees them.
    let corrupt = "corrupt/summary.json";
    store.write(&summary(), corrupt).await.unwrap();
    let mut bytes = store
        .object_store()
        .get(&corrupt.into())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x01;
    let put = |bytes: Vec<u8>| async move {
        store
            .object_store()
            .put(&corrupt.into(), PutPayload::from(bytes))
            .await
            .unwrap();
    };
    put(bytes.clone()).await;
    let err = store.read::<Summary>(corrupt).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("SHA-256"), "{err}");
    bytes.truncate(bytes.len() - 5);
    put(bytes).await;
    let err = store.read::<Summary>(corrupt).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
}

/// Many writers and readers on one location at once: every read is one writer's value,
/// whole; after the writers, the location holds the value of one of them.
async fn concurrent(store: &ResultStore, writers: u32, rounds: u32) {
    let location = "concurrent/stamp.bin";
    let len = 64 * 1024;
    store.write(&Stamp(vec![0; len]), location).await.unwrap();
    let mut tasks = Vec::new();
    for writer in 1..=writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..rounds {
                store
                    .write(&Stamp(vec![writer; len]), location)
                    .await
                    .unwrap();
            }
            0
        }));
    }
    for _ in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut reads = 0;
            for _ in 0..rounds * 2 {
                let Stamp(values) = store.read(location).await.unwrap();
                assert_eq!(values.len(), len, "a torn read");
                assert!(values.iter().all(|v| *v == values[0]), "a torn read");
                reads += 1;
            }
            reads
        }));
    }
    let mut reads = 0;
    for task in tasks {
        reads += task.await.unwrap();
    }
    assert_eq!(reads, writers * rounds * 2);
    let Stamp(last) = store.read(location).await.unwrap();
    assert!((1..=writers).contains(&last[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store() {
    let store = ResultStore::memory();
    exercise(&store).await;
    concurrent(&store, 8, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn local_store() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("store-local");
    let _ = std::fs::remove_dir_all(&root);
    let store = ResultStore::local(&root).unwrap();
    exercise(&store).await;
    concurrent(&store, 8, 20).await;
    // Nothing was written outside the root, and no staging file is left behind.
    assert!(!root.parent().unwrap().join("outside.json").exists());
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path.strip_prefix(&root).unwrap().display().to_string());
            }
        }
    }
    files.sort();
    assert_eq!(
        files,
        [
            "concurrent/stamp.bin",
            "corrupt/summary.json",
            "etl/2026-11-25/summary.json",
            "other/summary.json",
            "raw/prefect.json"
        ]
    );
}

#[test]
fn the_blocking_store_works_from_sync_code() {
    use result_serializers::store::BlockingResultStore;

    let store = BlockingResultStore::new(ResultStore::memory()).unwrap();
    let template = Template::new("{flow}/{task}/{date}/{key}.json").unwrap();
    assert_eq!(template.fields(), ["flow", "task", "date", "key"]);
    let location = template
        .render([
            ("flow", "etl"),
            ("task", "load"),
            ("date", "2026-11-24"),
            ("key", "summary"),
        ])
        .unwrap();
    assert_eq!(location, "etl/load/2026-11-24/summary.json");
    store.write(&summary(), &location).unwrap();
    assert!(store.exists(&location).unwrap());
    assert_eq!(store.read::<Summary>(&location).unwrap(), summary());
    assert_eq!(
        store.list("etl/load").unwrap(),
        std::slice::from_ref(&location)
    );
    store.delete(&location).unwrap();
    assert!(!store.exists(&location).unwrap());
}

#[test]
fn templates_refuse_missing_fields_and_escapes() {
    let template = Template::new("{flow}/{task}.json").unwrap();
    let err = template.render([("flow", "etl")]).unwrap_err();
    assert!(
        matches!(err, StoreError::MissingField { ref field, .. } if field == "task"),
        "{err}"
    );
    for (flow, task) in [
        ("..", "x"),
        ("a", "../../etc/passwd"),
        ("", "x"),
        ("/abs", "x"),
    ] {
        let err = template
            .render([("flow", flow), ("task", task)])
            .unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidLocation { .. }),
            "{flow}/{task}: {err}"
        );
    }
    assert_eq!(
        Template::new("{{literal}}/{x}")
            .unwrap()
            .render([("x", 1)])
            .unwrap(),
        "{literal}/1"
    );
    for bad in ["{unclosed", "{}", "stray}", "{a-b}"] {
        assert!(
            matches!(Template::new(bad), Err(StoreError::Template { .. })),
            "{bad}"
        );
    }
}

#[cfg(feature = "s3")]
mod s3 {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::process::{Child, Command, Stdio};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use object_store::aws::AmazonS3Builder;
    use result_serializers::store::ResultStore;

    /// moto's S3 server, from a virtual environment made on first use from
    /// `tests/interop/requirements-s3.txt`; stopped when dropped.
    struct Server {
        child: Child,
        port: u16,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn start() -> Server {
        let venv = super::venv::venv("moto-venv", "tests/interop/requirements-s3.txt");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(venv.join("bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server { child, port };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// Creates `bucket` with a plain HTTP `PUT` (moto does not check signatures).
    fn create_bucket(port: u16, bucket: &str) {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn s3_store_against_a_real_server() {
        let server = tokio::task::spawn_blocking(start).await.unwrap();
        let port = server.port;
        tokio::task::spawn_blocking(move || create_bucket(port, "results"))
            .await
            .unwrap();
        let s3 = AmazonS3Builder::new()
            .with_endpoint(format!("http://127.0.0.1:{port}"))
            .with_allow_http(true)
            .with_bucket_name("results")
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .build()
            .unwrap();
        let store = ResultStore::new(Arc::new(s3));
        super::exercise(&store).await;
        super::concurrent(&store, 8, 10).await;
        drop(server);
    }
}

/// Keeps the imports of the S3 module honest when it is not built.
#[allow(dead_code)]
fn object_store_is_a_trait_object(store: Arc<dyn ObjectStore>) -> ResultStore {
    ResultStore::new(store)
}
