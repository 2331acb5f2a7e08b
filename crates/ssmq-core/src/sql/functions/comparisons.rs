//! Comparing text with dates and timestamps, as saved Athena queries do by mistake:
//! `capturetime > TIMESTAMP '2026-10-01 00:00:00'`, `installedtime >= DATE '2026-01-01'`.
//!
//! Athena refuses these (the column is a string). ssmq answers them by reading the text as a
//! date or timestamp, as `TRY_CAST` would: ISO 8601 text compares as the moment it names, and
//! text that is not a moment (the empty `InstalledTime` of a missing patch) compares as NULL, so
//! the row is not selected rather than the query failing. The rewrite happens before types are
//! coerced, so only comparisons of text with temporal values change.

use arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::{Between, InList, TryCast};
use datafusion::logical_expr::expr_rewriter::FunctionRewrite;
use datafusion::logical_expr::{BinaryExpr, Expr, ExprSchemable, Operator};

use super::args::is_text;

/// The rewrite.
#[derive(Debug)]
pub struct TextAsTemporal;

fn is_temporal(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..)
    )
}

/// `expr` read as `target` when it is text and `target` a date or timestamp type.
fn as_temporal(expr: Box<Expr>, target: &DataType, schema: &DFSchema) -> (Box<Expr>, bool) {
    match expr.get_type(schema) {
        Ok(t) if is_text(&t) && is_temporal(target) => (
            Box::new(Expr::TryCast(TryCast::new(expr, target.clone()))),
            true,
        ),
        _ => (expr, false),
    }
}

impl FunctionRewrite for TextAsTemporal {
    fn name(&self) -> &str {
        "text_as_temporal"
    }

    fn rewrite(
        &self,
        expr: Expr,
        schema: &DFSchema,
        _config: &ConfigOptions,
    ) -> Result<Transformed<Expr>> {
        let type_of = |e: &Expr| e.get_type(schema).ok();
        Ok(match expr {
            Expr::BinaryExpr(BinaryExpr { left, op, right })
                if matches!(
                    op,
                    Operator::Eq
                        | Operator::NotEq
                        | Operator::Lt
                        | Operator::LtEq
                        | Operator::Gt
                        | Operator::GtEq
                        | Operator::IsDistinctFrom
                        | Operator::IsNotDistinctFrom
                ) =>
            {
                let (left_type, right_type) = (type_of(&left), type_of(&right));
                let (left, l) = match &right_type {
                    Some(t) => as_temporal(left, t, schema),
                    None => (left, false),
                };
                let (right, r) = match &left_type {
                    Some(t) => as_temporal(right, t, schema),
                    None => (right, false),
                };
                let expr = Expr::BinaryExpr(BinaryExpr { left, op, right });
                if l || r {
                    Transformed::yes(expr)
                } else {
                    Transformed::no(expr)
                }
            }
            Expr::Between(Between {
                expr,
                negated,
                low,
                high,
            }) => {
                let (expr, changed) = match type_of(&low) {
                    Some(t) => as_temporal(expr, &t, schema),
                    None => (expr, false),
                };
                let between = Expr::Between(Between {
                    expr,
                    negated,
                    low,
                    high,
                });
                if changed {
                    Transformed::yes(between)
                } else {
                    Transformed::no(between)
                }
            }
            Expr::InList(InList {
                expr,
                list,
                negated,
            }) => {
                let target = list.iter().find_map(|e| type_of(e).filter(is_temporal));
                let (expr, changed) = match target {
                    Some(t) => as_temporal(expr, &t, schema),
                    None => (expr, false),
                };
                let in_list = Expr::InList(InList {
                    expr,
                    list,
                    negated,
                });
                if changed {
                    Transformed::yes(in_list)
                } else {
                    Transformed::no(in_list)
                }
            }
            other => Transformed::no(other),
        })
    }
}
