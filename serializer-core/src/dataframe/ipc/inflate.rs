//! Decompresses the buffers of a compressed Arrow IPC file, on every core, into uncompressed
//! Arrow IPC streams for polars to read.
//!
//! polars decompresses LZ4 buffers one at a time through liblz4's frame decoder, and the frame
//! checksum (XXH32) it verifies took most of reading W4's feather file. Here lz4_flex (which
//! verifies the checksum too) and zstd decompress the buffers on every core, the messages are
//! written again with the new buffer offsets and no compression, and polars reads the pieces
//! in order as a stream, without their being joined: one stream for the file, or one per record
//! batch, read on every core. Run after
//! [`validate::check`](super::validate::check), which bounds every declared length.

use std::io::{self, Read, Seek, SeekFrom};

use arrow_ipc::{
    Buffer, CompressionType, DictionaryBatchBuilder, FieldNode, MessageBuilder, MessageHeader,
    RecordBatchBuilder,
};
use flatbuffers::FlatBufferBuilder;
use rayon::prelude::*;

use super::file::{Batch, IpcFile};
use crate::error::ErrorKind;

/// How a stream buffer gets its bytes: as they are in the file, or decompressed.
enum Fill<'a> {
    Copy(&'a [u8]),
    Decompress(CompressionType, &'a [u8]),
}

/// A message of the stream: its flatbuffer, and its body as buffers at their offsets.
struct Message<'a> {
    metadata: Vec<u8>,
    body_len: usize,
    fills: Vec<(usize, usize, Fill<'a>)>,
}

const CONTINUATION: [u8; 4] = [0xff; 4];

fn padded(len: usize) -> usize {
    len.next_multiple_of(8)
}

/// The file as uncompressed IPC streams, or `None` when no buffer in it is compressed (or its
/// schema is not where writers put it: polars' file reader reads the footer's). A file of
/// several record batches and no dictionaries becomes one stream per batch, each made and
/// then read on a core of its own; any other file becomes one stream, its buffers
/// decompressed on every core.
pub(super) fn to_streams<'a>(file: &IpcFile<'a>) -> Result<Option<Vec<Stream<'a>>>, ErrorKind> {
    if file.batches.iter().all(|batch| batch.codec().is_none()) {
        return Ok(None);
    }
    let Some(schema) = file.leading_schema() else {
        return Ok(None);
    };
    let messages = file
        .batches
        .iter()
        .map(rewrite)
        .collect::<Result<Vec<_>, _>>()?;
    if messages.len() < 2 || file.batches.iter().any(|batch| batch.dictionary.is_some()) {
        return Ok(Some(vec![stream(schema, messages)?]));
    }
    messages
        .into_par_iter()
        .map(|message| stream(schema, vec![message]))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// A stream of the schema and `messages`.
fn stream<'a>(schema: &[u8], messages: Vec<Message<'a>>) -> Result<Stream<'a>, ErrorKind> {
    // The stream in pieces: metadata written here, buffers borrowed from the file or
    // decompressed on every core, padding.
    let mut pieces = vec![Piece::Owned(metadata(schema))];
    let mut jobs = Vec::new();
    for message in messages {
        pieces.push(Piece::Owned(metadata(&message.metadata)));
        let mut end = 0;
        for (offset, len, fill) in message.fills {
            pieces.push(padding(offset - end));
            match fill {
                Fill::Copy(data) => pieces.push(Piece::Borrowed(data)),
                Fill::Decompress(codec, data) => {
                    jobs.push((pieces.len(), len, codec, data));
                    pieces.push(Piece::Borrowed(&[]));
                }
            }
            end = offset + len;
        }
        pieces.push(padding(message.body_len - end));
    }
    pieces.push(Piece::Borrowed(&END_OF_STREAM));
    let decompressed: Vec<(usize, Vec<u8>)> = jobs
        .into_par_iter()
        .map(|(index, len, codec, data)| Ok((index, decompress(len, codec, data)?)))
        .collect::<Result<_, ErrorKind>>()?;
    for (index, buffer) in decompressed {
        if let Some(piece) = pieces.get_mut(index) {
            *piece = Piece::Owned(buffer);
        }
    }
    Ok(Stream::new(pieces))
}

