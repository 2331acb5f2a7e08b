//! The evidence bundle: what was checked, how, over which data, with what result, in files
//! that can be shown later not to have been altered.
//!
//! In: a session (the lake now, or as of a moment), the controls and reports chosen, and how
//! the command was run. Out, from [`write_bundle`], a folder written all or nothing:
//!
//! ```text
//! report.html                         one page for people: the results, per account and
//!                                     Region, the oldest critical findings, the trend (see
//!                                     `output::evidence_page`)
//! checks.csv, checks.parquet          every control's rows (see `sql::controls`)
//! reports/<name>.csv, .parquet        each report chosen
//! queries/controls/<id>.sql           the exact SQL of each control
//! queries/<name>.sql                  and of each report (those the page reads too)
//! sources.csv                         every object the answers were computed from: table,
//!                                     key, e_tag, version, size, last_modified, rows
//! manifest.json                       ssmq's version, the command, when, the source, the
//!                                     moment and snapshot, the controls (with their
//!                                     parameters) and reports, row counts, the SHA-256 of
//!                                     sources.csv, and every other file's path, SHA-256 and
//!                                     bytes
//! ```
//!
//! [`verify`] recomputes every hash and names each file that differs, is missing or was added;
//! [`rerun`] computes the bundle again from the cache's history and names each file that
//! comes out otherwise. Two bundles of the same moment differ only in the manifest's
//! `created_at`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, AsArray};
use arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use arrow::datatypes::{Int64Type, UInt64Type};
use chrono::{DateTime, SubsecRound, Utc};
use datafusion::physical_plan::memory::MemoryStream;
use hashbrown::HashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cache::Snapshot;
use crate::error::{Error, Result};
use crate::output::evidence_page::{self, Facts, page_reports};
use crate::output::format::{Format, OutputOptions, write_file};
use crate::sql::controls::{Control, check};
use crate::sql::reports::Report;
use crate::sql::session::LakeSession;

/// The manifest's name in the bundle.
pub const MANIFEST: &str = "manifest.json";

/// What goes in a bundle.
#[derive(Debug, Clone)]
pub struct Bundle<'a> {
    /// The controls run.
    pub controls: Vec<&'a Control>,
    /// The reports written beside them (run with their defaults).
    pub reports: Vec<&'a Report>,
    /// Parameters of the controls.
    pub params: Vec<(String, String)>,
    /// The command line, as run.
    pub command: String,
    /// The source: its URI or folder (or "the built-in sample lake").
    pub source: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The ssmq that wrote it.
    pub ssmq_version: String,
    /// The command line.
    pub command: String,
    /// When the bundle was written (UTC).
    pub created_at: String,
    /// The source.
    pub source: String,
    /// The moment the answers are for (UTC).
    pub as_of: String,
    /// The cache's snapshot that answered, when a cache did.
    pub snapshot: Option<u64>,
    /// The controls run, by id, and the parameters given to them.
    pub controls: Vec<String>,
    pub params: BTreeMap<String, String>,
    /// The reports written, by name.
    pub reports: Vec<String>,
    /// Rows per file of results (`checks`, `reports/<name>`).
    pub rows: BTreeMap<String, u64>,
    /// Source objects listed in `sources.csv`.
    pub source_objects: u64,
    /// SHA-256 of `sources.csv`, the ordered source list.
    pub sources_sha256: String,
    /// Every other file, by path relative to the bundle, sorted.
    pub files: Vec<BundleFile>,
}

/// One file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFile {
    /// Relative to the bundle, with `/`.
    pub path: String,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

/// A file of a bundle that is not as its manifest says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Difference {
    /// Its bytes differ.
    Changed(String),
    /// It is gone.
    Missing(String),
    /// It is not in the manifest.
    Added(String),
    /// Computed again from the cache ([`rerun`]), it comes out otherwise (or not at all, or
    /// anew).
    Recomputed(String),
}

