//! The local cache: answers from it equal answers from the lake, before and after objects
//! change, appear and go; only changed objects are read again; segments mostly of changed
//! objects are compacted; an interrupted sync is never used; syncs at once do not corrupt it;
//! --offline never touches the source.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{Rows, one_moment_reports, repo, text_rows};
use assert_cmd::Command;
use predicates::prelude::*;
use ssmq_core::cache::history::AsOf;
use ssmq_core::cache::{CacheUse, LakeCache, SyncSummary, sync};
use ssmq_core::lake::discover::PartitionFilter;
use ssmq_core::lake::read::ReadOptions;
use ssmq_core::source::s3::S3Options;
use ssmq_core::sql::reports::ParamDefault;
use ssmq_core::{LakeSession, SessionOptions, Source};

const PARTITION: &str =
    "accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory";

/// A copy of the sample lake to change.
fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("fixtures/sample"), dir.path());
    dir
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub(crate) fn source(lake: &Path) -> Source {
    Source::parse(lake.to_str().unwrap()).unwrap()
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn sync_now(lake: &Path, cache_root: &Path) -> ssmq_core::Result<SyncSummary> {
    let source = source(lake);
    let cache = LakeCache::for_source(cache_root, &source, &S3Options::default()).unwrap();
    sync_cache(&source, &cache)
}

/// A sync keeping `days` days of history.
fn sync_kept(lake: &Path, cache_root: &Path, days: u32) -> ssmq_core::Result<SyncSummary> {
    let source = source(lake);
    let cache = LakeCache::for_source(cache_root, &source, &S3Options::default())
        .unwrap()
        .keeping_history(days);
    sync_cache(&source, &cache)
}

pub(crate) fn sync_cache(source: &Source, cache: &LakeCache) -> ssmq_core::Result<SyncSummary> {
    runtime().block_on(sync(
        source,
        cache,
        &S3Options::default(),
        &ReadOptions::default(),
    ))
}

/// The current manifest of the cache of `lake`.
fn manifest_path(cache_root: &Path, lake: &Path) -> PathBuf {
    let cache = LakeCache::for_source(cache_root, &source(lake), &S3Options::default()).unwrap();
    let current = fs::read_to_string(cache.dir().join("CURRENT")).unwrap();
    cache
        .dir()
        .join("generations")
        .join(current.trim())
        .join("manifest.json")
}

/// Makes every snapshot of the cache `days` older, as if it had been taken then.
fn backdate_snapshots(cache_root: &Path, lake: &Path, days: i64) {
    let path = manifest_path(cache_root, lake);
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    for snapshot in manifest["snapshots"].as_array_mut().unwrap() {
        let taken: chrono::DateTime<chrono::Utc> =
            snapshot["taken_at"].as_str().unwrap().parse().unwrap();
        snapshot["taken_at"] = (taken - chrono::TimeDelta::days(days)).to_rfc3339().into();
    }
    fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
}

/// Everything a user can ask of a lake, as text: the tables overview, every table's columns
/// and rows (sorted), every report, and the entries passed over as not inventory.
pub(crate) fn answers(
    lake: &Path,
    cache: CacheUse,
    filter: &PartitionFilter,
) -> Vec<(String, Rows)> {
    answers_as_of(lake, cache, filter, None)
}

/// [`answers`] as of a moment of the cache's history.
pub(crate) fn answers_as_of(
    lake: &Path,
    cache: CacheUse,
    filter: &PartitionFilter,
    as_of: Option<AsOf>,
) -> Vec<(String, Rows)> {
    let options = SessionOptions {
        cache,
        filter: filter.clone(),
        as_of,
        ..SessionOptions::default()
    };
    answers_of(&source(lake), options)
}

/// [`answers`] of any source, opened with `options`.
pub(crate) fn answers_of(source: &Source, options: SessionOptions) -> Vec<(String, Rows)> {
    runtime().block_on(async {
        let session = LakeSession::open(source, options).await.unwrap();
        let mut answers = vec![(
            "tables".to_owned(),
            text_rows(&[session.tables_overview().await.unwrap()]),
        )];
        for table in session.table_names() {
            answers.push((
                format!("describe {table}"),
                text_rows(&[session.describe(&table).await.unwrap()]),
            ));
            let frame = session
                .sql(&format!("SELECT * FROM {table}"))
                .await
                .unwrap();
            let mut rows = text_rows(&frame.collect().await.unwrap());
            rows.sort();
            answers.push((format!("rows of {table}"), rows));
        }
        // Reports that compare moments of history have no answer on a raw lake (they are
        // checked against the model of an evolving fleet in `timeline`).
        for report in one_moment_reports() {
            // A parameter that defaults to now is given, so answers at moments seconds apart
            // compare (a day count could otherwise tick over between them).
            let fixed: Vec<(String, String)> = report
                .params
                .iter()
                .filter(|p| p.default == ParamDefault::Now)
                .map(|p| (p.name.clone(), "2026-11-01T00:00:00Z".to_owned()))
                .collect();
            let frame = session.report(report, &fixed).await.unwrap();
            answers.push((
                format!("report {}", report.name),
                text_rows(&frame.collect().await.unwrap()),
            ));
        }
        // What `-v` lists as not inventory, once every table has been read.
        let skipped = session
            .skipped()
            .iter()
            .map(|s| vec![Some(s.location.clone()), Some(s.reason.to_string())])
            .collect();
        answers.push(("skipped entries".to_owned(), skipped));
        answers
    })
}

/// The lake and its cache answer alike, whole and within `--account` / `--region` filters
/// (a segment of the cache may hold several partitions).
fn assert_same_answers(lake: &Path, cache_root: &Path) {
    let account = || vec!["111122223333".to_owned()];
    let region = || vec!["us-east-1".to_owned()];
    let filters = [
        PartitionFilter::default(),
        PartitionFilter::default().with_accounts(account()),
        PartitionFilter::default().with_regions(region()),
        PartitionFilter::default()
            .with_accounts(account())
            .with_regions(region()),
    ];
    for filter in &filters {
        let raw = answers(lake, CacheUse::Bypass, filter);
        let cached = answers(lake, CacheUse::Offline(cache_root.to_path_buf()), filter);
        assert_eq!(raw.len(), cached.len());
        for ((what, raw), (_, cached)) in raw.iter().zip(&cached) {
            assert_eq!(
                raw, cached,
                "{what} differs between the lake and its cache ({filter:?})"
            );
        }
    }
}

fn object(lake: &Path, type_name: &str, node: &str) -> PathBuf {
    lake.join(type_name)
        .join(PARTITION)
        .join(format!("{node}.json"))
}

#[test]
fn answers_from_the_cache_equal_the_lake_as_objects_change_appear_and_go() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    let first = sync_now(lake.path(), cache.path()).unwrap();
    assert_eq!(first.read, first.objects, "a first sync reads everything");
    assert_eq!(first.dropped, 0);
    assert_same_answers(lake.path(), cache.path());

    let again = sync_now(lake.path(), cache.path()).unwrap();
    assert_eq!((again.read, again.dropped, again.requests.get), (0, 0, 0));

    // Changed: a tag value and a new key (the schema grows).
    let tags = object(lake.path(), "AWS:Tag", "i-0a2de503781daca43");
    let text = fs::read_to_string(&tags).unwrap();
    let changed = text
        .replacen("\"Value\":\"", "\"Value\":\"renamed-", 1)
        .replacen("\"Key\":", "\"CostCentre\":\"cc-7\",\"Key\":", 1);
    assert_ne!(text, changed);
    fs::write(&tags, changed).unwrap();
    // New: a node's applications.
    let new = object(lake.path(), "AWS:Application", "i-0feedfacecafe0001");
    fs::write(
        &new,
        "{\"Name\":\"htop\",\"Version\":\"3.2\",\"resourceId\":\"i-0feedfacecafe0001\",\"captureTime\":\"2026-10-31T00:00:00Z\",\"schemaVersion\":\"1.1\"}\n",
    )
    .unwrap();
    // Gone: a node's patch compliance, and every object of the custom type (its columns go).
    let compliance = object(lake.path(), "AWS:ComplianceItem", "i-0a2de503781daca43");
    fs::remove_file(&compliance).unwrap();
    let custom = lake.path().join("Custom:NodeInfo");
    let custom_objects = walk(&custom).len();
    fs::remove_dir_all(&custom).unwrap();

    let update = sync_now(lake.path(), cache.path()).unwrap();
    assert_eq!(
        update.read, 2,
        "only the changed and the new object are read"
    );
    assert_eq!(update.requests.get, 2);
    assert_eq!(update.dropped, 1 + custom_objects);
    assert_same_answers(lake.path(), cache.path());

    // Changed again, back to fewer keys: the dead rows of both earlier versions stay out.
    fs::write(&tags, text).unwrap();
    let update = sync_now(lake.path(), cache.path()).unwrap();
    assert_eq!(update.read, 1);
    assert_same_answers(lake.path(), cache.path());

    // Only an entry that is not inventory appears: nothing is read, and the cache knows it.
    fs::write(
        lake.path()
            .join("AWS:Application/accountid=111122223333/stray.json"),
        "{}\n",
    )
    .unwrap();
    let update = sync_now(lake.path(), cache.path()).unwrap();
    assert_eq!((update.read, update.dropped), (0, 0));
    assert_same_answers(lake.path(), cache.path());
}

