//! Queries: a session over one lake, where ad-hoc SQL and named reports end in the same
//! function.
//!
//! In: a source and [`SessionOptions`]; then SQL text, or a report and its parameters. Out:
//! a DataFusion `DataFrame` ready to stream, and overviews of the catalog (`tables`,
//! `describe`) as record batches so every output format can render them.
//!
//! Sessions are read-only: statements are checked before planning, and anything that would
//! create, change or write is refused naming the statement.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use arrow::array::{ArrayRef, RecordBatch, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use chrono::{DateTime, Utc};
use datafusion::common::ParamValues;
use datafusion::dataframe::DataFrame;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::{DFParserBuilder, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use futures::{StreamExt, TryStreamExt};
use object_store::memory::InMemory;
use object_store::path::Path;

use crate::cache::history::AsOf;
use crate::cache::{CacheUse, CachedLake, LakeCache, SyncSummary, sync};
use crate::error::{Error, Result};
use crate::lake::catalog::{ColumnSource, TableDef, object_keys};
use crate::lake::discover::{LakeLayout, PartitionFilter, Skipped, TypeListing, find_layout};
use crate::lake::read::{ReadOptions, ReadReport};
use crate::source::metered::{MeteredStore, RequestCounts};
use crate::source::s3::{S3Connection, S3Options};
use crate::source::{LakeStore, Source};
use crate::sql::dialect::{
    WrittenName, fold_quoted_identifiers, name_result_columns, rewrite_functions,
    rewrite_time_travel,
};
use crate::sql::register::{DEFAULT_DATABASE, LakeTables, session_context};
use crate::sql::reports::Report;
use crate::sql::scope::{StatementScope, named_columns, statement_scope};

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
    /// How to reach an S3 bucket.
    pub s3: S3Options,
    /// Whether each statement lists and learns only the partitions its own `WHERE` clauses can
    /// need (see [`crate::sql::scope`]). Right for one-shot commands; a session answering many
    /// statements turns it off to list and learn each table once.
    pub scope_statements: bool,
    /// Whether to answer from the lake's local cache (see [`crate::cache`]).
    pub cache: CacheUse,
    /// The moment of the lake's past to answer for (from its cache's history), if not now.
    pub as_of: Option<AsOf>,
    /// With a cache ([`CacheUse::IfPresent`]): answer from it without syncing when a sync
    /// compared it with the lake less than this long ago; `None` syncs every time.
    pub max_age: Option<chrono::TimeDelta>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            filter: PartitionFilter::default(),
            read: ReadOptions::default(),
            database: DEFAULT_DATABASE.to_owned(),
            target_partitions: std::thread::available_parallelism().map_or(2, |n| n.get()),
            scope_statements: true,
            s3: S3Options::default(),
            cache: CacheUse::Bypass,
            as_of: None,
            max_age: None,
        }
    }
}

/// One lake: its layout found once, its tables listed and learnt when first used.
pub struct LakeSession {
    options: SessionOptions,
    layout: Arc<LakeLayout>,
    /// The source's store, metered by `meter`.
    store: LakeStore,
    meter: MeteredStore,
    report: Arc<ReadReport>,
    /// Tables within the session's filter, for statements that are not scoped.
    tables: Arc<LakeTables>,
    ctx: SessionContext,
    /// Tables made for scoped statements, kept to report what they listed.
    scoped: Mutex<Vec<Arc<LakeTables>>>,
    /// How the bucket was reached, for S3 sources.
    s3: Option<S3Connection>,
    /// The cache generation answering, when the session reads the lake's cache.
    cached: Option<Arc<CachedLake>>,
    /// What bringing the cache up to date did, when the session did.
    synced: Option<SyncSummary>,
    /// When the cache was last compared with the lake, when the session answers from it
    /// without syncing because that was less than `max_age` ago.
    checked: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for LakeSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LakeSession")
            .field("root", &self.layout.root)
            .field("tables", &self.tables.names())
            .finish_non_exhaustive()
    }
}

