//! ssmq over lakes other than the committed fixtures: generated at other sizes, seeds and
//! prefixes, and checked against the generator's model, the ground truth every object was
//! rendered from. Also the proofs that pruned partitions are never listed or read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path as FsPath;
use std::sync::Arc;

use crate::common::{Rows, named_rows, one_moment_reports, repo, text_rows};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use ssmq_core::lake::discover::PartitionFilter;
use ssmq_core::lake::read::ReadOptions;
use ssmq_core::source::LakeStore;
use ssmq_core::source::metered::{MeteredStore, RequestKind};
use ssmq_core::sql::reports::find_report;
use ssmq_core::{Error, LakeSession, SessionOptions};
use ssmq_fixtures::{
    LakeSpec, LakeSummary, NodeModel, PatchModel, Profile, SAMPLE_AS_OF, nodes, write_lake,
};

fn generate(spec: &LakeSpec) -> (tempfile::TempDir, LakeSummary) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let summary = write_lake(spec, dir.path(), 2).expect("lake written");
    (dir, summary)
}

fn local(dir: &FsPath) -> Arc<dyn ObjectStore> {
    Arc::new(LocalFileSystem::new_with_prefix(dir).expect("a local store"))
}

async fn open(store: Arc<dyn ObjectStore>, prefix: &str, filter: PartitionFilter) -> LakeSession {
    open_with(store, prefix, filter, ReadOptions::default()).await
}

async fn open_with(
    store: Arc<dyn ObjectStore>,
    prefix: &str,
    filter: PartitionFilter,
    read: ReadOptions,
) -> LakeSession {
    let options = SessionOptions {
        filter,
        read,
        ..SessionOptions::default()
    };
    LakeSession::open_store(LakeStore::new(store, ""), &Path::from(prefix), options)
        .await
        .expect("session opens")
}

/// Reads that keep nothing, so every fetch shows in the store's requests.
/// A session over the lake in `dir` read with `read`, and the store recording its requests.
async fn recorded(dir: &FsPath, read: ReadOptions) -> (MeteredStore, LakeSession) {
    let store = MeteredStore::recording(local(dir));
    let session = open_with(
        Arc::new(store.clone()),
        "",
        PartitionFilter::default(),
        read,
    )
    .await;
    (store, session)
}

fn uncached() -> ReadOptions {
    ReadOptions {
        keep_fetched_bytes: 0,
        ..ReadOptions::default()
    }
}

async fn sql(session: &LakeSession, text: &str) -> Rows {
    let batches = session
        .sql(text)
        .await
        .expect("plans")
        .collect()
        .await
        .expect("runs");
    text_rows(&batches)
}

/// A report's rows keyed by column name.
async fn report(
    session: &LakeSession,
    name: &str,
    params: &[(&str, &str)],
) -> Vec<BTreeMap<String, Option<String>>> {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let batches = session
        .report(find_report(name).unwrap(), &params)
        .await
        .expect("report plans")
        .collect()
        .await
        .expect("report runs");
    named_rows(&batches)
}

fn value(row: &BTreeMap<String, Option<String>>, column: &str) -> String {
    row[column].clone().unwrap_or_default()
}

/// (node, patch id) of a patch report's rows.
async fn report_patches(session: &LakeSession, name: &str) -> BTreeSet<(String, String)> {
    report(session, name, &[])
        .await
        .iter()
        .map(|r| (value(r, "resourceid"), value(r, "patch_id")))
        .collect()
}

/// (node, patch id) of the model's patches that `keep` selects.
fn model_patches(
    nodes: &[&NodeModel],
    keep: impl Fn(&PatchModel) -> bool,
) -> BTreeSet<(String, String)> {
    nodes
        .iter()
        .flat_map(|n| {
            n.patches
                .iter()
                .filter(|p| keep(p))
                .map(|p| (n.node_id.clone(), p.id.clone()))
        })
        .collect()
}

fn terminated(node: &NodeModel) -> bool {
    node.instance_status.as_deref() == Some("Terminated")
}

