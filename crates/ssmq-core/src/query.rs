//! Queries: a session over one lake, where ad-hoc SQL and named reports end in the same
//! function.
//!
//! In: a source and [`SessionOptions`]; then SQL text, or a report and its parameters. Out:
//! a DataFusion `DataFrame` ready to stream, and overviews of the catalog (`tables`,
//! `describe`) as record batches so every output format can render them.
//!
//! Sessions are read-only: statements are checked before planning, and anything that would
//! create, change or write is refused naming the statement.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use chrono::Utc;
use datafusion::common::ParamValues;
use datafusion::dataframe::DataFrame;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::{DFParserBuilder, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use object_store::ObjectStore;
use object_store::path::Path;

use crate::catalog::{ColumnSource, TableDef};
use crate::discover::{Lake, PartitionFilter, discover};
use crate::error::{Error, Result};
use crate::metered::{MeteredStore, RequestCounts};
use crate::read::{ReadOptions, ReadReport};
use crate::register::{DEFAULT_DATABASE, LakeTables, session_context};
use crate::report::Report;
use crate::source::Source;

/// How a session reads and names things.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Accounts and regions to keep.
    pub filter: PartitionFilter,
    /// Bad-line policy and read concurrency.
    pub read: ReadOptions,
    /// The database name tables can be qualified with.
    pub database: String,
    /// Parallel partitions per query (DataFusion's `target_partitions`).
    pub target_partitions: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            filter: PartitionFilter::default(),
            read: ReadOptions::default(),
            database: DEFAULT_DATABASE.to_owned(),
            target_partitions: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// One lake, discovered once, queried many times.
pub struct LakeSession {
    ctx: SessionContext,
    lake: Lake,
    tables: Arc<LakeTables>,
    report: Arc<ReadReport>,
    store: MeteredStore,
}

impl std::fmt::Debug for LakeSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LakeSession")
            .field("root", &self.lake.root)
            .field("tables", &self.tables.names())
            .finish_non_exhaustive()
    }
}

impl LakeSession {
    /// Opens a source and discovers its lake.
    pub async fn open(source: &Source, options: SessionOptions) -> Result<Self> {
        let opened = source.open().await?;
        Self::open_store(opened.store, &opened.prefix, options).await
    }

    /// Discovers the lake at `prefix` of `store`.
    pub async fn open_store(
        store: Arc<dyn ObjectStore>,
        prefix: &Path,
        options: SessionOptions,
    ) -> Result<Self> {
        let metered = MeteredStore::new(store);
        let store: Arc<dyn ObjectStore> = Arc::new(metered.clone());
        let lake = discover(&store, prefix, &options.filter).await?;
        let report = Arc::new(ReadReport::default());
        let tables = Arc::new(LakeTables::new(
            &lake,
            store,
            options.read.clone(),
            Arc::clone(&report),
        ));
        let ctx = session_context(
            Arc::clone(&tables),
            &options.database,
            options.target_partitions,
        );
        Ok(LakeSession {
            ctx,
            lake,
            tables,
            report,
            store: metered,
        })
    }

    /// What discovery found.
    pub fn lake(&self) -> &Lake {
        &self.lake
    }

    /// Faults of every read so far.
    pub fn read_report(&self) -> &ReadReport {
        &self.report
    }

    /// Requests made to the store so far, by kind.
    pub fn requests(&self) -> RequestCounts {
        self.store.counts()
    }

    /// The DataFusion context, for callers that need more than SQL text.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// Table names, sorted.
    pub fn table_names(&self) -> Vec<String> {
        self.tables.names()
    }

    /// A table's definition (reads its objects the first time).
    pub async fn table(&self, name: &str) -> Result<Arc<TableDef>> {
        self.tables.definition(name).await
    }

