//! Properties of generated lakes: determinism, thread independence, summaries that match the
//! bytes, well-formed lines, and a model that agrees with what is rendered from it.

use ssmq_fixtures::{
    LakeObject, LakeSpec, NodeModel, Profile, count_lines, nodes, objects, parse_inventory_key,
    summarize, write_lake,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A minimal JSON parser, enough to check generated lines without a serde dependency.
mod json {
    #[derive(Debug, Clone, PartialEq)]
    pub enum Value {
        Str(String),
        Num(String),
        Bool(bool),
        Null,
        Array(Vec<Value>),
        Object(Vec<(String, Value)>),
    }

    pub fn parse(text: &str) -> Result<Value, String> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = parser.value()?;
        parser.skip_whitespace();
        if parser.at != parser.bytes.len() {
            return Err(format!("trailing characters at {}", parser.at));
        }
        Ok(value)
    }

    struct Parser<'a> {
        bytes: &'a [u8],
        at: usize,
    }

    impl Parser<'_> {
        fn skip_whitespace(&mut self) {
            while self.at < self.bytes.len()
                && matches!(self.bytes[self.at], b' ' | b'\t' | b'\n' | b'\r')
            {
                self.at += 1;
            }
        }

        fn expect(&mut self, byte: u8) -> Result<(), String> {
            self.skip_whitespace();
            if self.bytes.get(self.at) == Some(&byte) {
                self.at += 1;
                Ok(())
            } else {
                Err(format!("expected `{}` at {}", byte as char, self.at))
            }
        }

        fn value(&mut self) -> Result<Value, String> {
            self.skip_whitespace();
            match self.bytes.get(self.at) {
                Some(b'{') => {
                    self.at += 1;
                    let mut fields = Vec::new();
                    self.skip_whitespace();
                    if self.bytes.get(self.at) == Some(&b'}') {
                        self.at += 1;
                        return Ok(Value::Object(fields));
                    }
                    loop {
                        self.skip_whitespace();
                        let Value::Str(key) = self.value()? else {
                            return Err("object key is not a string".into());
                        };
                        self.expect(b':')?;
                        fields.push((key, self.value()?));
                        self.skip_whitespace();
                        match self.bytes.get(self.at) {
                            Some(b',') => self.at += 1,
                            Some(b'}') => {
                                self.at += 1;
                                return Ok(Value::Object(fields));
                            }
                            _ => return Err(format!("expected `,` or `}}` at {}", self.at)),
                        }
                    }
                }
                Some(b'[') => {
                    self.at += 1;
                    let mut items = Vec::new();
                    self.skip_whitespace();
                    if self.bytes.get(self.at) == Some(&b']') {
                        self.at += 1;
                        return Ok(Value::Array(items));
                    }
                    loop {
                        items.push(self.value()?);
                        self.skip_whitespace();
                        match self.bytes.get(self.at) {
                            Some(b',') => self.at += 1,
                            Some(b']') => {
                                self.at += 1;
                                return Ok(Value::Array(items));
                            }
                            _ => return Err(format!("expected `,` or `]` at {}", self.at)),
                        }
                    }
                }
                Some(b'"') => self.string().map(Value::Str),
                Some(b't') if self.bytes[self.at..].starts_with(b"true") => {
                    self.at += 4;
                    Ok(Value::Bool(true))
                }
                Some(b'f') if self.bytes[self.at..].starts_with(b"false") => {
                    self.at += 5;
                    Ok(Value::Bool(false))
                }
                Some(b'n') if self.bytes[self.at..].starts_with(b"null") => {
                    self.at += 4;
                    Ok(Value::Null)
                }
                Some(b'-' | b'0'..=b'9') => {
                    let start = self.at;
                    while self.at < self.bytes.len()
                        && matches!(
                            self.bytes[self.at],
                            b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                        )
                    {
                        self.at += 1;
                    }
                    let text = std::str::from_utf8(&self.bytes[start..self.at]).expect("ASCII");
                    text.parse::<f64>()
                        .map_err(|e| format!("bad number `{text}`: {e}"))?;
                    Ok(Value::Num(text.to_owned()))
                }
                _ => Err(format!("unexpected input at {}", self.at)),
            }
        }

        fn string(&mut self) -> Result<String, String> {
            self.at += 1;
            let mut out = Vec::new();
            loop {
                let Some(&byte) = self.bytes.get(self.at) else {
                    return Err("unterminated string".into());
                };
                self.at += 1;
                match byte {
                    b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                    b'\\' => {
                        let escape = *self.bytes.get(self.at).ok_or("unterminated escape")?;
                        self.at += 1;
                        match escape {
                            b'"' => out.push(b'"'),
                            b'\\' => out.push(b'\\'),
                            b'/' => out.push(b'/'),
                            b'n' => out.push(b'\n'),
                            b'r' => out.push(b'\r'),
                            b't' => out.push(b'\t'),
                            b'b' => out.push(8),
                            b'f' => out.push(12),
                            b'u' => {
                                let hex = std::str::from_utf8(
                                    self.bytes
                                        .get(self.at..self.at + 4)
                                        .ok_or("short \\u escape")?,
                                )
                                .map_err(|e| e.to_string())?;
                                let code =
                                    u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
                                self.at += 4;
                                let ch = char::from_u32(code)
                                    .ok_or("surrogate escapes are not generated")?;
                                out.extend_from_slice(ch.to_string().as_bytes());
                            }
                            other => return Err(format!("bad escape `\\{}`", other as char)),
                        }
                    }
                    0..=0x1F => return Err("raw control character in string".into()),
                    _ => out.push(byte),
                }
            }
        }
    }
}

