//! Text for people: results as a box table fitted to a terminal, or as records
//! (`column = value` lines, DuckDB's `.mode line`, psql's `\x`).
//!
//! In: a schema and record batches as they arrive; a [`Screen`] when the text goes to a
//! terminal. Out: the text.
//!
//! On a screen the table fits the width, DuckDB's way: when the columns do not fit, the first
//! and the last stay and columns from the middle are left out (`…` marks where); long text is
//! cut with `…` instead of wrapping, and identifiers (account ids, Regions, node ids, patch
//! ids, lists of them) are never cut inside an id. Beyond `max_rows` only the first and the
//! last rows are shown, with a line saying how many were left out between them, and a footer
//! counts rows and columns. Without a screen (a pipe, a file) every row and every column is
//! written whole and no footer is added. Values never wrap: a row is one line of text
//! (newlines and tabs inside values show as `\n` and `\t`).
//!
//! Drawn here rather than with comfy-table: comfy-table wraps or hides cells but cannot leave
//! columns out from the middle, cut an id list only between ids, or draw a line across all
//! columns for the rows left out.

use std::collections::VecDeque;
use std::io::Write;

use arrow::array::RecordBatch;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::error::{Error, Result};

/// The terminal a table is fitted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// Its width in columns.
    pub width: usize,
    /// How many rows to show at most (the first half and the last half); 0 shows every row.
    pub max_rows: usize,
}

/// The narrowest a long text column is cut to while other columns still want room, unless its
/// header is wider: a timestamp (20 characters) or a short title stays readable.
const TEXT_FLOOR: usize = 20;

/// What goes between the ids of a list (`string_agg(resourceid, ', ')`).
const LIST_SEPARATOR: &str = ", ";

/// A result being gathered into a box table: every row, or on a screen with a row limit only
/// the first and the last rows (batches are sliced, not copied).
#[derive(Debug)]
pub struct TableText {
    schema: SchemaRef,
    screen: Option<Screen>,
    head: Vec<RecordBatch>,
    head_rows: usize,
    tail: VecDeque<RecordBatch>,
    tail_rows: usize,
    total: u64,
}

impl TableText {
    /// An empty table of `schema`'s columns, for `screen` if the text goes to a terminal.
    pub fn new(schema: SchemaRef, screen: Option<Screen>) -> Self {
        TableText {
            schema,
            screen,
            head: Vec::new(),
            head_rows: 0,
            tail: VecDeque::new(),
            tail_rows: 0,
            total: 0,
        }
    }

    /// Adds a batch's rows, keeping only those that can be shown.
    pub fn push(&mut self, batch: &RecordBatch) {
        self.total += batch.num_rows() as u64;
        let (head_cap, tail_cap) = match self.screen {
            Some(screen) if screen.max_rows > 0 => {
                (screen.max_rows.div_ceil(2), screen.max_rows / 2)
            }
            _ => (usize::MAX, 0),
        };
        let to_head = (head_cap - self.head_rows).min(batch.num_rows());
        if to_head > 0 {
            self.head.push(batch.slice(0, to_head));
            self.head_rows += to_head;
        }
        let rest = batch.num_rows() - to_head;
        if rest == 0 || tail_cap == 0 {
            return;
        }
        let keep = rest.min(tail_cap);
        self.tail
            .push_back(batch.slice(batch.num_rows() - keep, keep));
        self.tail_rows += keep;
        while self.tail_rows > tail_cap {
            let front = self.tail.pop_front().expect("rows are held");
            let excess = self.tail_rows - tail_cap;
            if front.num_rows() > excess {
                self.tail
                    .push_front(front.slice(excess, front.num_rows() - excess));
                self.tail_rows -= excess;
            } else {
                self.tail_rows -= front.num_rows();
            }
        }
    }