impl LakeSession {
    /// Opens a source and finds its layout, or opens the source's cache as
    /// [`SessionOptions::cache`] says.
    pub async fn open(source: &Source, mut options: SessionOptions) -> Result<Self> {
        match (&options.cache, source) {
            (CacheUse::Bypass, _) | (CacheUse::IfPresent(_), Source::BuiltinSample) => {}
            (CacheUse::Offline(root), _) => {
                let cache = LakeCache::for_source(root, source, &options.s3)?;
                let lake = cache.current()?.ok_or_else(|| Error::NotSynced {
                    source_text: source.describe(),
                    root: root.clone(),
                })?;
                let lake = Self::at_moment(lake, &options)?;
                return Ok(Self::open_cached(Arc::new(lake), None, options));
            }
            (CacheUse::IfPresent(root), _) => {
                let cache = LakeCache::for_source(root, source, &options.s3)?;
                if let Some((lake, checked)) = Self::fresh_enough(&cache, options.max_age)? {
                    let lake = Self::at_moment(lake, &options)?;
                    let mut session = Self::open_cached(Arc::new(lake), None, options);
                    session.checked = Some(checked);
                    return Ok(session);
                }
                if cache.exists() {
                    let summary = sync(source, &cache, &options.s3, &options.read).await?;
                    let lake = cache.current()?.ok_or_else(|| Error::CacheDamaged {
                        path: cache.dir().join("CURRENT"),
                        source: "a sync finished without naming a generation".into(),
                    })?;
                    let lake = Self::at_moment(lake, &options)?;
                    return Ok(Self::open_cached(Arc::new(lake), Some(summary), options));
                }
            }
        }
        if options.as_of.is_some() {
            return Err(Error::PastWithoutCache {
                source_text: source.describe(),
            });
        }
        let opened = source.open(&options.s3).await?;
        match opened.s3 {
            Some(_) => options.read = options.read.for_s3(&options.s3),
            // Only objects fetched from S3 are worth keeping (see `ReadOptions::keep_fetched_bytes`).
            None => options.read.keep_fetched_bytes = 0,
        }
        let mut session = Self::open_store(opened.store, &opened.prefix, options).await?;
        session.s3 = opened.s3;
        Ok(session)
    }

    /// The current generation of `cache` and when it was last compared with its lake, if that
    /// was less than `max_age` ago (so a session may answer from it without syncing).
    fn fresh_enough(
        cache: &LakeCache,
        max_age: Option<chrono::TimeDelta>,
    ) -> Result<Option<(CachedLake, DateTime<Utc>)>> {
        let Some(max_age) = max_age.filter(|age| *age > chrono::TimeDelta::zero()) else {
            return Ok(None);
        };
        let Some(lake) = cache.current()? else {
            return Ok(None);
        };
        let checked = cache.checked_at(&lake)?;
        let age = Utc::now() - checked;
        Ok((age >= chrono::TimeDelta::zero() && age < max_age).then_some((lake, checked)))
    }

    /// `lake` as it stood at the moment `options` asks for, if any.
    fn at_moment(lake: CachedLake, options: &SessionOptions) -> Result<CachedLake> {
        match options.as_of {
            Some(as_of) => lake.at(as_of),
            None => Ok(lake),
        }
    }

    /// Finds the layout of the lake at `prefix` of `store`.
    pub async fn open_store(
        store: LakeStore,
        prefix: &Path,
        options: SessionOptions,
    ) -> Result<Self> {
        let metered = MeteredStore::new(store.store);
        let lake_store = LakeStore::new(Arc::new(metered.clone()), store.label)
            .keeping_fetched(options.read.keep_fetched_bytes);
        let layout = Arc::new(find_layout(&lake_store, prefix).await?);
        Ok(Self::assemble(
            layout, lake_store, metered, options, None, None,
        ))
    }

