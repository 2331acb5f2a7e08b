//! The malformed lake: a few objects in which some lines are not valid JSON objects.
//!
//! In: nothing. Out: objects and, for each, the 1-based line numbers that are malformed, so
//! tests can assert that a reader's error names the object key and the line. Valid lines are
//! rendered by the same writer as every other lake.

use crate::LakeObject;
use crate::json::LineWriter;

const PARTITION: &str =
    "accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory";
const BROKEN_NODE: &str = "i-0a1b2c3d4e5f60718";
const HEALTHY_NODE: &str = "i-0f1e2d3c4b5a69788";
const CAPTURE: &str = "2026-10-30T08:15:00Z";

enum Line {
    Valid(&'static [(&'static str, &'static str)]),
    Malformed(&'static str),
}

fn render(type_name: &str, node: &str, lines: &[Line]) -> (LakeObject, Vec<usize>) {
    let mut body = Vec::new();
    let mut malformed = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        match line {
            Line::Valid(fields) => {
                let mut writer = LineWriter::begin(&mut body);
                for (key, value) in *fields {
                    writer.field(key, value);
                }
                writer.end(node, CAPTURE, "1.0");
            }
            Line::Malformed(text) => {
                body.extend_from_slice(text.as_bytes());
                body.push(b'\n');
                malformed.push(n + 1);
            }
        }
    }
    let key = format!("{type_name}/{PARTITION}/{node}.json");
    (LakeObject { key, body }, malformed)
}

/// The malformed lake: three objects of `AWS:Application` and `AWS:Tag`; the `Vec<usize>` of each
/// lists its malformed lines (1-based), empty for the healthy object.
pub fn malformed_lake() -> Vec<(LakeObject, Vec<usize>)> {
    use Line::{Malformed, Valid};
    let app = |name, version| -> Line {
        let fields: &'static [(&str, &str)] = match (name, version) {
            ("bash", _) => &[
                ("Name", "bash"),
                ("Version", "5.2.15"),
                ("Release", "1.amzn2023.0.2"),
                ("Architecture", "x86_64"),
            ],
            ("curl", _) => &[
                ("Name", "curl"),
                ("Version", "8.5.0"),
                ("Release", "1.amzn2023.0.4"),
                ("Architecture", "x86_64"),
            ],
            ("glibc", _) => &[
                ("Name", "glibc"),
                ("Version", "2.34"),
                ("Release", "100.amzn2023.0.5"),
                ("Architecture", "x86_64"),
            ],
            ("zlib", _) => &[
                ("Name", "zlib"),
                ("Version", "1.2.11"),
                ("Release", "33.amzn2023.0.5"),
                ("Architecture", "x86_64"),
            ],
            _ => &[
                ("Name", "openssh"),
                ("Version", "8.7p1"),
                ("Release", "8.amzn2023.0.10"),
                ("Architecture", "x86_64"),
            ],
        };
        Valid(fields)
    };
    vec![
        render(
            "AWS:Application",
            BROKEN_NODE,
            &[
                app("bash", ""),
                app("curl", ""),
                // Truncated mid-object, as a partial copy leaves it.
                Malformed(
                    r#"{"Name":"openssl-libs","Version":"3.0.8","Release":"1.amzn2023.0.14","Architecture":"x86_"#,
                ),
                app("glibc", ""),
                Malformed("this line is not JSON"),
                app("zlib", ""),
            ],
        ),
        render(
            "AWS:Application",
            HEALTHY_NODE,
            &[app("bash", ""), app("openssh", ""), app("zlib", "")],
        ),
        render(
            "AWS:Tag",
            BROKEN_NODE,
            &[
                Valid(&[("Key", "Name"), ("Value", "prod-web-01")]),
                // Missing comma between members.
                Malformed(
                    r#"{"Key":"Owner" "Value":"ops@example.com","resourceId":"i-0a1b2c3d4e5f60718","captureTime":"2026-10-30T08:15:00Z","schemaVersion":"1.0"}"#,
                ),
                Valid(&[("Key", "Environment"), ("Value", "prod")]),
                // Unterminated string.
                Malformed(r#"{"Key":"Team","Value":"platform}"#),
            ],
        ),
    ]
}
