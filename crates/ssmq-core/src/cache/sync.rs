//! A sync: the next generation of a lake's cache, built from one listing of the lake.
//!
//! In: the source, its cache, how to read objects. Out: a published generation (or none, when
//! nothing changed) and a [`SyncSummary`]. The steps, each a method of [`NextGeneration`]:
//! start from the last generation; plan each type from its listing and write the segments of
//! its new and changed objects (while later types are still listed); assemble the object list
//! and key sets; compact segments left mostly dead; forget dead versions no segment holds;
//! publish. Every file written on the way is held by [`WrittenFiles`], which removes them
//! unless the generation naming them was published.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use futures::{StreamExt, stream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;

use super::history::DEFAULT_KEEP_HISTORY_DAYS;
use super::object_list::ObjectList;
use super::{
    CACHE_FORMAT, CachedObject, KeySet, KeySets, LakeCache, Manifest, OBJECT_LIST, SEGMENT_WRITERS,
    SEGMENTS_FETCHED_AHEAD, Segment, SegmentJob, SegmentKeys, Snapshot, SyncSummary, TYPE_LISTS,
    TypeEntry, Versions, chunks, collect_garbage, compaction, compare, distinct_partitions,
    fetch_segment, publish, read_objects, segment_files, write_segment,
};
use crate::error::{Error, Result, joined};
use crate::lake::catalog::table_name;
use crate::lake::discover::{LakeLayout, PartitionFilter, TypeListing, find_layout, list_type};
use crate::lake::read::{ReadOptions, ReadReport};
use crate::source::metered::MeteredStore;
use crate::source::s3::S3Options;
use crate::source::{LakeStore, Source};