/// A cached table applies a query's filters in its scan, while the segments are decoded, and
/// says so: the plan evaluates each filter once, with no filter of DataFusion's above the scan
/// (a filter kept above was pushed into the reader too, and every row was checked twice).
#[test]
fn a_cached_scan_evaluates_each_filter_once() {
    let lake = sample_copy();
    let cache_root = tempfile::tempdir().unwrap();
    sync_now(lake.path(), cache_root.path()).unwrap();
    let options = SessionOptions {
        cache: CacheUse::Offline(cache_root.path().to_path_buf()),
        ..SessionOptions::default()
    };
    let query = "SELECT count(*) FROM aws_complianceitem WHERE status = 'NON_COMPLIANT'";
    let (plan, counted) = runtime().block_on(async {
        let session = LakeSession::open(&source(lake.path()), options)
            .await
            .unwrap();
        let explained = session.sql(&format!("EXPLAIN {query}")).await.unwrap();
        let plan = text_rows(&explained.collect().await.unwrap())
            .into_iter()
            .filter(|row| row[0].as_deref() == Some("physical_plan"))
            .filter_map(|row| row[1].clone())
            .collect::<String>();
        let counted = session.sql(query).await.unwrap().collect().await.unwrap();
        (plan, text_rows(&counted))
    });
    assert!(plan.contains("DataSourceExec"), "{plan}");
    assert!(
        !plan.contains("FilterExec"),
        "no filter above the scan:\n{plan}"
    );
    assert_eq!(
        plan.matches("status@").count(),
        1,
        "the scan checks status once:\n{plan}"
    );
    let raw = runtime().block_on(async {
        let session = LakeSession::open(&source(lake.path()), SessionOptions::default())
            .await
            .unwrap();
        text_rows(&session.sql(query).await.unwrap().collect().await.unwrap())
    });
    assert_eq!(counted, raw, "the cache counts as the lake does");
    assert_ne!(
        raw,
        vec![vec![Some("0".to_owned())]],
        "the sample has such items"
    );
}

/// The segment files of `type_name` in the current generation of the cache of `lake`, and
/// the versions left out of them (dead, or not current).
fn current_segments(cache_root: &Path, lake: &Path, type_name: &str) -> (Vec<PathBuf>, Vec<u64>) {
    let cache = LakeCache::for_source(cache_root, &source(lake), &S3Options::default()).unwrap();
    let lake = cache.current().unwrap().expect("a synced cache");
    let (segments, left_out) = runtime()
        .block_on(lake.segments(type_name, &PartitionFilter::default()))
        .unwrap();
    (
        segments.into_iter().map(|(file, _)| file).collect(),
        left_out,
    )
}

/// Each sync that changes a few objects adds a small segment; once a type has four of them
/// (of one size tier: these are all of the first) they are merged into one, so a type's files
/// stay few however many syncs there are, and
/// the cache, now and as of every snapshot, answers as before.
#[test]
fn the_small_segments_of_many_syncs_are_merged() {
    let lake = sample_copy();
    let cache_root = tempfile::tempdir().unwrap();
    sync_now(lake.path(), cache_root.path()).unwrap();
    let type_name = "AWS:Tag";
    let files = || {
        current_segments(cache_root.path(), lake.path(), type_name)
            .0
            .len()
    };
    let tags = object(lake.path(), type_name, "i-0a2de503781daca43");
    let mut most = 0;
    let mut past = Vec::new();
    for round in 1..=10 {
        let text = fs::read_to_string(&tags).unwrap();
        fs::write(
            &tags,
            text.replacen("\"Value\":\"", &format!("\"Value\":\"{round}-"), 1),
        )
        .unwrap();
        sync_now(lake.path(), cache_root.path()).unwrap();
        most = most.max(files());
        past.push(answers(
            lake.path(),
            CacheUse::Bypass,
            &PartitionFilter::default(),
        ));
    }
    assert!(
        most <= 4,
        "at most 4 segments of {type_name} at any time, not {most}"
    );
    for (i, expected) in past.iter().enumerate() {
        let snapshot = AsOf::Snapshot(i as u64 + 2);
        let answered = answers_as_of(
            lake.path(),
            CacheUse::Offline(cache_root.path().to_path_buf()),
            &PartitionFilter::default(),
            Some(snapshot),
        );
        assert!(
            expected == &answered,
            "{snapshot} answers as the lake did then"
        );
    }
    assert_same_answers(lake.path(), cache_root.path());
}