#[tokio::test]
async fn counts_match_every_objects_lines_on_generated_lakes() {
    for spec in [
        LakeSpec::realistic(40),
        LakeSpec::minimal(40),
        LakeSpec {
            nodes: 37,
            seed: 7,
            profile: Profile::Sample,
            prefix: Some("ResourceDataSync".into()),
        },
    ] {
        let (dir, summary) = generate(&spec);
        let session = open(local(dir.path()), "", PartitionFilter::default()).await;
        let overview = text_rows(&[session.tables_overview().await.unwrap()]);
        for (type_name, expected) in &summary.types {
            let table = ssmq_core::lake::catalog::table_name(type_name);
            let listed = overview
                .iter()
                .find(|row| row[0].as_deref() == Some(table.as_str()))
                .unwrap_or_else(|| panic!("{type_name} listed"));
            assert_eq!(
                listed[2].as_deref(),
                Some(expected.objects.to_string().as_str()),
                "{type_name} objects"
            );
            assert_eq!(
                listed[3].as_deref(),
                Some(expected.accounts.len().to_string().as_str()),
                "{type_name} accounts"
            );
            assert_eq!(
                listed[4].as_deref(),
                Some(expected.regions.len().to_string().as_str()),
                "{type_name} regions"
            );
            let counted = sql(&session, &format!("SELECT count(*) FROM {table}")).await;
            assert_eq!(
                counted[0][0].as_deref(),
                Some(expected.lines.to_string().as_str()),
                "{type_name} rows"
            );
            let accounts = sql(
                &session,
                &format!("SELECT DISTINCT accountid FROM {table} ORDER BY 1"),
            )
            .await;
            let accounts: BTreeSet<String> =
                accounts.into_iter().filter_map(|r| r[0].clone()).collect();
            assert_eq!(accounts, expected.accounts, "{type_name} account values");
        }
        let skipped: BTreeSet<String> = session
            .skipped()
            .iter()
            .map(|s| s.location.clone())
            .collect();
        let expected: BTreeSet<String> = summary.skipped.iter().map(|s| s.key.clone()).collect();
        assert_eq!(skipped, expected, "skipped entries");
    }
}