    /// One row per table: name, TypeName, objects, accounts, regions, bytes. Reads no object.
    pub fn tables_overview(&self) -> Result<RecordBatch> {
        let names = self.tables.names();
        let listings: Vec<_> = names
            .iter()
            .map(|n| self.tables.listing(n).expect("listed table"))
            .collect();
        let text = |f: &dyn Fn(usize) -> String| -> ArrayRef {
            Arc::new(
                (0..names.len())
                    .map(|i| Some(f(i)))
                    .collect::<StringArray>(),
            )
        };
        let count = |f: &dyn Fn(usize) -> u64| -> ArrayRef {
            Arc::new(
                (0..names.len())
                    .map(|i| Some(f(i)))
                    .collect::<UInt64Array>(),
            )
        };
        let schema = Schema::new(vec![
            Field::new("table", DataType::Utf8, false),
            Field::new("type_name", DataType::Utf8, false),
            Field::new("objects", DataType::UInt64, false),
            Field::new("accounts", DataType::UInt64, false),
            Field::new("regions", DataType::UInt64, false),
            Field::new("bytes", DataType::UInt64, false),
        ]);
        let columns = vec![
            text(&|i| names[i].clone()),
            text(&|i| listings[i].type_name.clone()),
            count(&|i| listings[i].objects.len() as u64),
            count(&|i| listings[i].accounts().len() as u64),
            count(&|i| listings[i].regions().len() as u64),
            count(&|i| listings[i].bytes()),
        ];
        Ok(RecordBatch::try_new(Arc::new(schema), columns)
            .map_err(datafusion::error::DataFusionError::from)?)
    }

    /// One row per column of a table: name, type, where it comes from, objects holding it.
    pub async fn describe(&self, table: &str) -> Result<RecordBatch> {
        let def = self.table(table).await?;
        let rows: Vec<(String, String, u64)> = def
            .columns
            .iter()
            .map(|c| match &c.source {
                ColumnSource::Keys { spellings, objects } => (
                    c.name.clone(),
                    format!("JSON key {}", spellings.join(", ")),
                    *objects as u64,
                ),
                ColumnSource::Partition => (
                    c.name.clone(),
                    format!("partition folder {}=", c.name),
                    def.objects as u64,
                ),
            })
            .collect();
        let schema = Schema::new(vec![
            Field::new("column", DataType::Utf8, false),
            Field::new("type", DataType::Utf8, false),
            Field::new("source", DataType::Utf8, false),
            Field::new("objects", DataType::UInt64, false),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.0.as_str()))
                    .collect::<StringArray>(),
            ),
            Arc::new(rows.iter().map(|_| Some("string")).collect::<StringArray>()),
            Arc::new(
                rows.iter()
                    .map(|r| Some(r.1.as_str()))
                    .collect::<StringArray>(),
            ),
            Arc::new(rows.iter().map(|r| Some(r.2)).collect::<UInt64Array>()),
        ];
        Ok(RecordBatch::try_new(Arc::new(schema), columns)
            .map_err(datafusion::error::DataFusionError::from)?)
    }

    /// Plans one read-only SQL statement.
    pub async fn sql(&self, text: &str) -> Result<DataFrame> {
        self.plan(text, None).await
    }

    /// Plans a report with the user's parameters bound to its placeholders.
    pub async fn report(&self, report: &Report, params: &[(String, String)]) -> Result<DataFrame> {
        let values = report.bind(params, Utc::now())?;
        self.plan(&report.sql, Some(values)).await
    }

    /// Where SQL and reports meet: parse, refuse anything but reads, plan, bind.
    async fn plan(&self, text: &str, params: Option<ParamValues>) -> Result<DataFrame> {
        let mut statements = DFParserBuilder::new(text)
            .with_dialect(&GenericDialect {})
            .build()?
            .parse_statements()?;
        let statement = match statements.len() {
            0 => return Err(Error::Statement("No SQL statement given".to_owned())),
            1 => statements.pop_front().expect("one statement"),
            n => {
                return Err(Error::Statement(format!(
                    "Found {n} SQL statements; give one statement at a time"
                )));
            }
        };
        check_read_only(&statement)?;
        let state = self.ctx.state();
        let plan = state.statement_to_plan(statement).await?;
        // A second guard on the plan itself, in case a statement kind slips past the check.
        SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false)
            .verify_plan(&plan)?;
        let frame = DataFrame::new(state, plan);
        Ok(match params {
            Some(values) => frame.with_param_values(values)?,
            None => frame,
        })
    }
}

