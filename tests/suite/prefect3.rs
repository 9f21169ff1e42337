//! Every result of Prefect 3.9.1's golden vectors (`tests/data/prefect3-vectors`, both layouts,
//! every serializer) is read into the Rust type its value maps to and compared with what
//! Prefect's own `ResultStore.read` returned, or is refused with an error naming the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, Utc};
#[cfg(feature = "store")]
use result_serializers::prefect3::Prefect3Store;
use result_serializers::prefect3::{
    read_result, write_result, Layout, Prefect3Metadata, Prefect3Record, Prefect3Serializer,
    PythonClass, PythonException, ToPython,
};
use result_serializers::Error;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/prefect3-vectors")
}

/// A vector's metadata, the serializer's output, and the file at its key, in either layout.
fn load(dir: &Path, vector: &Value) -> (Prefect3Metadata, Vec<u8>, Vec<u8>) {
    let file = std::fs::read(dir.join(vector["file"].as_str().unwrap())).unwrap();
    if vector["layout"] == "record" {
        let record = Prefect3Record::from_slice(&file).unwrap();
        return (record.metadata, record.result.into_bytes(), file);
    }
    let metadata = std::fs::read(dir.join(vector["metadata_file"].as_str().unwrap())).unwrap();
    (
        Prefect3Metadata::from_slice(&metadata).unwrap(),
        file.clone(),
        file,
    )
}

#[path = "../common/prefect3_models.rs"]
mod models;
use models::Record;

/// The flow's pydantic model: its class is its serde name, written as the tag and checked
/// when read.
#[derive(Debug, Deserialize, ToPython)]
#[serde(rename = "prefect3_vector_models.Reading")]
struct Reading {
    sensor: String,
    kelvin: f64,
    at: DateTime<Utc>,
    tags: Vec<String>,
}

/// The flow's dataclass.
#[derive(Debug, Deserialize, ToPython)]
#[serde(rename = "prefect3_vector_models.Point")]
struct Point {
    x: i64,
    y: i64,
}

// The manifest's typed notation, from Rust values.
fn int(value: impl ToString) -> Value {
    json!({ "int": value.to_string() })
}

fn float(value: f64) -> Value {
    let text = if value.is_nan() {
        "nan".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        String::from_utf8(result_serializers::json::to_python_json(&value).unwrap()).unwrap()
    };
    json!({ "float": text })
}

fn str(value: &str) -> Value {
    json!({ "str": value })
}

fn list(items: impl IntoIterator<Item = Value>) -> Value {
    json!({ "list": items.into_iter().collect::<Vec<_>>() })
}

fn dict(members: impl IntoIterator<Item = (Value, Value)>) -> Value {
    json!({ "dict": members.into_iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>() })
}

fn record(r: &Record) -> Value {
    dict([
        (str("id"), int(r.id)),
        (str("name"), str(&r.name)),
        (str("price"), float(r.price)),
        (str("tags"), list(r.tags.iter().map(|t| str(t)))),
        (str("active"), json!({ "bool": r.active })),
    ])
}

/// Python's `isoformat` of a time: microseconds only when there are some.
fn iso_time(time: NaiveTime) -> String {
    if chrono::Timelike::nanosecond(&time) == 0 {
        time.format("%H:%M:%S").to_string()
    } else {
        time.format("%H:%M:%S%.6f").to_string()
    }
}

fn iso_offset(at: DateTime<FixedOffset>) -> String {
    format!(
        "{}T{}{}",
        at.date_naive(),
        iso_time(at.time()),
        at.format("%:z")
    )
}

fn object(class: &str, fields: Vec<(&str, Value)>) -> Value {
    json!({ "object": {
        "class": class,
        "fields": fields.into_iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
    }})
}