/// Brings the cache of `source` up to date: one listing of the whole lake, then a read of each
/// new or changed object, then a rewrite of segments left mostly dead (`compaction`). Waits
/// for a sync already running on the same cache.
pub async fn sync(
    source: &Source,
    cache: &LakeCache,
    s3: &S3Options,
    options: &ReadOptions,
) -> Result<SyncSummary> {
    let started = Instant::now();
    let lock = cache.lock().await?;
    let checking = cache.now();
    let opened = source.open(s3).await?;
    let options = match opened.s3 {
        Some(_) => options.for_s3(s3),
        None => options.clone(),
    };
    let mut summary = sync_store(cache, opened.store, &opened.prefix, &options).await?;
    // The lake as the cache now has it was listed from `checking` on.
    cache.mark_checked(checking)?;
    drop(lock);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// [`sync`] of the lake below `prefix` of `store`, the cache's lock held by the caller.
pub(super) async fn sync_store(
    cache: &LakeCache,
    store: LakeStore,
    prefix: &object_store::path::Path,
    options: &ReadOptions,
) -> Result<SyncSummary> {
    let started = Instant::now();
    let (mut next, previous_objects) = NextGeneration::start(cache)?;
    let metered = MeteredStore::new(store.store);
    let store = LakeStore::new(Arc::new(metered.clone()), store.label);
    let layout = find_layout(&store, prefix).await?;
    let report = Arc::new(ReadReport::default());
    let mut written = WrittenFiles::default();

    let planned = next
        .plan_and_write(
            &store,
            &layout,
            options,
            &report,
            previous_objects,
            &mut written,
        )
        .await?;
    next.assemble(planned, &store);
    let changed = next.changed(&layout);
    if changed {
        next.complete(written, |next| {
            next.take_snapshot();
            next.publish(layout, &report)
        })
        .await?;
    }
    let mut summary = next.summary;
    summary.requests = metered.counts();
    if changed {
        summary.bad_lines = report.bad_lines();
        summary.unreadable = report.unreadable();
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// What [`prune`] let go, or would.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneSummary {
    /// Snapshots let go.
    pub snapshots: usize,
    /// Retired versions let go (their rows go with compaction).
    pub versions: usize,
    /// The oldest snapshot kept.
    pub oldest_kept: Option<Snapshot>,
    /// New segments written without the rows let go (small ones merged).
    pub compacted: usize,
}

/// Lets go of the snapshots of the cache taken before `keep_from` (never the newest) and of
/// the retired versions only they needed, then compacts what that leaves mostly unneeded;
/// with `dry_run`, only counts them. The source is not read, and the cache's own retention
/// (`--keep-history`) stays as it is.
pub async fn prune(
    cache: &LakeCache,
    keep_from: DateTime<Utc>,
    dry_run: bool,
) -> Result<PruneSummary> {
    let lock = cache.lock().await?;
    let (mut next, reading) = NextGeneration::start(cache)?;
    let (Some(reading), Some(newest)) = (reading, next.manifest.snapshots.last()) else {
        return Err(Error::NoHistory);
    };
    let newest = (newest.number, newest.taken_at);
    let list = joined(reading.await)?;
    next.keep_snapshots_from(keep_from, newest);
    let (oldest, _) = next.oldest_kept;
    let snapshots = std::mem::take(&mut next.manifest.snapshots);
    let (kept_snapshots, gone): (Vec<Snapshot>, Vec<Snapshot>) =
        snapshots.into_iter().partition(|s| s.number >= oldest);
    let (retired, dropped): (Vec<CachedObject>, Vec<CachedObject>) = list
        .retired
        .into_values()
        .flatten()
        .partition(|o| next.still_needed(o));
    let mut summary = PruneSummary {
        snapshots: gone.len(),
        versions: dropped.len(),
        oldest_kept: kept_snapshots.first().cloned(),
        compacted: 0,
    };
    if dry_run || (gone.is_empty() && dropped.is_empty()) {
        return Ok(summary);
    }
    next.manifest.snapshots = kept_snapshots;
    next.types = std::mem::take(&mut next.manifest.types);
    next.objects = list.current.into_values().flatten().collect();
    next.retired = retired;
    next.complete(WrittenFiles::default(), NextGeneration::write_generation)
        .await?;
    summary.compacted = next.summary.compacted;
    drop(lock);
    Ok(summary)
}

/// Files a sync wrote for a generation not yet published: removed when dropped unless
/// [`WrittenFiles::keep`] is called (the next sync's garbage collection takes any left).
#[derive(Debug, Default)]
pub(super) struct WrittenFiles(Vec<PathBuf>);

impl WrittenFiles {
    /// A file about to be written.
    pub(super) fn push(&mut self, path: PathBuf) {
        self.0.push(path);
    }

    /// The generation naming the files is published: they stay.
    fn keep(mut self) {
        self.0.clear();
    }
}

impl Drop for WrittenFiles {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = fs::remove_file(path);
        }
    }
}

/// The generation a sync builds: the last one's manifest as it is brought up to date, the
/// object list being assembled, and what the sync did.
struct NextGeneration<'a> {
    cache: &'a LakeCache,
    /// Its number (its snapshot's, if it is published) and its name (`00000042`).
    number: u64,
    name: String,
    /// When the sync started: its snapshot's time, and when the objects it sees gone went.
    started_at: DateTime<Utc>,
    /// Snapshots taken before this are let go.
    keep_from: DateTime<Utc>,
    /// The number and time of the oldest snapshot kept (see [`Self::still_needed`]).
    oldest_kept: (u64, DateTime<Utc>),
    /// The last generation's manifest, its types taken out as they are planned.
    manifest: Manifest,
    /// The last generation's type folders and segment files (the garbage collection keeps
    /// those for readers of the last generation).
    previous_types: Vec<String>,
    previous_segments: BTreeSet<String>,
    /// The last generation's objects per type, current ones sorted by key, taken out as types
    /// are planned.
    previous_objects: ObjectList,
    /// This generation's types, its current objects and the retired versions history keeps.
    types: BTreeMap<String, TypeEntry>,
    objects: Vec<CachedObject>,
    retired: Vec<CachedObject>,
    /// Whether the entries that are not inventory differ from the last sync's.
    skipped_changed: bool,
    summary: SyncSummary,
}