#[tokio::test]
async fn reports_answer_what_the_model_says() {
    // The smallest of these realistic fleets that has a terminated node (about 4% are).
    let (spec, model) = [60, 80, 100, 120]
        .into_iter()
        .map(|n| (LakeSpec::realistic(n), nodes(&LakeSpec::realistic(n))))
        .find(|(_, model)| model.iter().any(terminated))
        .expect("a fleet with a terminated node");
    let (dir, _) = generate(&spec);
    let session = open(local(dir.path()), "", PartitionFilter::default()).await;
    let live: Vec<&NodeModel> = model.iter().filter(|n| !terminated(n)).collect();

    let listed: BTreeSet<String> = report(&session, "instance-list", &[])
        .await
        .iter()
        .map(|r| value(r, "resourceid"))
        .collect();
    assert_eq!(listed, live.iter().map(|n| n.node_id.clone()).collect());

    let noncompliant = model_patches(&live, |p| p.status == "NON_COMPLIANT");
    assert!(!noncompliant.is_empty());
    assert_eq!(
        report_patches(&session, "noncompliant-patches").await,
        noncompliant
    );
    let critical = model_patches(&live, |p| {
        matches!(p.state, "Missing" | "Failed")
            && (p.severity.eq_ignore_ascii_case("CRITICAL")
                || p.patch_severity.eq_ignore_ascii_case("critical"))
    });
    assert_eq!(
        report_patches(&session, "missing-critical-patches").await,
        critical
    );

    let by_account = report(&session, "patch-compliance-by-account", &[]).await;
    let mut expected: BTreeMap<(String, String), [u64; 4]> = BTreeMap::new();
    for node in &live {
        let counts = expected
            .entry((node.account_id.clone(), node.region.clone()))
            .or_default();
        counts[0] += 1;
        match (
            &node.patch_run,
            node.patches.iter().any(|p| p.status == "NON_COMPLIANT"),
        ) {
            (None, _) => counts[3] += 1,
            (Some(_), true) => counts[2] += 1,
            (Some(_), false) => counts[1] += 1,
        }
    }
    let got: BTreeMap<(String, String), [u64; 4]> = by_account
        .iter()
        .map(|r| {
            let n = |c: &str| value(r, c).parse::<u64>().unwrap();
            (
                (value(r, "accountid"), value(r, "region")),
                [
                    n("nodes"),
                    n("compliant"),
                    n("non_compliant"),
                    n("unreported"),
                ],
            )
        })
        .collect();
    assert_eq!(got, expected);

    let as_of = chrono::DateTime::parse_from_rfc3339(SAMPLE_AS_OF).unwrap();
    let stale: BTreeSet<String> = report(
        &session,
        "stale-inventory",
        &[("as_of", SAMPLE_AS_OF), ("days", "3")],
    )
    .await
    .iter()
    .map(|r| value(r, "resourceid"))
    .collect();
    let expected: BTreeSet<String> = live
        .iter()
        .filter(|n| {
            let captured = chrono::DateTime::parse_from_rfc3339(&n.capture_time).unwrap();
            as_of - captured >= chrono::Duration::days(3)
        })
        .map(|n| n.node_id.clone())
        .collect();
    assert_eq!(stale, expected);

    let platforms: BTreeMap<(String, String, String), u64> =
        report(&session, "os-distribution", &[])
            .await
            .iter()
            .map(|r| {
                let key = (
                    value(r, "platformtype"),
                    value(r, "platformname"),
                    value(r, "platformversion"),
                );
                (key, value(r, "nodes").parse().unwrap())
            })
            .collect();
    let mut expected: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for n in &live {
        *expected
            .entry((
                n.platform_type.clone(),
                n.platform_name.clone(),
                n.platform_version.clone(),
            ))
            .or_default() += 1;
    }
    assert_eq!(platforms, expected);

    let applications = report(&session, "instance-applications", &[]).await;
    assert_eq!(
        applications.len(),
        live.iter().map(|n| n.applications.len()).sum::<usize>()
    );
    let agents = report(&session, "ssm-agent-versions", &[]).await;
    assert_eq!(agents.len(), live.len());
}

#[tokio::test]
async fn every_report_names_nodes_and_orders_by_a_unique_key() {
    let spec = LakeSpec::realistic(30);
    let (dir, _) = generate(&spec);
    let session = open(local(dir.path()), "", PartitionFilter::default()).await;
    for r in one_moment_reports() {
        let params: &[(&str, &str)] = if r.name == "stale-inventory" {
            &[("days", "0")]
        } else {
            &[]
        };
        let rows = report(&session, &r.name, params).await;
        assert!(!rows.is_empty(), "{} has rows on a realistic lake", r.name);
        assert!(
            rows[0].keys().any(|c| c.contains("resourceid")),
            "{} returns node ids",
            r.name
        );
        let keys: BTreeSet<Vec<Option<String>>> = rows
            .iter()
            .map(|row| r.key.iter().map(|k| row[k].clone()).collect())
            .collect();
        assert_eq!(
            keys.len(),
            rows.len(),
            "{}: its key {:?} is unique",
            r.name,
            r.key
        );
        // Running twice gives the same rows in the same order.
        assert_eq!(
            report(&session, &r.name, params).await,
            rows,
            "{} is deterministic",
            r.name
        );
    }
}

/// Every request of `store` that names a partition folder is inside `allowed`.
fn assert_only_partitions(store: &MeteredStore, key: &str, allowed: &str) {
    let requests = store.requests();
    assert!(
        requests.iter().any(|r| r.kind == RequestKind::Get),
        "something was read"
    );
    for request in requests {
        for part in request.location.split('/') {
            if let Some(value) = part.strip_prefix(&format!("{key}=")) {
                assert_eq!(
                    value, allowed,
                    "{:?} of `{}` is outside the filter",
                    request.kind, request.location
                );
            }
        }
    }
}

