//! The one error type of the crate.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::io;

/// What a serializer was doing when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Turning a value into bytes.
    Serialize,
    /// Turning bytes back into a value.
    Deserialize,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Serialize => "serialize",
            Operation::Deserialize => "deserialize",
        })
    }
}

/// What went wrong, without the serializer and operation (see [`Error`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading from or writing to the underlying reader or writer failed.
    #[error("I/O error: {0}")]
    Io(io::Error),

    /// `serde_json` rejected the value or the input.
    #[error("{0}")]
    Json(serde_json::Error),

    /// `serde-pickle` rejected the value or the input (a refused global reads
    /// `unresolved global reference`).
    #[error("{0}")]
    #[cfg(feature = "pickle")]
    Pickle(serde_pickle::Error),

    /// `postcard` rejected the value or the input.
    #[error("{0}")]
    Postcard(postcard::Error),

    /// A NaN or infinite float, which JSON has no representation for.
    ///
    /// `serde_json` would write it as `null`, a different value: this crate refuses instead.
    #[error(
        "the value holds the float {value}, which JSON cannot represent \
         (store it as an `Option` or use a format that keeps non-finite floats)"
    )]
    NonFiniteFloat {
        /// The offending float, widened to `f64`.
        value: f64,
    },

    /// The input holds a complete value followed by more bytes.
    #[error("{count} unexpected trailing byte(s) after the value")]
    TrailingBytes {
        /// How many bytes follow the value.
        count: usize,
    },

    /// The input is not UTF-8, though the format is text.
    #[error("input is not valid UTF-8 (invalid byte at offset {valid_up_to})")]
    InvalidUtf8 {
        /// Length of the longest valid UTF-8 prefix.
        valid_up_to: usize,
    },

    /// The input is not a date-time this crate reads.
    #[error("`{input}` is not an ISO 8601 date-time: {reason}")]
    InvalidDateTime {
        /// The input, lossily decoded and shortened for the message.
        input: String,
        /// Why it was refused.
        reason: Cow<'static, str>,
    },

    /// The value exists in memory but the format cannot hold it unchanged.
    #[error("{reason}")]
    Unrepresentable {
        /// What the format cannot hold.
        reason: Cow<'static, str>,
    },

    /// The input decodes to a value that the target type cannot hold.
    #[error("{reason}")]
    OutOfRange {
        /// What did not fit.
        reason: Cow<'static, str>,
    },

    /// The compressed input is corrupt or truncated.
    #[error("the compressed data is corrupt: {0}")]
    Decompress(io::Error),

    /// The compressed input goes on after its last stream or frame with bytes its format does
    /// not define there (zlib defines nothing after its stream; LZ4 only further frames).
    #[error("the input goes on at byte {offset}, after the last compressed stream, with bytes the format does not define there")]
    TrailingInput {
        /// Where the first byte that was not read stands in the input.
        offset: u64,
    },

    /// The input decompresses to more than the serializer's bound: a decompression bomb, or
    /// a bound set too low.
    #[error("the data decompresses to more than {limit} bytes, the bound set for it")]
    DecompressedTooLarge {
        /// The bound, in bytes.
        limit: u64,
    },

    /// The input is well formed, but does not hold a value of the type asked for.
    #[error("the input does not fit the type: {reason}")]
    Mismatch {
        /// What did not fit.
        reason: Cow<'static, str>,
    },

    /// Decoding the input would pass a limit of the serializer (nesting, size); the limits
    /// are documented on each serializer and settable.
    #[error("{reason}")]
    LimitExceeded {
        /// Which limit, and by how much.
        reason: Cow<'static, str>,
    },

    /// The input is malformed: a check of this crate refused it before decoding.
    #[error("malformed input: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },

    /// An option that cannot apply, found when building the serializer or when reading.
    #[error("{reason}")]
    InvalidOption {
        /// What does not fit.
        reason: Cow<'static, str>,
    },

    /// polars rejected the frame or the input.
    #[cfg(feature = "dataframe")]
    #[error("{0}")]
    Polars(polars::error::PolarsError),

    /// A decoder or encoder panicked; the panic was caught, and the input is malformed.
    #[error("{library} panicked on the input: {message}")]
    Panicked {
        /// The library that panicked.
        library: &'static str,
        /// Its panic message.
        message: String,
    },

    /// An error raised by a user-defined serializer: its message, and its causes through
    /// `source()`.
    #[error(transparent)]
    Custom(Box<dyn StdError + Send + Sync + 'static>),
}

impl ErrorKind {
    /// [`ErrorKind::Malformed`]: a check of the input refused it before decoding.
    pub fn malformed(reason: impl Into<Cow<'static, str>>) -> Self {
        ErrorKind::Malformed {
            reason: reason.into(),
        }
    }

    /// [`ErrorKind::Mismatch`]: well-formed input that does not hold the type asked for.
    pub fn mismatch(reason: impl Into<Cow<'static, str>>) -> Self {
        ErrorKind::Mismatch {
            reason: reason.into(),
        }
    }