/// `bytes` read with `serializer` into the Rust type of the value `name`, in typed notation.
pub(crate) fn read_typed(
    name: &str,
    serializer: &Prefect3Serializer,
    bytes: &[u8],
) -> Result<Value, Error> {
    fn read<T: DeserializeOwned>(
        serializer: &Prefect3Serializer,
        bytes: &[u8],
    ) -> Result<T, Error> {
        read_result(serializer, bytes)
    }
    let pickled = matches!(
        serializer,
        Prefect3Serializer::Pickle(_) | Prefect3Serializer::CompressedPickle(_)
    ) || matches!(serializer, Prefect3Serializer::Compressed(c)
        if matches!(*c.serializer, Prefect3Serializer::Pickle(_)));
    Ok(match name {
        "record" => record(&read::<Record>(serializer, bytes)?),
        "records" => list(read::<Vec<Record>>(serializer, bytes)?.iter().map(record)),
        "scalars" => {
            let (a, b, c, d, e, f, g, h, i, j): (
                i64,
                i64,
                i64,
                f64,
                f64,
                f64,
                f64,
                String,
                bool,
                Option<i64>,
            ) = read(serializer, bytes)?;
            list([
                int(a),
                int(b),
                int(c),
                float(d),
                float(e),
                float(f),
                float(g),
                str(&h),
                json!({ "bool": i }),
                j.map_or(json!({ "none": null }), int),
            ])
        }
        "nested" => {
            #[derive(Deserialize)]
            struct Nested {
                a: BTreeMap<String, (i64, (i64, (i64,)))>,
                empty_list: Vec<i64>,
                empty_dict: BTreeMap<String, i64>,
            }
            let nested: Nested = read(serializer, bytes)?;
            let a = nested.a.iter().map(|(key, &(one, (two, (three,))))| {
                (
                    str(key),
                    list([int(one), list([int(two), list([int(three)])])]),
                )
            });
            dict([
                (str("a"), dict(a)),
                (
                    str("empty_list"),
                    list(nested.empty_list.into_iter().map(int)),
                ),
                (
                    str("empty_dict"),
                    dict(
                        nested
                            .empty_dict
                            .into_iter()
                            .map(|(k, v)| (str(&k), int(v))),
                    ),
                ),
            ])
        }
        "int_keys" if pickled => dict(
            read::<BTreeMap<i64, String>>(serializer, bytes)?
                .into_iter()
                .map(|(k, v)| (int(k), str(&v))),
        ),
        "int_keys" => dict(
            read::<BTreeMap<String, String>>(serializer, bytes)?
                .into_iter()
                .map(|(k, v)| (str(&k), str(&v))),
        ),
        "big_int" => int(read::<i128>(serializer, bytes)?),
        "nan_inf" => list(read::<Vec<f64>>(serializer, bytes)?.into_iter().map(float)),
        "datetime_utc" => {
            json!({ "datetime": iso_offset(read::<DateTime<Utc>>(serializer, bytes)?.fixed_offset()) })
        }
        "datetime_offset" => {
            json!({ "datetime": iso_offset(read::<DateTime<FixedOffset>>(serializer, bytes)?) })
        }
        "datetime_naive" => {
            let at: NaiveDateTime = read(serializer, bytes)?;
            json!({ "datetime": format!("{}T{}", at.date(), iso_time(at.time())) })
        }
        "date" => json!({ "date": read::<NaiveDate>(serializer, bytes)?.to_string() }),
        "time" => json!({ "time": iso_time(read::<NaiveTime>(serializer, bytes)?) }),
        "timedelta" => {
            let Class(delta): Class<chrono::TimeDelta> = read(serializer, bytes)?;
            let micros = delta.num_microseconds().map(|micros| micros.to_string());
            json!({ "timedelta_microseconds": micros })
        }
        "uuid" => json!({ "uuid": read::<Uuid>(serializer, bytes)?.to_string() }),
        "decimal" => json!({ "decimal": read::<Decimal>(serializer, bytes)?.to_string() }),
        "bytes_utf8" => {
            let bytes: serde_bytes::ByteBuf = read(serializer, bytes)?;
            json!({ "bytes_hex": bytes.iter().map(|b| format!("{b:02x}")).collect::<String>() })
        }
        "set" => {
            json!({ "set": read::<BTreeSet<i64>>(serializer, bytes)?.into_iter().map(int).collect::<Vec<_>>() })
        }
        "tuple" => {
            let (a, b, c): (i64, String, Option<i64>) = read(serializer, bytes)?;
            let items = [int(a), str(&b), c.map_or(json!({ "none": null }), int)];
            if pickled {
                json!({ "tuple": items })
            } else {
                list(items)
            }
        }
        "in_a_list" => {
            let (at, id, amount): (DateTime<Utc>, Uuid, Decimal) = read(serializer, bytes)?;
            list([
                json!({ "datetime": iso_offset(at.fixed_offset()) }),
                json!({ "uuid": id.to_string() }),
                json!({ "decimal": amount.to_string() }),
            ])
        }
        "pydantic_model" => {
            let r: Reading = read(serializer, bytes)?;
            object(
                "prefect3_vector_models.Reading",
                vec![
                    ("sensor", str(&r.sensor)),
                    ("kelvin", float(r.kelvin)),
                    (
                        "at",
                        json!({ "datetime": r.at.to_rfc3339_opts(SecondsFormat::AutoSi, false) }),
                    ),
                    ("tags", list(r.tags.iter().map(|t| str(t)))),
                ],
            )
        }
        "dataclass" => {
            let p: Point = read(serializer, bytes)?;
            object(
                "prefect3_vector_models.Point",
                vec![("x", int(p.x)), ("y", int(p.y))],
            )
        }
        "exception" => {
            let e: PythonException = read(serializer, bytes)?;
            json!({ "exception": { "type": e.exc_type, "message": e.message } })
        }
        "string" => str(&read::<String>(serializer, bytes)?),
        other => panic!("no Rust type for the vector value `{other}`"),
    })
}