#[tokio::test]
async fn objects_outside_account_and_region_filters_are_never_listed_or_read() {
    let sample = repo().join("fixtures/sample");
    for (key, filter) in [
        (
            "accountid",
            PartitionFilter::default().with_accounts(["444455556666".to_owned()]),
        ),
        (
            "region",
            PartitionFilter::default().with_regions(["eu-west-1".to_owned()]),
        ),
    ] {
        let allowed = filter
            .accounts
            .iter()
            .chain(&filter.regions)
            .flatten()
            .next()
            .unwrap()
            .clone();
        let store = MeteredStore::recording(local(&sample));
        let session = open(Arc::new(store.clone()), "", filter).await;
        for table in session.table_names() {
            sql(&session, &format!("SELECT * FROM {table}")).await;
        }
        for r in one_moment_reports() {
            report(&session, &r.name, &[]).await;
        }
        assert_only_partitions(&store, key, &allowed);
    }
}

/// GETs per object among `requests`.
fn reads_per_object(requests: &[ssmq_core::source::metered::Request]) -> BTreeMap<String, usize> {
    let mut reads = BTreeMap::new();
    for r in requests.iter().filter(|r| r.kind == RequestKind::Get) {
        *reads.entry(r.location.clone()).or_default() += 1;
    }
    reads
}

#[tokio::test]
async fn where_filters_on_partitions_list_and_read_only_those_partitions() {
    let sample = repo().join("fixtures/sample");
    let model = nodes(&LakeSpec::sample());
    let applications = |keep: &dyn Fn(&NodeModel) -> bool| -> String {
        model
            .iter()
            .filter(|n| keep(n))
            .map(|n| n.applications.len())
            .sum::<usize>()
            .to_string()
    };

    // Equality and IN on accountid/region: nothing outside them is listed or read, not even to
    // learn the table's columns.
    let store = MeteredStore::recording(local(&sample));
    let session = open(Arc::new(store.clone()), "", PartitionFilter::default()).await;
    let rows = sql(
        &session,
        "SELECT count(*) FROM aws_application a JOIN aws_instanceinformation i USING (accountid, region, resourceid) \
         WHERE a.accountid = '012345678901' AND a.region IN ('eu-west-1')",
    )
    .await;
    let expected = applications(&|n| n.account_id == "012345678901" && n.region == "eu-west-1");
    assert_eq!(rows, vec![vec![Some(expected)]]);
    let requests = store.requests();
    for request in &requests {
        if request.location.starts_with("AWS:Application/accountid=") {
            assert!(
                request
                    .location
                    .starts_with("AWS:Application/accountid=012345678901"),
                "{request:?}"
            );
            if request.location.contains("/region=") {
                assert!(
                    request.location.contains("/region=eu-west-1"),
                    "{request:?}"
                );
            }
        }
    }
    let reads = reads_per_object(&requests);
    assert!(
        reads
            .keys()
            .any(|k| k.starts_with("AWS:InstanceInformation/accountid=111122223333")),
        "the unfiltered table is read whole"
    );

    // A partition filter the scope cannot use (`<>`) still prunes the scan: objects it excludes
    // are read once to learn the columns and never scanned. With the read cache off, the scan's
    // reads show; a wildcard makes the scan read the objects again (no rows are kept for it).
    let where_clause = "WHERE accountid = '012345678901' AND region <> 'ap-southeast-2'";
    let expected =
        applications(&|n| n.account_id == "012345678901" && n.region != "ap-southeast-2");
    let reads_for = |statement: String| {
        let (expected, sample) = (expected.clone(), &sample);
        async move {
            let (store, session) = recorded(sample, uncached()).await;
            assert_eq!(sql(&session, &statement).await, vec![vec![Some(expected)]]);
            let reads = reads_per_object(&store.requests());
            assert_eq!(reads.len(), 3, "the account's 3 objects: {reads:?}");
            for object in reads.keys() {
                assert!(
                    object.starts_with("AWS:Application/accountid=012345678901/"),
                    "{object}"
                );
            }
            reads
        }
    };
    let wildcard = reads_for(format!(
        "SELECT count(*) FROM (SELECT * FROM aws_application {where_clause}) AS a"
    ))
    .await;
    for (object, count) in wildcard {
        let scanned = !object.contains("/region=ap-southeast-2/");
        assert_eq!(count, if scanned { 2 } else { 1 }, "{object}");
    }
    // Naming its columns, the statement reads each object once: the rows the learning pass
    // kept are scanned instead.
    let named = reads_for(format!(
        "SELECT count(*) FROM aws_application {where_clause}"
    ))
    .await;
    for (object, count) in named {
        assert_eq!(count, 1, "{object}");
    }
}

