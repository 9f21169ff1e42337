//! The keys and class names of Prefect 3's JSON tags, and the serde names by which a Rust type
//! says that it writes a Python class (never a value's contents: a map's keys are a `dict`'s).

/// The key of a tagged object's class: `{"__class__": "datetime.date", "data": "2020-12-16"}`.
pub(crate) const CLASS: &str = "__class__";
/// The key of a tagged object's data.
pub(crate) const DATA: &str = "data";
/// The key of an exception's class: `{"__exc_type__": "builtins.ValueError", "message": ...}`.
pub(crate) const EXC_TYPE: &str = "__exc_type__";
/// The key of an exception's message.
pub(crate) const MESSAGE: &str = "message";

pub(crate) const BYTES: &str = "builtins.bytes";
pub(crate) const SET: &str = "builtins.set";
pub(crate) const FROZENSET: &str = "builtins.frozenset";

/// The classes whose data is a value of their own, not the fields of a model or dataclass.
pub(crate) const WELL_KNOWN: &[&str] = &[
    "datetime.datetime",
    "datetime.date",
    "datetime.time",
    "datetime.timedelta",
    "uuid.UUID",
    "decimal.Decimal",
    BYTES,
    SET,
    FROZENSET,
];

/// The serde struct name of a tag written by a Rust type (`ToPython`'s impls, the derive,
/// [`tagged`](super::tagged)): fields `__class__` and `data`. Any other serializer writes it as
/// the object Prefect's encoder writes; this crate's writers make it the class.
pub(crate) const CLASS_MARKER: &str = "$result_serializers::prefect3::Class";
/// The serde struct name of an exception written by [`PythonException`](super::PythonException):
/// fields `__exc_type__` and `message`.
pub(crate) const EXCEPTION_MARKER: &str = "$result_serializers::prefect3::Exception";

/// The exceptions of CPython 3.11's `builtins` that take one message (`ValueError("...")`): the
/// only ones [`PythonException`](super::PythonException) reads and writes, so that no value
/// names a module for Python to import or a callable that is not an exception.
pub(crate) const BUILTIN_EXCEPTIONS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "EncodingWarning",
    "EnvironmentError",
    "Exception",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeError",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "ZeroDivisionError",
];

/// The name of a builtin exception class `builtins.Name`, where `class` is one.
pub(crate) fn builtin_exception(class: &str) -> Option<&str> {
    class
        .strip_prefix("builtins.")
        .filter(|name| BUILTIN_EXCEPTIONS.contains(name))
}
