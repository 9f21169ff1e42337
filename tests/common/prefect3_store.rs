//! A Prefect 3 result location on a store's backend: Prefect 3.9.1's own files (both layouts,
//! every serializer) read through [`Prefect3Store`] as they read from the files themselves;
//! writes read back; expired, missing and damaged results are clear errors.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use object_store::prefix::PrefixStore;
use object_store::{ObjectStoreExt, PutPayload};
use result_serializers::prefect3::{
    read_result, Prefect3Metadata, Prefect3Record, Prefect3Serializer, Prefect3Store,
};
use result_serializers::store::{ResultStore, StoreError};
use serde::Deserialize;
use serde_json::Value;

use crate::prefect3_models::Record;

fn vectors() -> (std::path::PathBuf, Vec<Value>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/prefect3-vectors");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    (dir, manifest["vectors"].as_array().unwrap().clone())
}

/// `store` under `prefix`, as a store of its own.
fn under(store: &ResultStore, prefix: &str) -> ResultStore {
    ResultStore::new(Arc::new(PrefixStore::new(
        store.object_store().clone(),
        prefix,
    )))
}

async fn put(store: &ResultStore, key: &str, bytes: Vec<u8>) {
    store
        .object_store()
        .put(&key.into(), PutPayload::from(bytes))
        .await
        .unwrap();
}

