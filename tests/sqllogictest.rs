//! SQL behaviour as golden files: runs `tests/slt/*.slt` against the fixture lakes.
//!
//! `cargo test --test sqllogictest` checks every file; `-- --complete` rewrites their expected
//! output (review the diff!); `-- NAME` runs only files whose name contains NAME.
//!
//! Besides SQL, a record may hold one of these commands (the catalog and report paths the
//! CLI uses, so golden files cover them too):
//!
//! - `\source DIR [--account ID]... [--region R]... [--skip-bad-lines] [--partitions N]
//!   [--read-concurrency N]`: query another lake
//!   (DIR relative to the repository root, where cargo runs tests, so messages name objects
//!   as a user would see them; `fixtures/sample` until a file says otherwise);
//! - `\tables`, `\describe TABLE`: the `ssmq tables` / `ssmq describe` rows;
//! - `\report NAME [name=value]...`: run a report;
//! - `\skipped`: what discovery passes over in the whole lake, and why;
//! - `\faults`: malformed lines skipped, and columns given twice on a line;
//! - `\reads`: objects read (GET requests) so far in this session;
//! - `\plan SQL`: the physical plan of SQL, one line per row.
//!
//! Values print as text, NULL as `NULL`, the empty string as `(empty)`; columns are separated
//! by ` | ` so values with spaces stay unambiguous.

use std::path::{Path, PathBuf};

use arrow::array::{Array, RecordBatch};
use arrow::datatypes::DataType;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use async_trait::async_trait;
use sqllogictest::{DBOutput, DefaultColumnType, Normalizer, Runner};
use ssmq_core::lake::discover::PartitionFilter;
use ssmq_core::lake::read::ReadOptions;
use ssmq_core::sql::reports::find_report;
use ssmq_core::{LakeSession, SessionOptions, Source};

const SEPARATOR: &str = " | ";
/// Fixed so EXPLAIN output does not depend on the machine's cores.
const TARGET_PARTITIONS: usize = 4;

fn repo() -> PathBuf {
    PathBuf::from(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
}

/// An error as the user would see it.
#[derive(Debug)]
struct SsmqError(String);

impl std::fmt::Display for SsmqError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SsmqError {}

impl From<ssmq_core::Error> for SsmqError {
    fn from(e: ssmq_core::Error) -> Self {
        SsmqError(e.to_string())
    }
}

impl From<datafusion::error::DataFusionError> for SsmqError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        ssmq_core::Error::from(e).into()
    }
}

struct SsmqDb {
    source: PathBuf,
    options: SessionOptions,
    session: Option<LakeSession>,
}

impl SsmqDb {
    fn new() -> Self {
        SsmqDb {
            source: PathBuf::from("fixtures/sample"),
            options: Self::options(PartitionFilter::default(), false),
            session: None,
        }
    }

    fn options(filter: PartitionFilter, skip_bad_lines: bool) -> SessionOptions {
        SessionOptions {
            filter,
            read: ReadOptions {
                skip_bad_lines,
                ..ReadOptions::default()
            },
            target_partitions: TARGET_PARTITIONS,
            ..SessionOptions::default()
        }
    }

    async fn session(&mut self) -> Result<&LakeSession, SsmqError> {
        if self.session.is_none() {
            let source = Source::parse(self.source.to_str().expect("UTF-8 path"))?;
            self.session = Some(LakeSession::open(&source, self.options.clone()).await?);
        }
        Ok(self.session.as_ref().expect("opened"))
    }