/// The lines of a body as parsed objects (BOM, CRLF and blank lines tolerated).
fn parse_lines(object: &LakeObject) -> Vec<Vec<(String, json::Value)>> {
    let text = std::str::from_utf8(&object.body)
        .unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", object.key));
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    text.split('\n')
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(n, line)| match json::parse(line) {
            Ok(json::Value::Object(fields)) => fields,
            other => panic!(
                "{} line {}: not a JSON object: {other:?}",
                object.key,
                n + 1
            ),
        })
        .collect()
}

fn string_field<'a>(fields: &'a [(String, json::Value)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| match v {
            json::Value::Str(s) => Some(s.as_str()),
            _ => None,
        })
}

fn all_objects(spec: &LakeSpec) -> BTreeMap<String, Vec<u8>> {
    objects(spec)
        .map(|object| (object.key, object.body))
        .collect()
}

fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let key = path
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(key, std::fs::read(&path).expect("readable file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn small_realistic() -> LakeSpec {
    LakeSpec::realistic(6)
}

#[test]
fn same_spec_gives_same_bytes() {
    for spec in [
        LakeSpec::sample(),
        small_realistic(),
        LakeSpec {
            nodes: 40,
            seed: 7,
            profile: Profile::Sample,
            prefix: Some("ResourceDataSync".into()),
        },
    ] {
        assert_eq!(all_objects(&spec), all_objects(&spec), "{spec:?}");
    }
    let other_seed = LakeSpec {
        seed: 1,
        ..LakeSpec::sample()
    };
    assert_ne!(all_objects(&LakeSpec::sample()), all_objects(&other_seed));
}

#[test]
fn files_do_not_depend_on_thread_count_and_match_objects() {
    for spec in [
        LakeSpec::sample(),
        small_realistic().with_prefix("inventory/"),
    ] {
        let one = tempfile::tempdir().expect("temp dir");
        let three = tempfile::tempdir().expect("temp dir");
        let summary_one = write_lake(&spec, one.path(), 1).expect("write with 1 job");
        let summary_three = write_lake(&spec, three.path(), 3).expect("write with 3 jobs");
        let tree = read_tree(one.path());
        assert_eq!(tree, read_tree(three.path()), "{spec:?}");
        assert_eq!(tree, all_objects(&spec), "{spec:?}");
        assert_eq!(summary_one, summary_three);
        assert_eq!(summary_one, summarize(objects(&spec)));
    }
}

#[test]
fn summary_counts_what_was_generated() {
    for spec in [LakeSpec::sample(), small_realistic()] {
        let summary = summarize(objects(&spec));
        let mut lines: BTreeMap<String, usize> = BTreeMap::new();
        let mut skipped = BTreeSet::new();
        for object in objects(&spec) {
            match parse_inventory_key(&object.key) {
                Ok(key) => {
                    *lines.entry(key.type_name.to_owned()).or_default() +=
                        parse_lines(&object).len()
                }
                Err(_) => {
                    skipped.insert(object.key);
                }
            }
        }
        let summarized: BTreeMap<String, usize> = summary
            .types
            .iter()
            .map(|(name, t)| (name.clone(), t.lines))
            .collect();
        assert_eq!(summarized, lines);
        assert_eq!(
            summary
                .skipped
                .iter()
                .map(|s| s.key.clone())
                .collect::<BTreeSet<_>>(),
            skipped
        );
    }
}

#[test]
fn realistic_lines_are_flat_objects_of_strings() {
    let spec = LakeSpec::realistic(10);
    let mut types = BTreeSet::new();
    for object in objects(&spec) {
        if parse_inventory_key(&object.key).is_err() {
            continue;
        }
        let text = std::str::from_utf8(&object.body).expect("UTF-8");
        assert!(
            text.ends_with('\n') && !text.contains('\r') && !text.starts_with('\u{FEFF}'),
            "{} has quirks",
            object.key
        );
        assert_eq!(
            count_lines(&object.body),
            text.lines().count(),
            "{} has blank lines",
            object.key
        );
        let node_id = parse_inventory_key(&object.key)
            .unwrap()
            .resource_id
            .to_owned();
        for (n, line) in text.lines().enumerate() {
            let Ok(json::Value::Object(fields)) = json::parse(line) else {
                panic!("{} line {}: not an object", object.key, n + 1)
            };
            for (key, value) in &fields {
                assert!(
                    matches!(value, json::Value::Str(_)),
                    "{} line {}: `{key}` is not a string",
                    object.key,
                    n + 1
                );
            }
            let keys: BTreeSet<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(
                keys.len(),
                fields.len(),
                "{} line {}: duplicate key",
                object.key,
                n + 1
            );
            assert_eq!(string_field(&fields, "resourceId"), Some(node_id.as_str()));
            let capture = string_field(&fields, "captureTime").expect("captureTime");
            assert!(
                capture.len() == 20 && capture.ends_with('Z') && capture.as_bytes()[10] == b'T',
                "{capture}"
            );
            assert!(string_field(&fields, "schemaVersion").is_some());
        }
        types.insert(
            parse_inventory_key(&object.key)
                .unwrap()
                .type_name
                .to_owned(),
        );
    }
    assert!(types.len() >= 12, "only {types:?}");
}

#[test]
fn minimal_objects_are_small_and_the_fleet_is_the_realistic_one() {
    let (realistic, minimal) = (
        nodes(&LakeSpec::realistic(24)),
        nodes(&LakeSpec::minimal(24)),
    );
    for (big, small) in realistic.iter().zip(&minimal) {
        assert_eq!(
            (&big.node_id, &big.account_id, &big.region, big.os),
            (&small.node_id, &small.account_id, &small.region, small.os)
        );
        let apps = small.applications.len();
        assert!(
            (25..=110).contains(&apps),
            "{} has {apps} applications",
            small.node_id
        );
        assert!(small.patches.len() <= 60, "{} patches", small.patches.len());
    }
    let bytes = |spec: &LakeSpec| all_objects(spec).values().map(Vec::len).sum::<usize>();
    let (big, small) = (
        bytes(&LakeSpec::realistic(24)),
        bytes(&LakeSpec::minimal(24)),
    );
    assert!(
        small * 4 < big,
        "minimal {small} bytes against realistic {big}"
    );
}

#[test]
fn realistic_line_counts_look_like_real_fleets() {
    let models = nodes(&LakeSpec::realistic(24));
    for node in &models {
        let apps = node.applications.len();
        if node.os.is_windows() {
            assert!(
                (80..=250).contains(&apps),
                "{} has {apps} applications",
                node.node_id
            );
            assert!(
                (150..=300).contains(&node.services.len()),
                "{} has {} services",
                node.node_id,
                node.services.len()
            );
            assert!((50..=300).contains(&node.windows_roles.len()));
            assert!((50..=200).contains(&node.windows_updates.len()));
        } else {
            assert!(
                (300..=700).contains(&apps),
                "{} has {apps} applications",
                node.node_id
            );
        }
        if node.patch_run.is_some() {
            assert!(
                (100..=500).contains(&node.patches.len()),
                "{} has {} patches",
                node.node_id,
                node.patches.len()
            );
        }
        assert!((1..=3).contains(&node.network.len()));
        assert!(node.tags.is_empty() || (3..=15).contains(&node.tags.len()));
    }
}

#[test]
fn node_ids_and_keys_follow_the_sync_layout() {
    for spec in [LakeSpec::sample(), LakeSpec::realistic(300)] {
        let fleet = ssmq_fixtures::Fleet::new(&spec);
        let mut ids = BTreeSet::new();
        for index in 0..fleet.len().min(40) {
            let node = fleet.node(index);
            let (prefix, hex) = node.node_id.split_once('-').expect("dash");
            assert_eq!(prefix, if node.is_hybrid { "mi" } else { "i" });
            assert!(
                hex.len() == 17
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{}",
                node.node_id
            );
            assert!(
                node.account_id.len() == 12 && node.account_id.bytes().all(|b| b.is_ascii_digit())
            );
            assert!(
                ids.insert(node.node_id.clone()),
                "duplicate {}",
                node.node_id
            );
        }
    }
    let prefixed = LakeSpec::sample().with_prefix("/ResourceDataSync/");
    for object in objects(&prefixed) {
        assert!(
            object.key.starts_with("ResourceDataSync/AWS:")
                || object.key.starts_with("ResourceDataSync/Custom:"),
            "{}",
            object.key
        );
    }
}

/// Every patch count in AWS:PatchSummary and AWS:ComplianceSummary equals what the items say.
#[test]
fn patch_summaries_agree_with_compliance_items() {
    for spec in [LakeSpec::sample(), small_realistic()] {
        let models: BTreeMap<String, NodeModel> = nodes(&spec)
            .into_iter()
            .map(|n| (n.node_id.clone(), n))
            .collect();
        let mut items: BTreeMap<String, Vec<Vec<(String, json::Value)>>> = BTreeMap::new();
        let mut summaries = BTreeMap::new();
        let mut compliance_summaries = BTreeMap::new();
        for object in objects(&spec) {
            let Ok(key) = parse_inventory_key(&object.key) else {
                continue;
            };
            let lines = parse_lines(&object);
            match key.type_name {
                "AWS:ComplianceItem" => {
                    items.insert(key.resource_id.to_owned(), lines);
                }
                "AWS:PatchSummary" => {
                    summaries.insert(key.resource_id.to_owned(), lines);
                }
                "AWS:ComplianceSummary" => {
                    compliance_summaries.insert(key.resource_id.to_owned(), lines);
                }
                _ => {}
            }
        }
        for (node_id, node) in &models {
            let patch_items: Vec<&Vec<(String, json::Value)>> = items
                .get(node_id)
                .into_iter()
                .flatten()
                .filter(|l| string_field(l, "ComplianceType") == Some("Patch"))
                .collect();
            assert_eq!(patch_items.len(), node.patches.len(), "{node_id}");
            let ids: BTreeSet<&str> = node.patches.iter().map(|p| p.id.as_str()).collect();
            assert_eq!(
                ids.len(),
                node.patches.len(),
                "{node_id} repeats a patch id"
            );
            let Some(summary) = summaries.get(node_id) else {
                assert!(
                    node.patch_run.is_none() && node.patches.is_empty(),
                    "{node_id} lacks a PatchSummary"
                );
                continue;
            };
            let summary = &summary[0];
            let count_state = |state: &str| {
                patch_items
                    .iter()
                    .filter(|l| string_field(l, "PatchState") == Some(state))
                    .count()
                    .to_string()
            };
            for (field, state) in [
                ("InstalledCount", "Installed"),
                ("InstalledOtherCount", "InstalledOther"),
                ("InstalledPendingRebootCount", "InstalledPendingReboot"),
                ("InstalledRejectedCount", "InstalledRejected"),
                ("MissingCount", "Missing"),
                ("FailedCount", "Failed"),
                ("NotApplicableCount", "NotApplicable"),
            ] {
                assert_eq!(
                    string_field(summary, field),
                    Some(count_state(state).as_str()),
                    "{node_id} {field}"
                );
            }
            let non_compliant: Vec<_> = patch_items
                .iter()
                .filter(|l| string_field(l, "Status") == Some("NON_COMPLIANT"))
                .collect();
            for line in &patch_items {
                let state = string_field(line, "PatchState").unwrap();
                let expected = if matches!(state, "Missing" | "Failed" | "InstalledPendingReboot") {
                    "NON_COMPLIANT"
                } else {
                    "COMPLIANT"
                };
                assert_eq!(string_field(line, "Status"), Some(expected));
                if state == "Missing" {
                    assert_eq!(string_field(line, "InstalledTime"), Some(""));
                }
            }
            let critical = non_compliant
                .iter()
                .filter(|l| string_field(l, "Severity") == Some("CRITICAL"))
                .count();
            assert_eq!(
                string_field(summary, "CriticalNonCompliantCount"),
                Some(critical.to_string().as_str()),
                "{node_id}"
            );
            let patch_row = compliance_summaries[node_id]
                .iter()
                .find(|l| string_field(l, "ComplianceType") == Some("Patch"))
                .expect("Patch row");
            let status = if non_compliant.is_empty() {
                "COMPLIANT"
            } else {
                "NON_COMPLIANT"
            };
            assert_eq!(string_field(patch_row, "Status"), Some(status), "{node_id}");
            for (severity, name) in [
                ("CRITICAL", "Critical"),
                ("HIGH", "High"),
                ("MEDIUM", "Medium"),
                ("LOW", "Low"),
            ] {
                let count = non_compliant
                    .iter()
                    .filter(|l| string_field(l, "Severity") == Some(severity))
                    .count();
                assert_eq!(
                    string_field(patch_row, &format!("NonCompliant{name}Count")),
                    Some(count.to_string().as_str()),
                    "{node_id} {severity}"
                );
            }
        }
    }
}

#[test]
fn sample_models_the_promised_fleet() {
    let models = nodes(&LakeSpec::sample());
    assert_eq!(models.len(), 16);
    let accounts: BTreeSet<&str> = models.iter().map(|n| n.account_id.as_str()).collect();
    assert_eq!(
        accounts,
        BTreeSet::from(["012345678901", "111122223333", "444455556666"])
    );
    let active_missing_critical = models
        .iter()
        .filter(|n| {
            n.instance_status.as_deref() == Some("Active")
                && n.patches
                    .iter()
                    .any(|p| p.state == "Missing" && p.severity == "CRITICAL")
        })
        .count();
    assert!(active_missing_critical >= 2);
    assert!(
        models
            .iter()
            .any(|n| n.patch_run.is_some() && n.patch_counts().status() == "COMPLIANT")
    );
    assert!(
        models
            .iter()
            .any(|n| n.instance_status.as_deref() == Some("Terminated")
                && n.patch_counts().non_compliant() > 0)
    );
    assert!(
        models
            .iter()
            .any(|n| n.instance_status.is_none() && n.agent_version.starts_with("2."))
    );
    assert!(models.iter().any(|n| n.patch_run.is_none()));
    assert!(
        models.iter().any(|n| n.is_hybrid && n.os.is_windows())
            && models.iter().any(|n| n.is_hybrid && !n.os.is_windows())
    );
    let total_bytes: u64 = summarize(objects(&LakeSpec::sample()))
        .types
        .values()
        .map(|t| t.bytes)
        .sum();
    assert!(
        total_bytes < 400 * 1024,
        "sample lake is {total_bytes} bytes"
    );
}

#[test]
fn sample_carries_every_quirk() {
    let spec = LakeSpec::sample();
    let all: Vec<LakeObject> = objects(&spec).collect();
    let body_of = |predicate: &dyn Fn(&LakeObject) -> bool| {
        all.iter().filter(|o| predicate(o)).collect::<Vec<_>>()
    };
    assert_eq!(
        body_of(&|o| o.body.starts_with(b"\xEF\xBB\xBF")).len(),
        1,
        "one BOM object"
    );
    assert_eq!(
        body_of(&|o| o.body.windows(2).any(|w| w == b"\r\n")).len(),
        1,
        "one CRLF object"
    );
    assert_eq!(
        body_of(&|o| o.body.windows(2).any(|w| w == b"\n\n")).len(),
        1,
        "one object with blank lines"
    );
    assert_eq!(body_of(&|o| o.body.is_empty()).len(), 1, "one empty object");
    assert_eq!(
        body_of(&|o| !o.body.is_empty() && !o.body.ends_with(b"\n")).len(),
        1,
        "one object without final newline"
    );
    let summary = summarize(all.iter().cloned());
    let probes = summary
        .skipped
        .iter()
        .filter(|s| s.key.ends_with("/test.json"))
        .count();
    assert_eq!(probes, 3);
    assert_eq!(summary.skipped.len(), 5);

    // PackageId only in the lexicographically last AWS:Application object.
    let mut applications: Vec<&LakeObject> = all
        .iter()
        .filter(|o| o.key.starts_with("AWS:Application/") && o.key.ends_with(".json"))
        .collect();
    applications.sort_by(|a, b| a.key.cmp(&b.key));
    let (last, others) = applications.split_last().expect("applications");
    assert_eq!(
        parse_lines(last)
            .iter()
            .filter(|l| string_field(l, "PackageId").is_some())
            .count(),
        1
    );
    assert!(others.iter().all(|o| {
        parse_lines(o)
            .iter()
            .all(|l| string_field(l, "PackageId").is_none())
    }));

    let application_lines: Vec<_> = applications.iter().flat_map(|o| parse_lines(o)).collect();
    let url = application_lines
        .iter()
        .filter(|l| string_field(l, "URL").is_some())
        .count();
    let url_variant = application_lines
        .iter()
        .filter(|l| string_field(l, "Url").is_some())
        .count();
    assert!(
        url > url_variant && url_variant > 0,
        "URL {url}, Url {url_variant}"
    );

    // Custom:NodeInfo holds numbers, booleans, null, nested objects and arrays somewhere.
    let custom_values: Vec<json::Value> = all
        .iter()
        .filter(|o| o.key.starts_with("Custom:NodeInfo/"))
        .flat_map(parse_lines)
        .flatten()
        .map(|(_, v)| v)
        .collect();
    for kind in ["Num", "Bool", "Null", "Object", "Array"] {
        assert!(
            custom_values
                .iter()
                .any(|v| format!("{v:?}").starts_with(kind)),
            "no {kind} in Custom:NodeInfo"
        );
    }
}

#[test]
fn schema_drift_is_where_the_doc_says() {
    let models = nodes(&LakeSpec::sample());
    for node in &models {
        for app in &node.applications {
            assert_eq!(
                app.release.is_some(),
                node.os.is_rpm(),
                "{} {}",
                node.node_id,
                app.name
            );
            assert!(app.epoch.is_none() || node.os.is_rpm());
        }
        if node.detailed.kernel_version.is_some() {
            assert!(!node.os.is_windows());
        }
        assert_eq!(
            node.instance_status.is_none(),
            node.agent_version.starts_with("2.")
        );
        assert_eq!(
            node.name_tag,
            node.tags
                .iter()
                .find(|t| t.key == "Name")
                .map(|t| t.value.clone())
        );
    }
    assert!(
        models
            .iter()
            .any(|n| n.applications.iter().any(|a| a.epoch.is_some()))
    );
    assert!(models.iter().any(|n| n.detailed.kernel_version.is_some()));
    assert!(
        models
            .iter()
            .any(|n| !n.os.is_windows() && n.detailed.kernel_version.is_none())
    );
}

#[test]
fn malformed_lake_lists_its_broken_lines() {
    let lake = ssmq_fixtures::malformed_lake();
    assert!((2..=4).contains(&lake.len()));
    assert!(lake.iter().any(|(_, broken)| broken.is_empty()));
    for (object, broken) in &lake {
        assert!(parse_inventory_key(&object.key).is_ok(), "{}", object.key);
        let text = std::str::from_utf8(&object.body).expect("UTF-8");
        for (n, line) in text.lines().enumerate() {
            let parses = matches!(json::parse(line), Ok(json::Value::Object(_)));
            assert_eq!(
                !parses,
                broken.contains(&(n + 1)),
                "{} line {}",
                object.key,
                n + 1
            );
        }
    }
}
