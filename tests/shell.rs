//! The interactive shell driven as a person would: on a pseudo-terminal, typing keys (Tab
//! included) and reading what the terminal shows.

use std::fs;
use std::path::Path;
use std::process::Command;

use rexpect::session::{PtySession, spawn_command};

const PROMPT: &str = "ssmq> ";
/// Generous: the first statement on a cold machine lists and learns a table.
const TIMEOUT_MS: u64 = 30_000;

/// `ssmq ARGS` on a pseudo-terminal, with its history kept in `home`. (rexpect reads the
/// terminal byte by byte as Latin-1, so tests choose CSV output over table borders.)
fn spawn(home: &Path, args: &[&str]) -> PtySession {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("ssmq"));
    command
        .args(args)
        .env_remove("SSMQ_SOURCE")
        .env("HOME", home)
        .env("SSMQ_HISTORY", home.join("history"))
        .env("TERM", "xterm")
        .env("COLUMNS", "120");
    spawn_command(command, Some(TIMEOUT_MS)).expect("ssmq starts on a pseudo-terminal")
}

fn sample() -> String {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("fixtures/sample")
        .display()
        .to_string()
}

/// Types `keys` without Enter.
fn type_keys(shell: &mut PtySession, keys: &str) {
    shell.send(keys).unwrap();
    shell.flush().unwrap();
}

/// Writes one object of a lake under `root`.
fn put_object(root: &Path, type_name: &str, node: &str, lines: &str) {
    let dir = root.join(format!(
        "{type_name}/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory"
    ));
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(format!("{node}.json")), lines).unwrap();
}

#[test]
fn completion_multi_line_statements_commands_errors_and_history() {
    let home = tempfile::tempdir().unwrap();
    let sample = sample();
    let mut shell = spawn(
        home.path(),
        &["--source", &sample, "--format", "csv", "shell"],
    );
    shell.exp_string("17 tables").unwrap();
    shell.exp_string(PROMPT).unwrap();

    // Tab completes a table name, then a column of that table.
    type_keys(&mut shell, "SELECT count(*) AS nodes FROM aws_instanceinf");
    type_keys(&mut shell, "\t");
    shell.exp_string("ormation").unwrap();
    type_keys(&mut shell, " WHERE platformty");
    type_keys(&mut shell, "\t");
    shell.exp_string("pe").unwrap();
    // The statement goes on over a second line and runs at its `;`.
    shell.send_line(" = 'Linux'").unwrap();
    shell
        .send_line("  AND accountid = '111122223333';")
        .unwrap();
    shell.exp_string("nodes\r\n5\r\n").unwrap();
    shell.exp_string(PROMPT).unwrap();

    // An error is reported and the shell keeps running.
    shell.send_line("SELECT nosuch FROM aws_tag;").unwrap();
    shell.exp_string("No field named nosuch").unwrap();
    shell
        .exp_string("hint: \\d TABLE lists a table's columns")
        .unwrap();
    shell.exp_string(PROMPT).unwrap();

    // Backslash commands: tables, a table's columns, reports, output format, timing, a report.
    shell.send_line("\\d").unwrap();
    shell.exp_string("custom_nodeinfo").unwrap();
    shell.exp_string(PROMPT).unwrap();
    shell.send_line("\\d aws_tag").unwrap();
    shell.exp_string("JSON key Value").unwrap();
    shell.exp_string(PROMPT).unwrap();
    shell.send_line("\\reports").unwrap();
    shell.exp_string("stale-inventory").unwrap();
    shell.exp_string(PROMPT).unwrap();
    shell.send_line("\\format ndjson").unwrap();
    shell.exp_string("Output format is now ndjson").unwrap();
    shell.send_line("\\timing on").unwrap();
    shell.exp_string("Timing is on").unwrap();
    type_keys(&mut shell, "\\report os-distr");
    type_keys(&mut shell, "\t");
    shell.exp_string("ibution").unwrap();
    shell.send_line("").unwrap();
    shell
        .exp_string("{\"platformtype\":\"Linux\",\"platformname\":\"Amazon Linux\",")
        .unwrap();
    shell.exp_regex(r"Time: \d+\.\d{3} ms").unwrap();
    shell.exp_string(PROMPT).unwrap();
    shell.send_line("\\nosuch").unwrap();
    shell.exp_string("Unknown command `\\nosuch`").unwrap();
    shell.exp_string(PROMPT).unwrap();

    shell.send_line("\\q").unwrap();
    shell.exp_eof().unwrap();

    let history = fs::read_to_string(home.path().join("history")).unwrap();
    assert!(
        history.contains("\\report os-distribution"),
        "history keeps what was typed: {history}"
    );
    assert!(
        history.contains("AND accountid = '111122223333';"),
        "{history}"
    );

    // The next shell starts with that history: Up recalls the last entry.
    let mut again = spawn(
        home.path(),
        &["--source", &sample, "--format", "csv", "shell"],
    );
    again.exp_string(PROMPT).unwrap();
    type_keys(&mut again, "\x1b[A");
    again.exp_string("\\q").unwrap();
    again.send_control('u').unwrap();
    again.send_control('d').unwrap();
    again.exp_eof().unwrap();
}

#[test]
fn the_lake_is_listed_once_per_shell_not_per_statement() {
    let home = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let tag = r#"{"resourceId":"i-1","Key":"Name","Value":"web","captureTime":"2026-10-01T00:00:00Z","schemaVersion":"1.0"}"#;
    put_object(lake.path(), "AWS:Tag", "i-1", tag);
    let source = lake.path().display().to_string();
    // `ssmq sql` without a query on a terminal is the shell too.
    let mut shell = spawn(
        home.path(),
        &["--source", &source, "--format", "csv", "sql"],
    );
    shell.exp_string("16 tables").unwrap();
    shell
        .send_line("SELECT count(*) AS n FROM aws_tag;")
        .unwrap();
    shell.exp_string("n\r\n1\r\n").unwrap();
    shell.exp_string(PROMPT).unwrap();

    // Objects and types written after the shell learnt the lake are not seen by it...
    put_object(lake.path(), "AWS:Tag", "i-2", &tag.replace("i-1", "i-2"));
    put_object(lake.path(), "Custom:Added", "i-2", r#"{"Name":"nginx"}"#);
    shell
        .send_line("SELECT count(*) AS n FROM aws_tag;")
        .unwrap();
    shell.exp_string("n\r\n1\r\n").unwrap();
    shell.exp_string(PROMPT).unwrap();
    shell
        .send_line("SELECT count(*) FROM custom_added;")
        .unwrap();
    shell.exp_string("Unknown table `custom_added`").unwrap();
    shell.exp_string(PROMPT).unwrap();
    shell.send_line("\\q").unwrap();
    shell.exp_eof().unwrap();

    // ...while a new shell lists them.
    let mut fresh = spawn(
        home.path(),
        &["--source", &source, "--format", "csv", "shell"],
    );
    fresh.exp_string("17 tables").unwrap();
    fresh
        .send_line("SELECT count(*) AS n FROM aws_tag;")
        .unwrap();
    fresh.exp_string("n\r\n2\r\n").unwrap();
    fresh.send_line("\\q").unwrap();
    fresh.exp_eof().unwrap();
}
