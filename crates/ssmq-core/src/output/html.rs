//! HTML pages people can open anywhere and hand over: one self-contained document, its style
//! inline, charts as inline SVG (see [`crate::output::chart`]), no script, no font, no image,
//! no link to anything outside the page, so it loads with no network at all.
//!
//! In: a title, facts (the audit date, the source), and sections of text, charts and tables
//! of record batches. Out, from [`Page::render`]: the document's text.
//!
//! Used by the evidence bundle's `report.html` and by `--format html` (one table, the same
//! style). Tables show values as the text table does (NULL as `NULL`, greyed), numbers and
//! times right-aligned, short words (ids, Regions) unbroken, a `status` column's `ok` /
//! `alarm` / `skip` / `error` coloured.

use std::fmt::Write;

use arrow::array::RecordBatch;
use arrow::datatypes::DataType;

use crate::error::Result;
use crate::output::text_table::format_rows;

/// A page being put together.
#[derive(Debug, Clone, Default)]
pub struct Page {
    title: String,
    facts: Vec<(String, String)>,
    body: String,
}

impl Page {
    /// An empty page headed `title`.
    pub fn new(title: &str) -> Page {
        Page {
            title: title.to_owned(),
            ..Page::default()
        }
    }

    /// A fact shown under the title, as `name: value`.
    pub fn fact(&mut self, name: &str, value: &str) -> &mut Page {
        self.facts.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A section heading; `id` is its anchor.
    pub fn heading(&mut self, id: &str, text: &str) -> &mut Page {
        let _ = write!(
            self.body,
            r#"<h2 id="{}">{}</h2>"#,
            escape(id),
            escape(text)
        );
        self
    }

    /// A paragraph of plain text.
    pub fn paragraph(&mut self, text: &str) -> &mut Page {
        let _ = write!(self.body, "<p>{}</p>", escape(text));
        self
    }

    /// A chart made by [`crate::output::chart`] (already markup).
    pub fn chart(&mut self, svg: &str) -> &mut Page {
        let _ = write!(self.body, r#"<figure>{svg}</figure>"#);
        self
    }

    /// The rows of `batch` as a table, at most `limit` of them (then a line saying how many
    /// more there are and, when given, where they all are).
    pub fn table(
        &mut self,
        batch: &RecordBatch,
        limit: Option<usize>,
        all_in: Option<&str>,
    ) -> Result<&mut Page> {
        let shown = limit.map_or(batch.num_rows(), |l| l.min(batch.num_rows()));
        self.body.push_str(&table(&batch.slice(0, shown))?);
        if shown < batch.num_rows() {
            let left = batch.num_rows() - shown;
            let mut line = format!("{left} more row{}", if left == 1 { "" } else { "s" });
            if let Some(place) = all_in {
                let _ = write!(line, ": every row is in {place}");
            }
            let _ = write!(self.body, r#"<p class="more">{}</p>"#, escape(&line));
        }
        Ok(self)
    }

    /// The whole document.
    pub fn render(&self) -> String {
        let mut page = String::with_capacity(self.body.len() + STYLE.len() + 1024);
        let title = escape(&self.title);
        let _ = write!(
            page,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><style>{STYLE}</style></head>\n<body><main><h1>{title}</h1>"
        );
        if !self.facts.is_empty() {
            page.push_str(r#"<dl class="facts">"#);
            for (name, value) in &self.facts {
                let _ = write!(page, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(value));
            }
            page.push_str("</dl>");
        }
        page.push_str(&self.body);
        page.push_str("</main></body></html>\n");
        page
    }
}

/// `batch` as an HTML table in a horizontally scrolling box.
fn table(batch: &RecordBatch) -> Result<String> {
    let schema = batch.schema();
    let right: Vec<bool> = schema
        .fields()
        .iter()
        .map(|f| aligned_right(f.data_type()))
        .collect();
    let status = schema.index_of("status").ok();
    // Logical nulls: a column of the NULL type has no validity buffer, yet every value is NULL.
    let nulls: Vec<_> = batch.columns().iter().map(|c| c.logical_nulls()).collect();
    let mut html = String::from(r#"<div class="scroll"><table><thead><tr>"#);
    for (field, right) in schema.fields().iter().zip(&right) {
        let _ = write!(
            html,
            "<th{}>{}</th>",
            if *right { r#" class="num""# } else { "" },
            escape(field.name())
        );
    }
    html.push_str("</tr></thead><tbody>");
    for (row, values) in format_rows([batch])?.iter().enumerate() {
        html.push_str("<tr>");
        for (column, value) in values.iter().enumerate() {
            let class = if nulls[column].as_ref().is_some_and(|n| n.is_null(row)) {
                "null".to_owned()
            } else if Some(column) == status {
                format!("status s-{}", class_name(value))
            } else if right[column] {
                "num".to_owned()
            } else if is_word(value) {
                "word".to_owned()
            } else {
                String::new()
            };
            match class.is_empty() {
                true => html.push_str("<td>"),
                false => {
                    let _ = write!(html, r#"<td class="{class}">"#);
                }
            }
            html.push_str(&escape(value));
            html.push_str("</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    Ok(html)
}

/// Whether `value` is one short word (an id, a Region, a date) that stays on one line: `-`
/// would otherwise let `i-0abc…` or `us-east-1` break.
fn is_word(value: &str) -> bool {
    value.len() <= 24 && !value.contains(char::is_whitespace)
}

fn aligned_right(data_type: &DataType) -> bool {
    data_type.is_numeric() || data_type.is_temporal()
}

/// `value` reduced to letters, digits and `-`, for a CSS class.
fn class_name(value: &str) -> String {
    value
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '-',
        })
        .collect()
}

/// `text` safe inside an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's style: system fonts only, nothing fetched.
const STYLE: &str = "\
:root{color-scheme:light;--ok:#2e7d32;--alarm:#c62828;--skip:#757575;--error:#ef6c00}\
body{margin:0;background:#f6f7f9;color:#1d232b;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\
main{max-width:1400px;margin:0 auto;padding:24px 28px 48px}\
h1{font-size:24px;margin:0 0 12px}\
h2{font-size:18px;margin:32px 0 8px;padding-top:8px;border-top:1px solid #d8dce2}\
p{margin:6px 0 10px;max-width:80ch}\
p.more{color:#5b6470;font-style:italic}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0 0 8px}\
dl.facts dt{color:#5b6470}dl.facts dd{margin:0;font-weight:600;overflow-wrap:anywhere}\
figure{margin:8px 0 12px;background:#fff;border:1px solid #d8dce2;border-radius:6px;padding:8px;display:inline-block;max-width:100%;overflow-x:auto}\
svg.chart text{font:12px system-ui,sans-serif;fill:#1d232b}svg.chart .axis{fill:#5b6470;font-size:11px}\
svg.chart .grid{stroke:#e3e6ea}svg.chart .total{fill:#5b6470}\
div.scroll{overflow-x:auto;background:#fff;border:1px solid #d8dce2;border-radius:6px;margin:8px 0 12px}\
table{border-collapse:collapse;width:100%;font-size:13px}\
th,td{padding:4px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #eceef1}\
th{background:#eef0f3;position:sticky;top:0;font-weight:600;white-space:nowrap}\
td{overflow-wrap:break-word}td.word{white-space:nowrap}\
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\
td.null{color:#9aa1aa}\
td.status{font-weight:600}td.s-ok{color:var(--ok)}td.s-alarm{color:var(--alarm)}td.s-skip{color:var(--skip)}td.s-error{color:var(--error)}\
tbody tr:nth-child(even){background:#fafbfc}";

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;

    fn batch() -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("status", DataType::Utf8, true),
            Field::new("reason", DataType::Utf8, true),
            Field::new("days", DataType::Int64, true),
        ]);
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec![Some("alarm"), Some("ok"), None])),
                Arc::new(StringArray::from(vec![
                    Some("<script>alert('x')</script> & more"),
                    Some("fine"),
                    Some("none"),
                ])),
                Arc::new(Int64Array::from(vec![Some(12), None, Some(3)])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn values_are_escaped_and_classed() {
        let html = table(&batch()).unwrap();
        assert!(
            html.contains("<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more</td>")
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains(r#"<td class="status s-alarm">alarm</td>"#));
        assert!(html.contains(r#"<td class="null">NULL</td>"#));
        assert!(html.contains(r#"<th class="num">days</th>"#));
        assert!(html.contains(r#"<td class="num">12</td>"#));
        assert!(html.contains(r#"<td class="word">fine</td>"#), "one word");
    }

    #[test]
    fn a_page_holds_its_facts_and_says_how_many_rows_it_left_out() {
        let mut page = Page::new("Evidence & more");
        page.fact("Source", "s3://b/p");
        page.table(&batch(), Some(2), Some("checks.csv")).unwrap();
        let html = page.render();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>Evidence &amp; more</title>"));
        assert!(html.contains("<dt>Source</dt><dd>s3://b/p</dd>"));
        assert_eq!(html.matches("<tr>").count(), 3, "header and two rows");
        assert!(html.contains("1 more row: every row is in checks.csv"));
        for external in [
            "http:", "https:", "src=", "<link", "url(", "@import", "<script",
        ] {
            assert!(!html.contains(external), "{external} in the page");
        }
    }
}
