//! Registration: the only place that builds DataFusion providers.
//!
//! In: a lake's layout and its store. Out: a `SessionContext` whose catalog `awsdatacatalog`
//! holds one database (`ssm_global_resource_sync` by default) with a table per inventory type.
//! A table's objects are listed, and its columns learnt (one read of its objects), the first
//! time a statement names it, then kept; statements that do not name a table never list or
//! read its objects.
//!
//! Filters on `accountid`, `region` and `resourcetype` are applied to partitions before any
//! object is read and reported to DataFusion as exact, so no filter runs on the rows again.
//! A table served from the cache applies every filter in its scan of the segments, while
//! they are decoded (the columns the filters read as string views), and reports them exact.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arrow::array::{Array, AsArray, BooleanArray, RecordBatch, StringArray};
use arrow::datatypes::UInt64Type;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{CatalogProvider, SchemaProvider, Session, TableProvider};
use datafusion::common::DFSchema;
use datafusion::common::ScalarValue;
use datafusion::datasource::MemTable;
use datafusion::datasource::ViewTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::helpers::expr_applicable_for_cols;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::{TableType, provider_as_source};
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, JoinType, LogicalPlan, LogicalPlanBuilder, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, TableProviderFilterPushDown, Volatility, cast,
};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::prelude::{SessionConfig, SessionContext, col, lit};
use tokio::sync::OnceCell;

use crate::cache::history::AsOf;
use crate::cache::{
    CachedLake, VALIDITY_VERSION, VERSION_COLUMN, Versions, segment_schema, validity_schema,
};
use crate::error::{Error, Result};
use crate::lake::catalog::{TableDef, infer_table, table_name};
use crate::lake::discover::{
    LakeLayout, PARTITION_KEYS, Partition, PartitionFilter, SyncObject, TypeFolder, TypeListing,
    list_type,
};
use crate::lake::documented::DOCUMENTED_TYPES;
use crate::lake::kept::{KeptColumns, KeptRows};
use crate::lake::read::{ReadOptions, ReadReport};
use crate::lake::scan::SyncScanExec;
use crate::source::LakeStore;
use crate::sql::dialect::MOMENT_MARK;
use crate::sql::scope::StatementScope;
use crate::sql::session::parse_statements;
use crate::sql::views::{View, builtin_views, find_view};

/// The catalog name Athena users qualify tables with.
pub const CATALOG_NAME: &str = "awsdatacatalog";
/// The database name AWS's samples give the Glue database of a sync.
pub const DEFAULT_DATABASE: &str = "ssm_global_resource_sync";

/// The lake's tables, keyed by table name. Each lists its objects (within its filter) and
/// learns its columns the first time it is used, then keeps both; learning them it also keeps
/// the values of the columns the statement being planned names, for that statement's scan.
#[derive(Debug)]
pub struct LakeTables {
    layout: Arc<LakeLayout>,
    /// Where tables come from when the lake is answered from its cache.
    cached: Option<Arc<CachedLake>>,
    store: LakeStore,
    options: ReadOptions,
    report: Arc<ReadReport>,
    tables: BTreeMap<String, LakeTable>,
    /// The columns the statement being planned names, kept from a table's first reading
    /// when it learns its columns ([`LakeTables::keep_columns`]).
    named: Mutex<Option<Arc<KeptColumns>>>,
}

#[derive(Debug)]
struct LakeTable {
    type_name: String,
    /// `None` for a documented AWS type the lake does not hold.
    folder: Option<TypeFolder>,
    filter: PartitionFilter,
    listing: OnceCell<Arc<TypeListing>>,
    def: OnceCell<Arc<TableDef>>,
    /// Rows kept when the columns were learnt, until a table provider takes them.
    kept: Mutex<Option<KeptRows>>,
}

