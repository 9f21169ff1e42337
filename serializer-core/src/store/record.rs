//! The record in front of every stored result: which serializer and configuration wrote the
//! bytes, and their checksum.
//!
//! Layout: the magic `RSRECORD`, a version byte (1), the header's length (`u32`, little
//! endian), the header as JSON, then the serialized bytes.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"RSRECORD";
const VERSION: u8 = 1;
/// A header longer than this is taken for corruption.
const MAX_HEADER: u32 = 64 * 1024;

/// What the record says about the bytes after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordHeader {
    /// The serializer's short name, such as `"json"` or `"dataframe (parquet)"`.
    pub serializer: String,
    /// Its configuration, as its `Debug` form writes it.
    pub config: String,
    /// The Rust type that was written, for people reading the record.
    pub type_name: String,
    /// How many bytes follow the header.
    pub length: u64,
    /// The SHA-256 of those bytes, in lowercase hex.
    pub sha256: String,
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;

    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(bytes) {
        // Writing to a `String` cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The record that goes in front of the bytes `header` describes.
pub(super) fn encode(header: &RecordHeader) -> Vec<u8> {
    // A header of strings and numbers always serializes.
    let json = serde_json::to_vec(header).unwrap_or_default();
    let mut out = Vec::with_capacity(MAGIC.len() + 5 + json.len());
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.extend_from_slice(&u32::try_from(json.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&json);
    out
}

/// What the stored bytes turned out to be.
pub(super) enum Stored<'a> {
    /// A record whose checksum matches, and the bytes it covers.
    Record(RecordHeader, &'a [u8]),
    /// No record: bytes written by Prefect 1.x or another tool.
    Raw,
}

/// Splits stored bytes into the record and the payload, verifying length and checksum.
pub(super) fn decode(bytes: &[u8]) -> Result<Stored<'_>, String> {
    let Some(rest) = bytes.strip_prefix(MAGIC.as_slice()) else {
        return Ok(Stored::Raw);
    };
    let (&version, rest) = rest.split_first().ok_or("the record is truncated")?;
    if version != VERSION {
        return Err(format!(
            "record version {version} is not known (this build reads 1)"
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
    let header: RecordHeader = serde_json::from_slice(json)
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
    Ok(Stored::Record(header, payload))
}