/// The typed value with every dict's members in the order of their keys.
pub(crate) fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(kind, payload)| {
                    let payload = match (kind.as_str(), payload) {
                        ("dict", Value::Array(members)) => {
                            let mut members: Vec<Value> = members.into_iter().map(sorted).collect();
                            members.sort_by_key(|member| member[0].to_string());
                            Value::Array(members)
                        }
                        (_, payload) => sorted(payload),
                    };
                    (kind, payload)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[test]
fn every_prefect3_vector_reads_to_what_prefect_read_or_is_refused_by_name() {
    let dir = vectors_dir();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut read = 0;
    let mut refused = BTreeMap::<String, Vec<String>>::new();
    for vector in manifest["vectors"].as_array().unwrap() {
        let id = vector["id"].as_str().unwrap();
        let name = id.rsplit('.').next().unwrap();
        let (metadata, result, _) = load(&dir, vector);
        if let Some(key) = vector["storage_key"].as_str() {
            assert_eq!(metadata.storage_key.as_deref(), Some(key), "{id}");
        }
        assert!(
            metadata
                .storage_key
                .as_deref()
                .is_some_and(|stored| stored.ends_with(vector["key"].as_str().unwrap())),
            "{id}"
        );
        assert_eq!(
            serde_json::to_value(&metadata.serializer).unwrap(),
            vector["serializer"],
            "{id}: the serializer's configuration"
        );
        let expiration = vector["expiration"]
            .as_str()
            .map(|at| at.parse::<DateTime<Utc>>().unwrap());
        assert_eq!(metadata.expiration, expiration, "{id}");
        match read_typed(name, &metadata.serializer, &result) {
            Ok(typed) => {
                // Key order is the layout's (`sort_keys`), not the value's.
                assert_eq!(sorted(typed), sorted(vector["read_back"].clone()), "{id}");
                read += 1;
            }
            Err(err) => refused
                .entry(err.to_string())
                .or_default()
                .push(id.to_string()),
        }
    }
    // What is not read: in pickles, classes other than the well-known ones (never imported or
    // run) and integers past 64 bits (serde-pickle reads no `i128`). Each refusal names the
    // class or the reason; every JSON result reads, and so does every pickled `datetime`,
    // `date`, `time`, `timedelta`, `UUID` and `Decimal`.
    let mut refused_values = BTreeSet::new();
    for (reason, ids) in &refused {
        println!("refused ({}): {reason}\n    {}", ids.len(), ids.join(", "));
        for id in ids {
            assert!(
                id.contains("pickle"),
                "only pickles are refused: {reason}: {id}"
            );
            let value = id.rsplit('.').next().unwrap();
            refused_values.insert(value.to_string());
            let named = match value {
                "big_int" => "i128",
                "dataclass" => "`prefect3_vector_models.Point`",
                "pydantic_model" => "`prefect3_vector_models.Reading`",
                "exception" => "`builtins.ValueError`",
                _ => panic!("{id} is refused: {reason}"),
            };
            assert!(reason.contains(named), "{id}: {reason}");
        }
    }
    let count: usize = refused.values().map(Vec::len).sum();
    println!("{read} read, {count} refused");
    assert_eq!(read + count, 322);
    // 4 values, in both layouts, of the 2 pickle serializers.
    assert_eq!(refused_values.len(), 4, "{refused_values:?}");
    assert_eq!(count, 4 * 2 * 2);
}

/// A value of a Python class, read and written tagged through the `with` module, as a
/// hand-written serde impl does; written as Python's type by a hand-written `ToPython`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(bound = "T: PythonClass")]
struct Class<T>(#[serde(with = "result_serializers::prefect3::tagged")] T);

impl<T: ToPython> ToPython for Class<T> {
    fn to_python<S: serde::Serializer>(
        &self,
        serializer: S,
        layout: Layout,
    ) -> Result<S::Ok, S::Error> {
        self.0.to_python(serializer, layout)
    }
}

/// The `in_a_list` value: a date-time, a UUID and a decimal, each tagged.
type InAList = (Class<DateTime<Utc>>, Class<Uuid>, Class<Decimal>);

/// The `nested` value, its lists as lists (a Rust tuple pickles as a Python tuple).
#[derive(Debug, Deserialize, Serialize, ToPython)]
struct Nested {
    a: BTreeMap<String, Vec<Tree>>,
    empty_list: Vec<i64>,
    empty_dict: BTreeMap<String, i64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
enum Tree {
    Leaf(i64),
    List(Vec<Tree>),
}

/// An untagged enum has no derive: its Python value is that of the variant it holds.
impl ToPython for Tree {
    fn to_python<S: serde::Serializer>(
        &self,
        serializer: S,
        layout: Layout,
    ) -> Result<S::Ok, S::Error> {
        match self {
            Tree::Leaf(leaf) => leaf.to_python(serializer, layout),
            Tree::List(list) => list.to_python(serializer, layout),
        }
    }
}

/// The vector's result read into `T`, written again, and compared with Prefect's bytes: the
/// `split` layout's file, and the `record` layout's whole record.
fn rewrite<T: DeserializeOwned + ToPython>(
    id: &str,
    layout: &str,
    metadata: Prefect3Metadata,
    result: &[u8],
    file: &[u8],
) {
    let value: T = read_result(&metadata.serializer, result).unwrap();
    let written = write_result(&metadata.serializer, &value).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(result),
        "{id}: the result"
    );
    if layout == "record" {
        let record = Prefect3Record::of(metadata, &value).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&record.to_vec().unwrap()),
            String::from_utf8_lossy(file),
            "{id}: the record"
        );
    }
}