impl LakeTables {
    /// One table per type folder of `layout`, and an empty one for each documented AWS type
    /// the lake lacks (so saved queries over them answer with no rows rather than fail). Each
    /// table keeps the partitions `filter` and its restriction in `scope` keep. Two types whose
    /// names fold to the same table name (which real syncs never produce) get a numeric
    /// suffix in TypeName order.
    pub fn new(
        layout: Arc<LakeLayout>,
        store: LakeStore,
        options: ReadOptions,
        report: Arc<ReadReport>,
        filter: &PartitionFilter,
        scope: &StatementScope,
    ) -> Self {
        let mut types: Vec<(String, Option<TypeFolder>)> = layout
            .types
            .iter()
            .map(|t| (t.type_name.clone(), Some(t.clone())))
            .collect();
        types.extend(
            DOCUMENTED_TYPES
                .iter()
                .filter(|(name, _)| layout.type_folder(name).is_none())
                .map(|(name, _)| ((*name).to_owned(), None)),
        );
        types.sort_by(|a, b| a.0.cmp(&b.0));
        let mut tables = BTreeMap::new();
        for (type_name, folder) in types {
            let base = table_name(&type_name);
            let mut name = base.clone();
            let mut n = 1;
            while tables.contains_key(&name) {
                n += 1;
                name = format!("{base}_{n}");
            }
            let filter = filter.intersect(&scope.filter(&name));
            tables.insert(
                name,
                LakeTable {
                    type_name,
                    folder,
                    filter,
                    listing: OnceCell::new(),
                    def: OnceCell::new(),
                    kept: Mutex::new(None),
                },
            );
        }
        LakeTables {
            layout,
            cached: None,
            store,
            options,
            report,
            tables,
            named: Mutex::new(None),
        }
    }

    /// Keeps the values of `columns` (names a statement spells, [`named_columns`]) when a table
    /// first learns its columns from the objects, so its scan need not read them again;
    /// `None` keeps nothing. Only an optimisation: a scan whose columns were not kept reads the
    /// objects.
    ///
    /// [`named_columns`]: crate::sql::scope::named_columns
    pub fn keep_columns(&self, columns: Option<&BTreeSet<String>>) {
        *self.named.lock().unwrap_or_else(|p| p.into_inner()) =
            columns.map(|c| Arc::new(KeptColumns::new(c)));
    }

    /// The same tables served from a generation of the lake's cache: listings, columns and
    /// rows come from it, and the source is never touched.
    pub fn from_cache(mut self, lake: Arc<CachedLake>) -> Self {
        self.cached = Some(lake);
        self
    }

    /// Table names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }

    /// A table's objects, listing them now if this is the table's first use.
    pub async fn listing(&self, name: &str) -> Result<Arc<TypeListing>> {
        let (_, table) = self.lookup(name)?;
        let listing = table
            .listing
            .get_or_try_init(|| async {
                let listing = match (&self.cached, &table.folder) {
                    (Some(lake), _) => lake.listing(&table.type_name, &table.filter).await?,
                    (None, Some(folder)) => {
                        list_type(&self.store, &self.layout.root, folder, &table.filter).await?
                    }
                    (None, None) => TypeListing {
                        type_name: table.type_name.clone(),
                        ..TypeListing::default()
                    },
                };
                Ok::<_, Error>(Arc::new(listing))
            })
            .await?;
        Ok(Arc::clone(listing))
    }

    /// The listings made so far.
    pub fn listed(&self) -> Vec<Arc<TypeListing>> {
        self.tables
            .values()
            .filter_map(|t| t.listing.get().cloned())
            .collect()
    }

    /// A table's definition, learning its columns now if this is its first use.
    pub async fn definition(&self, name: &str) -> Result<Arc<TableDef>> {
        let (canonical, table) = self.lookup(name)?;
        let def = table
            .def
            .get_or_try_init(|| async {
                let mut def = match &self.cached {
                    Some(lake) => lake.definition(&table.type_name, &table.filter).await?,
                    None => {
                        let listing = self.listing(name).await?;
                        let keep = self.named.lock().unwrap_or_else(|p| p.into_inner()).clone();
                        let (def, kept) =
                            infer_table(&self.store, &listing, &self.options, &self.report, keep)
                                .await?;
                        *table.kept.lock().unwrap_or_else(|p| p.into_inner()) = kept;
                        def
                    }
                };
                def.name = canonical.to_owned();
                Ok::<_, Error>(Arc::new(def))
            })
            .await?;
        Ok(Arc::clone(def))
    }