/// A type planned from its listing: what the last generation had of it, the objects that are
/// unchanged, and the segment jobs (by index) of its new and changed objects.
struct TypePlan {
    folder: String,
    type_name: Arc<str>,
    old_key_sets: Vec<KeySet>,
    entry: TypeEntry,
    kept: Vec<CachedObject>,
    /// Retired versions still within retention, with their last generation's key sets.
    retired: Vec<CachedObject>,
    jobs: Range<usize>,
}

/// The types planned, the segment jobs made for them, and each job's objects' keys.
struct Planned {
    types: Vec<TypePlan>,
    jobs: Vec<Arc<SegmentJob>>,
    keys: Vec<SegmentKeys>,
}

/// The reading of the last generation's object list, started before the lake is listed.
type ObjectsReading = Option<JoinHandle<Result<ObjectList>>>;

impl<'a> NextGeneration<'a> {
    /// Starts from the last generation (or from nothing), and starts reading its object list.
    /// The objects of a cache of another format are not known: every object is read again.
    fn start(cache: &'a LakeCache) -> Result<(Self, ObjectsReading)> {
        let previous = cache.current_manifest()?;
        let reading = match &previous {
            Some((dir, manifest)) if manifest.format == CACHE_FORMAT => {
                let path = dir.join(OBJECT_LIST);
                Some(tokio::task::spawn_blocking(move || read_objects(&path)))
            }
            _ => None,
        };
        let manifest = previous.map(|(_, m)| m).unwrap_or_else(|| Manifest {
            format: CACHE_FORMAT,
            generation: cache.numbered_after,
            source: cache.source.clone(),
            synced_at: cache.now(),
            next_version: 1,
            skipped_lines: 0,
            skipped: Vec::new(),
            types: BTreeMap::new(),
            snapshots: Vec::new(),
            keep_history_days: None,
        });
        let mut manifest = manifest;
        if manifest.format != CACHE_FORMAT {
            // The versions its snapshots saw are not known: history starts with this sync.
            manifest.snapshots.clear();
        }
        manifest.keep_history_days = cache.keep_history_days.or(manifest.keep_history_days);
        let keep_days = manifest
            .keep_history_days
            .unwrap_or(DEFAULT_KEEP_HISTORY_DAYS);
        let started_at = cache.now();
        let number = manifest.generation + 1;
        let keep_from = started_at - TimeDelta::days(keep_days.into());
        let mut next = NextGeneration {
            cache,
            number,
            name: format!("{number:08}"),
            started_at,
            keep_from,
            oldest_kept: (number, started_at),
            previous_types: manifest.types.keys().cloned().collect(),
            previous_segments: segment_files(&manifest),
            manifest,
            previous_objects: ObjectList::default(),
            types: BTreeMap::new(),
            objects: Vec::new(),
            retired: Vec::new(),
            skipped_changed: false,
            summary: SyncSummary::default(),
        };
        // This sync's snapshot is the oldest kept if no older one is.
        next.keep_snapshots_from(keep_from, (number, started_at));
        Ok((next, reading))
    }

    /// Keeps the snapshots taken at or after `keep_from`, the oldest of them, else `newest`,
    /// setting which retired versions are still needed ([`Self::still_needed`]).
    fn keep_snapshots_from(&mut self, keep_from: DateTime<Utc>, newest: (u64, DateTime<Utc>)) {
        self.keep_from = keep_from;
        self.oldest_kept = self
            .manifest
            .snapshots
            .iter()
            .find(|s| s.taken_at >= keep_from)
            .map_or(newest, |s| (s.number, s.taken_at));
    }

