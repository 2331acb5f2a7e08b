//! `ssmq backfill --from-versions`: a fleet's days (`ssmq_fixtures::Timeline`) written as
//! successive object versions to a versioned bucket on the S3 test server, one cache synced
//! after each day and another backfilled once at the end from the bucket's versions: the two
//! answer alike for every day; a second backfill reads nothing; refusals say what is missing.

use std::path::Path as FsPath;

use chrono::{DateTime, SubsecRound, Utc};
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};
use ssmq_core::cache::history::AsOf;
use ssmq_core::cache::{CacheUse, LakeCache};
use ssmq_core::source::s3::S3Options;
use ssmq_core::{SessionOptions, Source};
use ssmq_fixtures::{LakeSpec, Timeline, TimelineSpec};

use super::cache::{answers_of, runtime};
use super::s3::{bucket_store, output_text, ssmq_s3};
use super::timeline::{Objects, day_changes};
use crate::common::proxy::{Fault, FaultProxy};
use crate::common::s3::S3Server;

/// 12 nodes of the sample profile, 5 days, 2 launched.
fn timeline() -> Timeline {
    let mut lake = LakeSpec::sample();
    lake.nodes = 12;
    Timeline::new(&TimelineSpec {
        lake,
        days: 5,
        launched: 2,
    })
}

/// Sleeps into the next second: S3 keeps modification times to the second, so what is
/// written after this is modified later than anything before it.
fn into_the_next_second() {
    let now = Utc::now();
    let next = now.trunc_subsecs(0) + chrono::TimeDelta::milliseconds(1_050);
    std::thread::sleep((next - now).to_std().unwrap_or_default());
}

/// `ssmq` on the bucket through `endpoint`, with a cache below `cache`.
fn run(home: &FsPath, cache: &FsPath, source: &str, endpoint: &str, args: &[&str]) -> String {
    let output = ssmq_s3(home, source, endpoint)
        .arg("--cache-dir")
        .arg(cache)
        .args(args)
        .output()
        .unwrap();
    let (_, stderr) = output_text(&output);
    assert!(output.status.success(), "{stderr}");
    stderr
}

/// A session's options answering from the cache below `root` as of `moment`.
fn offline_at(root: &FsPath, endpoint: &str, moment: Option<DateTime<Utc>>) -> SessionOptions {
    SessionOptions {
        cache: CacheUse::Offline(root.to_path_buf()),
        as_of: moment.map(AsOf::Time),
        s3: S3Options {
            endpoint_url: Some(endpoint.to_owned()),
            ..S3Options::default()
        },
        ..SessionOptions::default()
    }
}

/// The cache of `source` below `root`.
fn cache_of(root: &FsPath, source: &Source, endpoint: &str) -> LakeCache {
    let s3 = S3Options {
        endpoint_url: Some(endpoint.to_owned()),
        ..S3Options::default()
    };
    LakeCache::for_source(root, source, &s3).unwrap()
}

