//! Every word `#[serializer(...)]` accepts, in one place.

/// The attribute itself.
pub(crate) const SERIALIZER: &str = "serializer";

/// Serializer kinds.
pub(crate) const JSON: &str = "json";
pub(crate) const BINARY: &str = "binary";
pub(crate) const DATETIME: &str = "datetime";
pub(crate) const WITH: &str = "with";

/// Options of `json(...)`.
pub(crate) const PRETTY: &str = "pretty";

/// Where the generated code finds the `result-serializers` crate.
pub(crate) const CRATE: &str = "crate";

/// The kinds, as error messages list them.
pub(crate) const KINDS: &[&str] = &[JSON, BINARY, DATETIME, WITH];

/// The options of `json(...)`, as error messages list them.
pub(crate) const JSON_OPTIONS: &[&str] = &[PRETTY];
