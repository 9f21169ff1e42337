//! The two traits: [`Serializer`], which turns values into bytes and back, and
//! [`ResultSerializer`], which names a type's serializer; and the atomic file writes they use.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::error::{Error, Operation};

/// Turns values of type `T` into bytes and back.
///
/// Implement [`serialize`](Serializer::serialize) and [`deserialize`](Serializer::deserialize)
/// to write a serializer of your own; the streaming forms have defaults built on them, which a
/// format that can stream overrides.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a serializer for `{T}`",
    label = "`{Self}` cannot serialize `{T}`",
    note = "a serializer for `{T}` implements `Serializer<{T}>`"
)]
pub trait Serializer<T> {
    /// Serializes `value` into a new byte vector.
    fn serialize(&self, value: &T) -> Result<Vec<u8>, Error>;

    /// Deserializes a value from the whole of `bytes`; bytes left over are an error.
    fn deserialize(&self, bytes: &[u8]) -> Result<T, Error>;

    /// Serializes `value` straight into `writer`.
    ///
    /// The writer is not buffered by the serializer: pass a [`std::io::BufWriter`] when writing
    /// to a file or socket.
    fn serialize_into<W: Write>(&self, value: &T, mut writer: W) -> Result<(), Error> {
        let bytes = self.serialize(value)?;
        writer
            .write_all(&bytes)
            .map_err(|err| Error::io(self.name(), Operation::Serialize, err))
    }

    /// Deserializes a value from everything `reader` yields.
    fn deserialize_from<R: Read>(&self, mut reader: R) -> Result<T, Error> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|err| Error::io(self.name(), Operation::Deserialize, err))?;
        self.deserialize(&bytes)
    }

    /// Serializes `value` into the file at `path`, atomically: the bytes go to a temporary
    /// file in the same directory, are flushed to disk, and the temporary file is renamed over
    /// `path`. A reader or a crash sees the old file or the new one, never a half-written
    /// one; on an error, `path` is untouched.
    fn serialize_to_file<P: AsRef<Path>>(&self, value: &T, path: P) -> Result<(), Error> {
        write_atomically(self.name(), path.as_ref(), |writer| {
            self.serialize_into(value, writer)
        })
    }

    /// Deserializes a value from the whole file at `path`.
    fn deserialize_from_file<P: AsRef<Path>>(&self, path: P) -> Result<T, Error> {
        let file = open(self.name(), path.as_ref())?;
        self.deserialize_from(BufReader::new(file))
    }

    /// The short name errors of this serializer carry; the type's name unless overridden.
    fn name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }

    /// What identifies the bytes this serializer writes: its kind and each option that
    /// changes them (layout, codec and level, file type, write options), never a read limit.
    /// The result store records it beside a result and reads the result only with a serializer
    /// of the same identity. [`name`](Self::name) unless overridden: a serializer of your own
    /// with options that change its bytes names them here, and a stable name keeps its stored
    /// results readable when its type is renamed.
    fn format_identity(&self) -> String {
        self.name().to_owned()
    }

    /// Whether the bytes say what they hold (JSON, pickle, a DataFrame file), so that they can
    /// be read into another type than the one that wrote them; `false` unless overridden, as
    /// for postcard, whose bytes read as any type whose fields line up.
    fn self_describing(&self) -> bool {
        false
    }
}

/// A type that knows how it is persisted as a result.
///
/// Derive it with `#[derive(ResultSerializer)]` and `#[serializer(json)]` (or `binary`,
/// `datetime`, `with = path::To::Serializer`), or implement it by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no result serializer",
    label = "`{Self}` does not implement `ResultSerializer`",
    note = "add `#[derive(ResultSerializer)]` and `#[serializer(json)]` (or `binary`, `datetime`, `with = ...`) to `{Self}`"
)]
pub trait ResultSerializer: Sized {
    /// The serializer that persists this type.
    type Serializer: Serializer<Self>;

    /// The serializer, configured as the type asks.
    fn serializer() -> Self::Serializer;

    /// A fingerprint of the type's shape in serde's data model (its field names and their
    /// types, its variants, the serde attributes that rename or skip them), which the derive
    /// computes at compile time; `None` for an impl by hand. The result store refuses to read a
    /// result written by a type of another shape. The fingerprint covers the type's own
    /// definition: a field's type that changes its own fields does not change it.
    fn shape() -> Option<&'static str> {
        None
    }

    /// Serializes `self` into bytes.
    fn to_result_bytes(&self) -> Result<Vec<u8>, Error> {
        Self::serializer().serialize(self)
    }

    /// Deserializes a value from bytes written by [`to_result_bytes`](Self::to_result_bytes).
    fn from_result_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::serializer().deserialize(bytes)
    }

    /// Serializes `self` straight into `writer` (unbuffered: see [`Serializer::serialize_into`]).
    fn write_result<W: Write>(&self, writer: W) -> Result<(), Error> {
        Self::serializer().serialize_into(self, writer)
    }

    /// Deserializes a value from everything `reader` yields.
    fn read_result<R: Read>(reader: R) -> Result<Self, Error> {
        Self::serializer().deserialize_from(reader)
    }

    /// Saves `self` to the file at `path`, atomically (see [`Serializer::serialize_to_file`]).
    fn save<P: AsRef<Path>>(&self, path: P) -> Result<(), Error> {
        Self::serializer().serialize_to_file(self, path)
    }

    /// Loads a value from the file at `path`.
    fn load<P: AsRef<Path>>(path: P) -> Result<Self, Error> {
        Self::serializer().deserialize_from_file(path)
    }
}

/// How much a file write buffers before it reaches the file.
const BUFFER: usize = 64 * 1024;

/// Writes a file at `path` with `write`, atomically: the bytes go to a temporary file in the
/// same directory, which is flushed to disk and then renamed over `path`. A reader or a crash
/// sees the old file or the new one, never a torn one. On an error the temporary file is
/// removed and `path` is untouched; a crash can leave the temporary file
/// (`.<name>.<random>.tmp`) behind.
fn write_atomically(
    serializer: &'static str,
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> Result<(), Error>,
) -> Result<(), Error> {
    let io_error = |err: io::Error| {
        let named = io::Error::new(err.kind(), format!("{}: {err}", path.display()));
        Error::io(serializer, Operation::Serialize, named)
    };
    let name = path.file_name().ok_or_else(|| {
        io_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{}` names no file", path.display()),
        ))
    })?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        // What `File::create` gives, the umask applied: not the temporary file's 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir).map_err(io_error)?;
    {
        let mut writer = BufWriter::with_capacity(BUFFER, temp.as_file());
        write(&mut writer)?;
        writer.flush().map_err(io_error)?;
    }
    temp.as_file().sync_all().map_err(io_error)?;
    temp.persist(path).map_err(|err| io_error(err.error))?;
    // The rename is durable once the directory is.
    #[cfg(unix)]
    File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(io_error)?;
    Ok(())
}

/// Opens `path` for reading; an error names the file.
fn open(serializer: &'static str, path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|err| {
        let named = io::Error::new(err.kind(), format!("{}: {err}", path.display()));
        Error::io(serializer, Operation::Deserialize, named)
    })
}