#[test]
fn what_we_write_of_prefect3_json_values_is_prefects_own_bytes() {
    let dir = vectors_dir();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut compared = BTreeSet::new();
    for vector in manifest["vectors"].as_array().unwrap() {
        let id = vector["id"].as_str().unwrap();
        let layout = vector["layout"].as_str().unwrap();
        // Both JSON serializers: the default, and `sort_keys` with `indent`.
        if vector["serializer"]["type"] != "json" {
            continue;
        }
        let (metadata, result, file) = load(&dir, vector);
        let name = id.rsplit('.').next().unwrap();
        let args = (id, layout, metadata, &result[..], &file[..]);
        match name {
            "record" => rewrite::<Record>(args.0, args.1, args.2, args.3, args.4),
            "records" => rewrite::<Vec<Record>>(args.0, args.1, args.2, args.3, args.4),
            "scalars" => rewrite::<(i64, i64, i64, f64, f64, f64, f64, String, bool, Option<i64>)>(
                args.0, args.1, args.2, args.3, args.4,
            ),
            "nested" => rewrite::<Nested>(args.0, args.1, args.2, args.3, args.4),
            "int_keys" => rewrite::<BTreeMap<i64, String>>(args.0, args.1, args.2, args.3, args.4),
            "big_int" => rewrite::<i128>(args.0, args.1, args.2, args.3, args.4),
            "nan_inf" => rewrite::<Vec<f64>>(args.0, args.1, args.2, args.3, args.4),
            "string" => rewrite::<String>(args.0, args.1, args.2, args.3, args.4),
            "tuple" => {
                rewrite::<(i64, String, Option<i64>)>(args.0, args.1, args.2, args.3, args.4)
            }
            "datetime_utc" => {
                rewrite::<Class<DateTime<Utc>>>(args.0, args.1, args.2, args.3, args.4)
            }
            "datetime_offset" => {
                rewrite::<Class<DateTime<FixedOffset>>>(args.0, args.1, args.2, args.3, args.4)
            }
            "datetime_naive" => {
                rewrite::<Class<NaiveDateTime>>(args.0, args.1, args.2, args.3, args.4)
            }
            "date" => rewrite::<Class<NaiveDate>>(args.0, args.1, args.2, args.3, args.4),
            "time" => rewrite::<Class<NaiveTime>>(args.0, args.1, args.2, args.3, args.4),
            "timedelta" => {
                rewrite::<Class<chrono::TimeDelta>>(args.0, args.1, args.2, args.3, args.4)
            }
            "exception" => rewrite::<PythonException>(args.0, args.1, args.2, args.3, args.4),
            "uuid" => rewrite::<Class<Uuid>>(args.0, args.1, args.2, args.3, args.4),
            "decimal" => rewrite::<Class<Decimal>>(args.0, args.1, args.2, args.3, args.4),
            "in_a_list" => rewrite::<InAList>(args.0, args.1, args.2, args.3, args.4),
            "bytes_utf8" => rewrite::<serde_bytes::ByteBuf>(args.0, args.1, args.2, args.3, args.4),
            "set" => rewrite::<BTreeSet<i64>>(args.0, args.1, args.2, args.3, args.4),
            "pydantic_model" => rewrite::<Reading>(args.0, args.1, args.2, args.3, args.4),
            "dataclass" => rewrite::<Point>(args.0, args.1, args.2, args.3, args.4),
            other => panic!("{other} is not written"),
        }
        compared.insert(vector["key"].as_str().unwrap().to_string());
    }
    // Every value kind, with both JSON serializers.
    assert_eq!(compared.len(), 23 * 2, "{compared:?}");
}

