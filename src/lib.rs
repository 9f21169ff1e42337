#![doc = "placeholder"]
pub use serializer_core::*;
