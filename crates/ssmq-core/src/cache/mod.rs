//! The local cache: a lake's tables kept as Parquet on this machine, brought up to date by
//! reading only the objects that changed since the last sync.
//!
//! In: a [`Source`] and a cache root (`--cache-dir`, else the platform's cache folder). Out: a
//! [`CachedLake`] that [`crate::sql::register`] turns into tables, and, from [`sync`], a
//! [`SyncSummary`] of what a sync listed, read and dropped.
//!
//! One folder per lake below the root, named by a hash of the source:
//!
//! ```text
//! <root>/lakes/<id>/source                the source, for people
//!                  /lock                  held by a sync: syncs run one after another
//!                  /CURRENT               the generation queries use, replaced atomically
//!                  /CHECKED               when a sync last compared the lake with the cache
//!                                         (RFC 3339; also after a sync that changed nothing)
//!                  /generations/<gen>/manifest.json   tables: key sets, segments, rows not
//!                                                     current; the snapshots kept
//!                  /generations/<gen>/objects.bin     every object: key, ETag/size/mtime, version,
//!                                                     and the retired versions history keeps
//!                                                     (binary, see `object_list`)
//!                  /segments/<table>/<gen>-<first version>.parquet
//! ```
//!
//! A sync lists the whole lake once and compares each object with the last generation: by
//! ETag where the store gives one (S3), else by size and modification time (directories).
//! New and changed objects are read and decoded into new *segments* (immutable Parquet files
//! per table, each listing the partitions it holds, whose rows carry the version of the
//! object they came from), a type's as soon as it is listed, while later types are listed;
//! the versions of changed and deleted objects are no longer current and are filtered out of
//! queries of now; a segment none of whose rows is needed (current, or kept by history) is
//! removed, and one whose rows are mostly unneeded is rewritten with the rest (see
//! `compaction`). The merged schema of each table is kept
//! as its distinct key sets with object counts, so a query neither lists nor infers anything.
//!
//! A sync writes its generation beside the current one and then replaces `CURRENT` in one
//! rename, so an interrupted sync is never used; a lock file serialises syncs. Files of the
//! current and the previous generation are kept, so a query that started just before a sync
//! finishes. Each published generation is a snapshot of the lake's history (see `history`):
//! the versions of changed and deleted objects are *retired*, not forgotten, and stay (rows and
//! object-list entries) while a kept snapshot may need them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write as _;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use bytes::Bytes;
use chrono::{DateTime, SubsecRound, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use hashbrown::HashMap;
use object_store::path::Path;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use self::history::{AsOf, PastView};
use self::object_list::{ObjectList, ObjectsByType};
use crate::error::{Error, Result};
use crate::lake::catalog::{KeyGroups, ObjectKeys, TableDef, keys_of, merge_key_groups};
use crate::lake::decode::BatchDecoder;
use crate::lake::discover::{
    AccountFolder, LakeLayout, Partition, PartitionFilter, Skipped, SyncObject, TypeFolder,
    TypeListing,
};
use crate::lake::read::{BadLine, ReadOptions, ReadReport, fetch};
use crate::source::metered::RequestCounts;
use crate::source::s3::S3Options;
use crate::source::{LakeStore, Source};

mod backfill;
mod compaction;
pub mod history;
mod object_list;
mod sync;

pub use backfill::{Backfill, backfill};
pub use sync::{PruneSummary, prune, sync};

/// The column segments carry: the version of the object a row came from.
pub const VERSION_COLUMN: &str = "__ssmq_object_version";

/// The layout of a generation this version writes and reads. A cache of another format is
/// not used by queries, and the next sync rebuilds it (numbering on from its generations).
const CACHE_FORMAT: u32 = 4;
/// A generation's list of objects (see [`object_list`]).
const OBJECT_LIST: &str = "objects.bin";
/// Segments written at once by a sync, at most: each holds up to [`SEGMENT_BYTES`] of JSON
/// and its decoded rows in memory. Two keep two cores busy: four were no faster (a full sync
/// of 10k nodes in 9.4 s, against 9.0-9.2 s) and peaked higher (640 MB against 430-450 MB;
/// 1.57 GB against 1.22-1.28 GB at 50k nodes).
const SEGMENT_WRITERS: usize = 2;

/// Segments whose objects a sync from S3 fetches while others are written, at most: their
/// reads wait out S3's latency, which writing the segments before them hides (at 80 ms, the
/// requests in flight of a 10k-node full sync fell to half while the writers decoded). Each
/// holds up to [`SEGMENT_BYTES`] of JSON. A directory's objects are fetched by the writers.
const SEGMENTS_FETCHED_AHEAD: usize = 2;

/// Types listed at once by a sync.
const TYPE_LISTS: usize = 4;
/// JSON bytes decoded into one segment file at most.
const SEGMENT_BYTES: u64 = 64 << 20;
/// JSON bytes of a segment past which the next partition starts a segment of its own.
const SEGMENT_SHARED_BYTES: u64 = 8 << 20;

/// How a session uses the cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CacheUse {
    /// Read the source, never the cache.
    #[default]
    Bypass,
    /// If the source has a cache below this root, sync it and answer from it; else read the
    /// source.
    IfPresent(PathBuf),
    /// Answer from the cache below this root without touching the source.
    Offline(PathBuf),
}

/// Where the cache lives by default: `$XDG_CACHE_HOME/ssmq`, else `~/.cache/ssmq`
/// (`~/Library/Caches/ssmq` on macOS, `%LOCALAPPDATA%\ssmq` on Windows).
pub fn default_root() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return var("LOCALAPPDATA").map(|d| d.join("ssmq"));
    }
    if cfg!(target_os = "macos") {
        return var("HOME").map(|h| h.join("Library/Caches/ssmq"));
    }
    var("XDG_CACHE_HOME")
        .or_else(|| var("HOME").map(|h| h.join(".cache")))
        .map(|d| d.join("ssmq"))
}

/// One lake's cache folder.
#[derive(Debug, Clone)]
pub struct LakeCache {
    dir: PathBuf,
    source: String,
    /// Days a sync keeps retired versions and snapshots, when given; else the cache's own
    /// setting (the last one given), else [`history::DEFAULT_KEEP_HISTORY_DAYS`].
    keep_history_days: Option<u32>,
    /// The time syncs are taken at, when not the clock's (a replay of the past).
    clock: Option<DateTime<Utc>>,
    /// How its snapshots are taken: `sync`, or `backfill` (a replay of a bucket's versions).
    origin: &'static str,
    /// The generation a first sync numbers on from (a backfill's, after the cache's own).
    numbered_after: u64,
}