    /// A session answering from a generation of the lake's cache; `synced` says what
    /// bringing it up to date did.
    pub fn open_cached(
        lake: Arc<CachedLake>,
        synced: Option<SyncSummary>,
        mut options: SessionOptions,
    ) -> Self {
        // Segments are chosen per statement already; nothing is listed.
        options.scope_statements = false;
        let layout = Arc::new(lake.layout());
        let metered = MeteredStore::new(Arc::new(InMemory::new()));
        let store = LakeStore::new(Arc::new(metered.clone()), "");
        Self::assemble(layout, store, metered, options, Some(lake), synced)
    }

    /// A session over `layout`, reading through `store` (metered by `meter`), or from `cached`.
    fn assemble(
        layout: Arc<LakeLayout>,
        store: LakeStore,
        meter: MeteredStore,
        options: SessionOptions,
        cached: Option<Arc<CachedLake>>,
        synced: Option<SyncSummary>,
    ) -> Self {
        let report = Arc::new(ReadReport::default());
        let mut tables = LakeTables::new(
            Arc::clone(&layout),
            store.clone(),
            options.read.clone(),
            Arc::clone(&report),
            &options.filter,
            &StatementScope::default(),
        );
        if let Some(lake) = &cached {
            tables = tables.from_cache(Arc::clone(lake));
        }
        let mut session = LakeSession {
            tables: Arc::new(tables),
            ctx: SessionContext::new(),
            options,
            layout,
            store,
            meter,
            report,
            scoped: Mutex::default(),
            s3: None,
            cached,
            synced,
            checked: None,
        };
        session.ctx = session.context_for(&session.tables);
        session
    }

    /// The moment the session answers for: the one asked for (a snapshot's, when a snapshot
    /// was asked for), else now.
    pub fn moment(&self) -> DateTime<Utc> {
        match self.cached().and_then(CachedLake::past) {
            Some(past) => match past.as_of {
                AsOf::Time(time) => time,
                AsOf::Snapshot(_) => past.snapshot.taken_at,
            },
            None => Utc::now(),
        }
    }

    /// The cache generation answering, if the session reads the cache.
    pub fn cached(&self) -> Option<&CachedLake> {
        self.cached.as_deref()
    }

    /// What bringing the cache up to date did, if the session did.
    pub fn synced(&self) -> Option<&SyncSummary> {
        self.synced.as_ref()
    }

    /// When the cache answering was last compared with the lake, if the session did not sync
    /// because that was within [`SessionOptions::max_age`].
    pub fn checked_without_sync(&self) -> Option<DateTime<Utc>> {
        self.checked
    }

    fn context_for(&self, tables: &Arc<LakeTables>) -> SessionContext {
        session_context(
            Arc::clone(tables),
            &self.options.database,
            self.options.target_partitions,
        )
    }

    /// The sync root and its type folders.
    pub fn layout(&self) -> &LakeLayout {
        &self.layout
    }

    /// How the bucket was reached, for S3 sources.
    pub fn s3_connection(&self) -> Option<&S3Connection> {
        self.s3.as_ref()
    }

    /// Faults of every read so far.
    pub fn read_report(&self) -> &ReadReport {
        &self.report
    }

    /// Requests made to the store so far, by kind.
    pub fn requests(&self) -> RequestCounts {
        self.meter.counts()
    }

    /// The DataFusion context of unscoped statements, for callers that need more than SQL text.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// Table names, sorted.
    pub fn table_names(&self) -> Vec<String> {
        self.tables.names()
    }

    /// A table's objects within the session's filter (lists them the first time).
    pub async fn listing(&self, name: &str) -> Result<Arc<TypeListing>> {
        self.tables.listing(name).await
    }

    /// The version id S3 answered this session's read of `location` with (a versioned bucket
    /// names one), if the session read it.
    pub fn version_read(&self, location: &Path) -> Option<String> {
        self.store.version_read(location)
    }

