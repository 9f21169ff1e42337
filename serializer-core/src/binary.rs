//! Compact binary through `postcard`: the Rust counterpart of Prefect's `PickleSerializer`.

use std::io::Write;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, ErrorKind, Operation};
use crate::serializer::Serializer;

const NAME: &str = "binary";

/// Serializes values with `postcard`, a compact binary format for serde types.
///
/// Output is byte for byte what `postcard::to_allocvec` writes. Deserializing requires the
/// input to hold exactly one value: missing bytes and trailing bytes are both errors
/// (`postcard::from_bytes` ignores trailing bytes; this serializer does not).
///
/// postcard is not self-describing: the reader must use the type that wrote the bytes, and
/// serde features that need `deserialize_any` (untagged enums, `#[serde(flatten)]`) fail
/// with an error.
///
/// ```
/// use serializer_core::{BinarySerializer, Serializer};
///
/// let bytes = BinarySerializer::new().serialize(&(7u8, "seven".to_string()))?;
/// assert_eq!(bytes, b"\x07\x05seven");
/// let back: (u8, String) = BinarySerializer::new().deserialize(&bytes)?;
/// assert_eq!(back, (7, "seven".to_string()));
/// # Ok::<(), serializer_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct BinarySerializer {}

impl BinarySerializer {
    /// The binary serializer.
    pub const fn new() -> Self {
        BinarySerializer {}
    }
}

fn postcard_error(operation: Operation, err: postcard::Error) -> Error {
    Error::new(NAME, operation, ErrorKind::Postcard(err))
}

impl<T> Serializer<T> for BinarySerializer
where
    T: Serialize + DeserializeOwned,
{
    fn serialize(&self, value: &T) -> Result<Vec<u8>, Error> {
        postcard::to_allocvec(value).map_err(|err| postcard_error(Operation::Serialize, err))
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<T, Error> {
        let (value, rest) = postcard::take_from_bytes(bytes)
            .map_err(|err| postcard_error(Operation::Deserialize, err))?;
        if rest.is_empty() {
            Ok(value)
        } else {
            Err(Error::new(
                NAME,
                Operation::Deserialize,
                ErrorKind::TrailingBytes { count: rest.len() },
            ))
        }
    }

    /// Writes each encoded field as it goes: wrap a file or socket in a
    /// [`std::io::BufWriter`].
    fn serialize_into<W: Write>(&self, value: &T, writer: W) -> Result<(), Error> {
        let mut writer = KeepIoError {
            inner: writer,
            error: None,
        };
        match postcard::to_io(value, &mut writer) {
            Ok(_) => Ok(()),
            Err(err) => Err(match writer.error {
                Some(io) => Error::io(NAME, Operation::Serialize, io),
                None => postcard_error(Operation::Serialize, err),
            }),
        }
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn format_identity(&self) -> String {
        "binary (postcard 1)".to_owned()
    }
}

/// Keeps the `io::Error` that postcard replaces with `SerializeBufferFull` (it writes only
/// through `write_all`).
struct KeepIoError<W> {
    inner: W,
    error: Option<std::io::Error>,
}

impl<W: Write> Write for KeepIoError<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(buf).map_err(|err| {
            let kind = err.kind();
            self.error = Some(err);
            std::io::Error::from(kind)
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