/// Refuses every statement that is not a read.
pub fn check_read_only(statement: &DfStatement) -> Result<()> {
    let allowed = match statement {
        DfStatement::Statement(s) => match s.as_ref() {
            SqlStatement::Query(_)
            | SqlStatement::ExplainTable { .. }
            | SqlStatement::ShowTables { .. }
            | SqlStatement::ShowColumns { .. }
            | SqlStatement::ShowFunctions { .. }
            | SqlStatement::ShowVariable { .. } => true,
            SqlStatement::Explain { statement, .. } => {
                return check_read_only(&DfStatement::Statement(statement.clone()));
            }
            _ => false,
        },
        DfStatement::Explain(explain) => return check_read_only(&explain.statement),
        DfStatement::CreateExternalTable(_) | DfStatement::CopyTo(_) | DfStatement::Reset(_) => {
            false
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(Error::ReadOnly {
            statement: statement_keywords(&statement.to_string()),
        })
    }
}

/// The leading keywords that say what a statement does: `INSERT`, `CREATE TABLE`,
/// `CREATE OR REPLACE VIEW`, `DROP SCHEMA`.
fn statement_keywords(sql: &str) -> String {
    const OBJECTS: [&str; 9] = [
        "TABLE", "VIEW", "SCHEMA", "DATABASE", "FUNCTION", "INDEX", "CATALOG", "TYPE", "MACRO",
    ];
    let words: Vec<String> = sql
        .split_whitespace()
        .take(6)
        .map(str::to_uppercase)
        .collect();
    if matches!(
        words.first().map(String::as_str),
        Some("CREATE" | "DROP" | "ALTER")
    ) && let Some(end) = words.iter().position(|w| OBJECTS.contains(&w.as_str()))
    {
        return words[..=end].join(" ");
    }
    words.first().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(sql: &str) -> std::result::Result<(), String> {
        let statement = DFParserBuilder::new(sql)
            .with_dialect(&GenericDialect {})
            .build()
            .unwrap()
            .parse_statements()
            .unwrap()
            .pop_front()
            .unwrap();
        check_read_only(&statement).map_err(|e| match e {
            Error::ReadOnly { statement } => statement,
            other => other.to_string(),
        })
    }

    #[test]
    fn reads_are_allowed() {
        for sql in [
            "SELECT 1",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "VALUES (1)",
            "EXPLAIN SELECT 1",
            "EXPLAIN ANALYZE SELECT 1",
            "DESCRIBE aws_tag",
            "SHOW TABLES",
            "SHOW COLUMNS FROM aws_tag",
        ] {
            assert_eq!(verdict(sql), Ok(()), "{sql}");
        }
    }

    #[test]
    fn writes_are_refused_by_name() {
        let cases = [
            ("CREATE TABLE t AS SELECT 1", "CREATE TABLE"),
            (
                "create or replace view v as select 1",
                "CREATE OR REPLACE VIEW",
            ),
            (
                "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/tmp/x'",
                "CREATE EXTERNAL TABLE",
            ),
            ("INSERT INTO aws_tag VALUES ('a')", "INSERT"),
            ("DELETE FROM aws_tag", "DELETE"),
            ("UPDATE aws_tag SET key = 'x'", "UPDATE"),
            ("DROP TABLE aws_tag", "DROP TABLE"),
            ("COPY (SELECT 1) TO '/tmp/out.csv'", "COPY"),
            ("SET datafusion.execution.batch_size = 1", "SET"),
            ("EXPLAIN INSERT INTO aws_tag VALUES ('a')", "INSERT"),
            ("CREATE SCHEMA s", "CREATE SCHEMA"),
        ];
        for (sql, keywords) in cases {
            assert_eq!(verdict(sql), Err(keywords.to_owned()), "{sql}");
        }
    }
}