impl LakeCache {
    /// The cache of `source` below `root` (which need not exist yet).
    pub fn for_source(root: &FsPath, source: &Source, s3: &S3Options) -> Result<LakeCache> {
        let identity = match source {
            // Not canonicalised: --offline works with the directory gone.
            Source::Directory { path, text } => {
                let absolute = std::path::absolute(path).map_err(|e| Error::Source {
                    source_text: text.clone(),
                    problem: format!("cannot be made absolute: {e}"),
                })?;
                format!("dir:{}", absolute.display())
            }
            Source::S3 { bucket, prefix } => format!(
                "s3:{}:{bucket}/{prefix}",
                s3.endpoint_url.as_deref().unwrap_or("aws")
            ),
            Source::BuiltinSample => {
                return Err(Error::SampleNotCached);
            }
        };
        Ok(LakeCache {
            dir: root
                .join("lakes")
                .join(format!("{:016x}", fnv1a(&identity))),
            source: source.describe(),
            keep_history_days: None,
            clock: None,
            origin: "sync",
            numbered_after: 0,
        })
    }

    /// The same cache, its syncs keeping history for `days` days from now on.
    pub fn keeping_history(mut self, days: u32) -> LakeCache {
        self.keep_history_days = Some(days);
        self
    }

    /// The same cache, its syncs taken at `time` instead of the clock's now: for replaying
    /// a lake's past day by day (tests do), where a snapshot must be taken when its day was.
    pub fn syncing_at(mut self, time: DateTime<Utc>) -> LakeCache {
        self.clock = Some(time);
        self
    }

    /// The time a sync starting now is taken at, to the microsecond: the precision the
    /// history tables show it in, so a time copied from them names that very snapshot.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.unwrap_or_else(Utc::now).trunc_subsecs(6)
    }

    /// The lake's cache folder.
    pub fn dir(&self) -> &FsPath {
        &self.dir
    }

    /// Whether a sync has completed here.
    pub fn exists(&self) -> bool {
        self.dir.join("CURRENT").is_file()
    }

    /// When a sync last compared the lake with this cache, whose current generation is
    /// `lake`, and left the cache as the lake is (a sync that changed nothing publishes
    /// nothing, so the generation's time is older): the later of `CHECKED` and `lake`'s time.
    pub fn checked_at(&self, lake: &CachedLake) -> Result<DateTime<Utc>> {
        let checked = match fs::read_to_string(self.dir.join("CHECKED")) {
            Ok(text) => DateTime::parse_from_rfc3339(text.trim())
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(self.io_error("read CHECKED", e)),
        };
        Ok(checked.map_or(lake.synced_at(), |c| c.max(lake.synced_at())))
    }

    /// Records that a sync found the cache as the lake is, at `at` (in one rename).
    pub(crate) fn mark_checked(&self, at: DateTime<Utc>) -> Result<()> {
        let pointer = self.dir.join(format!(".CHECKED.{}", std::process::id()));
        let text = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true) + "\n";
        fs::write(&pointer, text)
            .and_then(|()| fs::rename(&pointer, self.dir.join("CHECKED")))
            .map_err(|e| self.io_error("write CHECKED", e))
    }

    /// The generation queries use, if a sync has completed.
    pub fn current(&self) -> Result<Option<CachedLake>> {
        let Some((generation_dir, manifest)) = self.current_manifest()? else {
            return Ok(None);
        };
        if manifest.format != CACHE_FORMAT {
            return Ok(None);
        }
        Ok(Some(CachedLake {
            dir: self.dir.clone(),
            objects: Arc::new(GenerationObjects::of(&generation_dir, &manifest)),
            generation_dir,
            manifest: Arc::new(manifest),
            view: View::Now,
        }))
    }

    /// The folder and manifest of the generation `CURRENT` names, whatever its format.
    fn current_manifest(&self) -> Result<Option<(PathBuf, Manifest)>> {
        let current = match fs::read_to_string(self.dir.join("CURRENT")) {
            Ok(text) => text.trim().to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error("read CURRENT", e)),
        };
        let generation_dir = self.dir.join("generations").join(&current);
        let manifest: Manifest = read_json(&generation_dir.join("manifest.json"))?;
        Ok(Some((generation_dir, manifest)))
    }

    /// Takes the lake's sync lock, waiting while another sync of it runs; held until the
    /// file returned is dropped. Makes the cache's folder if need be.
    async fn lock(&self) -> Result<fs::File> {
        fs::create_dir_all(self.dir.join("generations"))
            .map_err(|e| self.io_error("create the cache", e))?;
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join("lock"))
            .map_err(|e| self.io_error("open the lock", e))?;
        let lock = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
            .await
            .expect("the lock task does not panic")
            .map_err(|e| self.io_error("lock", e))?;
        let _ = fs::write(self.dir.join("source"), format!("{}\n", self.source));
        Ok(lock)
    }

    fn io_error(&self, what: &str, e: std::io::Error) -> Error {
        Error::CacheIo {
            action: format!("{what} in"),
            path: self.dir.clone(),
            source: Box::new(e),
        }
    }
}

/// FNV-1a: a stable hash (std's `DefaultHasher` may change between releases).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &FsPath) -> Result<T> {
    serde_json::from_slice(&read_file(path)?).map_err(|e| damaged(path, e))
}

fn read_file(path: &FsPath) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| Error::CacheIo {
        action: "read".to_owned(),
        path: path.to_path_buf(),
        source: Box::new(e),
    })
}

/// A generation's description of the lake.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    /// Format of this file.
    format: u32,
    /// Counts up with each sync.
    generation: u64,
    /// The source, for people.
    source: String,
    /// When the sync finished.
    synced_at: DateTime<Utc>,
    /// The next object version to hand out.
    next_version: u64,
    /// Malformed lines skipped while syncing (with --skip-bad-lines).
    skipped_lines: u64,
    /// Entries next to the type folders that are not inventory.
    #[serde(default)]
    skipped: Vec<Skipped>,
    /// Per TypeName.
    types: BTreeMap<String, TypeEntry>,
    /// The snapshots history keeps, oldest first; the last is this generation.
    #[serde(default)]
    snapshots: Vec<Snapshot>,
    /// Days history is kept, as last given to a sync.
    #[serde(default)]
    keep_history_days: Option<u32>,
}