#[test]
fn a_segment_whose_objects_mostly_changed_is_rewritten_without_its_dead_rows() {
    let lake = sample_copy();
    let cache_root = tempfile::tempdir().unwrap();
    sync_now(lake.path(), cache_root.path()).unwrap();
    let type_name = "AWS:Application";
    let cached = || current_segments(cache_root.path(), lake.path(), type_name);
    let (first_segments, dead) = cached();
    assert!(dead.is_empty());
    let before = answers(lake.path(), CacheUse::Bypass, &PartitionFilter::default());

    // Every object of the type but one gets a line more: the first sync's segments are left
    // with one live object among many dead ones.
    let mut objects: Vec<PathBuf> = walk(&lake.path().join(type_name))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
        .collect();
    objects.sort();
    let mut changed = 0;
    for file in &objects[1..] {
        let text = fs::read_to_string(file).unwrap();
        if let Some(first) = text.lines().find(|l| !l.trim().is_empty()) {
            let first = first.trim_start_matches('\u{feff}');
            let separator = if text.ends_with('\n') { "" } else { "\n" };
            fs::write(file, format!("{text}{separator}{first}\n")).unwrap();
            changed += 1;
        }
    }
    assert!(
        changed >= 2,
        "the sample lake has several applications objects"
    );
    // History keeps the old versions' rows while a kept snapshot may need them: nothing is
    // compacted, and the old rows are only left out of queries of now.
    let update = sync_now(lake.path(), cache_root.path()).unwrap();
    assert_eq!(update.read, changed);
    assert_eq!(update.compacted, 0, "{update:?}");
    assert_eq!(
        cached().1.len(),
        changed,
        "the old versions are not current"
    );
    assert_same_answers(lake.path(), cache_root.path());
    let past = answers_as_of(
        lake.path(),
        CacheUse::Offline(cache_root.path().to_path_buf()),
        &PartitionFilter::default(),
        Some(AsOf::Snapshot(1)),
    );
    for ((question, got), (_, want)) in past.iter().zip(&before) {
        assert!(got == want, "{question} differs as of the first snapshot");
    }

    // Once the first snapshot is older than the history kept, the next change lets its
    // versions go, and the segments left mostly dead are compacted.
    backdate_snapshots(cache_root.path(), lake.path(), 30);
    let tags = object(lake.path(), "AWS:Tag", "i-0a2de503781daca43");
    fs::write(&tags, fs::read_to_string(&tags).unwrap() + "\n").unwrap();
    let update = sync_kept(lake.path(), cache_root.path(), 7).unwrap();
    assert!(update.compacted >= 1, "{update:?}");
    let (segments, dead) = cached();
    assert!(
        dead.is_empty(),
        "dead versions left after compaction: {dead:?}"
    );
    assert!(
        first_segments.iter().all(|s| !segments.contains(s)),
        "the first sync's segments are replaced: {first_segments:?} -> {segments:?}"
    );
    assert_same_answers(lake.path(), cache_root.path());

    // The replaced files stay for readers of the previous generation, and go with the next
    // sync that publishes.
    assert!(first_segments.iter().all(|s| s.exists()));
    fs::remove_file(&objects[0]).unwrap();
    sync_now(lake.path(), cache_root.path()).unwrap();
    assert!(first_segments.iter().all(|s| !s.exists()));
    assert_same_answers(lake.path(), cache_root.path());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn a_failed_sync_leaves_the_cache_as_it_was_and_strays_are_cleaned_later() {
    let lake = sample_copy();
    let cache_root = tempfile::tempdir().unwrap();
    sync_now(lake.path(), cache_root.path()).unwrap();
    let cache = LakeCache::for_source(
        cache_root.path(),
        &source(lake.path()),
        &S3Options::default(),
    )
    .unwrap();
    let before = answers(
        lake.path(),
        CacheUse::Offline(cache_root.path().to_path_buf()),
        &PartitionFilter::default(),
    );
    let segments_before = walk(&cache.dir().join("segments"));
    let current_before = fs::read(cache.dir().join("CURRENT")).unwrap();

    // A malformed line in a changed object: the sync fails after reading other objects.
    let tags = object(lake.path(), "AWS:Tag", "i-0a2de503781daca43");
    let mut text = fs::read_to_string(&tags).unwrap();
    text.push_str("{\"Key\": broken}\n");
    fs::write(&tags, &text).unwrap();
    let new = object(lake.path(), "AWS:Application", "i-0feedfacecafe0002");
    fs::write(&new, "{\"Name\":\"vim\"}\n").unwrap();
    let error = sync_now(lake.path(), cache_root.path()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("i-0a2de503781daca43.json"), "{message}");
    assert_eq!(
        fs::read(cache.dir().join("CURRENT")).unwrap(),
        current_before
    );
    assert_eq!(walk(&cache.dir().join("segments")), segments_before);
    assert_eq!(
        answers(
            lake.path(),
            CacheUse::Offline(cache_root.path().to_path_buf()),
            &PartitionFilter::default()
        ),
        before
    );

    // What a crashed sync would leave: a half-written generation and a segment no generation
    // names. The next sync publishes past them and removes them.
    let stray_generation = cache.dir().join("generations/.00000009.4242");
    fs::create_dir_all(&stray_generation).unwrap();
    fs::write(stray_generation.join("manifest.json"), "{").unwrap();
    let stray_segment = cache
        .dir()
        .join("segments/aws_tag/accountid=1/region=r/00000009-1.parquet");
    fs::create_dir_all(stray_segment.parent().unwrap()).unwrap();
    fs::write(&stray_segment, "half").unwrap();
    fs::write(&tags, text.replace("{\"Key\": broken}\n", "")).unwrap();
    sync_now(lake.path(), cache_root.path()).unwrap();
    assert!(!stray_segment.exists());
    assert!(!stray_generation.exists());
    assert_same_answers(lake.path(), cache_root.path());
}

#[test]
fn syncs_at_once_wait_for_each_other_and_leave_a_sound_cache() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("ssmq");
    let children: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(&bin)
                .arg("--source")
                .arg(lake.path())
                .arg("--cache-dir")
                .arg(cache.path())
                .arg("sync")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut full_reads = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        if !stderr.contains(": 0 new or changed read") {
            full_reads += 1;
        }
    }
    assert_eq!(
        full_reads, 1,
        "one sync reads the lake, the others find it current"
    );
    assert_same_answers(lake.path(), cache.path());
}

