//! Statement scope: which partitions of each table a statement can possibly need.
//!
//! In: a parsed SQL statement. Out: per table name, a [`PartitionFilter`] that every row the
//! statement can use from that table satisfies, derived from its own `WHERE` clauses. A one-shot
//! command lists and learns columns from only those partitions, so objects a `WHERE accountid =
//! '…'` excludes are never listed or read.
//!
//! The derivation is deliberately conservative: a table is restricted only when *every*
//! reference to it sits directly in the `FROM` of a `SELECT` whose `WHERE` has, at its top
//! level of `AND`s, `accountid`/`region` `= 'literal'` or `IN ('literal', …)` naming that
//! reference (by alias or table name, or unqualified when it is the only table there). Anything
//! else (an `OR`, a function, a derived table, a second unrestricted reference) leaves the
//! table unrestricted. Such filters hold for every row of the reference that can reach the
//! result, whatever joins surround it, so restricting its partitions changes no answer.
//!
//! [`named_columns`] gives the other half: every name a statement (and each built-in view it
//! names) spells, a superset of the columns it can read, so the pass that learns a table's
//! columns can keep those columns' values for the scan (see [`crate::lake::kept`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, Ident, ObjectName, Select, SelectItem, TableFactor, TableWithJoins,
    Value, Visit, Visitor,
};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};

use crate::lake::catalog::table_name;
use crate::lake::discover::PartitionFilter;
use crate::sql::session::parse_statements;
use crate::sql::views::find_view;

/// The partitions each table of a statement is restricted to; tables not named are not
/// restricted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementScope {
    tables: BTreeMap<String, PartitionFilter>,
}

impl StatementScope {
    /// The restriction on a table (by table name), if any.
    pub fn filter(&self, table: &str) -> PartitionFilter {
        self.tables.get(table).cloned().unwrap_or_default()
    }

    /// Whether some table is restricted.
    pub fn restricts_anything(&self) -> bool {
        self.tables.values().any(|f| !f.is_all())
    }
}

/// Derives the scope of a statement.
pub fn statement_scope(statement: &DfStatement) -> StatementScope {
    match statement {
        DfStatement::Statement(s) => {
            let mut finder = ScopeFinder::default();
            let _ = s.visit(&mut finder);
            finder.scope()
        }
        DfStatement::Explain(explain) => statement_scope(&explain.statement),
        _ => StatementScope::default(),
    }
}

/// Every word of a statement and of the built-in views it names, lowercased: a superset of
/// the columns it can read from any table. `None` when it can read columns it does not name:
/// a `*` or `alias.*` in a select list, or a `NATURAL` join.
pub fn named_columns(statement: &DfStatement) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    let mut views = BTreeSet::new();
    add_named_columns(statement, &mut names, &mut views)?;
    Some(names)
}

fn add_named_columns(
    statement: &DfStatement,
    names: &mut BTreeSet<String>,
    views: &mut BTreeSet<String>,
) -> Option<()> {
    let statement = match statement {
        DfStatement::Statement(s) => s,
        DfStatement::Explain(explain) => {
            return add_named_columns(&explain.statement, names, views);
        }
        _ => return None,
    };
    let mut wildcards = WildcardFinder::default();
    let _ = statement.visit(&mut wildcards);
    if wildcards.found {
        return None;
    }
    let text = statement.to_string();
    let tokens = Tokenizer::new(&GenericDialect {}, &text).tokenize().ok()?;
    for token in tokens {
        let Token::Word(word) = token else { continue };
        if word.quote_style.is_none() && word.keyword == Keyword::NATURAL {
            return None;
        }
        let name = word.value.to_lowercase();
        if let Some(view) = find_view(&name)
            && views.insert(view.name.clone())
        {
            for parsed in parse_statements(&view.sql).ok()? {
                add_named_columns(&parsed.into_parsed(), names, views)?;
            }
        }
        names.insert(name);
    }
    Some(())
}

/// Finds a select list that reads every column of something (`*`, `alias.*`).
#[derive(Default)]
struct WildcardFinder {
    found: bool,
}