    /// The rows (non-blank, well-formed lines) each object of table `name` holds, by key, read
    /// from the source (from the store's read cache where it holds them): what a session
    /// without a cache can say of them (a cache's history carries them with every row).
    pub async fn rows_per_object(&self, name: &str) -> Result<hashbrown::HashMap<String, u64>> {
        let listing = self.listing(name).await?;
        // The reads that answered said the faults already.
        let report = ReadReport::default();
        let (store, read, report) = (&self.store, &self.options.read, &report);
        futures::stream::iter(listing.objects.iter().map(|object| async move {
            let keys = object_keys(store, object, read, report).await?;
            Ok::<_, Error>((object.location.to_string(), keys.lines as u64))
        }))
        .buffer_unordered(read.read_concurrency.max(1))
        .try_collect()
        .await
    }

    /// A table's definition (lists and reads its objects the first time).
    pub async fn table(&self, name: &str) -> Result<Arc<TableDef>> {
        self.tables.definition(name).await
    }

    /// Every listing made so far, by any statement.
    pub fn listed(&self) -> Vec<Arc<TypeListing>> {
        let mut listed = self.tables.listed();
        for tables in self.scoped.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            listed.extend(tables.listed());
        }
        listed
    }

    /// Entries passed over as not inventory, in the layout and in every listing so far.
    pub fn skipped(&self) -> Vec<Skipped> {
        let mut skipped: Vec<Skipped> = self.layout.skipped.clone();
        for listing in self.listed() {
            skipped.extend(listing.skipped.iter().cloned());
        }
        skipped.sort();
        skipped.dedup();
        skipped
    }

    /// `--account`/`--region` values that matched no partition folder: accounts against every
    /// type folder, regions against the accounts listed so far.
    pub fn unmatched_filters(&self) -> Vec<UnmatchedFilter> {
        let filter = &self.options.filter;
        let accounts = self.layout.accounts();
        let mut unmatched: Vec<UnmatchedFilter> = filter
            .accounts
            .iter()
            .flatten()
            .filter(|a| !accounts.contains(a.as_str()))
            .map(|a| UnmatchedFilter::Account(a.clone()))
            .collect();
        let listed = self.listed();
        if !listed.is_empty() {
            let regions: BTreeSet<&String> = listed.iter().flat_map(|l| &l.regions_seen).collect();
            unmatched.extend(
                filter
                    .regions
                    .iter()
                    .flatten()
                    .filter(|r| !regions.contains(r))
                    .map(|r| UnmatchedFilter::Region(r.clone())),
            );
        }
        unmatched
    }

    /// One row per table: name, TypeName, objects, accounts, regions, bytes. Lists every table.
    pub async fn tables_overview(&self) -> Result<RecordBatch> {
        let names = self.tables.names();
        let mut listings = Vec::with_capacity(names.len());
        for name in &names {
            listings.push(self.tables.listing(name).await?);
        }
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
        let mut statements = parse_statements(text)?;
        match statements.len() {
            0 => Err(Error::NoStatement),
            1 => {
                self.plan(statements.pop().expect("one statement"), None)
                    .await
            }
            count => Err(Error::SeveralStatements { count }),
        }
    }

    /// Plans one statement of [`parse_statements`].
    pub async fn statement(&self, statement: Statement) -> Result<DataFrame> {
        self.plan(statement, None).await
    }

    /// Plans a report with the user's parameters bound to its placeholders; a parameter
    /// that defaults to now defaults to the moment the session answers for.
    pub async fn report(&self, report: &Report, params: &[(String, String)]) -> Result<DataFrame> {
        let values = report.bind(params, self.moment())?;
        if report.needs_history {
            let lake = self.cached().ok_or_else(|| Error::PastWithoutCache {
                source_text: "this source".to_owned(),
            })?;
            within_history(report, &values, lake)?;
        }
        let mut statements = parse_statements(&report.sql)?;
        if statements.len() != 1 {
            return Err(Error::ReportDefinition {
                report: report.name.clone(),
                problem: "it must hold exactly one statement".to_owned(),
            });
        }
        self.plan(statements.pop().expect("one statement"), Some(values))
            .await
    }

    /// Where SQL and reports meet: refuse anything but reads, scope, plan, bind.
    async fn plan(&self, statement: Statement, params: Option<ParamValues>) -> Result<DataFrame> {
        let statement = statement.parsed;
        check_read_only(&statement)?;
        // A table whose columns this statement learns keeps the values of the columns it
        // names, so its scan parses each object once.
        let named = named_columns(&statement);
        self.tables.keep_columns(named.as_ref());
        if self.options.scope_statements {
            let scope = statement_scope(&statement);
            if scope.restricts_anything() {
                let tables = Arc::new(LakeTables::new(
                    Arc::clone(&self.layout),
                    self.store.clone(),
                    self.options.read.clone(),
                    Arc::clone(&self.report),
                    &self.options.filter,
                    &scope,
                ));
                tables.keep_columns(named.as_ref());
                let ctx = self.context_for(&tables);
                self.scoped
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(tables);
                match plan_in(&ctx, statement.clone(), params.clone()).await {
                    // A column only objects outside the scope hold: learn from every partition.
                    Err(e) if e.is_unknown_column() => {}
                    planned => return planned,
                }
            }
        }
        plan_in(&self.ctx, statement, params).await
    }
}

