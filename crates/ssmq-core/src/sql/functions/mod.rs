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
use arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::expr_rewriter::FunctionRewrite;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;

use self::datetime::OnError;

/// Registers the Trino functions and rules on `ctx`.
pub fn register(ctx: &mut SessionContext) {
    let functions = datetime::functions()
        .into_iter()
        .chain(text::functions())
        .chain(arrays::functions())
        .chain([udf(try_fn::Try)]);
    for function in functions {
        SessionContext::register_udf(ctx, ScalarUDF::new_from_shared_impl(function));
    }
    for rewrite in [
        Arc::new(try_fn::TryRewrite) as Arc<dyn FunctionRewrite + Send + Sync>,
        Arc::new(comparisons::TextAsTemporal),
    ] {
        ctx.register_function_rewrite(rewrite)
            .expect("a session context accepts function rewrites");
    }
}

/// A Trino function: its name, how it coerces its arguments, its result type and what it gives
/// for a batch of rows. [`TrinoUdf`] makes it a DataFusion scalar function.
pub trait TrinoFunction:
    std::fmt::Debug + PartialEq + Eq + std::hash::Hash + Send + Sync + 'static
{
    /// The function's name in SQL.
    const NAME: &str;

    /// Which arguments it takes: by default whatever [`Self::coerce_types`] accepts.
    fn signature() -> Signature {
        Signature::user_defined(Volatility::Immutable)
    }

    /// The types the arguments are cast to, or a planning error naming what it takes.
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>>;

    /// The type of its result for arguments of `types` (after coercion).
    fn return_type(&self, types: &[DataType]) -> Result<DataType>;

    /// Its result for a batch of rows.
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue>;
}

/// A [`TrinoFunction`] as DataFusion's scalar function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TrinoUdf<F> {
    function: F,
    signature: Signature,
}

impl<F: TrinoFunction> ScalarUDFImpl for TrinoUdf<F> {
    fn name(&self) -> &str {
        F::NAME
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        self.function.coerce_types(types)
    }
    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        self.function.return_type(types)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.function.invoke(args)
    }
}

/// `function` as DataFusion's scalar function, for registration.
pub(crate) fn udf<F: TrinoFunction>(function: F) -> Arc<dyn ScalarUDFImpl> {
    Arc::new(TrinoUdf {
        function,
        signature: F::signature(),
    })
}

/// The variant of a function that gives NULL where it would fail, if it has one (for `try`).
pub(crate) fn lenient(function: &ScalarUDF) -> Option<ScalarUDF> {
    let any: &dyn std::any::Any = function.inner().as_ref();
    let lenient = OnError::Null;
    let lenient = if any.is::<TrinoUdf<datetime::FromIso8601Timestamp>>() {
        udf(datetime::FromIso8601Timestamp { on_error: lenient })
    } else if any.is::<TrinoUdf<datetime::FromIso8601Date>>() {
        udf(datetime::FromIso8601Date { on_error: lenient })
    } else if any.is::<TrinoUdf<datetime::DateParse>>() {
        udf(datetime::DateParse { on_error: lenient })
    } else if any.is::<TrinoUdf<datetime::ParseDatetime>>() {
        udf(datetime::ParseDatetime { on_error: lenient })
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
