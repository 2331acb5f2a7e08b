//! Output: query results rendered in one of the [`Format`]s, to any writer or atomically to a
//! file.
//!
//! In: a stream of record batches (or batches in memory), a format. Out: bytes written and a
//! row count. Files are written to a temporary file beside the target and renamed over it
//! only when everything succeeded, so a failed command leaves no partial file behind and
//! keeps any previous file intact.
//!
//! - `table`: a box table (see [`crate::output::text_table`]): on a terminal fitted to its width and
//!   row limit with a footer, elsewhere every row and column whole (rows are gathered first
//!   to size the columns);
//! - `line`: a `column = value` line per field, a blank line between rows;
//! - `csv`: a header row, RFC 4180 quoting, NULL as an empty field;
//! - `json`: one JSON array of objects; `ndjson`: one object per line; NULLs written as `null`;
//! - `parquet`: zstd-compressed, column types kept;
//! - `html`: one self-contained page with the table (see [`crate::output::html`]), headed by
//!   [`OutputOptions::title`].

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use futures::StreamExt;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::error::{Error, Result};
use crate::output::html::Page;
use crate::output::text_table::{Screen, TableText, write_records};
use crate::sql::dialect::WrittenName;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A text table for people.
    Table,
    /// A `column = value` line per field, for wide rows.
    Line,
    /// Comma-separated values with a header.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet.
    Parquet,
    /// A self-contained HTML page.
    Html,
}

impl Format {
    /// The format a file extension implies: `.csv`, `.json`, `.ndjson`/`.jsonl`, `.parquet`,
    /// `.txt` (a table).
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => Format::Csv,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "parquet" | "pq" => Format::Parquet,
            "txt" => Format::Table,
            "html" | "htm" => Format::Html,
            _ => return None,
        })
    }

    /// Every format, in the order help lists them.
    pub const ALL: [Format; 7] = [
        Format::Table,
        Format::Line,
        Format::Csv,
        Format::Json,
        Format::Ndjson,
        Format::Parquet,
        Format::Html,
    ];

    /// The name `--format` knows it by.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Line => "line",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Parquet => "parquet",
            Format::Html => "html",
        }
    }

    /// What the format writes, for help text.
    pub fn description(self) -> &'static str {
        match self {
            Format::Table => "A text table fitted to the terminal",
            Format::Line => {
                "A `column = value` line per field, a blank line between rows (for wide rows)"
            }
            Format::Csv => "CSV with a header row (RFC 4180 quoting)",
            Format::Json => "One JSON array of objects",
            Format::Ndjson => "One JSON object per line",
            Format::Parquet => "Apache Parquet (zstd), column types kept",
            Format::Html => "One self-contained HTML page with the table (loads nothing)",
        }
    }

    /// Whether two columns may carry one name (a table, records, CSV), so a result shows
    /// the names as written; JSON and Parquet need unique ones (`name`, `name_1`).
    pub fn repeats_names(self) -> bool {
        matches!(
            self,
            Format::Table | Format::Line | Format::Csv | Format::Html
        )
    }

    /// Whether the output is binary (unfit for a terminal).
    pub fn is_binary(self) -> bool {
        self == Format::Parquet
    }
}

/// `table`, `line`, `csv`, `json`, `ndjson`, `parquet` or `html` (any case): the one parser of
/// format names, for `--format` and the shell's `\format`.
impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(name: &str) -> std::result::Result<Format, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownFormat(name.to_owned()))
    }
}

/// A format name that is none of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown format `{0}`; formats: table, line, csv, json, ndjson, parquet, html")]
pub struct UnknownFormat(pub String);

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How output is shaped beyond its format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputOptions {
    /// The terminal a `table` is fitted to; `None` (a pipe, a file) writes every row and
    /// column whole.
    pub screen: Option<Screen>,
    /// What an `html` page is headed with (a report's title, the command); `None`: "Query
    /// result".
    pub title: Option<String>,
}

/// Writes every batch of `stream` to `out` in `format`; returns the number of rows.
pub async fn write_stream<W: Write + Send>(
    mut stream: SendableRecordBatchStream,
    format: Format,
    options: OutputOptions,
    out: W,
) -> Result<u64> {
    let mut writer = FormatWriter::new(format, stream.schema(), options, out)?;
    let mut rows = 0;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        rows += batch.num_rows() as u64;
        writer.write(&batch)?;
    }
    writer.finish()?;
    Ok(rows)
}

