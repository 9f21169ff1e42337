//! Column selections, shared by the readers that take `columns`.

use std::sync::Arc;

use polars::prelude::{ArrowSchema, PlSmallStr};

use crate::error::ErrorKind;

/// Column names as polars takes them.
pub(super) fn names(columns: &[String]) -> Arc<[PlSmallStr]> {
    columns
        .iter()
        .map(|name| PlSmallStr::from(name.as_str()))
        .collect()
}

/// A column the file lacks is an error, not a column left out.
pub(super) fn check(schema: &ArrowSchema, columns: &[String]) -> Result<(), ErrorKind> {
    match columns.iter().find(|name| !schema.contains(name.as_str())) {
        Some(name) => Err(ErrorKind::invalid_option(format!(
            "the file has no column `{name}`"
        ))),
        None => Ok(()),
    }
}
