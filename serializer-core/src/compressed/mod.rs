//! Compression around any serializer: Prefect's `CompressedSerializer`.
//!
//! Reading decodes the whole input or refuses it: concatenated gzip members, bzip2 and xz
//! streams, zstd and LZ4 frames are read in order as their formats define (zstd and LZ4
//! skippable frames passed over, xz stream padding allowed), and bytes after the last stream
//! that the format does not define are [`ErrorKind::TrailingInput`].

#[cfg(feature = "lz4")]
mod lz4;

use std::fmt;
use std::io::{self, Read, Write};
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Operation};
use crate::serializer::Serializer;

/// A compression format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    #[cfg(feature = "gzip")]
    /// gzip (RFC 1952), as Python's `gzip` module; reading takes concatenated members.
    Gzip,
    #[cfg(feature = "gzip")]
    /// zlib (RFC 1950), as Python's `zlib` module.
    Zlib,
    #[cfg(feature = "bz2")]
    /// bzip2, as Python's `bz2` module; reading takes concatenated streams.
    Bz2,
    #[cfg(feature = "xz")]
    /// xz, as Python's `lzma` module (Prefect's `"lzma"`); reading also takes the legacy
    /// `.lzma` format and concatenated streams.
    Xz,
    #[cfg(feature = "zstd")]
    /// Zstandard frames.
    Zstd,
    #[cfg(feature = "lz4")]
    /// LZ4 frames.
    Lz4,
}

impl Codec {
    /// Every codec, in the order error messages list them.
    pub const ALL: &'static [Codec] = &[
        #[cfg(feature = "gzip")]
        Codec::Gzip,
        #[cfg(feature = "gzip")]
        Codec::Zlib,
        #[cfg(feature = "bz2")]
        Codec::Bz2,
        #[cfg(feature = "xz")]
        Codec::Xz,
        #[cfg(feature = "zstd")]
        Codec::Zstd,
        #[cfg(feature = "lz4")]
        Codec::Lz4,
    ];

    /// The name [`FromStr`] accepts (it also takes `lzma` and `bzip2`).
    pub const fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "gzip")]
            Codec::Gzip => "gzip",
            #[cfg(feature = "gzip")]
            Codec::Zlib => "zlib",
            #[cfg(feature = "bz2")]
            Codec::Bz2 => "bz2",
            #[cfg(feature = "xz")]
            Codec::Xz => "xz",
            #[cfg(feature = "zstd")]
            Codec::Zstd => "zstd",
            #[cfg(feature = "lz4")]
            Codec::Lz4 => "lz4",
        }
    }

    /// The levels the codec takes, or `None` for LZ4, which has none.
    pub const fn levels(self) -> Option<(u32, u32)> {
        match self {
            #[cfg(feature = "gzip")]
            Codec::Gzip | Codec::Zlib => Some((0, 9)),
            #[cfg(feature = "xz")]
            Codec::Xz => Some((0, 9)),
            #[cfg(feature = "bz2")]
            Codec::Bz2 => Some((1, 9)),
            #[cfg(feature = "zstd")]
            Codec::Zstd => Some((1, 22)),
            #[cfg(feature = "lz4")]
            Codec::Lz4 => None,
        }
    }

    /// The level used when none is given: Python's defaults (gzip 9, zlib 6, bz2 9, xz 6)
    /// and zstd's (3).
    pub const fn default_level(self) -> u32 {
        match self {
            #[cfg(feature = "gzip")]
            Codec::Gzip => 9,
            #[cfg(feature = "bz2")]
            Codec::Bz2 => 9,
            #[cfg(feature = "gzip")]
            Codec::Zlib => 6,
            #[cfg(feature = "xz")]
            Codec::Xz => 6,
            #[cfg(feature = "zstd")]
            Codec::Zstd => 3,
            #[cfg(feature = "lz4")]
            Codec::Lz4 => 0,
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A codec name that is none of the known ones, or a level outside a codec's range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompressionError {
    /// An unknown codec name.
    #[error(
        "unknown compression `{name}`; expected one of: gzip, zlib, bz2, xz (or lzma), zstd, lz4"
    )]
    UnknownCodec {
        /// The name given.
        name: String,
    },
    /// A level the codec does not take.
    #[error("{codec} takes {}, not {level}", match codec.levels() {
        Some((low, high)) => format!("levels {low} to {high}"),
        None => "no level".to_string(),
    })]
    InvalidLevel {
        /// The codec.
        codec: Codec,
        /// The level given.
        level: u32,
    },
}

impl FromStr for Codec {
    type Err = CompressionError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            #[cfg(feature = "xz")]
            "lzma" => Ok(Codec::Xz),
            #[cfg(feature = "bz2")]
            "bzip2" => Ok(Codec::Bz2),
            _ => Codec::ALL
                .iter()
                .copied()
                .find(|codec| codec.name() == name)
                .ok_or_else(|| CompressionError::UnknownCodec { name: name.into() }),
        }
    }
}

