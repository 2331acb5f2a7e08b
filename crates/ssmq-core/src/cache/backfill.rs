//! Backfill: the past of a versioned S3 bucket read back into the cache's history.
//!
//! In: an S3 source, its cache, `--since`, `--dry-run`. Out: a [`Backfill`] saying what was
//! (or would be) read, and, unless a dry run or nothing is new, a cache whose history is the
//! bucket's: one snapshot (origin `backfill`) per moment of the bucket's past, then one of
//! the bucket as it is now.
//!
//! The bucket's versions and delete markers are listed once ([`BucketVersions`]). Their
//! moments are cut into rounds in which no object changes twice; the bucket as it stood at
//! the end of each round ([`BucketAt`]) is synced into a cache built beside the real one
//! (`backfill/` in its folder), each sync taken at that moment, so every version is read once
//! and the history's rows, retirements and compaction are a sync's own. Its generations are
//! numbered on from the cache's last, and the last of them is moved in and made `CURRENT` in
//! one rename: an interrupted backfill leaves the cache as it was (the next backfill, or sync
//! that changes anything, removes the half-built one). The cache's own snapshots are replaced by the bucket's (numbers are never
//! reused); a backfill that would lose a version the cache keeps and the bucket no longer has
//! is refused.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::sync::sync_store;
use super::{
    CACHE_FORMAT, LakeCache, OBJECT_LIST, Snapshot, SyncSummary, point_current, read_json,
    read_objects, segment_files,
};
use crate::error::{Error, Refusal, Result};
use crate::lake::discover::parse_sync_key;
use crate::lake::read::{BadLine, ReadOptions};
use crate::source::s3::S3Options;
use crate::source::versions::{BucketAt, BucketVersions, ObjectVersion};
use crate::source::{LakeStore, Source};

/// The folder, in a lake's cache folder, a backfill builds its cache in.
pub(super) const REPLAY_DIR: &str = "backfill";

/// What a backfill read, or would read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backfill {
    /// Versions and delete markers the bucket keeps under the source.
    pub listed: usize,
    /// `ListObjectVersions` pages requested.
    pub list_pages: u64,
    /// Versions read (or to read): each once.
    pub versions: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Snapshots taken (or to take) of the bucket's past, before the one of now.
    pub moments: usize,
    /// Whether the cache has seen every version already: nothing was read.
    pub nothing_new: bool,
    /// The snapshots the cache keeps afterwards (with a dry run, as it does now).
    pub snapshots: Vec<Snapshot>,
    /// Malformed lines skipped (with --skip-bad-lines), and objects that could not be read
    /// (with --skip-unreadable), over every round.
    pub bad_lines: Vec<BadLine>,
    pub unreadable: Vec<(String, String)>,
    /// How long it took.
    pub elapsed: Duration,
}