/// A sync that changed anything: the lake as it stood then can be asked for (`--as-of`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Its number: the generation it published.
    pub number: u64,
    /// When the sync finished (UTC).
    pub taken_at: DateTime<Utc>,
    /// How it was taken: `sync`, or `backfill` (read back from a bucket's versions).
    pub origin: String,
    /// Objects in the lake.
    pub objects: usize,
    /// New or changed objects read.
    pub changed: usize,
    /// Objects gone since the snapshot before.
    pub removed: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct TypeEntry {
    /// Distinct key sets of the type's objects, with how many objects have each.
    key_sets: Vec<KeySet>,
    /// Every partition holding objects.
    partitions: Vec<Partition>,
    /// Files holding the rows.
    segments: Vec<Segment>,
    /// Versions whose rows are in a segment but no longer current.
    dead: Vec<u64>,
    /// Entries below the type folder that are not inventory.
    #[serde(default)]
    skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeySet {
    keys: Vec<String>,
    objects: usize,
    lines: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Segment {
    /// Below the lake's cache folder.
    file: String,
    /// Partitions whose rows it holds.
    partitions: Vec<Partition>,
    /// Object versions it holds, an inclusive range.
    first_version: u64,
    last_version: u64,
}

/// One object as the last sync saw it.
#[derive(Debug, Clone)]
struct CachedObject {
    /// Key in the store.
    key: String,
    type_name: Arc<str>,
    partition: Arc<Partition>,
    size: u64,
    last_modified: DateTime<Utc>,
    e_tag: Option<String>,
    /// S3's id of this version of the object, where the listing (a bucket's past) or the read
    /// (a versioned bucket answers GET with it) gave one.
    version_id: Option<String>,
    /// Version of its rows in the segments.
    version: u64,
    /// Index into its type's key sets.
    key_set: usize,
    lines: usize,
    /// The snapshot that first saw this version.
    seen_in: u64,
    /// When it stopped being current; `None` while it is.
    retired: Option<Retirement>,
}

/// When a version stopped being current: the modification time of the version that replaced
/// it, or, for an object that went, the time of the sync that saw it gone; and that sync's
/// snapshot. History keeps the version, and its rows, until retention drops it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Retirement {
    at: DateTime<Utc>,
    snapshot: u64,
}

impl CachedObject {
    /// Whether this version was the object as it stood at `when`: modified at or before it and
    /// not retired by then.
    fn valid_at(&self, when: DateTime<Utc>) -> bool {
        self.last_modified <= when && self.retired.as_ref().is_none_or(|r| r.at > when)
    }

    /// Whether snapshot `number` saw this version as current.
    fn current_in(&self, number: u64) -> bool {
        self.seen_in <= number && self.retired.as_ref().is_none_or(|r| r.snapshot > number)
    }
}

/// The objects of a generation's `objects.bin`, per type, each type's current ones sorted by
/// key (as a listing is, so that a sync walks both side by side).
fn read_objects(path: &FsPath) -> Result<ObjectList> {
    let list = object_list::decode(&read_file(path)?).map_err(|problem| damaged(path, problem))?;
    Ok(sorted_by_key(list))
}

/// `list` with each type's current objects sorted by key.
fn sorted_by_key(mut list: ObjectList) -> ObjectList {
    for objects in list.current.values_mut() {
        if !objects.is_sorted_by(|a, b| a.key <= b.key) {
            objects.sort_by(|a, b| a.key.cmp(&b.key));
        }
    }
    list
}

/// A generation's `objects.bin` as queries read it: the file read the first time a question
/// needs it, and each type's objects decoded the first time a question asks for that type (a
/// past view of one table decodes only its versions).
#[derive(Debug)]
struct GenerationObjects {
    path: PathBuf,
    bytes: OnceCell<Vec<u8>>,
    /// Per type of the manifest.
    types: HashMap<String, OnceCell<ObjectList>>,
}

impl GenerationObjects {
    fn of(generation_dir: &FsPath, manifest: &Manifest) -> GenerationObjects {
        GenerationObjects {
            path: generation_dir.join(OBJECT_LIST),
            bytes: OnceCell::new(),
            types: manifest
                .types
                .keys()
                .map(|t| (t.clone(), OnceCell::new()))
                .collect(),
        }
    }

    /// The current objects and retired versions of `type_name` (none for a type the
    /// generation does not hold).
    async fn of_type(&self, type_name: &str) -> Result<Option<&ObjectList>> {
        let Some(cell) = self.types.get(type_name) else {
            return Ok(None);
        };
        let list = cell
            .get_or_try_init(|| async {
                let bytes = self
                    .bytes
                    .get_or_try_init(|| async { read_file(&self.path) })
                    .await?;
                let list = object_list::decode_where(bytes, |t| t == type_name)
                    .map_err(|problem| damaged(&self.path, problem))?;
                Ok::<_, Error>(sorted_by_key(list))
            })
            .await?;
        Ok(Some(list))
    }
}

impl CachedObject {
    /// Whether the object listed as `object` is the one cached: same ETag where both have one,
    /// else same size and modification time.
    fn unchanged(&self, object: &SyncObject) -> bool {
        match (&self.e_tag, &object.e_tag) {
            (Some(a), Some(b)) => a == b,
            _ => self.size == object.size && self.last_modified == object.last_modified,
        }
    }
}

/// A generation of a lake's cache, as queries read it: the lake as it stands now, or as it
/// stood at a moment of its history ([`CachedLake::as_of`]).
#[derive(Debug)]
pub struct CachedLake {
    dir: PathBuf,
    generation_dir: PathBuf,
    manifest: Arc<Manifest>,
    objects: Arc<GenerationObjects>,
    view: View,
}

/// Which versions of its objects a [`CachedLake`] answers with.
#[derive(Debug, Clone)]
enum View {
    /// The current ones.
    Now,
    /// Those valid at a moment of history.
    Past(PastView),
    /// Every version history keeps (the `history.` tables).
    Whole,
}

impl CachedLake {
    /// The lake as it stood at `as_of` (sharing what this one has read); an error naming the
    /// history kept when it does not reach back that far.
    pub fn at(&self, as_of: AsOf) -> Result<CachedLake> {
        Ok(self.viewed(View::Past(PastView::resolve(as_of, &self.manifest)?)))
    }

    /// The time `as_of` names: itself, or a snapshot's time; an error when history does not
    /// reach back that far.
    pub fn moment_of(&self, as_of: AsOf) -> Result<DateTime<Utc>> {
        let past = PastView::resolve(as_of, &self.manifest)?;
        Ok(match as_of {
            AsOf::Time(time) => time,
            AsOf::Snapshot(_) => past.snapshot.taken_at,
        })
    }

    /// The lake with every version history keeps, current or not.
    pub fn whole_history(&self) -> CachedLake {
        self.viewed(View::Whole)
    }

    fn viewed(&self, view: View) -> CachedLake {
        CachedLake {
            dir: self.dir.clone(),
            generation_dir: self.generation_dir.clone(),
            manifest: Arc::clone(&self.manifest),
            objects: Arc::clone(&self.objects),
            view,
        }
    }

    /// The moment answered for, when it is not now.
    pub fn past(&self) -> Option<&PastView> {
        match &self.view {
            View::Past(past) => Some(past),
            View::Now | View::Whole => None,
        }
    }

    /// The snapshots history keeps, oldest first.
    pub fn snapshots(&self) -> &[Snapshot] {
        &self.manifest.snapshots
    }

    /// The lake's cache folder.
    pub fn dir(&self) -> &FsPath {
        &self.dir
    }

    /// When the generation was synced.
    pub fn synced_at(&self) -> DateTime<Utc> {
        self.manifest.synced_at
    }

    /// Malformed lines the sync skipped.
    pub fn skipped_lines(&self) -> u64 {
        self.manifest.skipped_lines
    }

    /// The layout the cached lake had: its types and their accounts.
    pub fn layout(&self) -> LakeLayout {
        LakeLayout {
            root: Path::default(),
            types: self
                .manifest
                .types
                .iter()
                .map(|(type_name, entry)| TypeFolder {
                    type_name: type_name.clone(),
                    accounts: entry
                        .partitions
                        .iter()
                        .map(|p| p.account_id.clone())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .map(|account_id| AccountFolder {
                            account_id,
                            location: Path::default(),
                        })
                        .collect(),
                    skipped: Vec::new(),
                })
                .collect(),
            skipped: self.manifest.skipped.clone(),
        }
    }

    /// A type's columns, merged from the key sets of its objects within `filter` (as the
    /// source would give them: a filter narrows what columns are learnt from), as the view
    /// sees them.
    pub async fn definition(&self, type_name: &str, filter: &PartitionFilter) -> Result<TableDef> {
        let Some(entry) = self.manifest.types.get(type_name) else {
            return Ok(merge_key_groups(type_name, std::iter::empty()));
        };
        let mut counts: Vec<(usize, usize)> = entry
            .key_sets
            .iter()
            .map(|k| (k.objects, k.lines))
            .collect();
        // Within a filter, or in the past, only some objects count.
        if !filter.is_all() || !matches!(self.view, View::Now) {
            counts = vec![(0, 0); entry.key_sets.len()];
            for object in self.objects(type_name).await?.iter().filter(|o| {
                filter.keeps_account(&o.partition.account_id)
                    && filter.keeps_region(&o.partition.region)
            }) {
                counts[object.key_set].0 += 1;
                counts[object.key_set].1 += object.lines;
            }
        }
        let groups: Vec<(ObjectKeys, usize)> = entry
            .key_sets
            .iter()
            .zip(counts)
            .filter(|(_, (objects, _))| *objects > 0)
            .map(|(k, (objects, lines))| {
                let keys = ObjectKeys {
                    keys: Arc::new(k.keys.iter().cloned().collect()),
                    lines,
                };
                (keys, objects)
            })
            .collect();
        Ok(merge_key_groups(
            type_name,
            groups.iter().map(|(k, n)| (k, *n)),
        ))
    }

    /// A type's objects as the view sees them: the current ones, or the versions valid at
    /// the moment asked for (the type's part of the object list is read from disk the first
    /// time).
    async fn objects(&self, type_name: &str) -> Result<Vec<&CachedObject>> {
        let Some(list) = self.objects.of_type(type_name).await? else {
            return Ok(Vec::new());
        };
        fn of<'a>(types: &'a ObjectsByType, type_name: &str) -> &'a [CachedObject] {
            types.get(type_name).map_or(&[], Vec::as_slice)
        }
        let now = of(&list.current, type_name).iter();
        let versions = now.clone().chain(of(&list.retired, type_name));
        Ok(match &self.view {
            View::Now => now.collect(),
            View::Whole => versions.collect(),
            View::Past(past) => match past.as_of {
                AsOf::Time(when) => versions.filter(|o| o.valid_at(when)).collect(),
                AsOf::Snapshot(number) => versions.filter(|o| o.current_in(number)).collect(),
            },
        })
    }

    /// When each version of a type's objects within `filter` was current (in a past view, as
    /// known at that moment), as the columns
    /// the `history.` tables add: `__ssmq_version`, `_valid_from` (its modification time),
    /// `_valid_to` (when it was replaced or went; NULL while current), `_snapshot_from` (the
    /// first snapshot that saw it) and `_source_key` (its object's key).
    pub async fn validity(&self, type_name: &str, filter: &PartitionFilter) -> Result<RecordBatch> {
        let whole = self.viewed(View::Whole);
        // In a past view, history as it was known then: versions made by then, and retired
        // only if they were by then.
        let past = self.past().map(|p| p.as_of);
        let known = |o: &CachedObject| match past {
            None => true,
            Some(AsOf::Time(when)) => o.last_modified <= when,
            Some(AsOf::Snapshot(number)) => o.seen_in <= number,
        };
        let retired_then = |r: &Retirement| match past {
            None => true,
            Some(AsOf::Time(when)) => r.at <= when,
            Some(AsOf::Snapshot(number)) => r.snapshot <= number,
        };
        let versions: Vec<&CachedObject> = whole
            .objects(type_name)
            .await?
            .into_iter()
            .filter(|o| {
                known(o)
                    && filter.keeps_account(&o.partition.account_id)
                    && filter.keeps_region(&o.partition.region)
            })
            .collect();
        let micros = |t: DateTime<Utc>| t.timestamp_micros();
        let columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from_iter_values(
                versions.iter().map(|o| o.version),
            )),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(
                    versions.iter().map(|o| micros(o.last_modified)),
                )
                .with_timezone("UTC"),
            ),
            Arc::new(
                TimestampMicrosecondArray::from_iter(versions.iter().map(|o| {
                    o.retired
                        .as_ref()
                        .filter(|r| retired_then(r))
                        .map(|r| micros(r.at))
                }))
                .with_timezone("UTC"),
            ),
            Arc::new(UInt64Array::from_iter_values(
                versions.iter().map(|o| o.seen_in),
            )),
            Arc::new(StringArray::from_iter_values(
                versions.iter().map(|o| o.key.as_str()),
            )),
        ];
        RecordBatch::try_new(validity_schema(), columns)
            .map_err(|e| damaged(&self.generation_dir, e))
    }

    /// A type's objects within `filter`, as a listing would give them.
    pub async fn listing(&self, type_name: &str, filter: &PartitionFilter) -> Result<TypeListing> {
        let objects = self.objects(type_name).await?;
        let mut listing = TypeListing {
            type_name: type_name.to_owned(),
            // As a listing within `filter` meets them: none inside a partition folder it
            // leaves out.
            skipped: self
                .manifest
                .types
                .get(type_name)
                .map_or_else(Vec::new, |entry| {
                    entry
                        .skipped
                        .iter()
                        .filter(|s| filter.keeps_location(&s.location))
                        .cloned()
                        .collect()
                }),
            ..TypeListing::default()
        };
        for object in objects {
            let p = &object.partition;
            listing.regions_seen.insert(p.region.clone());
            if !filter.keeps_account(&p.account_id) || !filter.keeps_region(&p.region) {
                continue;
            }
            listing.objects.push(SyncObject {
                location: Path::from(object.key.as_str()),
                size: object.size,
                last_modified: object.last_modified,
                e_tag: object.e_tag.clone(),
                version: object.version_id.clone(),
                partition: Arc::clone(p),
            });
        }
        Ok(listing)
    }

    /// A type's segment files holding rows within `filter` (and, for a past view, rows valid
    /// then), with their partitions, and the versions of theirs whose rows are to be left
    /// out. A segment may also hold rows of partitions outside `filter`.
    pub async fn segments(
        &self,
        type_name: &str,
        filter: &PartitionFilter,
    ) -> Result<(Vec<(PathBuf, Vec<Partition>)>, Vec<u64>)> {
        let Some(entry) = self.manifest.types.get(type_name) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let within = |s: &&Segment| {
            s.partitions
                .iter()
                .any(|p| filter.keeps_account(&p.account_id) && filter.keeps_region(&p.region))
        };
        let file = |s: &Segment| (self.dir.join(&s.file), s.partitions.clone());
        if matches!(self.view, View::Now) {
            let segments = entry.segments.iter().filter(within).map(file).collect();
            return Ok((segments, entry.dead.clone()));
        }
        let valid = self.objects(type_name).await?;
        let valid = Versions::of(valid.iter().map(|o| o.version));
        let chosen: Vec<&Segment> = entry
            .segments
            .iter()
            .filter(within)
            .filter(|s| valid.count_in(s.first_version, s.last_version) > 0)
            .collect();
        let left_out = chosen
            .iter()
            .flat_map(|s| s.first_version..=s.last_version)
            .filter(|v| !valid.contains(*v))
            .collect();
        Ok((chosen.into_iter().map(file).collect(), left_out))
    }
}