/// A codec and its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Compression {
    codec: Codec,
    level: u32,
}

impl Compression {
    /// `codec` at its default level.
    pub const fn new(codec: Codec) -> Self {
        Compression {
            codec,
            level: codec.default_level(),
        }
    }

    /// `codec` at `level`, or `None` when the codec does not take it (usable in `const`).
    pub const fn try_with_level(codec: Codec, level: u32) -> Option<Self> {
        match codec.levels() {
            Some((low, high)) if level >= low && level <= high => {
                Some(Compression { codec, level })
            }
            _ => None,
        }
    }

    /// `codec` at `level`, or an error saying which levels it takes.
    pub fn with_level(codec: Codec, level: u32) -> Result<Self, CompressionError> {
        Compression::try_with_level(codec, level)
            .ok_or(CompressionError::InvalidLevel { codec, level })
    }

    /// The codec.
    pub const fn codec(&self) -> Codec {
        self.codec
    }

    /// The level (0 for LZ4).
    pub const fn level(&self) -> u32 {
        self.level
    }
}

/// Compresses what another serializer writes, and decompresses before it reads: Prefect's
/// `CompressedSerializer(serializer, format=...)`.
///
/// Decompressing stops at [`DEFAULT_MAX_DECOMPRESSED`] bytes unless set otherwise with
/// [`with_max_decompressed_size`](Self::with_max_decompressed_size): a decompression bomb is an
/// [`ErrorKind::DecompressedTooLarge`] error, not an exhausted memory.
///
/// ```
/// use serializer_core::{Codec, Compression, CompressedSerializer, JsonSerializer, Serializer};
///
/// let serializer = CompressedSerializer::new(JsonSerializer::new(), Compression::new(Codec::Gzip));
/// let bytes = serializer.serialize(&vec!["a".to_string(); 100])?;
/// assert!(bytes.len() < 100);
/// let back: Vec<String> = serializer.deserialize(&bytes)?;
/// assert_eq!(back.len(), 100);
/// # Ok::<(), serializer_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompressedSerializer<S> {
    inner: S,
    compression: Compression,
    max_decompressed: u64,
}

/// The default bound on the decompressed size: 1 GiB.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 1 << 30;

impl<S> CompressedSerializer<S> {
    /// `inner`, compressed with `compression`.
    pub const fn new(inner: S, compression: Compression) -> Self {
        CompressedSerializer {
            inner,
            compression,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
        }
    }

    /// The same serializer with another bound on the decompressed size, in bytes.
    #[must_use]
    pub const fn with_max_decompressed_size(mut self, bytes: u64) -> Self {
        self.max_decompressed = bytes;
        self
    }

    /// The serializer inside.
    pub const fn inner(&self) -> &S {
        &self.inner
    }

    /// The codec and level.
    pub const fn compression(&self) -> Compression {
        self.compression
    }

    /// The bound on the decompressed size, in bytes.
    pub const fn max_decompressed_size(&self) -> u64 {
        self.max_decompressed
    }

    fn error(&self, operation: Operation, kind: ErrorKind) -> Error {
        Error::new(self.compression.codec.name(), operation, kind)
    }

