//! The `ssmq` binary as a user runs it: formats (read back with real readers), files written
//! atomically, exit codes, and what stderr says.

use std::fs;
use std::io::{Cursor, Read};
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::sync::Arc;

use crate::common::{repo, text_rows};
use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, Field, Schema};
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use predicates::prelude::*;
use ssmq_core::sql::reports::find_report;
use ssmq_core::{LakeSession, SessionOptions, Source};

fn sample() -> String {
    repo().join("fixtures/sample").display().to_string()
}

/// `ssmq --source fixtures/sample …`, with no SSMQ_SOURCE or COLUMNS from the environment.
fn ssmq() -> Command {
    let mut cmd = Command::cargo_bin("ssmq").expect("the binary is built");
    cmd.env_remove("SSMQ_SOURCE")
        .env_remove("COLUMNS")
        .arg("--source")
        .arg(sample());
    cmd
}

fn ssmq_without_source() -> Command {
    let mut cmd = Command::cargo_bin("ssmq").expect("the binary is built");
    cmd.env_remove("SSMQ_SOURCE").env_remove("COLUMNS");
    cmd
}

/// The same answer straight from the library, for comparison.
fn library(sql_or_report: &str) -> Vec<RecordBatch> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let source = Source::parse(&sample()).unwrap();
        let session = LakeSession::open(&source, SessionOptions::default())
            .await
            .unwrap();
        let frame = match sql_or_report.strip_prefix("report ") {
            Some(name) => session
                .report(find_report(name).unwrap(), &[])
                .await
                .unwrap(),
            None => session.sql(sql_or_report).await.unwrap(),
        };
        frame.collect().await.unwrap()
    })
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const TITLES: &str =
    "SELECT resourceid, id, title, installedtime FROM aws_complianceitem ORDER BY resourceid, id";