    /// Whether a kept snapshot, or a moment after the oldest one, may ask for the retired
    /// version `version`: one that no kept snapshot saw current, and that was retired by the
    /// time the oldest kept one was taken, answers nothing history can be asked.
    fn still_needed(&self, version: &CachedObject) -> bool {
        let (oldest, oldest_taken) = self.oldest_kept;
        version
            .retired
            .as_ref()
            .is_some_and(|r| r.snapshot > oldest || r.at > oldest_taken)
    }

    /// Lists every type (several at once, in a task of its own), plans each as its listing
    /// arrives and starts writing its segments at once, under [`SegmentSlots`]. A failure
    /// stops the jobs not started; every started one is awaited before this returns, so none
    /// writes after the sync ends.
    async fn plan_and_write(
        &mut self,
        store: &LakeStore,
        layout: &LakeLayout,
        options: &ReadOptions,
        report: &Arc<ReadReport>,
        previous_objects: ObjectsReading,
        written: &mut WrittenFiles,
    ) -> Result<Planned> {
        let (lister, mut listed) = spawn_lister(store, layout);
        let slots = SegmentSlots::new(options);
        let failed = Arc::new(AtomicBool::new(false));
        let mut types = Vec::with_capacity(layout.types.len());
        let mut jobs: Vec<Arc<SegmentJob>> = Vec::new();
        // Each job's task: its objects' keys, or `None` when it did not start because an
        // earlier one failed.
        let mut tasks: Vec<JoinHandle<Result<Option<SegmentKeys>>>> = Vec::new();
        let planning: Result<()> = async {
            if let Some(reading) = previous_objects {
                self.previous_objects = joined(reading.await)?;
            }
            while let Some(listing) = listed.recv().await {
                if failed.load(Ordering::Relaxed) {
                    // A segment failed: its error is the sync's.
                    break;
                }
                let first_job = jobs.len();
                let (plan, new_jobs) = self.plan_type(listing?, first_job, written);
                for job in new_jobs {
                    tasks.push(spawn_segment_writer(
                        store, &job, options, report, &slots, &failed,
                    ));
                    jobs.push(job);
                }
                types.push(plan);
            }
            Ok(())
        }
        .await;
        lister.abort();
        if planning.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        let mut results = Vec::with_capacity(tasks.len());
        for task in tasks {
            results.push(joined(task.await));
        }
        planning?;
        let keys = results
            .into_iter()
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .map(|keys| keys.expect("a job starts unless an earlier one failed"))
            .collect();
        Ok(Planned { types, jobs, keys })
    }