#[test]
fn compressed_and_pickled_results_we_write_read_back() {
    let value = (
        vec![1.5f64, f64::NAN, -0.0],
        "h\u{e9}llo".to_string(),
        BTreeMap::from([(1i64, "one".to_string())]),
    );
    for serializer in [
        Prefect3Serializer::pickle(),
        Prefect3Serializer::compressed(Prefect3Serializer::json(), "lzma"),
        Prefect3Serializer::compressed(Prefect3Serializer::json(), "zlib"),
        Prefect3Serializer::compressed(Prefect3Serializer::json(), "bz2"),
        Prefect3Serializer::compressed(Prefect3Serializer::json(), "gzip"),
        Prefect3Serializer::compressed(Prefect3Serializer::pickle(), "lzma"),
    ] {
        let metadata = Prefect3Metadata::new("results/value", serializer.clone(), None);
        let record = Prefect3Record::of(metadata, &value).unwrap();
        let back = Prefect3Record::from_slice(&record.to_vec().unwrap()).unwrap();
        let read: (Vec<f64>, String, BTreeMap<i64, String>) = back.read().unwrap();
        assert_eq!(read.0[0], 1.5);
        assert!(read.0[1].is_nan());
        assert!(
            read.0[2] == 0.0 && read.0[2].is_sign_negative(),
            "{serializer:?}"
        );
        assert_eq!((&read.1, &read.2), (&value.1, &value.2));
        // Base64 in lines of 76, as Python writes it.
        if !matches!(serializer, Prefect3Serializer::Json(_)) {
            assert!(
                back.result.lines().all(|line| line.len() <= 76),
                "{}",
                back.result
            );
            assert!(back.result.ends_with('\n'));
        }
    }
}

