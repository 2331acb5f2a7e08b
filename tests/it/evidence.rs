//! `ssmq evidence`: the bundle read back by real readers (the parquet crate, `sha256sum`),
//! `verify` catching a one-byte change to any file, a missing or an added one, and two bundles
//! of one snapshot alike but for their creation time.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use super::cache::copy_dir;
use crate::common::repo;

fn ssmq(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ssmq").unwrap();
    cmd.env_remove("SSMQ_SOURCE").current_dir(cwd);
    cmd
}

/// `ssmq --source LAKE --cache-dir CACHE`, run in `cwd`.
pub(super) fn ssmq_cached(cwd: &Path, lake: &Path, cache: &Path) -> Command {
    let mut cmd = ssmq(cwd);
    cmd.arg("--source").arg(lake).arg("--cache-dir").arg(cache);
    cmd
}

fn manifest(bundle: &Path) -> Value {
    serde_json::from_slice(&fs::read(bundle.join("manifest.json")).unwrap()).unwrap()
}

/// `sha256sum FILE`: a hash computed by another implementation than ssmq's.
fn sha256sum(path: &Path) -> String {
    let output = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

fn verify(bundle: &Path) -> (Option<i32>, String) {
    let output = ssmq(bundle.parent().unwrap())
        .args(["evidence", "verify"])
        .arg(bundle)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// `ssmq --source fixtures/sample evidence --out ev`, run in `cwd`.
fn sample_bundle(cwd: &Path) -> std::process::Output {
    ssmq(cwd)
        .arg("--source")
        .arg(repo().join("fixtures/sample"))
        .args(["evidence", "--out", "ev"])
        .output()
        .unwrap()
}

#[test]
fn a_bundle_is_read_back_hashed_elsewhere_and_verify_catches_any_change() {
    let work = tempfile::tempdir().unwrap();
    let output = sample_bundle(work.path());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let bundle = work.path().join("ev");
    let manifest = manifest(&bundle);

    // Every file the manifest lists is there, with the size and the hash another tool computes.
    let files = manifest["files"].as_array().unwrap();
    let listed: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for expected in [
        "checks.csv",
        "checks.parquet",
        "report.html",
        "queries/controls/patch-compliance.sql",
        "queries/patch-age.sql",
        "queries/noncompliant-patches.sql",
        "reports/noncompliant-patches.csv",
        "reports/noncompliant-patches.parquet",
        "sources.csv",
    ] {
        assert!(listed.contains(&expected), "{expected} in {listed:?}");
    }
    for file in files {
        let path = bundle.join(file["path"].as_str().unwrap());
        assert_eq!(file["sha256"], sha256sum(&path), "{}", path.display());
        assert_eq!(file["bytes"], fs::metadata(&path).unwrap().len());
    }
    assert_eq!(
        manifest["sources_sha256"],
        sha256sum(&bundle.join("sources.csv"))
    );
    assert_eq!(
        manifest["controls"],
        serde_json::json!([
            "agent-version",
            "association-compliance",
            "inventory-freshness",
            "patch-compliance",
            "patches-within-sla"
        ])
    );
    assert_eq!(
        manifest["reports"],
        serde_json::json!([
            "noncompliant-patches",
            "patch-age",
            "patch-compliance-by-account"
        ])
    );
    assert_eq!(manifest["params"], serde_json::json!({}));
    // Read from the source, the page has no trend and says why; patch-trend needs history.
    assert!(!listed.contains(&"queries/patch-trend.sql"), "{listed:?}");
    let page = fs::read_to_string(bundle.join("report.html")).unwrap();
    assert!(
        page.contains("No trend: the source was read directly"),
        "{page}"
    );
    assert!(
        page.contains("<dt>Snapshot</dt><dd>none: read from the source"),
        "{page}"
    );
    assert_eq!(
        fs::read_to_string(bundle.join("queries/controls/patch-compliance.sql")).unwrap(),
        fs::read_to_string(repo().join("queries/controls/patch-compliance.sql")).unwrap(),
        "the exact SQL"
    );

    // The Parquet files read back with the rows the manifest counts, as the CSV holds them.
    for (stem, counted) in [
        ("checks", &manifest["rows"]["checks"]),
        (
            "reports/noncompliant-patches",
            &manifest["rows"]["reports/noncompliant-patches"],
        ),
    ] {
        let file = fs::File::open(bundle.join(format!("{stem}.parquet"))).unwrap();
        let rows: usize = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap().num_rows())
            .sum();
        assert_eq!(Some(rows as u64), counted.as_u64(), "{stem}");
        let csv = fs::read_to_string(bundle.join(format!("{stem}.csv"))).unwrap();
        let mut reader = arrow::csv::ReaderBuilder::new(std::sync::Arc::new(
            arrow::csv::infer_schema_from_files(
                &[bundle.join(format!("{stem}.csv")).display().to_string()],
                b',',
                None,
                true,
            )
            .unwrap(),
        ))
        .with_header(true)
        .build(std::io::Cursor::new(csv))
        .unwrap();
        let csv_rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(csv_rows, rows, "{stem}");
    }
    let sources = fs::read_to_string(bundle.join("sources.csv")).unwrap();
    assert!(
        sources.starts_with("table,key,e_tag,version,size,last_modified,rows\n"),
        "{sources}"
    );
    assert_eq!(
        sources.lines().count() as u64 - 1,
        manifest["source_objects"].as_u64().unwrap()
    );
    // In table and key order, with the rows each object holds (counted in the objects, read
    // from the source directly): the lines of the sample's file that are not blank.
    let listed_sources: Vec<(&str, &str, u64)> = sources
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (
                fields[0],
                fields[1],
                fields.last().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert!(listed_sources.is_sorted(), "{sources}");
    for (_, key, rows) in &listed_sources {
        let text = fs::read_to_string(repo().join("fixtures/sample").join(key)).unwrap();
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count() as u64;
        assert_eq!(*rows, lines, "{key}");
    }

    assert_eq!(verify(&bundle).0, Some(0));
    // One byte changed in any file, one gone, one added: verify names it and exits 1.
    for file in &listed {
        let copy = work.path().join("copy");
        let _ = fs::remove_dir_all(&copy);
        copy_dir(&bundle, &copy);
        let path = copy.join(file);
        let mut bytes = fs::read(&path).unwrap();
        bytes[0] ^= 1;
        fs::write(&path, bytes).unwrap();
        let (code, said) = verify(&copy);
        assert_eq!(code, Some(1), "{file}: {said}");
        assert!(
            said.contains(&format!("{}: changed", path.display())),
            "{said}"
        );
    }
    fs::remove_file(bundle.join("checks.csv")).unwrap();
    fs::write(bundle.join("notes.txt"), "added").unwrap();
    let (code, said) = verify(&bundle);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("checks.csv: missing"), "{said}");
    assert!(
        said.contains("notes.txt: added, not in the manifest"),
        "{said}"
    );
    assert!(said.contains("2 files of"), "{said}");

    // A folder that holds something already is refused, and left as it was.
    let output = sample_bundle(work.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("exists and is not empty"));
    assert!(bundle.join("notes.txt").exists());
}

#[test]
fn two_bundles_of_one_snapshot_differ_only_in_their_creation_time() {
    let lake = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("fixtures/sample"), lake.path());
    let cache = tempfile::tempdir().unwrap();
    let run = |cwd: &Path, args: &[&str]| {
        let output = ssmq_cached(cwd, lake.path(), cache.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(lake.path(), &["sync"]);
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for work in [&first, &second] {
        run(
            work.path(),
            &[
                "--offline",
                "--as-of",
                "snapshot:1",
                "evidence",
                "--out",
                "ev",
            ],
        );
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let files = |work: &Path| -> BTreeMap<String, Vec<u8>> {
        let bundle = work.join("ev");
        let manifest = manifest(&bundle);
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let path = f["path"].as_str().unwrap().to_owned();
                let bytes = fs::read(bundle.join(&path)).unwrap();
                (path, bytes)
            })
            .collect()
    };
    assert_eq!(files(first.path()), files(second.path()));

    // From the cache, sources.csv gives the rows each object held: per table they add up to
    // the table's rows at that moment.
    let sources = fs::read_to_string(first.path().join("ev/sources.csv")).unwrap();
    let mut rows_by_table: BTreeMap<&str, u64> = BTreeMap::new();
    for line in sources.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        *rows_by_table.entry(fields[0]).or_default() +=
            fields.last().unwrap().parse::<u64>().unwrap();
    }
    for table in ["aws_application", "aws_complianceitem", "aws_tag"] {
        let output = ssmq_cached(lake.path(), lake.path(), cache.path())
            .args([
                "--offline",
                "--as-of",
                "snapshot:1",
                "--format",
                "csv",
                "sql",
            ])
            .arg(format!("SELECT count(*) AS n FROM {table}"))
            .output()
            .unwrap();
        let counted = String::from_utf8(output.stdout).unwrap();
        assert_eq!(
            counted.lines().nth(1).unwrap().parse::<u64>().unwrap(),
            rows_by_table[table],
            "{table}"
        );
    }
    let (mut a, mut b) = (
        manifest(&first.path().join("ev")),
        manifest(&second.path().join("ev")),
    );
    assert_ne!(a["created_at"], b["created_at"]);
    assert_eq!(a["snapshot"], 1);
    a["created_at"] = Value::Null;
    b["created_at"] = Value::Null;
    assert_eq!(a, b);
}