    async fn command(&mut self, line: &str) -> Result<DBOutput<DefaultColumnType>, SsmqError> {
        let mut words = line.split_whitespace();
        let command = words.next().unwrap_or_default();
        let args: Vec<&str> = words.collect();
        match command {
            "source" => {
                let (dir, flags) = args
                    .split_first()
                    .ok_or_else(|| SsmqError("\\source needs a directory".into()))?;
                let (mut accounts, mut regions) = (Vec::new(), Vec::new());
                let mut skip = false;
                let mut partitions = TARGET_PARTITIONS;
                let mut read_concurrency = ReadOptions::default().read_concurrency;
                let mut flags = flags.iter();
                while let Some(flag) = flags.next() {
                    match *flag {
                        "--account" => accounts.push(flags.next().expect("an account").to_string()),
                        "--region" => regions.push(flags.next().expect("a region").to_string()),
                        "--skip-bad-lines" => skip = true,
                        "--partitions" => {
                            partitions = flags
                                .next()
                                .and_then(|n| n.parse().ok())
                                .expect("--partitions N");
                        }
                        "--read-concurrency" => {
                            read_concurrency = flags
                                .next()
                                .and_then(|n| n.parse().ok())
                                .expect("--read-concurrency N");
                        }
                        other => return Err(SsmqError(format!("unknown \\source flag {other}"))),
                    }
                }
                let filter = PartitionFilter::default()
                    .with_accounts(accounts)
                    .with_regions(regions);
                self.source = PathBuf::from(dir);
                self.options = Self::options(filter, skip);
                self.options.target_partitions = partitions;
                self.options.read.read_concurrency = read_concurrency;
                self.session = None;
                self.session().await?;
                Ok(DBOutput::StatementComplete(0))
            }
            "tables" => Ok(rows(&[self.session().await?.tables_overview().await?])),
            "describe" => {
                let table = args.first().copied().unwrap_or_default();
                Ok(rows(&[self.session().await?.describe(table).await?]))
            }
            "report" => {
                let (name, params) = args
                    .split_first()
                    .ok_or_else(|| SsmqError("\\report needs a name".into()))?;
                let params: Vec<(String, String)> = params
                    .iter()
                    .map(|p| {
                        let (k, v) = p.split_once('=').expect("name=value");
                        (k.to_owned(), v.to_owned())
                    })
                    .collect();
                let report = find_report(name)?;
                let session = self.session().await?;
                let batches = session.report(report, &params).await?.collect().await?;
                Ok(rows(&batches))
            }
            "skipped" => {
                let session = self.session().await?;
                session.tables_overview().await?; // lists every table, and so meets every entry
                let rows = session
                    .skipped()
                    .iter()
                    .map(|s| vec![s.location.clone(), s.reason.to_string()])
                    .collect();
                Ok(DBOutput::Rows {
                    types: vec![DefaultColumnType::Text; 2],
                    rows,
                })
            }
            "faults" => {
                let report = self.session().await?.read_report();
                let mut rows: Vec<Vec<String>> = report
                    .bad_lines()
                    .into_iter()
                    .map(|b| vec!["bad line".into(), b.key, b.fault.to_string()])
                    .collect();
                rows.extend(report.conflicts().into_iter().map(|c| {
                    vec![
                        "conflict".into(),
                        c.key,
                        format!("line {}: column {}", c.line, c.column),
                    ]
                }));
                Ok(DBOutput::Rows {
                    types: vec![DefaultColumnType::Text; 3],
                    rows,
                })
            }
            "plan" => {
                let sql = line.trim_start().strip_prefix("plan").unwrap_or_default();
                let session = self.session().await?;
                let batches = session
                    .sql(&format!("EXPLAIN {sql}"))
                    .await?
                    .collect()
                    .await?;
                let DBOutput::Rows {
                    rows: explained, ..
                } = rows(&batches)
                else {
                    unreachable!("rows() returns rows")
                };
                let physical = explained
                    .into_iter()
                    .find(|row| row[0] == "physical_plan")
                    .ok_or_else(|| SsmqError("EXPLAIN gave no physical plan".into()))?;
                Ok(DBOutput::Rows {
                    types: vec![DefaultColumnType::Text],
                    rows: physical[1]
                        .split("\\n")
                        .map(str::trim_end)
                        .filter(|l| !l.is_empty())
                        .map(|l| vec![l.to_owned()])
                        .collect(),
                })
            }
            "reads" => {
                let requests = self.session().await?.requests();
                Ok(DBOutput::Rows {
                    types: vec![DefaultColumnType::Integer],
                    rows: vec![vec![requests.get.to_string()]],
                })
            }
            other => Err(SsmqError(format!("unknown command \\{other}"))),
        }
    }
}

