//! One walk over every vector of Prefect 1.4.1's manifest: each is checked against our
//! serializers (bytes, values and error kinds), or listed with the reason it is not.

use std::collections::BTreeMap;
use std::fmt;

use result_serializers::serde_pickle::Value as Pickled;
use result_serializers::{
    Codec, CompressedSerializer, Compression, DateTimeSerializer, ErrorKind, JsonSerializer,
    PickleSerializer, Serializer,
};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq};
use serde_json::Value;

use crate::{vectors_dir, DeserializeAs, Passthrough};

/// What a check made of a vector.
#[derive(Debug)]
pub(crate) enum Outcome {
    Checked,
    NotCovered(&'static str),
}

pub(crate) fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A Python value as the manifest types it.
#[derive(Debug, Clone)]
enum Py {
    None,
    Bool(bool),
    /// Decimal digits, any size.
    Int(String),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Py>),
    Tuple(Vec<Py>),
    Dict(Vec<(Py, Py)>),
    Set(Vec<Py>),
}

impl Py {
    /// The manifest's typed value; `None` for what no Rust value holds (lone surrogates,
    /// date-times).
    fn from_typed(typed: &Value) -> Option<Py> {
        let (kind, payload) = typed.as_object()?.iter().next()?;
        let all = |items: &Value| -> Option<Vec<Py>> {
            items.as_array()?.iter().map(Py::from_typed).collect()
        };
        Some(match kind.as_str() {
            "none" => Py::None,
            "bool" => Py::Bool(payload.as_bool()?),
            "int" => Py::Int(payload.as_str()?.to_string()),
            "float" => Py::Float(payload.as_str()?.parse().ok()?),
            "str" => Py::Str(payload.as_str()?.to_string()),
            "bytes_hex" => Py::Bytes(hex(payload.as_str()?)),
            "list" => Py::List(all(payload)?),
            "tuple" => Py::Tuple(all(payload)?),
            "set" | "frozenset" => Py::Set(all(payload)?),
            "dict" => Py::Dict(
                payload
                    .as_array()?
                    .iter()
                    .map(|pair| Some((Py::from_typed(&pair[0])?, Py::from_typed(&pair[1])?)))
                    .collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    }

    fn from_pickle(value: &Pickled) -> Py {
        match value {
            Pickled::None => Py::None,
            Pickled::Bool(b) => Py::Bool(*b),
            Pickled::I64(i) => Py::Int(i.to_string()),
            Pickled::Int(i) => Py::Int(i.to_string()),
            Pickled::F64(f) => Py::Float(*f),
            Pickled::Bytes(b) => Py::Bytes(b.clone()),
            Pickled::String(s) => Py::Str(s.clone()),
            Pickled::List(items) => Py::List(items.iter().map(Py::from_pickle).collect()),
            Pickled::Tuple(items) => Py::Tuple(items.iter().map(Py::from_pickle).collect()),
            Pickled::Set(items) | Pickled::FrozenSet(items) => Py::Set(
                items
                    .iter()
                    .map(|item| Py::from_pickle(&item.clone().into_value()))
                    .collect(),
            ),
            Pickled::Dict(map) => Py::Dict(
                map.iter()
                    .map(|(key, value)| {
                        (
                            Py::from_pickle(&key.clone().into_value()),
                            Py::from_pickle(value),
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// Equal as Python compares them (NaN equal to itself here, `-0.0` apart from `0.0`, a
    /// tuple equal to a list, sets and pickled dicts in any order).
    fn same(&self, other: &Py) -> bool {
        let unordered = |a: &[Py], b: &[Py]| {
            a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.same(y)))
        };
        match (self, other) {
            (Py::None, Py::None) => true,
            (Py::Bool(a), Py::Bool(b)) => a == b,
            (Py::Int(a), Py::Int(b)) => a == b,
            (Py::Float(a), Py::Float(b)) => {
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
            }
            (Py::Str(a), Py::Str(b)) => a == b,
            (Py::Bytes(a), Py::Bytes(b)) => a == b,
            (Py::List(a) | Py::Tuple(a), Py::List(b) | Py::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (Py::Set(a), Py::Set(b)) => unordered(a, b),
            (Py::Dict(a), Py::Dict(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k.same(k2) && v.same(v2)))
            }
            _ => false,
        }
    }
}

impl Serialize for Py {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Py::None => serializer.serialize_none(),
            Py::Bool(b) => serializer.serialize_bool(*b),
            Py::Int(digits) => match digits.parse::<i128>() {
                Ok(int) => serializer.serialize_i128(int),
                Err(_) => Err(ser::Error::custom("an integer beyond 128 bits")),
            },
            Py::Float(f) => serializer.serialize_f64(*f),
            Py::Str(s) => serializer.serialize_str(s),
            Py::List(items) | Py::Tuple(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Py::Dict(pairs) => {
                let mut map = serializer.serialize_map(Some(pairs.len()))?;
                for (key, value) in pairs {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Py::Bytes(_) | Py::Set(_) => Err(ser::Error::custom("no JSON form")),
        }
    }
}

impl<'de> Deserialize<'de> for Py {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PyVisitor;

        impl<'de> Visitor<'de> for PyVisitor {
            type Value = Py;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }

            fn visit_unit<E: de::Error>(self) -> Result<Py, E> {
                Ok(Py::None)
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Py, E> {
                Ok(Py::Bool(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Py, E> {
                Ok(Py::Int(v.to_string()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Py, E> {
                Ok(Py::Int(v.to_string()))
            }

            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Py, E> {
                Ok(Py::Int(v.to_string()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Py, E> {
                Ok(Py::Float(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Py, E> {
                Ok(Py::Str(v.to_string()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Py, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Py::List(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Py, A::Error> {
                // A repeated key keeps its first place and its last value, as in Python.
                let mut pairs: Vec<(Py, Py)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Py>()? {
                    match pairs
                        .iter_mut()
                        .find(|(k, _)| matches!(k, Py::Str(s) if *s == key))
                    {
                        Some(pair) => pair.1 = value,
                        None => pairs.push((Py::Str(key), value)),
                    }
                }
                Ok(Py::Dict(pairs))
            }
        }

        deserializer.deserialize_any(PyVisitor)
    }
}

fn file_bytes(vector: &Value) -> Vec<u8> {
    std::fs::read(vectors_dir().join(vector["file"].as_str().unwrap())).unwrap()
}

fn input_bytes(vector: &Value) -> Vec<u8> {
    match vector["input"]["bytes_hex"].as_str() {
        Some(text) => hex(text),
        None => file_bytes(vector),
    }
}

fn expect_value(id: &str, ours: Py, expected: &Value) {
    let expected = Py::from_typed(expected).unwrap_or_else(|| panic!("{id}: untyped result"));
    assert!(
        ours.same(&expected),
        "{id}:\n ours     {ours:?}\n expected {expected:?}"
    );
}

fn check_json(vector: &Value) -> Outcome {
    let id = vector["id"].as_str().unwrap();
    let python = JsonSerializer::python();
    match vector["op"].as_str().unwrap() {
        "serialize" if vector.get("error").is_some_and(|e| !e.is_null()) => Outcome::NotCovered(
            "a Python type with no JSON form; in Rust each type chooses its serde form",
        ),
        "serialize" => {
            let Some(input) = Py::from_typed(&vector["input"]["typed"]) else {
                return Outcome::NotCovered("a value no Rust value holds");
            };
            let ours = match python.serialize(&input) {
                Ok(bytes) => bytes,
                Err(err) if err.to_string().contains("beyond 128 bits") => {
                    return Outcome::NotCovered(
                        "an integer beyond 128 bits, which serde cannot carry",
                    );
                }
                Err(err) => panic!("{id}: {err}"),
            };
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&file_bytes(vector)),
                "{id}"
            );
            let back: Py = python.deserialize(&ours).unwrap();
            expect_value(id, back, &vector["result"]);
            Outcome::Checked
        }
        "deserialize" => {
            let ours = python.deserialize_as::<Py>(&input_bytes(vector));
            if vector.get("error").is_some_and(|e| !e.is_null()) {
                let err = ours.expect_err(id);
                assert!(
                    matches!(err.kind(), ErrorKind::Malformed { .. }),
                    "{id}: {err:?}"
                );
                return Outcome::Checked;
            }
            if vector["result"].get("str_codepoints").is_some() {
                let err = ours.expect_err(id);
                assert!(err.to_string().contains("lone surrogate"), "{id}: {err}");
                return Outcome::NotCovered(
                    "a lone surrogate, which a Rust string cannot hold: refused",
                );
            }
            expect_value(
                id,
                ours.unwrap_or_else(|err| panic!("{id}: {err}")),
                &vector["result"],
            );
            // The default mode stays strict JSON: NaN tokens are refused there.
            if id.ends_with("nan_tokens") {
                assert!(JsonSerializer::new()
                    .deserialize_as::<Py>(&input_bytes(vector))
                    .is_err());
            }
            Outcome::Checked
        }
        _ => Outcome::NotCovered("not a serialize or deserialize vector"),
    }
}

fn check_pickle(vector: &Value) -> Outcome {
    let id = vector["id"].as_str().unwrap();
    let ours = PickleSerializer::new().deserialize_value(&input_bytes(vector));
    if vector.get("error").is_some_and(|e| !e.is_null()) {
        let err = ours.expect_err(id);
        assert!(matches!(err.kind(), ErrorKind::Pickle(_)), "{id}: {err:?}");
        return Outcome::Checked;
    }
    let value = ours.unwrap_or_else(|err| panic!("{id}: {err}"));
    expect_value(id, Py::from_pickle(&value), &vector["result"]);
    // What we write of it reads back the same.
    let again = PickleSerializer::new().serialize_value(&value).unwrap();
    let back = PickleSerializer::new().deserialize_value(&again).unwrap();
    assert!(
        Py::from_pickle(&back).same(&Py::from_pickle(&value)),
        "{id}"
    );
    Outcome::Checked
}

fn codec_of(vector: &Value) -> Codec {
    match vector["ctor"]["format"].as_str() {
        Some(format) => format.parse().unwrap(),
        // `compress=zlib.compress, decompress=zlib.decompress`.
        None => Codec::Zlib,
    }
}

fn check_compressed(vector: &Value) -> Outcome {
    let id = vector["id"].as_str().unwrap();
    let ctor = &vector["ctor"];
    match vector["op"].as_str().unwrap() {
        "serialize" | "deserialize" => {
            let codec = codec_of(vector);
            let bytes = file_bytes(vector);
            let result = &vector["result"];
            match ctor["serializer"].as_str().unwrap() {
                "JSONSerializer" => {
                    let serializer = CompressedSerializer::new(JsonSerializer::python(), Compression::new(codec));
                    expect_value(id, serializer.deserialize_as::<Py>(&bytes).unwrap(), result);
                }
                "PickleSerializer" => {
                    let plain = decompress(codec, &bytes);
                    let value = PickleSerializer::new().deserialize_value(&plain).unwrap();
                    expect_value(id, Py::from_pickle(&value), result);
                }
                "DateTimeSerializer" => {
                    let serializer = CompressedSerializer::new(DateTimeSerializer::new(), Compression::new(codec));
                    let ours: chrono::DateTime<chrono::FixedOffset> = serializer.deserialize(&bytes).unwrap();
                    assert_eq!(
                        ours.format("%Y-%m-%dT%H:%M:%S%.6f%:z").to_string(),
                        result["datetime"]["isoformat"].as_str().unwrap(),
                        "{id}"
                    );
                }
                other => panic!("{id}: inner serializer {other}"),
            }
            Outcome::Checked
        }
        "construct" => match ctor["format"].as_str() {
            _ if ctor.get("compress").is_some() || ctor.get("decompress").is_some() || ctor.as_object().is_some_and(|c| c.is_empty()) => {
                Outcome::NotCovered("a mix of `format` and custom functions, or neither, which the typed Rust API cannot express")
            }
            Some(name) => {
                let err = name.parse::<Codec>().unwrap_err();
                assert!(err.to_string().contains("expected one of: gzip, zlib, bz2, xz"), "{id}: {err}");
                Outcome::Checked
            }
            None => Outcome::NotCovered("a mix of `format` and custom functions, or neither, which the typed Rust API cannot express"),
        },
        "eq" => {
            let gzip = || CompressedSerializer::new(JsonSerializer::python(), Compression::new(Codec::Gzip));
            assert_eq!(gzip(), gzip());
            assert_ne!(gzip(), gzip().with_max_decompressed_size(1));
            assert_ne!(
                gzip(),
                CompressedSerializer::new(JsonSerializer::new(), Compression::new(Codec::Gzip))
            );
            Outcome::Checked
        }
        _ => Outcome::NotCovered("describes Python's compression defaults"),
    }
}

/// Decompresses with our codec, for readers of values that are no `Serializer`.
fn decompress(codec: Codec, bytes: &[u8]) -> Vec<u8> {
    CompressedSerializer::new(Passthrough, Compression::new(codec))
        .deserialize(bytes)
        .unwrap()
}

fn check_base(vector: &Value) -> Outcome {
    match vector["op"].as_str().unwrap() {
        "eq" => {
            assert_eq!(JsonSerializer::python(), JsonSerializer::python());
            assert_eq!(PickleSerializer::new(), PickleSerializer::default());
            Outcome::Checked
        }
        _ => Outcome::NotCovered("an abstract method in Python; a required trait method in Rust"),
    }
}

#[test]
fn every_prefect_vector_is_checked_or_listed() {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(vectors_dir().join("manifest.json")).unwrap())
            .unwrap();
    let vectors = manifest["vectors"].as_array().unwrap();
    let mut checked: BTreeMap<&str, usize> = BTreeMap::new();
    let mut not_covered: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for vector in vectors {
        let serializer = vector["serializer"].as_str().unwrap();
        let outcome = match serializer {
            "JSONSerializer" => check_json(vector),
            "PickleSerializer" => check_pickle(vector),
            "CompressedSerializer" => check_compressed(vector),
            "DateTimeSerializer" => crate::prefect_datetime::check(vector),
            #[cfg(feature = "dataframe")]
            "PandasSerializer" => crate::prefect_pandas::check(vector),
            #[cfg(not(feature = "dataframe"))]
            "PandasSerializer" => Outcome::NotCovered("the `dataframe` feature is off"),
            "Serializer" => check_base(vector),
            other => panic!("unknown serializer {other}"),
        };
        match outcome {
            Outcome::Checked => *checked.entry(serializer).or_default() += 1,
            Outcome::NotCovered(reason) => not_covered
                .entry(reason)
                .or_default()
                .push(vector["id"].as_str().unwrap()),
        }
    }
    let total_checked: usize = checked.values().sum();
    let total_listed: usize = not_covered.values().map(Vec::len).sum();
    println!(
        "{} vectors: {total_checked} checked {checked:?}, {total_listed} not covered:",
        vectors.len()
    );
    for (reason, ids) in &not_covered {
        println!("  {reason}: {ids:?}");
    }
    assert_eq!(total_checked + total_listed, vectors.len());
    #[cfg(feature = "dataframe")]
    assert_eq!(
        (total_checked, total_listed),
        (EXPECTED_CHECKED, EXPECTED_LISTED)
    );
}

/// With every feature on; a change in coverage changes these on purpose.
#[cfg(feature = "dataframe")]
const EXPECTED_CHECKED: usize = 192;
#[cfg(feature = "dataframe")]
const EXPECTED_LISTED: usize = 31;
