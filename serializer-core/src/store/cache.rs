//! Cache keys from a task's inputs, for location templates (`{key}`).

use serde::Serialize;

use super::error::StoreError;
use super::record::sha256_hex;
use crate::error::{Error, ErrorKind, Operation};

/// The key of a computation's `inputs`: the SHA-256, in hex, of their postcard bytes. Equal
/// inputs give equal keys, so a location rendered with the key (`"features/{key}.parquet"`)
/// names one result per set of inputs: Prefect 1.x's `cache_validator=all_inputs` and
/// Prefect 3's `INPUTS` cache policy. Pass several inputs as a tuple.
///
/// ```
/// use serializer_core::store::{cache_key, Template};
///
/// let key = cache_key(&("2026-11-24", 3u32, ["sensor-a", "sensor-b"]))?;
/// assert_eq!(key.len(), 64);
/// assert_eq!(key, cache_key(&("2026-11-24", 3u32, ["sensor-a", "sensor-b"]))?);
/// assert_ne!(key, cache_key(&("2026-11-24", 4u32, ["sensor-a", "sensor-b"]))?);
/// let location = Template::new("features/{key}.parquet")?.render([("key", &key)])?;
/// # Ok::<(), serializer_core::store::StoreError>(())
/// ```
pub fn cache_key<T: Serialize + ?Sized>(inputs: &T) -> Result<String, StoreError> {
    let bytes = postcard::to_allocvec(inputs).map_err(|err| StoreError::Serializer {
        location: "(cache key)".to_owned(),
        error: Error::new("binary", Operation::Serialize, ErrorKind::Postcard(err)),
    })?;
    Ok(sha256_hex(&bytes))
}
