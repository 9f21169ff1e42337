//! Prefect 3's serializer configurations, as its metadata records them, read as strictly as
//! Prefect's own pydantic models read them (`prefect/serializers.py`): every model is
//! `extra="forbid"`, so an unknown or misspelt key is refused by name; a missing key takes the
//! model's default; a `type` Prefect does not ship reads as [`UnknownSerializer`] (Prefect's
//! own placeholder), whose results do not read.

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::kwargs::Kwargs;

/// Prefect's object encoder and decoder, which its default `JSONSerializer` names.
pub(super) const ENCODER: &str = "prefect.serializers.prefect_json_object_encoder";
pub(super) const DECODER: &str = "prefect.serializers.prefect_json_object_decoder";

/// A Prefect 3 serializer's configuration, as its metadata carries it, dispatched on `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Prefect3Serializer {
    /// `JSONSerializer`: stdlib `json` with Prefect's object encoder.
    #[serde(rename = "json")]
    Json(Prefect3Json),
    /// `PickleSerializer`: cloudpickle (or pickle) in base64 lines.
    #[serde(rename = "pickle")]
    Pickle(Prefect3Pickle),
    /// `CompressedSerializer` around another serializer.
    #[serde(rename = "compressed")]
    Compressed(Prefect3Compressed),
    /// `CompressedJSONSerializer`: `compressed` around `json`.
    #[serde(rename = "compressed/json")]
    CompressedJson(Prefect3Compressed),
    /// `CompressedPickleSerializer`: `compressed` around `pickle`.
    #[serde(rename = "compressed/pickle")]
    CompressedPickle(Prefect3Compressed),
    /// A serializer Prefect does not ship (a custom one): its metadata reads, as Prefect's
    /// `UnknownSerializer` does, and its results do not.
    #[serde(untagged)]
    Unknown(UnknownSerializer),
}

/// The configuration of Prefect 3's `JSONSerializer`; each field defaults as Prefect's does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefect3Json {
    /// The JSON library: `json` is the one read.
    #[serde(default = "json_lib")]
    pub jsonlib: String,
    /// The encoder of what JSON cannot hold (Prefect's when missing; none when `null`).
    #[serde(default = "encoder")]
    pub object_encoder: Option<String>,
    /// The decoder of what the encoder wrote (Prefect's when missing; none when `null`, and
    /// then every object is a `dict`).
    #[serde(default = "decoder")]
    pub object_decoder: Option<String>,
    /// Arguments of `json.dumps`: `indent`, `sort_keys`, `separators` and `ensure_ascii`
    /// change the bytes, not the value. `default` is refused, as Prefect refuses it.
    #[serde(default, deserialize_with = "dumps_kwargs")]
    pub dumps_kwargs: Kwargs,
    /// Arguments of `json.loads`. `object_hook` is refused, as Prefect refuses it.
    #[serde(default, deserialize_with = "loads_kwargs")]
    pub loads_kwargs: Kwargs,
}

/// The configuration of Prefect 3's `PickleSerializer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefect3Pickle {
    /// The pickle library: `cloudpickle` or `pickle`.
    #[serde(default = "pickle_lib")]
    pub picklelib: String,
    /// Its version, when recorded.
    #[serde(default)]
    pub picklelib_version: Option<String>,
}

/// The configuration of Prefect 3's `CompressedSerializer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefect3Compressed {
    /// The serializer whose output is compressed: a configuration, or a `type` alone (its
    /// defaults), as Prefect takes it.
    #[serde(deserialize_with = "inner")]
    pub serializer: Box<Prefect3Serializer>,
    /// The Python module that compresses: `lzma` (the default), `zlib`, `bz2` or `gzip`.
    #[serde(default = "lzma")]
    pub compressionlib: String,
}

/// A serializer whose `type` Prefect 3 does not ship: its whole configuration, `type` included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnknownSerializer {
    /// The configuration, as it was read.
    pub config: serde_json::Map<String, serde_json::Value>,
}

