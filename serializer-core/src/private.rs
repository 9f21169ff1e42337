//! Not public API: what `#[derive(ResultSerializer)]` expands to refers to these.

pub use core::default::Default;
pub use core::option::Option;

use crate::error::Error;
use crate::serializer::Serializer;

/// The serializer of the stub impl emitted beside a derive error; it has no values.
#[derive(Debug)]
pub enum Never {}

impl<T> Serializer<T> for Never {
    fn serialize(&self, _: &T) -> Result<Vec<u8>, Error> {
        match *self {}
    }

    fn deserialize(&self, _: &[u8]) -> Result<T, Error> {
        match *self {}
    }

    fn format_identity(&self) -> String {
        match *self {}
    }
}
