//! `ssmq export`: whole tables written where other engines (DuckDB, Spark, Trino, Athena) read
//! them without inferring anything, for nightly jobs.
//!
//! In: a [`LakeSession`], a destination (a store and a prefix: a directory or an S3 prefix) and
//! [`ExportOptions`]. Out: one file per table and partition,
//! `<prefix>/<table>/accountid=<a>/region=<r>/<run>.<ext>`, holding every column of the table,
//! `accountid` and `region` included as string columns, then the marker
//! `<prefix>/_SUCCESS.json`, written last, naming every file of the export with its row count.
//!
//! All or nothing: files of a run carry the run's id in their name, so they never overwrite
//! the previous export's. Only once every table is written does the marker switch to the new
//! files, and only then are the previous files removed. A run that fails removes what it
//! wrote and leaves the previous export, and its marker, as they were. Between the marker and
//! the removal (or after a crash), files outside the marker may sit beside the export's: the
//! marker is what names the export, and the next run removes the strays.
//!
//! `--tables` exports some tables: the marker keeps the other tables of the previous export.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::prelude::{col, lit};
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::output::format::{Format, OutputOptions, write_stream};
use crate::source::LakeStore;
use crate::source::s3::S3Options;
use crate::{LakeSession, Source};

/// The marker's name, beside the table folders.
pub const MARKER: &str = "_SUCCESS.json";

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Parquet (zstd), CSV or NDJSON.
    pub format: Format,
    /// Tables to export; empty for every table that holds objects.
    pub tables: Vec<String>,
}

/// One table written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableExported {
    /// The table.
    pub table: String,
    /// Rows written.
    pub rows: u64,
    /// Files written (one per account and region holding rows).
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Time taken.
    pub elapsed: Duration,
}

/// A file of the export, as the marker lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExportedFile {
    /// Below the export's prefix.
    path: String,
    rows: u64,
    bytes: u64,
}