/// The column joining a version's rows to its validity (see [`CachedLake::validity`]).
pub const VALIDITY_VERSION: &str = "__ssmq_version";

/// The schema of [`CachedLake::validity`].
pub fn validity_schema() -> SchemaRef {
    let time = DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, Some("UTC".into()));
    Arc::new(Schema::new(vec![
        Field::new(VALIDITY_VERSION, DataType::UInt64, false),
        Field::new("_valid_from", time.clone(), false),
        Field::new("_valid_to", time, true),
        Field::new("_snapshot_from", DataType::UInt64, false),
        Field::new("_source_key", DataType::Utf8, false),
    ]))
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Objects in the lake.
    pub objects: usize,
    /// New or changed objects read.
    pub read: usize,
    /// Bytes of those.
    pub read_bytes: u64,
    /// Objects gone from the lake since the last sync.
    pub dropped: usize,
    /// New segments compaction wrote: each a mostly dead segment without its dead rows, or
    /// small segments merged (see `compaction`).
    pub compacted: usize,
    /// Requests made to the source, by kind.
    pub requests: RequestCounts,
    /// Malformed lines skipped (--skip-bad-lines).
    pub bad_lines: Vec<BadLine>,
    /// Objects that could not be read and were skipped (--skip-unreadable): object, why.
    /// They are read again by the next sync.
    pub unreadable: Vec<(String, String)>,
    /// Time taken.
    pub elapsed: Duration,
}