/// Reads the versions of `source`'s bucket that the cache has not seen into its history, as
/// the module describes; with `dry_run` only counts them. `since` starts the history at the
/// bucket as it stood then. `progress` hears of each snapshot taken (its number, of how many).
pub async fn backfill(
    source: &Source,
    cache: &LakeCache,
    s3: &S3Options,
    options: &ReadOptions,
    since: Option<DateTime<Utc>>,
    dry_run: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Backfill> {
    let started = Instant::now();
    let Source::S3 { bucket, prefix } = source else {
        return Err(Error::BackfillNeedsVersions {
            source_text: source.describe(),
        });
    };
    let lock = cache.lock().await?;
    let opened = source.open(s3).await?;
    let connection = opened.s3.as_ref().expect("an S3 source has a connection");
    let options = &options.for_s3(s3);
    let versions = BucketVersions::list(bucket, prefix, s3, connection).await?;
    let moments = replay_moments(&versions.versions, since);
    let replayed = versions_at(&versions, &moments);
    let seen = SeenVersions::of(cache)?;
    seen.refuse_losing(&replayed)?;
    let mut summary = Backfill {
        listed: versions.versions.len(),
        list_pages: versions.pages,
        versions: replayed.len(),
        bytes: replayed
            .iter()
            .map(|v| v.content.as_ref().map_or(0, |c| c.1))
            .sum(),
        moments: moments.len(),
        nothing_new: replayed.iter().all(|v| seen.has(v) || !inventory_shaped(v)),
        snapshots: seen.snapshots.clone(),
        ..Backfill::default()
    };
    if !dry_run && !summary.nothing_new {
        let replay = cache.replaying_after(seen.generation, seen.keep_history_days);
        let _ = fs::remove_dir_all(replay.dir());
        let steps = moments.len() + 1;
        for (step, moment) in moments.iter().enumerate() {
            let bucket_then = BucketAt::new(Arc::clone(&opened.store.store), &versions, *moment);
            let store = LakeStore::new(Arc::new(bucket_then), opened.store.label.clone());
            let at_moment = replay.clone().syncing_at(*moment);
            let round = sync_store(&at_moment, store, &opened.prefix, options)
                .await
                .map_err(version_read_error)?;
            summary.add_skipped(round);
            progress(step + 1, steps);
        }
        let now = sync_store(&replay, opened.store.clone(), &opened.prefix, options).await?;
        summary.add_skipped(now);
        progress(steps, steps);
        summary.snapshots = move_in(&replay, cache)?;
        let _ = fs::remove_dir_all(replay.dir());
    }
    drop(lock);
    summary.elapsed = started.elapsed();
    Ok(summary)
}

impl Backfill {
    fn add_skipped(&mut self, round: SyncSummary) {
        self.bad_lines.extend(round.bad_lines);
        self.unreadable.extend(round.unreadable);
    }
}

/// The moments to replay: `since` (when the bucket held anything then), and the end of each
/// round of the versions after it, a round being the longest run of seconds in which no
/// object has two versions (so the bucket as of its end shows every one of them).
fn replay_moments(versions: &[ObjectVersion], since: Option<DateTime<Utc>>) -> Vec<DateTime<Utc>> {
    let mut moments = Vec::new();
    if let Some(since) = since
        && versions.first().is_some_and(|v| v.last_modified <= since)
    {
        moments.push(since);
    }
    let mut round: HashSet<&object_store::path::Path> = HashSet::new();
    let mut round_end = None;
    let after_since = versions
        .chunk_by(|a, b| a.last_modified == b.last_modified)
        .filter(|same| since.is_none_or(|s| same[0].last_modified > s));
    for same_second in after_since {
        if same_second.iter().any(|v| round.contains(&v.key)) {
            moments.extend(round_end.take());
            round.clear();
        }
        round.extend(same_second.iter().map(|v| &v.key));
        round_end = Some(same_second[0].last_modified);
    }
    moments.extend(round_end);
    moments
}

/// The versions the bucket showed at any of `moments`: what a replay reads, each once.
fn versions_at<'a>(
    versions: &'a BucketVersions,
    moments: &[DateTime<Utc>],
) -> Vec<&'a ObjectVersion> {
    let mut seen: HashSet<(&object_store::path::Path, &str)> = HashSet::new();
    let mut replayed = Vec::new();
    for moment in moments {
        for version in versions.at(*moment).into_values() {
            if seen.insert((&version.key, &version.version_id)) {
                replayed.push(version);
            }
        }
    }
    replayed
}

/// What the cache holds before a backfill: its generation, retention, snapshots, and every
/// version it has seen (current or kept by history), by key and ETag.
#[derive(Debug, Default)]
struct SeenVersions {
    generation: u64,
    keep_history_days: Option<u32>,
    snapshots: Vec<Snapshot>,
    current: HashSet<(String, String)>,
    retired: BTreeSet<(String, String)>,
}

impl SeenVersions {
    fn of(cache: &LakeCache) -> Result<SeenVersions> {
        let Some((dir, manifest)) = cache.current_manifest()? else {
            return Ok(SeenVersions::default());
        };
        let mut seen = SeenVersions {
            generation: manifest.generation,
            keep_history_days: cache.keep_history_days.or(manifest.keep_history_days),
            ..SeenVersions::default()
        };
        if manifest.format != CACHE_FORMAT {
            return Ok(seen);
        }
        seen.snapshots = manifest.snapshots;
        let list = read_objects(&dir.join(OBJECT_LIST))?;
        let identity =
            |o: &super::CachedObject| (o.key.clone(), o.e_tag.clone().unwrap_or_default());
        seen.current = list.current.values().flatten().map(identity).collect();
        seen.retired = list.retired.values().flatten().map(identity).collect();
        Ok(seen)
    }

    /// Whether the cache has seen `version`.
    fn has(&self, version: &ObjectVersion) -> bool {
        let identity = identity_of(version);
        self.current.contains(&identity) || self.retired.contains(&identity)
    }

