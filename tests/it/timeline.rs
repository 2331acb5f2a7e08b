//! A fleet evolving day by day (`ssmq_fixtures::Timeline`), synced once a day into a cache
//! whose syncs are taken on the fleet's days: the past the cache answers equals each day's
//! lake read raw, and the history reports and `changes` equal what the model says happened.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use chrono::{DateTime, Utc};
use ssmq_core::cache::history::AsOf;
use ssmq_core::cache::{CacheUse, LakeCache, sync};
use ssmq_core::lake::discover::PartitionFilter;
use ssmq_core::lake::read::ReadOptions;
use ssmq_core::source::s3::S3Options;
use ssmq_core::sql::changes::changes;
use ssmq_core::sql::controls::{check, select_controls};
use ssmq_core::sql::reports::find_report;
use ssmq_core::{LakeSession, SessionOptions};
use ssmq_fixtures::{Day, FailingRun, LakeSpec, NodeModel, Timeline, TimelineSpec};

use super::cache::{answers, answers_as_of, runtime, set_modified, snapshots, source};
use crate::common::named_rows;

/// 24 nodes of the sample profile, 8 days, 3 launched.
fn timeline() -> Timeline {
    let mut lake = LakeSpec::sample();
    lake.nodes = 24;
    Timeline::new(&TimelineSpec {
        lake,
        days: 8,
        launched: 3,
    })
}

fn time(epoch_seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(epoch_seconds, 0).unwrap()
}

/// A day's objects, by key.
pub(crate) type Objects = BTreeMap<String, Vec<u8>>;

/// What the sync writes on `day` over the bucket of the day before (whose objects were
/// `previous`): the day's objects, those of them new or changed, and the keys gone.
pub(crate) fn day_changes<'a>(
    previous: &Objects,
    day: &Day,
    objects: &'a mut Objects,
) -> (Vec<(&'a String, &'a Vec<u8>)>, Vec<String>) {
    *objects = day.objects().into_iter().map(|o| (o.key, o.body)).collect();
    let gone = previous
        .keys()
        .filter(|k| !objects.contains_key(*k))
        .cloned()
        .collect();
    let written = objects
        .iter()
        .filter(|(key, body)| previous.get(*key) != Some(*body))
        .collect();
    (written, gone)
}

/// The lake as the sync leaves it on `day`, written over the lake of the day before (whose
/// objects were `previous`): objects that changed are written at the day's time, those gone
/// removed. Returns the day's objects.
fn write_day(lake: &Path, previous: &Objects, day: &Day) -> Objects {
    let mut objects = Objects::new();
    let (written, gone) = day_changes(previous, day, &mut objects);
    for key in gone {
        fs::remove_file(lake.join(key)).unwrap();
    }
    for (key, body) in written {
        let path = lake.join(key);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, body).unwrap();
        set_modified(&path, time(day.written_at));
    }
    objects
}

/// Replays the timeline into `lake`, syncing each day at its time into a cache under
/// `cache_root`.
fn replay(timeline: &Timeline, lake: &Path, cache_root: &Path) {
    let mut previous = Objects::new();
    for day in &timeline.days {
        previous = write_day(lake, &previous, day);
        let cache = LakeCache::for_source(cache_root, &source(lake), &S3Options::default())
            .unwrap()
            .syncing_at(time(day.synced_at));
        runtime()
            .block_on(sync(
                &source(lake),
                &cache,
                &S3Options::default(),
                &ReadOptions::default(),
            ))
            .unwrap();
    }
}

/// The last moment of `day` (before the next day's writes).
fn end_of(day: &Day) -> AsOf {
    AsOf::Time(time(day.synced_at + 12 * 3600))
}

/// Rows of a report (or of `changes`) as maps from column name to text (NULL as empty).
type Named = Vec<BTreeMap<String, String>>;

fn named(batches: &[arrow::array::RecordBatch]) -> Named {
    named_rows(batches)
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|(name, value)| (name, value.unwrap_or_default()))
                .collect()
        })
        .collect()
}