/// The distinct partitions among `partitions`, sorted. Runs of one shared partition (objects
/// come folder by folder) are compared once.
fn distinct_partitions<'a>(
    partitions: impl IntoIterator<Item = &'a Arc<Partition>>,
) -> Vec<Partition> {
    let mut distinct = BTreeSet::new();
    let mut last: Option<&Arc<Partition>> = None;
    for partition in partitions {
        if !last.is_some_and(|p| Arc::ptr_eq(p, partition)) {
            distinct.insert(&**partition);
            last = Some(partition);
        }
    }
    distinct.into_iter().cloned().collect()
}

/// A set of object versions, as one bit per version handed out.
pub(crate) struct Versions(Vec<u64>);

impl std::fmt::Debug for Versions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count: u32 = self.0.iter().map(|w| w.count_ones()).sum();
        write!(f, "Versions({count})")
    }
}

impl Versions {
    pub(crate) fn of(versions: impl Iterator<Item = u64> + Clone) -> Versions {
        let end = versions.clone().max().map_or(0, |v| v + 1);
        let mut words = vec![0u64; end.div_ceil(64) as usize];
        for version in versions {
            words[(version / 64) as usize] |= 1 << (version % 64);
        }
        Versions(words)
    }

    pub(crate) fn contains(&self, version: u64) -> bool {
        self.0
            .get((version / 64) as usize)
            .is_some_and(|word| word & (1 << (version % 64)) != 0)
    }