    /// Decompresses everything `reader` yields, up to the bound on the whole output, every
    /// frame or stream of it. The buffer grows by doubling but never past the bound, so a bomb
    /// costs at most the bound in memory.
    fn decompress<R: Read>(&self, reader: R) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        match self.compression.codec {
            #[cfg(feature = "lz4")]
            Codec::Lz4 => {
                let mut input = Vec::new();
                io::BufReader::new(reader)
                    .read_to_end(&mut input)
                    .map_err(|err| self.read_error(ErrorKind::Io(err)))?;
                self.decompress_lz4(&input, &mut out)?;
            }
            #[cfg(feature = "gzip")]
            Codec::Zlib => {
                // zlib defines one stream and nothing after it.
                use std::io::BufRead as _;
                let mut decoder = flate2::bufread::ZlibDecoder::new(io::BufReader::new(reader));
                self.drain(&mut decoder, &mut out)?;
                let after = decoder
                    .get_mut()
                    .fill_buf()
                    .map_err(|err| self.read_error(ErrorKind::Io(err)))?;
                if !after.is_empty() {
                    let offset = decoder.total_in();
                    return Err(self.read_error(ErrorKind::TrailingInput { offset }));
                }
            }
            #[cfg(feature = "gzip")]
            Codec::Gzip => self.drain(flate2::read::MultiGzDecoder::new(reader), &mut out)?,
            #[cfg(feature = "bz2")]
            Codec::Bz2 => self.drain(bzip2::read::MultiBzDecoder::new(reader), &mut out)?,
            #[cfg(feature = "xz")]
            Codec::Xz => {
                let stream = liblzma::stream::Stream::new_auto_decoder(
                    u64::MAX,
                    liblzma::stream::CONCATENATED,
                )
                .map_err(|err| self.read_error(ErrorKind::Decompress(io::Error::other(err))))?;
                self.drain(
                    liblzma::read::XzDecoder::new_stream(reader, stream),
                    &mut out,
                )?;
            }
            #[cfg(feature = "zstd")]
            Codec::Zstd => {
                let decoder = zstd::stream::read::Decoder::new(reader)
                    .map_err(|err| self.read_error(ErrorKind::Decompress(err)))?;
                self.drain(decoder, &mut out)?;
            }
        }
        Ok(out)
    }

    /// Every frame of an LZ4 input, in order; skippable frames passed over.
    #[cfg(feature = "lz4")]
    fn decompress_lz4(&self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let mut rest = input;
        while !rest.is_empty() {
            let offset = (input.len() - rest.len()) as u64;
            rest = match lz4::first(rest) {
                lz4::Frame::Data(frame, after) => {
                    self.drain(lz4_flex::frame::FrameDecoder::new(frame), out)?;
                    after
                }
                lz4::Frame::Skippable(after) => after,
                lz4::Frame::Unknown if offset > 0 => {
                    return Err(self.read_error(ErrorKind::TrailingInput { offset }));
                }
                lz4::Frame::Unknown => {
                    return Err(self.read_error(ErrorKind::Decompress(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the input does not start with an LZ4 frame",
                    ))));
                }
                lz4::Frame::Truncated => {
                    return Err(self.read_error(ErrorKind::Decompress(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the LZ4 frame at offset {offset} is cut short"),
                    ))));
                }
            };
        }
        Ok(())
    }

    /// Appends everything `decoder` yields to `out`, which stays within the bound.
    fn drain(&self, mut decoder: impl Read, out: &mut Vec<u8>) -> Result<(), Error> {
        let limit = self.max_decompressed;
        let most = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut chunk = vec![0; CHUNK];
        loop {
            let read = match decoder.read(&mut chunk) {
                Ok(0) => return Ok(()),
                Ok(read) => read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(self.read_error(ErrorKind::Decompress(err))),
            };
            let len = out.len().saturating_add(read);
            if len > most {
                return Err(self.read_error(ErrorKind::DecompressedTooLarge { limit }));
            }
            if len > out.capacity() {
                let grown = out.capacity().saturating_mul(2).clamp(len, most);
                out.try_reserve_exact(grown - out.len()).map_err(|_| {
                    self.read_error(ErrorKind::Io(io::ErrorKind::OutOfMemory.into()))
                })?;
            }
            out.extend_from_slice(chunk.get(..read).unwrap_or_default());
        }
    }

    fn read_error(&self, kind: ErrorKind) -> Error {
        self.error(Operation::Deserialize, kind)
    }
}

/// `bytes` decompressed with `codec`, within [`DEFAULT_MAX_DECOMPRESSED`].
pub(crate) fn decompress_all(codec: Codec, bytes: &[u8]) -> Result<Vec<u8>, Error> {
    CompressedSerializer::new((), Compression::new(codec)).decompress(bytes)
}

/// `bytes` compressed with `codec` at its default level.
pub(crate) fn compress_all(codec: Codec, bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let compression = Compression::new(codec);
    let io_error = |err| Error::new(codec.name(), Operation::Serialize, ErrorKind::Io(err));
    let mut out = Vec::new();
    let mut encoder = Encoder::new(compression, &mut out).map_err(io_error)?;
    encoder.write_all(bytes).map_err(io_error)?;
    encoder.finish().map_err(io_error)?;
    Ok(out)
}

/// How much a decoder is asked for at a time.
const CHUNK: usize = 64 * 1024;

impl<T, S: Serializer<T>> Serializer<T> for CompressedSerializer<S> {
    fn serialize(&self, value: &T) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.serialize_into(value, &mut out)?;
        Ok(out)
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<T, Error> {
        self.inner.deserialize(&self.decompress(bytes)?)
    }

    /// Compresses as the inner serializer writes: the uncompressed bytes are never held
    /// whole. They reach the encoder 64 KiB at a time: a serializer writes a few
    /// bytes per call, and an encoder called that often spends more time on its calls than
    /// on compressing (W5's zlib took 2.4 times as long).
    fn serialize_into<W: Write>(&self, value: &T, writer: W) -> Result<(), Error> {
        let io_error = |err| self.error(Operation::Serialize, ErrorKind::Io(err));
        let mut encoder = Encoder::new(self.compression, writer).map_err(io_error)?;
        let mut buffered = io::BufWriter::with_capacity(CHUNK, &mut encoder);
        self.inner.serialize_into(value, &mut buffered)?;
        buffered.flush().map_err(io_error)?;
        drop(buffered);
        encoder.finish().map_err(io_error)
    }