    /// The table as text, ending with a newline.
    pub fn render(&self) -> Result<String> {
        let columns: Vec<Column> = self
            .schema
            .fields()
            .iter()
            .map(|f| Column::new(f.name(), f.data_type()))
            .collect();
        let head = format_rows(&self.head)?;
        let tail = format_rows(&self.tail)?;
        let left_out = self.total - (head.len() + tail.len()) as u64;
        let shown_rows = || head.iter().chain(&tail);

        let natural: Vec<usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                shown_rows()
                    .map(|row| row[i].width())
                    .fold(c.name.width(), usize::max)
            })
            .collect();
        let layout = match self.screen {
            None => Layout::whole(&natural),
            Some(screen) => {
                let minimum: Vec<usize> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| c.narrowest(natural[i], shown_rows().map(|row| &row[i])))
                    .collect();
                let mut layout = Layout::fit(&natural, &minimum, screen.width);
                layout.narrow_to_cut_values(&columns, &head, &tail);
                layout
            }
        };

        let mut text = String::new();
        let header: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let lines = layout.lines();
        lines.border(&mut text, '┌', '┬', '┐', '─');
        lines.row(&mut text, &columns, &header, false);
        lines.border(&mut text, '╞', '╪', '╡', '═');
        for row in &head {
            lines.row(&mut text, &columns, row, true);
        }
        if left_out > 0 {
            lines.spanning(&mut text, &format!("… {} more rows …", thousands(left_out)));
        }
        for row in &tail {
            lines.row(&mut text, &columns, row, true);
        }
        lines.border(&mut text, '└', '┴', '┘', '─');
        if self.screen.is_some() {
            text.push_str(&footer(
                self.total,
                self.total - left_out,
                columns.len(),
                layout.shown.len(),
            ));
            text.push('\n');
        }
        Ok(text)
    }
}