    /// A type's plan from its listing, compared with the last generation: its unchanged
    /// objects, its changed ones as segment jobs (numbered from `first_job`, their files
    /// added to `written`), and the versions of changed and deleted objects retired (not
    /// current: dead to queries of now) and kept in history while retention allows.
    fn plan_type(
        &mut self,
        listing: TypeListing,
        first_job: usize,
        written: &mut WrittenFiles,
    ) -> (TypePlan, Vec<Arc<SegmentJob>>) {
        let type_name: Arc<str> = Arc::from(listing.type_name.as_str());
        let old = self
            .manifest
            .types
            .remove(&listing.type_name)
            .unwrap_or_default();
        let mut entry = TypeEntry {
            segments: old.segments,
            dead: old.dead,
            partitions: distinct_partitions(listing.objects.iter().map(|o| &o.partition)),
            ..TypeEntry::default()
        };
        self.skipped_changed |= listing.skipped != old.skipped;
        let previous = self
            .previous_objects
            .current
            .remove(&type_name)
            .unwrap_or_default();
        let compared = compare(
            &listing.objects,
            previous,
            &type_name,
            self.number,
            self.started_at,
        );
        let (kept, mut changed) = (compared.kept, compared.changed);
        entry
            .dead
            .extend(compared.retired.iter().map(|o| o.version));
        let mut retired = self
            .previous_objects
            .retired
            .remove(&type_name)
            .unwrap_or_default();
        retired.extend(compared.retired);
        retired.retain(|o| self.still_needed(o));
        // In key order, as the current objects are (a stable sort: a key's versions stay in
        // the order they were retired): the object list then shares one folder entry between
        // the versions of a partition instead of writing one for nearly every version a 1%
        // sync retires. Both parts are sorted already, so this is a merge.
        retired.sort_by(|a, b| a.key.cmp(&b.key));
        entry.skipped = listing.skipped;
        let summary = &mut self.summary;
        summary.dropped += compared.gone;
        summary.objects += listing.objects.len();
        summary.read += changed.len();
        summary.read_bytes += changed.iter().map(|o| o.size).sum::<u64>();
        // Changed objects in partition order, in chunks of bounded size; a chunk holds one
        // partition unless the partitions' changes are small (see `chunks`).
        changed.sort_by(|a, b| {
            if Arc::ptr_eq(&a.partition, &b.partition) {
                std::cmp::Ordering::Equal
            } else {
                a.partition.cmp(&b.partition)
            }
        });
        let table = table_name(&listing.type_name);
        let mut jobs = Vec::new();
        for chunk in chunks(changed) {
            let first_version = self.manifest.next_version;
            self.manifest.next_version += chunk.len() as u64;
            let file = format!("segments/{table}/{}-{first_version}.parquet", self.name);
            let path = self.cache.dir.join(&file);
            written.push(path.clone());
            jobs.push(Arc::new(SegmentJob {
                type_name: listing.type_name.clone(),
                objects: chunk,
                first_version,
                file,
                path,
            }));
        }
        let plan = TypePlan {
            folder: listing.type_name,
            type_name,
            old_key_sets: old.key_sets,
            entry,
            kept,
            retired,
            jobs: first_job..first_job + jobs.len(),
        };
        (plan, jobs)
    }

    /// The object list and each type's key sets and segments: kept objects and the objects
    /// the segments read, merged in key order (as the next sync compares them with its
    /// listing).
    fn assemble(&mut self, planned: Planned, store: &LakeStore) {
        let Planned { types, jobs, keys } = planned;
        let mut keys = keys.into_iter();
        self.objects.reserve(
            types.iter().map(|plan| plan.kept.len()).sum::<usize>()
                + jobs.iter().map(|job| job.objects.len()).sum::<usize>(),
        );
        for plan in types {
            let TypePlan {
                folder,
                type_name,
                old_key_sets,
                mut entry,
                kept,
                retired,
                jobs: job_range,
            } = plan;
            let mut key_sets = KeySets::default();
            let mut added = Vec::new();
            for job in &jobs[job_range] {
                let job_keys = keys.next().expect("a result per job");
                let sets: Vec<usize> = job_keys
                    .sets
                    .into_iter()
                    .map(|(set, _)| key_sets.add(set.keys))
                    .collect();
                let mut read = Vec::with_capacity(job.objects.len());
                for (i, (object, keys)) in job.objects.iter().zip(job_keys.objects).enumerate() {
                    // An object that could not be read (--skip-unreadable) is left out, so
                    // the next sync tries it again.
                    let Some((set, lines)) = keys else { continue };
                    read.push(&object.partition);
                    added.push(CachedObject {
                        key: object.location.to_string(),
                        type_name: Arc::clone(&type_name),
                        partition: Arc::clone(&object.partition),
                        size: object.size,
                        last_modified: object.last_modified,
                        e_tag: object.e_tag.clone(),
                        version_id: object
                            .version
                            .clone()
                            .or_else(|| store.version_read(&object.location)),
                        version: job.first_version + i as u64,
                        key_set: sets[set],
                        lines,
                        seen_in: self.number,
                        retired: None,
                    });
                }
                entry.segments.push(Segment {
                    file: job.file.clone(),
                    partitions: distinct_partitions(read),
                    first_version: job.first_version,
                    last_version: job.first_version + job.objects.len() as u64 - 1,
                });
            }
            added.sort_by(|a, b| a.key.cmp(&b.key));
            let first_object = self.objects.len();
            let mut added = added.into_iter().peekable();
            for mut cached in kept {
                while let Some(new) = added.next_if(|new| new.key < cached.key) {
                    self.objects.push(new);
                }
                cached.key_set = key_sets.keep(cached.key_set, &old_key_sets);
                self.objects.push(cached);
            }
            self.objects.extend(added);
            // Retired versions keep their key sets (counted with no current object), so the
            // past's columns can be learnt from them.
            for mut version in retired {
                version.key_set = key_sets.keep(version.key_set, &old_key_sets);
                self.retired.push(version);
            }
            entry.key_sets = key_sets.into_entries(&self.objects[first_object..]);
            self.types.insert(folder, entry);
        }
        // Types whose folder went are dropped whole.
        self.summary.dropped += self
            .previous_objects
            .current
            .values()
            .map(Vec::len)
            .sum::<usize>();
    }

