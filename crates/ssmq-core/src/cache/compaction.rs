//! Compaction: a segment most of whose rows are dead (their objects changed or went since it
//! was written) is rewritten with its live rows only, so a cache synced every night does not
//! keep every old row of the lake, and queries do not filter out ever more dead versions. And
//! the small segments each sync adds (what changed since the last one) are merged once a type
//! has [`SMALL_SEGMENTS_MERGED`] of one size tier, so queries do not open ever more files.
//! Small is under [`SMALL_SEGMENT_BYTES`] of live JSON: what a sync of a few changes writes
//! (its chunks end at the first partition boundary past [`SEGMENT_SHARED_BYTES`]), while a full
//! sync's segments, one or more per partition, mostly hold more. Tiers are powers of
//! [`SMALL_SEGMENTS_MERGED`] times [`SMALL_TIER_BYTES`]: four of a tier make one of the next,
//! so a row is rewritten once per tier (about three times before it leaves the small
//! segments), not at every merge, as when every small segment merged with those before it and
//! a sync a day rewrote up to [`SMALL_SEGMENT_BYTES`] of each type every few days. A type
//! then has at most three small segments per tier besides those of the last sync. A sync
//! never merges the segments it has just written (a full sync would otherwise rewrite part of
//! what it wrote); the next one does, once there are enough.
//!
//! In: a sync's new generation before it is published: each type's segments, every object
//! with its version, and which versions are live (current, or kept by history). Out: each
//! mostly dead segment, and each set of small segments of one schema, replaced by a new file
//! holding their live rows under fresh versions (a new range, with no dead version in it),
//! and the objects of those rows moved to them; the old segments' dead versions are then
//! covered by no segment, and the sync forgets them. The old files stay until a later sync's
//! garbage collection, for queries still reading the previous generation.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, BooleanArray, RecordBatch, RecordBatchReader, UInt64Array};
use arrow::compute::filter_record_batch;
use arrow::datatypes::SchemaRef;
use arrow::datatypes::UInt64Type;
use futures::{StreamExt, stream};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::sync::WrittenFiles;
use super::{
    CachedObject, SEGMENT_BYTES, SEGMENT_SHARED_BYTES, Segment, TypeEntry, VERSION_COLUMN,
    Versions, damaged, distinct_partitions, encode_error, segment_writer, write_error,
};
use crate::error::{Result, joined};
use crate::lake::catalog::table_name;
use crate::lake::discover::Partition;

/// Segments rewritten at once.
const REWRITERS: usize = 2;

/// Small segments of a type (and schema) and size tier are merged once there are this many
/// of them.
const SMALL_SEGMENTS_MERGED: usize = 4;

/// A segment holding less live JSON than this is small.
const SMALL_SEGMENT_BYTES: u64 = 2 * SEGMENT_SHARED_BYTES;

/// The live JSON below which a small segment is of the first size tier.
const SMALL_TIER_BYTES: u64 = 1 << 20;

/// The size tier of a small segment holding `bytes` of live JSON: 0 below
/// [`SMALL_TIER_BYTES`], then one more for each further factor of [`SMALL_SEGMENTS_MERGED`].
fn size_tier(bytes: u64) -> u32 {
    let mut tier = 0;
    let mut bound = SMALL_TIER_BYTES;
    while bytes >= bound {
        tier += 1;
        bound = bound.saturating_mul(SMALL_SEGMENTS_MERGED as u64);
    }
    tier
}

