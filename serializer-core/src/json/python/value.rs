//! The tree Python's grammar is parsed into before it is deserialized.

/// A JSON value as Python reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i128),
    /// An integer above `i128::MAX` that fits `u128`.
    BigUnsigned(u128),
    Float(f64),
    String(String),
    Array(Vec<Value>),
    /// Members in document order; a repeated key is kept, and the last one wins as in Python.
    Object(Vec<(String, Value)>),
}