    /// Finds a table by the name a user wrote: any case, and the TypeName spelling
    /// (`AWS:Application`) works as well as the table name. An unknown name is an error
    /// listing the tables there are (DataFusion's own message would name neither).
    fn lookup(&self, name: &str) -> Result<(&str, &LakeTable)> {
        self.tables
            .get_key_value(&table_name(name))
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| Error::UnknownTable {
                name: name.to_owned(),
                available: self.names(),
            })
    }

    /// The DataFusion table. A name with a moment (`aws_tag@2026-10-31T23:59:59Z`,
    /// `aws_tag@snapshot:12`, written by [`crate::sql::dialect::rewrite_time_travel`]) is the
    /// table as it stood then, from the cache's history.
    async fn provider(&self, name: &str) -> Result<Arc<dyn TableProvider>> {
        if let Some((table, moment)) = name.split_once(MOMENT_MARK) {
            return self.provider_in_the_past(table, moment).await;
        }
        let def = self.definition(name).await?;
        if let Some(lake) = &self.cached {
            return self.cached_table(lake, name, def).await;
        }
        let listing = self.listing(name).await?;
        let (_, table) = self.lookup(name)?;
        let kept = table.kept.lock().unwrap_or_else(|p| p.into_inner()).take();
        Ok(Arc::new(TypeTable {
            def,
            rows: TableRows::Objects {
                store: self.store.clone(),
                objects: listing,
                options: self.options.clone(),
                report: Arc::clone(&self.report),
                kept: Mutex::new(kept),
            },
        }))
    }
}

impl LakeTables {
    /// Table `name` as it stood at `moment` (an [`AsOf`]'s text).
    async fn provider_in_the_past(
        &self,
        name: &str,
        moment: &str,
    ) -> Result<Arc<dyn TableProvider>> {
        let as_of: AsOf = moment.parse().map_err(|problem| Error::TimeTravel {
            clause: moment.to_owned(),
            problem,
        })?;
        let Some(lake) = &self.cached else {
            return Err(Error::PastWithoutCache {
                source_text: "this source".to_owned(),
            });
        };
        let past = lake.at(as_of)?;
        let (canonical, table) = self.lookup(name)?;
        let mut def = past.definition(&table.type_name, &table.filter).await?;
        def.name = canonical.to_owned();
        self.cached_table(&past, name, Arc::new(def)).await
    }

    /// `history.<name>`: every retained row of table `name`, with when it was valid.
    async fn history_provider(&self, name: &str) -> Result<Arc<dyn TableProvider>> {
        let Some(lake) = &self.cached else {
            return self.history_of_now(name).await;
        };
        let whole = lake.whole_history();
        let (canonical, table) = self.lookup(name)?;
        let mut def = whole.definition(&table.type_name, &table.filter).await?;
        def.name = canonical.to_owned();
        let (segments, left_out) = whole.segments(&table.type_name, &table.filter).await?;
        let validity = lake.validity(&table.type_name, &table.filter).await?;
        let plan = history_plan(&def, &segments, &table.filter, &left_out, validity)
            .map_err(Error::from)?;
        Ok(Arc::new(ViewTable::new(plan, None)))
    }