/// Padding between buffers: less than eight zeros.
fn padding(len: usize) -> Piece<'static> {
    const ZEROS: [u8; 8] = [0; 8];
    Piece::Borrowed(ZEROS.get(..len).unwrap_or(&ZEROS))
}
const END_OF_STREAM: [u8; 8] = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];

enum Piece<'a> {
    Owned(Vec<u8>),
    Borrowed(&'a [u8]),
}

impl Piece<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Piece::Owned(bytes) => bytes,
            Piece::Borrowed(bytes) => bytes,
        }
    }
}

/// An uncompressed Arrow IPC stream, read from its pieces in order without joining them.
pub(super) struct Stream<'a> {
    pieces: Vec<Piece<'a>>,
    /// Where each piece starts in the stream.
    starts: Vec<u64>,
    len: u64,
    position: u64,
}

impl<'a> Stream<'a> {
    fn new(pieces: Vec<Piece<'a>>) -> Self {
        let mut starts = Vec::with_capacity(pieces.len());
        let mut len = 0u64;
        for piece in &pieces {
            starts.push(len);
            len += piece.bytes().len() as u64;
        }
        Stream {
            pieces,
            starts,
            len,
            position: 0,
        }
    }
}

impl Read for Stream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The last piece starting at or before the position, skipping empty ones.
        let index = self.starts.partition_point(|&start| start <= self.position);
        let Some(index) = index.checked_sub(1) else {
            return Ok(0);
        };
        let (Some(piece), Some(&start)) = (self.pieces.get(index), self.starts.get(index)) else {
            return Ok(0);
        };
        let offset = usize::try_from(self.position - start).unwrap_or(usize::MAX);
        // Past a piece's end nothing is left to read: 0 bytes, the end of the input; and
        // `read` is at most each slice's length.
        let available = piece.bytes().get(offset..).unwrap_or_default();
        let read = available.len().min(buf.len());
        buf.get_mut(..read)
            .unwrap_or_default()
            .copy_from_slice(available.get(..read).unwrap_or_default());
        self.position += read as u64;
        Ok(read)
    }
}

impl Seek for Stream<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let position = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = position.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the stream's start",
            )
        })?;
        Ok(self.position)
    }
}

/// The message again, its buffers laid out uncompressed; the fills say where each comes from.
fn rewrite<'a>(parsed: &Batch<'a>) -> Result<Message<'a>, ErrorKind> {
    let Batch {
        message,
        batch,
        dictionary,
        ..
    } = parsed;
    let codec = parsed.codec();
    let mut buffers = Vec::new();
    let mut fills = Vec::new();
    let mut offset = 0usize;
    for &data in &parsed.buffers {
        let (fill, len) = match codec {
            Some(codec) if !data.is_empty() => {
                let (declared, payload) = data.split_first_chunk::<8>().ok_or_else(|| {
                    ErrorKind::malformed("a compressed buffer has no length prefix")
                })?;
                match i64::from_le_bytes(*declared) {
                    -1 => (Fill::Copy(payload), payload.len()),
                    declared => {
                        let len = usize::try_from(declared).map_err(|_| {
                            ErrorKind::malformed(format!("a buffer declares {declared} bytes"))
                        })?;
                        (Fill::Decompress(codec, payload), len)
                    }
                }
            }
            _ => (Fill::Copy(data), data.len()),
        };
        buffers.push(Buffer::new(offset as i64, len as i64));
        fills.push((offset, len, fill));
        offset = padded(offset + len);
    }

    let mut builder = FlatBufferBuilder::new();
    let nodes: Vec<FieldNode> = batch.nodes().into_iter().flatten().copied().collect();
    let nodes = builder.create_vector(&nodes);
    let buffers = builder.create_vector(&buffers);
    let variadic = batch
        .variadicBufferCounts()
        .map(|counts| builder.create_vector(&counts.iter().collect::<Vec<i64>>()));
    let mut record = RecordBatchBuilder::new(&mut builder);
    record.add_length(batch.length());
    record.add_nodes(nodes);
    record.add_buffers(buffers);
    if let Some(variadic) = variadic {
        record.add_variadicBufferCounts(variadic);
    }
    let record = record.finish();
    let (header_type, header) = match *dictionary {
        Some((id, delta)) => {
            let mut batch = DictionaryBatchBuilder::new(&mut builder);
            batch.add_id(id);
            batch.add_data(record);
            batch.add_isDelta(delta);
            (
                MessageHeader::DictionaryBatch,
                batch.finish().as_union_value(),
            )
        }
        None => (MessageHeader::RecordBatch, record.as_union_value()),
    };
    let mut new = MessageBuilder::new(&mut builder);
    new.add_version(message.version());
    new.add_header_type(header_type);
    new.add_header(header);
    new.add_bodyLength(offset as i64);
    let new = new.finish();
    builder.finish(new, None);
    Ok(Message {
        metadata: builder.finished_data().to_vec(),
        body_len: offset,
        fills,
    })
}

