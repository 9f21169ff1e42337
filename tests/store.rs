//! The result store on every backend: the local file system, memory, S3 against a real
//! S3-compatible server (moto's, from PyPI) and Azure Blob Storage against azurite (from the
//! npm registry), each started on loopback by the test itself: native bytes
//! at each location with the record beside them, identity checks, expiry, compute-once, and
//! what crashed or racing writers leave.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[cfg(feature = "s3")]
#[path = "common/venv.rs"]
mod venv;

#[path = "common/leases.rs"]
mod leases;
#[cfg(feature = "prefect3")]
#[path = "common/prefect3_models.rs"]
mod prefect3_models;
#[cfg(feature = "prefect3")]
#[path = "common/prefect3_store.rs"]
mod prefect3_store;

use std::sync::Arc;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use result_serializers::store::{cache_key, ResultStore, StoreError, Template, WriteOptions};
use result_serializers::{
    CompressedSerializer, Compression, JsonSerializer, PickleSerializer, ResultSerializer,
};
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

/// Two types of the same shape in postcard: one must not read as the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Account {
    id: u64,
    balance_cents: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Temperature {
    sensor: u64,
    kelvin_x100: u64,
}

/// `Summary`'s fields under another name: JSON says what it holds, so `read_as` reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json)]
struct SummaryView {
    rows: u64,
    failed: Vec<String>,
}

/// One type, before and after a field was added, and moved to another module unchanged.
mod v1 {
    #[derive(
        Debug, PartialEq, serde::Serialize, serde::Deserialize, result_serializers::ResultSerializer,
    )]
    #[serializer(json)]
    pub(crate) struct Reading {
        pub(crate) sensor: u16,
    }
}

mod v2 {
    #[derive(
        Debug, PartialEq, serde::Serialize, serde::Deserialize, result_serializers::ResultSerializer,
    )]
    #[serializer(json)]
    pub(crate) struct Reading {
        pub(crate) sensor: u16,
        pub(crate) unit: String,
    }
}

mod moved {
    #[derive(
        Debug, PartialEq, serde::Serialize, serde::Deserialize, result_serializers::ResultSerializer,
    )]
    #[serializer(json)]
    pub(crate) struct Reading {
        pub(crate) sensor: u16,
    }
}

/// Compressed JSON and a pickle: read again with raised read limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(json, compress = "zstd")]
struct Packed(Vec<u32>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(pickle)]
struct Pickled(Vec<u32>);