    /// `history.<name>` of a source without a cache: its rows now, with no validity known
    /// (the validity columns NULL), so history-based reports run everywhere.
    async fn history_of_now(&self, name: &str) -> Result<Arc<dyn TableProvider>> {
        let now = self.provider(name).await?;
        let plan = || -> DfResult<LogicalPlan> {
            let scan = LogicalPlanBuilder::scan(name, provider_as_source(now), None)?;
            let columns = scan.schema().columns().into_iter().map(Expr::Column);
            let unknown = validity_schema()
                .fields()
                .iter()
                .skip(1)
                .map(|f| Ok(lit(ScalarValue::try_from(f.data_type())?).alias(f.name())))
                .collect::<DfResult<Vec<_>>>()?;
            scan.project(columns.chain(unknown))?.build()
        };
        Ok(Arc::new(ViewTable::new(plan()?, None)))
    }

    /// Table `name`, of columns `def`, served from `lake`'s segments.
    async fn cached_table(
        &self,
        lake: &CachedLake,
        name: &str,
        def: Arc<TableDef>,
    ) -> Result<Arc<dyn TableProvider>> {
        let (_, table) = self.lookup(name)?;
        let (segments, dead) = lake.segments(&table.type_name, &table.filter).await?;
        Ok(Arc::new(TypeTable {
            def,
            rows: TableRows::Segments {
                segments,
                dead,
                filter: table.filter.clone(),
            },
        }))
    }
}

/// A DataFusion session over the lake's tables.
pub fn session_context(
    tables: Arc<LakeTables>,
    database: &str,
    target_partitions: usize,
) -> SessionContext {
    let mut config = SessionConfig::new()
        .with_default_catalog_and_schema(CATALOG_NAME, database)
        .with_create_default_catalog_and_schema(false)
        .with_information_schema(true)
        .with_target_partitions(target_partitions.max(1));
    // Cached segments are Parquet: filters run while a segment is decoded, so the columns
    // of rows they drop are not decoded at all (a warm report read ~20% less CPU at 10k nodes).
    let parquet = &mut config.options_mut().execution.parquet;
    parquet.pushdown_filters = true;
    parquet.reorder_filters = true;
    let mut ctx = SessionContext::new_with_config(config);
    crate::sql::functions::register(&mut ctx);
    ctx.register_catalog(
        CATALOG_NAME,
        Arc::new(LakeCatalog {
            database: database.to_owned(),
            schema: Arc::new(LakeSchema {
                tables,
                database: database.to_owned(),
                target_partitions,
            }),
        }),
    );
    ctx
}

#[derive(Debug)]
struct LakeCatalog {
    database: String,
    schema: Arc<LakeSchema>,
}

impl CatalogProvider for LakeCatalog {
    /// The `history` schema is listed only where there is history: a cached lake.
    fn schema_names(&self) -> Vec<String> {
        let mut names = vec![self.database.clone()];
        if self.schema.tables.cached.is_some() {
            names.push(HISTORY_SCHEMA.to_owned());
        }
        names
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        if name.eq_ignore_ascii_case(HISTORY_SCHEMA) {
            return Some(Arc::new(HistorySchema {
                tables: Arc::clone(&self.schema.tables),
            }));
        }
        name.eq_ignore_ascii_case(&self.database)
            .then(|| Arc::clone(&self.schema) as Arc<dyn SchemaProvider>)
    }
}

/// The schema of the `history.` tables: each inventory table with every row history keeps,
/// and [`SNAPSHOTS_TABLE`].
pub const HISTORY_SCHEMA: &str = "history";

#[derive(Debug)]
struct HistorySchema {
    tables: Arc<LakeTables>,
}

