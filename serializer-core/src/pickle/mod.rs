//! Python's pickle through `serde-pickle`: Prefect's `PickleSerializer`, for plain data.

mod known;
pub(crate) mod opcode;
mod walk;

use std::io::Write;

use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, ErrorKind, Operation};
use crate::serializer::Serializer;

const NAME: &str = "pickle";

/// The pickle protocol written; both are read by every Python 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PickleProtocol {
    /// Protocol 2, also read by Python 2.
    V2,
    /// Protocol 3. The default.
    #[default]
    V3,
}

/// Reads and writes Python pickles of plain data with `serde-pickle`: Prefect's
/// `PickleSerializer`, for results a Rust type can hold.
///
/// Integers: writing takes up to 64 bits (`i128` and `u128` are an error); reading takes
/// integers up to `i64::MAX` into Rust integers (a larger one, such as a `u64` above
/// `i64::MAX`, is an error, never a wrapped value) and of any size into `serde_pickle::Value`.
///
/// Reading takes every protocol (0 to 5, what `cloudpickle` and `pickle` write) and, as
/// Prefect does, falls back to the base64-wrapped form older Prefect versions wrote; when
/// both tries fail, the error is that of the first. Python's `None`, `bool`, `int` (to
/// `i64`, `u64`), `float`, `str`, `bytes` (into `serde_bytes` types), `list`, `tuple`,
/// `dict`, `set` and `frozenset` map to their serde counterparts. The well-known value
/// classes read as the text Prefect 3's JSON writes of them, which chrono's, uuid's and
/// rust_decimal's serde impls read: `datetime.datetime` as ISO 8601 (`2020-12-16T21:36:00Z`,
/// `+05:30`, no offset when naive; fixed `datetime.timezone` offsets only), `date` and `time`
/// likewise, `timedelta` as an ISO 8601 duration (`PT1H30M`), `uuid.UUID` hyphenated and
/// `decimal.Decimal` as its digits.
///
/// It never runs code: a pickle that refers to any other class or function than these and the
/// built-in containers is refused with [`ErrorKind::Pickle`] naming it, where `pickle.loads`
/// would import and call it. Before decoding, the opcodes are walked to bound what they would build:
/// a value nested deeper than [`DEFAULT_PICKLE_MAX_DEPTH`] levels, or expanding to more than
/// [`DEFAULT_PICKLE_MAX_OBJECTS`] objects through shared references (a memo bomb), is
/// [`ErrorKind::LimitExceeded`]; both bounds are settable.
///
/// ```
/// use serializer_core::{PickleSerializer, Serializer};
///
/// let bytes = PickleSerializer::new().serialize(&vec![1, 2, 3])?;
/// let back: Vec<i64> = PickleSerializer::new().deserialize(&bytes)?;
/// assert_eq!(back, [1, 2, 3]);
/// // `pickle.dumps([1, 2, 3], protocol=5)`, as cloudpickle writes it:
/// let python = b"\x80\x05\x95\x0b\x00\x00\x00\x00\x00\x00\x00]\x94(K\x01K\x02K\x03e.";
/// let back: Vec<i64> = PickleSerializer::new().deserialize(python)?;
/// assert_eq!(back, [1, 2, 3]);
/// # Ok::<(), serializer_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PickleSerializer {
    protocol: PickleProtocol,
    max_depth: usize,
    max_objects: u64,
}

/// The default bound on how deeply a read value may nest.
pub const DEFAULT_PICKLE_MAX_DEPTH: usize = 256;
/// The default bound on the objects a read value may expand to, shared references counted
/// at each use.
pub const DEFAULT_PICKLE_MAX_OBJECTS: u64 = 20_000_000;

impl Default for PickleSerializer {
    fn default() -> Self {
        PickleSerializer::new()
    }
}

impl PickleSerializer {
    /// A serializer writing protocol 3.
    pub const fn new() -> Self {
        PickleSerializer {
            protocol: PickleProtocol::V3,
            max_depth: DEFAULT_PICKLE_MAX_DEPTH,
            max_objects: DEFAULT_PICKLE_MAX_OBJECTS,
        }
    }