/// Bytes, many of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ResultSerializer)]
#[serializer(binary)]
struct Blob(#[serde(with = "serde_bytes")] Vec<u8>);

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
    assert_eq!(header.format, "json");
    assert_eq!(header.shape.as_deref(), Summary::shape());
    assert!(store.exists(location).await.unwrap());
    assert_eq!(store.read::<Summary>(location).await.unwrap(), summary());
    assert_eq!(store.record(location).await.unwrap(), Some(header));
    // The object at the location is the serializer's bytes, nothing else.
    let stored = object(store, location).await;
    assert_eq!(stored, summary().to_result_bytes().unwrap());
    assert!(serde_json::from_slice::<serde_json::Value>(&stored).is_ok());

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
    let mut bytes = object(store, corrupt).await;
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

/// The object at `location`, as the backend holds it.
async fn object(store: &ResultStore, location: &str) -> Vec<u8> {
    store
        .object_store()
        .get(&location.into())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// Many writers and readers on one location at once: every read is one writer's value,
/// whole, or a clear `Corrupt` where it kept meeting bytes between their two writes; after the
/// writers, the location holds the value of one of them.
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
                match store.read::<Stamp>(location).await {
                    Ok(Stamp(values)) => {
                        assert_eq!(values.len(), len, "a torn read");
                        assert!(values.iter().all(|v| *v == values[0]), "a torn read");
                        reads += 1;
                    }
                    Err(StoreError::Corrupt { .. }) => {}
                    Err(err) => panic!("{err}"),
                }
            }
            reads
        }));
    }
    let mut reads = 0;
    for task in tasks {
        reads += task.await.unwrap();
    }
    // Most reads find a write finished.
    assert!(reads > writers * rounds, "{reads} whole reads");
    let Stamp(last) = store.read(location).await.unwrap();
    assert!((1..=writers).contains(&last[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store() {
    let store = ResultStore::memory();
    exercise(&store).await;
    concurrent(&store, 16, 10).await;
    identity(&store).await;
    compute_once(&store).await;
    interrupted_writes(&store).await;
    leases::leases(&store).await;
    large(&store, 40 << 20).await;
    #[cfg(feature = "prefect3")]
    prefect3_store::prefect3_records(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn local_store() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("store-local");
    let _ = std::fs::remove_dir_all(&root);
    let store = ResultStore::local(&root).unwrap();
    exercise(&store).await;
    concurrent(&store, 16, 10).await;
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
            ".records/concurrent/stamp.bin.json",
            ".records/corrupt/summary.json.json",
            ".records/etl/2026-11-25/summary.json.json",
            ".records/other/summary.json.json",
            "concurrent/stamp.bin",
            "corrupt/summary.json",
            "etl/2026-11-25/summary.json",
            "other/summary.json",
            "raw/prefect.json"
        ]
    );
    identity(&store).await;
    compute_once(&store).await;
    interrupted_writes(&store).await;
    leases::leases(&store).await;
    large(&store, 40 << 20).await;
    #[cfg(feature = "prefect3")]
    prefect3_store::prefect3_records(&store).await;
}

#[cfg(feature = "prefect3")]
#[test]
fn the_blocking_prefect3_store_works_from_sync_code() {
    use result_serializers::prefect3::{BlockingPrefect3Store, Prefect3Serializer, Prefect3Store};

    let store = BlockingPrefect3Store::new(Prefect3Store::split(
        &ResultStore::memory(),
        &ResultStore::memory(),
    ))
    .unwrap();
    assert!(!store.exists("daily").unwrap());
    let metadata = store
        .write(
            "daily",
            &vec![1.5, 2.5],
            &Prefect3Serializer::pickle(),
            None,
        )
        .unwrap();
    assert_eq!(store.metadata("daily").unwrap(), metadata);
    assert!(store.exists("daily").unwrap());
    assert_eq!(store.read::<Vec<f64>>("daily").unwrap(), [1.5, 2.5]);
    assert!(matches!(
        store.read::<Vec<f64>>("weekly").unwrap_err(),
        StoreError::NotFound { .. }
    ));
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

#[cfg(feature = "prefect3")]
#[tokio::test]
async fn prefect3_locations_open_by_url() {
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("prefect3-by-url");
    prefect3_store::prefect3_locations_by_url(&root).await;
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

/// Storage servers on loopback, started by the tests.
#[cfg(any(feature = "s3", feature = "azure"))]
#[path = "common/server.rs"]
mod server;

#[cfg(feature = "s3")]
mod s3 {
    use std::process::Command;
    use std::sync::Arc;

    use object_store::aws::AmazonS3Builder;
    use result_serializers::store::ResultStore;

    use super::server::{request, start, Server};

    /// moto's S3 server, from a virtual environment made on first use from
    /// `tests/interop/requirements-s3.txt`.
    fn moto() -> Server {
        let venv = super::venv::venv("moto-venv", "tests/interop/requirements-s3.txt");
        start("moto", |port| {
            let mut command = Command::new(venv.join("bin/moto_server"));
            command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
            command
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn s3_store_against_a_real_server() {
        let server = tokio::task::spawn_blocking(moto).await.unwrap();
        let port = server.port;
        // moto does not check signatures: a plain `PUT` makes the bucket.
        let created =
            tokio::task::spawn_blocking(move || request(port, "PUT /results HTTP/1.1", ""))
                .await
                .unwrap();
        assert!(created.starts_with("HTTP/1.1 200"), "{created}");
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
        super::every_test(&store).await;
        drop(server);
    }
}

#[cfg(feature = "azure")]
mod azure {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::Arc;

    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    use object_store::azure::MicrosoftAzureBuilder;
    use result_serializers::store::ResultStore;
    use sha2::Sha256;

    use super::server::{request, start, Server};

    /// The emulator's version, from the npm registry.
    const AZURITE: &str = "azurite@3.37.0";
    /// The emulator's well-known account and key.
    const ACCOUNT: &str = "devstoreaccount1";
    const KEY: &str =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// azurite's blob server, installed with npm into the tests' scratch directory on first
    /// use (needs node and npm, and the npm registry).
    fn azurite() -> Server {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("azurite");
        let marker = dir.join(format!("installed-{AZURITE}"));
        let bin: PathBuf = dir.join("node_modules/.bin/azurite-blob");
        if !marker.exists() {
            std::fs::create_dir_all(&dir).unwrap();
            let output = Command::new("npm")
                .args([
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--no-package-lock",
                    "--prefix",
                ])
                .arg(&dir)
                .arg(AZURITE)
                .output()
                .expect("the Azure tests need npm on PATH");
            assert!(
                output.status.success(),
                "npm install {AZURITE} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            std::fs::write(&marker, "").unwrap();
        }
        start("azurite", |port| {
            let mut command = Command::new(&bin);
            command
                .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
                .args(["--silent", "--skipApiVersionCheck", "--inMemoryPersistence"]);
            command
        })
    }

    /// Creates `container`, with a request signed by the emulator's shared key.
    fn create_container(port: u16, container: &str) {
        let date = chrono::Utc::now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let version = "2021-08-06";
        let to_sign = format!(
            "PUT{}x-ms-date:{date}\nx-ms-version:{version}\n/{ACCOUNT}/{ACCOUNT}/{container}\nrestype:container",
            "\n".repeat(12)
        );
        let key = base64::engine::general_purpose::STANDARD
            .decode(KEY)
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(to_sign.as_bytes());
        let signature =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let head = format!(
            "PUT /{ACCOUNT}/{container}?restype=container HTTP/1.1\r\nx-ms-date: {date}\r\n\
             x-ms-version: {version}\r\nAuthorization: SharedKey {ACCOUNT}:{signature}"
        );
        let response = request(port, &head, "");
        assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn azure_store_against_azurite() {
        let server = tokio::task::spawn_blocking(azurite).await.unwrap();
        let port = server.port;
        tokio::task::spawn_blocking(move || create_container(port, "results"))
            .await
            .unwrap();
        // The emulator's address, which object_store reads when it builds an emulator client.
        std::env::set_var(
            "AZURITE_BLOB_STORAGE_URL",
            format!("http://127.0.0.1:{port}"),
        );
        let azure = MicrosoftAzureBuilder::new()
            .with_use_emulator(true)
            .with_container_name("results")
            .build()
            .unwrap();
        let store = ResultStore::new(Arc::new(azure));
        super::every_test(&store).await;
        drop(server);
    }
}

/// A result is read only by its serializer's format and its own type, whatever read limits
/// the reader sets; expired results and the first version's layout.
async fn identity(store: &ResultStore) {
    store
        .write(
            &Account {
                id: 7,
                balance_cents: 123_456,
            },
            "identity/account.bin",
        )
        .await
        .unwrap();
    let err = store
        .read::<Temperature>("identity/account.bin")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::TypeMismatch(_)), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("Account") && message.contains("Temperature"),
        "{message}"
    );
    // Postcard's bytes do not say what they hold: `read_as` refuses them too.
    let err = store
        .read_as::<Temperature>("identity/account.bin")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::TypeMismatch(mismatch) if !mismatch.self_describing),
        "{err}"
    );

    store
        .write(&summary(), "identity/summary.json")
        .await
        .unwrap();
    assert!(matches!(
        store.read::<SummaryView>("identity/summary.json").await,
        Err(StoreError::TypeMismatch(_))
    ));
    let view: SummaryView = store.read_as("identity/summary.json").await.unwrap();
    assert_eq!(view.rows, summary().rows);

    // A field added: another shape, refused; the same type moved to another module: read.
    store
        .write(&v1::Reading { sensor: 3 }, "identity/reading.json")
        .await
        .unwrap();
    let err = store
        .read::<v2::Reading>("identity/reading.json")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::TypeMismatch(_)), "{err}");
    assert_ne!(v1::Reading::shape(), v2::Reading::shape());
    assert_eq!(
        store
            .read::<moved::Reading>("identity/reading.json")
            .await
            .unwrap(),
        moved::Reading { sensor: 3 }
    );

    // Raised read limits keep every result readable: they are not the format's identity.
    let packed = Packed((0..1_000).collect());
    store
        .write(&packed, "identity/packed.json.zst")
        .await
        .unwrap();
    let raised = Packed::serializer().with_max_decompressed_size(1 << 40);
    assert_eq!(
        store
            .read_with::<Packed, _>(&raised, "identity/packed.json.zst")
            .await
            .unwrap(),
        packed
    );
    let pickled = Pickled(vec![1, 2, 3]);
    store.write(&pickled, "identity/pickled.pkl").await.unwrap();
    let raised = PickleSerializer::new()
        .with_max_depth(10_000)
        .with_max_objects(1 << 40);
    assert_eq!(
        store
            .read_with::<Pickled, _>(&raised, "identity/pickled.pkl")
            .await
            .unwrap(),
        pickled
    );
    // Another level writes other bytes: another identity.
    let other_level = CompressedSerializer::new(
        JsonSerializer::new(),
        Compression::with_level(result_serializers::Codec::Zstd, 19).unwrap(),
    );
    assert!(matches!(
        store
            .read_with::<Packed, _>(&other_level, "identity/packed.json.zst")
            .await,
        Err(StoreError::SerializerMismatch { .. })
    ));

    // An expired result reads as absent.
    store
        .write_with_options(
            &summary(),
            "identity/expired.json",
            &WriteOptions::new().expires_in(Duration::ZERO),
        )
        .await
        .unwrap();
    assert!(matches!(
        store.read::<Summary>("identity/expired.json").await,
        Err(StoreError::Expired { .. })
    ));

    // The first version's layout, a record in front of the bytes, still reads.
    let payload = summary().to_result_bytes().unwrap();
    let header = serde_json::json!({
        "serializer": "json",
        "config": "JsonSerializer { style: Compact }",
        "type_name": std::any::type_name::<Summary>(),
        "length": payload.len(),
        "sha256": sha256_hex(&payload),
    })
    .to_string();
    let mut legacy = b"RSRECORD\x01".to_vec();
    legacy.extend_from_slice(&(header.len() as u32).to_le_bytes());
    legacy.extend_from_slice(header.as_bytes());
    legacy.extend_from_slice(&payload);
    store
        .object_store()
        .put(&"legacy/summary.json".into(), PutPayload::from(legacy))
        .await
        .unwrap();
    assert_eq!(
        store.read::<Summary>("legacy/summary.json").await.unwrap(),
        summary()
    );
    assert_eq!(
        store
            .record("legacy/summary.json")
            .await
            .unwrap()
            .unwrap()
            .serializer,
        "json"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Two workers asking for one result at once: one computes, both return the stored value;
/// a stored result loads; an expired one is computed again.
async fn compute_once(store: &ResultStore) {
    let key = cache_key(&("2026-11-24", 3u32)).unwrap();
    let location = Template::new("compute/{key}.json")
        .unwrap()
        .render([("key", &key)])
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for worker in 1..=2u64 {
        let (store, location, calls) = (store.clone(), location.clone(), calls.clone());
        workers.push(tokio::spawn(async move {
            store
                .get_or_compute(&location, async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Ok::<_, std::convert::Infallible>(Summary {
                        rows: worker,
                        failed: vec![],
                    })
                })
                .await
                .unwrap()
        }));
    }
    let first = workers.remove(0).await.unwrap();
    let second = workers.remove(0).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(store.read::<Summary>(&location).await.unwrap(), first);

    // Stored: loaded, not computed.
    let loaded = store
        .get_or_compute(&location, async { Err::<Summary, _>("must not run") })
        .await
        .unwrap();
    assert_eq!(loaded, first);
    // A failed computation is an error naming the location.
    let err = store
        .get_or_compute::<Summary, _, _>("compute/failing.json", async { Err("no input") })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Compute { .. }), "{err}");
    // The computation's own error stays reachable.
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(cause.as_deref(), Some("no input"));
    assert!(!store.exists("compute/failing.json").await.unwrap());
    // Expired: computed again.
    let expiring = WriteOptions::new().expires_in(Duration::ZERO);
    for rows in [1, 2] {
        let value = store
            .get_or_compute_with_options("compute/expiring.json", &expiring, async move {
                Ok::<_, std::convert::Infallible>(Summary {
                    rows,
                    failed: vec![],
                })
            })
            .await
            .unwrap();
        assert_eq!(value.rows, rows);
    }
}

/// What a writer killed at each stage of a write leaves: the old value, the new one, or a
/// clear error; never bytes other than those the record describes.
async fn interrupted_writes(store: &ResultStore) {
    let location = "crash/summary.json";
    let lock = || object_store::path::Path::from(".records/crash/summary.json.lock");
    let value = |rows| Summary {
        rows,
        failed: vec![],
    };
    store.write(&value(1), location).await.unwrap();
    let quick = store
        .clone()
        .with_lock_timeouts(Duration::from_secs(5), Duration::from_millis(300));

    // Killed while serializing, on the local file system: a temporary file beside the
    // location, which the old value and the listing ignore.
    store
        .object_store()
        .put(
            &"crash/.summary.json.a1b2c3.tmp".into(),
            PutPayload::from("[1, 2"),
        )
        .await
        .unwrap();
    assert_eq!(store.read::<Summary>(location).await.unwrap(), value(1));
    assert_eq!(store.list("crash").await.unwrap(), [location]);

    // Killed holding the lock, before either write: the old value reads. On the local file
    // system the kernel let go of the dead process's lock, and the next writer takes it at
    // once; on an object store its lease lapses, and the next writer takes it after one lease.
    store
        .object_store()
        .put(&lock(), PutPayload::from("{}"))
        .await
        .unwrap();
    assert_eq!(store.read::<Summary>(location).await.unwrap(), value(1));
    let busy = store
        .clone()
        .with_lock_timeouts(Duration::from_millis(50), Duration::from_secs(600));
    if is_local(store) {
        busy.write(&value(2), location).await.unwrap();
    } else {
        assert!(matches!(
            busy.write(&value(2), location).await,
            Err(StoreError::Busy { .. })
        ));
        quick.write(&value(2), location).await.unwrap();
    }
    assert_eq!(store.read::<Summary>(location).await.unwrap(), value(2));

    // Killed between its two writes: new bytes, the old record. Reads refuse them as
    // corrupt; `get_or_compute` computes again.
    store
        .object_store()
        .put(
            &location.into(),
            PutPayload::from(value(3).to_result_bytes().unwrap()),
        )
        .await
        .unwrap();
    let err = store.read::<Summary>(location).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    let recomputed = quick
        .get_or_compute(location, async {
            Ok::<_, std::convert::Infallible>(value(4))
        })
        .await
        .unwrap();
    assert_eq!(recomputed, value(4));
    assert_eq!(store.read::<Summary>(location).await.unwrap(), value(4));

    // Killed after both writes, holding the lock: the new value reads.
    store
        .object_store()
        .put(&lock(), PutPayload::from("{}"))
        .await
        .unwrap();
    assert_eq!(store.read::<Summary>(location).await.unwrap(), value(4));
    quick.write(&value(5), location).await.unwrap();
    assert_eq!(store.read::<Summary>(location).await.unwrap(), value(5));
}

/// Whether `store` is on the local file system, whose locks are the kernel's.
fn is_local(store: &ResultStore) -> bool {
    store
        .object_store()
        .to_string()
        .starts_with("LocalFileSystem")
}

/// A result larger than what the store holds in memory: spilled to a temporary file and
/// uploaded in parts, read back through a temporary file.
async fn large(store: &ResultStore, size: usize) {
    let blob = Blob((0..size).map(|i| (i % 251) as u8).collect());
    let record = store.write(&blob, "large/blob.bin").await.unwrap();
    assert!(record.length >= size as u64);
    assert_eq!(store.read::<Blob>("large/blob.bin").await.unwrap(), blob);
}

/// The whole suite on one backend.
#[allow(dead_code)]
async fn every_test(store: &ResultStore) {
    exercise(store).await;
    concurrent(store, 16, 5).await;
    identity(store).await;
    compute_once(store).await;
    interrupted_writes(store).await;
    leases::leases(store).await;
    large(store, 40 << 20).await;
    #[cfg(feature = "prefect3")]
    prefect3_store::prefect3_records(store).await;
}

/// Keeps the imports of the S3 module honest when it is not built.
#[allow(dead_code)]
fn object_store_is_a_trait_object(store: Arc<dyn ObjectStore>) -> ResultStore {
    ResultStore::new(store)
}

/// Where `writer_child` writes, set only in the child process that
/// `killed_writers_leave_the_old_value_the_new_one_or_a_clear_error` starts.
const WRITER_ROOT: &str = "RESULT_SERIALIZERS_STORE_WRITER_ROOT";

/// In the child: writes ever new values at one location until it is killed, saying on
/// standard output when each write starts and ends.
#[test]
fn writer_child() {
    use std::io::Write as _;
    let Some(root) = std::env::var_os(WRITER_ROOT) else {
        return;
    };
    let store =
        result_serializers::store::BlockingResultStore::new(ResultStore::local(root).unwrap())
            .unwrap();
    let mut out = std::io::stdout();
    for round in 2.. {
        writeln!(out, "writing {round}").unwrap();
        store
            .write(&Stamp(vec![round; 1 << 20]), "killed/stamp.bin")
            .unwrap();
        writeln!(out, "wrote {round}").unwrap();
    }
}

/// Writers killed at points of their writes: after each kill, the location reads as one
/// writer's whole value, or as a clear `Corrupt` (killed between the bytes and the record),
/// never as bytes other than those its record describes; the next writer takes the lock the
/// killed one held at once (the kernel released it). Each child is killed only once it has
/// said that it wrote, and is writing again: what the machine's speed changes is how far into
/// that write it gets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_writers_leave_the_old_value_the_new_one_or_a_clear_error() {
    use std::io::BufRead as _;
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("store-killed");
    let _ = std::fs::remove_dir_all(&root);
    let store = ResultStore::local(&root).unwrap();
    store
        .write(&Stamp(vec![1; 1 << 20]), "killed/stamp.bin")
        .await
        .unwrap();
    let (mut whole, mut corrupt, mut newest, mut wrote) = (0, 0, 1, 0);
    for kill in 0..24u64 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "writer_child", "--nocapture", "--test-threads=1"])
            .env(WRITER_ROOT, &root)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the child to finish 1 to 3 writes and start the next, then kill it at once
        // or a little later: before, during or between that write's two puts.
        let lines = std::io::BufReader::new(child.stdout.take().unwrap());
        let finished = 1 + kill % 3;
        let mut done = 0;
        for line in lines.lines() {
            let line = line.unwrap();
            if line.starts_with("wrote ") {
                done += 1;
                wrote += 1;
            } else if line.starts_with("writing ") && done >= finished {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis((kill * 7) % 20));
        child.kill().unwrap();
        child.wait().unwrap();
        match store.read::<Stamp>("killed/stamp.bin").await {
            Ok(Stamp(values)) => {
                assert_eq!(values.len(), 1 << 20, "a torn value");
                assert!(values.iter().all(|v| *v == values[0]), "a torn value");
                newest = newest.max(values[0]);
                whole += 1;
            }
            Err(StoreError::Corrupt { .. }) => corrupt += 1,
            Err(err) => panic!("{err}"),
        }
    }
    // After the kills, a writer takes the lock (no process holds it) and the location reads
    // again.
    let store = store.with_lock_timeouts(Duration::from_secs(30), Duration::from_secs(600));
    store
        .write(&Stamp(vec![7; 16]), "killed/stamp.bin")
        .await
        .unwrap();
    assert_eq!(
        store.read::<Stamp>("killed/stamp.bin").await.unwrap(),
        Stamp(vec![7; 16])
    );
    println!(
        "after 24 kills: {whole} whole values (the newest from round {newest}), {corrupt} clear errors, {wrote} writes finished"
    );
    assert!(whole > 0, "no kill left a readable value");
    assert!(newest > 1, "the killed writers wrote nothing");
}