#[async_trait]
impl SchemaProvider for HistorySchema {
    /// None without a cache; a table named anyway is an error saying why.
    fn table_names(&self) -> Vec<String> {
        match self.tables.cached {
            Some(_) => {
                let mut names = self.tables.names();
                names.push(SNAPSHOTS_TABLE.to_owned());
                names
            }
            None => Vec::new(),
        }
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>, DataFusionError> {
        if name.eq_ignore_ascii_case(SNAPSHOTS_TABLE) {
            let known = self.tables.cached.as_deref().map_or(&[][..], |lake| {
                let snapshots = lake.snapshots();
                // In a past view, the snapshots taken by then.
                let known = lake.past().map_or(snapshots.len(), |past| {
                    snapshots.partition_point(|s| s.number <= past.snapshot.number)
                });
                &snapshots[..known]
            });
            let batch = crate::cache::history::snapshots_batch(known);
            return Ok(Some(Arc::new(MemTable::try_new(
                batch.schema(),
                vec![vec![batch]],
            )?)));
        }
        self.tables
            .history_provider(name)
            .await
            .map(Some)
            .map_err(|e| DataFusionError::External(Box::new(e)))
    }

    fn table_exist(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(SNAPSHOTS_TABLE) || self.tables.lookup(name).is_ok()
    }
}

/// `history.snapshots`: the snapshots the cache keeps, as `ssmq history` lists them (none
/// without a cache).
pub const SNAPSHOTS_TABLE: &str = "snapshots";

#[derive(Debug)]
struct LakeSchema {
    tables: Arc<LakeTables>,
    /// What a view is planned in: a session over the same tables.
    database: String,
    target_partitions: usize,
}

impl LakeSchema {
    /// A built-in view planned over this schema's tables, in a session like the statement's.
    async fn view(&self, view: &View) -> Result<Arc<dyn TableProvider>> {
        let ctx = session_context(
            Arc::clone(&self.tables),
            &self.database,
            self.target_partitions,
        );
        let statement = parse_statements(&view.sql)?
            .pop()
            .expect("a built-in view holds one query");
        let plan = ctx
            .state()
            .statement_to_plan(statement.into_parsed())
            .await?;
        Ok(Arc::new(ViewTable::new(plan, Some(view.sql.clone()))))
    }
}

#[async_trait]
impl SchemaProvider for LakeSchema {
    fn table_names(&self) -> Vec<String> {
        let mut names = self.tables.names();
        names.extend(builtin_views().iter().map(|v| v.name.clone()));
        names
    }

    async fn table(&self, name: &str) -> DfResult<Option<Arc<dyn TableProvider>>, DataFusionError> {
        let provider = match find_view(name) {
            Some(view) => self.view(view).await,
            None => self.tables.provider(name).await,
        };
        provider
            .map(Some)
            .map_err(|e| DataFusionError::External(Box::new(e)))
    }

    fn table_exist(&self, name: &str) -> bool {
        let table = name
            .split_once(MOMENT_MARK)
            .map_or(name, |(table, _)| table);
        find_view(table).is_some() || self.tables.lookup(table).is_ok()
    }
}

/// One inventory type as a DataFusion table: its columns, and where its rows come from.
#[derive(Debug)]
struct TypeTable {
    def: Arc<TableDef>,
    rows: TableRows,
}

/// Where a [`TypeTable`]'s rows come from.
#[derive(Debug)]
enum TableRows {
    /// The type's objects in the lake, read as the query runs.
    Objects {
        store: LakeStore,
        objects: Arc<TypeListing>,
        options: ReadOptions,
        report: Arc<ReadReport>,
        /// Rows the learning pass kept, taken by the first scan whose columns they hold.
        kept: Mutex<Option<KeptRows>>,
    },
    /// The lake's cache: the type's segment files, less the rows of object versions that are
    /// no longer current.
    Segments {
        /// Segment files holding rows within the session's filter, with the partitions each
        /// holds.
        segments: Vec<(PathBuf, Vec<Partition>)>,
        /// The session's `--account` / `--region`, for segments that also hold other
        /// partitions.
        filter: PartitionFilter,
        /// Versions whose rows are to be left out.
        dead: Vec<u64>,
    },
}

#[async_trait]
impl TableProvider for TypeTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.def.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        // Partition filters choose objects or whole segments; in segments, the rest prune row
        // groups of the files and run on the rows as they are decoded ([`SegmentScan::rows_of`]
        // applies every filter), so no filter above the scan evaluates them a second time.
        let otherwise = match self.rows {
            TableRows::Objects { .. } => TableProviderFilterPushDown::Unsupported,
            TableRows::Segments { .. } => TableProviderFilterPushDown::Exact,
        };
        Ok(partition_pushdown(filters, otherwise))
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let projection = projection
            .cloned()
            .unwrap_or_else(|| (0..self.def.columns.len()).collect());
        match &self.rows {
            TableRows::Objects {
                store,
                objects,
                options,
                report,
                kept,
            } => {
                let partition_filters = partition_filters(filters);
                let chosen = prune_partitions(state, &objects.objects, &partition_filters)?;
                let kept = kept
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take_if(|kept| self.def.kept_in(kept.columns(), &projection));
                Ok(Arc::new(SyncScanExec::new(
                    Arc::clone(&self.def),
                    store.clone(),
                    chosen,
                    objects.objects.len(),
                    projection,
                    limit,
                    state.config().target_partitions(),
                    options.clone(),
                    Arc::clone(report),
                    kept,
                )))
            }
            TableRows::Segments {
                segments,
                filter,
                dead,
            } => {
                let scan = SegmentScan {
                    def: &self.def,
                    segments,
                    filter,
                    dead,
                };
                scan.plan(state, projection, filters, limit).await
            }
        }
    }
}