    fn deserialize_from<R: Read>(&self, reader: R) -> Result<T, Error> {
        self.inner.deserialize(&self.decompress(reader)?)
    }

    fn name(&self) -> &'static str {
        self.compression.codec.name()
    }

    fn format_identity(&self) -> String {
        let codec = self.compression.codec;
        let inner = self.inner.format_identity();
        match codec.levels() {
            None => format!("{codec} around {inner}"),
            Some(_) => format!("{codec} level {} around {inner}", self.compression.level),
        }
    }

    fn self_describing(&self) -> bool {
        self.inner.self_describing()
    }
}

/// A writer compressing into `W`.
enum Encoder<W: Write> {
    #[cfg(feature = "gzip")]
    Gzip(flate2::write::GzEncoder<W>),
    #[cfg(feature = "gzip")]
    Zlib(flate2::write::ZlibEncoder<W>),
    #[cfg(feature = "bz2")]
    Bz2(bzip2::write::BzEncoder<W>),
    #[cfg(feature = "xz")]
    Xz(liblzma::write::XzEncoder<W>),
    #[cfg(feature = "zstd")]
    Zstd(zstd::stream::write::Encoder<'static, W>),
    #[cfg(feature = "lz4")]
    Lz4(lz4_flex::frame::FrameEncoder<W>),
}

impl<W: Write> Encoder<W> {
    fn new(compression: Compression, writer: W) -> io::Result<Self> {
        Ok(match compression.codec {
            #[cfg(feature = "gzip")]
            Codec::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                writer,
                flate2::Compression::new(compression.level),
            )),
            #[cfg(feature = "gzip")]
            Codec::Zlib => Encoder::Zlib(flate2::write::ZlibEncoder::new(
                writer,
                flate2::Compression::new(compression.level),
            )),
            #[cfg(feature = "bz2")]
            Codec::Bz2 => Encoder::Bz2(bzip2::write::BzEncoder::new(
                writer,
                bzip2::Compression::new(compression.level),
            )),
            #[cfg(feature = "xz")]
            Codec::Xz => Encoder::Xz(liblzma::write::XzEncoder::new(writer, compression.level)),
            #[cfg(feature = "zstd")]
            Codec::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(
                writer,
                i32::try_from(compression.level).unwrap_or(3),
            )?),
            #[cfg(feature = "lz4")]
            Codec::Lz4 => Encoder::Lz4(lz4_flex::frame::FrameEncoder::new(writer)),
        })
    }

    fn finish(self) -> io::Result<()> {
        match self {
            #[cfg(feature = "gzip")]
            Encoder::Gzip(encoder) => encoder.finish().map(drop),
            #[cfg(feature = "gzip")]
            Encoder::Zlib(encoder) => encoder.finish().map(drop),
            #[cfg(feature = "bz2")]
            Encoder::Bz2(encoder) => encoder.finish().map(drop),
            #[cfg(feature = "xz")]
            Encoder::Xz(encoder) => encoder.finish().map(drop),
            #[cfg(feature = "zstd")]
            Encoder::Zstd(encoder) => encoder.finish().map(drop),
            #[cfg(feature = "lz4")]
            Encoder::Lz4(encoder) => encoder.finish().map(drop).map_err(io::Error::other),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            #[cfg(feature = "gzip")]
            Encoder::Gzip(encoder) => encoder.write(buf),
            #[cfg(feature = "gzip")]
            Encoder::Zlib(encoder) => encoder.write(buf),
            #[cfg(feature = "bz2")]
            Encoder::Bz2(encoder) => encoder.write(buf),
            #[cfg(feature = "xz")]
            Encoder::Xz(encoder) => encoder.write(buf),
            #[cfg(feature = "zstd")]
            Encoder::Zstd(encoder) => encoder.write(buf),
            #[cfg(feature = "lz4")]
            Encoder::Lz4(encoder) => encoder.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            #[cfg(feature = "gzip")]
            Encoder::Gzip(encoder) => encoder.flush(),
            #[cfg(feature = "gzip")]
            Encoder::Zlib(encoder) => encoder.flush(),
            #[cfg(feature = "bz2")]
            Encoder::Bz2(encoder) => encoder.flush(),
            #[cfg(feature = "xz")]
            Encoder::Xz(encoder) => encoder.flush(),
            #[cfg(feature = "zstd")]
            Encoder::Zstd(encoder) => encoder.flush(),
            #[cfg(feature = "lz4")]
            Encoder::Lz4(encoder) => encoder.flush(),
        }
    }
}
