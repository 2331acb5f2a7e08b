//! `ssmq check`: the controls' results on the sample lake against what its objects say, read
//! here without ssmq (a node's patch items and status straight from the JSON), and the exit
//! codes a CI gate acts on.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::cache::copy_dir;
use crate::common::repo;

/// `ssmq --source fixtures/sample check ARGS --format ndjson`: the rows, and the exit code.
fn check(args: &[&str]) -> (Vec<BTreeMap<String, Value>>, Option<i32>, String) {
    let output = Command::cargo_bin("ssmq")
        .unwrap()
        .env_remove("SSMQ_SOURCE")
        .arg("--source")
        .arg(repo().join("fixtures/sample"))
        .arg("check")
        .args(args)
        .args(["--format", "ndjson"])
        .output()
        .unwrap();
    let rows = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let stderr = String::from_utf8(output.stderr).unwrap();
    (rows, output.status.code(), stderr)
}

/// Every JSON line of every object of a type in the sample lake.
fn lines_of(type_name: &str) -> Vec<serde_json::Map<String, Value>> {
    let mut lines = Vec::new();
    let mut pending = vec![repo().join("fixtures/sample").join(type_name)];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") && under_partitions(&path) {
                for line in fs::read_to_string(&path).unwrap().lines() {
                    if let Ok(Value::Object(map)) = serde_json::from_str(line) {
                        lines.push(map);
                    }
                }
            }
        }
    }
    lines
}

/// Whether an object sits at full partition depth (the sample holds strays above it).
fn under_partitions(path: &Path) -> bool {
    path.parent()
        .and_then(|p| p.file_name())
        .is_some_and(|f| f.to_string_lossy().starts_with("resourcetype="))
}

fn text<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The nodes the sample's instance information says are terminated.
fn terminated() -> BTreeSet<String> {
    lines_of("AWS:InstanceInformation")
        .iter()
        .filter(|l| text(l, "InstanceStatus") == "Terminated")
        .map(|l| text(l, "resourceId").to_owned())
        .collect()
}

fn rows_of<'a>(
    rows: &'a [BTreeMap<String, Value>],
    control: &str,
) -> BTreeMap<String, &'a BTreeMap<String, Value>> {
    rows.iter()
        .filter(|r| r["control"] == control)
        .map(|r| (r["resource"].as_str().unwrap().to_owned(), r))
        .collect()
}

#[test]
fn patch_compliance_per_node_is_what_the_node_s_patch_items_say() {
    let (rows, code, stderr) = check(&[]);
    assert_eq!(code, Some(1), "alarms raised: {stderr}");
    assert!(stderr.contains("alarms (--fail-on any)"), "{stderr}");
    let terminated = terminated();
    // Per node: failing patch ids, and whether any patch applies.
    let mut nodes: BTreeMap<String, (BTreeSet<String>, bool)> = BTreeMap::new();
    for item in lines_of("AWS:ComplianceItem") {
        if text(&item, "ComplianceType") != "Patch" {
            continue;
        }
        let node = nodes
            .entry(text(&item, "resourceId").to_owned())
            .or_default();
        if text(&item, "Status") == "NON_COMPLIANT" {
            node.0.insert(text(&item, "Id").to_owned());
        }
        node.1 |= text(&item, "PatchState") != "NotApplicable";
    }
    let checked = rows_of(&rows, "patch-compliance");
    assert_eq!(
        checked.keys().collect::<Vec<_>>(),
        nodes.keys().collect::<Vec<_>>()
    );
    let now = Utc::now();
    for (node, (failing, applicable)) in &nodes {
        let row = checked[node];
        let (status, reason) = (
            row["status"].as_str().unwrap(),
            row["reason"].as_str().unwrap(),
        );
        let expected = if terminated.contains(node) {
            "skip"
        } else if !failing.is_empty() {
            "alarm"
        } else if !applicable {
            "skip"
        } else {
            "ok"
        };
        assert_eq!(status, expected, "{node}: {reason}");
        assert!(reason.starts_with(node.as_str()), "{reason}");
        assert_eq!(
            row["frameworks"],
            "PCI-DSS-4.0 6.3.3; NIST-800-53-r5 SI-2; CIS-v8 7.3; SOC2 CC7.1; AWS-FSBP SSM.2"
        );
        if expected == "alarm" {
            assert!(
                reason.contains(&format!("has {} patch", failing.len())),
                "{reason}"
            );
            assert!(
                failing.iter().all(|id| reason.contains(id.as_str())),
                "{reason}"
            );
            let first: DateTime<Utc> = format!("{}Z", row["first_failed"].as_str().unwrap())
                .parse()
                .unwrap();
            let days = row["days_failing"].as_i64().unwrap();
            let expected_days = (now - first).num_days();
            assert!(
                (expected_days - 1..=expected_days).contains(&days),
                "{row:?}"
            );
        } else {
            assert!(row["first_failed"].is_null(), "{row:?}");
            assert!(row["severity"].is_null(), "{row:?}");
        }
    }
    assert!(
        checked.values().any(|r| r["status"] == "ok")
            && checked.values().any(|r| r["status"] == "skip"),
        "the sample has nodes of every outcome"
    );
}