    /// How many versions of `first..=last` are live.
    fn count_in(&self, first: u64, last: u64) -> u64 {
        let mut count = 0;
        let mut version = first;
        while version <= last {
            let Some(word) = self.0.get((version / 64) as usize) else {
                break;
            };
            // The word's bits from `version` on, up to `last`.
            let mut bits = word >> (version % 64);
            let span = last - version;
            if span < 63 {
                bits &= (2 << span) - 1;
            }
            count += u64::from(bits.count_ones());
            version = (version / 64 + 1) * 64;
        }
        count
    }
}

/// A type's listing compared with its objects of the last generation.
#[derive(Debug, Default)]
struct Comparison {
    /// Cached objects listed again unchanged, in listing order.
    kept: Vec<CachedObject>,
    /// Listed objects that are new or changed, in listing order.
    changed: Vec<SyncObject>,
    /// Versions of cached objects changed or gone, retired by snapshot `retiring`.
    retired: Vec<CachedObject>,
    /// Cached objects not listed again.
    gone: usize,
}

/// Walks a type's listing (sorted by location) and its last objects (sorted by key) side by
/// side: each listed object is kept, changed or new, each cached one not listed is gone. The
/// versions of changed objects retire at the modification time of what replaced them; those
/// of gone ones at `now`, when the sync making snapshot `retiring` saw them gone.
fn compare(
    listed: &[SyncObject],
    previous: Vec<CachedObject>,
    type_name: &Arc<str>,
    retiring: u64,
    now: DateTime<Utc>,
) -> Comparison {
    debug_assert!(listed.is_sorted_by(|a, b| a.location <= b.location));
    let mut result = Comparison {
        kept: Vec::with_capacity(previous.len()),
        ..Comparison::default()
    };
    let mut retired = Vec::new();
    let mut retire = |mut cached: CachedObject, at: DateTime<Utc>| {
        cached.retired = Some(Retirement {
            at,
            snapshot: retiring,
        });
        retired.push(cached);
    };
    let mut previous = previous.into_iter().peekable();
    for object in listed {
        let key = object.location.as_ref();
        while let Some(gone) = previous.next_if(|p| p.key.as_str() < key) {
            retire(gone, now);
            result.gone += 1;
        }
        match previous.next_if(|p| p.key == key) {
            Some(mut cached) if cached.unchanged(object) => {
                cached.type_name = Arc::clone(type_name);
                result.kept.push(cached);
            }
            Some(cached) => {
                retire(cached, object.last_modified);
                result.changed.push(object.clone());
            }
            None => result.changed.push(object.clone()),
        }
    }
    for gone in previous {
        retire(gone, now);
        result.gone += 1;
    }
    result.retired = retired;
    result
}

/// Distinct key sets of a type, kept while objects are added: its manifest entry's sets.
#[derive(Debug, Default)]
struct KeySets {
    sets: KeyGroups,
    /// Index in the last generation's key sets → index here, for sets already kept.
    kept: HashMap<usize, usize>,
}

impl KeySets {
    /// The index of the last generation's key set `old` of `sets` here.
    fn keep(&mut self, old: usize, sets: &[KeySet]) -> usize {
        if let Some(&i) = self.kept.get(&old) {
            return i;
        }
        let i = self
            .sets
            .intern(Arc::new(sets[old].keys.iter().cloned().collect()));
        self.kept.insert(old, i);
        i
    }

    fn add(&mut self, keys: Arc<BTreeSet<String>>) -> usize {
        self.sets.intern(keys)
    }

    /// The key sets with the type's `objects` that use each counted.
    fn into_entries(self, objects: &[CachedObject]) -> Vec<KeySet> {
        let mut entries: Vec<KeySet> = self
            .sets
            .into_groups()
            .into_iter()
            .map(|(set, _)| KeySet {
                keys: set.keys.iter().cloned().collect(),
                objects: 0,
                lines: 0,
            })
            .collect();
        for object in objects {
            entries[object.key_set].objects += 1;
            entries[object.key_set].lines += object.lines;
        }
        entries
    }
}

/// Splits objects (sorted by partition) into segments of at most [`SEGMENT_BYTES`] (at least
/// one object each). A new partition starts a new segment once the current one holds
/// [`SEGMENT_SHARED_BYTES`]: a full sync writes a segment or more per partition, which
/// partition filters choose between, while a small change writes a few segments in all
/// rather than a tiny file per partition.
fn chunks(objects: Vec<SyncObject>) -> Vec<Vec<SyncObject>> {
    let mut chunks: Vec<Vec<SyncObject>> = Vec::new();
    let mut bytes = 0;
    for object in objects {
        let new_partition = chunks
            .last()
            .and_then(|c| c.last())
            .is_some_and(|last: &SyncObject| *last.partition != *object.partition);
        if chunks.is_empty()
            || bytes + object.size > SEGMENT_BYTES
            || (new_partition && bytes >= SEGMENT_SHARED_BYTES)
        {
            chunks.push(Vec::new());
            bytes = 0;
        }
        bytes += object.size;
        chunks.last_mut().expect("pushed").push(object);
    }
    chunks
}

/// A segment a sync writes: a chunk of one type's new or changed objects.
#[derive(Debug, Clone)]
struct SegmentJob {
    type_name: String,
    objects: Vec<SyncObject>,
    /// The version of the first object; the others follow in order.
    first_version: u64,
    /// Below the lake's cache folder, and in full.
    file: String,
    path: PathBuf,
}

/// What a segment's writer learnt of its objects' keys. The objects of a segment mostly share
/// a few key sets, so each distinct set is kept once (at 50k nodes, a full sync's per-object
/// sets peaked at over 400 MB).
#[derive(Debug, Default)]
struct SegmentKeys {
    /// The distinct key sets, each with the lines of all its objects and how many objects
    /// have it ([`KeyGroups::into_groups`]).
    sets: Vec<(ObjectKeys, usize)>,
    /// Per object: the index of its key set and its lines, `None` for one that could not be
    /// read and was skipped (--skip-unreadable).
    objects: Vec<Option<(usize, usize)>>,
}