/// `report` answered as of `moment` with `params`, from the cache.
fn report(
    lake: &Path,
    cache_root: &Path,
    moment: AsOf,
    name: &str,
    params: &[(&str, String)],
) -> Named {
    runtime().block_on(async {
        let options = SessionOptions {
            cache: CacheUse::Offline(cache_root.to_path_buf()),
            as_of: Some(moment),
            ..SessionOptions::default()
        };
        let session = LakeSession::open(&source(lake), options).await.unwrap();
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let frame = session
            .report(find_report(name).unwrap(), &params)
            .await
            .unwrap();
        named(&frame.collect().await.unwrap())
    })
}

fn rfc3339(epoch_seconds: i64) -> String {
    time(epoch_seconds).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A node's patch item states on a day, by patch id.
fn patch_states(node: &NodeModel) -> BTreeMap<&str, (&str, &str)> {
    node.patches
        .iter()
        .map(|p| (p.id.as_str(), (p.status, p.state)))
        .collect()
}

fn by_id(day: &Day) -> BTreeMap<&str, &NodeModel> {
    day.nodes.iter().map(|n| (n.node_id.as_str(), n)).collect()
}

/// One `patch-age` row: resourceid, patch_id, first_observed, days_open, age_complete.
type Age = (String, String, String, String, String);

/// `patch-age` as of the end of `day`, its ages counted to then.
fn ages(lake: &Path, cache_root: &Path, day: &Day) -> BTreeSet<Age> {
    let as_of = rfc3339(day.synced_at + 12 * 3600);
    report(
        lake,
        cache_root,
        end_of(day),
        "patch-age",
        &[("as_of", as_of)],
    )
    .into_iter()
    .map(|r| {
        let column = |name: &str| r[name].clone();
        (
            column("resourceid"),
            column("patch_id"),
            column("first_observed"),
            column("days_open"),
            column("age_complete"),
        )
    })
    .collect()
}

/// The failing runs of `day` on nodes that are not terminated (those patch-age lists).
fn open_runs(day: &Day) -> impl Iterator<Item = (&(String, String), &FailingRun)> {
    let nodes = by_id(day);
    day.failing.iter().filter(move |((node, _), _)| {
        nodes[node.as_str()].instance_status.as_deref() != Some("Terminated")
    })
}

/// The fleet changes in the ways the model says it does (else the checks below test little).
#[test]
fn the_timeline_launches_terminates_upgrades_and_reopens() {
    let timeline = timeline();
    let (first, last) = (&timeline.days[0], timeline.days.last().unwrap());
    let first_nodes = by_id(first);
    let last_nodes = by_id(last);
    assert!(
        last_nodes.keys().any(|n| !first_nodes.contains_key(n)),
        "a node launched"
    );
    assert!(
        first_nodes.keys().any(|n| !last_nodes.contains_key(n)),
        "a node went"
    );
    assert!(
        last.nodes
            .iter()
            .any(|n| n.agent_version == ssmq_fixtures::UPGRADED_AGENT)
    );
    let later_runs = last.failing.values().filter(|r| !r.before_day_zero).count();
    let old_runs = last.failing.values().filter(|r| r.before_day_zero).count();
    assert!(
        later_runs > 3 && old_runs > 0,
        "{later_runs} new, {old_runs} old runs"
    );
    let reopened = last
        .failing
        .iter()
        .filter(|(item, run)| !run.before_day_zero && first.failing.contains_key(*item))
        .count();
    assert!(
        reopened > 0,
        "an item failing on day 0 was fixed and failed again"
    );
}

/// For several days, every table, report and the overview answered as of that day from the
/// cache equal the same questions asked of that day's lake read raw.
#[test]
fn as_of_each_day_the_cache_answers_as_that_days_lake() {
    let timeline = timeline();
    let (lake, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    replay(&timeline, lake.path(), cache.path());
    assert_eq!(
        snapshots(cache.path(), lake.path()).len(),
        timeline.days.len(),
        "every day changed something"
    );
    // Ages and first observations depend on history, which a raw lake does not have.
    let comparable = |answers: Vec<(String, crate::common::Rows)>| {
        answers
            .into_iter()
            .filter(|(what, _)| what != "report patch-age" && what != "report patch-sla")
            .collect::<Vec<_>>()
    };
    for day in [0, 2, 5, 8].map(|d| &timeline.days[d]) {
        let raw = tempfile::tempdir().unwrap();
        write_day(raw.path(), &Objects::new(), day);
        let expected = comparable(answers(
            raw.path(),
            CacheUse::Bypass,
            &PartitionFilter::default(),
        ));
        let past = comparable(answers_as_of(
            lake.path(),
            CacheUse::Offline(cache.path().to_path_buf()),
            &PartitionFilter::default(),
            Some(end_of(day)),
        ));
        assert_eq!(expected.len(), past.len());
        for ((what, expected), (_, past)) in expected.iter().zip(&past) {
            assert_eq!(
                expected, past,
                "{what} as of day {} differs from that day's lake",
                day.number
            );
        }
    }
}

/// `patch-age` gives every open item of a node that is not terminated the model's first
/// failing scan and day count, complete unless its run began before day 0; fixed and
/// reopened items start again.
#[test]
fn patch_age_equals_the_models_failing_runs() {
    let timeline = timeline();
    let (lake, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    replay(&timeline, lake.path(), cache.path());
    for day in [3, 8].map(|d| &timeline.days[d]) {
        let as_of = day.synced_at + 12 * 3600;
        let answered = ages(lake.path(), cache.path(), day);
        let expected: BTreeSet<Age> = open_runs(day)
            .map(|((node, patch), run)| {
                let first: DateTime<Utc> = run.first_scan.parse().unwrap();
                let days = (as_of - first.timestamp()).div_euclid(86_400);
                (
                    node.clone(),
                    patch.clone(),
                    run.first_scan.clone(),
                    days.to_string(),
                    (!run.before_day_zero).to_string(),
                )
            })
            .collect();
        assert_eq!(answered, expected, "patch-age as of day {}", day.number);
        let reopened = day.failing.values().filter(|r| !r.before_day_zero).count();
        assert!(
            reopened > 0,
            "items failing since a later scan on day {}",
            day.number
        );
    }
}

/// `patch-changes` and `node-changes` between two days list what the model's two days differ
/// in; `changes` of `aws_instanceinformation` too.
#[test]
fn change_reports_equal_the_models_differences() {
    let timeline = timeline();
    let (lake, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    replay(&timeline, lake.path(), cache.path());
    let (a, b) = (&timeline.days[2], &timeline.days[7]);
    let (since, until) = (a.synced_at + 3600, b.synced_at + 3600);
    let params = [
        ("since", rfc3339(since)),
        ("until", rfc3339(until)),
        ("include_terminated", "true".to_owned()),
    ];
    let at_b = end_of(b);
    let (nodes_a, nodes_b) = (by_id(a), by_id(b));

    let answered: BTreeSet<(String, String, String)> =
        report(lake.path(), cache.path(), at_b, "patch-changes", &params)
            .into_iter()
            .map(|r| {
                (
                    r["resourceid"].clone(),
                    r["patch_id"].clone(),
                    r["change"].clone(),
                )
            })
            .collect();
    let mut expected = BTreeSet::new();
    for (id, node) in &nodes_b {
        let before = nodes_a.get(id).map(|n| patch_states(n)).unwrap_or_default();
        for (patch, (status, state)) in patch_states(node) {
            let was = before.get(patch);
            if status == "NON_COMPLIANT" && was != Some(&(status, state)) {
                let change = match state {
                    "Missing" => "newly missing",
                    "Failed" => "newly failed",
                    _ => "newly not compliant",
                };
                expected.insert((id.to_string(), patch.to_owned(), change.to_owned()));
            }
        }
        if node.patches.is_empty() {
            continue;
        }
        let now = patch_states(node);
        for (patch, (status, _)) in &before {
            if *status == "NON_COMPLIANT"
                && now.get(patch).is_none_or(|(s, _)| *s != "NON_COMPLIANT")
            {
                expected.insert((id.to_string(), (*patch).to_owned(), "fixed".to_owned()));
            }
        }
    }
    assert!(expected.iter().any(|(_, _, c)| c == "fixed"));
    assert!(expected.iter().any(|(_, _, c)| c == "newly missing"));
    assert_eq!(answered, expected, "patch-changes");

    let node_params = [("since", rfc3339(since)), ("until", rfc3339(until))];
    let answered: BTreeSet<(String, String)> = report(
        lake.path(),
        cache.path(),
        at_b,
        "node-changes",
        &node_params,
    )
    .into_iter()
    .map(|r| (r["resourceid"].clone(), r["change"].clone()))
    .collect();
    let mut expected = BTreeSet::new();
    let mut changed = BTreeSet::new();
    for (id, node) in &nodes_b {
        let Some(old) = nodes_a.get(id) else {
            expected.insert((id.to_string(), "appeared".to_owned()));
            continue;
        };
        let terminated = |n: &NodeModel| n.instance_status.as_deref() == Some("Terminated");
        if terminated(node) && !terminated(old) {
            expected.insert((id.to_string(), "terminated".to_owned()));
        }
        if node.agent_version != old.agent_version {
            expected.insert((id.to_string(), "agent version".to_owned()));
        }
        if node.agent_version != old.agent_version || node.instance_status != old.instance_status {
            changed.insert(id.to_string());
        }
    }
    for id in nodes_a.keys().filter(|id| !nodes_b.contains_key(*id)) {
        expected.insert((id.to_string(), "went away".to_owned()));
    }
    for change in ["appeared", "went away", "terminated", "agent version"] {
        assert!(
            expected.iter().any(|(_, c)| c == change),
            "no `{change}` to check"
        );
    }
    assert_eq!(answered, expected, "node-changes");

    // `changes` of the same table: added and removed nodes, and those whose agent or status
    // changed (capture times alone are no change).
    let rows = runtime().block_on(async {
        let options = SessionOptions {
            cache: CacheUse::Offline(cache.path().to_path_buf()),
            ..SessionOptions::default()
        };
        let session = LakeSession::open(&source(lake.path()), options)
            .await
            .unwrap();
        let batch = changes(
            &session,
            time(since),
            Some(time(until)),
            &["aws_instanceinformation".to_owned()],
        )
        .await
        .unwrap();
        named(&[batch])
    });
    let answered: BTreeSet<(String, String)> = rows
        .into_iter()
        .map(|r| (r["resourceid"].clone(), r["change"].clone()))
        .collect();
    let expected: BTreeSet<(String, String)> = expected
        .iter()
        .filter_map(|(id, change)| match change.as_str() {
            "appeared" => Some((id.clone(), "added".to_owned())),
            "went away" => Some((id.clone(), "removed".to_owned())),
            _ => None,
        })
        .chain(changed.into_iter().map(|id| (id, "changed".to_owned())))
        .collect();
    assert_eq!(answered, expected, "changes of aws_instanceinformation");
}

/// Pruning to a day keeps exactly the snapshots taken from then on: every day kept answers as
/// its lake, a day before is refused, and ages now reach back only to the oldest day kept
/// (those runs incomplete, except on nodes that appeared since).
#[test]
fn pruning_keeps_exactly_the_days_retention_says() {
    let timeline = timeline();
    let (lake, cache_root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    replay(&timeline, lake.path(), cache_root.path());
    let kept_from = &timeline.days[5];
    let cache = LakeCache::for_source(
        cache_root.path(),
        &source(lake.path()),
        &S3Options::default(),
    )
    .unwrap();
    let pruned = runtime()
        .block_on(ssmq_core::cache::prune(
            &cache,
            time(kept_from.synced_at),
            false,
        ))
        .unwrap();
    assert_eq!(pruned.snapshots, 5, "days 0 to 4 go");
    let taken: Vec<i64> = snapshots(cache_root.path(), lake.path())
        .iter()
        .map(|s| s.taken_at.timestamp())
        .collect();
    let expected: Vec<i64> = timeline.days[5..].iter().map(|d| d.synced_at).collect();
    assert_eq!(taken, expected);

    for day in [5, 8].map(|d| &timeline.days[d]) {
        let raw = tempfile::tempdir().unwrap();
        write_day(raw.path(), &Objects::new(), day);
        let (_, expected) = &answers(raw.path(), CacheUse::Bypass, &PartitionFilter::default())[0];
        let (_, past) = &answers_as_of(
            lake.path(),
            CacheUse::Offline(cache_root.path().to_path_buf()),
            &PartitionFilter::default(),
            Some(end_of(day)),
        )[0];
        assert_eq!(
            expected, past,
            "tables as of day {} after pruning",
            day.number
        );
    }
    let refused = runtime().block_on(LakeSession::open(
        &source(lake.path()),
        SessionOptions {
            cache: CacheUse::Offline(cache_root.path().to_path_buf()),
            as_of: Some(end_of(&timeline.days[4])),
            ..SessionOptions::default()
        },
    ));
    assert!(
        matches!(refused, Err(ssmq_core::Error::BeforeHistory { .. })),
        "{refused:?}"
    );

    let last = timeline.days.last().unwrap();
    let answered: BTreeSet<(String, String, String, String)> =
        ages(lake.path(), cache_root.path(), last)
            .into_iter()
            .map(|(node, patch, first, _, complete)| (node, patch, first, complete))
            .collect();
    let then = by_id(kept_from);
    let expected: BTreeSet<(String, String, String, String)> = open_runs(last)
        .map(|((node, patch), run)| {
            // The scan of the node's version current on the oldest day kept.
            let kept_scan = then
                .get(node.as_str())
                .and_then(|n| n.patch_run.as_ref())
                .map(|r| r.operation_end_time.clone());
            let (first, complete) = match kept_scan {
                Some(scan) if run.first_scan <= scan => (scan, false),
                _ => (run.first_scan.clone(), true),
            };
            (node.clone(), patch.clone(), first, complete.to_string())
        })
        .collect();
    assert!(
        expected
            .iter()
            .any(|(_, _, _, complete)| complete == "false")
    );
    assert!(
        expected
            .iter()
            .any(|(_, _, _, complete)| complete == "true")
    );
    assert_eq!(answered, expected, "patch-age after pruning");
}

/// `ssmq check` as of a day: each node's patch-compliance alarm is dated from its oldest open
/// item's first failing scan in the model, which the cache's history carries back past that
/// day's scan, and counted in days to that moment; nodes with nothing open pass.
#[test]
fn check_as_of_a_day_dates_each_patch_alarm_from_the_models_first_failing_scan() {
    let timeline = timeline();
    let (lake, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    replay(&timeline, lake.path(), cache.path());
    let day = &timeline.days[8];
    let rows = runtime().block_on(async {
        let options = SessionOptions {
            cache: CacheUse::Offline(cache.path().to_path_buf()),
            as_of: Some(end_of(day)),
            ..SessionOptions::default()
        };
        let session = LakeSession::open(&source(lake.path()), options)
            .await
            .unwrap();
        let controls = select_controls(&["patch-compliance".to_owned()], None).unwrap();
        named_rows(&[check(&session, &controls, &[]).await.unwrap()])
    });
    let mut oldest: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
    for ((node, _), run) in open_runs(day) {
        let first: DateTime<Utc> = run.first_scan.parse().unwrap();
        let entry = oldest.entry(node.clone()).or_insert(first);
        *entry = (*entry).min(first);
    }
    let AsOf::Time(moment) = end_of(day) else {
        unreachable!("a day's end is a time")
    };
    let mut alarms = BTreeMap::new();
    for row in &rows {
        let value = |name: &str| row[name].clone().unwrap_or_default();
        if value("status") == "alarm" {
            let first: DateTime<Utc> = format!("{}Z", value("first_failed")).parse().unwrap();
            let days: i64 = value("days_failing").parse().unwrap();
            assert_eq!(days, (moment - first).num_seconds().div_euclid(86_400));
            alarms.insert(value("resource"), first);
        }
    }
    assert_eq!(alarms, oldest, "alarms and their first failure as of day 8");
    assert!(
        alarms
            .values()
            .any(|first| *first < time(day.written_at) - chrono::TimeDelta::days(1)),
        "some alarm reaches back before the day's own scan"
    );
}