    /// The same serializer writing another protocol.
    #[must_use]
    pub const fn with_protocol(mut self, protocol: PickleProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// The same serializer reading values nested at most `levels` deep.
    #[must_use]
    pub const fn with_max_depth(mut self, levels: usize) -> Self {
        self.max_depth = levels;
        self
    }

    /// The same serializer reading values of at most `objects` objects.
    #[must_use]
    pub const fn with_max_objects(mut self, objects: u64) -> Self {
        self.max_objects = objects;
        self
    }

    /// Refuses a pickle that would build past the limits, or refers to a class not read;
    /// `true` where it holds well-known classes, which [`known`] reads.
    fn check(&self, bytes: &[u8]) -> Result<bool, Error> {
        let reason = match walk::check(bytes, self.max_depth, self.max_objects) {
            walk::Verdict::Fine => return Ok(false),
            walk::Verdict::WellKnown => return Ok(true),
            walk::Verdict::TooDeep(depth) => format!(
                "the value nests at least {depth} levels deep, past the limit of {} (`with_max_depth`)",
                self.max_depth
            ),
            walk::Verdict::TooLarge(objects) => format!(
                "the value expands to at least {objects} objects, past the limit of {} (`with_max_objects`)",
                self.max_objects
            ),
            walk::Verdict::Recursive => "the value contains itself".to_string(),
            walk::Verdict::Class(class) => {
                return Err(refused(format!(
                    "the pickle refers to `{class}`, which is not read: only plain data and the \
                     well-known classes (`datetime`, `date`, `time`, `timedelta`, `UUID`, \
                     `Decimal`) are, and nothing in a pickle is imported or run"
                )))
            }
            walk::Verdict::Truncated => {
                return Err(Error::new(
                    NAME,
                    Operation::Deserialize,
                    ErrorKind::malformed(
                        "a frame is longer than the rest of the pickle: it was truncated",
                    ),
                ))
            }
            walk::Verdict::Unordered => {
                return Err(refused(
                    "the pickle holds set members or dict keys that cannot be ordered (a NaN, or \
                     floats beside integers past 2**53), which are not read"
                        .into(),
                ))
            }
        };
        Err(Error::new(
            NAME,
            Operation::Deserialize,
            ErrorKind::limit_exceeded(reason),
        ))
    }

    /// The protocol written.
    pub const fn protocol(&self) -> PickleProtocol {
        self.protocol
    }

    /// Reads a pickle into `serde_pickle::Value`, which holds any Python integer and keeps
    /// sets, tuples and bytes apart; with the same base64 fallback as
    /// [`deserialize`](Serializer::deserialize).
    pub fn deserialize_value(&self, bytes: &[u8]) -> Result<serde_pickle::Value, Error> {
        self.read(
            bytes,
            |bytes| serde_pickle::value_from_slice(bytes, serde_pickle::DeOptions::new()),
            Ok,
        )
    }

    /// Writes a `serde_pickle::Value`, integers of any size included.
    pub fn serialize_value(&self, value: &serde_pickle::Value) -> Result<Vec<u8>, Error> {
        serde_pickle::value_to_vec(value, self.options())
            .map_err(|err| error(Operation::Serialize, err))
    }

    /// Writes `value`, whose type need not be `Deserialize`.
    pub(crate) fn write_from<T: Serialize + ?Sized>(&self, value: &T) -> Result<Vec<u8>, Error> {
        serde_pickle::to_vec(&value, self.options()).map_err(|err| error(Operation::Serialize, err))
    }

    /// Reads `bytes` into `T`, which need not be `Serialize`.
    pub(crate) fn read_into<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, Error> {
        self.read(
            bytes,
            |bytes| serde_pickle::from_slice(bytes, serde_pickle::DeOptions::new()),
            |value| serde_pickle::from_value(value),
        )
    }

    /// Decodes `bytes` with `decode` after checking them, falling back to their base64
    /// reading as Prefect does; the error of the first try is the one reported. A pickle of
    /// well-known classes is read by [`known`] into a value that `from_value` takes.
    fn read<V>(
        &self,
        bytes: &[u8],
        decode: impl Fn(&[u8]) -> Result<V, serde_pickle::Error>,
        from_value: impl Fn(serde_pickle::Value) -> Result<V, serde_pickle::Error>,
    ) -> Result<V, Error> {
        // serde-pickle can panic on hostile input (a set of NaNs breaks its ordering of
        // values): a panic is an error like any other.
        let decode = |input: &[u8], well_known: bool| {
            crate::panic::catch_panic("serde-pickle", || {
                if well_known {
                    let value = known::read(input).map_err(|reason| {
                        ErrorKind::Pickle(serde_pickle::Error::Syntax(
                            serde_pickle::ErrorCode::Structure(reason),
                        ))
                    })?;
                    from_value(value).map_err(kind)
                } else {
                    decode(input).map_err(kind)
                }
            })
            .map_err(|kind| Error::new(NAME, Operation::Deserialize, kind))
        };
        let well_known = self.check(bytes)?;
        decode(bytes, well_known).or_else(|first| {
            let second = unwrap_base64(bytes).and_then(|unwrapped| {
                let well_known = self.check(&unwrapped).ok()?;
                decode(&unwrapped, well_known).ok()
            });
            second.ok_or(first)
        })
    }

    fn options(&self) -> serde_pickle::SerOptions {
        match self.protocol {
            PickleProtocol::V2 => serde_pickle::SerOptions::new().proto_v2(),
            PickleProtocol::V3 => serde_pickle::SerOptions::new(),
        }
    }
}

/// A pickle the walk refuses before decoding, for `reason`.
fn refused(reason: String) -> Error {
    Error::new(
        NAME,
        Operation::Deserialize,
        ErrorKind::Pickle(serde_pickle::Error::Syntax(
            serde_pickle::ErrorCode::Structure(reason),
        )),
    )
}

fn error(operation: Operation, err: serde_pickle::Error) -> Error {
    Error::new(NAME, operation, kind(err))
}

fn kind(err: serde_pickle::Error) -> ErrorKind {
    match err {
        serde_pickle::Error::Io(io) => ErrorKind::Io(io),
        other => ErrorKind::Pickle(other),
    }
}

/// What Python's `base64.b64decode` makes of `bytes`: characters outside the alphabet are
/// dropped, and the rest must be padded base64.
fn unwrap_base64(bytes: &[u8]) -> Option<Vec<u8>> {
    let kept: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'='))
        .collect();
    base64::engine::general_purpose::STANDARD.decode(kept).ok()
}

impl<T> Serializer<T> for PickleSerializer
where
    T: Serialize + DeserializeOwned,
{
    fn serialize(&self, value: &T) -> Result<Vec<u8>, Error> {
        self.write_from(value)
    }

    fn deserialize(&self, bytes: &[u8]) -> Result<T, Error> {
        self.read_into(bytes)
    }

    fn serialize_into<W: Write>(&self, value: &T, mut writer: W) -> Result<(), Error> {
        serde_pickle::to_writer(&mut writer, value, self.options())
            .map_err(|err| error(Operation::Serialize, err))
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn format_identity(&self) -> String {
        match self.protocol {
            PickleProtocol::V2 => format!("{NAME} (protocol 2)"),
            PickleProtocol::V3 => format!("{NAME} (protocol 3)"),
        }
    }

    fn self_describing(&self) -> bool {
        true
    }
}