#[test]
fn rerun_computes_a_bundle_again_from_history_and_catches_rehashed_results() {
    let lake = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("fixtures/sample"), lake.path());
    let cache = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = ssmq_cached(work.path(), lake.path(), cache.path())
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let rerun = |bundle: &Path| {
        let output = ssmq(work.path())
            .arg("--cache-dir")
            .arg(cache.path())
            .args(["evidence", "verify", "--rerun"])
            .arg(bundle)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    assert_eq!(run(&["sync"]).0, Some(0));
    let (code, said) = run(&[
        "evidence",
        "--out",
        "ev",
        "--param",
        "days=3",
        "--reports",
        "noncompliant-patches,patch-trend",
    ]);
    assert_eq!(code, Some(0), "{said}");
    let bundle = work.path().join("ev");
    assert_eq!(
        manifest(&bundle)["reports"],
        serde_json::json!(["noncompliant-patches", "patch-trend"])
    );
    let (code, said) = rerun(&bundle);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("computed again from the cache it comes out the same"),
        "{said}"
    );

    // The lake changes and is synced: the bundle's moment still computes the same.
    let summary = lake
        .path()
        .join("AWS:ComplianceSummary/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory/i-0a2de503781daca43.json");
    let text = fs::read_to_string(&summary).unwrap();
    assert!(text.contains(r#""Status":"NON_COMPLIANT""#));
    fs::write(&summary, text.replace("NON_COMPLIANT", "COMPLIANT")).unwrap();
    assert_eq!(run(&["sync"]).0, Some(0));
    let (code, said) = rerun(&bundle);
    assert_eq!(code, Some(0), "after a later sync: {said}");

    // Results altered and their hash written into the manifest pass the hash check, not the
    // rerun.
    let checks = bundle.join("checks.csv");
    let altered = fs::read_to_string(&checks)
        .unwrap()
        .replacen(",alarm,", ",ok,", 1);
    fs::write(&checks, &altered).unwrap();
    let mut rehashed = manifest(&bundle);
    for file in rehashed["files"].as_array_mut().unwrap() {
        if file["path"] == "checks.csv" {
            file["sha256"] = sha256sum(&checks).into();
            file["bytes"] = (altered.len() as u64).into();
        }
    }
    fs::write(
        bundle.join("manifest.json"),
        serde_json::to_string_pretty(&rehashed).unwrap(),
    )
    .unwrap();
    assert_eq!(verify(&bundle).0, Some(0), "the hashes agree");
    let (code, said) = rerun(&bundle);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "{}: comes out otherwise when computed again",
            checks.display()
        )),
        "{said}"
    );
    assert!(said.contains("1 file of"), "{said}");

    // A bundle read from the source directly has no snapshot to compute again from.
    let direct = tempfile::tempdir().unwrap();
    assert!(sample_bundle(direct.path()).status.success());
    let (code, said) = rerun(&direct.path().join("ev"));
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("needs the bundle's snapshot in a cache"),
        "{said}"
    );
}
