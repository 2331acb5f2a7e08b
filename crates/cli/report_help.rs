//! What the binary says about the reports: the list (`ssmq report list`: a line each on a
//! terminal, every field for csv/json), and one report's description (`ssmq report NAME
//! --help`, `ssmq report describe NAME`).
//!
//! In: the built-in reports, and a report's result columns (planned over the built-in sample
//! lake, so they are the columns the report really returns). Out: text and a batch.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use ssmq_core::sql::reports::Report;

/// The width the report list and descriptions are written for.
const TEXT_WIDTH: usize = 80;

/// One line per report: its name, its title, and its parameters' names.
pub fn list_text(reports: &[Report]) -> String {
    let name_width = reports.iter().map(|r| r.name.len()).max().unwrap_or(0) + 1;
    let mut text = String::new();
    for report in reports {
        let mut line = format!("{:<name_width$}{}", report.name, report.title);
        if !report.params.is_empty() {
            line.push_str(&parameter_names(report, LIST_WIDTH - line.chars().count()));
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The widest line of the report list.
const LIST_WIDTH: usize = 80;

/// ` (days, as_of)`: a report's parameter names in at most `room` columns, the last ones left
/// out as `…` where they do not fit (`ssmq report NAME --help` lists them all).
fn parameter_names(report: &Report, room: usize) -> String {
    let names: Vec<&str> = report.params.iter().map(|p| p.name.as_str()).collect();
    let whole = format!(" ({})", names.join(", "));
    if whole.chars().count() <= room {
        return whole;
    }
    let mut shown = names.len();
    loop {
        shown -= 1;
        let cut = format!(" ({}, …)", names[..shown].join(", "));
        if shown == 0 || cut.chars().count() <= room {
            return if shown == 0 { " (…)".to_owned() } else { cut };
        }
    }
}

/// The report list as a batch: name, title, parameters with their types and defaults,
/// description.
pub fn list_batch(reports: &[Report]) -> RecordBatch {
    let text = |values: Vec<String>| -> ArrayRef {
        Arc::new(values.into_iter().map(Some).collect::<StringArray>())
    };
    let schema = Schema::new(vec![
        Field::new("report", DataType::Utf8, false),
        Field::new("title", DataType::Utf8, false),
        Field::new("parameters", DataType::Utf8, false),
        Field::new("description", DataType::Utf8, false),
    ]);
    let params = reports
        .iter()
        .map(|r| {
            r.params
                .iter()
                .map(|p| format!("{} ({})", p.name, p.signature()))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect();
    RecordBatch::try_new(
        Arc::new(schema),
        vec![
            text(reports.iter().map(|r| r.name.clone()).collect()),
            text(reports.iter().map(|r| r.title.clone()).collect()),
            text(params),
            text(reports.iter().map(|r| r.description.clone()).collect()),
        ],
    )
    .expect("columns match the schema")
}

/// What a report answers, its parameters (type, default, meaning), the columns it returns
/// (`None` when they cannot be planned without parameters) and a command that runs it.
pub fn describe(report: &Report, columns: Option<&Schema>) -> String {
    let mut text = format!("{}: {}\n\n", report.name, report.title);
    text.push_str(&wrap(&report.description, "", TEXT_WIDTH));
    text.push('\n');
    if report.needs_history {
        let needs = "It compares moments of the cache's history: it runs on a synced source \
                     (`ssmq sync`), at moments from the oldest snapshot `ssmq history` lists.";
        text.push_str(&wrap(needs, "", TEXT_WIDTH));
        text.push('\n');
    }
    if report.params.is_empty() {
        text.push_str("Parameters: none\n");
    } else {
        text.push_str("Parameters (--param NAME=VALUE):\n");
        let width = report
            .params
            .iter()
            .map(|p| p.name.len())
            .max()
            .unwrap_or(0)
            + 2;
        for param in &report.params {
            text.push_str(&format!("  {:<width$}{}\n", param.name, param.signature()));
            text.push_str(&wrap(
                &param.description,
                &" ".repeat(width + 2),
                TEXT_WIDTH,
            ));
        }
    }
    text.push('\n');
    match columns {
        Some(schema) => {
            text.push_str(&format!("Columns (a row per {}):\n", report.key.join(", ")));
            let width = schema
                .fields()
                .iter()
                .map(|f| f.name().len())
                .max()
                .unwrap_or(0)
                + 2;
            for field in schema.fields() {
                text.push_str(&format!(
                    "  {:<width$}{}\n",
                    field.name(),
                    sql_type(field.data_type())
                ));
            }
        }
        None => text.push_str(&format!("Columns: a row per {}\n", report.key.join(", "))),
    }
    text.push_str("\nExample:\n");
    let example = report
        .example
        .clone()
        .unwrap_or_else(|| format!("ssmq report {}", report.name));
    text.push_str(&format!("  {example}\n"));
    text
}

/// A column type as SQL names it.
fn sql_type(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text".to_owned(),
        t if t.is_integer() => "integer".to_owned(),
        t if t.is_floating() => "double".to_owned(),
        DataType::Boolean => "boolean".to_owned(),
        DataType::Timestamp(..) => "timestamp".to_owned(),
        DataType::Date32 | DataType::Date64 => "date".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}

/// `text` broken into lines of at most `width` columns between words, each line starting
/// with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if line.len() > indent.len() && line.len() + 1 + word.len() > width {
            out.push_str(&line);
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if line.len() > indent.len() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssmq_core::sql::reports::builtin_reports;

    #[test]
    fn the_list_fits_80_columns_with_a_line_per_report() {
        let text = list_text(builtin_reports());
        assert_eq!(text.lines().count(), builtin_reports().len());
        for (line, report) in text.lines().zip(builtin_reports()) {
            assert!(line.chars().count() <= 80, "{line}");
            assert!(line.starts_with(&format!("{} ", report.name)), "{line}");
            assert!(line.contains(&report.title), "{line}");
            // Every parameter is named, or the first ones and `…` where they do not fit.
            let shown = report
                .params
                .iter()
                .take_while(|p| {
                    line.contains(&format!("{},", p.name)) || line.contains(&format!("{})", p.name))
                })
                .count();
            assert!(
                shown == report.params.len() || (shown > 0 && line.ends_with(", …)")),
                "{line}"
            );
        }
    }

    #[test]
    fn words_wrap_within_the_width() {
        let text = "one two three four five six seven eight nine ten";
        assert_eq!(
            wrap(text, "  ", 16),
            "  one two three\n  four five six\n  seven eight\n  nine ten\n"
        );
        assert_eq!(wrap("", "  ", 16), "");
    }
}