/// A job's objects' bytes, `None` for one that could not be read and was skipped
/// (--skip-unreadable).
async fn fetch_segment(
    store: &LakeStore,
    job: &SegmentJob,
    options: &ReadOptions,
    report: &ReadReport,
) -> Result<Vec<Option<Bytes>>> {
    let reads: Vec<_> = job
        .objects
        .iter()
        .map(|object| fetch(store, object, options, report))
        .collect();
    stream::iter(reads)
        .buffered(options.read_concurrency.max(1))
        .try_collect()
        .await
}

/// Writes the rows of a job's objects (`fetched` by [`fetch_segment`]) to its segment, each
/// row tagged with its object's version. Returns its objects' keys.
async fn write_segment(
    store: &LakeStore,
    job: &SegmentJob,
    fetched: &[Option<Bytes>],
    options: &ReadOptions,
    report: &ReadReport,
) -> Result<SegmentKeys> {
    let (objects, path, first_version) = (&job.objects, job.path.as_path(), job.first_version);
    let mut groups = KeyGroups::default();
    let mut per_object = Vec::with_capacity(objects.len());
    for (object, bytes) in objects.iter().zip(fetched) {
        per_object.push(match bytes {
            Some(bytes) => {
                let keys = keys_of(&store.name(&object.location), bytes, options, report)?;
                let lines = keys.lines;
                Some((groups.add(keys), lines))
            }
            None => None,
        });
    }
    let keys = SegmentKeys {
        sets: groups.into_groups(),
        objects: per_object,
    };
    let def = Arc::new(merge_key_groups(
        &job.type_name,
        keys.sets.iter().map(|(set, objects)| (set, *objects)),
    ));
    let projection: Vec<usize> = (0..def.columns.len()).collect();
    let mut decoder = BatchDecoder::new(Arc::clone(&def), &projection, usize::MAX);
    let schema = segment_schema(&def.schema);
    let mut writer = segment_writer(path, &schema)?;
    for (i, (object, bytes)) in objects.iter().zip(fetched).enumerate() {
        let Some(bytes) = bytes else { continue };
        decoder.decode_object(
            object,
            &store.name(&object.location),
            bytes,
            options,
            report,
        )?;
        if let Some(batch) = decoder.finish_batch()? {
            let version: ArrayRef = Arc::new(UInt64Array::from_value(
                first_version + i as u64,
                batch.num_rows(),
            ));
            let mut columns = batch.columns().to_vec();
            columns.push(version);
            let batch = RecordBatch::try_new(Arc::clone(&schema), columns)
                .map_err(|e| encode_error(path, e))?;
            writer.write(&batch).map_err(|e| encode_error(path, e))?;
        }
    }
    let file = writer.into_inner().map_err(|e| encode_error(path, e))?;
    // On disk before the generation that names it is published.
    tokio::fs::File::from_std(file)
        .sync_all()
        .await
        .map_err(|e| write_error(path, e))?;
    Ok(keys)
}

/// A writer of a new segment file at `path` (its folder made if need be): zstd Parquet. Its
/// `into_inner` gives back the file, to be put on disk (`sync_all`) before it is published.
fn segment_writer(path: &FsPath, schema: &SchemaRef) -> Result<ArrowWriter<fs::File>> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| write_error(path, e))?;
    }
    let file = fs::File::create(path).map_err(|e| write_error(path, e))?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    ArrowWriter::try_new(file, Arc::clone(schema), Some(properties))
        .map_err(|e| encode_error(path, e))
}

/// A table's schema with the version column after its columns.
pub fn segment_schema(table: &SchemaRef) -> SchemaRef {
    let mut fields: Vec<Field> = table.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new(VERSION_COLUMN, DataType::UInt64, false));
    Arc::new(Schema::new(fields))
}

fn write_error(path: &FsPath, e: std::io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        source: e,
    }
}

fn encode_error(path: &FsPath, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::CacheIo {
        action: "write".to_owned(),
        path: path.to_path_buf(),
        source: Box::new(e),
    }
}

/// A file of the cache that is not as ssmq wrote it.
fn damaged(path: &FsPath, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::CacheDamaged {
        path: path.to_path_buf(),
        source: source.into(),
    }
}