impl UnknownSerializer {
    /// Its `type`, as text.
    pub fn kind(&self) -> String {
        match self.config.get("type") {
            Some(serde_json::Value::String(kind)) => kind.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }
}

/// Keyword arguments without `forbidden`, which Prefect's validators refuse (the object
/// encoder or decoder sets it).
fn kwargs_without<'de, D: Deserializer<'de>>(
    deserializer: D,
    forbidden: &str,
    instead: &str,
) -> Result<Kwargs, D::Error> {
    let kwargs = Kwargs::deserialize(deserializer)?;
    if kwargs.get(forbidden).is_some() {
        return Err(D::Error::custom(format_args!(
            "`{forbidden}` cannot be given; Prefect sets it from `{instead}`"
        )));
    }
    Ok(kwargs)
}

fn dumps_kwargs<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Kwargs, D::Error> {
    kwargs_without(deserializer, "default", "object_encoder")
}

fn loads_kwargs<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Kwargs, D::Error> {
    kwargs_without(deserializer, "object_hook", "object_decoder")
}

fn json_lib() -> String {
    "json".into()
}

fn encoder() -> Option<String> {
    Some(ENCODER.into())
}

fn decoder() -> Option<String> {
    Some(DECODER.into())
}

fn pickle_lib() -> String {
    "cloudpickle".into()
}

fn lzma() -> String {
    "lzma".into()
}

impl Prefect3Serializer {
    /// Prefect 3's default `JSONSerializer`, as its metadata records it.
    pub fn json() -> Self {
        Prefect3Serializer::Json(Prefect3Json {
            jsonlib: json_lib(),
            object_encoder: encoder(),
            object_decoder: decoder(),
            dumps_kwargs: Kwargs::new(),
            loads_kwargs: Kwargs::new(),
        })
    }

    /// Prefect 3's default `PickleSerializer` (cloudpickle).
    pub fn pickle() -> Self {
        Prefect3Serializer::Pickle(Prefect3Pickle {
            picklelib: pickle_lib(),
            picklelib_version: None,
        })
    }

    /// `CompressedSerializer` around `inner`, compressing with the Python module `library`
    /// (`lzma`, Prefect's default, `zlib`, `bz2` or `gzip`).
    pub fn compressed(inner: Prefect3Serializer, library: &str) -> Self {
        Prefect3Serializer::Compressed(Prefect3Compressed {
            serializer: Box::new(inner),
            compressionlib: library.into(),
        })
    }

