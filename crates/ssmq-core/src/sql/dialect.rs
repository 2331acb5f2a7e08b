//! Athena's dialect, as far as SQL text goes: what makes saved Athena (Trino) queries parse
//! and resolve unchanged before DataFusion plans them.
//!
//! In: SQL text as an analyst saved it, then its parsed statements. Out: what DataFusion reads
//! the way Athena does:
//! - [`fold_quoted_identifiers`]: identifiers are case-insensitive even when quoted (Trino
//!   folds `"InstanceStatus"` and `app."Name"` to lowercase, like unquoted ones). Works on
//!   tokens, so whitespace, comments and literals come out exactly as they went in.
//! - [`rewrite_time_travel`]: Athena's `FOR TIMESTAMP AS OF` / `FOR VERSION AS OF` after a
//!   table become a table name carrying the moment, which the cache serves from its history.
//! - [`rewrite_functions`]: Athena's spellings of aggregates DataFusion has under other names:
//!   `LISTAGG(x, sep) WITHIN GROUP (ORDER BY y)` is `string_agg(x, sep ORDER BY y)`,
//!   `count_if(c)` is `count(CASE WHEN c THEN 1 END)`, `arbitrary(x)` is `any_value(x)`,
//!   `if(c, a[, b])` is `CASE WHEN c THEN a [ELSE b] END`, `date(x)` is `CAST(x AS DATE)`,
//!   `max_by(x, y)` / `min_by(x, y)` are `first_value(x ORDER BY y DESC|ASC NULLS LAST)`.
//! - [`name_result_columns`]: result columns named as Athena names them: an expression
//!   without an alias is `_col0`, `_col1`, … by its position, and a name written twice
//!   (`SELECT app.name, tag.value AS "Name"`, `SELECT 1 AS a, 2 AS a`) keeps both columns,
//!   the later ones planned as `name_1`, `name_2` (DuckDB's way: JSON and Parquet need unique
//!   names) and shown under the name as written where names may repeat (table, line, CSV).

use std::collections::HashSet;
use std::ops::{ControlFlow, Range, RangeInclusive};

use chrono::{NaiveDateTime, SecondsFormat};

use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments, Ident,
    ObjectName, OrderBy, OrderByKind, Query, Select, SelectItem, SetExpr, Value, VisitMut,
    VisitorMut,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};

use crate::cache::history::AsOf;
use crate::error::{Error, Result};

/// The tokens of `sql` that are not whitespace, each with the bytes of `sql` it spans.
fn located_tokens(sql: &str) -> Result<Vec<(Token, Range<usize>)>> {
    let tokens = Tokenizer::new(&GenericDialect {}, sql)
        .tokenize_with_location()
        .map_err(|e| Error::SqlSyntax {
            source: Box::new(e),
        })?;
    // Byte offset of each line's start, to turn (line, column) locations into offsets.
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: u64, column: u64| -> usize {
        let start = line_starts[(line as usize).saturating_sub(1).min(line_starts.len() - 1)];
        sql[start..]
            .char_indices()
            .nth((column as usize).saturating_sub(1))
            .map_or(sql.len(), |(i, _)| start + i)
    };
    Ok(tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map(|t| {
            let from = offset(t.span.start.line, t.span.start.column);
            let to = offset(t.span.end.line, t.span.end.column);
            (t.token, from..to)
        })
        .collect())
}