    /// Whether this generation differs from the last: objects read or dropped, types come or
    /// gone, other entries changed, or no generation yet.
    fn changed(&mut self, layout: &LakeLayout) -> bool {
        self.skipped_changed |= layout.skipped != self.manifest.skipped;
        self.summary.read > 0
            || self.summary.dropped > 0
            || !self.types.keys().eq(self.previous_types.iter())
            || self.skipped_changed
            || self.manifest.generation == 0
    }

    /// Rewrites segments left mostly dead (see `compaction`); returns the versions whose rows
    /// are still needed after it, current or kept in history (compacted objects move to new
    /// versions).
    async fn compact(&mut self, written: &mut WrittenFiles) -> Result<Versions> {
        let needed = |objects: &[CachedObject], retired: &[CachedObject]| {
            Versions::of(objects.iter().chain(retired).map(|o| o.version))
        };
        let live = needed(&self.objects, &self.retired);
        self.summary.compacted = compaction::compact(
            &self.cache.dir,
            &self.name,
            &mut self.types,
            self.objects.iter_mut().chain(self.retired.iter_mut()),
            &live,
            &mut self.manifest.next_version,
            written,
        )
        .await?;
        Ok(if self.summary.compacted > 0 {
            needed(&self.objects, &self.retired)
        } else {
            live
        })
    }

    /// A segment none of whose rows is needed goes; of the versions not current, those no
    /// segment holds are forgotten. Retired versions history keeps are not current: queries
    /// of now leave them out.
    fn forget_dead(&mut self, needed: &Versions) {
        let mut retired: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for version in &self.retired {
            retired
                .entry(&version.type_name)
                .or_default()
                .push(version.version);
        }
        for (type_name, entry) in &mut self.types {
            entry
                .segments
                .retain(|s| needed.count_in(s.first_version, s.last_version) > 0);
            let segments = &entry.segments;
            entry.dead.retain(|v| {
                !needed.contains(*v)
                    && segments
                        .iter()
                        .any(|s| (s.first_version..=s.last_version).contains(v))
            });
            if let Some(versions) = retired.get(type_name.as_str()) {
                entry.dead.extend(versions);
            }
            entry.dead.sort_unstable();
            entry.dead.dedup();
        }
    }

    /// Records this generation as a snapshot, and lets go of snapshots older than retention
    /// (the newest is always kept).
    fn take_snapshot(&mut self) {
        let snapshots = &mut self.manifest.snapshots;
        snapshots.push(Snapshot {
            number: self.number,
            taken_at: self.started_at,
            origin: self.cache.origin.to_owned(),
            objects: self.objects.len(),
            changed: self.summary.read,
            removed: self.summary.dropped,
        });
        let keep_from = self.keep_from;
        snapshots.retain(|s| s.taken_at >= keep_from);
    }

