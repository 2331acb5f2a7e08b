//! Compaction: a segment most of whose rows are dead (their objects changed or went since it
//! was written) is rewritten with its live rows only, so a cache synced every night does not
//! keep every old row of the lake, and queries do not filter out ever more dead versions.
//!
//! In: a sync's new generation before it is published: each type's segments, every object
//! with its version, and which versions are live. Out: each mostly dead segment replaced by a
//! new file holding its live rows under fresh versions (a new range, with no dead version in
//! it), and the objects of those rows moved to them; the old segment's dead versions are then
//! covered by no segment, and the sync forgets them. The old file stays until a later sync's
//! garbage collection, for queries still reading the previous generation.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, BooleanArray, RecordBatch, RecordBatchReader, UInt64Array};
use arrow::compute::filter_record_batch;
use arrow::datatypes::UInt64Type;
use futures::{StreamExt, stream};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::sync::WrittenFiles;
use super::{
    CachedObject, Segment, TypeEntry, VERSION_COLUMN, Versions, damaged, distinct_partitions,
    encode_error, segment_writer, write_error,
};
use crate::error::{Result, joined};
use crate::lake::catalog::table_name;
use crate::lake::discover::Partition;

/// Segments rewritten at once.
const REWRITERS: usize = 2;

/// A mostly dead segment and the file that replaces it.
#[derive(Debug)]
struct Rewrite {
    /// The type whose entry gets the new segment.
    type_name: String,
    /// The segment's file, in full.
    from: PathBuf,
    /// Its live versions, ascending: the i-th becomes `first_version + i`.
    live: Vec<u64>,
    first_version: u64,
    /// The new file, below the lake's cache folder and in full.
    file: String,
    path: PathBuf,
}

/// Whether a segment holding `live` of its `versions` live ones is rewritten: once fewer than
/// half are live (a segment with none is dropped, not rewritten).
fn mostly_dead(live: u64, versions: u64) -> bool {
    live > 0 && live * 2 < versions
}

/// Rewrites the mostly dead segments of `types` into new files of generation `generation`,
/// giving their live objects (among `objects`) versions from `next_version` on. New files are
/// added to `written` before they are made. Returns how many segments were rewritten.
pub(super) async fn compact(
    cache_dir: &FsPath,
    generation: &str,
    types: &mut BTreeMap<String, TypeEntry>,
    objects: impl Iterator<Item = &mut CachedObject>,
    live: &Versions,
    next_version: &mut u64,
    written: &mut WrittenFiles,
) -> Result<usize> {
    let mut rewrites = Vec::new();
    for (type_name, entry) in types.iter_mut() {
        let table = table_name(type_name);
        let (old, kept) =
            std::mem::take(&mut entry.segments)
                .into_iter()
                .partition(|s: &Segment| {
                    let versions = s.last_version - s.first_version + 1;
                    mostly_dead(live.count_in(s.first_version, s.last_version), versions)
                });
        entry.segments = kept;
        for segment in old {
            let live: Vec<u64> = (segment.first_version..=segment.last_version)
                .filter(|v| live.contains(*v))
                .collect();
            let first_version = *next_version;
            *next_version += live.len() as u64;
            let file = format!("segments/{table}/{generation}-{first_version}.parquet");
            let path = cache_dir.join(&file);
            written.push(path.clone());
            rewrites.push(Arc::new(Rewrite {
                type_name: type_name.clone(),
                from: cache_dir.join(&segment.file),
                live,
                first_version,
                file,
                path,
            }));
        }
    }
    if rewrites.is_empty() {
        return Ok(0);
    }

    // Every rewrite is awaited, even after a failure, so none writes after the sync returns.
    let writes: Vec<_> = rewrites
        .iter()
        .map(|rewrite| {
            let rewrite = Arc::clone(rewrite);
            async move { joined(tokio::task::spawn_blocking(move || rewrite.write_rows()).await) }
        })
        .collect();
    let results: Vec<Result<()>> = stream::iter(writes).buffered(REWRITERS).collect().await;
    results.into_iter().collect::<Result<()>>()?;

    // Each object of a rewritten segment moves to its new version; versions of different
    // segments never overlap, so an object's segment is the last one starting at or before it.
    let mut by_first: Vec<(u64, usize)> = rewrites
        .iter()
        .enumerate()
        .map(|(i, rewrite)| (rewrite.live[0], i))
        .collect();
    by_first.sort_unstable();
    let mut partitions: Vec<Vec<Arc<Partition>>> = vec![Vec::new(); rewrites.len()];
    for object in objects {
        let at = by_first.partition_point(|(first, _)| *first <= object.version);
        let Some(&(_, i)) = at.checked_sub(1).and_then(|at| by_first.get(at)) else {
            continue;
        };
        if let Ok(rank) = rewrites[i].live.binary_search(&object.version) {
            object.version = rewrites[i].first_version + rank as u64;
            partitions[i].push(Arc::clone(&object.partition));
        }
    }
    for (rewrite, partitions) in rewrites.iter().zip(&partitions) {
        let entry = types
            .get_mut(&rewrite.type_name)
            .expect("a rewrite's type is in the generation");
        entry.segments.push(Segment {
            file: rewrite.file.clone(),
            partitions: distinct_partitions(partitions),
            first_version: rewrite.first_version,
            last_version: rewrite.first_version + rewrite.live.len() as u64 - 1,
        });
    }
    Ok(rewrites.len())
}

impl Rewrite {
    /// Copies the live rows of the old file into the new one, with their new versions.
    fn write_rows(&self) -> Result<()> {
        let file = fs::File::open(&self.from).map_err(|e| damaged(&self.from, e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|builder| builder.build())
            .map_err(|e| damaged(&self.from, e))?;
        let schema = reader.schema();
        let version_column = schema
            .index_of(VERSION_COLUMN)
            .map_err(|e| damaged(&self.from, e))?;
        let mut writer = segment_writer(&self.path, &schema)?;
        for batch in reader {
            let batch = batch.map_err(|e| damaged(&self.from, e))?;
            let Some(versions) = batch
                .column(version_column)
                .as_primitive_opt::<UInt64Type>()
            else {
                return Err(damaged(
                    &self.from,
                    "its version column is not of unsigned integers",
                ));
            };
            let mut keep = Vec::with_capacity(versions.len());
            let mut renumbered = Vec::with_capacity(versions.len());
            for version in versions.values() {
                let rank = self.live.binary_search(version);
                keep.push(rank.is_ok());
                if let Ok(rank) = rank {
                    renumbered.push(self.first_version + rank as u64);
                }
            }
            let kept = filter_record_batch(&batch, &BooleanArray::from(keep))
                .map_err(|e| damaged(&self.from, e))?;
            let mut columns = kept.columns().to_vec();
            columns[version_column] = Arc::new(UInt64Array::from(renumbered)) as ArrayRef;
            let batch = RecordBatch::try_new(Arc::clone(&schema), columns)
                .map_err(|e| encode_error(&self.path, e))?;
            writer
                .write(&batch)
                .map_err(|e| encode_error(&self.path, e))?;
        }
        writer
            .into_inner()
            .map_err(|e| encode_error(&self.path, e))?
            .sync_all()
            .map_err(|e| write_error(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_is_rewritten_once_fewer_than_half_its_versions_live() {
        assert!(
            !mostly_dead(0, 10),
            "a wholly dead segment is dropped instead"
        );
        assert!(mostly_dead(4, 10));
        assert!(!mostly_dead(5, 10));
        assert!(!mostly_dead(1, 1));
        assert!(!mostly_dead(1, 2));
        assert!(mostly_dead(1, 3));
    }
}
