//! Readers and writers that take the SHA-256 and the length of the bytes passing through.

use std::io::{self, Read, Write};

use sha2::{Digest, Sha256};

use super::record::hex;

/// Counts and hashes what passes through it.
#[derive(Default)]
pub(super) struct Tally {
    hasher: Sha256,
    len: u64,
}

impl Tally {
    fn add(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
    }

    /// The length and the SHA-256 in hex.
    pub(super) fn finish(self) -> (u64, String) {
        (self.len, hex(&self.hasher.finalize()))
    }
}

/// A writer that hashes what it writes into `inner`.
pub(super) struct HashingWriter<W> {
    pub(super) inner: W,
    pub(super) tally: Tally,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.tally.add(buf.get(..written).unwrap_or_default());
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that hashes what it reads from `inner`.
pub(super) struct HashingReader<R> {
    pub(super) inner: R,
    pub(super) tally: Tally,
}

impl<R: Read> HashingReader<R> {
    pub(super) fn new(inner: R) -> Self {
        HashingReader {
            inner,
            tally: Tally::default(),
        }
    }

    /// Reads what the decoder left, then gives the length and SHA-256 of everything.
    pub(super) fn finish(mut self) -> io::Result<(u64, String)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(self.tally.finish())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.tally.add(buf.get(..read).unwrap_or_default());
        Ok(read)
    }
}
