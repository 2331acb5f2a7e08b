//! Named reports: `queries/<name>.sql` files with a comment header, compiled into the binary.
//!
//! In: a report's text, and the user's `--param name=value` pairs. Out: a [`Report`] (title,
//! description, typed parameters, unique key, SQL) and, when run, its parameters as typed
//! values bound to the SQL's `$name` placeholders, never pasted into the SQL text.
//!
//! Header format (comment lines before the first SQL line):
//!
//! ```text
//! -- title: Nodes missing critical patches
//! -- description: Critical patches that are missing or failed on nodes that are not
//! --   terminated (indented lines continue the field).
//! -- param: severity (text, optional) Only items of this severity
//! -- param: days (integer, default 7) Days without a new capture
//! -- param: as_of (timestamp, default now) The moment ages are measured from
//! -- key: accountid, region, resourceid, id
//! -- example: ssmq report stale-nodes --param days=14
//! ```
//!
//! `key` names the columns that identify a row; the SQL ends with an `ORDER BY` over them so
//! output is deterministic. `example` is a command line that runs the report (optional).
//! `needs: history` marks a report that compares moments of the cache's history: on a source
//! without a cache it is refused rather than answered as if nothing had changed. A timestamp
//! parameter takes an RFC 3339 time, a date (its start, UTC) or a duration back from the
//! report's now (`7d`).

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use datafusion::common::{ParamValues, ScalarValue};

use crate::error::{Error, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/reports.rs"));
}

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A string.
    Text,
    /// A 64-bit integer.
    Integer,
    /// `true`/`false` (also `yes`/`no`, `1`/`0`).
    Boolean,
    /// An instant: `2026-11-01T00:00:00Z` or a date `2026-11-01` (midnight UTC).
    Timestamp,
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamKind::Text => "text",
            ParamKind::Integer => "integer",
            ParamKind::Boolean => "boolean",
            ParamKind::Timestamp => "timestamp",
        })
    }
}

/// What a parameter is when not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamDefault {
    /// It must be given.
    Required,
    /// SQL NULL: the report treats it as "no restriction".
    Null,
    /// The current time (timestamps only).
    Now,
    /// This value, as a user would write it.
    Value(String),
}

/// One parameter of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportParam {
    /// Name, used as `--param name=value` and `$name` in the SQL.
    pub name: String,
    /// Its type.
    pub kind: ParamKind,
    /// Its value when not given.
    pub default: ParamDefault,
    /// What it does.
    pub description: String,
    /// The only values a text parameter takes (`one of a|b|c`), any case; empty: any.
    pub choices: Vec<String>,
}

impl ReportParam {
    /// `(integer, default 7)` as shown in the report list.
    pub fn signature(&self) -> String {
        let signature = match &self.default {
            ParamDefault::Required => format!("{}, required", self.kind),
            ParamDefault::Null => format!("{}, optional", self.kind),
            ParamDefault::Now => format!("{}, default now", self.kind),
            ParamDefault::Value(v) => format!("{}, default {v}", self.kind),
        };
        match self.choices.is_empty() {
            true => signature,
            false => format!("{signature}, one of {}", self.choices.join("|")),
        }
    }

    fn value(&self, report: &str, text: Option<&str>, now: DateTime<Utc>) -> Result<ScalarValue> {
        let text = match (text, &self.default) {
            (Some(text), _) => text,
            (None, ParamDefault::Value(v)) => v.as_str(),
            (None, ParamDefault::Null) => return Ok(self.null()),
            (None, ParamDefault::Now) => return Ok(timestamp_value(now)),
            (None, ParamDefault::Required) => {
                return Err(Error::ReportParam {
                    report: report.to_owned(),
                    problem: format!(
                        "parameter `{}` is required ({})",
                        self.name, self.description
                    ),
                });
            }
        };
        if self.kind == ParamKind::Text
            && !self.choices.is_empty()
            && self.parse(text, now).is_none()
        {
            return Err(Error::ReportParam {
                report: report.to_owned(),
                problem: format!(
                    "parameter `{}` is one of {}, not `{text}`",
                    self.name,
                    self.choices.join(", ")
                ),
            });
        }
        self.parse(text, now).ok_or_else(|| Error::ReportParam {
            report: report.to_owned(),
            problem: format!(
                "parameter `{}` expects {}, got `{text}`",
                self.name,
                match self.kind {
                    ParamKind::Text => "text",
                    ParamKind::Integer => "an integer",
                    ParamKind::Boolean => "true or false",
                    ParamKind::Timestamp =>
                        "a timestamp like 2026-11-01T00:00:00Z, a date like 2026-11-01 or a \
                         duration back like 7d",
                }
            ),
        })
    }