/// Everything on one backend.
pub(crate) async fn prefect3_records(store: &ResultStore) {
    let record = Prefect3Store::record(&under(store, "prefect3/record"));
    let split = Prefect3Store::split(
        &under(store, "prefect3/split"),
        &under(store, "prefect3/split-metadata"),
    );

    // Prefect's own files, placed where its `ResultStore` would have put them.
    let (dir, vectors) = vectors();
    let mut read = 0;
    for vector in &vectors {
        let key = vector["key"].as_str().unwrap();
        let file = std::fs::read(dir.join(vector["file"].as_str().unwrap())).unwrap();
        let layout = vector["layout"].as_str().unwrap();
        let (store_of_layout, expected_serializer) = if layout == "record" {
            put(&under(store, "prefect3/record"), key, file.clone()).await;
            (&record, Prefect3Record::from_slice(&file).unwrap().metadata)
        } else {
            let metadata =
                std::fs::read(dir.join(vector["metadata_file"].as_str().unwrap())).unwrap();
            put(&under(store, "prefect3/split"), key, file.clone()).await;
            put(
                &under(store, "prefect3/split-metadata"),
                key,
                metadata.clone(),
            )
            .await;
            (&split, Prefect3Metadata::from_slice(&metadata).unwrap())
        };
        let metadata = store_of_layout.metadata(key).await.unwrap();
        assert_eq!(metadata, expected_serializer, "{key}");
        assert!(store_of_layout.exists(key).await.unwrap(), "{key}");
        if key.ends_with("/record") {
            let expected: Record = if layout == "record" {
                Prefect3Record::from_slice(&file).unwrap().read().unwrap()
            } else {
                read_result(&metadata.serializer, &file).unwrap()
            };
            let got: Record = store_of_layout.read(key).await.unwrap();
            assert_eq!(got, expected, "{layout}/{key}");
            read += 1;
        }
        if key.ends_with("/datetime_offset") {
            let got: DateTime<chrono::FixedOffset> = store_of_layout.read(key).await.unwrap();
            assert_eq!(
                got.to_rfc3339(),
                "2020-12-16T21:36:00.123456+05:30",
                "{key}"
            );
            read += 1;
        }
    }
    // Seven serializers, two layouts, two values.
    assert_eq!(read, 7 * 2 * 2);

    // What the store writes reads back, in either layout, with each serializer.
    let at = "2020-12-16T21:36:00Z".parse::<DateTime<Utc>>().unwrap();
    for store in [&record, &split] {
        for serializer in [
            Prefect3Serializer::json(),
            Prefect3Serializer::pickle(),
            Prefect3Serializer::compressed(Prefect3Serializer::json(), "lzma"),
            Prefect3Serializer::compressed(Prefect3Serializer::pickle(), "zlib"),
        ] {
            let value = (vec![1.5, f64::INFINITY], "ünïcode".to_string());
            let metadata = store
                .write("ours/value", &value, &serializer, None)
                .await
                .unwrap();
            assert_eq!(metadata.serializer, serializer);
            assert_eq!(metadata.storage_key.as_deref(), Some("ours/value"));
            assert_eq!(store.metadata("ours/value").await.unwrap(), metadata);
            let back: (Vec<f64>, String) = store.read("ours/value").await.unwrap();
            assert_eq!(back, value, "{serializer:?}");
        }
        // An expired result is absent, as in Prefect; its metadata still reads.
        store
            .write("ours/old", &1, &Prefect3Serializer::json(), Some(at))
            .await
            .unwrap();
        let err = store.read::<i64>("ours/old").await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Expired { expired_at, .. } if expired_at.starts_with("2020-12-16T21:36:00")),
            "{err}"
        );
        assert!(!store.exists("ours/old").await.unwrap());
        assert_eq!(
            store.metadata("ours/old").await.unwrap().expiration,
            Some(at)
        );
        // One that expires later reads.
        let later = Utc::now() + TimeDelta::hours(1);
        store
            .write("ours/new", &2, &Prefect3Serializer::json(), Some(later))
            .await
            .unwrap();
        assert_eq!(store.read::<i64>("ours/new").await.unwrap(), 2);
        // Nothing there.
        let err = store.read::<i64>("ours/none").await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
        assert!(!store.exists("ours/none").await.unwrap());
        // A key that would leave the location.
        let err = store.read::<i64>("../outside").await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidLocation { .. }), "{err}");
    }

    // Bad records, each a clear error naming what is wrong.
    let records = under(store, "prefect3/record");
    let metadata =
        r#"{"storage_key":"k","expiration":null,"prefect_version":"3.9.1","storage_block_id":null"#;
    let serializer_error = |err: StoreError, needle: &str| {
        assert!(matches!(err, StoreError::Serializer { .. }), "{err}");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    };
    // No serializer: Prefect's default, pickle, of which `1` is no base64; an unknown one.
    put(
        &records,
        "bad/none",
        format!(r#"{{"metadata":{metadata}}},"result":"1"}}"#).into_bytes(),
    )
    .await;
    serializer_error(
        record.read::<i64>("bad/none").await.unwrap_err(),
        "serializer",
    );
    put(
        &records,
        "bad/yaml",
        format!(r#"{{"metadata":{metadata},"serializer":{{"type":"yaml"}}}},"result":"1"}}"#)
            .into_bytes(),
    )
    .await;
    serializer_error(record.read::<i64>("bad/yaml").await.unwrap_err(), "yaml");
    // A truncated base64 body.
    record
        .write(
            "bad/cut",
            &vec![1, 2, 3],
            &Prefect3Serializer::pickle(),
            None,
        )
        .await
        .unwrap();
    let mut cut = record.metadata("bad/cut").await.unwrap();
    cut.storage_key = Some("bad/cut".into());
    let written = Prefect3Record::of(cut.clone(), &vec![1, 2, 3]).unwrap();
    let truncated = Prefect3Record {
        metadata: cut,
        result: written.result.trim_end()[..written.result.trim_end().len() - 2].to_string(),
    };
    put(&records, "bad/cut", truncated.to_vec().unwrap()).await;
    serializer_error(
        record.read::<Vec<i64>>("bad/cut").await.unwrap_err(),
        "base64",
    );
    // Not a record at all.
    put(&records, "bad/text", b"hello".to_vec()).await;
    serializer_error(
        record.read::<i64>("bad/text").await.unwrap_err(),
        "not a Prefect 3 result record",
    );
    // Metadata without its result.
    put(
        &under(store, "prefect3/split-metadata"),
        "bad/orphan",
        Prefect3Metadata::new("bad/orphan", Prefect3Serializer::json(), None)
            .to_vec()
            .unwrap(),
    )
    .await;
    let err = split.read::<i64>("bad/orphan").await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt { reason, .. } if reason.contains("result is missing")),
        "{err}"
    );
    // Prefect's pydantic model read as its dataclass: the class names it.
    #[derive(Debug, Deserialize)]
    #[serde(rename = "prefect3_vector_models.Point")]
    #[allow(dead_code)]
    struct Point {
        x: i64,
        y: i64,
    }
    serializer_error(
        record
            .read::<Point>("json/pydantic_model")
            .await
            .unwrap_err(),
        "holds a `prefect3_vector_models.Reading`, and a `prefect3_vector_models.Point` is read",
    );
    serializer_error(
        split
            .read::<Point>("json/pydantic_model")
            .await
            .unwrap_err(),
        "holds a `prefect3_vector_models.Reading`",
    );
    // A value of another type than the one read.
    let err = record.read::<String>("ours/new").await.unwrap_err();
    assert!(matches!(err, StoreError::Serializer { .. }), "{err}");

    large_and_racing_writes(store).await;
}