impl Visitor for WildcardFinder {
    type Break = ();

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        self.found |= select.projection.iter().any(|item| {
            matches!(
                item,
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
            )
        });
        ControlFlow::Continue(())
    }
}

/// The restriction found on one reference to a table.
#[derive(Debug, Default, Clone)]
struct Restriction {
    accounts: Option<BTreeSet<String>>,
    regions: Option<BTreeSet<String>>,
}

#[derive(Default)]
struct ScopeFinder {
    /// Every reference to a relation, by table name.
    references: BTreeMap<String, usize>,
    /// Restrictions found on references directly in a `FROM`, by table name.
    restricted: BTreeMap<String, Vec<Restriction>>,
}

impl ScopeFinder {
    fn scope(self) -> StatementScope {
        let mut tables = BTreeMap::new();
        for (table, restrictions) in self.restricted {
            if restrictions.len() != self.references.get(&table).copied().unwrap_or(0) {
                continue; // some reference is not restricted
            }
            let union =
                |pick: fn(&Restriction) -> &Option<BTreeSet<String>>| -> Option<BTreeSet<String>> {
                    restrictions.iter().try_fold(BTreeSet::new(), |mut all, r| {
                        all.extend(pick(r).as_ref()?.iter().cloned());
                        Some(all)
                    })
                };
            let filter = PartitionFilter {
                accounts: union(|r| &r.accounts),
                regions: union(|r| &r.regions),
            };
            tables.insert(table, filter);
        }
        StatementScope { tables }
    }
}

impl Visitor for ScopeFinder {
    type Break = ();

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        if let Some(name) = last_ident(relation) {
            *self.references.entry(table_name(&name)).or_default() += 1;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        let mut tables = Vec::new();
        for from in &select.from {
            direct_tables(from, &mut tables);
        }
        let mut restrictions = vec![Restriction::default(); tables.len()];
        if let Some(selection) = &select.selection {
            for conjunct in conjuncts(selection) {
                let Some((qualifier, column, values)) = partition_condition(conjunct) else {
                    continue;
                };
                let target = match &qualifier {
                    Some(q) => tables.iter().position(|(_, qualifier)| qualifier == q),
                    None if tables.len() == 1 => Some(0),
                    None => None,
                };
                let Some(target) = target else { continue };
                let slot = match column.as_str() {
                    "accountid" => &mut restrictions[target].accounts,
                    _ => &mut restrictions[target].regions,
                };
                *slot = Some(match slot.take() {
                    None => values,
                    Some(earlier) => earlier.intersection(&values).cloned().collect(),
                });
            }
        }
        for ((table, _), restriction) in tables.into_iter().zip(restrictions) {
            self.restricted.entry(table).or_default().push(restriction);
        }
        ControlFlow::Continue(())
    }
}

/// Tables named directly in a `FROM` item (not in derived tables): (table name, qualifier).
fn direct_tables(from: &TableWithJoins, out: &mut Vec<(String, String)>) {
    let mut factors = vec![&from.relation];
    factors.extend(from.joins.iter().map(|j| &j.relation));
    for factor in factors {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let Some(last) = last_ident(name) else {
                    continue;
                };
                let qualifier = alias
                    .as_ref()
                    .map(|a| a.name.value.to_lowercase())
                    .unwrap_or_else(|| last.to_lowercase());
                out.push((table_name(&last), qualifier));
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => direct_tables(table_with_joins, out),
            _ => {}
        }
    }
}

fn last_ident(name: &ObjectName) -> Option<String> {
    name.0
        .last()
        .and_then(|part| part.as_ident())
        .map(|ident| ident.value.clone())
}

/// The top-level `AND` operands of an expression.
fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            let mut all = conjuncts(left);
            all.extend(conjuncts(right));
            all
        }
        Expr::Nested(inner) => conjuncts(inner),
        other => vec![other],
    }
}