/// Plans a checked statement in `ctx` and binds its parameters.
async fn plan_in(
    ctx: &SessionContext,
    statement: DfStatement,
    params: Option<ParamValues>,
) -> Result<DataFrame> {
    let state = ctx.state();
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

/// One parsed statement, as Athena would read it.
#[derive(Debug, Clone)]
pub struct Statement {
    parsed: DfStatement,
    renamed: Vec<WrittenName>,
}

impl Statement {
    /// Result columns planned under another name than written, to be unique (`name_1` for a
    /// second `name`): outputs whose column names may repeat show the written ones.
    pub fn renamed_columns(&self) -> &[WrittenName] {
        &self.renamed
    }

    /// The statement as DataFusion plans it.
    pub(crate) fn into_parsed(self) -> DfStatement {
        self.parsed
    }
}

impl std::fmt::Display for Statement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.parsed.fmt(f)
    }
}

/// Parses `;`-separated SQL text the way Athena reads it: quoted identifiers folded to
/// lowercase, Athena's aggregate spellings rewritten, result columns named as Athena names
/// them (see [`crate::sql::dialect`]).
pub fn parse_statements(text: &str) -> Result<Vec<Statement>> {
    let folded = rewrite_time_travel(&fold_quoted_identifiers(text)?)?;
    let statements = DFParserBuilder::new(folded.as_str())
        .with_dialect(&GenericDialect {})
        .build()?
        .parse_statements()?;
    statements
        .into_iter()
        .map(|mut parsed| {
            rewrite_functions(&mut parsed)?;
            let renamed = name_result_columns(&mut parsed);
            Ok(Statement { parsed, renamed })
        })
        .collect()
}

/// An account or Region the session was asked to keep that the lake does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnmatchedFilter {
    /// An account id.
    Account(String),
    /// A Region.
    Region(String),
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

/// Refuses a history report's moment the cache's history does not reach back to: before
/// its oldest snapshot the cache knows nothing of the lake, so every row would look new.
fn within_history(report: &Report, values: &ParamValues, lake: &CachedLake) -> Result<()> {
    let ParamValues::Map(values) = values else {
        return Ok(());
    };
    let Some(oldest) = lake.snapshots().first() else {
        return Err(Error::NoHistory);
    };
    for (name, value) in values {
        let datafusion::scalar::ScalarValue::TimestampNanosecond(Some(nanos), _) = value.value
        else {
            continue;
        };
        let moment = DateTime::from_timestamp_nanos(nanos);
        // Whole seconds could print the two as the same time.
        let precise = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        if moment < oldest.taken_at {
            return Err(Error::ReportParam {
                report: report.name.clone(),
                problem: format!(
                    "parameter `{name}` is {}, before the cache's history begins (snapshot {}, \
                     taken {}); `ssmq history` lists the snapshots kept",
                    precise(moment),
                    oldest.number,
                    precise(oldest.taken_at)
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(sql: &str) -> std::result::Result<(), String> {
        let statement = crate::sql::parse_one(sql);
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