#[test]
fn the_readme_command_runs_on_the_builtin_lake_and_says_so_once() {
    let output = ssmq_without_source()
        .args(["report", "noncompliant-patches"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(stdout.contains("i-0a2de503781daca43") && stdout.contains("kernel.x86_64"));
    assert!(!stdout.contains("note:"), "stdout carries only data");
    let stderr = stderr_of(&output);
    assert_eq!(stderr.lines().count(), 1, "one notice line: {stderr}");
    assert!(stderr.starts_with("note: No --source given: querying the built-in sample lake"));
}

#[test]
fn csv_has_a_header_rfc4180_quoting_and_reads_back_equal() {
    let output = ssmq()
        .args(["sql", TITLES, "--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("resourceid,id,title,installedtime")
    );
    assert!(
        text.contains(r#","Update for Microsoft Defender Antivirus antimalware platform - KB5013115 (Version 4.18.24825.4) - ""Current Channel (Broad)""","#),
        "quotes are doubled inside quoted fields"
    );
    assert!(
        text.contains("Framework 3.5, 4.8"),
        "commas inside values survive"
    );

    let schema = Arc::new(Schema::new(
        ["resourceid", "id", "title", "installedtime"]
            .map(|n| Field::new(n, DataType::Utf8, true))
            .to_vec(),
    ));
    let reader = arrow::csv::ReaderBuilder::new(schema)
        .with_header(true)
        .build(Cursor::new(text.as_bytes()))
        .unwrap();
    let read: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap();
    // CSV has no NULL: the reader gives NULL for empty fields, as the writer wrote NULL.
    let normalize = |rows: Vec<Vec<Option<String>>>| -> Vec<Vec<Option<String>>> {
        rows.into_iter()
            .map(|r| r.into_iter().map(|v| v.filter(|s| !s.is_empty())).collect())
            .collect()
    };
    assert_eq!(
        normalize(text_rows(&read)),
        normalize(text_rows(&library(TITLES)))
    );
    assert_eq!(text_rows(&read).len(), 132);
}

#[test]
fn parquet_keeps_types_and_reads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("compliance.parquet");
    let output = ssmq()
        .args(["report", "patch-compliance-by-account", "--output"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("Wrote 6 rows to"));
    let file = fs::File::open(&path).unwrap();
    let read: Vec<RecordBatch> = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected = library("report patch-compliance-by-account");
    assert_eq!(
        read[0]
            .schema()
            .field_with_name("compliant")
            .unwrap()
            .data_type(),
        &DataType::Int64
    );
    assert_eq!(
        read[0]
            .schema()
            .field_with_name("accountid")
            .unwrap()
            .data_type(),
        &DataType::Utf8
    );
    assert_eq!(text_rows(&read), text_rows(&expected));
    assert_eq!(
        arrow::compute::concat_batches(&read[0].schema(), &read).unwrap(),
        arrow::compute::concat_batches(&expected[0].schema(), &expected).unwrap()
    );
}

#[test]
fn json_and_ndjson_hold_the_same_rows_with_explicit_nulls() {
    let query = "SELECT resourceid, instancestatus, agentversion FROM aws_instanceinformation ORDER BY resourceid";
    let json = ssmq()
        .args(["sql", query, "--format", "json"])
        .output()
        .unwrap();
    assert!(json.status.success());
    let array: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let array = array.as_array().expect("a JSON array").clone();
    let ndjson = ssmq()
        .args(["sql", query, "--format", "ndjson"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(ndjson.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(array, lines);
    assert_eq!(array.len(), 16);
    let expected = text_rows(&library(query));
    for (object, row) in array.iter().zip(&expected) {
        assert_eq!(object["resourceid"].as_str(), row[0].as_deref());
        assert_eq!(object["instancestatus"].as_str(), row[1].as_deref());
        assert!(
            object.get("instancestatus").is_some(),
            "NULL is written as null, not dropped"
        );
    }
    let empty = ssmq()
        .args([
            "sql",
            "SELECT resourceid FROM aws_tag WHERE false",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(empty.stdout).unwrap().trim(), "[]");
}

#[test]
fn an_empty_csv_result_still_has_its_header() {
    ssmq()
        .args([
            "sql",
            "SELECT resourceid, key FROM aws_tag WHERE false",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .stdout("resourceid,key\n");
}

#[test]
fn the_output_extension_picks_the_format_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("tables.CSV");
    ssmq()
        .args(["tables", "--output"])
        .arg(&csv)
        .assert()
        .success();
    assert!(
        fs::read_to_string(&csv)
            .unwrap()
            .starts_with("table,type_name,objects,accounts,regions,bytes\n")
    );
    let forced = dir.path().join("tables.csv");
    ssmq()
        .args(["tables", "--format", "ndjson", "--output"])
        .arg(&forced)
        .assert()
        .success();
    assert!(
        fs::read_to_string(&forced)
            .unwrap()
            .starts_with("{\"table\":\"aws_application\"")
    );
    ssmq()
        .args(["tables", "--output"])
        .arg(dir.path().join("tables.dat"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Cannot tell the format from"));
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_failed_command_leaves_no_partial_file_and_keeps_the_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tags.csv");
    let malformed = repo().join("fixtures/malformed");
    let fail = |target: &Path| {
        ssmq_without_source()
            .arg("--source")
            .arg(&malformed)
            .args(["sql", "SELECT * FROM aws_application", "--output"])
            .arg(target)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("Malformed JSON in"));
    };
    fail(&target);
    assert!(
        files_in(dir.path()).is_empty(),
        "nothing left behind: {:?}",
        files_in(dir.path())
    );
    fs::write(&target, "the previous good export\n").unwrap();
    fail(&target);
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "the previous good export\n"
    );
    assert_eq!(files_in(dir.path()), vec!["tags.csv"]);
}

#[test]
fn malformed_lines_fail_with_key_line_and_hint_or_are_skipped_and_reported() {
    // Run from the repository, naming the source as a user would: errors name objects by it.
    let malformed = "fixtures/malformed";
    let output = ssmq_without_source()
        .current_dir(repo())
        .arg("--source")
        .arg(malformed)
        .args(["sql", "SELECT count(*) FROM aws_tag"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(stderr.starts_with(
        "error: Malformed JSON in `fixtures/malformed/AWS:Tag/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory/i-0a1b2c3d4e5f60718.json` line 2, column 16"
    ), "{stderr}");
    assert!(stderr.contains("hint: pass --skip-bad-lines"), "{stderr}");

    let output = ssmq_without_source()
        .current_dir(repo())
        .arg("--source")
        .arg(malformed)
        .args([
            "--skip-bad-lines",
            "sql",
            "SELECT (SELECT count(*) FROM aws_tag) AS tags, (SELECT count(*) FROM aws_application) AS applications",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(
        String::from_utf8(output.stdout.clone()).unwrap(),
        "tags,applications\n2,7\n"
    );
    let stderr = stderr_of(&output);
    assert!(
        stderr.starts_with("warning: Skipped 4 malformed lines in 2 objects (--skip-bad-lines):"),
        "{stderr}"
    );
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains(".json` line "))
            .count(),
        4,
        "{stderr}"
    );
}

/// The lake's tables, as an unknown table's error lists them.
const SAMPLE_TABLES: &str = "aws_application, aws_awscomponent, aws_billinginfo, aws_complianceitem, aws_compliancesummary, aws_file, aws_instancedetailedinformation, aws_instanceinformation, aws_network, aws_patchsummary, aws_resourcegroup, aws_service, aws_tag, aws_windowsregistry, aws_windowsrole, aws_windowsupdate, custom_nodeinfo";

#[test]
fn errors_exit_2_with_a_message_and_a_hint() {
    let sample = ["--source", "fixtures/sample"];
    let unknown_table = format!(
        "error: Unknown table `{{}}`; available: {SAMPLE_TABLES}\n\
         hint: `ssmq tables` lists the tables; `ssmq describe TABLE` their columns\n"
    );
    // (arguments, the whole of stderr); every case exits with 2 and writes nothing to stdout.
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            [&sample[..], &["sql", "SELECT * FROM aws_nothing"]].concat(),
            unknown_table.replace("{}", "aws_nothing"),
        ),
        (
            [&sample[..], &["describe", "nope"]].concat(),
            unknown_table.replace("{}", "nope"),
        ),
        (
            [&sample[..], &["sql", "DROP TABLE aws_tag"]].concat(),
            "error: ssmq is read-only: `DROP TABLE` statements are refused; only queries \
             (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SHOW) run\n"
                .to_owned(),
        ),
        (
            [&sample[..], &["report", "stale-inventory", "--param", "days=soon"]].concat(),
            "error: Report `stale-inventory`: parameter `days` expects an integer, got `soon`\n\
             hint: `ssmq report stale-inventory --help` describes its parameters, given as --param name=value\n"
                .to_owned(),
        ),
        (
            [&sample[..], &["report", "instance-list", "--param", "novalue"]].concat(),
            "error: Bad --param for report `instance-list`\n  \
             Caused by: `novalue` is not of the form name=value\n"
                .to_owned(),
        ),
        (
            [&sample[..], &["report", "nope"]].concat(),
            "error: Unknown report `nope`; available: instance-applications, instance-list, \
             missing-critical-patches, node-changes, noncompliant-patches, os-distribution, \
             patch-age, patch-changes, patch-compliance-by-account, patch-sla, patch-trend, \
             ssm-agent-versions, stale-inventory\n\
             hint: `ssmq report list` lists the reports and their parameters\n"
                .to_owned(),
        ),
        (
            [&sample[..], &["report", "patch-changes"]].concat(),
            "error: The past of this source is kept only by its cache, and it has none yet\n\
             hint: run `ssmq sync` to start the cache: each sync that changes anything then adds a snapshot\n"
                .to_owned(),
        ),
        (
            [&sample[..], &["sql", "SELECT nosuch FROM aws_tag"]].concat(),
            "error: No field named nosuch.\nValid fields are aws_tag.capturetime, aws_tag.key, \
             aws_tag.resourceid, aws_tag.schemaversion, aws_tag.value, aws_tag.accountid, \
             aws_tag.region, aws_tag.resourcetype.\n\
             hint: `ssmq describe TABLE` lists a table's columns\n"
                .to_owned(),
        ),
        (
            [&sample[..], &["sql", "SELECT if(1)"]].concat(),
            "error: if takes 2 or 3 arguments\n".to_owned(),
        ),
        (
            [&sample[..], &["sql", " ; "]].concat(),
            "error: No SQL statement given\n".to_owned(),
        ),
        (
            vec!["--source", "no/such/dir", "tables"],
            "error: Failed to open `no/such/dir`\n  \
             Caused by: Source `no/such/dir` does not exist\n"
                .to_owned(),
        ),
        (
            vec!["--source", "fixtures", "tables"],
            "error: Failed to open `fixtures`\n  \
             Caused by: Found sync data under several prefixes of `fixtures/`: `malformed/`, \
             `sample/`; point the source at one of them\n\
             hint: pass one of the prefixes above as --source\n"
                .to_owned(),
        ),
        (
            vec!["frobnicate"],
            "error: unrecognized subcommand 'frobnicate'\n\nUsage: ssmq [OPTIONS] <COMMAND>\n\n\
             For more information, try '--help'.\n"
                .to_owned(),
        ),
    ];
    // Every case is run and every difference reported, so one does not hide the rest.
    let mut failures = Vec::new();
    for (args, expected) in &cases {
        let output = ssmq_without_source()
            .current_dir(repo())
            .args(args)
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        if output.status.code() != Some(2) || !output.stdout.is_empty() || &stderr != expected {
            failures.push(format!(
                "ssmq {}: exit {:?}, stdout {:?}\n  stderr:   {stderr:?}\n  expected: {expected:?}",
                args.join(" "),
                output.status.code(),
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn help_has_examples_and_exits_0() {
    ssmq_without_source()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("ssmq report noncompliant-patches"));
    ssmq_without_source()
        .args(["sql", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-f"));
}

#[test]
fn a_closed_pipe_ends_quietly_with_0() {
    let bin = assert_cmd::cargo::cargo_bin("ssmq");
    let mut child = StdCommand::new(bin)
        .env_remove("SSMQ_SOURCE")
        .args([
            "--source",
            &sample(),
            "sql",
            "SELECT * FROM aws_complianceitem CROSS JOIN aws_tag",
            "--format",
            "csv",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr_of(&output), "");
}

#[test]
fn a_piped_table_holds_every_row_and_column_whole() {
    let expected = library("report noncompliant-patches");
    let names: Vec<String> = expected[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let rows = text_rows(&expected);
    // $COLUMNS and --max-rows are for terminals: a pipe gets everything.
    let output = ssmq()
        .env("COLUMNS", "80")
        .args(["--max-rows", "3", "report", "noncompliant-patches"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines.len(),
        rows.len() + 4,
        "a line per row and four of frame"
    );
    for name in &names {
        assert!(
            lines[1].contains(&format!(" {name} ")),
            "{name}: {}",
            lines[1]
        );
    }
    for (row, line) in rows.iter().zip(&lines[3..]) {
        for value in row {
            let value = value.as_deref().unwrap_or("NULL");
            assert!(line.contains(value), "{value} whole in {line}");
        }
    }
    assert!(!table.contains('…'), "nothing left out or cut");
}

#[test]
fn sql_comes_from_an_argument_a_file_or_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.sql");
    fs::write(
        &file,
        "-- saved query\nSELECT count(*) AS n FROM aws_instanceinformation\n",
    )
    .unwrap();
    ssmq()
        .args(["sql", "-f"])
        .arg(&file)
        .args(["--format", "csv"])
        .assert()
        .success()
        .stdout("n\n16\n");
    ssmq()
        .args(["sql", "--format", "csv"])
        .write_stdin("SELECT count(*) AS n FROM aws_tag")
        .assert()
        .success()
        .stdout("n\n46\n");
    ssmq()
        .args(["sql", "-f"])
        .arg(dir.path().join("missing.sql"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Failed to read `"));
}

#[test]
fn a_saved_query_file_of_several_statements_runs_each_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("saved.sql");
    // As Athena's saved-query exports are: comments, quoted mixed-case names, `;` inside a
    // string, statements over several lines.
    fs::write(
        &file,
        "-- nodes\nSELECT count(*) AS n\n  FROM \"ssm_global_resource_sync\".\"aws_instanceinformation\";\n\n\
         -- Name tags with a semicolon\nSELECT count(*) AS tags FROM aws_tag WHERE \"Key\" <> 'a;b';\n",
    )
    .unwrap();
    ssmq()
        .args(["sql", "-f"])
        .arg(&file)
        .args(["--format", "csv"])
        .assert()
        .success()
        .stdout("n\n16\ntags\n46\n");

    // A failing statement stops the rest and says which one it was.
    fs::write(
        &file,
        "SELECT 1 AS one;\nSELECT nosuch FROM aws_tag;\nSELECT 3 AS three;\n",
    )
    .unwrap();
    ssmq()
        .args(["sql", "-f"])
        .arg(&file)
        .args(["--format", "csv"])
        .assert()
        .code(2)
        .stdout("one\n1\n")
        .stderr(predicate::str::contains("Statement 2 of 3 failed"));

    // Several results cannot share one output file.
    fs::write(&file, "SELECT 1 AS one; SELECT 2 AS two;").unwrap();
    ssmq()
        .args(["sql", "-f"])
        .arg(&file)
        .arg("--output")
        .arg(dir.path().join("out.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Found 2 SQL statements but one --output file",
        ));
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn tables_answer_to_the_database_name_given() {
    let query = "SELECT count(*) AS n FROM \"Inventory_DB\".aws_tag";
    ssmq()
        .args([
            "--database",
            "inventory_db",
            "sql",
            query,
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .stdout("n\n46\n");
    ssmq()
        .env("SSMQ_DATABASE", "INVENTORY_DB")
        .args([
            "sql",
            "SELECT count(*) AS n FROM awsdatacatalog.inventory_db.aws_tag",
        ])
        .args(["--format", "csv"])
        .assert()
        .success()
        .stdout("n\n46\n");
    // The default name no longer qualifies once another is chosen.
    ssmq()
        .args(["--database", "inventory_db", "sql"])
        .arg("SELECT count(*) FROM ssm_global_resource_sync.aws_tag")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "table 'awsdatacatalog.ssm_global_resource_sync.aws_tag' not found",
        ));
}

#[test]
fn the_source_comes_from_ssmq_source_too() {
    ssmq_without_source()
        .env("SSMQ_SOURCE", format!("file://{}", sample()))
        .args([
            "sql",
            "SELECT count(*) AS n FROM aws_tag",
            "--format",
            "csv",
        ])
        .assert()
        .success()
        .stdout("n\n46\n")
        .stderr("");
}

#[test]
fn verbose_says_what_was_skipped_and_why_and_filters_that_match_nothing_warn() {
    let output = ssmq().args(["-v", "tables"]).output().unwrap();
    assert!(output.status.success());
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(
            "note: Skipped 5 entries that are not inventory (3 of them the sync's probe objects):"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("`AWS:InstanceInformation/accountid=012345678901/test.json`: the sync's probe object, not inventory"),
        "{stderr}"
    );
    assert!(stderr.contains("`AWS:Tag/accountid=111122223333/region=us-east-1/stray.json`: not at full partition depth"), "{stderr}");
    assert!(
        stderr.contains("notes.txt`: not a `.json` object"),
        "{stderr}"
    );
    assert!(
        stderr.contains("reads ("),
        "-v says what reading cost: {stderr}"
    );

    let output = ssmq()
        .args([
            "--account",
            "999999999999",
            "--account",
            "444455556666",
            "tables",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = stderr_of(&output);
    assert_eq!(
        stderr,
        "warning: `--account 999999999999` matched no partition of the lake\n\
         note: 1 entry is not inventory and was skipped (the sync's probe objects, stray files); -v lists them\n"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    // Account 444455556666 holds nodes 7 to 12, in us-east-1 and ap-southeast-2.
    assert!(
        stdout.contains("aws_application,AWS:Application,6,1,2,"),
        "{stdout}"
    );
}

#[test]
fn report_list_names_every_report_with_its_title() {
    let output = ssmq_without_source()
        .args(["report", "list", "--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    for (name, title) in [
        ("noncompliant-patches", "Non-compliant patches"),
        ("ssm-agent-versions", "SSM Agent versions"),
        ("instance-list", "Managed nodes"),
        ("instance-applications", "Node applications"),
        (
            "patch-compliance-by-account",
            "Patch compliance by account and region",
        ),
        ("missing-critical-patches", "Missing critical patches"),
        ("stale-inventory", "Stale inventory"),
        ("os-distribution", "Operating systems"),
    ] {
        assert!(
            stdout.contains(&format!("{name},{title},")),
            "{name}: {stdout}"
        );
    }
    assert!(stdout.contains("days (integer, default 7)"));
    assert_eq!(
        stderr_of(&ssmq_without_source().args(["report"]).output().unwrap()),
        "",
        "no lake is opened to list"
    );
}

#[test]
fn report_help_lists_the_reports_and_describes_each() {
    ssmq_without_source()
        .args(["report", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "stale-inventory              Stale inventory",
        ))
        .stdout(predicate::str::contains(
            "ssmq report noncompliant-patches --help",
        ));
    let described = ssmq_without_source()
        .args(["report", "stale-inventory", "--help"])
        .output()
        .unwrap();
    assert!(described.status.success());
    let text = String::from_utf8(described.stdout).unwrap();
    assert_eq!(
        ssmq_without_source()
            .args(["report", "describe", "stale-inventory"])
            .output()
            .unwrap()
            .stdout,
        text.as_bytes(),
        "`describe NAME` and `NAME --help` say the same"
    );
    for expected in [
        "stale-inventory: Stale inventory\n",
        "Parameters (--param NAME=VALUE):\n  days   integer, default 7\n",
        "Days without a new inventory capture",
        "  as_of  timestamp, default now\n",
        "Columns (a row per accountid, region, resourceid):\n  accountid ",
        "Example:\n  ssmq report stale-inventory --param days=14",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    // The columns are the ones the report returns, in order.
    let header = String::from_utf8(
        ssmq()
            .args(["report", "stale-inventory", "--format", "csv"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let columns: Vec<&str> = text
        .split("):\n")
        .nth(2)
        .unwrap()
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(columns.join(","), header.lines().next().unwrap());
}

/// A saved Athena query that selects two columns named `name` and an expression without an
/// alias, as Trino allows.
const SAVED_QUERY_WITH_TWO_NAMES: &str = "\
-- Applications with the Name tag of their node (saved in Athena)
SELECT app.resourceid, app.Name, tag.Value AS \"Name\", length(app.Name)
FROM ssm_global_resource_sync.aws_application app
JOIN ssm_global_resource_sync.aws_tag tag
  ON app.resourceid = tag.resourceid AND tag.Key = 'Name'
ORDER BY 1, 2, 3
";

#[test]
fn result_columns_are_named_as_athena_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let query = dir.path().join("saved.sql");
    fs::write(&query, SAVED_QUERY_WITH_TWO_NAMES).unwrap();
    let run = |format: &str| {
        let output = ssmq()
            .args(["sql", "-f"])
            .arg(&query)
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
        output.stdout
    };
    let expected = text_rows(&library(
        "SELECT app.resourceid, app.name, tag.value, CAST(length(app.name) AS VARCHAR) \
         FROM aws_application app JOIN aws_tag tag ON app.resourceid = tag.resourceid AND tag.key = 'Name' \
         ORDER BY 1, 2, 3",
    ));
    assert!(expected.len() > 3);

    // CSV keeps both names as written; an expression is named by its position.
    let csv = String::from_utf8(run("csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("resourceid,name,name,_col3"));
    assert_eq!(csv.lines().count(), expected.len() + 1);

    // JSON and Parquet need unique names: the second is `name_1`.
    let json: serde_json::Value = serde_json::from_slice(&run("json")).unwrap();
    let mut keys: Vec<&str> = json[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["_col3", "name", "name_1", "resourceid"]);
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), expected.len());
    for (row, expected) in rows.iter().zip(&expected) {
        let text = |key: &str| row[key].as_str().map(str::to_owned);
        assert_eq!(text("resourceid"), expected[0]);
        assert_eq!(text("name"), expected[1], "the application's name");
        assert_eq!(text("name_1"), expected[2], "the Name tag");
        assert_eq!(row["_col3"].to_string(), expected[3].clone().unwrap());
    }
    let parquet = dir.path().join("out.parquet");
    ssmq()
        .args(["sql", "-f"])
        .arg(&query)
        .arg("--output")
        .arg(&parquet)
        .assert()
        .success();
    let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&parquet).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let schema = arrow::array::RecordBatchReader::schema(&reader);
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["resourceid", "name", "name_1", "_col3"]);

    // The same in the smallest forms Trino accepts.
    for (sql, header) in [
        ("SELECT 1 AS a, 2 AS a", "a,a"),
        ("SELECT 1, 'x' AS b, count(*) FROM aws_tag", "_col0,b,_col2"),
        (
            "SELECT count(*) FROM aws_tag UNION ALL SELECT count(*) FROM aws_application",
            "_col0",
        ),
        ("SELECT * FROM (SELECT count(*) FROM aws_tag)", "_col0"),
        (
            "SELECT DISTINCT upper(key) FROM aws_tag ORDER BY upper(key) LIMIT 1",
            "_col0",
        ),
        (
            "SELECT lower(key) FROM aws_tag GROUP BY lower(key) ORDER BY lower(key) LIMIT 1",
            "_col0",
        ),
    ] {
        let output = ssmq()
            .args(["sql", sql, "--format", "csv"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{sql}: {}",
            stderr_of(&output)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(stdout.lines().next(), Some(header), "{sql}");
    }
}

#[test]
fn line_format_writes_a_column_and_value_per_line() {
    let output = ssmq()
        .args([
            "sql",
            "SELECT resourceid, key AS tag_key FROM aws_tag ORDER BY 1, 2 LIMIT 2",
            "--format",
            "line",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let expected = text_rows(&library(
        "SELECT resourceid, key FROM aws_tag ORDER BY 1, 2 LIMIT 2",
    ));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text,
        format!(
            "resourceid = {}\n   tag_key = {}\n\nresourceid = {}\n   tag_key = {}\n",
            expected[0][0].as_deref().unwrap(),
            expected[0][1].as_deref().unwrap(),
            expected[1][0].as_deref().unwrap(),
            expected[1][1].as_deref().unwrap(),
        )
    );
}

#[test]
fn bash_completes_report_names_after_ssmq_report() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("ssmq.bash");
    let output = ssmq_without_source()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(output.status.success());
    fs::write(&script, &output.stdout).unwrap();
    // Bash itself runs the script's completion function, as it does on Tab.
    let complete = |line: &str| -> Vec<String> {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source \"$0\"; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE=\"{line}\"; COMP_POINT=${{#COMP_LINE}}; \
             _ssmq ssmq \"{}\" \"{}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" "),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let output = StdCommand::new("bash")
            .arg("-c")
            .arg(program)
            .arg(&script)
            .output()
            .expect("bash runs");
        assert!(output.status.success(), "{}", stderr_of(&output));
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(complete("ssmq report noncomp"), ["noncompliant-patches"]);
    assert_eq!(complete("ssmq report stale-"), ["stale-inventory"]);
    assert_eq!(complete("ssmq rep"), ["report"]);
    for shell in ["zsh", "fish", "powershell"] {
        let output = ssmq_without_source()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success());
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains("missing-critical-patches"), "{shell}");
    }
}

#[test]
fn piped_csv_json_and_ndjson_are_as_they_were() {
    // tests/golden holds what ssmq wrote before tables were fitted to terminals (c91dbd0):
    // the machine formats must not change by a byte.
    let commands: [(&str, &[&str]); 3] = [
        (
            "patch-compliance-by-account",
            &["report", "patch-compliance-by-account"],
        ),
        ("instance-list", &["report", "instance-list"]),
        (
            "tags",
            &[
                "sql",
                "SELECT resourceid, key, value, length(value) AS n FROM aws_tag ORDER BY 1, 2, 3",
            ],
        ),
    ];
    for (name, args) in commands {
        for format in ["csv", "json", "ndjson"] {
            let output = ssmq()
                .env("COLUMNS", "80")
                .args(args)
                .args(["--format", format])
                .output()
                .unwrap();
            assert!(output.status.success(), "{}", stderr_of(&output));
            let golden = fs::read(repo().join(format!("tests/golden/{name}.{format}"))).unwrap();
            assert!(
                output.stdout == golden,
                "{name}.{format} differs:\n{}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
    }
}