/// `[q.]accountid = 'x'`, `'x' = [q.]region`, `[q.]accountid IN ('a', 'b')`:
/// (qualifier, column, values).
fn partition_condition(expr: &Expr) -> Option<(Option<String>, String, BTreeSet<String>)> {
    match expr {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => {
            let (column, literal) = match (partition_column(left), string_literal(right)) {
                (Some(c), Some(l)) => (c, l),
                _ => (partition_column(right)?, string_literal(left)?),
            };
            Some((column.0, column.1, BTreeSet::from([literal])))
        }
        Expr::InList {
            expr,
            list,
            negated: false,
        } => {
            let (qualifier, column) = partition_column(expr)?;
            let values = list
                .iter()
                .map(string_literal)
                .collect::<Option<BTreeSet<_>>>()?;
            Some((qualifier, column, values))
        }
        Expr::Nested(inner) => partition_condition(inner),
        _ => None,
    }
}

/// `accountid`, `region`, `t.accountid`: (qualifier, column).
fn partition_column(expr: &Expr) -> Option<(Option<String>, String)> {
    let (qualifier, column): (Option<&Ident>, &Ident) = match expr {
        Expr::Identifier(ident) => (None, ident),
        Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
            (Some(&parts[parts.len() - 2]), &parts[parts.len() - 1])
        }
        Expr::Nested(inner) => return partition_column(inner),
        _ => return None,
    };
    let column = column.value.to_lowercase();
    matches!(column.as_str(), "accountid" | "region")
        .then(|| (qualifier.map(|q| q.value.to_lowercase()), column))
}