    /// `text` as a value of this parameter; a duration (`7d`) is counted back from `now`.
    fn parse(&self, text: &str, now: DateTime<Utc>) -> Option<ScalarValue> {
        let text = text.trim();
        Some(match self.kind {
            ParamKind::Text if self.choices.is_empty() => ScalarValue::Utf8(Some(text.to_owned())),
            ParamKind::Text => ScalarValue::Utf8(Some(
                self.choices
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(text))?
                    .clone(),
            )),
            ParamKind::Integer => ScalarValue::Int64(Some(text.parse().ok()?)),
            ParamKind::Boolean => {
                ScalarValue::Boolean(Some(match text.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => true,
                    "false" | "no" | "0" => false,
                    _ => return None,
                }))
            }
            ParamKind::Timestamp => timestamp_value(parse_instant(text, now)?),
        })
    }

    fn null(&self) -> ScalarValue {
        match self.kind {
            ParamKind::Text => ScalarValue::Utf8(None),
            ParamKind::Integer => ScalarValue::Int64(None),
            ParamKind::Boolean => ScalarValue::Boolean(None),
            ParamKind::Timestamp => ScalarValue::TimestampNanosecond(None, Some("UTC".into())),
        }
    }
}

/// An RFC 3339 time, a date (its start, UTC) or a duration back from `now` (`7d`, `36h`).
fn parse_instant(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Some(back) = crate::cache::history::duration(text) {
        return Some(now - back);
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

fn timestamp_value(t: DateTime<Utc>) -> ScalarValue {
    ScalarValue::TimestampNanosecond(t.timestamp_nanos_opt(), Some("UTC".into()))
}

/// A named report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// CLI name: the file stem, e.g. `noncompliant-patches`.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// What it answers.
    pub description: String,
    /// Its parameters.
    pub params: Vec<ReportParam>,
    /// Columns that identify a row.
    pub key: Vec<String>,
    /// A command line that runs it, for its help.
    pub example: Option<String>,
    /// Whether it compares moments of the cache's history (`-- needs: history`), and so has
    /// no answer on a source without a cache.
    pub needs_history: bool,
    /// The whole file, header included (comments are SQL comments).
    pub sql: String,
}

impl Report {
    /// Reads a report file.
    pub fn parse(name: &str, text: &str) -> Result<Report> {
        Ok(Report::parse_with(name, text, &[])?.0)
    }

    /// Reads a query file whose header may also hold the fields `extra` names (a control's
    /// `frameworks:`), returned beside the report in the order written.
    pub(crate) fn parse_with(
        name: &str,
        text: &str,
        extra: &[&str],
    ) -> Result<(Report, Vec<(String, String)>)> {
        let defect = |problem: String| Error::ReportDefinition {
            report: name.to_owned(),
            problem,
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            let trimmed = line.trim_end();
            let Some(comment) = trimmed.strip_prefix("--") else {
                if trimmed.trim().is_empty() {
                    continue;
                }
                break;
            };
            let field = comment.trim_start().split_once(':').filter(|(field, _)| {
                !comment.starts_with("   ")
                    && !field.is_empty()
                    && field.chars().all(|c| c.is_ascii_lowercase())
            });
            match field {
                Some((field, value)) => fields.push((field.to_owned(), value.trim().to_owned())),
                None if comment.trim().is_empty() => {}
                None => match fields.last_mut() {
                    Some((_, value)) => {
                        value.push(' ');
                        value.push_str(comment.trim());
                    }
                    None => {
                        return Err(defect(format!(
                            "comment before the first field: `{trimmed}`"
                        )));
                    }
                },
            }
        }
        let mut title = None;
        let mut description = None;
        let mut key = None;
        let mut example = None;
        let mut needs_history = false;
        let mut params = Vec::new();
        let mut extras = Vec::new();
        for (field, value) in fields {
            match field.as_str() {
                field if extra.contains(&field) => extras.push((field.to_owned(), value)),
                "title" => title = Some(value),
                "description" => description = Some(value),
                "key" => {
                    key = Some(
                        value
                            .split(',')
                            .map(|c| c.trim().to_owned())
                            .collect::<Vec<_>>(),
                    )
                }
                "example" => example = Some(value),
                "needs" if value == "history" => needs_history = true,
                "needs" => {
                    return Err(defect(format!("`needs: {value}`: only `history` is known")));
                }
                "param" => params.push(parse_param(&value).map_err(&defect)?),
                other => return Err(defect(format!("unknown field `{other}`"))),
            }
        }
        let report = Report {
            name: name.to_owned(),
            title: title.ok_or_else(|| defect("no `title:`".into()))?,
            description: description.ok_or_else(|| defect("no `description:`".into()))?,
            params,
            key: key.ok_or_else(|| defect("no `key:`".into()))?,
            example,
            needs_history,
            sql: text.to_owned(),
        };
        let used = placeholders(&report.sql);
        for param in &report.params {
            if !used.contains(&param.name) {
                return Err(defect(format!(
                    "parameter `{}` is declared but `${}` is not used",
                    param.name, param.name
                )));
            }
        }
        for name in &used {
            if !report.params.iter().any(|p| &p.name == name) {
                return Err(defect(format!(
                    "`${name}` is used but not declared as a parameter"
                )));
            }
        }
        Ok((report, extras))
    }

    /// Binds the user's `name=value` pairs (and defaults) to typed values for the placeholders.
    pub fn bind(&self, given: &[(String, String)], now: DateTime<Utc>) -> Result<ParamValues> {
        let mut values: HashMap<&str, &str> = HashMap::new();
        for (name, value) in given {
            if !self.params.iter().any(|p| &p.name == name) {
                let known: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
                return Err(Error::ReportParam {
                    report: self.name.clone(),
                    problem: if known.is_empty() {
                        format!("unknown parameter `{name}`; this report takes none")
                    } else {
                        format!("unknown parameter `{name}`; it takes: {}", known.join(", "))
                    },
                });
            }
            if values.insert(name, value).is_some() {
                return Err(Error::ReportParam {
                    report: self.name.clone(),
                    problem: format!("parameter `{name}` is given twice"),
                });
            }
        }
        let mut bound = HashMap::new();
        for param in &self.params {
            let value = param.value(&self.name, values.get(param.name.as_str()).copied(), now)?;
            bound.insert(param.name.clone(), value.into());
        }
        Ok(ParamValues::Map(bound))
    }
}

/// `name (kind[, default X | , optional][, one of a|b|c]) description`
fn parse_param(text: &str) -> std::result::Result<ReportParam, String> {
    let bad = || {
        format!("`param: {text}` is not `name (type[, default value | , optional]) description`")
    };
    let (name, rest) = text.split_once('(').ok_or_else(bad)?;
    let (spec, description) = rest.split_once(')').ok_or_else(bad)?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(bad());
    }
    let mut spec = spec.split(',').map(str::trim);
    let kind = match spec.next() {
        Some("text") => ParamKind::Text,
        Some("integer") => ParamKind::Integer,
        Some("boolean") => ParamKind::Boolean,
        Some("timestamp") => ParamKind::Timestamp,
        _ => return Err(bad()),
    };
    let default = match spec.next() {
        None => ParamDefault::Required,
        Some("optional") => ParamDefault::Null,
        Some("default now") if kind == ParamKind::Timestamp => ParamDefault::Now,
        Some(other) => ParamDefault::Value(
            other
                .strip_prefix("default ")
                .ok_or_else(bad)?
                .trim()
                .to_owned(),
        ),
    };
    let choices = match spec.next() {
        None => Vec::new(),
        Some(one_of) if kind == ParamKind::Text => one_of
            .strip_prefix("one of ")
            .ok_or_else(bad)?
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect(),
        Some(_) => return Err(bad()),
    };
    if spec.next().is_some() {
        return Err(bad());
    }
    let param = ReportParam {
        name: name.to_owned(),
        kind,
        default,
        description: description.trim().to_owned(),
        choices,
    };
    if let ParamDefault::Value(v) = &param.default
        && param.parse(v, Utc::now()).is_none()
    {
        return Err(format!("default `{v}` of `{name}` is not a valid {kind}"));
    }
    Ok(param)
}