#[test]
fn bad_records_are_clear_errors() {
    let record = |text: &str| Prefect3Record::from_slice(text.as_bytes());
    let metadata = r#"{"storage_key":"k","expiration":null,"prefect_version":"3.9.1","storage_block_id":null,"#;
    // No serializer: Prefect's default, pickle (and a key Prefect does not know is ignored, as
    // Prefect ignores it); an unknown one reads as metadata, and its result does not.
    let defaulted = record(&format!(r#"{{"metadata":{metadata}"x":1}},"result":""}}"#)).unwrap();
    assert_eq!(defaulted.metadata.serializer, Prefect3Serializer::pickle());
    let err = record(&format!(
        r#"{{"metadata":{metadata}"serializer":{{"type":"yaml"}}}},"result":""}}"#
    ))
    .unwrap()
    .read::<i64>()
    .unwrap_err();
    assert!(err.to_string().contains("`yaml`"), "{err}");
    // Options that change what is read.
    let json = |extra: &str| {
        format!(
            r#"{{"metadata":{metadata}"serializer":{{"type":"json","jsonlib":"{extra}","object_encoder":null,"object_decoder":null}}}},"result":"1"}}"#
        )
    };
    let err = record(&json("orjson")).unwrap().read::<i64>().unwrap_err();
    assert!(err.to_string().contains("`orjson`"), "{err}");
    assert_eq!(record(&json("json")).unwrap().read::<i64>().unwrap(), 1);
    // A truncated base64 body, an unknown compression library.
    let compressed = |library: &str, result: &str| {
        format!(
            r#"{{"metadata":{metadata}"serializer":{{"type":"compressed","compressionlib":"{library}","serializer":{{"type":"pickle","picklelib":"cloudpickle","picklelib_version":null}}}}}},"result":"{result}"}}"#
        )
    };
    let good = Prefect3Record::of(
        Prefect3Metadata::new(
            "k",
            Prefect3Serializer::compressed(Prefect3Serializer::pickle(), "zlib"),
            None,
        ),
        &vec![1i64, 2, 3],
    )
    .unwrap()
    .result;
    let truncated = &good.trim_end()[..good.trim_end().len() - 3];
    let err = record(&compressed("zlib", &truncated.replace('\n', "\\n")))
        .unwrap()
        .read::<Vec<i64>>()
        .unwrap_err();
    assert!(err.to_string().contains("base64"), "{err}");
    let err = record(&compressed("brotli", "AAAA"))
        .unwrap()
        .read::<Vec<i64>>()
        .unwrap_err();
    assert!(err.to_string().contains("`brotli`"), "{err}");
    // Options a write cannot honour, each named.
    let configured = |configure: &dyn Fn(&mut Value)| {
        let mut config = serde_json::to_value(Prefect3Serializer::json()).unwrap();
        configure(&mut config);
        serde_json::from_value::<Prefect3Serializer>(config).unwrap()
    };
    for (serializer, named) in [
        (
            configured(&|c| c["object_encoder"] = json!("flows.encode")),
            "`flows.encode`",
        ),
        (
            configured(&|c| c["object_decoder"] = Value::Null),
            "no object decoder",
        ),
        (
            configured(&|c| c["loads_kwargs"] = json!({"parse_float": "decimal.Decimal"})),
            "`parse_float`",
        ),
        (
            Prefect3Serializer::Pickle(
                serde_json::from_value(json!({"picklelib": "dill", "picklelib_version": null}))
                    .unwrap(),
            ),
            "`dill`",
        ),
        (
            Prefect3Serializer::compressed(Prefect3Serializer::json(), "brotli"),
            "`brotli`",
        ),
    ] {
        let err = write_result(&serializer, &1).unwrap_err();
        assert!(err.to_string().contains(named), "{named}: {err}");
    }
    // A value of another shape.
    let err = record(&json("json")).unwrap().read::<String>().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("prefect3 serializer failed to deserialize"),
        "{err}"
    );
}

/// Writes the value `T` read from `source` (the default-JSON vector's result) with
/// `serializer`, at `key` in both layouts under `base`, through [`Prefect3Store`] on local
/// directories.
#[cfg(feature = "store")]
fn write_both<T: DeserializeOwned + ToPython>(
    source: &[u8],
    serializer: &Prefect3Serializer,
    base: &Path,
    key: &str,
) {
    use result_serializers::store::ResultStore;
    let value: T = read_result(&Prefect3Serializer::json(), source).unwrap();
    let local = |dir: &str| ResultStore::local(base.join(dir)).unwrap();
    let record = Prefect3Store::record(&local("record"));
    let split = Prefect3Store::split(&local("split"), &local("split-metadata"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        for store in [record, split] {
            store.write(key, &value, serializer, None).await.unwrap();
        }
    });
}

/// Prefect 3.9.1's own `ResultStore.read`, in a virtual environment this test makes, reads
/// what [`Prefect3Store`] writes, in both layouts and with every serializer of the vectors we
/// write, to the value and type it read from its own files.
#[cfg(feature = "store")]
#[test]
fn prefect3_reads_what_we_write_in_both_layouts() {
    let dir = vectors_dir();
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("prefect3-written");
    let _ = std::fs::remove_dir_all(&base);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let vectors = manifest["vectors"].as_array().unwrap();
    // Each value's source: the default JSON serializer's result in the split layout.
    let source = |name: &str| std::fs::read(dir.join("split/json").join(name)).unwrap();
    let mut expected = BTreeMap::new();
    for vector in vectors.iter().filter(|vector| vector["layout"] == "record") {
        let serializer: Prefect3Serializer =
            serde_json::from_value(vector["serializer"].clone()).unwrap();
        let pickled = vector["serializer"].to_string().contains("pickle");
        let key = vector["key"].as_str().unwrap();
        let name = key.rsplit('/').next().unwrap();
        let args = (&source(name)[..], &serializer, base.as_path(), key);
        match name {
            "record" => write_both::<Record>(args.0, args.1, args.2, args.3),
            "records" => write_both::<Vec<Record>>(args.0, args.1, args.2, args.3),
            "scalars" => {
                write_both::<(i64, i64, i64, f64, f64, f64, f64, String, bool, Option<i64>)>(
                    args.0, args.1, args.2, args.3,
                )
            }
            "nested" => write_both::<Nested>(args.0, args.1, args.2, args.3),
            "int_keys" => write_both::<BTreeMap<i64, String>>(args.0, args.1, args.2, args.3),
            "nan_inf" => write_both::<Vec<f64>>(args.0, args.1, args.2, args.3),
            "string" => write_both::<String>(args.0, args.1, args.2, args.3),
            "tuple" => write_both::<(i64, String, Option<i64>)>(args.0, args.1, args.2, args.3),
            "big_int" => write_both::<i128>(args.0, args.1, args.2, args.3),
            "datetime_utc" => write_both::<Class<DateTime<Utc>>>(args.0, args.1, args.2, args.3),
            "datetime_offset" => {
                write_both::<Class<DateTime<FixedOffset>>>(args.0, args.1, args.2, args.3)
            }
            "datetime_naive" => write_both::<Class<NaiveDateTime>>(args.0, args.1, args.2, args.3),
            "date" => write_both::<Class<NaiveDate>>(args.0, args.1, args.2, args.3),
            "time" => write_both::<Class<NaiveTime>>(args.0, args.1, args.2, args.3),
            "timedelta" => write_both::<Class<chrono::TimeDelta>>(args.0, args.1, args.2, args.3),
            "exception" => write_both::<PythonException>(args.0, args.1, args.2, args.3),
            "uuid" => write_both::<Class<Uuid>>(args.0, args.1, args.2, args.3),
            "decimal" => write_both::<Class<Decimal>>(args.0, args.1, args.2, args.3),
            "in_a_list" => write_both::<InAList>(args.0, args.1, args.2, args.3),
            "bytes_utf8" => write_both::<serde_bytes::ByteBuf>(args.0, args.1, args.2, args.3),
            "set" => write_both::<BTreeSet<i64>>(args.0, args.1, args.2, args.3),
            "pydantic_model" => write_both::<Reading>(args.0, args.1, args.2, args.3),
            "dataclass" => write_both::<Point>(args.0, args.1, args.2, args.3),
            other => panic!("{other} is not written"),
        }
        let mut read_back = vector["read_back"].clone();
        if pickled && matches!(name, "scalars" | "in_a_list") {
            // Written from a Rust tuple, which a pickle holds as a Python tuple.
            read_back = json!({ "tuple": read_back["list"].clone() });
        }
        expected.insert(key.to_string(), read_back);
    }
    let keys: Vec<&String> = expected.keys().collect();
    let read = super::prefect3_strict::read_with_prefect(&base, &keys);
    for (key, read_back) in &expected {
        for layout in ["record", "split"] {
            let got = &read[format!("{layout}/{key}")];
            assert_eq!(
                sorted(got.clone()),
                sorted(read_back.clone()),
                "{layout}/{key}"
            );
        }
    }
    // Every value kind on each of the seven serializers.
    assert_eq!(expected.len(), 23 * 7, "{:?}", expected.keys());
}

/// What `#[derive(ToPython)]` writes: fields by their types, serde's names, a class where the
/// serde name is one; and a struct naming a class reads only that class.
#[test]
fn derived_types_write_python_values_and_check_their_class() {
    #[derive(ToPython)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Job<T> {
        job_name: String,
        #[serde(rename = "when")]
        at: NaiveDate,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        #[serde(skip)]
        cache: u8,
        status: Status,
        pair: Pair,
        ids: BTreeSet<Unit>,
        inner: T,
    }
    #[derive(ToPython)]
    #[serde(rename_all = "snake_case")]
    enum Status {
        StillRunning,
    }
    #[derive(ToPython)]
    struct Pair(i64, chrono::TimeDelta);
    #[derive(ToPython, PartialEq, Eq, PartialOrd, Ord)]
    struct Unit;
    let job = Job {
        job_name: "load".into(),
        at: NaiveDate::from_ymd_opt(2020, 12, 16).unwrap(),
        note: None,
        cache: 7,
        status: Status::StillRunning,
        pair: Pair(1, chrono::TimeDelta::minutes(90)),
        ids: BTreeSet::from([Unit]),
        inner: Point { x: 1, y: -2 },
    };
    let written = write_result(&Prefect3Serializer::json(), &job).unwrap();
    assert_eq!(
        String::from_utf8(written).unwrap(),
        r#"{"jobName": "load", "when": {"__class__": "datetime.date", "data": "2020-12-16"}, "status": "still_running", "pair": [1, {"__class__": "datetime.timedelta", "data": "PT1H30M"}], "ids": {"__class__": "builtins.set", "data": [null]}, "inner": {"__class__": "prefect3_vector_models.Point", "data": {"x": 1, "y": -2}}}"#
    );

    // Prefect's pydantic model read as the dataclass: the class is checked, and named.
    let dir = vectors_dir();
    let model = std::fs::read(dir.join("split/json/pydantic_model")).unwrap();
    let err = read_result::<Point>(&Prefect3Serializer::json(), &model).unwrap_err();
    assert!(
        err.to_string().contains(
            "holds a `prefect3_vector_models.Reading`, and a `prefect3_vector_models.Point` is read"
        ),
        "{err}"
    );
    // A struct naming no class reads the fields of any.
    #[derive(Deserialize)]
    struct AnyPoint {
        x: i64,
        y: i64,
    }
    let point = std::fs::read(dir.join("split/json/dataclass")).unwrap();
    let any: AnyPoint = read_result(&Prefect3Serializer::json(), &point).unwrap();
    assert_eq!((any.x, any.y), (1, -2));
}