#[test]
fn every_control_skips_terminated_nodes_and_stale_inventory_follows_the_days_given() {
    let (rows, _, _) = check(&["--param", "days=45"]);
    let terminated = terminated();
    assert!(!terminated.is_empty());
    let controls: BTreeSet<&str> = rows
        .iter()
        .map(|r| r["control"].as_str().unwrap())
        .collect();
    assert_eq!(
        controls,
        BTreeSet::from([
            "agent-version",
            "association-compliance",
            "inventory-freshness",
            "patch-compliance",
            "patches-within-sla"
        ])
    );
    for row in &rows {
        let resource = row["resource"].as_str().unwrap();
        if terminated.contains(resource) {
            assert_eq!(row["status"], "skip", "{row:?}");
            assert_eq!(row["reason"], format!("{resource} is terminated"));
        }
    }
    let now = Utc::now();
    let fresh = rows_of(&rows, "inventory-freshness");
    for info in lines_of("AWS:InstanceInformation") {
        let node = text(&info, "resourceId");
        if terminated.contains(node) {
            continue;
        }
        let captured: DateTime<Utc> = text(&info, "captureTime").parse().unwrap();
        let age = (now - captured).num_days();
        let expected = if age >= 45 { "alarm" } else { "ok" };
        assert_eq!(
            fresh[node]["status"], expected,
            "{node} captured {captured}"
        );
    }
    assert!(fresh.values().any(|r| r["status"] == "ok"));
    assert!(fresh.values().any(|r| r["status"] == "alarm"));
}

#[test]
fn critical_and_high_patches_are_late_past_their_sla_from_the_scan_that_found_them() {
    let sla_days = 40;
    let (rows, _, _) = check(&[
        "--control",
        "patches-within-sla",
        "--param",
        &format!("critical_days={sla_days}"),
        "--param",
        &format!("high_days={sla_days}"),
    ]);
    let terminated = terminated();
    let now = Utc::now();
    let mut late: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in lines_of("AWS:ComplianceItem") {
        if text(&item, "ComplianceType") != "Patch" {
            continue;
        }
        let node = late
            .entry(text(&item, "resourceId").to_owned())
            .or_default();
        let severe = matches!(text(&item, "Severity"), "CRITICAL" | "HIGH");
        if severe && text(&item, "Status") == "NON_COMPLIANT" {
            let found: DateTime<Utc> = text(&item, "ExecutionTime").parse().unwrap();
            if (now - found).num_seconds() > sla_days * 86_400 {
                node.insert(text(&item, "Id").to_owned());
            }
        }
    }
    let checked = rows_of(&rows, "patches-within-sla");
    assert_eq!(
        checked.keys().collect::<Vec<_>>(),
        late.keys().collect::<Vec<_>>()
    );
    for (node, patches) in &late {
        let row = checked[node];
        let reason = row["reason"].as_str().unwrap();
        let expected = match (terminated.contains(node), patches.is_empty()) {
            (true, _) => "skip",
            (false, true) => "ok",
            (false, false) => "alarm",
        };
        assert_eq!(row["status"], expected, "{reason}");
        if expected == "alarm" {
            assert!(
                patches.iter().all(|p| reason.contains(p.as_str())),
                "{reason}"
            );
        }
    }
    assert!(checked.values().any(|r| r["status"] == "alarm"));
    assert!(checked.values().any(|r| r["status"] == "ok"));
}