fn ssmq(lake: &Path, cache: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ssmq").unwrap();
    cmd.env_remove("SSMQ_SOURCE")
        .env_remove("SSMQ_MAX_AGE")
        .arg("--source")
        .arg(lake)
        .arg("--cache-dir")
        .arg(cache);
    cmd
}

#[test]
fn commands_sync_a_cached_source_first_and_offline_never_touches_it() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    let count = "SELECT count(*) AS n FROM aws_application";
    let answer = |extra: &[&str]| {
        let output = ssmq(lake.path(), cache.path())
            .args(extra)
            .args(["sql", count, "--format", "csv"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{stderr}");
        (String::from_utf8(output.stdout).unwrap(), stderr)
    };
    // No cache yet: the lake answers, and no cache appears.
    assert_eq!(answer(&[]).0, "n\n119\n");
    assert!(walk(cache.path()).is_empty());
    ssmq(lake.path(), cache.path())
        .arg("--offline")
        .args(["sql", count])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no cache in"))
        .stderr(predicate::str::contains("run `ssmq sync` first"));

    ssmq(lake.path(), cache.path())
        .arg("sync")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Synced 175 objects: 175 new or changed read",
        ));
    let new = object(lake.path(), "AWS:Application", "i-0feedfacecafe0003");
    fs::write(&new, "{\"Name\":\"vim\"}\n{\"Name\":\"tmux\"}\n").unwrap();
    // --offline answers as of the last sync; --no-cache reads the lake; a plain command syncs
    // first (once the last sync is older than --max-age: 0 here) and says what changed.
    let (offline, notes) = answer(&["--offline"]);
    assert_eq!(offline, "n\n119\n");
    assert!(
        notes.contains("--offline: answering from the cache synced at"),
        "{notes}"
    );
    assert_eq!(answer(&["--no-cache"]).0, "n\n121\n");
    let (synced, notes) = answer(&["--max-age", "0"]);
    assert_eq!(synced, "n\n121\n");
    assert!(notes.contains("1 new or changed read"), "{notes}");
    assert_eq!(answer(&["--offline"]).0, "n\n121\n");

    // With the lake gone, --offline still answers.
    let moved = tempfile::tempdir().unwrap();
    let gone = moved.path().join("lake");
    fs::rename(lake.path(), &gone).unwrap();
    let output = ssmq(lake.path(), cache.path())
        .args(["--offline", "report", "os-distribution", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Amazon Linux"));
    fs::rename(&gone, lake.path()).unwrap();

    ssmq(lake.path(), cache.path())
        .args(["--account", "111122223333", "sync"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`ssmq sync` updates the cache and keeps the whole lake",
        ));
}

/// A cache written in an earlier format is not used by queries, and the next sync rebuilds it
/// (reading every object again); answers then equal the lake's, so no row of the old
/// generation is counted twice.
#[test]
fn a_cache_of_an_earlier_format_is_rebuilt_by_the_next_sync() {
    let lake = sample_copy();
    let cache_root = tempfile::tempdir().unwrap();
    let first = sync_now(lake.path(), cache_root.path()).unwrap();
    let source = source(lake.path());
    let cache = LakeCache::for_source(cache_root.path(), &source, &S3Options::default()).unwrap();
    let manifest = manifest_path(cache_root.path(), lake.path());
    let mut text: serde_json::Value =
        serde_json::from_slice(&fs::read(&manifest).unwrap()).unwrap();
    text["format"] = 1.into();
    fs::write(&manifest, serde_json::to_vec(&text).unwrap()).unwrap();
    assert!(cache.current().unwrap().is_none(), "queries do not use it");

    let again = sync_now(lake.path(), cache_root.path()).unwrap();
    assert_eq!(again.read, first.objects, "every object is read again");
    assert!(cache.current().unwrap().is_some());
    assert_same_answers(lake.path(), cache_root.path());
}

/// Sets the modification time of `file`.
pub(crate) fn set_modified(file: &Path, time: chrono::DateTime<chrono::Utc>) {
    let file = fs::File::options().write(true).open(file).unwrap();
    file.set_modified(time.into()).unwrap();
}

/// The snapshots of the cache of `lake`.
pub(crate) fn snapshots(cache_root: &Path, lake: &Path) -> Vec<ssmq_core::cache::Snapshot> {
    let cache = LakeCache::for_source(cache_root, &source(lake), &S3Options::default()).unwrap();
    cache.current().unwrap().unwrap().snapshots().to_vec()
}

/// History: every sync that changes something is a snapshot, and the lake as it stood at a
/// snapshot or at a time answers exactly as a copy of the lake taken then, read raw; a moment
/// before the oldest snapshot is refused.
#[test]
fn the_past_answers_as_a_copy_of_the_lake_taken_then() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    let then = tempfile::tempdir().unwrap();
    copy_dir(lake.path(), then.path());
    sync_now(lake.path(), cache.path()).unwrap();
    let taken = snapshots(cache.path(), lake.path())[0].taken_at;

    // Changed (made 10 s after the snapshot), new, and gone.
    let later = taken + chrono::TimeDelta::seconds(10);
    let tags = object(lake.path(), "AWS:Tag", "i-0a2de503781daca43");
    let text = fs::read_to_string(&tags).unwrap();
    fs::write(
        &tags,
        text.replacen("\"Value\":\"", "\"Value\":\"renamed-", 1),
    )
    .unwrap();
    set_modified(&tags, later);
    let new = object(lake.path(), "AWS:Application", "i-0feedfacecafe0001");
    fs::write(
        &new,
        "{\"Name\":\"htop\",\"Version\":\"3.2\",\"resourceId\":\"i-0feedfacecafe0001\",\"captureTime\":\"2026-10-31T00:00:00Z\",\"schemaVersion\":\"1.1\"}\n",
    )
    .unwrap();
    set_modified(&new, later);
    fs::remove_file(object(
        lake.path(),
        "AWS:ComplianceItem",
        "i-0a2de503781daca43",
    ))
    .unwrap();
    let update = sync_now(lake.path(), cache.path()).unwrap();
    assert_eq!((update.read, update.dropped), (2, 1));
    let kept = snapshots(cache.path(), lake.path());
    let counts: Vec<_> = kept
        .iter()
        .map(|s| (s.number, s.origin.as_str(), s.changed, s.removed))
        .collect();
    assert_eq!(
        counts,
        [(1, "sync", update.objects - 1 + 1, 0), (2, "sync", 2, 1)]
    );
    // A sync that changes nothing is no snapshot.
    sync_now(lake.path(), cache.path()).unwrap();
    assert_eq!(snapshots(cache.path(), lake.path()).len(), 2);

    let everything = PartitionFilter::default();
    let offline = || CacheUse::Offline(cache.path().to_path_buf());
    let as_of = |moment| answers_as_of(lake.path(), offline(), &everything, Some(moment));
    let before_change = answers(then.path(), CacheUse::Bypass, &everything);
    let after_change = answers(lake.path(), CacheUse::Bypass, &everything);
    // Between the second sync, which saw the object gone, and the changed objects' time.
    fs::remove_file(object(
        then.path(),
        "AWS:ComplianceItem",
        "i-0a2de503781daca43",
    ))
    .unwrap();
    let only_gone = answers(then.path(), CacheUse::Bypass, &everything);
    let second = kept[1].taken_at;
    assert!(second < later, "the second sync took under 10 s");
    assert_ne!(before_change, after_change);
    for (moment, expected, what) in [
        (AsOf::Snapshot(1), &before_change, "snapshot 1"),
        (AsOf::Snapshot(2), &after_change, "snapshot 2"),
        (
            AsOf::Time(taken),
            &before_change,
            "the first snapshot's time",
        ),
        (AsOf::Time(second), &only_gone, "the second snapshot's time"),
        (AsOf::Time(later), &after_change, "the changes' time"),
    ] {
        let past = as_of(moment);
        assert_eq!(past.len(), expected.len(), "{what}");
        for ((question, got), (_, want)) in past.iter().zip(expected.iter()) {
            assert!(got == want, "{question} differs as of {what}");
        }
    }

    let refused = |moment| {
        runtime()
            .block_on(LakeSession::open(
                &source(lake.path()),
                SessionOptions {
                    cache: offline(),
                    as_of: Some(moment),
                    ..SessionOptions::default()
                },
            ))
            .unwrap_err()
            .to_string()
    };
    let before = refused(AsOf::Time(taken - chrono::TimeDelta::seconds(1)));
    assert!(before.contains("holds snapshots 1 to 2"), "{before}");
    assert!(refused(AsOf::Snapshot(3)).contains("as of snapshot 3"));
}