/// A scan of a type's rows in the cache's segment files.
struct SegmentScan<'a> {
    def: &'a TableDef,
    segments: &'a [(PathBuf, Vec<Partition>)],
    filter: &'a PartitionFilter,
    dead: &'a [u64],
}

impl SegmentScan<'_> {
    /// The plan reading the `columns` of the rows that pass `filters`: the segments holding a
    /// partition the filters let through, without dead versions' rows.
    async fn plan(
        &self,
        state: &dyn Session,
        columns: Vec<usize>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let Some(mut plan) = self.rows(state, filters)? else {
            let schema = Arc::new(self.def.schema.project(&columns)?);
            return Ok(Arc::new(EmptyExec::new(schema)));
        };
        plan = plan.project(
            columns
                .iter()
                .map(|&i| col(self.def.schema.field(i).name().as_str())),
        )?;
        if limit.is_some() {
            plan = plan.limit(0, limit)?;
        }
        state.create_physical_plan(&plan.build()?).await
    }

    /// The rows that pass `filters`, with every column and their version: the segments holding
    /// a partition the filters let through, without the rows of versions left out. `None`
    /// when no segment is read.
    fn rows(&self, state: &dyn Session, filters: &[Expr]) -> DfResult<Option<LogicalPlanBuilder>> {
        let partition_filters = partition_filters(filters);
        // A segment is read when any of its partitions passes the filters; the filters then
        // run on its rows too.
        let partitions: Vec<&Partition> = self.segments.iter().flat_map(|(_, p)| p).collect();
        let mut verdicts = partition_verdicts(state, &partitions, &partition_filters)?.into_iter();
        let files: Vec<&PathBuf> = self
            .segments
            .iter()
            .filter(|(_, held)| {
                let kept: Vec<bool> = verdicts.by_ref().take(held.len()).collect();
                kept.contains(&true)
            })
            .map(|(file, _)| file)
            .collect();
        self.rows_of(&files, filters)
    }

    /// The rows of segment `files` that pass `filters`, as [`Self::rows`].
    fn rows_of(
        &self,
        files: &[&PathBuf],
        filters: &[Expr],
    ) -> DfResult<Option<LogicalPlanBuilder>> {
        if files.is_empty() {
            return Ok(None);
        }
        let urls = files
            .iter()
            .map(|f| ListingTableUrl::parse(f.to_string_lossy()))
            .collect::<DfResult<Vec<_>>>()?;
        let session_filter = [
            ("accountid", &self.filter.accounts),
            ("region", &self.filter.regions),
        ]
        .into_iter()
        .filter_map(|(column, kept)| {
            let values = kept.as_ref()?.iter().map(|v| lit(v.as_str())).collect();
            Some(col(column).in_list(values, false))
        });
        let filter = conjunction(filters.iter().cloned().chain(session_filter));
        let schema = segment_schema(&self.def.schema);
        let (read_schema, viewed) = match &filter {
            Some(filter) => filtered_as_views(&schema, filter),
            None => (Arc::clone(&schema), Vec::new()),
        };
        let options =
            ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(options)
            .with_schema(read_schema);
        let segments = ListingTable::try_new(config)?;
        let mut plan =
            LogicalPlanBuilder::scan("segments", provider_as_source(Arc::new(segments)), None)?;
        if !self.dead.is_empty() {
            plan = plan.filter(not_left_out(self.dead))?;
        }
        if let Some(filter) = filter {
            plan = plan.filter(filter)?;
        }
        if !viewed.is_empty() {
            // The rows that passed, with the table's own types again.
            plan = plan.project(schema.fields().iter().map(|f| {
                let column = col(f.name().as_str());
                if viewed.contains(f.name()) {
                    cast(column, f.data_type().clone()).alias(f.name())
                } else {
                    column
                }
            }))?;
        }
        Ok(Some(plan))
    }
}