    /// The serializer `kind` names with its defaults, as Prefect makes `Serializer(type=kind)`.
    fn of_type(kind: &str) -> Result<Self, String> {
        let compressed = |inner| Prefect3Compressed {
            serializer: Box::new(inner),
            compressionlib: lzma(),
        };
        Ok(match kind {
            "json" => Prefect3Serializer::json(),
            "pickle" => Prefect3Serializer::pickle(),
            "compressed/json" => {
                Prefect3Serializer::CompressedJson(compressed(Prefect3Serializer::json()))
            }
            "compressed/pickle" => {
                Prefect3Serializer::CompressedPickle(compressed(Prefect3Serializer::pickle()))
            }
            "compressed" => {
                return Err(
                    "the serializer `compressed` needs the `serializer` it compresses".into(),
                )
            }
            other => Prefect3Serializer::Unknown(UnknownSerializer {
                config: serde_json::Map::from_iter([("type".into(), other.into())]),
            }),
        })
    }
}

/// The configuration, read from its JSON by its `type`: the derived readers of the known
/// types refuse keys their models lack (which an untagged fallback would swallow), and read
/// the other keys in their order.
impl<'de> Deserialize<'de> for Prefect3Serializer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let Entries(entries) = serde_json::from_str(raw.get()).map_err(|err| {
            D::Error::custom(format_args!(
                "a serializer's configuration is not an object: {err}"
            ))
        })?;
        // A `type` that is not text names no serializer Prefect ships: unknown, as to Prefect.
        let kind = match entries.iter().rev().find(|(key, _)| key == "type") {
            Some((_, kind)) => serde_json::from_str::<String>(kind.get()).ok(),
            None => {
                return Err(D::Error::custom(
                    "a serializer's configuration has no `type`",
                ))
            }
        };
        // The other keys, as the object the model reads.
        let mut rest = String::from("{");
        for (key, value) in entries.iter().filter(|(key, _)| key != "type") {
            if rest.len() > 1 {
                rest.push(',');
            }
            rest.push_str(&serde_json::Value::from(key.as_str()).to_string());
            rest.push(':');
            rest.push_str(value.get());
        }
        rest.push('}');
        let known = |err: serde_json::Error| {
            let kind = kind.as_deref().unwrap_or("unknown");
            D::Error::custom(format_args!(
                "the `{kind}` serializer's configuration: {err}"
            ))
        };
        Ok(match kind.as_deref().unwrap_or("") {
            "json" => Prefect3Serializer::Json(serde_json::from_str(&rest).map_err(known)?),
            "pickle" => Prefect3Serializer::Pickle(serde_json::from_str(&rest).map_err(known)?),
            "compressed" => {
                Prefect3Serializer::Compressed(serde_json::from_str(&rest).map_err(known)?)
            }
            "compressed/json" => Prefect3Serializer::CompressedJson(
                serde_json::from_str::<Compressed<JsonDefault>>(&rest)
                    .map_err(known)?
                    .into(),
            ),
            "compressed/pickle" => Prefect3Serializer::CompressedPickle(
                serde_json::from_str::<Compressed<PickleDefault>>(&rest)
                    .map_err(known)?
                    .into(),
            ),
            _ => Prefect3Serializer::Unknown(serde_json::from_str(raw.get()).map_err(known)?),
        })
    }
}

/// An object's members as their JSON text, in order.
struct Entries(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// `compressed/json` and `compressed/pickle`, whose inner serializer has a default.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Compressed<D: Default + Into<Prefect3Serializer>> {
    #[serde(default, deserialize_with = "inner_or_default")]
    serializer: Option<Box<Prefect3Serializer>>,
    #[serde(default = "lzma")]
    compressionlib: String,
    #[serde(skip)]
    default: std::marker::PhantomData<D>,
}

#[derive(Default)]
struct JsonDefault;
#[derive(Default)]
struct PickleDefault;

impl From<JsonDefault> for Prefect3Serializer {
    fn from(_: JsonDefault) -> Self {
        Prefect3Serializer::json()
    }
}

impl From<PickleDefault> for Prefect3Serializer {
    fn from(_: PickleDefault) -> Self {
        Prefect3Serializer::pickle()
    }
}

impl<D: Default + Into<Prefect3Serializer>> From<Compressed<D>> for Prefect3Compressed {
    fn from(compressed: Compressed<D>) -> Self {
        Prefect3Compressed {
            serializer: compressed
                .serializer
                .unwrap_or_else(|| Box::new(D::default().into())),
            compressionlib: compressed.compressionlib,
        }
    }
}

/// A serializer inside `compressed`: its configuration, or its `type` alone.
fn inner<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Box<Prefect3Serializer>, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    match serde_json::from_str::<String>(raw.get()) {
        Ok(kind) => Prefect3Serializer::of_type(&kind).map_err(D::Error::custom),
        Err(_) => serde_json::from_str(raw.get()).map_err(D::Error::custom),
    }
    .map(Box::new)
}

fn inner_or_default<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Box<Prefect3Serializer>>, D::Error> {
    inner(deserializer).map(Some)
}

/// A value that may be missing but not `null` (pydantic's `str` with a default).
pub(super) fn present<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .ok_or_else(|| {
            D::Error::custom("`prefect_version` is `null`, where Prefect wants its text")
        })
        .map(Some)
}

/// A UUID's text, or `null` (pydantic's `Optional[uuid.UUID]`).
pub(super) fn uuid_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    if let Some(text) = &text {
        text.parse::<uuid::Uuid>().map_err(|_| {
            D::Error::custom(format_args!("`storage_block_id` `{text}` is not a UUID"))
        })?;
    }
    Ok(text)
}
