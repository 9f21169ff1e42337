//! Atomic writes of a result to a file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::{Error, Operation};

/// How much a file write buffers before it reaches the file.
const BUFFER: usize = 64 * 1024;

/// Writes a file at `path` with `write`, atomically: the bytes go to a temporary file in the
/// same directory, which is flushed to disk and then renamed over `path`. A reader or a crash
/// sees the old file or the new one, never a torn one. On an error the temporary file is
/// removed and `path` is untouched; a crash can leave the temporary file
/// (`.<name>.<random>.tmp`) behind.
pub(crate) fn write_atomically(
    serializer: &'static str,
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&File>) -> Result<(), Error>,
) -> Result<(), Error> {
    let io_error = |err| Error::io(serializer, Operation::Serialize, err);
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

/// Opens `path` for reading.
pub(crate) fn open(serializer: &'static str, path: &Path) -> Result<File, Error> {
    File::open(path).map_err(|err| Error::io(serializer, Operation::Deserialize, err))
}