/// `1,234 rows (40 shown) · 14 columns (8 shown)`; what is all there is not qualified.
fn footer(rows: u64, shown_rows: u64, columns: usize, shown_columns: usize) -> String {
    let count = |n: u64, shown: u64, one: &str, many: &str| {
        let noun = if n == 1 { one } else { many };
        if shown < n {
            format!("{} {noun} ({} shown)", thousands(n), thousands(shown))
        } else {
            format!("{} {noun}", thousands(n))
        }
    };
    format!(
        "{} · {}",
        count(rows, shown_rows, "row", "rows"),
        count(columns as u64, shown_columns as u64, "column", "columns")
    )
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A column as the table shows it.
#[derive(Debug)]
struct Column {
    name: String,
    /// Numbers are right-aligned.
    numeric: bool,
    /// Never cut: numbers, times, and identifiers (cut only between the ids of a list).
    kind: CutRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CutRule {
    /// Free text: cut with `…` when room is short.
    Text,
    /// Ids and lists of ids: cut only after a whole id of a list.
    Identifier,
    /// Numbers and times: a part of one means nothing.
    Whole,
}

impl Column {
    fn new(name: &str, data_type: &DataType) -> Self {
        let whole =
            data_type.is_numeric() || data_type.is_temporal() || *data_type == DataType::Boolean;
        Column {
            name: name.to_owned(),
            numeric: data_type.is_numeric(),
            kind: if whole {
                CutRule::Whole
            } else if is_identifier(name) {
                CutRule::Identifier
            } else {
                CutRule::Text
            },
        }
    }

    /// The narrowest this column may be made, given its natural width and its shown values.
    fn narrowest<'a>(&self, natural: usize, values: impl Iterator<Item = &'a String>) -> usize {
        let header = self.name.width();
        match self.kind {
            CutRule::Whole => natural,
            CutRule::Text => natural.min(header.max(TEXT_FLOOR)),
            CutRule::Identifier => values
                .map(|v| match v.split_once(LIST_SEPARATOR) {
                    Some((first, _)) => first.width() + LIST_SEPARATOR.len() + 1,
                    None => v.width(),
                })
                .fold(header, usize::max)
                .min(natural),
        }
    }

    /// `value` made to fit `width` columns.
    fn cut<'a>(&self, value: &'a str, width: usize) -> std::borrow::Cow<'a, str> {
        if value.width() <= width {
            return value.into();
        }
        if self.kind == CutRule::Identifier {
            let mut end = None;
            for (i, _) in value.match_indices(LIST_SEPARATOR) {
                if value[..i].width() + LIST_SEPARATOR.len() + 1 > width {
                    break;
                }
                end = Some(i);
            }
            if let Some(end) = end {
                return format!("{}{LIST_SEPARATOR}…", &value[..end]).into();
            }
        }
        // Free text, or no room even for a whole id (a terminal narrower than one).
        let mut out = String::new();
        let mut used = 0;
        for c in value.chars() {
            let w = c.width().unwrap_or(0);
            if used + w + 1 > width {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        out.into()
    }
}

/// Whether a column carries identifiers, which are never cut: the partition columns, node
/// and patch ids (`resourceid`, `id`, `patch_id`, `kbid`) and lists of them (`…_resourceids`).
fn is_identifier(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(name.as_str(), "accountid" | "region" | "resourcetype")
        || name.ends_with("id")
        || name.ends_with("ids")
}

/// What the `…` column of left-out columns takes: its character, two spaces, a separator.
const GAP_WIDTH: usize = 4;

/// The width of a table line whose columns are `widths` wide: each column, its two spaces
/// of padding and a separator, and the closing border.
fn line_width(widths: impl Iterator<Item = usize>) -> usize {
    widths.map(|w| w + 3).sum::<usize>() + 1
}

/// The columns shown when not all fit at their narrowest: the first, then the last, then
/// more from the left while they fit; the `…` column stands where the others were. Returns
/// the shown columns and the position of the `…` among them.
fn choose_columns(minimum: &[usize], width: usize) -> (Vec<usize>, Option<usize>) {
    let n = minimum.len();
    let mut used = 1 + GAP_WIDTH;
    let fits = |used: usize, column: usize| used + minimum[column] + 3 <= width;
    // The first column is shown even when it must be cut to fit.
    used += minimum[0] + 3;
    let last = n > 1 && fits(used, n - 1);
    if last {
        used += minimum[n - 1] + 3;
    }
    let mut left = 1;
    while left < n - 1 && fits(used, left) {
        used += minimum[left] + 3;
        left += 1;
    }
    let mut shown: Vec<usize> = (0..left).collect();
    if last {
        shown.push(n - 1);
    }
    let gap = (shown.len() < n).then_some(left);
    (shown, gap)
}

/// Widens each column by one in turn, toward what it `wanted`, until `spare` runs out: room
/// is shared evenly among the columns that were cut.
fn widen(widths: &mut [usize], wanted: &[usize], mut spare: usize) {
    while spare > 0 {
        let mut grew = false;
        for (w, &wanted) in widths.iter_mut().zip(wanted) {
            if spare > 0 && *w < wanted {
                *w += 1;
                spare -= 1;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
}

/// Which columns are shown, how wide, and where the `…` of left-out columns stands.
#[derive(Debug)]
struct Layout {
    /// Indexes of the shown columns, in order.
    shown: Vec<usize>,
    /// The width of each shown column.
    widths: Vec<usize>,
    /// The `…` column stands before `shown[gap]`.
    gap: Option<usize>,
}

impl Layout {
    fn whole(natural: &[usize]) -> Self {
        Layout {
            shown: (0..natural.len()).collect(),
            widths: natural.to_vec(),
            gap: None,
        }
    }

    /// The columns that fit `width` (the first, the last, then from the left), each at least
    /// its narrowest, then widened toward its natural width while room is left.
    fn fit(natural: &[usize], minimum: &[usize], width: usize) -> Self {
        if natural.is_empty() || line_width(natural.iter().copied()) <= width {
            return Layout::whole(natural);
        }
        let (shown, gap) = if line_width(minimum.iter().copied()) <= width {
            ((0..natural.len()).collect(), None)
        } else {
            choose_columns(minimum, width)
        };
        let mut widths: Vec<usize> = shown.iter().map(|&c| minimum[c]).collect();
        let frame = line_width(widths.iter().copied()) + if gap.is_some() { GAP_WIDTH } else { 0 };
        if frame > width {
            // Not even one column fits at its narrowest: cut it to what the terminal has.
            widths[0] = width.saturating_sub(frame - widths[0]).max(1);
        }
        let wanted: Vec<usize> = shown.iter().map(|&c| natural[c]).collect();
        widen(&mut widths, &wanted, width.saturating_sub(frame));
        Layout { shown, widths, gap }
    }

    /// Narrows each id list column to its widest value as cut: a list is cut only between
    /// ids, so room that holds part of the next id would be left blank.
    fn narrow_to_cut_values(
        &mut self,
        columns: &[Column],
        head: &[Vec<String>],
        tail: &[Vec<String>],
    ) {
        for (w, &c) in self.widths.iter_mut().zip(&self.shown) {
            if columns[c].kind != CutRule::Identifier {
                continue;
            }
            *w = head
                .iter()
                .chain(tail)
                .map(|row| columns[c].cut(&row[c], *w).width())
                .fold(columns[c].name.width(), usize::max)
                .min(*w);
        }
    }

    /// The cells of a line, drawn by [`Lines`]: each shown column and its width, with the
    /// gap's `…` column (no column, width 1).
    fn lines(&self) -> Lines {
        let mut cells = Vec::with_capacity(self.shown.len() + 1);
        for (i, (&c, &w)) in self.shown.iter().zip(&self.widths).enumerate() {
            if self.gap == Some(i) {
                cells.push((None, 1));
            }
            cells.push((Some(c), w));
        }
        if self.gap == Some(self.shown.len()) {
            cells.push((None, 1));
        }
        Lines { cells }
    }
}

/// The lines of a laid-out table: its cells, worked out once for every line.
#[derive(Debug)]
struct Lines {
    cells: Vec<(Option<usize>, usize)>,
}

impl Lines {
    fn border(&self, text: &mut String, left: char, between: char, right: char, fill: char) {
        text.push(left);
        for (i, (_, w)) in self.cells.iter().enumerate() {
            if i > 0 {
                text.push(between);
            }
            text.extend(std::iter::repeat_n(fill, w + 2));
        }
        text.push(right);
        text.push('\n');
    }

    fn row(&self, text: &mut String, columns: &[Column], values: &[impl AsRef<str>], data: bool) {
        text.push('│');
        for (i, &(column, w)) in self.cells.iter().enumerate() {
            if i > 0 {
                text.push('┆');
            }
            text.push(' ');
            let Some(c) = column else {
                text.push('…');
                text.push(' ');
                continue;
            };
            let value = columns[c].cut(values[c].as_ref(), w);
            let pad = w.saturating_sub(value.width());
            if data && columns[c].numeric {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(&value);
            } else {
                text.push_str(&value);
                text.extend(std::iter::repeat_n(' ', pad));
            }
            text.push(' ');
        }
        text.push('│');
        text.push('\n');
    }

    /// A line across every column, its words centred (and cut if the table is narrower).
    fn spanning(&self, text: &mut String, words: &str) {
        let inner: usize = self.cells.iter().map(|(_, w)| w + 3).sum::<usize>() - 1;
        let words: String = words.chars().take(inner).collect();
        let words_width = words.width();
        let before = inner.saturating_sub(words_width) / 2;
        let after = inner.saturating_sub(words_width + before);
        text.push('│');
        text.extend(std::iter::repeat_n(' ', before));
        text.push_str(&words);
        text.extend(std::iter::repeat_n(' ', after));
        text.push('│');
        text.push('\n');
    }
}

/// Every row of `batches` as display text: NULL as `NULL`, control characters escaped.
pub(crate) fn format_rows<'a>(
    batches: impl IntoIterator<Item = &'a RecordBatch>,
) -> Result<Vec<Vec<String>>> {
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(display_error)?;
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .map(|f| one_line(f.value(row).to_string()))
                    .collect(),
            );
        }
    }
    Ok(rows)
}