/// Writes the generation's files, then points `CURRENT` at it in one rename.
fn publish(
    cache: &LakeCache,
    generation: &str,
    manifest: &Manifest,
    objects: &[CachedObject],
    retired: &[CachedObject],
) -> Result<()> {
    let generations = cache.dir.join("generations");
    let staging = generations.join(format!(".{generation}.{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| cache.io_error("create a generation", e))?;
    let failed =
        |name: &'static str| move |e| cache.io_error(&format!("write {name} of a generation"), e);
    write_json(&staging.join("manifest.json"), manifest).map_err(failed("manifest.json"))?;
    write_file(
        &staging.join(OBJECT_LIST),
        &object_list::encode(objects, retired),
    )
    .map_err(failed(OBJECT_LIST))?;
    let target = generations.join(generation);
    let _ = fs::remove_dir_all(&target);
    fs::rename(&staging, &target).map_err(|e| cache.io_error("publish a generation", e))?;
    point_current(cache, generation)
}

/// Points `CURRENT` at the generation folder `generation`, in one rename.
fn point_current(cache: &LakeCache, generation: &str) -> Result<()> {
    let pointer = cache.dir.join(format!(".CURRENT.{}", std::process::id()));
    fs::write(&pointer, format!("{generation}\n"))
        .and_then(|()| fs::rename(&pointer, cache.dir.join("CURRENT")))
        .map_err(|e| cache.io_error("switch CURRENT", e))
}

/// Writes `value` as JSON to a new file at `path`, on disk when this returns.
fn write_json(path: &FsPath, value: &impl Serialize) -> std::io::Result<()> {
    write_file(path, &serde_json::to_vec(value)?)
}

/// Writes `bytes` to a new file at `path`, on disk when this returns.
fn write_file(path: &FsPath, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Removes generations older than the previous one, and segment files neither the current
/// nor the previous generation (whose segment files are `keep`) uses, among them those of
/// interrupted syncs.
fn collect_garbage(
    cache: &LakeCache,
    current: &Manifest,
    mut keep: BTreeSet<String>,
) -> Result<()> {
    // A backfill interrupted before it moved its generation in (the lock is held: none runs).
    let _ = fs::remove_dir_all(cache.dir.join(backfill::REPLAY_DIR));
    let generations = cache.dir.join("generations");
    let previous = format!("{:08}", current.generation.saturating_sub(1));
    keep.extend(segment_files(current));
    let current_name = format!("{:08}", current.generation);
    if let Ok(entries) = fs::read_dir(&generations) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != current_name && name != previous {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let segments = cache.dir.join("segments");
    let mut pending = vec![segments];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(&cache.dir) {
                let relative = relative.to_string_lossy().replace('\\', "/");
                if !keep.contains(&relative) {
                    let _ = fs::remove_file(&path);
                }
            }
        }
    }
    Ok(())
}

fn segment_files(manifest: &Manifest) -> BTreeSet<String> {
    manifest
        .types
        .values()
        .flat_map(|t| t.segments.iter().map(|s| s.file.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn lake_folders_are_stable_per_source() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a("s3:aws:a/b"), fnv1a("s3:aws:a/c"));
        let root = FsPath::new("/cache");
        let s3 = |prefix: &str| Source::S3 {
            bucket: "sync".into(),
            prefix: prefix.into(),
        };
        let a = LakeCache::for_source(root, &s3("x"), &S3Options::default()).unwrap();
        let b = LakeCache::for_source(root, &s3("x"), &S3Options::default()).unwrap();
        let c = LakeCache::for_source(root, &s3("y"), &S3Options::default()).unwrap();
        assert_eq!(a.dir(), b.dir());
        assert_ne!(a.dir(), c.dir());
        assert!(a.dir().starts_with("/cache/lakes"));
        assert!(
            LakeCache::for_source(root, &Source::BuiltinSample, &S3Options::default()).is_err()
        );
    }

    #[test]
    fn comparison_keeps_unchanged_and_reads_changed_and_new() {
        let partition = Arc::new(Partition {
            account_id: "1".into(),
            region: "r".into(),
            resource_type: "t".into(),
        });
        let modified = DateTime::<Utc>::default() + TimeDelta::days(1);
        let listed = |key: &str, size| SyncObject {
            location: Path::from(key),
            size,
            last_modified: modified,
            e_tag: None,
            version: None,
            partition: Arc::clone(&partition),
        };
        let type_name: Arc<str> = Arc::from("T");
        let cached = |key: &str, size, version| CachedObject {
            key: key.into(),
            type_name: Arc::from("T"),
            partition: Arc::clone(&partition),
            size,
            last_modified: modified,
            e_tag: None,
            version_id: None,
            version,
            key_set: 0,
            lines: 1,
            seen_in: 1,
            retired: None,
        };
        // Gone before, between and after listed keys; one changed; new ones anywhere.
        let listing = [
            listed("T/b", 1),
            listed("T/c", 2),
            listed("T/d", 1),
            listed("T/f", 1),
        ];
        let previous = vec![
            cached("T/a", 1, 1),
            cached("T/b", 1, 2),
            cached("T/c", 1, 3),
            cached("T/e", 1, 4),
            cached("T/g", 1, 5),
        ];
        let now = modified + TimeDelta::days(1);
        let result = compare(&listing, previous, &type_name, 7, now);
        let kept: Vec<&str> = result.kept.iter().map(|o| o.key.as_str()).collect();
        let changed: Vec<&str> = result.changed.iter().map(|o| o.location.as_ref()).collect();
        assert_eq!(kept, ["T/b"]);
        assert!(Arc::ptr_eq(&result.kept[0].type_name, &type_name));
        assert_eq!(changed, ["T/c", "T/d", "T/f"]);
        let retired: Vec<(u64, DateTime<Utc>, u64)> = result
            .retired
            .iter()
            .map(|o| {
                let r = o.retired.as_ref().unwrap();
                (o.version, r.at, r.snapshot)
            })
            .collect();
        // A changed object's version retires when its successor was made, a gone one's when
        // the sync saw it gone.
        assert_eq!(
            retired,
            [(1, now, 7), (3, modified, 7), (4, now, 7), (5, now, 7)]
        );
        assert_eq!(result.gone, 3);
    }

    #[test]
    fn versions_answer_as_a_set_does() {
        let set: BTreeSet<u64> = [0, 5, 63, 64, 130, 191, 192, 400].into();
        let live = Versions::of(set.iter().copied());
        for first in 0..450 {
            assert_eq!(live.contains(first), set.contains(&first), "{first}");
            for last in first..450 {
                let expected = set.range(first..=last).count() as u64;
                assert_eq!(live.count_in(first, last), expected, "{first}..={last}");
            }
        }
        assert_eq!(live.count_in(0, u64::MAX), set.len() as u64);
        assert_eq!(Versions::of(std::iter::empty()).count_in(0, u64::MAX), 0);
    }

    #[test]
    fn chunks_bound_their_bytes_and_share_only_small_partitions() {
        let object = |account: &str, size| SyncObject {
            location: Path::from("k"),
            size,
            last_modified: DateTime::<Utc>::default(),
            e_tag: None,
            version: None,
            partition: Arc::new(Partition {
                account_id: account.into(),
                region: "r".into(),
                resource_type: "t".into(),
            }),
        };
        let shape = |objects: Vec<SyncObject>| -> Vec<Vec<String>> {
            chunks(objects)
                .iter()
                .map(|c| c.iter().map(|o| o.partition.account_id.clone()).collect())
                .collect()
        };
        // Bounded size, every object kept, a huge object alone.
        let big = SEGMENT_BYTES / 2;
        assert_eq!(
            shape(vec![
                object("1", big),
                object("1", big),
                object("1", 1),
                object("1", SEGMENT_BYTES * 2),
                object("1", 5),
            ]),
            vec![vec!["1", "1"], vec!["1"], vec!["1"], vec!["1"]]
        );
        // Small changes of several partitions share a segment; a large partition ends one.
        assert_eq!(
            shape(vec![object("1", 10), object("2", 10), object("3", 10)]),
            vec![vec!["1", "2", "3"]]
        );
        assert_eq!(
            shape(vec![
                object("1", SEGMENT_SHARED_BYTES),
                object("2", 10),
                object("2", 10),
            ]),
            vec![vec!["1"], vec!["2", "2"]]
        );
    }
}
