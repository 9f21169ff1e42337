//! The SHA-256 and the length of the bytes a result writes or reads, taken on a second thread
//! while the serializer works.
//!
//! Hashing a GiB takes about a second, as long as serializing it: done in line, it would add
//! to every large write and read. Here the serializer's side hands chunks of [`CHUNK`] bytes
//! through a channel of [`IN_FLIGHT`] to a thread that hashes them and moves them on (into the
//! staged file when writing, out of the source when reading), so memory holds a few chunks and
//! the hash costs no time when a second core is free.

use std::io::{self, Read, Write};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::{self, Scope, ScopedJoinHandle};

use sha2::{Digest, Sha256};

use super::record::hex;

/// The bytes handed to the hashing thread at a time.
const CHUNK: usize = 1 << 20;

/// The chunks that may wait for the other side.
const IN_FLIGHT: usize = 2;

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

/// Runs `serialize` on a writer whose bytes reach `sink` hashed. The first chunk is kept in
/// memory: a result that fits in it is hashed in line, without a thread.
pub(super) fn write_hashed<W, T, E>(
    sink: W,
    io_error: impl FnOnce(io::Error) -> E,
    serialize: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<(T, Tally), E>
where
    W: Write + Send,
{
    thread::scope(|scope| {
        let mut writer = ChunkWriter {
            scope,
            chunk: Vec::with_capacity(CHUNK),
            state: WriterState::Inline(sink),
        };
        let value = serialize(&mut writer);
        let tally = writer.finish();
        let value = value?;
        Ok((value, tally.map_err(io_error)?))
    })
}

/// Gives `decode` a reader of `source`, read and hashed on a second thread, then hashes what
/// `decode` left: the length and SHA-256 cover every byte of `source`. An error reading
/// `source` comes before `decode`'s result, which may have seen the input cut short.
pub(super) fn read_hashed<R, T>(
    source: R,
    decode: impl FnOnce(&mut dyn Read) -> T,
) -> io::Result<(T, Tally)>
where
    R: Read + Send,
{
    thread::scope(|scope| {
        let (full, chunks) = mpsc::sync_channel(IN_FLIGHT);
        let (spares, spare) = mpsc::channel();
        let reading = scope.spawn(move || read_chunks(source, &full, &spare));
        let mut reader = ChunkReader {
            chunks,
            spares,
            chunk: Vec::new(),
            at: 0,
        };
        let value = decode(&mut reader);
        // The thread reads on to the end, hashing, once nobody takes its chunks.
        drop(reader);
        let tally = reading.join().unwrap_or_else(|_| Err(thread_panicked()))?;
        Ok((value, tally))
    })
}

fn thread_panicked() -> io::Error {
    io::Error::other("the thread hashing the result panicked")
}

/// The reading thread: chunks of `source`, hashed, sent while the decoder takes them.
fn read_chunks(
    mut source: impl Read,
    full: &SyncSender<Vec<u8>>,
    spare: &Receiver<Vec<u8>>,
) -> io::Result<Tally> {
    let mut tally = Tally::default();
    let mut taken = true;
    let mut kept = None;
    loop {
        // No buffer to reuse: a new, empty one (the default is the value wanted).
        let mut chunk = kept
            .take()
            .or_else(|| spare.try_recv().ok())
            .unwrap_or_default();
        chunk.resize(CHUNK, 0);
        let read = read_full(&mut source, &mut chunk)?;
        chunk.truncate(read);
        if read == 0 {
            return Ok(tally);
        }
        tally.add(&chunk);
        if taken {
            if let Err(mpsc::SendError(chunk)) = full.send(chunk) {
                taken = false;
                kept = Some(chunk);
            }
        } else {
            kept = Some(chunk);
        }
    }
}

/// Fills `buffer` from `reader` as far as it goes; fewer bytes only at the end.
pub(super) fn read_full(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buffer.get_mut(filled..).filter(|rest| !rest.is_empty()) {
        match reader.read(rest) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

/// The decoder's side of [`read_hashed`]: the chunks the reading thread sends, in order, then
/// the end when it stops.
struct ChunkReader {
    chunks: Receiver<Vec<u8>>,
    spares: mpsc::Sender<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            let Ok(next) = self.chunks.recv() else {
                return Ok(0);
            };
            let done = std::mem::replace(&mut self.chunk, next);
            // A spare the reading thread no longer takes is dropped with the channel.
            let _ = self.spares.send(done);
            self.at = 0;
        }
        // `at` never passes the chunk's end, and `read` neither slice's length: the defaults
        // are never taken.
        let rest = self.chunk.get(self.at..).unwrap_or_default();
        let read = rest.len().min(buf.len());
        buf.get_mut(..read)
            .unwrap_or_default()
            .copy_from_slice(rest.get(..read).unwrap_or_default());
        self.at += read;
        Ok(read)
    }
}

/// The serializer's side of [`write_hashed`].
struct ChunkWriter<'scope, 'env, W: Write + Send> {
    scope: &'scope Scope<'scope, 'env>,
    chunk: Vec<u8>,
    state: WriterState<'scope, W>,
}

enum WriterState<'scope, W> {
    /// No chunk has filled yet: the sink is still here.
    Inline(W),
    /// The hashing thread has the sink.
    Threaded {
        full: SyncSender<Vec<u8>>,
        spares: Receiver<Vec<u8>>,
        hashing: ScopedJoinHandle<'scope, io::Result<Tally>>,
    },
    /// Finished, or the thread is gone.
    Done,
}

