//! The Rust types of the Prefect 3 vectors' values, shared by the suite and the store tests.

use result_serializers::prefect3::ToPython;
use serde::{Deserialize, Serialize};

/// The `record` value: a `dict` of plain fields.
#[derive(Debug, PartialEq, Deserialize, Serialize, ToPython)]
pub(crate) struct Record {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) price: f64,
    pub(crate) tags: Vec<String>,
    pub(crate) active: bool,
}