#[test]
fn an_agent_is_behind_by_the_releases_the_fleet_runs_newer() {
    let (rows, _, _) = check(&["--control", "agent-version", "--param", "releases=1"]);
    let terminated = terminated();
    let infos = lines_of("AWS:InstanceInformation");
    let version =
        |text: &str| -> Vec<u64> { text.split('.').map(|p| p.parse().unwrap()).collect() };
    let mut running: Vec<Vec<u64>> = infos
        .iter()
        .filter(|i| !terminated.contains(text(i, "resourceId")))
        .map(|i| version(text(i, "AgentVersion")))
        .collect();
    running.sort_unstable_by(|a, b| b.cmp(a));
    running.dedup();
    let checked = rows_of(&rows, "agent-version");
    for info in &infos {
        let node = text(info, "resourceId");
        if terminated.contains(node) {
            continue;
        }
        let behind = running
            .iter()
            .position(|v| *v == version(text(info, "AgentVersion")))
            .unwrap();
        let expected = if behind > 1 { "alarm" } else { "ok" };
        assert_eq!(checked[node]["status"], expected, "{:?}", checked[node]);
    }
    assert!(checked.values().any(|r| r["status"] == "alarm"));
    assert!(checked.values().any(|r| r["status"] == "ok"));
}

#[test]
fn the_exit_code_follows_fail_on_and_bad_choices_are_errors() {
    // The sample's patch alarms include critical ones; its associations are all compliant.
    let code = |args: &[&str]| check(args).1;
    assert_eq!(code(&["--fail-on", "none"]), Some(0));
    assert_eq!(code(&["--fail-on", "critical"]), Some(1));
    assert_eq!(code(&["--control", "association-compliance"]), Some(0));
    assert_eq!(
        code(&[
            "--framework",
            "aws-fsbp",
            "--control",
            "association-compliance"
        ]),
        Some(0)
    );
    // Only inventory alarms, which are medium: under high they do not count.
    let inventory = ["--control", "inventory-freshness", "--fail-on"];
    assert_eq!(code(&[&inventory[..], &["high"]].concat()), Some(0));
    assert_eq!(code(&[&inventory[..], &["medium"]].concat()), Some(1));
    for (args, said) in [
        (
            vec!["--framework", "hipaa"],
            "No control maps to the framework `hipaa`",
        ),
        (vec!["--control", "nope"], "Unknown control `nope`"),
        (
            vec!["--param", "weeks=2"],
            "no control chosen takes the parameter `weeks`",
        ),
    ] {
        let (_, code, stderr) = check(&args);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains(said), "{stderr}");
    }
}

#[test]
fn check_list_names_every_control_with_its_frameworks() {
    let output = Command::cargo_bin("ssmq")
        .unwrap()
        .args(["check", "list", "--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let csv = String::from_utf8(output.stdout).unwrap();
    assert!(
        csv.starts_with("control,title,severity,frameworks,params\n"),
        "{csv}"
    );
    assert!(
        csv.contains("patch-compliance,Patch compliance per node,high,"),
        "{csv}"
    );
    assert!(csv.contains("AWS-FSBP SSM.3"), "{csv}");
    assert!(csv.contains("days (integer, default 7)"), "{csv}");
}

#[test]
fn a_control_that_cannot_run_is_an_error_row_and_exit_code_2() {
    // A malformed line in a compliance object: the controls reading compliance items fail,
    // naming the object; the one that does not read them still answers.
    let lake = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("fixtures/sample"), lake.path());
    let object = lake.path().join(
        "AWS:ComplianceItem/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory/i-0a2de503781daca43.json",
    );
    let mut text = fs::read_to_string(&object).unwrap();
    text.push_str("{\"Status\": broken}\n");
    fs::write(&object, text).unwrap();
    let output = Command::cargo_bin("ssmq")
        .unwrap()
        .env_remove("SSMQ_SOURCE")
        .arg("--source")
        .arg(lake.path())
        .args(["check", "--format", "ndjson"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("A control could not run"), "{stderr}");
    let rows: Vec<BTreeMap<String, Value>> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    for control in ["association-compliance", "patch-compliance"] {
        let errors: Vec<_> = rows.iter().filter(|r| r["control"] == control).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0]["status"], "error");
        let reason = errors[0]["reason"].as_str().unwrap();
        assert!(reason.contains("i-0a2de503781daca43.json"), "{reason}");
    }
    assert!(
        rows.iter()
            .any(|r| r["control"] == "inventory-freshness" && r["status"] == "alarm"),
        "the control that can run still answers"
    );
    // A value a parameter cannot take fails the command before anything runs.
    let (rows, code, stderr) = check(&["--param", "days=soon"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(rows.is_empty());
}