    /// An error when the cache keeps a version of the past that the replay would not bring
    /// back: the bucket no longer has it (expired), or `--since` leaves it out.
    fn refuse_losing(&self, replayed: &[&ObjectVersion]) -> Result<()> {
        let brought_back: HashSet<(String, String)> =
            replayed.iter().map(|v| identity_of(v)).collect();
        let lost: Vec<&(String, String)> = self
            .retired
            .iter()
            .filter(|identity| !brought_back.contains(*identity))
            .collect();
        match lost.first() {
            None => Ok(()),
            Some((key, _)) => Err(Error::BackfillWouldLose {
                versions: lost.len(),
                example: key.clone(),
            }),
        }
    }
}

/// Whether a version's key ends as an inventory object's does (`<Type>/accountid=…/region=…/
/// resourcetype=…/<node>.json`): entries a sync passes over are never in the cache, and do not
/// make a backfill new.
fn inventory_shaped(version: &ObjectVersion) -> bool {
    let parts: Vec<&str> = version.key.as_ref().split('/').collect();
    parts.len() >= 5 && parse_sync_key(&parts[parts.len() - 5..]).is_ok()
}

fn identity_of(version: &ObjectVersion) -> (String, String) {
    let e_tag = version
        .content
        .as_ref()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    (version.key.to_string(), e_tag)
}

/// A failed read of a version, refused by S3, says so: the permission is GetObjectVersion.
fn version_read_error(error: Error) -> Error {
    match error {
        Error::Read {
            key,
            refused: Some(Refusal::AccessDenied),
            source,
        } => Error::ReadVersion { key, source },
        other => other,
    }
}

/// Moves the replay's last generation, and the segment files it names, into `cache`, and
/// points `CURRENT` at it; returns its snapshots.
fn move_in(replay: &LakeCache, cache: &LakeCache) -> Result<Vec<Snapshot>> {
    let Some((generation_dir, manifest)) = replay.current_manifest()? else {
        return Err(Error::NoHistory);
    };
    for file in segment_files(&manifest) {
        let target = cache.dir.join(&file);
        if let Some(folder) = target.parent() {
            fs::create_dir_all(folder).map_err(|e| cache.io_error("create a segment folder", e))?;
        }
        fs::rename(replay.dir.join(&file), &target)
            .map_err(|e| cache.io_error("move a backfilled segment", e))?;
    }
    let name = format!("{:08}", manifest.generation);
    let target = cache.dir.join("generations").join(&name);
    let _ = fs::remove_dir_all(&target);
    fs::rename(&generation_dir, &target)
        .map_err(|e| cache.io_error("move the backfilled generation", e))?;
    point_current(cache, &name)?;
    let moved: super::Manifest = read_json(&target.join("manifest.json"))?;
    Ok(moved.snapshots)
}

impl LakeCache {
    /// The cache a backfill builds beside this one: its snapshots are `backfill`'s, numbered
    /// after `generation`, kept for this cache's retention.
    fn replaying_after(&self, generation: u64, keep_history_days: Option<u32>) -> LakeCache {
        LakeCache {
            dir: self.dir.join(REPLAY_DIR),
            source: self.source.clone(),
            keep_history_days,
            clock: None,
            origin: "backfill",
            numbered_after: generation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use object_store::path::Path;

    fn version(key: &str, second: u32) -> ObjectVersion {
        ObjectVersion {
            key: Path::from(key),
            version_id: format!("{key}@{second}"),
            last_modified: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, second).unwrap(),
            content: Some((format!("\"{key}{second}\""), 1)),
        }
    }

    fn second(moment: DateTime<Utc>) -> u32 {
        (moment.timestamp() % 60) as u32
    }

    #[test]
    fn a_round_ends_before_an_object_changes_again() {
        let versions = [
            version("a", 1),
            version("b", 1),
            version("c", 2),
            version("a", 3),
            version("b", 3),
            version("c", 5),
            version("c", 7),
        ];
        let moments: Vec<u32> = replay_moments(&versions, None)
            .into_iter()
            .map(second)
            .collect();
        assert_eq!(moments, [2, 5, 7]);
        let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 4).unwrap();
        let moments: Vec<u32> = replay_moments(&versions, Some(since))
            .into_iter()
            .map(second)
            .collect();
        assert_eq!(moments, [4, 5, 7]);
        let listed = BucketVersions {
            versions: versions.to_vec(),
            pages: 1,
        };
        let all = replay_moments(&listed.versions, None);
        assert_eq!(versions_at(&listed, &all).len(), versions.len());
        let from_since = replay_moments(&listed.versions, Some(since));
        let read: Vec<String> = versions_at(&listed, &from_since)
            .iter()
            .map(|v| v.version_id.clone())
            .collect();
        assert_eq!(read, ["a@3", "b@3", "c@2", "c@5", "c@7"]);
    }
}