/// Writes the bundle of `bundle` on `session` to `out` (which must not exist, or be empty):
/// into a folder beside it, renamed into place when complete. Returns the manifest.
pub async fn write_bundle(
    session: &LakeSession,
    bundle: &Bundle<'_>,
    out: &Path,
) -> Result<Manifest> {
    let destination = |problem: String| Error::ExportDestination {
        destination: out.display().to_string(),
        source: problem.into(),
    };
    if fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(destination("exists and is not empty".to_owned()));
    }
    let name = out
        .file_name()
        .ok_or_else(|| destination("names no folder".to_owned()))?
        .to_string_lossy()
        .into_owned();
    let staging = out.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    // One moment for every file: a session of now would otherwise answer each call anew.
    let moment = moment(session);
    let written = write_files(session, bundle, &moment, &staging).await;
    let manifest = match written {
        Ok(rows) => finish(session, bundle, &moment, &staging, rows),
        Err(e) => Err(e),
    };
    let placed = manifest.and_then(|manifest| {
        let _ = fs::remove_dir(out);
        fs::rename(&staging, out).map_err(|e| destination(e.to_string()))?;
        Ok(manifest)
    });
    if placed.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    placed
}

/// The results, queries and source list, in `dir`; returns the rows per results file.
async fn write_files(
    session: &LakeSession,
    bundle: &Bundle<'_>,
    moment: &Moment,
    dir: &Path,
) -> Result<BTreeMap<String, u64>> {
    fs::create_dir_all(dir.join("queries/controls")).map_err(|e| io(dir, e))?;
    fs::create_dir_all(dir.join("reports")).map_err(|e| io(dir, e))?;
    let mut rows = BTreeMap::new();
    let checks = check(session, &bundle.controls, &bundle.params).await?;
    rows.insert(
        "checks".to_owned(),
        both_formats(&checks, &dir.join("checks")).await?,
    );
    for control in &bundle.controls {
        let path = dir.join(format!("queries/controls/{}.sql", control.id()));
        fs::write(&path, &control.query.sql).map_err(|e| io(&path, e))?;
    }
    // Each report runs once: the chosen ones are written, the page reads them and its own.
    let mut results = BTreeMap::new();
    for report in &bundle.reports {
        let batch = report_batch(session, report).await?;
        let name = format!("reports/{}", report.name);
        rows.insert(name.clone(), both_formats(&batch, &dir.join(&name)).await?);
        results.insert(report.name.clone(), batch);
    }
    for report in page_reports(session)? {
        if !results.contains_key(&report.name) {
            results.insert(report.name.clone(), report_batch(session, report).await?);
        }
    }
    for name in results.keys() {
        let path = dir.join(format!("queries/{name}.sql"));
        let sql = &crate::sql::reports::find_report(name)?.sql;
        fs::write(&path, sql).map_err(|e| io(&path, e))?;
    }
    let sources = sources(session, moment).await?;
    let source_objects = write(&sources, Format::Csv, &dir.join("sources.csv")).await?;
    rows.insert("sources".to_owned(), source_objects);
    let facts = Facts {
        source: bundle.source.clone(),
        as_of: moment.as_of.clone(),
        snapshot: match (&moment.snapshot, session.cached()) {
            (Some(snapshot), Some(_)) => format!(
                "{}, taken {} ({})",
                snapshot.number,
                crate::cache::history::time_text(snapshot.taken_at),
                snapshot.origin
            ),
            _ => "none: read from the source, not from a cache".to_owned(),
        },
        source_objects,
    };
    let page = evidence_page::render(session, &bundle.controls, &checks, &results, &facts).await?;
    let path = dir.join("report.html");
    fs::write(&path, page).map_err(|e| io(&path, e))?;
    Ok(rows)
}

/// The rows of `report` (with its defaults) on `session`, in one batch.
async fn report_batch(session: &LakeSession, report: &Report) -> Result<RecordBatch> {
    let frame = session.report(report, &[]).await?;
    let schema = Arc::new(frame.schema().as_arrow().clone());
    Ok(arrow::compute::concat_batches(
        &schema,
        &frame.collect().await?,
    )?)
}

/// The moment a bundle's answers are for.
#[derive(Debug, Clone)]
struct Moment {
    at: DateTime<Utc>,
    /// `at` in RFC 3339, to the microsecond.
    as_of: String,
    /// The snapshot that answered, when a cache did (and had one).
    snapshot: Option<Snapshot>,
}

fn moment(session: &LakeSession) -> Moment {
    let at = session.moment().trunc_subsecs(6);
    Moment {
        at,
        as_of: crate::cache::history::time_text(at),
        snapshot: session.cached().and_then(|lake| match lake.past() {
            Some(past) => Some(past.snapshot.clone()),
            None => lake.snapshots().last().cloned(),
        }),
    }
}

