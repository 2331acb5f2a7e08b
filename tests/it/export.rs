//! `ssmq export` as a nightly job runs it: every table written partitioned, read back with
//! real readers and compared with the tables themselves; the marker; replacing a previous
//! export; and a failed export leaving the previous one untouched.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::{Rows, repo, text_rows};
use arrow::array::{AsArray, RecordBatch};
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use predicates::prelude::*;
use serde_json::Value;
use ssmq_core::{LakeSession, SessionOptions, Source};

fn ssmq(source: &Path) -> Command {
    let mut cmd = Command::cargo_bin("ssmq").expect("the binary is built");
    cmd.env_remove("SSMQ_SOURCE").arg("--source").arg(source);
    cmd
}

/// Every row of every table of the lake at `source`, straight from the library, sorted.
fn tables_of(source: &Path) -> BTreeMap<String, Rows> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let source = Source::parse(source.to_str().unwrap()).unwrap();
        let session = LakeSession::open(&source, SessionOptions::default())
            .await
            .unwrap();
        let mut tables = BTreeMap::new();
        for name in session.table_names() {
            if session.listing(&name).await.unwrap().objects.is_empty() {
                continue;
            }
            let frame = session.sql(&format!("SELECT * FROM {name}")).await.unwrap();
            let mut rows = text_rows(&frame.collect().await.unwrap());
            rows.sort();
            tables.insert(name, rows);
        }
        tables
    })
}

/// Files below `dir`, relative to it, sorted.
fn files_below(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                files.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
}

fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn marker(out: &Path) -> Value {
    serde_json::from_slice(&fs::read(out.join("_SUCCESS.json")).unwrap()).unwrap()
}

/// `(table, accountid, region)` of a file path below the export.
fn partition_of(path: &str) -> (String, String, String) {
    let parts: Vec<&str> = path.split('/').collect();
    assert_eq!(parts.len(), 4, "{path}");
    let value = |part: &str, name: &str| {
        part.strip_prefix(&format!("{name}="))
            .unwrap_or_else(|| panic!("{path}: {name}= expected"))
            .to_owned()
    };
    (
        parts[0].to_owned(),
        value(parts[1], "accountid"),
        value(parts[2], "region"),
    )
}