#[test]
fn a_backfill_from_the_bucket_s_versions_answers_as_syncing_each_day_did() {
    let server = S3Server::get();
    let bucket = server.bucket("backfill");
    server.enable_versioning(&bucket);
    let store = bucket_store(&bucket);
    let source_text = format!("s3://{bucket}");
    let source = Source::parse(&source_text).unwrap();
    let endpoint = &server.endpoint;
    let home = tempfile::tempdir().unwrap();
    let synced_daily = tempfile::tempdir().unwrap();
    let in_cache =
        |cache: &FsPath, args: &[&str]| run(home.path(), cache, &source_text, endpoint, args);

    // Each day: the sync's writes (new versions, delete markers), then a sync of the first
    // cache; the day's moment is just after it, before the next day's writes.
    let mut previous = Objects::new();
    let mut moments = Vec::new();
    let mut versions_written = 0;
    for day in &timeline().days {
        let mut objects = Objects::new();
        let (written, gone) = day_changes(&previous, day, &mut objects);
        versions_written += written.len();
        runtime().block_on(async {
            for (key, body) in written {
                store
                    .put(&Path::from(key.as_str()), PutPayload::from(body.clone()))
                    .await
                    .unwrap();
            }
            for key in gone {
                store.delete(&Path::from(key.as_str())).await.unwrap();
            }
        });
        previous = objects;
        into_the_next_second();
        in_cache(synced_daily.path(), &["sync"]);
        moments.push(Utc::now());
        into_the_next_second();
    }

    // A cache synced once, now, then backfilled from the versions.
    let backfilled = tempfile::tempdir().unwrap();
    in_cache(backfilled.path(), &["sync"]);
    let dry = in_cache(
        backfilled.path(),
        &["backfill", "--from-versions", "--dry-run"],
    );
    assert!(
        dry.contains(&format!("Would read {versions_written} versions (")),
        "{dry}"
    );
    let done = in_cache(backfilled.path(), &["backfill", "--from-versions"]);
    assert!(
        done.contains(&format!("Backfilled {versions_written} versions")),
        "{done}"
    );

    let same_answers = |a: &FsPath, b: &FsPath, moment: DateTime<Utc>, skip: &[&str]| {
        let a = answers_of(&source, offline_at(a, endpoint, Some(moment)));
        let b = answers_of(&source, offline_at(b, endpoint, Some(moment)));
        assert_eq!(a.len(), b.len());
        for ((question, a), (_, b)) in a.iter().zip(&b) {
            if !skip.contains(&question.as_str()) {
                assert!(a == b, "{question} as of {moment} differs");
            }
        }
    };
    for moment in &moments {
        same_answers(synced_daily.path(), backfilled.path(), *moment, &[]);
    }

    // The history is the bucket's: numbered on from the sync's snapshot 1, each round a
    // backfill snapshot, the first before the first day's moment.
    let cache = cache_of(backfilled.path(), &source, endpoint);
    let snapshots = cache.current().unwrap().unwrap().snapshots().to_vec();
    assert!(snapshots.len() >= moments.len(), "{snapshots:?}");
    assert!(
        snapshots
            .iter()
            .all(|s| s.origin == "backfill" && s.number > 1)
    );
    assert!(snapshots.is_sorted_by_key(|s| (s.number, s.taken_at)));
    assert!(snapshots[0].taken_at <= moments[0]);

    // Nothing new the second time: nothing read, the cache as it was.
    let current = std::fs::read(cache.dir().join("CURRENT")).unwrap();
    let again = in_cache(backfilled.path(), &["backfill", "--from-versions"]);
    assert!(
        again.contains("Nothing new: the cache has seen every version"),
        "{again}"
    );
    assert_eq!(std::fs::read(cache.dir().join("CURRENT")).unwrap(), current);

    // An evidence bundle names each object's version: S3's id of the version now current,
    // whether the backfill listed it or a daily sync read it.
    for (name, cache) in [("backfilled", &backfilled), ("synced daily", &synced_daily)] {
        let out = home
            .path()
            .join(format!("evidence-{}", name.replace(' ', "-")));
        let out_text = out.display().to_string();
        in_cache(cache.path(), &["--offline", "evidence", "--out", &out_text]);
        let sources = std::fs::read_to_string(out.join("sources.csv")).unwrap();
        let rows: Vec<Vec<String>> = sources
            .lines()
            .skip(1)
            .map(|line| line.split(',').map(str::to_owned).collect())
            .collect();
        assert!(!rows.is_empty());
        runtime().block_on(async {
            for row in &rows {
                let head = store.head(&Path::from(row[1].as_str())).await.unwrap();
                let expected = head.version.expect("a versioned bucket names versions");
                assert_eq!(row[3], expected, "{name}: {}", row[1]);
            }
        });
    }

    // From a moment on: the history starts with the bucket as it stood then.
    let since = moments[2].to_rfc3339();
    let from_since = tempfile::tempdir().unwrap();
    in_cache(from_since.path(), &["sync"]);
    in_cache(
        from_since.path(),
        &["backfill", "--from-versions", "--since", &since],
    );
    // Ages of items failing since before --since are incomplete there: they differ.
    same_answers(
        synced_daily.path(),
        from_since.path(),
        moments[3],
        &["report patch-age", "report patch-sla"],
    );
    let before = ssmq_s3(home.path(), &source_text, endpoint)
        .arg("--cache-dir")
        .arg(from_since.path())
        .args(["--offline", "--as-of", &moments[1].to_rfc3339(), "tables"])
        .output()
        .unwrap();
    let (_, stderr) = output_text(&before);
    assert!(
        stderr.contains("it knows nothing of the lake as of"),
        "{stderr}"
    );

    // A backfill that would lose versions the cache keeps (--since leaves the first days out,
    // which the daily syncs saw) is refused, and the cache is as it was.
    let daily_cache = cache_of(synced_daily.path(), &source, endpoint);
    let current = std::fs::read(daily_cache.dir().join("CURRENT")).unwrap();
    let output = ssmq_s3(home.path(), &source_text, endpoint)
        .arg("--cache-dir")
        .arg(synced_daily.path())
        .args(["backfill", "--from-versions", "--since", &since])
        .output()
        .unwrap();
    let (_, stderr) = output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a backfill would lose them"), "{stderr}");
    assert_eq!(
        std::fs::read(daily_cache.dir().join("CURRENT")).unwrap(),
        current
    );

    // Refused permissions name the one missing.
    for (target, hint) in [
        (
            "?versions",
            "the credentials need s3:ListBucketVersions on `",
        ),
        (
            "versionId=",
            "the credentials need s3:GetObjectVersion on `",
        ),
    ] {
        let proxy = FaultProxy::start(
            endpoint,
            vec![Fault {
                method: "GET",
                target_contains: target.into(),
                status: 403,
                code: "AccessDenied",
                message: "Access Denied".into(),
                times: None,
            }],
        );
        let fresh = tempfile::tempdir().unwrap();
        let output = ssmq_s3(home.path(), &source_text, &proxy.endpoint)
            .arg("--cache-dir")
            .arg(fresh.path())
            .args(["backfill", "--from-versions"])
            .output()
            .unwrap();
        let (_, stderr) = output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(hint), "{stderr}");
        assert!(stderr.contains("the cache is as it was"), "{stderr}");
    }
}

#[test]
fn a_directory_has_no_versions_to_backfill_from() {
    let cache = tempfile::tempdir().unwrap();
    let output = assert_cmd::Command::cargo_bin("ssmq")
        .unwrap()
        .env_remove("SSMQ_SOURCE")
        .args(["--source", "fixtures/sample", "--cache-dir"])
        .arg(cache.path())
        .args(["backfill", "--from-versions"])
        .current_dir(crate::common::repo())
        .output()
        .unwrap();
    let (_, stderr) = output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`fixtures/sample` keeps no versions of its objects"),
        "{stderr}"
    );
    assert!(
        stderr.contains("a bucket with versioning turned on"),
        "{stderr}"
    );
}