/// With the `tracing` feature, each store operation is a span naming the location, the
/// serializer, the bytes and the outcome; the subscriber times it.
#[cfg(feature = "tracing")]
#[test]
fn store_operations_are_traced() {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use result_serializers::store::BlockingResultStore;
    use tracing_subscriber::fmt::format::FmtSpan;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let store = BlockingResultStore::new(ResultStore::memory()).unwrap();
        store.write(&summary(), "runs/summary.json").unwrap();
        assert_eq!(
            store.read::<Summary>("runs/summary.json").unwrap(),
            summary()
        );
        let missing = store.read::<Summary>("runs/missing.json");
        assert!(missing.is_err());
        let computed: Summary = store
            .get_or_compute("runs/computed.json", || Ok::<_, std::io::Error>(summary()))
            .unwrap();
        assert_eq!(computed, summary());
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let line = |name: &str, location: &str| {
        log.lines()
            .find(|line| {
                // The operation's own span, not a serializer call's span inside it.
                line.contains(name)
                    && line.contains(location)
                    && line.contains("close")
                    && !line.contains("}:serialize{")
                    && !line.contains("}:deserialize{")
            })
            .unwrap_or_else(|| panic!("no closed {name} span for {location} in:\n{log}"))
            .to_owned()
    };
    let write = line("store.write", "runs/summary.json");
    assert!(
        write.contains("serializer=\"json\"") || write.contains("serializer=json"),
        "{write}"
    );
    assert!(write.contains("bytes="), "{write}");
    assert!(
        write.contains("outcome=ok") || write.contains("outcome=\"ok\""),
        "{write}"
    );
    assert!(write.contains("time.busy"), "{write}");
    let read = line("store.read", "runs/summary.json");
    assert!(read.contains("bytes="), "{read}");
    let missing = line("store.read", "runs/missing.json");
    assert!(missing.contains("no result at"), "{missing}");
    let computed = line("store.get_or_compute", "runs/computed.json");
    assert!(computed.contains("computed"), "{computed}");
    // The serializer calls the store made, inside its operations.
    assert!(
        log.contains("store.write{location=runs/summary.json"),
        "{log}"
    );
    assert!(log.contains(":serialize{serializer=\"json\"}"), "{log}");
    assert!(log.contains(":deserialize{serializer=\"json\"}"), "{log}");
}