/// A snapshot's `taken_at` as `ssmq history` prints it names that snapshot, to `--as-of` and
/// to a history report's parameters alike.
#[test]
fn a_time_copied_from_history_names_its_snapshot() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = ssmq(lake.path(), cache.path()).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{args:?}: {stderr}");
        (String::from_utf8(output.stdout).unwrap(), stderr)
    };
    run(&["sync"]);
    let (listed, _) = run(&["--offline", "history", "--format", "csv"]);
    let taken = listed
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_owned();
    let (_, said) = run(&["--offline", "--as-of", &taken, "tables"]);
    assert!(said.contains(": snapshot 1, taken "), "{said}");
    let since = format!("since={taken}");
    run(&["--offline", "report", "node-changes", "--param", &since]);
}

/// The CLI: `ssmq history` in every format, `--as-of` named on stderr, and the errors of a
/// past asked where there is none.
#[test]
fn history_lists_snapshots_and_as_of_says_what_answered() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    ssmq(lake.path(), cache.path())
        .arg("sync")
        .assert()
        .success();
    fs::remove_file(object(
        lake.path(),
        "AWS:ComplianceItem",
        "i-0a2de503781daca43",
    ))
    .unwrap();
    ssmq(lake.path(), cache.path())
        .args(["sync", "--keep-history", "90"])
        .assert()
        .success();
    let listed = ssmq(lake.path(), cache.path())
        .args(["history", "--format", "csv"])
        .output()
        .unwrap();
    assert!(listed.status.success());
    let csv = String::from_utf8(listed.stdout).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "snapshot", "taken_at", "origin", "objects", "changed", "removed"
        ]
    );
    assert_eq!(rows.len(), 3, "{csv}");
    assert_eq!((rows[1][0], rows[1][2], rows[1][5]), ("1", "sync", "0"));
    assert_eq!((rows[2][0], rows[2][4], rows[2][5]), ("2", "0", "1"));
    let json = ssmq(lake.path(), cache.path())
        .args(["history", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json[1]["snapshot"], 2);

    let count = "SELECT count(*) AS items FROM aws_complianceitem";
    let at = |moment: &str| {
        let output = ssmq(lake.path(), cache.path())
            .args([
                "--offline",
                "--as-of",
                moment,
                "--format",
                "csv",
                "sql",
                count,
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{stderr}");
        (String::from_utf8(output.stdout).unwrap(), stderr)
    };
    let (then, said) = at("snapshot:1");
    let (now, _) = at("snapshot:2");
    assert_ne!(
        then, now,
        "the gone object's items count as of snapshot 1 only"
    );
    assert!(said.contains("note: as of snapshot 1, taken "), "{said}");
    // The time printed is the snapshot's own, so copied into --as-of it names that snapshot.
    let taken = said
        .split("taken ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap();
    let (copied, said) = at(taken);
    assert_eq!(copied, then);
    assert!(said.contains(": snapshot 1, taken "), "{said}");
    let (_, said) = at("2099-01-01T00:00:00Z");
    assert!(
        said.contains("as of 2099-01-01T00:00:00Z: snapshot 2, taken "),
        "{said}"
    );

    // A report's "now" is the moment asked for.
    let stale = |args: &[&str]| {
        let output = ssmq(lake.path(), cache.path())
            .args(["--offline", "--format", "csv"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let later = "2099-01-01T00:00:00Z";
    assert_eq!(
        stale(&["--as-of", later, "report", "stale-inventory"]),
        stale(&[
            "report",
            "stale-inventory",
            "--param",
            &format!("as_of={later}")
        ])
    );
    assert_ne!(
        stale(&["--as-of", later, "report", "stale-inventory"]),
        stale(&["report", "stale-inventory"])
    );

    for (args, message) in [
        (
            vec!["--as-of", "2001-01-01", "tables"],
            "it knows nothing of the lake as of 2001-01-01T23:59:59Z",
        ),
        (vec!["--as-of", "soon", "tables"], "is not a time"),
        (vec!["--as-of", "1d", "sync"], "--as-of do not apply"),
        (
            vec!["--as-of", "1d", "--no-cache", "tables"],
            "cannot be used with",
        ),
    ] {
        ssmq(lake.path(), cache.path())
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    let never_synced = sample_copy();
    ssmq(never_synced.path(), cache.path())
        .arg("history")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no cache in `"))
        .stderr(predicate::str::contains("`ssmq sync` makes one"))
        .stderr(predicate::str::contains("--offline").not());
    ssmq(never_synced.path(), cache.path())
        .args(["--as-of", "1d", "tables"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is kept only by its cache, and it has none yet",
        ))
        .stderr(predicate::str::contains("hint: run `ssmq sync`"));
}

/// Athena's time travel in SQL: one query can read a table as of a snapshot or a time beside
/// the table now; every other time-travel spelling is an error, never silently now.
#[test]
fn for_timestamp_and_version_as_of_read_a_table_as_it_stood() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    sync_now(lake.path(), cache.path()).unwrap();
    let taken = snapshots(cache.path(), lake.path())[0].taken_at;
    fs::remove_file(object(
        lake.path(),
        "AWS:ComplianceItem",
        "i-0a2de503781daca43",
    ))
    .unwrap();
    sync_now(lake.path(), cache.path()).unwrap();

    let query = |cache_use: CacheUse, sql: &str| {
        runtime().block_on(async {
            let options = SessionOptions {
                cache: cache_use,
                ..SessionOptions::default()
            };
            let session = LakeSession::open(&source(lake.path()), options).await?;
            let batches = session.sql(sql).await?.collect().await?;
            Ok::<_, anyhow::Error>(text_rows(&batches))
        })
    };
    let offline = || CacheUse::Offline(cache.path().to_path_buf());
    let count = |clause: &str| {
        let rows = query(
            offline(),
            &format!("SELECT count(*) FROM aws_complianceitem {clause}"),
        )
        .unwrap();
        rows[0][0].clone().unwrap().parse::<u64>().unwrap()
    };
    let (then, now) = (count("FOR VERSION AS OF 1"), count(""));
    assert!(
        then > now,
        "the gone object's items are there as of snapshot 1"
    );
    let at_first = format!(
        "FOR TIMESTAMP AS OF TIMESTAMP '{}'",
        taken.format("%Y-%m-%d %H:%M:%S%.9f")
    );
    assert_eq!(count(&at_first), then);
    assert_eq!(
        count("FOR TIMESTAMP AS OF TIMESTAMP '2099-01-01 00:00:00'"),
        now
    );
    // Both moments in one query, the table's name still qualifying its columns.
    let both = query(
        offline(),
        "SELECT (SELECT count(DISTINCT aws_complianceitem.resourceid) FROM aws_complianceitem \
         FOR VERSION AS OF 1) AS then, count(DISTINCT c.resourceid) AS now \
         FROM aws_complianceitem AS c",
    )
    .unwrap();
    let (nodes_then, nodes_now) = (both[0][0].clone().unwrap(), both[0][1].clone().unwrap());
    assert_eq!(
        nodes_then.parse::<u64>().unwrap(),
        nodes_now.parse::<u64>().unwrap() + 1
    );

    // The history table: every row kept, with when it was valid and where it came from.
    let history = query(
        offline(),
        "SELECT count(*), count(_valid_to), count(DISTINCT _snapshot_from), \
         max(CASE WHEN _valid_to IS NOT NULL THEN _source_key END) \
         FROM history.aws_complianceitem",
    )
    .unwrap();
    let cell = |i: usize| history[0][i].clone().unwrap();
    assert_eq!(cell(0).parse::<u64>().unwrap(), then);
    assert_eq!(cell(1).parse::<u64>().unwrap(), then - now);
    assert_eq!(cell(2), "1", "every row kept was first seen by snapshot 1");
    assert!(cell(3).ends_with("i-0a2de503781daca43.json"), "{}", cell(3));

    for (clause, message) in [
        (
            "FOR SYSTEM_TIME AS OF TIMESTAMP '2026-10-31 00:00:00'",
            "is not Athena's time travel",
        ),
        (
            "TIMESTAMP AS OF TIMESTAMP '2026-10-31 00:00:00'",
            "is not Athena's time travel",
        ),
        ("VERSION AS OF 1", "is not Athena's time travel"),
        (
            "AT(TIMESTAMP => '2026-10-31')",
            "is not Athena's time travel",
        ),
        ("FOR VERSION AS OF 'one'", "takes a snapshot number"),
        ("FOR TIMESTAMP AS OF now()", "takes a literal"),
        ("FOR TIMESTAMP AS OF TIMESTAMP 'noon'", "is not a time"),
        (
            "FOR VERSION AS OF 9",
            "knows nothing of the lake as of snapshot 9",
        ),
    ] {
        let error = query(
            offline(),
            &format!("SELECT count(*) FROM aws_complianceitem {clause}"),
        )
        .unwrap_err();
        assert!(
            format!("{error:#}").contains(message),
            "{clause}: {error:#}"
        );
    }
    let raw = query(
        CacheUse::Bypass,
        "SELECT count(*) FROM aws_complianceitem FOR VERSION AS OF 1",
    )
    .unwrap_err();
    assert!(
        format!("{raw:#}").contains("is kept only by its cache"),
        "{raw:#}"
    );
}

/// `ssmq history prune`: snapshots older than asked go (never the newest), with the versions
/// only they needed; a dry run changes nothing; what is kept answers as before.
#[test]
fn pruning_lets_old_snapshots_go_and_keeps_what_the_rest_need() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = ssmq(lake.path(), cache.path()).args(args).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{args:?}: {stderr}");
        (String::from_utf8(output.stdout).unwrap(), stderr)
    };
    let tags = object(lake.path(), "AWS:Tag", "i-0a2de503781daca43");
    let text = fs::read_to_string(&tags).unwrap();
    run(&["sync"]);
    fs::write(
        &tags,
        text.replacen("\"Value\":\"", "\"Value\":\"second-", 1),
    )
    .unwrap();
    run(&["sync"]);
    backdate_snapshots(cache.path(), lake.path(), 40);
    fs::write(
        &tags,
        text.replacen("\"Value\":\"", "\"Value\":\"third-", 1),
    )
    .unwrap();
    run(&["sync"]);
    let listed = |run: &dyn Fn(&[&str]) -> (String, String)| {
        let (csv, _) = run(&["history", "--format", "csv"]);
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&run), ["1", "2", "3"]);

    let (_, said) = run(&["history", "prune", "--older-than", "30d", "--dry-run"]);
    assert!(
        said.contains(
            "Would let go of 2 snapshots and 2 versions of objects; the oldest snapshot kept is 3"
        ),
        "{said}"
    );
    assert_eq!(listed(&run), ["1", "2", "3"], "a dry run changes nothing");
    let second_values = || {
        run(&[
            "--offline",
            "--as-of",
            "snapshot:2",
            "--format",
            "csv",
            "sql",
            "SELECT value FROM aws_tag WHERE value LIKE 'second-%'",
        ])
        .0
    };
    let then = second_values();
    assert_eq!(then.lines().count(), 2, "{then}");

    // A prune that fails as it publishes (a file stands where its generation goes) leaves the
    // history as it was.
    let lake_cache =
        LakeCache::for_source(cache.path(), &source(lake.path()), &S3Options::default()).unwrap();
    let current: u64 = fs::read_to_string(lake_cache.dir().join("CURRENT"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let blocker = lake_cache
        .dir()
        .join("generations")
        .join(format!("{:08}", current + 1));
    fs::write(&blocker, "not a generation").unwrap();
    ssmq(lake.path(), cache.path())
        .args(["history", "prune", "--older-than", "30d"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("publish a generation"));
    assert_eq!(listed(&run), ["1", "2", "3"]);
    assert_eq!(second_values(), then);
    fs::remove_file(&blocker).unwrap();

    let (_, said) = run(&["history", "prune", "--older-than", "30d"]);
    assert!(
        said.contains("Let go of 2 snapshots and 2 versions"),
        "{said}"
    );
    assert_eq!(listed(&run), ["3"]);
    ssmq(lake.path(), cache.path())
        .args(["--offline", "--as-of", "snapshot:2", "tables"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds snapshots 3 to 3"));
    let (history, _) = run(&[
        "--offline",
        "--format",
        "csv",
        "sql",
        "SELECT count(*) FROM history.aws_tag WHERE resourceid = 'i-0a2de503781daca43'",
    ]);
    let (now, _) = run(&[
        "--offline",
        "--format",
        "csv",
        "sql",
        "SELECT count(*) FROM aws_tag WHERE resourceid = 'i-0a2de503781daca43'",
    ]);
    assert_eq!(
        history, now,
        "only the current version of the node's tags is kept"
    );
    assert_same_answers(lake.path(), cache.path());
    let (_, said) = run(&["history", "prune", "--older-than", "30d"]);
    assert!(
        said.contains("Let go of 0 snapshots and 0 versions"),
        "{said}"
    );
}

/// `report patch-age`: an item's age runs from the first version of its unbroken run of
/// failing versions; a patch fixed and missing again starts a new run; a run already under
/// way at the oldest snapshot kept is marked incomplete; `--as-of` gives the ages as they
/// stood then.
#[test]
fn patch_age_counts_each_item_from_the_start_of_its_failing_run() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    let compliance = object(lake.path(), "AWS:ComplianceItem", "i-0a2de503781daca43");
    let original = fs::read_to_string(&compliance).unwrap();
    let scanned = "2026-10-30T01:03:16Z";
    let at = |scan: &str, kernel_fixed: bool| {
        let text = original.replace(scanned, scan);
        if !kernel_fixed {
            return text;
        }
        text.lines()
            .map(|line| {
                if line.contains("\"Id\":\"kernel.x86_64\"") {
                    line.replace("\"Status\":\"NON_COMPLIANT\"", "\"Status\":\"COMPLIANT\"")
                        .replace("\"PatchState\":\"Missing\"", "\"PatchState\":\"Installed\"")
                } else {
                    line.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    let sync = || {
        ssmq(lake.path(), cache.path())
            .arg("sync")
            .assert()
            .success()
    };
    sync();
    let first = snapshots(cache.path(), lake.path())[0].taken_at;
    fs::write(&compliance, at("2026-11-06T01:00:00Z", true)).unwrap();
    set_modified(&compliance, first + chrono::TimeDelta::seconds(1));
    sync();
    fs::write(&compliance, at("2026-11-13T01:00:00Z", false)).unwrap();
    set_modified(&compliance, first + chrono::TimeDelta::seconds(2));
    sync();
    assert_eq!(snapshots(cache.path(), lake.path()).len(), 3);

    // (patch_id, first_observed, days_open, age_complete) of the node's open items.
    let ages = |moment: Option<&str>| {
        let mut cmd = ssmq(lake.path(), cache.path());
        cmd.args(["--offline", "--format", "csv"]);
        if let Some(moment) = moment {
            cmd.args(["--as-of", moment]);
        }
        cmd.args([
            "report",
            "patch-age",
            "--param",
            "as_of=2026-11-20T01:00:00Z",
        ]);
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let csv = String::from_utf8(output.stdout).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let mut rows: Vec<(String, String, String, String)> = lines
            .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
            .filter(|r| r[column("resourceid")] == "i-0a2de503781daca43")
            .map(|r| {
                (
                    r[column("patch_id")].clone(),
                    r[column("first_observed")].clone(),
                    r[column("days_open")].clone(),
                    r[column("age_complete")].clone(),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let row = |id: &str, first: &str, days: &str, complete: &str| {
        (
            id.to_owned(),
            first.to_owned(),
            days.to_owned(),
            complete.to_owned(),
        )
    };
    // Now: the kernel was fixed at the second observation and is missing again since the
    // third; openssl-libs has failed in every observation kept, so its age may be longer.
    assert_eq!(
        ages(None),
        [
            row("kernel.x86_64", "2026-11-13T01:00:00Z", "7", "true"),
            row("openssl-libs.x86_64", "2026-10-30T01:03:16Z", "20", "false"),
        ]
    );
    assert_eq!(
        ages(Some("snapshot:2")),
        [row(
            "openssl-libs.x86_64",
            "2026-10-30T01:03:16Z",
            "20",
            "false"
        )]
    );
    assert_eq!(
        ages(Some("snapshot:1")),
        [
            row("kernel.x86_64", "2026-10-30T01:03:16Z", "20", "false"),
            row("openssl-libs.x86_64", "2026-10-30T01:03:16Z", "20", "false"),
        ]
    );

    // The compliance object goes away and comes back, its openssl line repeated: both items
    // start a new run at the version that came back, each once.
    fs::remove_file(&compliance).unwrap();
    sync();
    let back = at("2026-11-15T01:00:00Z", false);
    let openssl = back
        .lines()
        .find(|l| l.contains("\"Id\":\"openssl-libs.x86_64\""))
        .unwrap()
        .to_owned();
    fs::write(&compliance, format!("{back}{openssl}\n")).unwrap();
    sync();
    assert_eq!(
        ages(None),
        [
            row("kernel.x86_64", "2026-11-15T01:00:00Z", "5", "true"),
            row("openssl-libs.x86_64", "2026-11-15T01:00:00Z", "5", "true"),
        ]
    );
}

/// `ssmq changes`: every row added, removed or changed between two moments, by its identity,
/// with the values that differ; a capture time alone is no change.
#[test]
fn changes_lists_each_row_added_removed_or_changed_with_what_differs() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    ssmq(lake.path(), cache.path())
        .arg("sync")
        .assert()
        .success();
    let tags = object(lake.path(), "AWS:Tag", "i-0a2de503781daca43");
    let text = fs::read_to_string(&tags).unwrap();
    let first_tag: serde_json::Value =
        serde_json::from_str(text.lines().next().unwrap().trim_start_matches('\u{feff}')).unwrap();
    let (key, value) = (
        first_tag["Key"].as_str().unwrap().to_owned(),
        first_tag["Value"].as_str().unwrap().to_owned(),
    );
    fs::write(
        &tags,
        text.replacen(
            &format!("\"Value\":\"{value}\""),
            &format!("\"Value\":\"renamed-{value}\""),
            1,
        )
        .replace("\"captureTime\":\"", "\"captureTime\":\"1"),
    )
    .unwrap();
    let compliance = object(lake.path(), "AWS:ComplianceItem", "i-0a2de503781daca43");
    let items = fs::read_to_string(&compliance)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    fs::remove_file(&compliance).unwrap();
    fs::write(
        object(lake.path(), "AWS:Application", "i-0feedfacecafe0001"),
        "{\"Name\":\"htop\",\"Version\":\"3.2\",\"resourceId\":\"i-0feedfacecafe0001\",\"captureTime\":\"2026-10-31T00:00:00Z\",\"schemaVersion\":\"1.1\"}\n",
    )
    .unwrap();
    ssmq(lake.path(), cache.path())
        .arg("sync")
        .assert()
        .success();

    let changes = |args: &[&str]| -> Vec<serde_json::Value> {
        let output = ssmq(lake.path(), cache.path())
            .args(["--offline", "--format", "json", "changes"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let all = changes(&["--since", "snapshot:1"]);
    let count = |table: &str, change: &str| {
        all.iter()
            .filter(|c| c["table"] == table && c["change"] == change)
            .count()
    };
    assert_eq!(count("aws_complianceitem", "removed"), items);
    assert_eq!(count("aws_application", "added"), 1);
    assert_eq!(count("aws_tag", "changed"), 1);
    assert_eq!(all.len(), items + 2, "nothing else changed: {all:#?}");
    let tag = all.iter().find(|c| c["table"] == "aws_tag").unwrap();
    assert_eq!(tag["resourceid"], "i-0a2de503781daca43");
    assert_eq!(tag["key"], key.as_str());
    let json = |v: &serde_json::Value| -> serde_json::Value {
        serde_json::from_str(v.as_str().unwrap()).unwrap()
    };
    assert_eq!(json(&tag["before"]), serde_json::json!({ "value": value }));
    assert_eq!(
        json(&tag["after"]),
        serde_json::json!({ "value": format!("renamed-{value}") }),
        "the capture time alone is no change"
    );
    let added = all
        .iter()
        .find(|c| c["table"] == "aws_application")
        .unwrap();
    assert_eq!(added["key"], "htop/3.2/");
    assert!(added["before"].is_null());
    assert_eq!(json(&added["after"])["name"], "htop");
    // One table, and a moment with nothing after it.
    assert_eq!(
        changes(&["--since", "snapshot:1", "--table", "aws_tag"]).len(),
        1
    );
    assert!(changes(&["--since", "snapshot:1", "--until", "snapshot:1"]).is_empty());
}

#[test]
fn within_max_age_a_command_answers_from_the_cache_without_syncing_and_says_how_old() {
    let lake = sample_copy();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str], max_age: Option<&str>| {
        let mut cmd = Command::cargo_bin("ssmq").unwrap();
        cmd.env_remove("SSMQ_SOURCE").env_remove("SSMQ_MAX_AGE");
        if let Some(age) = max_age {
            cmd.env("SSMQ_MAX_AGE", age);
        }
        let output = cmd
            .arg("--source")
            .arg(lake.path())
            .arg("--cache-dir")
            .arg(cache.path())
            .args(["--format", "csv"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{args:?}: {stderr}");
        (String::from_utf8(output.stdout).unwrap(), stderr)
    };
    let count = ["sql", "SELECT count(*) AS n FROM aws_tag"];
    run(&["sync"], None);
    let (before, _) = run(&count, None);
    let checked_at_sync = fs::read_to_string(
        LakeCache::for_source(cache.path(), &source(lake.path()), &S3Options::default())
            .unwrap()
            .dir()
            .join("CHECKED"),
    )
    .unwrap();

    // A line more in a tag object: within the default five minutes the answer is the cache's,
    // nothing is listed, and stderr says how old it is.
    let tags = object(lake.path(), "AWS:Tag", "i-0a2de503781daca43");
    let mut text = fs::read_to_string(&tags).unwrap();
    let line = text
        .lines()
        .next()
        .unwrap()
        .replace("\"Key\":\"", "\"Key\":\"extra-");
    text.push_str(&format!("{line}\n"));
    fs::write(&tags, &text).unwrap();
    let (within, said) = run(
        &["-v"].iter().chain(&count).copied().collect::<Vec<_>>(),
        None,
    );
    assert_eq!(within, before);
    assert!(
        said.contains("Answering from the cache, last compared with the source ")
            && said.contains(" s ago (within --max-age; --refresh syncs first)"),
        "{said}"
    );
    assert!(!said.contains("Synced"), "{said}");

    // --refresh syncs first; so does an age the last check is older than.
    let (refreshed, said) = run(&["--refresh", count[0], count[1]], None);
    let n = |csv: &str| csv.lines().nth(1).unwrap().parse::<u64>().unwrap();
    assert_eq!(n(&refreshed), n(&before) + 1, "{said}");
    text.push_str(&format!("{}\n", line.replace("extra-", "extra-2-")));
    fs::write(&tags, &text).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let (aged, _) = run(&count, Some("1s"));
    assert_eq!(n(&aged), n(&before) + 2);

    // A sync that changes nothing still counts as a comparison: CHECKED moves on.
    std::thread::sleep(std::time::Duration::from_millis(20));
    run(&["sync"], None);
    let cache_dir =
        LakeCache::for_source(cache.path(), &source(lake.path()), &S3Options::default())
            .unwrap()
            .dir()
            .to_path_buf();
    let checked_now = fs::read_to_string(cache_dir.join("CHECKED")).unwrap();
    assert!(
        checked_now > checked_at_sync,
        "{checked_now} after {checked_at_sync}"
    );
    Command::cargo_bin("ssmq")
        .unwrap()
        .args(["--max-age", "soon", "tables"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`soon` is not an age"));
}