/// `stream` with the columns in `renamed` under the names they were written with, for the
/// formats that [`Format::repeats_names`].
pub fn with_written_names(
    stream: SendableRecordBatchStream,
    renamed: &[WrittenName],
) -> SendableRecordBatchStream {
    if renamed.is_empty() {
        return stream;
    }
    let schema = stream.schema();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(
            |field| match renamed.iter().find(|r| &r.unique == field.name()) {
                Some(r) => field.as_ref().clone().with_name(r.written.as_str()),
                None => field.as_ref().clone(),
            },
        )
        .collect();
    let written = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let batches = {
        let written = Arc::clone(&written);
        stream.map(move |batch| {
            let batch = batch?;
            Ok(RecordBatch::try_new(
                Arc::clone(&written),
                batch.columns().to_vec(),
            )?)
        })
    };
    Box::pin(RecordBatchStreamAdapter::new(written, batches))
}

/// Writes batches already in memory.
pub fn write_batches<W: Write + Send>(
    schema: SchemaRef,
    batches: &[RecordBatch],
    format: Format,
    options: OutputOptions,
    out: W,
) -> Result<u64> {
    let mut writer = FormatWriter::new(format, schema, options, out)?;
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    Ok(batches.iter().map(|b| b.num_rows() as u64).sum())
}

/// A file that appears at its path only when [`AtomicFile::commit`] is called; dropped
/// uncommitted, it vanishes.
#[derive(Debug)]
pub struct AtomicFile {
    target: std::path::PathBuf,
    temp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Starts writing a file that will replace `target`.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let write_error = |source| Error::Write {
            path: target.display().to_string(),
            source,
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| write_error(std::io::Error::other("the path names no file")))?;
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{}.", name.to_string_lossy()))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(write_error)?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
        })
    }

    /// The file being written.
    pub fn file(&mut self) -> &mut std::fs::File {
        self.temp.as_file_mut()
    }

    /// Flushes to disk and moves the file into place.
    pub fn commit(self) -> Result<()> {
        let target = self.target;
        let write_error = |source| Error::Write {
            path: target.display().to_string(),
            source,
        };
        self.temp.as_file().sync_all().map_err(write_error)?;
        self.temp
            .persist(&target)
            .map_err(|e| write_error(e.error))?;
        Ok(())
    }
}

/// Writes `stream` to `path` in `format`, atomically; returns the number of rows.
pub async fn write_file(
    stream: SendableRecordBatchStream,
    format: Format,
    options: OutputOptions,
    path: &Path,
) -> Result<u64> {
    let mut file = AtomicFile::create(path)?;
    let rows = write_stream(
        stream,
        format,
        options,
        std::io::BufWriter::new(file.file()),
    )
    .await?;
    file.commit()?;
    Ok(rows)
}

enum FormatWriter<W: Write + Send> {
    Table {
        table: TableText,
        out: W,
    },
    Line {
        out: W,
        wrote: bool,
    },
    Csv {
        schema: SchemaRef,
        writer: Box<arrow::csv::Writer<W>>,
        wrote: bool,
    },
    Json(Box<arrow::json::Writer<W, arrow::json::writer::JsonArray>>),
    Ndjson(Box<arrow::json::Writer<W, arrow::json::writer::LineDelimited>>),
    Parquet(Box<ArrowWriter<W>>),
    Html {
        title: String,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        out: W,
    },
}

