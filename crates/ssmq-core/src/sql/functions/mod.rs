//! Functions Athena (Trino) queries use, with Trino's semantics, added to DataFusion's.
//!
//! In: a session context. Out: the same context with these functions registered (replacing
//! DataFusion's where the name is shared and the meaning differs), `try(...)`, and the rule
//! that lets ISO-8601 text be compared with `DATE`/`TIMESTAMP` values.
//!
//! | function | notes |
//! | --- | --- |
//! | `from_iso8601_timestamp`, `from_iso8601_date`, `to_iso8601` | results in UTC |
//! | `date_parse`, `date_format` | MySQL format specifiers (`%Y-%m-%d %H:%i:%s`) |
//! | `parse_datetime`, `format_datetime` | Joda-Time patterns (`yyyy-MM-dd HH:mm`) |
//! | `date_add(unit, n, x)`, `date_diff(unit, a, b)` | millisecond … year; months clamp |
//! | `try(expr)` | casts, parsing functions and division give NULL instead of failing |
//! | `regexp_extract`, `regexp_replace` | every match; `$1` refers to a group |
//! | `split_part`, `split` | NULL past the last field; `split` gives an array |
//! | `json_extract_scalar` | JSONPath `$.a.b[0]`, `$["key"]` |
//! | `element_at`, `contains` | arrays: from 1, negative from the end, NULL out of range |
//!
//! Also from DataFusion, with Trino's meaning: `current_date`, `now`, `regexp_like`, `strpos`,
//! `cardinality`, `array_join`, `approx_distinct`; and through [`crate::sql::dialect`]: `count_if`,
//! `arbitrary`, `LISTAGG … WITHIN GROUP`.

mod args;
pub mod arrays;
pub mod comparisons;
pub mod datetime;
pub mod text;
pub mod try_fn;

use std::sync::Arc;

use arrow::array::ArrayRef;
use datafusion::common::{Result, ScalarValue};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::expr_rewriter::FunctionRewrite;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl};
use datafusion::prelude::SessionContext;

use self::datetime::OnError;

/// Registers the Trino functions and rules on `ctx`.
pub fn register(ctx: &mut SessionContext) {
    let functions = datetime::functions()
        .into_iter()
        .chain(text::functions())
        .chain(arrays::functions());
    for function in functions {
        SessionContext::register_udf(ctx, ScalarUDF::new_from_shared_impl(function));
    }
    SessionContext::register_udf(ctx, ScalarUDF::new_from_impl(try_fn::Try::new()));
    for rewrite in [
        Arc::new(try_fn::TryRewrite) as Arc<dyn FunctionRewrite + Send + Sync>,
        Arc::new(comparisons::TextAsTemporal),
    ] {
        ctx.register_function_rewrite(rewrite)
            .expect("a session context accepts function rewrites");
    }
}

/// The variant of a function that gives NULL where it would fail, if it has one (for `try`).
pub(crate) fn lenient(function: &ScalarUDF) -> Option<ScalarUDF> {
    let any: &dyn std::any::Any = function.inner().as_ref();
    let lenient: Arc<dyn ScalarUDFImpl> = if any.is::<datetime::FromIso8601Timestamp>() {
        Arc::new(datetime::FromIso8601Timestamp::new(OnError::Null))
    } else if any.is::<datetime::FromIso8601Date>() {
        Arc::new(datetime::FromIso8601Date::new(OnError::Null))
    } else if any.is::<datetime::DateParse>() {
        Arc::new(datetime::DateParse::new(OnError::Null))
    } else if any.is::<datetime::ParseDatetime>() {
        Arc::new(datetime::ParseDatetime::new(OnError::Null))
    } else {
        return None;
    };
    Some(ScalarUDF::new_from_shared_impl(lenient))
}

/// A function's arguments as arrays of the batch's length (scalars repeated).
pub(crate) fn argument_arrays(args: &ScalarFunctionArgs) -> Result<Vec<ArrayRef>> {
    args.args
        .iter()
        .map(|a| a.to_array(args.number_rows))
        .collect()
}

/// A function's result: a scalar when every argument was one, else the array.
pub(crate) fn scalar_or_array(array: ArrayRef, args: &ScalarFunctionArgs) -> Result<ColumnarValue> {
    if args
        .args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)))
    {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &array, 0,
        )?))
    } else {
        Ok(ColumnarValue::Array(array))
    }
}