/// `schema` with the text columns that `filter` reads as string views, and their names. The
/// filter runs on every row of the segments it reads; a view of a dictionary-encoded value
/// points into the page's dictionary, where a string is a copy of it (which was the largest
/// part of a warm report's decoding), so only the rows that pass are copied, when cast back.
fn filtered_as_views(schema: &SchemaRef, filter: &Expr) -> (SchemaRef, Vec<String>) {
    let read: HashSet<&str> = filter
        .column_refs()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let mut viewed = Vec::new();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if f.data_type() == &DataType::Utf8 && read.contains(f.name().as_str()) {
                viewed.push(f.name().clone());
                f.as_ref().clone().with_data_type(DataType::Utf8View)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    (Arc::new(Schema::new(fields)), viewed)
}

/// The plan of a `history.` table: a type's every retained row, current or not, joined to
/// when its version was valid. A view (a logical plan), so the query's optimizer plans the
/// join with the rest of the query.
fn history_plan(
    def: &TableDef,
    segments: &[(PathBuf, Vec<Partition>)],
    filter: &PartitionFilter,
    left_out: &[u64],
    validity: RecordBatch,
) -> DfResult<LogicalPlan> {
    let scan = SegmentScan {
        def,
        segments,
        filter,
        dead: left_out,
    };
    let files: Vec<&PathBuf> = segments.iter().map(|(file, _)| file).collect();
    let validity_schema = validity.schema();
    let columns = def
        .schema
        .fields()
        .iter()
        .chain(validity_schema.fields().iter().skip(1))
        .map(|f| col(f.name().as_str()));
    let versions = MemTable::try_new(validity.schema(), vec![vec![validity]])?;
    let versions =
        LogicalPlanBuilder::scan("validity", provider_as_source(Arc::new(versions)), None)?;
    let Some(rows) = scan.rows_of(&files, &[])? else {
        // No segment: the columns, and no rows.
        let empty = versions.limit(0, Some(0))?;
        let nulls = def
            .schema
            .fields()
            .iter()
            .map(|f| Ok(lit(ScalarValue::try_from(f.data_type())?).alias(f.name())))
            .collect::<DfResult<Vec<_>>>()?;
        let validity_columns = validity_schema
            .fields()
            .iter()
            .skip(1)
            .map(|f| col(f.name().as_str()));
        return empty
            .project(nulls.into_iter().chain(validity_columns))?
            .build();
    };
    rows.join(
        versions.build()?,
        JoinType::Inner,
        (vec![VERSION_COLUMN], vec![VALIDITY_VERSION]),
        None,
    )?
    .project(columns)?
    .build()
}

/// The filter keeping the rows whose version is not among `left_out`: a bit set looked up
/// per row. (`NOT IN` of the versions' literals grew with history: with 7,000 versions left
/// out, a warm report at 10k nodes took 2.6 times as long.)
fn not_left_out(left_out: &[u64]) -> Expr {
    let udf = ScalarUDF::new_from_impl(NotLeftOut {
        left_out: Arc::new(Versions::of(left_out.iter().copied())),
        signature: Signature::exact(vec![DataType::UInt64], Volatility::Immutable),
    });
    udf.call(vec![col(VERSION_COLUMN)])
}

/// `__ssmq_not_left_out(version)`: whether a row's version is not in the set.
#[derive(Debug)]
struct NotLeftOut {
    left_out: Arc<Versions>,
    signature: Signature,
}

impl PartialEq for NotLeftOut {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.left_out, &other.left_out)
    }
}