#[tokio::test]
async fn a_column_only_other_partitions_hold_is_still_found() {
    // `Contacts` is a key of one Custom:NodeInfo object, in account 111122223333. A statement
    // scoped to account 444455556666 names it: the scoped columns lack it, so ssmq learns from
    // every partition and answers (with NULLs) instead of failing.
    let sample = repo().join("fixtures/sample");
    let store = MeteredStore::recording(local(&sample));
    let session = open(Arc::new(store.clone()), "", PartitionFilter::default()).await;
    let rows = sql(
        &session,
        "SELECT count(contacts), count(*) FROM custom_nodeinfo WHERE accountid = '444455556666'",
    )
    .await;
    let expected = nodes(&LakeSpec::sample())
        .iter()
        .filter(|n| n.account_id == "444455556666" && n.custom_node_info.is_some())
        .count();
    assert!(expected > 0);
    assert_eq!(
        rows,
        vec![vec![Some("0".to_owned()), Some(expected.to_string())]]
    );
    let reads = reads_per_object(&store.requests());
    assert!(
        reads.keys().any(|k| k.contains("accountid=111122223333")),
        "columns learnt from every account"
    );
}

#[tokio::test]
async fn the_sync_root_is_found_from_the_bucket_root_a_prefix_or_a_type_folder() {
    let spec = LakeSpec::sample().with_prefix("exports/2026/ResourceDataSync");
    let (dir, summary) = generate(&spec);
    let application_rows = summary.types["AWS:Application"].lines.to_string();
    for start in [
        "",
        "exports",
        "exports/2026",
        "exports/2026/ResourceDataSync",
    ] {
        let session = open(local(dir.path()), start, PartitionFilter::default()).await;
        assert_eq!(
            session.layout().root.as_ref(),
            "exports/2026/ResourceDataSync",
            "from `{start}`"
        );
        let rows = sql(&session, "SELECT count(*) FROM aws_application").await;
        assert_eq!(rows[0][0].as_deref(), Some(application_rows.as_str()));
    }
    // Pointed at one type folder, that type is the lake.
    let session = open(
        local(dir.path()),
        "exports/2026/ResourceDataSync/AWS:Application",
        PartitionFilter::default(),
    )
    .await;
    assert_eq!(session.layout().types.len(), 1);
    let rows = sql(&session, "SELECT count(*) FROM aws_application").await;
    assert_eq!(rows[0][0].as_deref(), Some(application_rows.as_str()));
}

#[tokio::test]
async fn a_source_without_sync_data_or_with_two_syncs_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(empty.path().join("athena-results/2026")).unwrap();
    std::fs::write(empty.path().join("README.txt"), "not a lake").unwrap();
    let options = SessionOptions::default();
    let err = LakeSession::open_store(
        LakeStore::new(local(empty.path()), "an empty dir"),
        &Path::default(),
        options.clone(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::NoSyncData { .. }), "{err}");

    let fixtures = repo().join("fixtures");
    let err = LakeSession::open_store(
        LakeStore::new(local(&fixtures), "fixtures"),
        &Path::default(),
        options,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Found sync data under several prefixes of `fixtures/`: `malformed/`, `sample/`; point the source at one of them"
    );
}