#[async_trait]
impl sqllogictest::AsyncDB for SsmqDb {
    type Error = SsmqError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<DefaultColumnType>, SsmqError> {
        let sql = sql.trim();
        if let Some(command) = sql.strip_prefix('\\') {
            return self.command(command).await;
        }
        let session = self.session().await?;
        let frame = session.sql(sql).await?;
        let batches = frame.collect().await?;
        Ok(rows(&batches))
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "ssmq"
    }
}

fn rows(batches: &[RecordBatch]) -> DBOutput<DefaultColumnType> {
    let types = batches
        .first()
        .map(|b| {
            b.schema()
                .fields()
                .iter()
                .map(|f| column_type(f.data_type()))
                .collect()
        })
        .unwrap_or_default();
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).expect("displayable"))
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .zip(batch.columns())
                    .map(|(f, column)| {
                        let text = f.value(row).to_string();
                        if column.is_valid(row) && text.is_empty() {
                            "(empty)".to_owned()
                        } else {
                            text.replace('\n', "\\n")
                        }
                    })
                    .collect(),
            );
        }
    }
    DBOutput::Rows { types, rows }
}

fn column_type(data_type: &DataType) -> DefaultColumnType {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => DefaultColumnType::Text,
        t if t.is_integer() => DefaultColumnType::Integer,
        t if t.is_floating()
            || matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..)) =>
        {
            DefaultColumnType::FloatingPoint
        }
        _ => DefaultColumnType::Any,
    }
}

#[allow(clippy::ptr_arg)] // the signature sqllogictest's `Normalizer` requires
fn normalize(s: &String) -> String {
    s.trim_end().to_owned()
}

fn validate(normalizer: Normalizer, actual: &[Vec<String>], expected: &[String]) -> bool {
    let actual: Vec<String> = actual
        .iter()
        .map(|row| normalizer(&row.join(SEPARATOR)))
        .collect();
    let expected: Vec<String> = expected.iter().map(normalizer).collect();
    actual == expected
}

fn slt_files(filter: Option<&str>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/slt"))
        .expect("tests/slt exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .filter(|p| filter.is_none_or(|f| p.file_name().unwrap().to_string_lossy().contains(f)))
        .collect();
    files.sort();
    files
}

async fn run_file(path: &Path, complete: bool) -> Result<(), String> {
    let mut runner = Runner::new(|| async { Ok(SsmqDb::new()) });
    runner.with_validator(validate);
    runner.with_normalizer(normalize);
    if complete {
        runner
            .update_test_file(
                path,
                SEPARATOR,
                validate,
                normalize,
                sqllogictest::default_column_validator,
            )
            .await
            .map_err(|e| e.to_string())
    } else {
        runner
            .run_file_async(path)
            .await
            .map_err(|e| e.display(true).to_string())
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let complete = args.iter().any(|a| a == "--complete");
    let filter = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let files = slt_files(filter);
    assert!(!files.is_empty() || filter.is_some(), "no .slt files found");
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        match runtime.block_on(run_file(file, complete)) {
            Ok(()) => println!("ok      {name}"),
            Err(e) => {
                println!("FAILED  {name}\n{e}");
                failures.push(name);
            }
        }
    }
    if !failures.is_empty() {
        eprintln!(
            "{} of {} .slt files failed: {}",
            failures.len(),
            files.len(),
            failures.join(", ")
        );
        std::process::exit(1);
    }
}
