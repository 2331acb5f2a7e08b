//! The HTML pages in a real headless browser: Debian's Chromium driven by ChromeDriver through
//! Selenium (`tests/browser/page.py`). The evidence bundle's `report.html` and `--format html`
//! pages load with no console message and no request, their charts and tables are there and
//! sized, and a screenshot of the whole page is taken (kept in the target directory's tmp
//! folder as `evidence-report.png`). A copy of the page doctored with an external image and a
//! console error is caught by the same checks, so they can fail.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use super::cache::copy_dir;
use super::evidence::ssmq_cached;
use crate::common::python::python_with;
use crate::common::repo;

/// What the browser saw of a page (see `tests/browser/page.py`).
fn browse(page: &Path, screenshot: &Path) -> Value {
    for (variable, default, package) in [
        ("SSMQ_TEST_CHROMIUM", "/usr/bin/chromium", "chromium"),
        (
            "SSMQ_TEST_CHROMEDRIVER",
            "/usr/bin/chromedriver",
            "chromium-driver",
        ),
    ] {
        let path = std::env::var(variable).unwrap_or_else(|_| default.to_owned());
        assert!(
            Path::new(&path).exists(),
            "the browser tests need {path} (`apt-get install chromium chromium-driver`, as \
             .ci/run does; {package} is the Debian package), or {variable} naming another"
        );
    }
    let output = std::process::Command::new(python_with("selenium", "selenium>=4.20,<5"))
        .arg(repo().join("tests/browser/page.py"))
        .arg(page)
        .arg(screenshot)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the browser failed on {}: {}",
        page.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Everything in `html` that would make a browser fetch or link outside the page.
fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for marker in [
        "http://", "https://", "src=", "href=", "<link", "url(", "@import", "<script", "<iframe",
        "<object", "<embed",
    ] {
        for (at, _) in lower.match_indices(marker) {
            let end = (at + 60).min(html.len());
            found.push(html[at..html.floor_char_boundary(end)].to_owned());
        }
    }
    found
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The checks every page passes: nothing fetched or logged, nothing external in its text.
fn assert_self_contained(html: &str, seen: &Value) {
    assert_eq!(external_references(html), Vec::<String>::new());
    assert_eq!(seen["console"], serde_json::json!([]), "console messages");
    assert_eq!(seen["requests"], serde_json::json!([]), "requests");
}

/// `ssmq --source LAKE --cache-dir CACHE ARGS…` in `cwd`; its stdout.
fn ssmq(cwd: &Path, lake: &Path, cache: &Path, args: &[&str]) -> String {
    let output = ssmq_cached(cwd, lake, cache).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The sum of a CSV column.
fn column_sum(csv: &str, column: &str) -> i64 {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == column).unwrap();
    lines
        .map(|line| line.split(',').nth(at).unwrap().parse::<i64>().unwrap())
        .sum()
}

/// The sample lake in a folder of its own with two syncs: the second after two nodes' patch
/// compliance summaries turned from non-compliant to compliant.
fn lake_with_history(work: &Path) -> (PathBuf, PathBuf) {
    let (lake, cache) = (work.join("lake"), work.join("cache"));
    copy_dir(&repo().join("fixtures/sample"), &lake);
    ssmq(work, &lake, &cache, &["sync"]);
    let mut pending = vec![lake.join("AWS:ComplianceSummary")];
    let mut fixed = 0;
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let text = fs::read_to_string(&path).unwrap();
            let failing = r#""ComplianceType":"Patch","#;
            if fixed < 2
                && text
                    .lines()
                    .any(|l| l.contains(failing) && l.contains(r#""Status":"NON_COMPLIANT""#))
            {
                let fixed_text: Vec<String> = text
                    .lines()
                    .map(|l| match l.contains(failing) {
                        true => l.replace(r#""Status":"NON_COMPLIANT""#, r#""Status":"COMPLIANT""#),
                        false => l.to_owned(),
                    })
                    .collect();
                fs::write(&path, fixed_text.join("\n") + "\n").unwrap();
                fixed += 1;
            }
        }
    }
    assert_eq!(fixed, 2, "the sample has non-compliant nodes to fix");
    ssmq(work, &lake, &cache, &["sync"]);
    (lake, cache)
}

#[test]
fn the_evidence_page_loads_nothing_and_shows_the_results_charts_and_trend() {
    let work = tempfile::tempdir().unwrap();
    let (lake, cache) = lake_with_history(work.path());
    ssmq(work.path(), &lake, &cache, &["evidence", "--out", "ev"]);
    let bundle = work.path().join("ev");
    let page = bundle.join("report.html");
    let html = fs::read_to_string(&page).unwrap();
    let screenshot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("evidence-report.png");
    let seen = browse(&page, &screenshot);
    assert_self_contained(&html, &seen);

    assert_eq!(seen["title"], "Compliance evidence");
    assert_eq!(
        strings(&seen["headings"]),
        [
            "Compliance evidence",
            "Controls",
            "Patch compliance by account and Region",
            "Oldest open critical findings",
            "Trend: non-compliant nodes per snapshot",
            "Alarms",
            "Files"
        ]
    );
    let charts = seen["charts"].as_array().unwrap();
    let labels: Vec<&str> = charts
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Control results: ok, alarm, skip and error rows per control",
            "Nodes per account and Region: compliant, non-compliant and unreported",
            "Non-compliant nodes per snapshot"
        ]
    );
    for chart in charts {
        assert!(
            chart["width"].as_f64().unwrap() >= 700.0 && chart["height"].as_f64().unwrap() >= 100.0,
            "{chart}"
        );
    }

    // The facts are the manifest's; the tables hold what the bundle's files hold.
    let manifest: Value =
        serde_json::from_slice(&fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let text = seen["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("As of\n{}", manifest["as_of"].as_str().unwrap())),
        "{text}"
    );
    assert!(text.contains("Snapshot\n2, taken "), "{text}");
    assert!(
        text.contains(&format!("Source\n{}", lake.display())),
        "{text}"
    );
    let tables: Vec<u64> = seen["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap())
        .collect();
    let by_account =
        fs::read_to_string(bundle.join("reports/patch-compliance-by-account.csv")).unwrap();
    let alarms = fs::read_to_string(bundle.join("checks.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.contains(",alarm,"))
        .count() as u64;
    assert_eq!(
        tables.len(),
        5,
        "controls, accounts, critical, trend, alarms"
    );
    assert_eq!(tables[0], 5, "a row per control");
    assert_eq!(tables[1], by_account.lines().count() as u64 - 1);
    assert_eq!(tables[3], 2, "a row per snapshot");
    assert_eq!(tables[4], alarms.min(200));

    // The trend's points are what each snapshot's compliance report adds up to.
    let trend = ssmq(
        work.path(),
        &lake,
        &cache,
        &["--offline", "--format", "csv", "report", "patch-trend"],
    );
    let trend_rows: Vec<&str> = trend.lines().skip(1).collect();
    assert_eq!(trend_rows.len(), 2, "{trend}");
    for (snapshot, row) in [1, 2].into_iter().zip(&trend_rows) {
        let then = ssmq(
            work.path(),
            &lake,
            &cache,
            &[
                "--offline",
                "--as-of",
                &format!("snapshot:{snapshot}"),
                "--format",
                "csv",
                "report",
                "patch-compliance-by-account",
            ],
        );
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields[0], snapshot.to_string());
        assert_eq!(
            fields[4],
            column_sum(&then, "non_compliant").to_string(),
            "{row}"
        );
        assert!(html.contains(&format!("<title>{snapshot}: {}</title>", fields[4])));
    }
    let failing_at = |row: &str| row.split(',').nth(4).unwrap().parse::<i64>().unwrap();
    assert_eq!(failing_at(trend_rows[0]) - 2, failing_at(trend_rows[1]));

    let png = fs::read(&screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG screenshot");
    assert!(png.len() > 50_000, "{} bytes", png.len());
    assert!(seen["screenshot"]["height"].as_u64().unwrap() > 1500);
}

#[test]
fn a_page_that_fetches_or_logs_anything_is_caught() {
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("report.html");
    let out = Command::cargo_bin("ssmq")
        .unwrap()
        .env_remove("SSMQ_SOURCE")
        .current_dir(work.path())
        .args(["--format", "html", "report", "os-distribution"])
        .output()
        .unwrap();
    let clean = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success() && clean.starts_with("<!DOCTYPE html>"));
    let doctored = clean.replace(
        "</main>",
        r#"<img src="https://example.invalid/pixel.png"><script>console.error("boom")</script></main>"#,
    );
    fs::write(&page, &doctored).unwrap();
    let seen = browse(&page, &work.path().join("shot.png"));
    assert_eq!(
        strings(&seen["requests"]),
        ["https://example.invalid/pixel.png"]
    );
    let console = seen["console"].to_string();
    assert!(console.contains("boom"), "{console}");
    let found = external_references(&doctored);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("https://example.invalid")),
        "{found:?}"
    );
}

#[test]
fn format_html_pages_a_report_or_a_query_as_one_table() {
    let work = tempfile::tempdir().unwrap();
    let (lake, cache) = (repo().join("fixtures/sample"), work.path().join("cache"));
    ssmq(
        work.path(),
        &lake,
        &cache,
        &[
            "--no-cache",
            "--output",
            "r.html",
            "report",
            "patch-compliance-by-account",
        ],
    );
    let csv = ssmq(
        work.path(),
        &lake,
        &cache,
        &[
            "--no-cache",
            "--format",
            "csv",
            "report",
            "patch-compliance-by-account",
        ],
    );
    let page = work.path().join("r.html");
    let html = fs::read_to_string(&page).unwrap();
    let seen = browse(&page, &work.path().join("r.png"));
    assert_self_contained(&html, &seen);
    assert_eq!(seen["title"], "Patch compliance by account and region");
    assert_eq!(seen["tables"], serde_json::json!([csv.lines().count() - 1]));
    let text = seen["text"].as_str().unwrap();
    for row in csv.lines().skip(1) {
        let account = row.split(',').next().unwrap();
        assert!(text.contains(account), "{account} on the page");
    }

    // A query's page is headed by the command that made it; NULL shows as NULL.
    let html = ssmq(
        work.path(),
        &lake,
        &cache,
        &[
            "--no-cache",
            "--format",
            "html",
            "sql",
            "SELECT 'a < b' AS text, NULL AS nothing",
        ],
    );
    assert!(html.contains("<title>ssmq --source "), "{html}");
    assert!(
        html.contains("<td>a &lt; b</td><td class=\"null\">NULL</td>"),
        "{html}"
    );
    assert_eq!(external_references(&html), Vec::<String>::new());
}
