//! `try(expr)`: Trino's way of turning an error into NULL.
//!
//! A function's arguments are evaluated before it runs, so `try` cannot catch anything at run
//! time. Instead [`TryRewrite`] rewrites its argument while the plan is analysed, before types
//! are coerced and before anything runs: casts become `TRY_CAST`, parsing functions
//! (`date_parse`, `from_iso8601_*`, …) take their NULL-on-error variant, and a division or
//! remainder by zero gives NULL. Errors of other kinds still fail the query; that difference
//! from Trino is documented.

use super::{TrinoFunction, TrinoUdf};
use arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result, ScalarValue, plan_err};
use datafusion::logical_expr::expr::{ScalarFunction, TryCast};
use datafusion::logical_expr::expr_rewriter::FunctionRewrite;
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, Operator, ScalarFunctionArgs, Signature, Volatility, lit,
};

/// The `try` function.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Try;

impl TrinoFunction for Try {
    const NAME: &str = "try";
    fn signature() -> Signature {
        Signature::any(1, Volatility::Immutable)
    }
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(types.to_vec())
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [t] => Ok(t.clone()),
            _ => plan_err!("try takes one argument"),
        }
    }
    fn invoke(&self, mut args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        // Reached only if the rewrite did not run: the argument evaluated without failing.
        Ok(args.args.remove(0))
    }
}

/// Replaces `try(x)` by `x` made lenient.
#[derive(Debug)]
pub struct TryRewrite;

impl FunctionRewrite for TryRewrite {
    fn name(&self) -> &str {
        "trino_try"
    }

    fn rewrite(
        &self,
        expr: Expr,
        _schema: &DFSchema,
        _config: &ConfigOptions,
    ) -> Result<Transformed<Expr>> {
        match expr {
            Expr::ScalarFunction(mut f) if is_try(&f) => {
                Ok(Transformed::yes(make_lenient(f.args.remove(0))?))
            }
            other => Ok(Transformed::no(other)),
        }
    }
}

fn is_try(f: &ScalarFunction) -> bool {
    let any: &dyn std::any::Any = f.func.inner().as_ref();
    any.is::<TrinoUdf<Try>>() && f.args.len() == 1
}

/// `expr` with every cast, parsing function and division made to give NULL instead of failing.
pub fn make_lenient(expr: Expr) -> Result<Expr> {
    expr.transform_up(|e| {
        Ok(match e {
            Expr::Cast(cast) => Transformed::yes(Expr::TryCast(TryCast::new(
                cast.expr,
                cast.field.data_type().clone(),
            ))),
            Expr::ScalarFunction(f) => match super::lenient(&f.func) {
                Some(lenient) => Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(
                    std::sync::Arc::new(lenient),
                    f.args,
                ))),
                None => Transformed::no(Expr::ScalarFunction(f)),
            },
            Expr::BinaryExpr(b) if matches!(b.op, Operator::Divide | Operator::Modulo) => {
                // x / y  ->  x / NULLIF(y, 0): a zero divisor gives NULL.
                let divisor = Expr::Case(datafusion::logical_expr::Case::new(
                    None,
                    vec![(
                        Box::new((*b.right).clone().eq(lit(0))),
                        Box::new(Expr::Literal(ScalarValue::Null, None)),
                    )],
                    Some(b.right.clone()),
                ));
                Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                    b.left,
                    b.op,
                    Box::new(divisor),
                )))
            }
            other => Transformed::no(other),
        })
    })
    .map(|t| t.data)
}