/// Segments and the one file that replaces them.
#[derive(Debug)]
struct Rewrite {
    /// The type whose entry gets the new segment.
    type_name: String,
    /// The segments' files, in full, in the order of their versions.
    from: Vec<PathBuf>,
    /// Their live versions, ascending: the i-th becomes `first_version + i`.
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

/// Rewrites the mostly dead segments of `types`, and merges their small ones, into new files
/// of generation `generation`, giving their live objects (among `objects`) versions from
/// `next_version` on. New files are added to `written` before they are made. Returns how many
/// new files it wrote.
pub(super) async fn compact(
    cache_dir: &FsPath,
    generation: &str,
    types: &mut BTreeMap<String, TypeEntry>,
    objects: impl Iterator<Item = &mut CachedObject>,
    live: &Versions,
    next_version: &mut u64,
    written: &mut WrittenFiles,
) -> Result<usize> {
    let mut objects: Vec<&mut CachedObject> = objects.collect();
    let bytes_of_version: HashMap<u64, u64> = objects.iter().map(|o| (o.version, o.size)).collect();
    let live_bytes = |s: &Segment| -> u64 {
        (s.first_version..=s.last_version)
            .filter_map(|v| bytes_of_version.get(&v))
            .sum()
    };
    let mut rewrites = Vec::new();
    for (type_name, entry) in types.iter_mut() {
        let table = table_name(type_name);
        let segments = std::mem::take(&mut entry.segments);
        // This sync's own segments are not merged by it.
        let just_written = format!("segments/{table}/{generation}-");
        let mergeable = |s: &Segment| !s.file.starts_with(&just_written);
        let (groups, kept) = rewritten_groups(cache_dir, segments, live, &live_bytes, &mergeable)?;
        entry.segments = kept;
        for group in groups {
            let live: Vec<u64> = group
                .iter()
                .flat_map(|s| s.first_version..=s.last_version)
                .filter(|v| live.contains(*v))
                .collect();
            let first_version = *next_version;
            *next_version += live.len() as u64;
            let file = format!("segments/{table}/{generation}-{first_version}.parquet");
            let path = cache_dir.join(&file);
            written.push(path.clone());
            rewrites.push(Arc::new(Rewrite {
                type_name: type_name.clone(),
                from: group.iter().map(|s| cache_dir.join(&s.file)).collect(),
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

    // Each object of a rewritten segment moves to its new version.
    let moved: HashMap<u64, (usize, u64)> = rewrites
        .iter()
        .enumerate()
        .flat_map(|(i, rewrite)| {
            let first = rewrite.first_version;
            rewrite
                .live
                .iter()
                .enumerate()
                .map(move |(rank, old)| (*old, (i, first + rank as u64)))
        })
        .collect();
    let mut partitions: Vec<Vec<Arc<Partition>>> = vec![Vec::new(); rewrites.len()];
    for object in &mut objects {
        if let Some(&(i, version)) = moved.get(&object.version) {
            object.version = version;
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

/// The segments of one type that are rewritten, in groups that each become one file: small
/// `mergeable` segments (under [`SMALL_SEGMENT_BYTES`] of live JSON, by `live_bytes`) of one
/// schema and [`size_tier`], once there are [`SMALL_SEGMENTS_MERGED`] of them, packed into
/// groups of up to [`SEGMENT_BYTES`]; then each remaining segment that is mostly dead; and
/// the segments kept as they are.
fn rewritten_groups(
    cache_dir: &FsPath,
    segments: Vec<Segment>,
    live: &Versions,
    live_bytes: &dyn Fn(&Segment) -> u64,
    mergeable: &dyn Fn(&Segment) -> bool,
) -> Result<(Vec<Vec<Segment>>, Vec<Segment>)> {
    let versions = |s: &Segment| s.last_version - s.first_version + 1;
    // The tier of each small segment, by position; `None` for the others.
    let tiers: Vec<Option<u32>> = segments
        .iter()
        .map(|s| {
            let bytes = live_bytes(s);
            let small = mergeable(s)
                && bytes < SMALL_SEGMENT_BYTES
                && live.count_in(s.first_version, s.last_version) > 0;
            small.then(|| size_tier(bytes))
        })
        .collect();
    let mut per_tier: BTreeMap<u32, usize> = BTreeMap::new();
    for tier in tiers.iter().flatten() {
        *per_tier.entry(*tier).or_default() += 1;
    }
    let mut others = Vec::new();
    // Candidates for merging: segments of a tier with enough members, by schema and tier.
    let mut by_schema: Vec<((SchemaRef, u32), Vec<Segment>)> = Vec::new();
    for (segment, tier) in segments.into_iter().zip(tiers) {
        let Some(tier) = tier.filter(|t| per_tier[t] >= SMALL_SEGMENTS_MERGED) else {
            others.push(segment);
            continue;
        };
        let key = (segment_schema(&cache_dir.join(&segment.file))?, tier);
        match by_schema.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.push(segment),
            None => by_schema.push((key, vec![segment])),
        }
    }
    let mut groups: Vec<Vec<Segment>> = Vec::new();
    for (_, mut small) in by_schema {
        if small.len() < SMALL_SEGMENTS_MERGED {
            others.extend(small);
            continue;
        }
        small.sort_by_key(|s| s.first_version);
        let mut packed: Vec<Vec<Segment>> = Vec::new();
        let mut bytes = 0;
        for segment in small {
            let size = live_bytes(&segment);
            match packed.last_mut() {
                Some(group) if bytes + size <= SEGMENT_BYTES => group.push(segment),
                _ => {
                    bytes = 0;
                    packed.push(vec![segment]);
                }
            }
            bytes += size;
        }
        // A segment left alone in its group stays as it is.
        for group in packed {
            match group.len() {
                1 => others.extend(group),
                _ => groups.push(group),
            }
        }
    }
    let (dead, kept): (Vec<Segment>, Vec<Segment>) = others
        .into_iter()
        .partition(|s| mostly_dead(live.count_in(s.first_version, s.last_version), versions(s)));
    groups.extend(dead.into_iter().map(|s| vec![s]));
    Ok((groups, kept))
}

/// The Arrow schema of a segment file, from its footer.
fn segment_schema(path: &FsPath) -> Result<SchemaRef> {
    let file = fs::File::open(path).map_err(|e| damaged(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| damaged(path, e))?;
    Ok(Arc::clone(builder.schema()))
}

impl Rewrite {
    /// Copies the live rows of the old files into the new one, with their new versions.
    fn write_rows(&self) -> Result<()> {
        let mut writer = None;
        for from in &self.from {
            let file = fs::File::open(from).map_err(|e| damaged(from, e))?;
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .and_then(|builder| builder.build())
                .map_err(|e| damaged(from, e))?;
            let schema = reader.schema();
            let writer = match &mut writer {
                Some(writer) => writer,
                None => writer.insert(segment_writer(&self.path, &schema)?),
            };
            let version_column = schema
                .index_of(VERSION_COLUMN)
                .map_err(|e| damaged(from, e))?;
            for batch in reader {
                let batch = batch.map_err(|e| damaged(from, e))?;
                let batch = self.live_rows(from, &batch, version_column)?;
                writer
                    .write(&batch)
                    .map_err(|e| encode_error(&self.path, e))?;
            }
        }
        writer
            .expect("a rewrite has a segment")
            .into_inner()
            .map_err(|e| encode_error(&self.path, e))?
            .sync_all()
            .map_err(|e| write_error(&self.path, e))
    }

    /// The rows of `batch` (read from `from`) whose versions are live, with their new versions.
    fn live_rows(
        &self,
        from: &FsPath,
        batch: &RecordBatch,
        version_column: usize,
    ) -> Result<RecordBatch> {
        let Some(versions) = batch
            .column(version_column)
            .as_primitive_opt::<UInt64Type>()
        else {
            return Err(damaged(
                from,
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
        let kept =
            filter_record_batch(batch, &BooleanArray::from(keep)).map_err(|e| damaged(from, e))?;
        let mut columns = kept.columns().to_vec();
        columns[version_column] = Arc::new(UInt64Array::from(renumbered)) as ArrayRef;
        RecordBatch::try_new(batch.schema(), columns).map_err(|e| encode_error(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_small_segments_of_a_tier_make_one_of_the_next() {
        let mib = 1 << 20;
        assert_eq!(size_tier(0), 0);
        assert_eq!(size_tier(mib - 1), 0);
        assert_eq!(size_tier(mib), 1);
        assert_eq!(size_tier(4 * mib - 1), 1);
        assert_eq!(size_tier(4 * mib), 2);
        // Four segments just under a tier's top merge into one of the next tier, not beyond.
        assert_eq!(size_tier(4 * (mib - 1)), 1);
        assert_eq!(size_tier(SMALL_SEGMENT_BYTES - 1), 2);
    }

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
