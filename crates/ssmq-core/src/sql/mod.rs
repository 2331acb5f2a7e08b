//! SQL over the lake: the session that plans statements and reports, the table providers it
//! registers, and what makes Athena's queries run unchanged.
//!
//! `session` is where ad-hoc SQL and reports end in one function; `register` builds the
//! DataFusion providers; `scope` narrows listing to what a statement's WHERE allows;
//! `dialect` and `functions` are Athena's (Trino's) syntax and functions; `reports` and `views` read
//! the built-in reports and views under `queries/`.

pub mod changes;
pub mod controls;
pub mod dialect;
pub mod functions;
pub mod register;
pub mod reports;
pub mod scope;
pub mod session;
pub mod views;

/// The one statement of `sql`, parsed as DataFusion parses it, for tests of what works on
/// parsed statements.
#[cfg(test)]
pub(crate) fn parse_one(sql: &str) -> datafusion::sql::parser::Statement {
    datafusion::sql::parser::DFParserBuilder::new(sql)
        .with_dialect(&datafusion::sql::sqlparser::dialect::GenericDialect {})
        .build()
        .expect("a parser")
        .parse_statements()
        .expect("SQL that parses")
        .pop_front()
        .expect("one statement")
}
