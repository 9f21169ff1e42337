//! The panic boundary: a panic inside another library's decoder or encoder stops here and
//! becomes an error. It is the last resort, after the checks of each format: the panic hook
//! still prints, and under `panic = "abort"` the process still ends.

use crate::error::ErrorKind;

/// Runs a decoder or encoder of another library, turning a panic inside it into [`ErrorKind::Panicked`].
#[cfg_attr(not(any(feature = "pickle", feature = "dataframe")), allow(dead_code))]
pub(crate) fn catch_panic<T>(
    library: &'static str,
    run: impl FnOnce() -> Result<T, ErrorKind>,
) -> Result<T, ErrorKind> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|message| (*message).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(ErrorKind::Panicked { library, message })
        }
    }
}