    /// Compacts, forgets what no segment holds, writes the generation with `write` and keeps
    /// its files, then removes what neither it nor the last generation uses.
    async fn complete(
        &mut self,
        mut written: WrittenFiles,
        write: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        let needed = self.compact(&mut written).await?;
        self.forget_dead(&needed);
        write(self)?;
        written.keep();
        collect_garbage(
            self.cache,
            &self.manifest,
            std::mem::take(&mut self.previous_segments),
        )
    }

    /// Writes the generation of what the sync listed and points `CURRENT` at it.
    fn publish(&mut self, layout: LakeLayout, report: &ReadReport) -> Result<()> {
        self.manifest.skipped_lines = report.bad_lines().len() as u64;
        self.manifest.skipped = layout.skipped;
        self.manifest.synced_at = self.cache.now();
        self.write_generation()
    }

    /// Writes the generation and points `CURRENT` at it.
    fn write_generation(&mut self) -> Result<()> {
        let manifest = &mut self.manifest;
        manifest.types = std::mem::take(&mut self.types);
        manifest.format = CACHE_FORMAT;
        manifest.generation = self.number;
        manifest.source = self.cache.source.clone();
        publish(
            self.cache,
            &self.name,
            manifest,
            &self.objects,
            &self.retired,
        )
    }
}

/// A task listing every type of the lake (several at once), handing each listing over as it
/// completes; it stops after the first failed listing.
fn spawn_lister(
    store: &LakeStore,
    layout: &LakeLayout,
) -> (JoinHandle<()>, mpsc::Receiver<Result<TypeListing>>) {
    let (listed_tx, listed) = mpsc::channel(TYPE_LISTS);
    let (store, root, folders) = (store.clone(), layout.root.clone(), layout.types.clone());
    let lister = tokio::spawn(async move {
        let everything = PartitionFilter::default();
        let lists: Vec<_> = folders
            .iter()
            .map(|folder| list_type(&store, &root, folder, &everything))
            .collect();
        let mut listings = stream::iter(lists).buffered(TYPE_LISTS);
        while let Some(listing) = listings.next().await {
            let failed = listing.is_err();
            if listed_tx.send(listing).await.is_err() || failed {
                break;
            }
        }
    });
    (lister, listed)
}

/// A task writing one segment once a writer is free (the semaphore is fair, so writers start
/// in the order they are made); it does not start after another job failed.
fn spawn_segment_writer(
    store: &LakeStore,
    job: &Arc<SegmentJob>,
    options: &ReadOptions,
    report: &Arc<ReadReport>,
    slots: &SegmentSlots,
    failed: &Arc<AtomicBool>,
) -> JoinHandle<Result<Option<SegmentKeys>>> {
    let (store, job, options, report, slots, failed) = (
        store.clone(),
        Arc::clone(job),
        options.clone(),
        Arc::clone(report),
        slots.clone(),
        Arc::clone(failed),
    );
    tokio::spawn(async move {
        let _fetching = slots.fetchers.acquire_owned().await;
        if failed.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let written = async {
            let fetched = fetch_segment(&store, &job, &options, &report).await?;
            let _writing = slots.writers.acquire_owned().await;
            write_segment(&store, &job, &fetched, &options, &report).await
        }
        .await;
        if written.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        written.map(Some)
    })
}

/// How many segments a sync fetches and writes at once: [`SEGMENT_WRITERS`] are written, and
/// from S3 (`options.fetch_ahead`) [`SEGMENTS_FETCHED_AHEAD`] more are fetched meanwhile.
#[derive(Clone)]
struct SegmentSlots {
    fetchers: Arc<Semaphore>,
    writers: Arc<Semaphore>,
}

impl SegmentSlots {
    fn new(options: &ReadOptions) -> Self {
        let ahead = if options.fetch_ahead {
            SEGMENTS_FETCHED_AHEAD
        } else {
            0
        };
        SegmentSlots {
            fetchers: Arc::new(Semaphore::new(SEGMENT_WRITERS + ahead)),
            writers: Arc::new(Semaphore::new(SEGMENT_WRITERS)),
        }
    }
}