/// Every object of every table of the session's lake, by table and key: table, key, e_tag,
/// version (S3's version id, where known), size, last_modified, and rows (what it held at
/// `moment`).
async fn sources(session: &LakeSession, moment: &Moment) -> Result<RecordBatch> {
    let (mut tables, mut keys, mut e_tags, mut versions) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut sizes, mut modified, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    let mut names = session.table_names();
    names.sort();
    for table in names {
        let held = rows_per_object(session, &table, moment.at).await?;
        let listing = session.listing(&table).await?;
        let mut objects: Vec<_> = listing.objects.iter().collect();
        objects.sort_by(|a, b| a.location.as_ref().cmp(b.location.as_ref()));
        for object in objects {
            let key = object.location.to_string();
            rows.push(held.get(&key).copied().unwrap_or(0));
            tables.push(table.clone());
            keys.push(key);
            e_tags.push(object.e_tag.clone());
            versions.push(
                object
                    .version
                    .clone()
                    .or_else(|| session.version_read(&object.location)),
            );
            sizes.push(object.size);
            modified.push(object.last_modified.timestamp_micros());
        }
    }
    let text = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
    let schema = Schema::new(vec![
        text("table", false),
        text("key", false),
        text("e_tag", true),
        text("version", true),
        Field::new("size", DataType::UInt64, false),
        Field::new(
            "last_modified",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        Field::new("rows", DataType::UInt64, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(tables)),
        Arc::new(StringArray::from(keys)),
        Arc::new(StringArray::from(e_tags)),
        Arc::new(StringArray::from(versions)),
        Arc::new(UInt64Array::from(sizes)),
        Arc::new(TimestampMicrosecondArray::from(modified).with_timezone("UTC")),
        Arc::new(UInt64Array::from(rows)),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).map_err(Error::from)
}

/// The rows each object of `table` held at `moment`, by key: from the cache's history (every
/// version's rows carry their object's key and validity), or, without a cache, counted in the
/// objects themselves.
async fn rows_per_object(
    session: &LakeSession,
    table: &str,
    moment: DateTime<Utc>,
) -> Result<HashMap<String, u64>> {
    if session.cached().is_none() {
        return session.rows_per_object(table).await;
    }
    let sql = format!(
        "SELECT _source_key, _valid_from, _valid_to, count(*) AS n FROM history.\"{}\" \
         GROUP BY _source_key, _valid_from, _valid_to",
        table.replace('"', "\"\"")
    );
    let batches = session.context().sql(&sql).await?.collect().await?;
    let micros = |column: &ArrayRef| -> Result<Vec<Option<i64>>> {
        let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let cast = arrow::compute::cast(&arrow::compute::cast(column, &utc)?, &DataType::Int64)?;
        Ok(cast.as_primitive::<Int64Type>().iter().collect())
    };
    let at = moment.timestamp_micros();
    let mut held = HashMap::new();
    for batch in &batches {
        let keys = arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let keys = keys.as_string::<i32>();
        let (from, to) = (micros(batch.column(1))?, micros(batch.column(2))?);
        let counts = arrow::compute::cast(batch.column(3), &DataType::UInt64)?;
        let counts = counts.as_primitive::<UInt64Type>();
        for row in 0..batch.num_rows() {
            let valid = from[row].is_none_or(|from| from <= at) && to[row].is_none_or(|to| to > at);
            if valid && keys.is_valid(row) {
                *held.entry(keys.value(row).to_owned()).or_insert(0) += counts.value(row);
            }
        }
    }
    Ok(held)
}

/// `batch` as `<stem>.csv` and `<stem>.parquet`; returns its rows.
async fn both_formats(batch: &RecordBatch, stem: &Path) -> Result<u64> {
    write(batch, Format::Parquet, &stem.with_extension("parquet")).await?;
    write(batch, Format::Csv, &stem.with_extension("csv")).await
}

async fn write(batch: &RecordBatch, format: Format, path: &Path) -> Result<u64> {
    let stream = MemoryStream::try_new(vec![batch.clone()], batch.schema(), None)?;
    write_file(Box::pin(stream), format, OutputOptions::default(), path).await
}

/// The manifest of the files in `dir`, written into it.
fn finish(
    session: &LakeSession,
    bundle: &Bundle<'_>,
    moment: &Moment,
    dir: &Path,
    rows: BTreeMap<String, u64>,
) -> Result<Manifest> {
    let mut rows = rows;
    let source_objects = rows.remove("sources").unwrap_or(0);
    let mut files = hashed_files(dir)?;
    let sources_sha256 = files
        .iter()
        .find(|f| f.path == "sources.csv")
        .map(|f| f.sha256.clone())
        .unwrap_or_default();
    files.retain(|f| f.path != MANIFEST);
    // A cache with no snapshot yet is numbered 0, as before it had any.
    let snapshot = session
        .cached()
        .map(|_| moment.snapshot.as_ref().map_or(0, |s| s.number));
    let manifest = Manifest {
        ssmq_version: env!("CARGO_PKG_VERSION").to_owned(),
        command: bundle.command.clone(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source: bundle.source.clone(),
        as_of: moment.as_of.clone(),
        snapshot,
        controls: bundle.controls.iter().map(|c| c.id().to_owned()).collect(),
        params: bundle.params.iter().cloned().collect(),
        reports: bundle.reports.iter().map(|r| r.name.clone()).collect(),
        rows,
        source_objects,
        sources_sha256,
        files,
    };
    let path = dir.join(MANIFEST);
    let text = serde_json::to_string_pretty(&manifest).expect("a manifest serialises");
    fs::write(&path, text + "\n").map_err(|e| io(&path, e))?;
    Ok(manifest)
}

/// Every file below `dir` with its SHA-256 and size, by relative path.
fn hashed_files(dir: &Path) -> Result<Vec<BundleFile>> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).map_err(|e| io(&folder, e))? {
            let path = entry.map_err(|e| io(&folder, e))?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let bytes = fs::read(&path).map_err(|e| io(&path, e))?;
            let relative = path.strip_prefix(dir).expect("below the bundle");
            files.push(BundleFile {
                path: relative.to_string_lossy().replace('\\', "/"),
                sha256: hex(&Sha256::digest(&bytes)),
                bytes: bytes.len() as u64,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest of the bundle in `dir`.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = fs::read(&path).map_err(|e| io(&path, e))?;
    serde_json::from_slice(&text).map_err(|source| Error::EvidenceManifest {
        path: path.display().to_string(),
        source,
    })
}

/// The files of the bundle in `dir` that are not as its manifest says (none when intact).
pub fn verify(dir: &Path) -> Result<Vec<Difference>> {
    let manifest = read_manifest(dir)?;
    let listed: BTreeMap<&str, &BundleFile> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let found = hashed_files(dir)?;
    let mut differences = Vec::new();
    for file in &found {
        match listed.get(file.path.as_str()) {
            Some(expected) if *expected == file => {}
            Some(_) => differences.push(Difference::Changed(file.path.clone())),
            None if file.path == MANIFEST => {}
            None => differences.push(Difference::Added(file.path.clone())),
        }
    }
    for path in listed.keys() {
        if !found.iter().any(|f| f.path == *path) {
            differences.push(Difference::Missing((*path).to_owned()));
        }
    }
    if let Some(sources) = found.iter().find(|f| f.path == "sources.csv")
        && sources.sha256 != manifest.sources_sha256
        && !differences.contains(&Difference::Changed("sources.csv".to_owned()))
    {
        differences.push(Difference::Changed("sources.csv".to_owned()));
    }
    differences.sort();
    Ok(differences)
}

/// The files of the bundle `manifest` describes that come out otherwise when the bundle is
/// computed again on `session` (which answers for the manifest's moment from the cache): its
/// controls with their parameters and its reports, written into a temporary folder and
/// compared file by file by hash. None when every result, query, source list and the page
/// are as they were.
pub async fn rerun(session: &LakeSession, manifest: &Manifest) -> Result<Vec<Difference>> {
    let controls = crate::sql::controls::select_controls(&manifest.controls, None)?;
    let reports = manifest
        .reports
        .iter()
        .map(|name| crate::sql::reports::find_report(name))
        .collect::<Result<Vec<_>>>()?;
    let bundle = Bundle {
        controls,
        reports,
        params: manifest
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        command: manifest.command.clone(),
        source: manifest.source.clone(),
    };
    let scratch = tempfile::tempdir().map_err(|e| io(&std::env::temp_dir(), e))?;
    let again = write_bundle(session, &bundle, &scratch.path().join("rerun")).await?;
    let hashes = |files: &[BundleFile]| -> BTreeMap<String, String> {
        files
            .iter()
            .map(|f| (f.path.clone(), f.sha256.clone()))
            .collect()
    };
    let (before, after) = (hashes(&manifest.files), hashes(&again.files));
    let mut differences: Vec<Difference> = before
        .keys()
        .chain(after.keys())
        .filter(|path| before.get(*path) != after.get(*path))
        .map(|path| Difference::Recomputed(path.clone()))
        .collect();
    differences.sort();
    differences.dedup();
    Ok(differences)
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        source: e,
    }
}