/// Prefect's own files in its directory layout (results under one base, metadata under
/// another, both by key), opened by URL as Prefect's `LocalFileSystem` blocks would be.
pub(crate) async fn prefect3_locations_by_url(root: &Path) {
    let _ = std::fs::remove_dir_all(root);
    let (dir, vectors) = vectors();
    let mut keys = Vec::new();
    for vector in &vectors {
        let key = vector["key"].as_str().unwrap();
        let (results, metadata) = match vector["layout"].as_str().unwrap() {
            "record" => (root.join("record"), None),
            _ => (root.join("split"), Some(root.join("split-metadata"))),
        };
        let copy = |from: &str, to: &Path| {
            std::fs::create_dir_all(to.join(key).parent().unwrap()).unwrap();
            std::fs::copy(dir.join(from), to.join(key)).unwrap();
        };
        copy(vector["file"].as_str().unwrap(), &results);
        if let Some(metadata) = metadata {
            copy(vector["metadata_file"].as_str().unwrap(), &metadata);
        }
        if key.ends_with("/datetime_utc") {
            keys.push(key.to_owned());
        }
    }
    let url = |dir: &str| format!("file://{}", root.join(dir).display());
    let record = Prefect3Store::record_at(&url("record")).unwrap();
    let split = Prefect3Store::split_at(&url("split"), &url("split-metadata")).unwrap();
    assert_eq!(keys.len(), 7 * 2);
    for key in &keys {
        for store in [&record, &split] {
            let at: DateTime<Utc> = store.read(key).await.unwrap();
            assert_eq!(at.to_rfc3339(), "2020-12-16T21:36:00+00:00", "{key}");
        }
    }
    // Written by URL, read back from the files Prefect would read.
    split
        .write("ours/at", &keys, &Prefect3Serializer::json(), None)
        .await
        .unwrap();
    assert!(root.join("split/ours/at").is_file());
    assert!(root.join("split-metadata/ours/at").is_file());
    let err = Prefect3Store::record_at("ftp://results").unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::InvalidUrl { .. } | StoreError::Backend { .. }
        ),
        "{err}"
    );
}

/// A 40 MiB Prefect 3 result goes through the store's write path: in parts on an object store
/// (S3 says so in its e-tag, `<md5>-<parts>`), and two writers racing one key in the `split`
/// layout leave the result and the metadata of one of them, never a mix.
async fn large_and_racing_writes(store: &ResultStore) {
    let results = under(store, "prefect3/large");
    let split = Prefect3Store::split(&results, &under(store, "prefect3/large-metadata"));
    let big = "x".repeat(40 << 20);
    split
        .write("big", &big, &Prefect3Serializer::json(), None)
        .await
        .unwrap();
    assert_eq!(split.read::<String>("big").await.unwrap().len(), 40 << 20);
    if store.object_store().to_string().starts_with("AmazonS3") {
        let meta = results.object_store().head(&"big".into()).await.unwrap();
        let e_tag = meta.e_tag.unwrap_or_default();
        assert!(e_tag.contains('-'), "not a multipart upload: {e_tag}");
    }
    let serializers = [
        Prefect3Serializer::json(),
        Prefect3Serializer::compressed(Prefect3Serializer::pickle(), "zlib"),
    ];
    let writers: Vec<_> = serializers
        .into_iter()
        .enumerate()
        .map(|(writer, serializer)| {
            let split = split.clone();
            tokio::spawn(async move {
                for round in 0..10i64 {
                    let value = vec![writer as i64; 1000 + round as usize];
                    split
                        .write("raced", &value, &serializer, None)
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let last: Vec<i64> = split.read("raced").await.unwrap();
    assert!(
        last.iter().all(|v| *v == last[0]) && last.len() == 1009,
        "{}",
        last.len()
    );
}