/// A message's prefix (continuation marker, padded length), flatbuffer and padding.
fn metadata(flatbuffer: &[u8]) -> Vec<u8> {
    let len = padded(flatbuffer.len());
    let mut out = Vec::with_capacity(8 + len);
    out.extend_from_slice(&CONTINUATION);
    out.extend_from_slice(&(len as i32).to_le_bytes());
    out.extend_from_slice(flatbuffer);
    out.resize(8 + len, 0);
    out
}

/// `data` decompressed with `codec`, which must give `len` bytes.
fn decompress(len: usize, codec: CompressionType, data: &[u8]) -> Result<Vec<u8>, ErrorKind> {
    let corrupt = |codec: &str, err: &dyn std::fmt::Display| {
        ErrorKind::malformed(format!("a {codec} buffer is corrupt: {err}"))
    };
    let out = if codec == CompressionType::LZ4_FRAME {
        let mut out = Vec::with_capacity(len);
        lz4_flex::frame::FrameDecoder::new(data)
            .take(len as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|err| corrupt("LZ4", &err))?;
        out
    } else {
        zstd::bulk::Decompressor::new()
            .and_then(|mut decompressor| decompressor.decompress(data, len))
            .map_err(|err| corrupt("zstd", &err))?
    };
    if out.len() != len {
        return Err(ErrorKind::malformed(format!(
            "a compressed buffer declares {len} bytes and holds {}",
            out.len()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use polars::prelude::df;

    use super::super::file::IpcFile;
    use super::to_streams;
    use crate::dataframe::{DataFrameSerializer, IpcCompression, IpcOptions};
    use crate::serializer::Serializer;

    #[test]
    fn compressed_files_become_streams_and_others_stay_files() {
        let frame = df!("n" => [1i64, 2, 3], "s" => ["x", "y", "z"]).unwrap();
        let bytes = |compression| {
            DataFrameSerializer::ipc(IpcOptions::new().with_compression(compression))
                .serialize(&frame)
                .unwrap()
        };
        for compression in [IpcCompression::Lz4, IpcCompression::Zstd(None)] {
            let file = bytes(compression);
            let parsed = IpcFile::parse(&file).unwrap();
            let mut streams = to_streams(&parsed).unwrap().unwrap();
            assert_eq!(streams.len(), 1);
            let mut stream = streams.pop().unwrap();
            let mut all = Vec::new();
            std::io::Read::read_to_end(&mut stream, &mut all).unwrap();
            // An IPC stream: the schema message first, the end-of-stream marker last.
            assert_eq!(all.get(..4), Some(&[0xff; 4][..]));
            assert!(all.ends_with(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
            // Read again after a seek back, in small reads.
            std::io::Seek::seek(&mut stream, std::io::SeekFrom::Start(0)).unwrap();
            let mut again = Vec::new();
            let mut chunk = [0u8; 7];
            loop {
                let read = std::io::Read::read(&mut stream, &mut chunk).unwrap();
                if read == 0 {
                    break;
                }
                again.extend_from_slice(&chunk[..read]);
            }
            assert_eq!(again, all);
        }
        let file = bytes(IpcCompression::Uncompressed);
        assert!(to_streams(&IpcFile::parse(&file).unwrap())
            .unwrap()
            .is_none());
    }
}