#[tokio::test]
async fn each_object_is_fetched_once_per_session() {
    // Learning a table's columns reads its objects; the read cache hands the same bytes to the
    // scan and to later statements, so S3 sees one GET per object.
    let sample = repo().join("fixtures/sample");
    let store = MeteredStore::recording(local(&sample));
    let session = open(Arc::new(store.clone()), "", PartitionFilter::default()).await;
    for r in one_moment_reports() {
        report(&session, &r.name, &[]).await;
    }
    sql(
        &session,
        "SELECT count(*) FROM aws_application a JOIN aws_application b USING (resourceid)",
    )
    .await;
    let reads = reads_per_object(&store.requests());
    assert!(reads.len() > 50);
    assert!(reads.values().all(|&n| n == 1), "{reads:?}");

    // Without the cache, the statement that learns the columns reads each object once (its
    // scan takes the rows kept while learning), and every later statement reads again.
    let (store, session) = recorded(&sample, uncached()).await;
    for reads_each in [1, 2] {
        sql(&session, "SELECT count(*) FROM aws_tag").await;
        let reads = reads_per_object(&store.requests());
        assert!(reads.len() > 10);
        assert!(reads.values().all(|&n| n == reads_each), "{reads:?}");
    }
}

#[tokio::test]
async fn rows_kept_while_learning_columns_answer_as_reading_the_objects_again() {
    // Every table of the sample lake (two spellings of one key, escapes, nested values, nulls,
    // keys only some objects hold) and of the malformed lake (bad lines skipped), asked for
    // every column by name, which keeps their values while the columns are learnt, and through
    // a wildcard, which reads the objects again: the same rows, the same faults, and with the
    // names each object is read once.
    for (lake, skip_bad_lines, tables) in [
        ("fixtures/sample", false, 10),
        ("fixtures/malformed", true, 2),
    ] {
        let dir = repo().join(lake);
        let read = ReadOptions {
            skip_bad_lines,
            ..uncached()
        };
        let names = open_with(local(&dir), "", PartitionFilter::default(), read.clone())
            .await
            .table_names();
        let mut compared = 0;
        for table in names {
            let learnt = open_with(local(&dir), "", PartitionFilter::default(), read.clone()).await;
            let def = learnt.table(&table).await.expect("a table");
            if def.objects == 0 {
                continue;
            }
            let columns: Vec<String> = def
                .columns
                .iter()
                .map(|c| format!("\"{}\"", c.name.replace('"', "\"\"")))
                .collect();
            let order: Vec<String> = (1..=columns.len()).map(|i| i.to_string()).collect();
            let (list, order) = (columns.join(", "), order.join(", "));
            let mut answers = Vec::new();
            for from in [table.clone(), format!("(SELECT * FROM {table}) AS t")] {
                let (store, session) = recorded(&dir, read.clone()).await;
                let rows = sql(
                    &session,
                    &format!("SELECT {list} FROM {from} ORDER BY {order}"),
                )
                .await;
                let report = session.read_report();
                let faults = (
                    report.conflicts(),
                    report.bad_lines(),
                    report.unknown_keys(),
                );
                answers.push((rows, faults, reads_per_object(&store.requests())));
            }
            let (named, wildcard) = (&answers[0], &answers[1]);
            assert!(!named.0.is_empty(), "{lake} {table} has rows");
            assert_eq!(named.0, wildcard.0, "{lake} {table}: rows");
            assert_eq!(named.1, wildcard.1, "{lake} {table}: faults");
            assert!(
                named.2.values().all(|&reads| reads == 1),
                "{lake} {table}: each object read once: {:?}",
                named.2
            );
            assert!(
                wildcard.2.values().any(|&reads| reads == 2),
                "{lake} {table}: the wildcard reads again"
            );
            compared += 1;
        }
        assert!(compared >= tables, "{lake}: {compared} tables compared");
    }
}
