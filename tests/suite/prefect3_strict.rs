//! Prefect 3 results at their edges, each checked against Prefect 3.9.1 itself (in the test
//! venv): a map is a `dict` whatever its keys, a tag reads only as the class the Rust type asks
//! for, serializer configurations are as strict as Prefect's models and metadata as lenient,
//! aware times, sets and field order as Prefect writes them, and errors say where.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use result_serializers::prefect3::{
    read_result, write_result, AwareTime, Prefect3Metadata, Prefect3Record, Prefect3Serializer,
    SerdeValue, ToPython,
};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::venv;

fn python() -> PathBuf {
    venv::venv("prefect3-venv", "tests/interop/requirements-prefect3.txt").join("bin/python")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `value` with `serializer` at `key` under `base` in both layouts, as Prefect's
/// `LocalFileSystem` result and metadata storage keep them.
fn write_both<T: ToPython + ?Sized>(
    base: &Path,
    key: &str,
    serializer: &Prefect3Serializer,
    value: &T,
) {
    let metadata = Prefect3Metadata::new(key, serializer.clone(), None);
    let put = |dir: &str, bytes: &[u8]| {
        let path = base.join(dir).join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let record = Prefect3Record::of(metadata.clone(), value).unwrap();
    put("record", &record.to_vec().unwrap());
    put("split", &write_result(serializer, value).unwrap());
    put("split-metadata", &metadata.to_vec().unwrap());
}

/// What Prefect's own `ResultStore.read` returns at each of `keys` under `base`, in both
/// layouts (`record/KEY`, `split/KEY`), in the vectors' typed notation; the vectors' model and
/// dataclass are importable.
pub(crate) fn read_with_prefect<K: AsRef<std::ffi::OsStr>>(base: &Path, keys: &[K]) -> Value {
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/prefect3-vectors");
    let output = Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/read_with_prefect3.py"))
        .arg(base)
        .args(keys)
        .env("PREFECT_HOME", base.join("prefect-home"))
        .env("PYTHONPATH", vectors)
        .current_dir(base)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn str(text: &str) -> Value {
    json!({ "str": text })
}

fn typed_dict(members: &[(&str, &str)]) -> Value {
    json!({ "dict": members.iter().map(|(k, v)| json!([str(k), str(v)])).collect::<Vec<_>>() })
}

/// Maps whose keys look like Prefect's tags, with values naming functions: a pickle holds each
/// as the `dict` it is, Prefect reads each back as that dict and calls nothing; Prefect's JSON
/// cannot hold them (its decoder would import and call), so writing them as JSON is refused.
#[test]
fn maps_with_the_keys_of_tags_are_dicts_and_nothing_runs() {
    let base = scratch("prefect3-tag-keys");
    let side = base.join("SIDE-EFFECT");
    let touch = format!("open({:?}, 'w').write('ran')", side.display().to_string());
    let shell = format!("touch {}", side.display());
    let maps: Vec<Vec<(&str, &str)>> = vec![
        vec![("__exc_type__", "builtins.len"), ("message", "abc")],
        vec![("__exc_type__", "os.system"), ("message", &shell)],
        vec![("__exc_type__", "builtins.eval"), ("message", &touch)],
        vec![("__class__", "datetime.date"), ("data", "2020-01-01")],
        vec![
            ("__class__", "uuid.UUID"),
            ("data", "00000000-0000-0000-0000-000000000001"),
        ],
        vec![("__class__", "builtins.eval"), ("data", &touch)],
        vec![("__class__", "os.system"), ("data", &shell)],
        vec![("data", "x"), ("__class__", "builtins.exec")],
    ];
    let mut keys = Vec::new();
    for (index, map) in maps.iter().enumerate() {
        let btree: BTreeMap<String, String> = map
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let key = format!("maps/{index}");
        write_both(&base, &key, &Prefect3Serializer::pickle(), &btree);
        // The same map through serde (`SerdeValue`, a `serde_json::Value`), nested in a list.
        let nested = json!([serde_json::to_value(&btree).unwrap()]);
        write_both(
            &base,
            &format!("{key}-nested"),
            &Prefect3Serializer::compressed(Prefect3Serializer::pickle(), "zlib"),
            &nested,
        );
        keys.push(key);
        for serializer in [
            Prefect3Serializer::json(),
            Prefect3Serializer::compressed(Prefect3Serializer::json(), "lzma"),
        ] {
            let key_name = map.iter().find(|(k, _)| k.starts_with("__")).unwrap().0;
            for err in [
                write_result(&serializer, &btree).unwrap_err(),
                write_result(&serializer, &SerdeValue(&nested)).unwrap_err(),
            ] {
                assert!(
                    err.to_string().contains(&format!("the key `{key_name}`")),
                    "{err}"
                );
            }
        }
    }
    let nested_keys: Vec<String> = keys.iter().map(|key| format!("{key}-nested")).collect();
    let all: Vec<&str> = keys
        .iter()
        .chain(&nested_keys)
        .map(String::as_str)
        .collect();
    let read = read_with_prefect(&base, &all);
    for (index, map) in maps.iter().enumerate() {
        let mut sorted = map.clone();
        sorted.sort();
        for layout in ["record", "split"] {
            assert_eq!(
                read[format!("{layout}/maps/{index}")],
                typed_dict(&sorted),
                "{layout} {map:?}"
            );
            assert_eq!(
                read[format!("{layout}/maps/{index}-nested")],
                json!({ "list": [typed_dict(&sorted)] }),
                "{layout} {map:?}"
            );
        }
    }
    assert!(!side.exists(), "reading a result ran code");
}

/// A tag reads only as the class the Rust type asks for; any other class is an error naming
/// both, where the value is, as Prefect's own reading refuses these or reads another value.
#[test]
fn tags_read_only_as_their_class() {
    let json = Prefect3Serializer::json();
    let read = |text: &str| text.as_bytes().to_vec();
    let uuid_as_date = read(r#"{"__class__": "uuid.UUID", "data": "2020-01-01"}"#);
    let err = read_result::<NaiveDate>(&json, &uuid_as_date).unwrap_err();
    assert!(
        err.to_string()
            .contains("holds a `uuid.UUID`, and a `datetime.date` is read"),
        "{err}"
    );
    let misspelt = read(r#"{"__class__": "datetime.datetife", "data": "2020-01-01T00:00:00Z"}"#);
    let err = read_result::<DateTime<Utc>>(&json, &misspelt).unwrap_err();
    assert!(err.to_string().contains("`datetime.datetife`"), "{err}");
    // A type that names no class does not read a tag's text.
    let err = read_result::<String>(&json, &misspelt).unwrap_err();
    assert!(err.to_string().contains("`datetime.datetife`"), "{err}");
    let decimal = read(r#"{"__class__": "decimal.Decimal", "data": "1.5"}"#);
    assert!(read_result::<Uuid>(&json, &decimal).is_err());
    assert!(read_result::<String>(&json, &decimal).is_err());
    assert_eq!(
        read_result::<rust_decimal::Decimal>(&json, &decimal)
            .unwrap()
            .to_string(),
        "1.5"
    );
    // A tag with no data is refused, as Prefect's decoder refuses it.
    let no_data = read(r#"{"__class__": "datetime.date"}"#);
    assert!(read_result::<NaiveDate>(&json, &no_data)
        .unwrap_err()
        .to_string()
        .contains("no `data`"));
    // An exception reads as `PythonException` only.
    let exception = read(r#"{"__exc_type__": "builtins.ValueError", "message": "bad"}"#);
    assert!(read_result::<BTreeMap<String, String>>(&json, &exception).is_err());
    // A set reads as a sequence; a date does not.
    let set = read(r#"{"__class__": "builtins.set", "data": [1, 2]}"#);
    assert_eq!(read_result::<Vec<i64>>(&json, &set).unwrap(), [1, 2]);
    let date = read(r#"{"__class__": "datetime.date", "data": "2020-01-01"}"#);
    assert!(read_result::<Vec<u8>>(&json, &date).is_err());

    // Errors say where in the value, with both classes.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Reading {
        sensor: String,
        at: DateTime<Utc>,
    }
    let readings = read(
        r#"[{"sensor": "a", "at": {"__class__": "datetime.datetime", "data": "2020-01-01T00:00:00Z"}}, {"sensor": "b", "at": {"__class__": "uuid.UUID", "data": "00000000-0000-0000-0000-000000000001"}}]"#,
    );
    let err = read_result::<Vec<Reading>>(&json, &readings).unwrap_err();
    assert!(
        err.to_string().contains(
            "at `[1].at`: the result holds a `uuid.UUID`, and a `datetime.datetime` is read"
        ),
        "{err}"
    );
}

/// With `object_decoder: null` Prefect reads every object as a `dict`: so does this crate.
#[test]
fn no_object_decoder_reads_tags_as_dicts() {
    let mut config = serde_json::to_value(Prefect3Serializer::json()).unwrap();
    config["object_decoder"] = Value::Null;
    let raw: Prefect3Serializer = serde_json::from_value(config).unwrap();
    let date = br#"{"__class__": "datetime.date", "data": "2020-01-01"}"#;
    let dict: BTreeMap<String, String> = read_result(&raw, date).unwrap();
    assert_eq!(dict["__class__"], "datetime.date");
    assert!(read_result::<NaiveDate>(&raw, date).is_err());
    assert!(read_result::<NaiveDate>(&Prefect3Serializer::json(), date).is_ok());
}

/// Prefect's verdict on each metadata text: accepted, or refused with the exception's type.
fn prefect_reads_metadata(texts: &[String]) -> Vec<bool> {
    let mut child = Command::new(python())
        .args([
            "-c",
            "import sys\n\
             from prefect._internal.result_records import ResultRecordMetadata\n\
             for line in sys.stdin:\n\
             \x20   try:\n\
             \x20       ResultRecordMetadata.load_bytes(line.strip().encode()); print('accepted')\n\
             \x20   except Exception as exc:\n\
             \x20       print('refused', type(exc).__name__)\n",
        ])
        .env("PREFECT_HOME", scratch("prefect3-metadata-home"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for text in texts {
        writeln!(stdin, "{text}").unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| line == "accepted")
        .collect()
}

/// Serializer configurations refuse what Prefect's models (`extra="forbid"`) refuse, naming
/// the key; metadata accepts what Prefect's `ResultRecordMetadata` accepts. Prefect itself
/// judges every case.
#[test]
fn configurations_are_as_strict_as_prefects_models() {
    let json_config = serde_json::to_value(Prefect3Serializer::json()).unwrap();
    let with = |mut config: Value, key: &str, value: Value| {
        config[key] = value;
        config
    };
    let metadata = |serializer: Value| {
        json!({"storage_key": "k", "expiration": null, "serializer": serializer,
               "prefect_version": "3.9.1", "storage_block_id": null})
    };
    let pickle = json!({"type": "pickle", "picklelib": "cloudpickle", "picklelib_version": null});
    // (metadata, the key an error names, where refused)
    let cases: Vec<(Value, Option<&str>)> = vec![
        (metadata(json_config.clone()), None),
        (
            metadata(with(json_config.clone(), "future_option", json!(true))),
            Some("future_option"),
        ),
        (
            metadata(with(json_config.clone(), "loads_kwrgs", json!({}))),
            Some("loads_kwrgs"),
        ),
        (
            metadata(with(
                json_config.clone(),
                "dumps_kwargs",
                json!({"default": "str"}),
            )),
            Some("default"),
        ),
        (
            metadata(with(
                json_config.clone(),
                "loads_kwargs",
                json!({"object_hook": "x"}),
            )),
            Some("object_hook"),
        ),
        (
            metadata(with(pickle.clone(), "protocol", json!(2))),
            Some("protocol"),
        ),
        (
            metadata(
                json!({"type": "compressed", "serializer": pickle, "compressionlib": "lzma", "level": 9}),
            ),
            Some("level"),
        ),
        (
            metadata(json!({"type": "compressed", "compressionlib": "lzma"})),
            Some("serializer"),
        ),
        (
            metadata(json!({"type": "compressed", "serializer": "json"})),
            None,
        ),
        (metadata(json!({"type": "compressed/json"})), None),
        (metadata(json!({"type": "json"})), None),
        (metadata(json!({"type": "yaml", "anything": 1})), None),
        (metadata(json!({"jsonlib": "json"})), Some("type")),
        (metadata(json!({"type": 5})), None),
        (json!({}), None),
        (json!({"storage_key": "k", "unknown_field": [1, 2]}), None),
        (json!({"prefect_version": null}), Some("prefect_version")),
        (
            json!({"storage_block_id": "not-a-uuid"}),
            Some("storage_block_id"),
        ),
        (
            json!({"storage_block_id": "00000000-0000-0000-0000-000000000001"}),
            None,
        ),
        (json!({"expiration": "2030-01-01T00:00:00Z"}), None),
        (json!({"expiration": "not a date"}), Some("expiration")),
    ];
    let texts: Vec<String> = cases.iter().map(|(case, _)| case.to_string()).collect();
    let prefect = prefect_reads_metadata(&texts);
    assert_eq!(prefect.len(), cases.len());
    for ((case, named), prefect_accepts) in cases.iter().zip(prefect) {
        let ours = Prefect3Metadata::from_slice(case.to_string().as_bytes());
        assert_eq!(ours.is_ok(), prefect_accepts, "{case}: {ours:?}");
        assert_eq!(named.is_none(), prefect_accepts, "{case}");
        if let (Err(err), Some(named)) = (&ours, named) {
            assert!(err.to_string().contains(named), "{named}: {err}");
        }
    }
}

/// Python's aware `datetime.time` has a Rust type, written as Prefect writes it and read back
/// by Prefect as the same time; a `NaiveTime` asked for one says which type to read it as.
#[test]
fn aware_times_of_day_read_write_and_reach_prefect() {
    let json = Prefect3Serializer::json();
    let utc = br#"{"__class__": "datetime.time", "data": "23:59:59Z"}"#;
    let aware: AwareTime = read_result(&json, utc).unwrap();
    assert_eq!(aware.time, NaiveTime::from_hms_opt(23, 59, 59).unwrap());
    assert_eq!(aware.offset, FixedOffset::east_opt(0).unwrap());
    let err = read_result::<NaiveTime>(&json, utc).unwrap_err();
    assert!(err.to_string().contains("AwareTime"), "{err}");
    let india = AwareTime {
        time: NaiveTime::from_hms_micro_opt(23, 59, 59, 5).unwrap(),
        offset: FixedOffset::east_opt(5 * 3600 + 1800).unwrap(),
    };
    // Prefect 3.9.1's own JSON of `time(23, 59, 59, 5, tzinfo=timezone(timedelta(hours=5,
    // minutes=30)))`.
    assert_eq!(
        write_result(&json, &india).unwrap(),
        br#"{"__class__": "datetime.time", "data": "23:59:59.000005+05:30"}"#
    );
    let base = scratch("prefect3-aware-time");
    for (key, serializer) in [
        ("json", json.clone()),
        ("pickle", Prefect3Serializer::pickle()),
    ] {
        write_both(&base, key, &serializer, &vec![aware, india]);
        // The pickle read back here too.
        let back: Vec<AwareTime> = read_result(
            &serializer,
            &write_result(&serializer, &vec![aware, india]).unwrap(),
        )
        .unwrap();
        assert_eq!(back, [aware, india], "{key}");
    }
    let read = read_with_prefect(&base, &["json", "pickle"]);
    let expected =
        json!({ "list": [{"time": "23:59:59+00:00"}, {"time": "23:59:59.000005+05:30"}] });
    for key in ["record/json", "split/json", "record/pickle", "split/pickle"] {
        assert_eq!(read[key], expected, "{key}");
    }
}

/// A set's members are written plain inside its tag, as Prefect's encoder writes them (a
/// pickle holds the members themselves); Prefect reads each as it reads its own writing.
#[test]
fn sets_of_classes_are_written_as_prefect_writes_them() {
    let ids = BTreeSet::from([Uuid::from_u128(1)]);
    // Prefect 3.9.1's own JSON of `{UUID(int=1)}`.
    assert_eq!(
        write_result(&Prefect3Serializer::json(), &ids).unwrap(),
        br#"{"__class__": "builtins.set", "data": ["00000000-0000-0000-0000-000000000001"]}"#
    );
    let base = scratch("prefect3-sets");
    write_both(&base, "json", &Prefect3Serializer::json(), &ids);
    write_both(&base, "pickle", &Prefect3Serializer::pickle(), &ids);
    let read = read_with_prefect(&base, &["json", "pickle"]);
    // Prefect's JSON gives a set of `str` back (its own writing does the same); a pickle a set
    // of `UUID`s.
    let text = json!({ "set": [str("00000000-0000-0000-0000-000000000001")] });
    let uuid = json!({ "set": [{"uuid": "00000000-0000-0000-0000-000000000001"}] });
    for layout in ["record", "split"] {
        assert_eq!(read[format!("{layout}/json")], text);
        assert_eq!(read[format!("{layout}/pickle")], uuid);
    }
    let back: BTreeSet<Uuid> = read_result(
        &Prefect3Serializer::json(),
        &write_result(&Prefect3Serializer::json(), &ids).unwrap(),
    )
    .unwrap();
    assert_eq!(back, ids);
}

/// A struct's fields reach Python in their order, in a pickle as in JSON.
#[test]
fn pickled_structs_keep_their_field_order() {
    #[derive(ToPython)]
    struct Ordered {
        zulu: i64,
        alpha: i64,
        mike: i64,
    }
    let value = Ordered {
        zulu: 1,
        alpha: 2,
        mike: 3,
    };
    let base = scratch("prefect3-order");
    write_both(&base, "pickle", &Prefect3Serializer::pickle(), &value);
    write_both(&base, "json", &Prefect3Serializer::json(), &value);
    let read = read_with_prefect(&base, &["pickle", "json"]);
    let expected = json!({ "dict": [
        [str("zulu"), {"int": "1"}], [str("alpha"), {"int": "2"}], [str("mike"), {"int": "3"}],
    ]});
    for key in ["record/pickle", "split/pickle", "record/json", "split/json"] {
        assert_eq!(read[key], expected, "{key}");
    }
}