impl<W: Write + Send> FormatWriter<W> {
    fn new(format: Format, schema: SchemaRef, options: OutputOptions, out: W) -> Result<Self> {
        let json = || arrow::json::WriterBuilder::new().with_explicit_nulls(true);
        Ok(match format {
            Format::Table => FormatWriter::Table {
                table: TableText::new(schema, options.screen),
                out,
            },
            Format::Line => FormatWriter::Line { out, wrote: false },
            Format::Csv => FormatWriter::Csv {
                schema,
                writer: Box::new(
                    arrow::csv::WriterBuilder::new()
                        .with_header(true)
                        .build(out),
                ),
                wrote: false,
            },
            Format::Json => FormatWriter::Json(Box::new(json().build(out))),
            Format::Ndjson => FormatWriter::Ndjson(Box::new(json().build(out))),
            Format::Parquet => {
                let properties = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::default()))
                    .build();
                let writer = ArrowWriter::try_new(out, schema, Some(properties))
                    .map_err(encode("Parquet"))?;
                FormatWriter::Parquet(Box::new(writer))
            }
            Format::Html => FormatWriter::Html {
                title: options.title.unwrap_or_else(|| "Query result".to_owned()),
                schema,
                batches: Vec::new(),
                out,
            },
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        match self {
            FormatWriter::Table { table, .. } => table.push(batch),
            FormatWriter::Line { out, wrote } => {
                write_records(batch, *wrote, out)?;
                *wrote |= batch.num_rows() > 0;
            }
            FormatWriter::Csv { writer, wrote, .. } => {
                writer.write(batch).map_err(encode("CSV"))?;
                *wrote = true;
            }
            FormatWriter::Json(w) => w.write(batch).map_err(encode("JSON"))?,
            FormatWriter::Ndjson(w) => w.write(batch).map_err(encode("JSON"))?,
            FormatWriter::Parquet(w) => w.write(batch).map_err(encode("Parquet"))?,
            FormatWriter::Html { batches, .. } => batches.push(batch.clone()),
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        match self {
            FormatWriter::Table { table, mut out } => {
                out.write_all(table.render()?.as_bytes())
                    .map_err(io_error)?;
                out.flush().map_err(io_error)
            }
            FormatWriter::Line { mut out, .. } => out.flush().map_err(io_error),
            FormatWriter::Csv {
                schema,
                mut writer,
                wrote,
            } => {
                if !wrote {
                    // An empty result still gets its header.
                    writer
                        .write(&RecordBatch::new_empty(schema))
                        .map_err(encode("CSV"))?;
                }
                writer.into_inner().flush().map_err(io_error)
            }
            FormatWriter::Json(mut w) => {
                w.finish().map_err(encode("JSON"))?;
                let mut out = w.into_inner();
                out.write_all(b"\n").map_err(io_error)?;
                out.flush().map_err(io_error)
            }
            FormatWriter::Ndjson(mut w) => {
                w.finish().map_err(encode("JSON"))?;
                w.into_inner().flush().map_err(io_error)
            }
            FormatWriter::Parquet(w) => {
                let mut out = w.into_inner().map_err(encode("Parquet"))?;
                out.flush().map_err(io_error)
            }
            FormatWriter::Html {
                title,
                schema,
                batches,
                mut out,
            } => {
                let rows = arrow::compute::concat_batches(&schema, &batches)?;
                let mut page = Page::new(&title);
                page.fact(
                    "Rows",
                    &format!("{} × {} columns", rows.num_rows(), rows.num_columns()),
                );
                page.table(&rows, None, None)?;
                out.write_all(page.render().as_bytes()).map_err(io_error)?;
                out.flush().map_err(io_error)
            }
        }
    }
}

fn encode<E: std::error::Error + Send + Sync + 'static>(
    format: &'static str,
) -> impl Fn(E) -> Error {
    move |e| Error::Encode {
        format,
        source: Box::new(e),
    }
}

/// Errors of the output itself (a closed pipe, a full disk) keep their kind so callers can
/// tell a closed pipe from a real failure.
fn io_error(source: std::io::Error) -> Error {
    Error::Write {
        path: "output".to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse_back_in_any_case_and_unknown_ones_list_the_known() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
            assert_eq!(format.name().to_uppercase().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string(), format.name());
        }
        assert_eq!(
            "xml".parse::<Format>().unwrap_err().to_string(),
            "Unknown format `xml`; formats: table, line, csv, json, ndjson, parquet, html"
        );
        assert_eq!(
            Format::from_extension(Path::new("a/b.JSONL")),
            Some(Format::Ndjson)
        );
        assert_eq!(
            Format::from_extension(Path::new("b.txt")),
            Some(Format::Table)
        );
        assert_eq!(Format::from_extension(Path::new("b.xlsx")), None);
    }
}