impl Eq for NotLeftOut {}

impl std::hash::Hash for NotLeftOut {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.left_out), state);
    }
}

impl ScalarUDFImpl for NotLeftOut {
    fn name(&self) -> &str {
        "__ssmq_not_left_out"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let versions = args.args[0].to_array(args.number_rows)?;
        let kept: BooleanArray = versions
            .as_primitive::<UInt64Type>()
            .iter()
            .map(|v| v.map(|v| !self.left_out.contains(v)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(kept)))
    }
}

/// Filters on partition columns alone are applied exactly, by choosing partitions; others get
/// `otherwise`.
fn partition_pushdown(
    filters: &[&Expr],
    otherwise: TableProviderFilterPushDown,
) -> Vec<TableProviderFilterPushDown> {
    filters
        .iter()
        .map(|f| {
            if expr_applicable_for_cols(&PARTITION_KEYS, f) {
                TableProviderFilterPushDown::Exact
            } else {
                otherwise.clone()
            }
        })
        .collect()
}

/// The filters that name partition columns alone.
fn partition_filters(filters: &[Expr]) -> Vec<Expr> {
    filters
        .iter()
        .filter(|f| expr_applicable_for_cols(&PARTITION_KEYS, f))
        .cloned()
        .collect()
}

/// The objects whose partition values satisfy every filter.
fn prune_partitions(
    state: &dyn Session,
    objects: &[SyncObject],
    filters: &[Expr],
) -> DfResult<Vec<SyncObject>> {
    let mut partitions: Vec<&Partition> = Vec::new();
    let mut seen = HashSet::new();
    for object in objects {
        if seen.insert(Arc::as_ptr(&object.partition)) {
            partitions.push(&object.partition);
        }
    }
    let verdicts = partition_verdicts(state, &partitions, filters)?;
    let kept: HashSet<*const Partition> = partitions
        .iter()
        .zip(verdicts)
        .filter(|(_, keep)| *keep)
        .map(|(p, _)| *p as *const Partition)
        .collect();
    Ok(objects
        .iter()
        .filter(|o| kept.contains(&Arc::as_ptr(&o.partition)))
        .cloned()
        .collect())
}

/// Whether each partition's values satisfy every filter (all do when there are none).
pub(crate) fn partition_verdicts(
    state: &dyn Session,
    partitions: &[&Partition],
    filters: &[Expr],
) -> DfResult<Vec<bool>> {
    let Some(filter) = conjunction(filters.iter().cloned()) else {
        return Ok(vec![true; partitions.len()]);
    };
    let schema = Arc::new(Schema::new(
        PARTITION_KEYS
            .iter()
            .map(|name| Field::new(*name, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let column = |value: fn(&Partition) -> &str| {
        Arc::new(
            partitions
                .iter()
                .map(|p| Some(value(p)))
                .collect::<StringArray>(),
        )
    };
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            column(|p| &p.account_id),
            column(|p| &p.region),
            column(|p| &p.resource_type),
        ],
    )?;
    let df_schema = DFSchema::try_from(schema.as_ref().clone())?;
    let predicate = state.create_physical_expr(filter, &df_schema)?;
    let verdicts = predicate.evaluate(&batch)?.into_array(batch.num_rows())?;
    let verdicts = verdicts.as_boolean();
    Ok((0..partitions.len())
        .map(|i| verdicts.is_valid(i) && verdicts.value(i))
        .collect())
}
