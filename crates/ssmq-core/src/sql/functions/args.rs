//! How the Trino functions take their arguments: one rule for what counts as text, and the
//! coercion of a text argument, for every function here.

use arrow::datatypes::DataType;
use datafusion::common::{Result, plan_err};

/// Whether values of `t` are text. An untyped `NULL` is not: callers that take one say so.
pub(super) fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// A text argument (or an untyped `NULL`) is read as `Utf8`; anything else is an error.
pub(super) fn text_arg(t: &DataType) -> Result<DataType> {
    if is_text(t) || t.is_null() {
        Ok(DataType::Utf8)
    } else {
        plan_err!("expected text, got {t}")
    }
}