fn string_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        Expr::Nested(inner) => string_literal(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Restricted tables: (accounts, regions), `None` where unrestricted.
    type Restricted = BTreeMap<String, (Option<Vec<String>>, Option<Vec<String>>)>;

    fn scope(sql: &str) -> Restricted {
        let statement = crate::sql::parse_one(sql);
        let scope = statement_scope(&statement);
        let list = |s: &Option<BTreeSet<String>>| s.as_ref().map(|s| s.iter().cloned().collect());
        scope
            .tables
            .into_iter()
            .filter(|(_, f)| !f.is_all())
            .map(|(t, f)| (t, (list(&f.accounts), list(&f.regions))))
            .collect()
    }

    fn only(table: &str, accounts: Option<&[&str]>, regions: Option<&[&str]>) -> Restricted {
        let list = |v: Option<&[&str]>| v.map(|v| v.iter().map(|s| (*s).to_owned()).collect());
        BTreeMap::from([(table.to_owned(), (list(accounts), list(regions)))])
    }

    fn named(sql: &str) -> Option<Vec<String>> {
        named_columns(&crate::sql::parse_one(sql)).map(|n| n.into_iter().collect())
    }

    #[test]
    fn named_columns_are_every_word_of_the_statement_and_its_views() {
        let words = named(
            "SELECT \"Severity\", count(DISTINCT ResourceId) FROM aws_complianceitem c \
             JOIN aws_tag t USING (resourceid) WHERE c.Status = 'NON_COMPLIANT' GROUP BY 1",
        )
        .unwrap();
        for name in [
            "severity",
            "resourceid",
            "status",
            "aws_complianceitem",
            "c",
            "t",
        ] {
            assert!(words.contains(&name.to_owned()), "{name} in {words:?}");
        }
        assert!(!words.iter().any(|w| w == "non_compliant"), "not a literal");
        // A built-in view's own columns count: `managed_nodes` reads `platformname`.
        let through_view = named("SELECT count(*) FROM managed_nodes").unwrap();
        let view = crate::sql::views::find_view("managed_nodes").unwrap();
        assert!(view.sql.to_lowercase().contains("platformname"));
        assert!(through_view.contains(&"platformname".to_owned()));
    }

    #[test]
    fn a_wildcard_or_a_natural_join_names_no_columns() {
        assert_eq!(named("SELECT * FROM aws_tag"), None);
        assert_eq!(named("SELECT t.* FROM aws_tag t"), None);
        assert_eq!(
            named("SELECT count(*) FROM aws_tag NATURAL JOIN aws_application"),
            None
        );
        assert_eq!(
            named("SELECT n FROM (SELECT * FROM aws_tag) AS x(n)"),
            None,
            "a wildcard in a subquery too"
        );
        assert_eq!(
            named("SELECT count(*) FROM aws_tag"),
            Some(vec![
                "aws_tag".into(),
                "count".into(),
                "from".into(),
                "select".into()
            ])
        );
    }

    #[test]
    fn equality_and_in_lists_restrict_their_table() {
        assert_eq!(
            scope(
                "SELECT * FROM aws_tag WHERE accountid = '1' AND region IN ('a', 'b') AND key = 'Name'"
            ),
            only("aws_tag", Some(&["1"]), Some(&["a", "b"]))
        );
        assert_eq!(
            scope("SELECT * FROM ssm_global_resource_sync.aws_tag t WHERE '1' = t.accountid"),
            only("aws_tag", Some(&["1"]), None)
        );
        assert_eq!(
            scope(r#"SELECT * FROM "AWS:Tag" WHERE (accountid IN ('1', '2')) AND accountid = '2'"#),
            only("aws_tag", Some(&["2"]), None)
        );
        assert_eq!(
            scope("EXPLAIN SELECT count(*) FROM aws_tag WHERE region = 'x'"),
            only("aws_tag", None, Some(&["x"]))
        );
    }

    #[test]
    fn joins_restrict_only_the_qualified_reference() {
        let sql = "SELECT * FROM aws_complianceitem c LEFT JOIN aws_instanceinformation i \
                   ON i.resourceid = c.resourceid WHERE c.accountid = '1'";
        assert_eq!(scope(sql), only("aws_complianceitem", Some(&["1"]), None));
        // Unqualified with two tables in FROM is ambiguous: nothing is restricted.
        let sql = "SELECT * FROM aws_tag, aws_application WHERE accountid = '1'";
        assert!(scope(sql).is_empty());
    }

    #[test]
    fn every_reference_must_be_restricted() {
        let sql = "SELECT * FROM aws_tag a JOIN aws_tag b ON a.resourceid = b.resourceid WHERE a.accountid = '1'";
        assert!(scope(sql).is_empty());
        let sql = "SELECT * FROM aws_tag WHERE accountid = '1' UNION ALL SELECT * FROM aws_tag";
        assert!(scope(sql).is_empty());
        let sql = "SELECT * FROM aws_tag WHERE accountid = '1' UNION ALL SELECT * FROM aws_tag WHERE accountid = '2'";
        assert_eq!(scope(sql), only("aws_tag", Some(&["1", "2"]), None));
        let sql = "SELECT * FROM aws_tag WHERE accountid = '1' AND resourceid IN (SELECT resourceid FROM aws_tag)";
        assert!(scope(sql).is_empty(), "the subquery reads every account");
        // The CTE `t` is restricted too, harmlessly: no lake table has that name.
        let sql = "WITH t AS (SELECT * FROM aws_tag WHERE region = 'r') SELECT * FROM t WHERE accountid = '1'";
        assert_eq!(scope(sql)["aws_tag"], (None, Some(vec!["r".to_owned()])));
    }

    #[test]
    fn anything_unclear_restricts_nothing() {
        for sql in [
            "SELECT * FROM aws_tag WHERE accountid = '1' OR key = 'Name'",
            "SELECT * FROM aws_tag WHERE lower(accountid) = '1'",
            "SELECT * FROM aws_tag WHERE accountid <> '1'",
            "SELECT * FROM aws_tag WHERE accountid NOT IN ('1')",
            "SELECT * FROM aws_tag WHERE accountid = 1",
            "SELECT * FROM aws_tag WHERE accountid LIKE '1%'",
            "SELECT * FROM (SELECT * FROM aws_tag) s WHERE s.accountid = '1'",
            "SELECT * FROM aws_tag WHERE x.accountid = '1'",
            "SELECT * FROM aws_tag WHERE accountid IN ('1', region)",
        ] {
            assert!(scope(sql).is_empty(), "{sql}");
        }
    }
}