/// Exports the tables of `session` to `prefix` of `destination`, calling `on_table` as each
/// table is done. Returns the tables written.
pub async fn export_tables(
    session: &LakeSession,
    destination: &LakeStore,
    prefix: &Path,
    options: &ExportOptions,
    mut on_table: impl FnMut(&TableExported),
) -> Result<Vec<TableExported>> {
    let extension = match options.format {
        Format::Parquet => "parquet",
        Format::Csv => "csv",
        Format::Ndjson => "ndjson",
        other => return Err(Error::ExportFormat { format: other }),
    };
    let tables = chosen_tables(session, &options.tables).await?;
    let store = &destination.store;
    let marker = join(prefix, MARKER);
    let previous = read_marker(destination, &marker).await?;
    let run = run_id();

    let mut written: Vec<Path> = Vec::new();
    let mut exported = Vec::new();
    let mut entries: BTreeMap<String, Vec<ExportedFile>> = BTreeMap::new();
    let result: Result<()> = async {
        for table in &tables {
            let started = Instant::now();
            let files = export_table(
                session,
                destination,
                prefix,
                table,
                &run,
                extension,
                options.format,
                &mut written,
            )
            .await?;
            let done = TableExported {
                table: table.clone(),
                rows: files.iter().map(|f| f.rows).sum(),
                files: files.len(),
                bytes: files.iter().map(|f| f.bytes).sum(),
                elapsed: started.elapsed(),
            };
            on_table(&done);
            exported.push(done);
            entries.insert(table.clone(), files);
        }
        // The marker switches the export to the new files: written last, in one put.
        let mut tables_entry = previous
            .as_ref()
            .and_then(|p| p.get("tables"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if previous_format(previous.as_ref()) != Some(extension) {
            // Tables written in another format are not part of this export.
            tables_entry.clear();
        }
        for (table, files) in &entries {
            tables_entry.insert(table.clone(), table_entry(files));
        }
        let body = json!({
            "ssmq_export": 1,
            "run": run,
            "format": extension,
            "tables": tables_entry,
        });
        let text = serde_json::to_string_pretty(&body).expect("JSON values serialise");
        store
            .put(&marker, PutPayload::from(text.into_bytes()))
            .await
            .map_err(|source| Error::WriteObject {
                key: destination.name(&marker),
                source,
            })?;
        Ok(())
    }
    .await;
    if let Err(error) = result {
        // Leave the previous export as it was: remove this run's files (best effort; the next
        // run removes any left behind).
        for path in &written {
            let _ = store.delete(path).await;
        }
        return Err(error);
    }
    // The previous files of each exported table, and strays of failed runs, go.
    for (table, files) in &entries {
        let keep: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let folder = join(prefix, table);
        let listed: Vec<_> = store
            .list(Some(&folder))
            .try_collect()
            .await
            .map_err(|source| Error::list(destination.name_prefix(&folder), source))?;
        for object in listed {
            let relative = relative_to(prefix, &object.location);
            if !keep.contains(relative.as_str()) {
                store
                    .delete(&object.location)
                    .await
                    .map_err(|source| Error::DeleteObject {
                        key: destination.name(&object.location),
                        source,
                    })?;
            }
        }
    }
    Ok(exported)
}

/// The tables to export: the chosen ones (each must exist), else every table holding objects.
async fn chosen_tables(session: &LakeSession, chosen: &[String]) -> Result<Vec<String>> {
    let names = session.table_names();
    if !chosen.is_empty() {
        let mut tables = Vec::new();
        for name in chosen {
            let name = name.to_lowercase();
            if !names.contains(&name) {
                return Err(Error::UnknownTable {
                    name,
                    available: names,
                });
            }
            if !tables.contains(&name) {
                tables.push(name);
            }
        }
        return Ok(tables);
    }
    let mut tables = Vec::new();
    for name in names {
        if !session.listing(&name).await?.objects.is_empty() {
            tables.push(name);
        }
    }
    Ok(tables)
}

/// Writes one table, a file per account and region; returns the files.
#[allow(clippy::too_many_arguments)]
async fn export_table(
    session: &LakeSession,
    destination: &LakeStore,
    prefix: &Path,
    table: &str,
    run: &str,
    extension: &str,
    format: Format,
    written: &mut Vec<Path>,
) -> Result<Vec<ExportedFile>> {
    let listing = session.listing(table).await?;
    let partitions: BTreeSet<(&str, &str)> = listing
        .objects
        .iter()
        .map(|o| (o.partition.account_id.as_str(), o.partition.region.as_str()))
        .collect();
    let mut files = Vec::new();
    for (account, region) in partitions {
        let frame = session.context().table(table).await?.filter(
            col("accountid")
                .eq(lit(account))
                .and(col("region").eq(lit(region))),
        )?;
        let mut bytes = Vec::new();
        let rows = write_stream(
            frame.execute_stream().await?,
            format,
            OutputOptions::default(),
            &mut bytes,
        )
        .await?;
        if rows == 0 {
            continue; // objects without lines: no file
        }
        let path = format!("{table}/accountid={account}/region={region}/{run}.{extension}");
        let location = join(prefix, &path);
        let size = bytes.len() as u64;
        destination
            .store
            .put(&location, PutPayload::from(bytes))
            .await
            .map_err(|source| Error::WriteObject {
                key: destination.name(&location),
                source,
            })?;
        written.push(location);
        files.push(ExportedFile {
            path,
            rows,
            bytes: size,
        });
    }
    Ok(files)
}

/// The previous marker, if there is one.
async fn read_marker(destination: &LakeStore, marker: &Path) -> Result<Option<Value>> {
    match destination.store.get(marker).await {
        Ok(got) => {
            let bytes = got
                .bytes()
                .await
                .map_err(|source| Error::read(destination.name(marker), source))?;
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|source| Error::ExportMarker {
                    marker: destination.name(marker),
                    source,
                })
        }
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(source) => Err(Error::read(destination.name(marker), source)),
    }
}

fn previous_format(marker: Option<&Value>) -> Option<&str> {
    marker?.get("format")?.as_str()
}

fn table_entry(files: &[ExportedFile]) -> Value {
    json!({
        "rows": files.iter().map(|f| f.rows).sum::<u64>(),
        "files": files
            .iter()
            .map(|f| json!({"path": f.path, "rows": f.rows, "bytes": f.bytes}))
            .collect::<Vec<_>>(),
    })
}

/// `prefix/rest`, where `rest` may hold several parts.
fn join(prefix: &Path, rest: &str) -> Path {
    rest.split('/')
        .fold(prefix.clone(), |path, part| path.join(part))
}

/// `location` below `prefix`, as text.
fn relative_to(prefix: &Path, location: &Path) -> String {
    match location.prefix_match(prefix) {
        Some(parts) => parts
            .map(|p| p.as_ref().to_owned())
            .collect::<Vec<_>>()
            .join("/"),
        None => location.to_string(),
    }
}

/// A run id that sorts by time and differs between runs started together.
fn run_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{}-{}-{n:06}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    )
}

/// The destination `ssmq export --out` names: a directory (made if missing) or an S3 prefix.
pub async fn open_destination(text: &str, s3: &S3Options) -> Result<(LakeStore, Path)> {
    match Source::parse(text)? {
        Source::Directory { path, text } => {
            let unusable =
                |source: Box<dyn std::error::Error + Send + Sync>| Error::ExportDestination {
                    destination: text.clone(),
                    source,
                };
            std::fs::create_dir_all(&path).map_err(|e| unusable(Box::new(e)))?;
            let store = LocalFileSystem::new_with_prefix(&path)
                .map_err(|e| unusable(Box::new(e)))?
                .with_automatic_cleanup(true);
            Ok((LakeStore::new(Arc::new(store), text), Path::default()))
        }
        other => {
            let opened = other.open(s3).await?;
            Ok((opened.store, opened.prefix))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_split_below_a_prefix() {
        let prefix = Path::from("exports/nightly");
        let location = join(&prefix, "aws_tag/accountid=1/region=eu-west-1/r.parquet");
        assert_eq!(
            location.as_ref(),
            "exports/nightly/aws_tag/accountid=1/region=eu-west-1/r.parquet"
        );
        assert_eq!(
            relative_to(&prefix, &location),
            "aws_tag/accountid=1/region=eu-west-1/r.parquet"
        );
        assert_eq!(join(&Path::default(), MARKER).as_ref(), MARKER);
    }

    #[test]
    fn run_ids_differ_and_sort_by_time() {
        let ids: Vec<String> = (0..12).map(|_| run_id()).collect();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = run_id();
        for pair in ids.windows(2) {
            assert!(
                pair[0] < pair[1],
                "{pair:?}: made one after the other, in order"
            );
        }
        assert!(ids[11] < later, "{} < {later}", ids[11]);
        assert!(later.starts_with("20"), "{later}");
    }
}
