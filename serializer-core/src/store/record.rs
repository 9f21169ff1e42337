//! The record of a stored result, kept beside its bytes: what wrote them, for which type, and
//! their length and checksum. Also the embedded layout of the store's first version (a record
//! in front of the bytes), which still reads.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The version of the record layout this build writes.
pub(super) const RECORD_VERSION: u32 = 2;

/// What a store knows of one result, written beside its bytes as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Record {
    /// The layout of this record: 2.
    pub version: u32,
    /// The serializer's short name, such as `"json"` or `"dataframe (parquet)"`.
    pub serializer: String,
    /// The serializer's format identity: its kind and the options that shape the bytes
    /// ([`Serializer::format_identity`](crate::Serializer::format_identity)).
    pub format: String,
    /// The Rust type that was written (`std::any::type_name`).
    pub type_name: String,
    /// The fingerprint of the type's shape, where the type has one
    /// ([`ResultSerializer::shape`](crate::ResultSerializer::shape)).
    pub shape: Option<String>,
    /// How many bytes the result has.
    pub length: u64,
    /// The SHA-256 of those bytes, in lowercase hex.
    pub sha256: String,
    /// When the result was written, RFC 3339 in UTC.
    pub created_at: String,
    /// When the result expires, if it does: an expired result reads as absent.
    pub expires_at: Option<String>,
    /// The version of `result-serializers` that wrote it.
    pub crate_version: String,
}

impl Record {
    /// Whether the result has expired at `now`.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at
            .as_deref()
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .is_some_and(|at| at <= now)
    }
}

/// What a write records besides the bytes: the serializer, the type and the expiry.
pub(super) struct Written {
    pub(super) serializer: &'static str,
    pub(super) format: String,
    pub(super) type_name: &'static str,
    pub(super) shape: Option<&'static str>,
    pub(super) expires_in: Option<Duration>,
}

impl Written {
    /// The record of `length` bytes with the SHA-256 `sha256`, written now.
    pub(super) fn record(self, length: u64, sha256: String) -> Record {
        let now = Utc::now();
        let expires_at = self.expires_in.map(|duration| {
            let duration = chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX);
            now.checked_add_signed(duration)
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
                .to_rfc3339_opts(SecondsFormat::Millis, true)
        });
        Record {
            version: RECORD_VERSION,
            serializer: self.serializer.to_owned(),
            format: self.format,
            type_name: self.type_name.to_owned(),
            shape: self.shape.map(str::to_owned),
            length,
            sha256,
            created_at: now.to_rfc3339_opts(SecondsFormat::Millis, true),
            expires_at,
            crate_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// Lowercase hex of a digest.
pub(super) fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;

    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        // Writing to a `String` cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The first version's layout: the magic `RSRECORD`, a version byte (1), the header's length
/// (`u32`, little endian), the header as JSON, then the serialized bytes.
pub(super) mod embedded {
    use serde::Deserialize;

    use super::{sha256_hex, Record};

    const MAGIC: &[u8; 8] = b"RSRECORD";
    const VERSION: u8 = 1;
    /// A header longer than this is taken for corruption.
    const MAX_HEADER: u32 = 64 * 1024;

    /// The first version's header.
    #[derive(Deserialize)]
    struct Header {
        serializer: String,
        config: String,
        type_name: String,
        length: u64,
        sha256: String,
    }

    /// What the stored bytes turned out to be.
    pub(in crate::store) enum Stored<'a> {
        /// A record whose checksum matches, and the bytes it covers.
        Record(Box<Record>, &'a [u8]),
        /// No record: bytes written by Prefect 1.x or another tool.
        Raw,
    }

    /// Splits stored bytes into the record and the payload, verifying length and checksum.
    pub(in crate::store) fn decode(bytes: &[u8]) -> Result<Stored<'_>, String> {
        let Some(rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
            return Ok(Stored::Raw);
        };
        let (&version, rest) = rest.split_first().ok_or("the record is truncated")?;
        if version != VERSION {
            return Err(format!(
                "embedded record version {version} is not known (this build reads 1)"
            ));
        }
        let (length, rest) = rest.split_at_checked(4).ok_or("the record is truncated")?;
        let length = u32::from_le_bytes(length.try_into().map_err(|_| "the record is truncated")?);
        if length > MAX_HEADER {
            return Err(format!("the record header claims {length} bytes"));
        }
        let (json, payload) = rest
            .split_at_checked(length as usize)
            .ok_or("the record is truncated")?;
        let header: Header = serde_json::from_slice(json)
            .map_err(|err| format!("the record header is corrupt: {err}"))?;
        if payload.len() as u64 != header.length {
            return Err(format!(
                "the record covers {} bytes but {} follow it",
                header.length,
                payload.len()
            ));
        }
        let actual = sha256_hex(payload);
        if actual != header.sha256 {
            return Err(format!(
                "the bytes' SHA-256 is {actual}, the record says {}",
                header.sha256
            ));
        }
        let record = Record {
            version: u32::from(VERSION),
            serializer: header.serializer,
            format: header.config,
            type_name: header.type_name,
            shape: None,
            length: header.length,
            sha256: header.sha256,
            created_at: String::new(),
            expires_at: None,
            crate_version: String::new(),
        };
        Ok(Stored::Record(Box::new(record), payload))
    }
}