/// `$name` placeholders in SQL text, outside comments and string literals.
fn placeholders(sql: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                let name = &sql[start..end];
                if !name.is_empty() && !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    names
}

static BUILTIN: LazyLock<Vec<Report>> = LazyLock::new(|| {
    embedded::REPORT_FILES
        .iter()
        .map(|(name, text)| Report::parse(name, text).unwrap_or_else(|e| panic!("built-in {e}")))
        .collect()
});

/// The reports compiled into the binary, sorted by name.
pub fn builtin_reports() -> &'static [Report] {
    &BUILTIN
}

/// A built-in report by name.
pub fn find_report(name: &str) -> Result<&'static Report> {
    builtin_reports()
        .iter()
        .find(|r| r.name == name)
        .ok_or_else(|| Error::UnknownReport {
            name: name.to_owned(),
            available: builtin_reports().iter().map(|r| r.name.clone()).collect(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
-- title: Stale nodes
-- description: Nodes whose inventory is older than
--   the given number of days.
--
-- param: days (integer, default 7) Days without a capture
-- param: as_of (timestamp, default now) When ages are measured from
-- param: platform (text, optional) Only this platform type
-- param: owner (text) Required owner tag
-- key: accountid, region, resourceid
-- example: ssmq report stale --param owner=ops
SELECT resourceid FROM aws_instanceinformation -- $not_a_param in a comment
WHERE capturetime < $as_of - $days * INTERVAL '1' DAY AND ($platform IS NULL OR platformtype = $platform)
  AND owner = $owner AND note <> '$literal'
ORDER BY accountid, region, resourceid
";

    #[test]
    fn header_fields_and_params_are_read() {
        let r = Report::parse("stale", TEXT).unwrap();
        assert_eq!(r.title, "Stale nodes");
        assert_eq!(
            r.description,
            "Nodes whose inventory is older than the given number of days."
        );
        assert_eq!(r.key, vec!["accountid", "region", "resourceid"]);
        assert_eq!(
            r.example.as_deref(),
            Some("ssmq report stale --param owner=ops")
        );
        let sig: Vec<(String, String)> = r
            .params
            .iter()
            .map(|p| (p.name.clone(), p.signature()))
            .collect();
        assert_eq!(
            sig,
            vec![
                ("days".into(), "integer, default 7".into()),
                ("as_of".into(), "timestamp, default now".into()),
                ("platform".into(), "text, optional".into()),
                ("owner".into(), "text, required".into()),
            ]
        );
    }

    #[test]
    fn binding_types_values_and_defaults() {
        let r = Report::parse("stale", TEXT).unwrap();
        let now = parse_instant("2026-11-01T12:00:00Z", Utc::now()).unwrap();
        let given = vec![
            ("owner".to_owned(), "ops".to_owned()),
            ("days".to_owned(), "30".to_owned()),
        ];
        let ParamValues::Map(values) = r.bind(&given, now).unwrap() else {
            panic!()
        };
        assert_eq!(values["days"].value, ScalarValue::Int64(Some(30)));
        assert_eq!(values["owner"].value, ScalarValue::Utf8(Some("ops".into())));
        assert_eq!(values["platform"].value, ScalarValue::Utf8(None));
        assert_eq!(values["as_of"].value, timestamp_value(now));

        let given = vec![
            ("owner".to_owned(), "x".to_owned()),
            ("as_of".to_owned(), "2026-10-01".to_owned()),
        ];
        let ParamValues::Map(values) = r.bind(&given, now).unwrap() else {
            panic!()
        };
        assert_eq!(values["days"].value, ScalarValue::Int64(Some(7)));
        assert_eq!(
            values["as_of"].value,
            timestamp_value(parse_instant("2026-10-01T00:00:00Z", Utc::now()).unwrap())
        );

        // A duration is counted back from the report's now, not the clock's.
        let given = vec![
            ("owner".to_owned(), "x".to_owned()),
            ("as_of".to_owned(), "36h".to_owned()),
        ];
        let ParamValues::Map(values) = r.bind(&given, now).unwrap() else {
            panic!()
        };
        assert_eq!(
            values["as_of"].value,
            timestamp_value(parse_instant("2026-10-31T00:00:00Z", Utc::now()).unwrap())
        );
    }

    #[test]
    fn binding_errors_name_the_parameter() {
        let r = Report::parse("stale", TEXT).unwrap();
        let now = Utc::now();
        let err = |given: &[(&str, &str)]| {
            let given: Vec<(String, String)> = given
                .iter()
                .map(|(a, b)| ((*a).into(), (*b).into()))
                .collect();
            r.bind(&given, now).unwrap_err().to_string()
        };
        assert_eq!(
            err(&[]),
            "Report `stale`: parameter `owner` is required (Required owner tag)"
        );
        assert_eq!(
            err(&[("owner", "x"), ("days", "seven")]),
            "Report `stale`: parameter `days` expects an integer, got `seven`"
        );
        assert_eq!(
            err(&[("owner", "x"), ("dayz", "1")]),
            "Report `stale`: unknown parameter `dayz`; it takes: days, as_of, platform, owner"
        );
        assert_eq!(
            err(&[("owner", "x"), ("owner", "y")]),
            "Report `stale`: parameter `owner` is given twice"
        );
        assert!(err(&[("owner", "x"), ("as_of", "yesterday")]).contains("expects a timestamp"));
        // A value that looks like SQL stays a value: it is bound, never pasted.
        let given = vec![("owner".to_owned(), "x' OR '1'='1".to_owned())];
        let ParamValues::Map(values) = r.bind(&given, now).unwrap() else {
            panic!()
        };
        assert_eq!(
            values["owner"].value,
            ScalarValue::Utf8(Some("x' OR '1'='1".into()))
        );
    }

    #[test]
    fn defective_headers_are_caught() {
        let defect = |text: &str| Report::parse("r", text).unwrap_err().to_string();
        assert!(defect("SELECT 1").contains("no `title:`"));
        assert!(
            defect("-- title: t\n-- description: d\n-- key: a\nSELECT $x")
                .contains("`$x` is used but not declared")
        );
        assert!(
            defect("-- title: t\n-- description: d\n-- key: a\n-- param: x (text) X\nSELECT 1")
                .contains("`x` is declared but `$x` is not used")
        );
        assert!(defect("-- title: t\n-- colour: red\nSELECT 1").contains("unknown field `colour`"));
        assert!(
            defect("-- title: t\n-- description: d\n-- key: a\n-- param: x (float) X\nSELECT $x")
                .contains("is not `name (type")
        );
        assert!(
            defect("-- title: t\n-- description: d\n-- key: a\n-- param: x (integer, default many) X\nSELECT $x")
                .contains("default `many` of `x` is not a valid integer")
        );
    }

    #[test]
    fn placeholders_skip_comments_and_literals() {
        assert_eq!(
            placeholders("SELECT $a, '$b', $c_1 -- $d\n, $a"),
            vec!["a", "c_1"]
        );
    }

    #[test]
    fn builtin_reports_parse_and_are_found() {
        assert!(builtin_reports().len() >= 8);
        for name in [
            "noncompliant-patches",
            "ssm-agent-versions",
            "instance-list",
            "instance-applications",
            "patch-compliance-by-account",
            "missing-critical-patches",
            "stale-inventory",
            "os-distribution",
        ] {
            let report = find_report(name).unwrap();
            assert!(report.sql.contains("resourceid"), "{name} returns node ids");
            // The statement itself ends in ORDER BY (a subquery's does not order the rows).
            let statement = crate::sql::parse_one(&report.sql);
            let ordered = matches!(
                &statement,
                datafusion::sql::parser::Statement::Statement(s)
                    if matches!(&**s, datafusion::sql::sqlparser::ast::Statement::Query(q) if q.order_by.is_some())
            );
            assert!(ordered, "{name} orders its rows");
        }
        assert!(
            find_report("nope")
                .unwrap_err()
                .to_string()
                .starts_with("Unknown report `nope`; available: ")
        );
    }
}