impl<'scope, W: Write + Send + 'scope> ChunkWriter<'scope, '_, W> {
    /// Hands the full chunk to the hashing thread, starting it with the first.
    fn send(&mut self) -> io::Result<()> {
        if let WriterState::Inline(_) = self.state {
            let WriterState::Inline(sink) = std::mem::replace(&mut self.state, WriterState::Done)
            else {
                unreachable!("matched above")
            };
            let (full, chunks) = mpsc::sync_channel(IN_FLIGHT);
            let (spare, spares) = mpsc::channel();
            let hashing = self
                .scope
                .spawn(move || write_chunks(sink, &chunks, &spare));
            self.state = WriterState::Threaded {
                full,
                spares,
                hashing,
            };
        }
        let WriterState::Threaded { full, spares, .. } = &self.state else {
            return Err(thread_panicked());
        };
        let next = spares
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let chunk = std::mem::replace(&mut self.chunk, next);
        if full.send(chunk).is_err() {
            // The thread stopped at a write error, which `finish` reports.
            return Err(io::Error::other("the staged result's writer stopped"));
        }
        Ok(())
    }

    /// Writes the last chunk and gives the tally of everything.
    fn finish(mut self) -> io::Result<Tally> {
        match std::mem::replace(&mut self.state, WriterState::Done) {
            WriterState::Inline(mut sink) => {
                let mut tally = Tally::default();
                tally.add(&self.chunk);
                sink.write_all(&self.chunk)?;
                sink.flush()?;
                Ok(tally)
            }
            WriterState::Threaded { full, hashing, .. } => {
                let last = std::mem::take(&mut self.chunk);
                let sent = last.is_empty() || full.send(last).is_ok();
                drop(full);
                let tally = hashing.join().unwrap_or_else(|_| Err(thread_panicked()))?;
                if !sent {
                    return Err(io::Error::other("the staged result's writer stopped"));
                }
                Ok(tally)
            }
            WriterState::Done => Err(thread_panicked()),
        }
    }
}

impl<'scope, W: Write + Send + 'scope> Write for ChunkWriter<'scope, '_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.chunk.len();
        let taken = buf.len().min(room);
        // `taken` is at most `buf`'s length: the default is never taken.
        self.chunk
            .extend_from_slice(buf.get(..taken).unwrap_or_default());
        if self.chunk.len() == CHUNK {
            self.send()?;
        }
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The hashing thread of a write: hashes each chunk, writes it into `sink`, and hands the
/// emptied buffer back.
fn write_chunks(
    mut sink: impl Write,
    chunks: &Receiver<Vec<u8>>,
    spare: &mpsc::Sender<Vec<u8>>,
) -> io::Result<Tally> {
    let mut tally = Tally::default();
    for mut chunk in chunks {
        tally.add(&chunk);
        sink.write_all(&chunk)?;
        chunk.clear();
        let _ = spare.send(chunk);
    }
    sink.flush()?;
    Ok(tally)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Read, Write};

    use super::{read_hashed, write_hashed, CHUNK};
    use crate::store::record::sha256_hex;

    fn bytes(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn writes_and_hashes_every_byte_in_order() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 17] {
            let data = bytes(len);
            let mut sink = Vec::new();
            let ((), tally) = write_hashed(
                &mut sink,
                |err| err,
                |writer| {
                    // Uneven writes, as a serializer makes them.
                    for piece in data.chunks(7919) {
                        writer.write_all(piece)?;
                    }
                    Ok::<_, std::io::Error>(())
                },
            )
            .unwrap();
            assert_eq!(sink, data, "{len} bytes");
            assert_eq!(
                tally.finish(),
                (len as u64, sha256_hex(&data)),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn a_failing_sink_fails_the_write() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        for len in [10, 4 * CHUNK] {
            let data = bytes(len);
            let result = write_hashed(Full, |err| err, |writer| writer.write_all(&data));
            assert!(result.is_err(), "{len} bytes");
        }
    }

    #[test]
    fn reads_in_order_and_hashes_what_the_decoder_left() {
        for (len, take) in [
            (0, 0),
            (10, 3),
            (3 * CHUNK + 5, CHUNK + 1),
            (3 * CHUNK, usize::MAX),
        ] {
            let data = bytes(len);
            let (taken, tally) = read_hashed(data.as_slice(), |reader| {
                let mut taken = Vec::new();
                reader.take(take as u64).read_to_end(&mut taken).unwrap();
                taken
            })
            .unwrap();
            assert_eq!(taken, data.get(..take.min(len)).unwrap(), "{len} bytes");
            assert_eq!(
                tally.finish(),
                (len as u64, sha256_hex(&data)),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn a_failing_source_fails_the_read() {
        let data = bytes(2 * CHUNK);
        let source = data.as_slice().chain(FailingRead);
        let result = read_hashed(source, |reader| {
            let mut all = Vec::new();
            let _ = reader.read_to_end(&mut all);
            all.len()
        });
        assert!(result.is_err());
    }

    struct FailingRead;
    impl Read for FailingRead {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("connection reset"))
        }
    }
}