#[test]
fn every_table_reads_back_equal_partitioned_with_a_marker_naming_each_file() {
    let sample = repo().join("fixtures/sample");
    let out = tempfile::tempdir().unwrap();
    let output = ssmq(&sample)
        .args(["export", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(output.stdout.is_empty(), "stdout carries no data here");
    assert!(
        stderr.contains("aws_complianceitem: 132 rows in 6 files"),
        "{stderr}"
    );
    assert!(stderr.contains("Exported 17 tables, 578 rows"), "{stderr}");

    let expected = tables_of(&sample);
    let marker = marker(out.path());
    assert_eq!(marker["format"], "parquet");
    let listed = marker["tables"].as_object().unwrap();
    assert_eq!(
        listed.keys().cloned().collect::<Vec<_>>(),
        expected.keys().cloned().collect::<Vec<_>>(),
        "every table holding objects is exported"
    );

    let mut files_in_marker = vec!["_SUCCESS.json".to_owned()];
    for (table, rows) in &expected {
        let entry = &listed[table];
        let mut read_rows = Vec::new();
        let mut counted = 0;
        for file in entry["files"].as_array().unwrap() {
            let path = file["path"].as_str().unwrap();
            files_in_marker.push(path.to_owned());
            let (in_table, account, region) = partition_of(path);
            assert_eq!(&in_table, table);
            let batches = read_parquet(&out.path().join(path));
            let file_rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
            assert_eq!(file_rows as u64, file["rows"].as_u64().unwrap(), "{path}");
            counted += file_rows;
            for batch in &batches {
                // accountid and region are columns inside the file, equal to the folder's.
                for (column, value) in [("accountid", &account), ("region", &region)] {
                    let values = batch.column_by_name(column).unwrap().as_string::<i32>();
                    assert!(values.iter().all(|v| v == Some(value.as_str())), "{path}");
                }
            }
            read_rows.extend(text_rows(&batches));
        }
        assert_eq!(entry["rows"].as_u64().unwrap(), counted as u64, "{table}");
        read_rows.sort();
        assert_eq!(&read_rows, rows, "{table} reads back equal");
    }
    files_in_marker.sort();
    assert_eq!(
        files_below(out.path()),
        files_in_marker,
        "nothing but the marker and the files it names"
    );
}

#[test]
fn csv_and_ndjson_exports_read_back_with_their_rows() {
    let sample = repo().join("fixtures/sample");
    let expected = tables_of(&sample);
    for format in ["csv", "ndjson"] {
        let out = tempfile::tempdir().unwrap();
        ssmq(&sample)
            .args([
                "export",
                "--quiet",
                "--format",
                format,
                "--tables",
                "aws_tag,aws_network",
            ])
            .arg("--out")
            .arg(out.path())
            .assert()
            .success()
            .stderr("");
        let marker = marker(out.path());
        assert_eq!(marker["format"], format);
        for table in ["aws_tag", "aws_network"] {
            let mut rows = 0;
            for file in marker["tables"][table]["files"].as_array().unwrap() {
                let path = out.path().join(file["path"].as_str().unwrap());
                assert!(path.to_string_lossy().ends_with(&format!(".{format}")));
                let text = fs::read_to_string(&path).unwrap();
                let lines = text.lines().count();
                let file_rows = if format == "csv" {
                    let header = text.lines().next().unwrap();
                    assert!(header.contains("accountid") && header.contains("region"));
                    lines - 1
                } else {
                    for line in text.lines() {
                        let row: Value = serde_json::from_str(line).unwrap();
                        assert!(row["accountid"].is_string(), "{line}");
                    }
                    lines
                };
                assert_eq!(file_rows as u64, file["rows"].as_u64().unwrap());
                rows += file_rows;
            }
            assert_eq!(rows, expected[table].len(), "{format} {table}");
        }
    }
}

#[test]
fn a_new_export_replaces_the_previous_one_and_keeps_tables_not_chosen() {
    let sample = repo().join("fixtures/sample");
    let out = tempfile::tempdir().unwrap();
    let export = |tables: &[&str]| {
        let mut cmd = ssmq(&sample);
        cmd.args(["export", "--quiet", "--out"]).arg(out.path());
        if !tables.is_empty() {
            cmd.arg("--tables").arg(tables.join(","));
        }
        cmd.assert().success();
        marker(out.path())
    };
    let first = export(&[]);
    let second = export(&["aws_tag"]);
    assert_ne!(first["run"], second["run"]);
    assert_eq!(
        first["tables"].as_object().unwrap().len(),
        second["tables"].as_object().unwrap().len(),
        "the other tables stay in the export"
    );
    assert_eq!(
        first["tables"]["aws_network"],
        second["tables"]["aws_network"]
    );
    assert_ne!(first["tables"]["aws_tag"], second["tables"]["aws_tag"]);
    let tag_files = files_below(&out.path().join("aws_tag"));
    assert_eq!(tag_files.len(), 6);
    let run = second["run"].as_str().unwrap();
    assert!(
        tag_files.iter().all(|f| f.contains(run)),
        "the previous run's files of aws_tag are gone: {tag_files:?}"
    );
    assert!(
        files_below(&out.path().join("aws_network"))
            .iter()
            .all(|f| f.contains(first["run"].as_str().unwrap()))
    );

    let unknown = ssmq(&sample)
        .args(["export", "--tables", "aws_nosuch", "--out"])
        .arg(out.path())
        .assert()
        .code(2);
    unknown.stderr(predicate::str::contains("Unknown table `aws_nosuch`"));
    assert_eq!(
        marker(out.path()),
        second,
        "a refused export changes nothing"
    );
}

#[test]
fn a_failed_export_removes_its_files_and_leaves_the_previous_export_as_it_was() {
    // A lake whose first table is fine and whose last holds a malformed line: the export fails
    // after writing files.
    let lake = tempfile::tempdir().unwrap();
    let partition = "accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory";
    for (type_name, body) in [
        (
            "AWS:Application",
            "{\"Name\":\"bash\",\"resourceId\":\"i-1\"}\n",
        ),
        (
            "AWS:Tag",
            "{\"Key\":\"Name\",\"Value\":\"web\"}\n{\"Key\": oops}\n",
        ),
    ] {
        let dir = lake.path().join(type_name).join(partition);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("i-1.json"), body).unwrap();
    }
    let sample = repo().join("fixtures/sample");
    let out = tempfile::tempdir().unwrap();
    ssmq(&sample)
        .args(["export", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let before_files = files_below(out.path());
    let before_marker = fs::read(out.path().join("_SUCCESS.json")).unwrap();

    let failed = ssmq(lake.path())
        .args(["export", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert_eq!(failed.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("aws_application: 1 rows in 1 file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the previous export there is unchanged"),
        "{stderr}"
    );
    assert!(stderr.contains("AWS:Tag/"), "names the object: {stderr}");
    assert!(stderr.contains("line 2"), "and the line: {stderr}");
    assert_eq!(files_below(out.path()), before_files);
    assert_eq!(
        fs::read(out.path().join("_SUCCESS.json")).unwrap(),
        before_marker
    );

    // With --skip-bad-lines the same lake exports, and says what it skipped.
    let skipped = ssmq(lake.path())
        .args(["export", "--skip-bad-lines", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&skipped.stderr);
    assert!(skipped.status.success(), "{stderr}");
    assert!(stderr.contains("aws_tag: 1 rows in 1 file"), "{stderr}");
    assert!(stderr.contains("malformed"), "{stderr}");
}

#[test]
fn export_refuses_formats_and_flags_it_cannot_honour() {
    let sample = repo().join("fixtures/sample");
    let out = tempfile::tempdir().unwrap();
    ssmq(&sample)
        .args(["export", "--format", "table", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "export writes parquet, csv or ndjson",
        ));
    ssmq(&sample)
        .args(["export", "--output", "x.csv", "--out"])
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--output is for results"));
    assert!(files_below(out.path()).is_empty());
}