/// Lowercases every quoted identifier (`"Name"`, `` `Name` ``) in `sql`, touching nothing else.
pub fn fold_quoted_identifiers(sql: &str) -> Result<String> {
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    for (token, span) in located_tokens(sql)? {
        if let Token::Word(word) = &token
            && word.quote_style.is_some()
        {
            out.push_str(&sql[copied..span.start]);
            out.push_str(&sql[span.clone()].to_lowercase());
            copied = span.end;
        }
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

/// Joins a table's name to the moment a time-travel clause asks for (`aws_tag@snapshot:12`);
/// the cached tables serve such a name as the table stood then.
pub const MOMENT_MARK: char = '@';

/// What a time-travel clause that is not Athena's is told.
const ATHENA_TIME_TRAVEL: &str = "is not Athena's time travel: write FOR TIMESTAMP AS OF \
     TIMESTAMP '2026-10-31 23:59:59' (UTC) or FOR VERSION AS OF <snapshot>";

/// Athena's time travel per table, `FROM t FOR TIMESTAMP AS OF TIMESTAMP '2026-10-31
/// 23:59:59'` (UTC, as Athena's default session zone) and `FROM t FOR VERSION AS OF 12` (a
/// snapshot), rewritten into a quoted table name carrying the moment, aliased as the table
/// unless the query gives an alias: `"t@2026-10-31T23:59:59Z" AS t`. Every other spelling
/// of time travel (`FOR SYSTEM_TIME AS OF`, `TIMESTAMP AS OF` or `VERSION AS OF` without
/// `FOR`, `AT(…)`, `BEFORE(…)`) is an error, never silently the lake as it is now.
pub fn rewrite_time_travel(sql: &str) -> Result<String> {
    let tokens = located_tokens(sql)?;
    let word = |i: usize, keyword: &str| {
        matches!(tokens.get(i), Some((Token::Word(w), _))
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(keyword))
    };
    let refuse = |from: usize, to: usize| {
        Err(Error::TimeTravel {
            clause: sql[tokens[from].1.start..tokens[to.min(tokens.len() - 1)].1.end].to_owned(),
            problem: ATHENA_TIME_TRAVEL.to_owned(),
        })
    };
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut i = 0;
    while i < tokens.len() {
        let as_of_at = |at: usize| word(at, "AS") && word(at + 1, "OF");
        let athena = word(i, "FOR") && (word(i + 1, "TIMESTAMP") || word(i + 1, "VERSION"));
        if athena && as_of_at(i + 2) && i > 0 {
            let Some((Token::Word(table), name)) = tokens.get(i - 1) else {
                return refuse(i, i + 3);
            };
            let (moment, end) = moment_of(sql, &tokens, i + 4, word(i + 1, "VERSION"))?;
            let aliased = match tokens.get(end + 1) {
                Some((Token::Word(next), _)) => {
                    next.quote_style.is_some()
                        || next.keyword == Keyword::NoKeyword
                        || next.keyword == Keyword::AS
                }
                _ => false,
            };
            out.push_str(&sql[copied..name.start]);
            out.push_str(&format!("\"{}{MOMENT_MARK}{moment}\"", table.value));
            if !aliased {
                out.push_str(&format!(" AS \"{}\"", table.value));
            }
            copied = tokens[end].1.end;
            i = end + 1;
            continue;
        }
        let other_clause = (word(i, "FOR") && word(i + 1, "SYSTEM_TIME") && as_of_at(i + 2))
            || ((word(i, "TIMESTAMP") || word(i, "VERSION")) && as_of_at(i + 1))
            || ((word(i, "AT") || word(i, "BEFORE"))
                && matches!(tokens.get(i + 1), Some((Token::LParen, _)))
                && matches!(tokens.get(i.wrapping_sub(1)), Some((Token::Word(_), _))));
        if other_clause {
            return refuse(i, i + 3);
        }
        i += 1;
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

/// The moment a time-travel clause names with the literal at token `at`: a snapshot number
/// for `FOR VERSION AS OF`, else `TIMESTAMP '…'`, `DATE '…'` or `'…'` (`2026-10-31 23:59:59`
/// in UTC, an RFC 3339 time, or a date meaning its end). Returns it as [`AsOf`] text, and the
/// index of the literal's last token.
fn moment_of(
    sql: &str,
    tokens: &[(Token, Range<usize>)],
    at: usize,
    version: bool,
) -> Result<(String, usize)> {
    let wrong = |problem: &str| {
        let end = tokens.get(at).map_or(sql.len(), |(_, span)| span.end);
        let start = tokens[at - 4].1.start;
        Error::TimeTravel {
            clause: sql[start..end].to_owned(),
            problem: problem.to_owned(),
        }
    };
    if version {
        return match tokens.get(at) {
            Some((Token::Number(n, _), _)) if n.parse::<u64>().is_ok() => {
                Ok((format!("snapshot:{n}"), at))
            }
            _ => Err(wrong("takes a snapshot number (`ssmq history` lists them)")),
        };
    }
    let (text, end) = match (tokens.get(at), tokens.get(at + 1)) {
        (Some((Token::Word(w), _)), Some((Token::SingleQuotedString(text), _)))
            if w.keyword == Keyword::TIMESTAMP || w.keyword == Keyword::DATE =>
        {
            (text, at + 1)
        }
        (Some((Token::SingleQuotedString(text), _)), _) => (text, at),
        _ => return Err(wrong("takes a literal: TIMESTAMP '2026-10-31 23:59:59'")),
    };
    let as_of = match NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f") {
        Ok(time) => AsOf::Time(time.and_utc()),
        Err(_) => text
            .parse::<AsOf>()
            .ok()
            .filter(|a| matches!(a, AsOf::Time(_)))
            .ok_or_else(|| wrong("is not a time: write TIMESTAMP '2026-10-31 23:59:59' (UTC)"))?,
    };
    let AsOf::Time(time) = as_of else {
        unreachable!("only times are kept")
    };
    Ok((time.to_rfc3339_opts(SecondsFormat::AutoSi, true), end))
}

/// Rewrites Athena's aggregate spellings in `statement` into DataFusion's.
pub fn rewrite_functions(statement: &mut DfStatement) -> Result<()> {
    match statement {
        DfStatement::Statement(s) => {
            let mut rewriter = FunctionRewriter { error: None };
            let _ = s.visit(&mut rewriter);
            rewriter.error.map_or(Ok(()), Err)
        }
        DfStatement::Explain(explain) => rewrite_functions(&mut explain.statement),
        _ => Ok(()),
    }
}

struct FunctionRewriter {
    error: Option<Error>,
}

impl VisitorMut for FunctionRewriter {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        let Expr::Function(function) = expr else {
            return ControlFlow::Continue(());
        };
        let Some(name) = function
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(|i| i.value.to_lowercase())
        else {
            return ControlFlow::Continue(());
        };
        match name.as_str() {
            "listagg" => {
                function.name = ObjectName::from(vec![Ident::new("string_agg")]);
                if let FunctionArguments::List(list) = &mut function.args {
                    if list.args.len() == 1 {
                        // Trino's separator defaults to the empty string.
                        let empty = Expr::value(Value::SingleQuotedString(String::new()));
                        list.args
                            .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(empty)));
                    }
                    if !function.within_group.is_empty() {
                        let order = std::mem::take(&mut function.within_group);
                        list.clauses.push(FunctionArgumentClause::OrderBy(order));
                    }
                }
            }
            "arbitrary" => function.name = ObjectName::from(vec![Ident::new("any_value")]),
            name => {
                let Some((arity, template)) = athena_template(name) else {
                    return ControlFlow::Continue(());
                };
                let args: Vec<String> = match &function.args {
                    FunctionArguments::List(list)
                        if arity.contains(&list.args.len()) && list.clauses.is_empty() =>
                    {
                        list.args.iter().map(ToString::to_string).collect()
                    }
                    _ => {
                        self.error = Some(Error::FunctionArity {
                            function: name.to_owned(),
                            arity: if arity.start() == arity.end() {
                                arity.start().to_string()
                            } else {
                                format!("{} or {}", arity.start(), arity.end())
                            },
                        });
                        return ControlFlow::Break(());
                    }
                };
                match parse_expr(&template(&args)) {
                    Ok(Expr::Function(mut replacement)) => {
                        replacement.filter = function.filter.take();
                        replacement.over = function.over.take();
                        *expr = Expr::Function(replacement);
                    }
                    Ok(replacement) => *expr = replacement,
                    Err(e) => {
                        self.error = Some(e);
                        return ControlFlow::Break(());
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// Builds an expression's SQL from a call's arguments' SQL.
type Template = fn(&[String]) -> String;

/// A result column planned under a unique name, and the name it was written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenName {
    /// The name the plan gives it (`name_1`).
    pub unique: String,
    /// The name the query gives it (`name`).
    pub written: String,
}

/// Names the result columns of every query in `statement` as Athena does (see the module
/// doc), and returns the statement's own result columns that were renamed to be unique.
///
/// Positions count from the start of a select list; after a `*` they cannot be known
/// without the tables, so expressions there keep DataFusion's names.
pub fn name_result_columns(statement: &mut DfStatement) -> Vec<WrittenName> {
    match statement {
        DfStatement::Statement(s) => {
            let mut namer = ResultNamer::default();
            let _ = s.visit(&mut namer);
            namer.outermost
        }
        DfStatement::Explain(explain) => {
            name_result_columns(&mut explain.statement);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Names each query's columns once it has been visited; queries are visited inner first,
/// so the last one named is the statement's own.
#[derive(Default)]
struct ResultNamer {
    outermost: Vec<WrittenName>,
}

impl VisitorMut for ResultNamer {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let named = match query.body.as_mut() {
            SetExpr::Select(select) => {
                let named = name_select(select);
                order_by_names(query, &named.expressions);
                Some(named.renamed)
            }
            body => name_set_expr(body),
        };
        if let Some(renamed) = named {
            self.outermost = renamed;
        }
        ControlFlow::Continue(())
    }
}

/// An `ORDER BY` of an expression the select list names (`SELECT DISTINCT upper(key) …
/// ORDER BY upper(key)`) orders by that column: once the item has an alias, DataFusion no
/// longer matches the two.
fn order_by_names(query: &mut Query, named: &[(Expr, String)]) {
    let Some(OrderBy {
        kind: OrderByKind::Expressions(order),
        ..
    }) = query.order_by.as_mut()
    else {
        return;
    };
    for item in order {
        if let Some((_, name)) = named.iter().find(|(expr, _)| *expr == item.expr) {
            item.expr = Expr::Identifier(Ident::with_quote('"', name.as_str()));
        }
    }
}

/// The columns of a query body; `None` for a parenthesised query, named on its own visit.
fn name_set_expr(body: &mut SetExpr) -> Option<Vec<WrittenName>> {
    match body {
        SetExpr::Select(select) => Some(name_select(select).renamed),
        // The left side names the columns of a UNION, INTERSECT or EXCEPT.
        SetExpr::SetOperation { left, right, .. } => {
            let renamed = name_set_expr(left);
            name_set_expr(right);
            renamed
        }
        SetExpr::Query(_) => None,
        _ => Some(Vec::new()),
    }
}

/// What naming a select list did.
struct NamedSelect {
    /// Columns renamed to be unique, with their written names.
    renamed: Vec<WrittenName>,
    /// Expressions given a name (`_col0`, `name_1`), with that name.
    expressions: Vec<(Expr, String)>,
}

fn name_select(select: &mut Select) -> NamedSelect {
    // The name each item is written with (`None`: an expression without one), up to a `*`.
    let mut wildcard_before = false;
    let written: Vec<Option<String>> = select
        .projection
        .iter()
        .enumerate()
        .map(|(position, item)| match item {
            SelectItem::UnnamedExpr(Expr::Identifier(ident)) => Some(ident.value.to_lowercase()),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
                parts.last().map(|ident| ident.value.to_lowercase())
            }
            SelectItem::UnnamedExpr(_) if wildcard_before => None,
            SelectItem::UnnamedExpr(_) => Some(format!("_col{position}")),
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.to_lowercase()),
            SelectItem::ExprWithAliases { .. } => None,
            SelectItem::QualifiedWildcard(..) | SelectItem::Wildcard(..) => {
                wildcard_before = true;
                None
            }
        })
        .collect();
    let taken: HashSet<&str> = written.iter().flatten().map(String::as_str).collect();
    let mut used: HashSet<String> = HashSet::new();
    let mut renamed = Vec::new();
    let mut expressions = Vec::new();
    for (item, name) in select.projection.iter_mut().zip(&written) {
        let Some(name) = name else { continue };
        let unique = used.contains(name).then(|| {
            (1..)
                .map(|n| format!("{name}_{n}"))
                .find(|n| !taken.contains(n.as_str()) && !used.contains(n))
                .expect("some suffix is free")
        });
        let column_reference = matches!(
            item,
            SelectItem::UnnamedExpr(Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        );
        // An item needs an alias if it is renamed to be unique or has no name of its own.
        let needs_alias = unique.is_some() || !column_reference;
        let planned = match unique {
            Some(unique) => {
                renamed.push(WrittenName {
                    unique: unique.clone(),
                    written: name.clone(),
                });
                unique
            }
            None => name.clone(),
        };
        if needs_alias {
            if let SelectItem::UnnamedExpr(expr) = item {
                expressions.push((expr.clone(), planned.clone()));
            }
            set_alias(item, &planned);
        }
        used.insert(planned);
    }
    NamedSelect {
        renamed,
        expressions,
    }
}

/// Gives a select item the alias `name` (quoted: it is already as Athena folds it).
fn set_alias(item: &mut SelectItem, name: &str) {
    let alias = Ident::with_quote('"', name);
    match item {
        SelectItem::UnnamedExpr(expr) => {
            *item = SelectItem::ExprWithAlias {
                expr: expr.clone(),
                alias,
            }
        }
        SelectItem::ExprWithAlias { alias: given, .. } => *given = alias,
        _ => {}
    }
}

/// Athena functions DataFusion spells differently: how many arguments each takes, and the
/// DataFusion expression it stands for, given its arguments' SQL text.
fn athena_template(name: &str) -> Option<(RangeInclusive<usize>, Template)> {
    Some(match name {
        "count_if" => (1..=1, |a| format!("count(CASE WHEN {} THEN 1 END)", a[0])),
        "if" => (2..=3, |a| match a {
            [c, then] => format!("CASE WHEN {c} THEN {then} END"),
            [c, then, otherwise, ..] => format!("CASE WHEN {c} THEN {then} ELSE {otherwise} END"),
            _ => unreachable!("arity checked"),
        }),
        "date" => (1..=1, |a| format!("CAST({} AS DATE)", a[0])),
        "max_by" => (2..=2, |a| {
            format!("first_value({} ORDER BY {} DESC NULLS LAST)", a[0], a[1])
        }),
        "min_by" => (2..=2, |a| {
            format!("first_value({} ORDER BY {} ASC NULLS LAST)", a[0], a[1])
        }),
        _ => return None,
    })
}

fn parse_expr(sql: &str) -> Result<Expr> {
    Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| Error::SqlSyntax {
            source: Box::new(e),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_identifiers_fold_to_lowercase() {
        let cases = [
            (
                r#"SELECT "InstanceStatus" FROM aws_instanceinformation"#,
                r#"SELECT "instancestatus" FROM aws_instanceinformation"#,
            ),
            (
                r#"SELECT app."Name" FROM "AWS_Application" app"#,
                r#"SELECT app."name" FROM "aws_application" app"#,
            ),
            (
                r#"SELECT * FROM "ssm_global_resource_sync"."AWS:Tag""#,
                r#"SELECT * FROM "ssm_global_resource_sync"."aws:tag""#,
            ),
            ("SELECT `Key` FROM aws_tag", "SELECT `key` FROM aws_tag"),
        ];
        for (sql, folded) in cases {
            assert_eq!(fold_quoted_identifiers(sql).unwrap(), folded, "{sql}");
        }
    }

    fn rewritten(sql: &str) -> String {
        let mut statement = crate::sql::parse_one(sql);
        rewrite_functions(&mut statement).unwrap();
        statement.to_string()
    }

    /// `sql` with its result columns named, and the renamed ones as `unique=written`.
    fn named(sql: &str) -> (String, Vec<String>) {
        let mut statement = crate::sql::parse_one(sql);
        let renamed = name_result_columns(&mut statement)
            .into_iter()
            .map(|r| format!("{}={}", r.unique, r.written))
            .collect();
        (statement.to_string(), renamed)
    }

    #[test]
    fn result_columns_are_named_as_athena_names_them() {
        let none: Vec<String> = Vec::new();
        // Expressions are named by position; columns and aliases keep their names.
        assert_eq!(
            named("SELECT 1, a, t.b, length(c) AS n, upper(d) FROM t"),
            (
                r#"SELECT 1 AS "_col0", a, t.b, length(c) AS "n", upper(d) AS "_col4" FROM t"#
                    .to_owned(),
                none.clone()
            )
        );
        // A name written twice keeps both columns; the second is planned as name_1.
        assert_eq!(
            named(r#"SELECT app.name, tag.value AS "Name", x AS name_1 FROM app, tag"#),
            (
                r#"SELECT app.name, tag.value AS "name_2", x AS "name_1" FROM app, tag"#.to_owned(),
                vec!["name_2=name".to_owned()]
            )
        );
        assert_eq!(
            named("SELECT 1 AS a, 2 AS a, 3 AS a").1,
            vec!["a_1=a".to_owned(), "a_2=a".to_owned()]
        );
        // Subqueries and both sides of a UNION are named too; the result's names come from
        // the outermost query, whose left side names a UNION.
        assert_eq!(
            named("SELECT x, x FROM (SELECT count(*) AS x FROM t) UNION ALL SELECT 1, 2"),
            (
                r#"SELECT x, x AS "x_1" FROM (SELECT count(*) AS "x" FROM t) UNION ALL SELECT 1 AS "_col0", 2 AS "_col1""#
                    .to_owned(),
                vec!["x_1=x".to_owned()]
            )
        );
        // After a `*` a position is unknown: the expression keeps DataFusion's name.
        assert_eq!(
            named("SELECT *, length(a) FROM t").0,
            "SELECT *, length(a) FROM t"
        );
        // ORDER BY the expression a select item names orders by that column.
        assert_eq!(
            named("SELECT DISTINCT upper(k) FROM t ORDER BY upper(k), k").0,
            r#"SELECT DISTINCT upper(k) AS "_col0" FROM t ORDER BY "_col0", k"#
        );
        // EXPLAIN's own columns are its own.
        assert_eq!(named("EXPLAIN SELECT 1 AS a, 2 AS a").1, none);
    }

    #[test]
    fn athena_aggregates_become_datafusion_ones() {
        let cases = [
            (
                "SELECT LISTAGG(id, ', ') WITHIN GROUP (ORDER BY id DESC) FROM t",
                "SELECT string_agg(id, ', ' ORDER BY id DESC) FROM t",
            ),
            (
                "SELECT listagg(id) FROM t",
                "SELECT string_agg(id, '') FROM t",
            ),
            (
                "SELECT count_if(status = 'NON_COMPLIANT') FILTER (WHERE x > 1) FROM t",
                "SELECT count(CASE WHEN status = 'NON_COMPLIANT' THEN 1 END) FILTER (WHERE x > 1) FROM t",
            ),
            (
                "SELECT arbitrary(name) FROM t GROUP BY 1",
                "SELECT any_value(name) FROM t GROUP BY 1",
            ),
            (
                "SELECT (SELECT count_if(a) FROM u) FROM t WHERE x IN (SELECT arbitrary(y) FROM v)",
                "SELECT (SELECT count(CASE WHEN a THEN 1 END) FROM u) FROM t WHERE x IN (SELECT any_value(y) FROM v)",
            ),
            (
                "SELECT if(a > 1, 'big', 'small'), if(b, 1) FROM t",
                "SELECT CASE WHEN a > 1 THEN 'big' ELSE 'small' END, CASE WHEN b THEN 1 END FROM t",
            ),
            (
                "SELECT date(from_iso8601_timestamp(x)) FROM t",
                "SELECT CAST(from_iso8601_timestamp(x) AS DATE) FROM t",
            ),
            (
                "SELECT max_by(v, t), min_by(v, t) FROM t",
                "SELECT first_value(v ORDER BY t DESC NULLS LAST), first_value(v ORDER BY t ASC NULLS LAST) FROM t",
            ),
            ("SELECT upper(name) FROM t", "SELECT upper(name) FROM t"),
        ];
        for (sql, expected) in cases {
            assert_eq!(rewritten(sql), expected, "{sql}");
        }
    }

    #[test]
    fn literals_comments_and_layout_stay_as_written() {
        let sql = "SELECT ii.AgentVersion, 'Active' AS \"Status\" -- keep 'Me'\nFROM t WHERE x = 'Mixed \"Case\"'\n\tAND y = E'\\n'";
        let folded = fold_quoted_identifiers(sql).unwrap();
        assert_eq!(
            folded,
            "SELECT ii.AgentVersion, 'Active' AS \"status\" -- keep 'Me'\nFROM t WHERE x = 'Mixed \"Case\"'\n\tAND y = E'\\n'"
        );
        let multiline = "SELECT\n  \"Ä\",\n    \"Name\" FROM \"T\"";
        assert_eq!(
            fold_quoted_identifiers(multiline).unwrap(),
            "SELECT\n  \"ä\",\n    \"name\" FROM \"t\""
        );
        assert_eq!(fold_quoted_identifiers("").unwrap(), "");
        assert!(fold_quoted_identifiers("SELECT 'unterminated").is_err());
    }
}