    /// [`ErrorKind::OutOfRange`]: a decoded value the target type cannot hold.
    pub fn out_of_range(reason: impl Into<Cow<'static, str>>) -> Self {
        ErrorKind::OutOfRange {
            reason: reason.into(),
        }
    }

    /// [`ErrorKind::Unrepresentable`]: a value the format cannot hold unchanged.
    pub fn unrepresentable(reason: impl Into<Cow<'static, str>>) -> Self {
        ErrorKind::Unrepresentable {
            reason: reason.into(),
        }
    }

    /// [`ErrorKind::LimitExceeded`]: a limit of the serializer passed.
    pub fn limit_exceeded(reason: impl Into<Cow<'static, str>>) -> Self {
        ErrorKind::LimitExceeded {
            reason: reason.into(),
        }
    }

    /// [`ErrorKind::InvalidOption`]: an option that cannot apply.
    pub fn invalid_option(reason: impl Into<Cow<'static, str>>) -> Self {
        ErrorKind::InvalidOption {
            reason: reason.into(),
        }
    }
}

/// An error from a serializer: which serializer, which operation, and what went wrong.
///
/// Its message reads `json serializer failed to deserialize: trailing characters at line 1
/// column 3`. [`Error::kind`] gives the typed cause, holding the underlying library's error
/// where there is one; the message includes it, and `source()` is `None`, so that it prints
/// once.
pub struct Error {
    // Boxed so that `Result<T, Error>` stays one word wider than `T`.
    inner: Box<Inner>,
}

struct Inner {
    serializer: &'static str,
    operation: Operation,
    kind: ErrorKind,
}

impl Error {
    /// An error of `serializer` (a short name such as `"json"`) during `operation`.
    pub fn new(serializer: &'static str, operation: Operation, kind: ErrorKind) -> Self {
        Error {
            inner: Box::new(Inner {
                serializer,
                operation,
                kind,
            }),
        }
    }

    /// An error of a user-defined serializer, wrapping its own error type.
    pub fn custom<E>(serializer: &'static str, operation: Operation, error: E) -> Self
    where
        E: Into<Box<dyn StdError + Send + Sync + 'static>>,
    {
        Error::new(serializer, operation, ErrorKind::Custom(error.into()))
    }

    /// An I/O error while reading or writing.
    pub fn io(serializer: &'static str, operation: Operation, error: io::Error) -> Self {
        Error::new(serializer, operation, ErrorKind::Io(error))
    }

    /// The short name of the serializer that failed, such as `"json"` or `"datetime"`.
    pub fn serializer(&self) -> &'static str {
        self.inner.serializer
    }

    /// Whether the serializer was serializing or deserializing.
    pub fn operation(&self) -> Operation {
        self.inner.operation
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// Takes the cause out of the error.
    pub fn into_kind(self) -> ErrorKind {
        self.inner.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} serializer failed to {}: {}",
            self.inner.serializer, self.inner.operation, self.inner.kind
        )
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("serializer", &self.inner.serializer)
            .field("operation", &self.inner.operation)
            .field("kind", &self.inner.kind)
            .finish()
    }
}

/// The message already says what the underlying library said: no `source`, so that a report
/// walking the chain (anyhow's `{:#}`, eyre) prints it once.
/// The message already holds the kind's; what caused the kind (a custom serializer's own
/// causes) follows through `source()`.
impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.kind().source()
    }
}

/// Shortens untrusted input for an error message, decoding it lossily.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    const MAX_CHARS: usize = 64;
    let text = String::from_utf8_lossy(bytes);
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_serializer_operation_and_cause() {
        let err = Error::new(
            "binary",
            Operation::Deserialize,
            ErrorKind::TrailingBytes { count: 2 },
        );
        assert_eq!(
            err.to_string(),
            "binary serializer failed to deserialize: 2 unexpected trailing byte(s) after the value"
        );
        assert_eq!(err.serializer(), "binary");
        assert_eq!(err.operation(), Operation::Deserialize);
    }

    #[test]
    fn the_message_holds_the_cause_once_and_there_is_no_source_to_repeat_it() {
        let io = io::Error::new(io::ErrorKind::BrokenPipe, "pipe closed");
        let err = Error::io("json", Operation::Serialize, io);
        assert_eq!(
            err.to_string(),
            "json serializer failed to serialize: I/O error: pipe closed"
        );
        assert!(err.source().is_none());
        assert!(err.kind().source().is_none());
        // The underlying error is the kind's field.
        assert!(matches!(err.kind(), ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe));
    }

    #[test]
    fn excerpt_shortens_and_decodes_lossily() {
        assert_eq!(excerpt(b"ab\xffc"), "ab\u{fffd}c");
        let long = "x".repeat(100);
        let short = excerpt(long.as_bytes());
        assert_eq!(short.chars().count(), 65);
        assert!(short.ends_with('…'));
    }
}
