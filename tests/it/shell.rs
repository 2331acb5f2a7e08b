//! ssmq on a pseudo-terminal, as a person sees it: tables fitted to the terminal's size, and
//! the interactive shell driven by typing keys (Tab included) and reading what it shows.

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

/// `ssmq ARGS` run to its end on a terminal of `cols` by `rows` (sized with `stty`, as a
/// terminal emulator sizes it; no $COLUMNS or $LINES), and the text the terminal showed.
fn on_terminal(home: &Path, cols: u16, rows: u16, args: &[&str]) -> String {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "stty cols {cols} rows {rows} && exec \"$0\" \"$@\""
        ))
        .arg(assert_cmd::cargo::cargo_bin("ssmq"))
        .args(args)
        .env_remove("SSMQ_SOURCE")
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("TERM", "xterm");
    let mut terminal = spawn_command(command, Some(TIMEOUT_MS)).expect("ssmq starts");
    let shown = terminal.exp_eof().expect("ssmq ends");
    // rexpect hands bytes over as Latin-1 characters: put the UTF-8 back together.
    let bytes: Vec<u8> = shown.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8(bytes)
        .expect("the terminal shows UTF-8")
        .replace("\r\n", "\n")
}

/// The report's rows as the library returns them (the piped CSV), each a list of values.
fn report_rows(name: &str) -> Vec<Vec<String>> {
    let output = Command::new(assert_cmd::cargo::cargo_bin("ssmq"))
        .args(["--source", &sample(), "report", name, "--format", "csv"])
        .env_remove("SSMQ_SOURCE")
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// The names in a table's header line, `…` for columns left out.
fn header_names(text: &str) -> Vec<String> {
    let header = text
        .lines()
        .find(|l| l.starts_with("│ accountid"))
        .unwrap_or_else(|| panic!("a header in:\n{text}"));
    header
        .trim_matches('│')
        .split('┆')
        .map(|n| n.trim().to_owned())
        .collect()
}

#[test]
fn a_report_fits_80_and_120_columns_with_every_id_whole() {
    let home = tempfile::tempdir().unwrap();
    let sample = sample();
    // accountid, region, resourceid, patch_id: the first columns and the report's key.
    let rows = report_rows("noncompliant-patches");
    assert!(rows.len() > 10);
    for cols in [80, 120] {
        let text = on_terminal(
            home.path(),
            cols,
            50,
            &["--source", &sample, "report", "noncompliant-patches"],
        );
        for line in text.lines() {
            assert!(
                line.chars().count() <= usize::from(cols),
                "{cols} columns: {} chars in {line}\n{text}",
                line.chars().count()
            );
        }
        let names = header_names(&text);
        assert_eq!(names.first().map(String::as_str), Some("accountid"));
        assert_eq!(names.last().map(String::as_str), Some("instancestatus"));
        assert!(names.contains(&"…".to_owned()), "{cols}: {names:?}");
        if cols == 120 {
            assert!(names.contains(&"patch_id".to_owned()), "{names:?}");
        }
        let data: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("│ ") && !l.starts_with("│ accountid"))
            .collect();
        assert_eq!(data.len(), rows.len(), "{text}");
        for (line, row) in data.iter().zip(&rows) {
            for (i, name) in ["accountid", "region", "resourceid", "patch_id"]
                .iter()
                .enumerate()
            {
                if names.iter().any(|n| n == name) {
                    assert!(
                        line.contains(&format!(" {} ", row[i])),
                        "{name} `{}` whole in {line}",
                        row[i]
                    );
                }
            }
        }
        let shown = names.iter().filter(|n| *n != "…").count();
        assert_eq!(
            text.lines().last(),
            Some(format!("{} rows · 14 columns ({shown} shown)", rows.len()).as_str()),
            "{text}"
        );
    }
}

#[test]
fn max_rows_shows_the_first_and_last_rows_and_the_total() {
    let home = tempfile::tempdir().unwrap();
    let sample = sample();
    let rows = report_rows("noncompliant-patches");
    let data = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("│ ") && l.contains('┆') && !l.starts_with("│ accountid"))
            .map(str::to_owned)
            .collect()
    };
    let text = on_terminal(
        home.path(),
        100,
        50,
        &[
            "--source",
            &sample,
            "--max-rows",
            "4",
            "report",
            "noncompliant-patches",
        ],
    );
    let shown = data(&text);
    assert_eq!(shown.len(), 4, "{text}");
    for (line, row) in shown.iter().zip([
        &rows[0],
        &rows[1],
        &rows[rows.len() - 2],
        &rows[rows.len() - 1],
    ]) {
        assert!(line.contains(&format!(" {} ", row[2])), "{line}");
    }
    assert!(
        text.contains(&format!("… {} more rows …", rows.len() - 4)),
        "{text}"
    );
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with(&format!("{} rows (4 shown) · 14 columns (", rows.len())),
        "{text}"
    );

    // Without --max-rows, as many as leave the frame and a prompt on a screen of 20 lines.
    let text = on_terminal(
        home.path(),
        100,
        20,
        &["--source", &sample, "report", "noncompliant-patches"],
    );
    assert_eq!(data(&text).len(), 12, "{text}");
    assert!(text.lines().count() <= 20, "{text}");
    // --max-rows 0 shows them all.
    let text = on_terminal(
        home.path(),
        100,
        20,
        &[
            "--source",
            &sample,
            "--max-rows",
            "0",
            "report",
            "noncompliant-patches",
        ],
    );
    assert_eq!(data(&text).len(), rows.len(), "{text}");
}

#[test]
fn backslash_x_switches_the_shell_to_records() {
    let home = tempfile::tempdir().unwrap();
    let sample = sample();
    let mut shell = spawn(home.path(), &["--source", &sample, "shell"]);
    shell.exp_string(PROMPT).unwrap();
    shell.send_line("\\x").unwrap();
    shell.exp_string("Output format is now line").unwrap();
    shell
        .send_line("SELECT 'i-0abc' AS resourceid, 2 AS n;")
        .unwrap();
    shell
        .exp_string("resourceid = i-0abc\r\n         n = 2\r\n")
        .unwrap();
    shell.send_line("\\x").unwrap();
    shell.exp_string("Output format is now table").unwrap();
    shell.send_line("\\q").unwrap();
    shell.exp_eof().unwrap();
}