/// A value on one line: `\n`, `\r`, `\t` and other control characters written as escapes.
fn one_line(value: String) -> String {
    if !value.chars().any(char::is_control) {
        return value;
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

fn display_error(e: arrow::error::ArrowError) -> Error {
    Error::Encode {
        format: "a table",
        source: Box::new(e),
    }
}

/// Writes `batch` as records: a `column = value` line per field, names aligned on the
/// widest, a blank line between rows. `first` says whether a record was written before.
pub fn write_records<W: Write>(
    batch: &RecordBatch,
    written_before: bool,
    out: &mut W,
) -> Result<()> {
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let name_width = names.iter().map(|n| n.width()).max().unwrap_or(0);
    let mut text = String::new();
    for (i, row) in format_rows([batch])?.into_iter().enumerate() {
        if written_before || i > 0 {
            text.push('\n');
        }
        for (name, value) in names.iter().zip(row) {
            text.extend(std::iter::repeat_n(' ', name_width - name.width()));
            text.push_str(name);
            text.push_str(" = ");
            text.push_str(&value);
            text.push('\n');
        }
    }
    out.write_all(text.as_bytes())
        .map_err(|source| Error::Write {
            path: "output".to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;

    fn batch(columns: &[(&str, Vec<&str>)]) -> RecordBatch {
        let schema = Schema::new(
            columns
                .iter()
                .map(|(name, _)| Field::new(*name, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        );
        RecordBatch::try_new(
            Arc::new(schema),
            columns
                .iter()
                .map(|(_, values)| {
                    Arc::new(values.iter().map(|v| Some(*v)).collect::<StringArray>()) as _
                })
                .collect(),
        )
        .unwrap()
    }

    fn render(batches: &[RecordBatch], screen: Option<Screen>) -> String {
        let mut table = TableText::new(batches[0].schema(), screen);
        for b in batches {
            table.push(b);
        }
        table.render().unwrap()
    }

    fn widest_line(text: &str) -> usize {
        text.lines().map(|l| l.width()).max().unwrap_or(0)
    }

    #[test]
    fn without_a_screen_everything_is_whole() {
        let title = "A very long title that goes on and on well past any terminal width at all";
        let b = batch(&[
            ("resourceid", vec!["i-0123456789abcdef0"]),
            ("title", vec![title]),
        ]);
        let text = render(&[b], None);
        assert!(text.contains(title), "{text}");
        assert!(!text.contains("rows"), "no footer without a screen: {text}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "{text}");
        assert_eq!(
            lines[1],
            format!(
                "│ resourceid          ┆ title{} │",
                " ".repeat(title.len() - 5)
            )
        );
        assert_eq!(lines[3], format!("│ i-0123456789abcdef0 ┆ {title} │"));
        assert!(
            lines.iter().all(|l| l.width() == lines[0].width()),
            "{text}"
        );
        assert!(
            lines[0].starts_with("┌─") && lines[2].starts_with("╞═") && lines[4].starts_with("└─")
        );
    }

    #[test]
    fn long_text_is_cut_and_ids_stay_whole() {
        let title = "A very long title that goes on and on well past any terminal width at all";
        let b = batch(&[
            ("resourceid", vec!["i-0123456789abcdef0"]),
            ("title", vec![title]),
            ("patch_id", vec!["KB5042572"]),
        ]);
        let text = render(
            &[b],
            Some(Screen {
                width: 60,
                max_rows: 0,
            }),
        );
        assert!(widest_line(&text) <= 60, "{text}");
        assert!(text.contains("i-0123456789abcdef0"));
        assert!(text.contains("KB5042572"));
        assert!(text.contains("┆ A very long title tha… ┆"), "{text}");
        assert!(text.ends_with("1 row · 3 columns\n"), "{text}");
    }

    #[test]
    fn columns_that_do_not_fit_are_left_out_from_the_middle() {
        let columns: Vec<(String, Vec<&str>)> = (0..12)
            .map(|i| (format!("column_{i:02}"), vec!["a value of some width"]))
            .collect();
        let refs: Vec<(&str, Vec<&str>)> = columns
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        let text = render(
            &[batch(&refs)],
            Some(Screen {
                width: 80,
                max_rows: 0,
            }),
        );
        assert!(widest_line(&text) <= 80, "{text}");
        let header = text.lines().nth(1).unwrap();
        assert!(header.starts_with("│ column_00"), "{header}");
        assert!(
            header
                .trim_end_matches('│')
                .trim_end()
                .ends_with("column_11"),
            "{header}"
        );
        assert!(header.contains("┆ … ┆"), "{header}");
        let shown = header.matches("column_").count();
        assert!(shown < 12);
        assert!(
            text.ends_with(&format!("1 row · 12 columns ({shown} shown)\n")),
            "{text}"
        );
    }

    #[test]
    fn id_lists_are_cut_between_ids() {
        let ids =
            "i-00000000000000001, i-00000000000000002, i-00000000000000003, i-00000000000000004";
        let b = batch(&[
            ("accountid", vec!["111122223333"]),
            ("non_compliant_resourceids", vec![ids]),
        ]);
        let text = render(
            &[b],
            Some(Screen {
                width: 70,
                max_rows: 0,
            }),
        );
        assert!(widest_line(&text) <= 70, "{text}");
        assert!(
            text.contains("i-00000000000000001, i-00000000000000002, …"),
            "{text}"
        );
        assert!(!text.contains("i-000000000000000…"), "{text}");
    }

    #[test]
    fn many_rows_show_the_first_and_the_last() {
        let ids: Vec<String> = (0..1234).map(|i| format!("i-{i:017}")).collect();
        let batches: Vec<RecordBatch> = ids
            .chunks(100)
            .map(|chunk| {
                let values: Vec<&str> = chunk.iter().map(String::as_str).collect();
                batch(&[("resourceid", values)])
            })
            .collect();
        let text = render(
            &batches,
            Some(Screen {
                width: 100,
                max_rows: 10,
            }),
        );
        let data: Vec<&str> = text.lines().filter(|l| l.contains("i-0")).collect();
        assert_eq!(data.len(), 10, "{text}");
        assert!(data[0].contains("i-00000000000000000"));
        assert!(data[4].contains("i-00000000000000004"));
        assert!(data[5].contains("i-00000000000001229"));
        assert!(data[9].contains("i-00000000000001233"));
        assert!(text.contains("… 1,224 more rows …"), "{text}");
        assert!(
            text.ends_with("1,234 rows (10 shown) · 1 column\n"),
            "{text}"
        );
        // Every line of the box is as wide as the others.
        let widths: Vec<usize> = text
            .lines()
            .filter(|l| !l.contains("rows ("))
            .map(|l| l.width())
            .collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "{text}");
        // max_rows 0 shows all.
        let all = render(
            &batches,
            Some(Screen {
                width: 100,
                max_rows: 0,
            }),
        );
        assert_eq!(all.lines().filter(|l| l.contains("i-0")).count(), 1234);
    }

    #[test]
    fn a_terminal_narrower_than_one_id_still_gets_lines_that_fit() {
        let batches: Vec<RecordBatch> = (0..30)
            .map(|i| batch(&[("resourceid", vec![format!("i-{i:017}").as_str()])]))
            .collect();
        let text = render(
            &batches,
            Some(Screen {
                width: 12,
                max_rows: 4,
            }),
        );
        for line in text.lines().filter(|l| l.starts_with(['┌', '│', '╞', '└'])) {
            assert!(line.width() <= 12, "{line}\n{text}");
        }
        assert!(text.contains("│ i-00000… │"), "{text}");
    }

    #[test]
    fn numbers_align_right_and_controls_are_escaped() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("note", DataType::Utf8, true),
        ]));
        let b = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![7, 1200])),
                Arc::new(StringArray::from(vec![Some("two\nlines"), None])),
            ],
        )
        .unwrap();
        let text = render(&[b], None);
        assert!(text.contains("│    7 ┆ two\\nlines │"), "{text}");
        assert!(text.contains("│ 1200 ┆ NULL       │"), "{text}");
    }

    #[test]
    fn records_are_lines_of_name_and_value() {
        let b = batch(&[("accountid", vec!["1", "2"]), ("id", vec!["a", "b"])]);
        let mut out = Vec::new();
        write_records(&b, false, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "accountid = 1\n       id = a\n\naccountid = 2\n       id = b\n"
        );
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