/// Python's classes written to a pickle read back into the same Rust values, and a value
/// Python's `datetime` cannot hold is refused, not rounded.
#[test]
fn pickled_classes_round_trip_and_unheld_values_are_refused() {
    #[derive(Debug, PartialEq, Deserialize, ToPython)]
    struct Row {
        at: DateTime<Utc>,
        local: DateTime<FixedOffset>,
        day: NaiveDate,
        id: Uuid,
        amount: Decimal,
        tags: BTreeSet<String>,
        raw: serde_bytes::ByteBuf,
        big: Option<i64>,
    }
    let row = Row {
        at: "2020-12-16T21:36:00.000005Z".parse().unwrap(),
        local: DateTime::parse_from_rfc3339("1999-01-02T03:04:05-03:30").unwrap(),
        day: NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        id: Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0),
        amount: "-0.0100".parse().unwrap(),
        tags: BTreeSet::from(["a".into(), "b".into()]),
        raw: serde_bytes::ByteBuf::from(vec![0, 255, 7]),
        big: None,
    };
    for serializer in [
        Prefect3Serializer::pickle(),
        Prefect3Serializer::compressed(Prefect3Serializer::pickle(), "zlib"),
    ] {
        let written = write_result(&serializer, &row).unwrap();
        let back: Row = read_result(&serializer, &written).unwrap();
        assert_eq!(back, row);
        assert_eq!(back.amount.to_string(), "-0.0100");
    }
    // Nanoseconds have no place in Python's `datetime`.
    let nanos: DateTime<Utc> = "2020-12-16T21:36:00.000000001Z".parse().unwrap();
    for serializer in [Prefect3Serializer::json(), Prefect3Serializer::pickle()] {
        let err = write_result(&serializer, &nanos).unwrap_err();
        assert!(err.to_string().contains("nanoseconds"), "{err}");
    }
    // Bytes that are not UTF-8 pickle, and have no place in Prefect's JSON.
    let err = write_result(&Prefect3Serializer::json(), &row.raw).unwrap_err();
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}
