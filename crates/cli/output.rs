//! Where results and messages go: data to stdout or an atomically written file, everything
//! else to stderr in one shape (`note:`, `warning:`, `error:` with causes and a hint).

use std::io::{BufWriter, IsTerminal, Stdout, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use arrow::array::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use ssmq_core::Error as CoreError;
use ssmq_core::LakeSession;
use ssmq_core::cache::history::time_text;
use ssmq_core::cache::{Backfill, SyncSummary};
use ssmq_core::error::Refusal;
use ssmq_core::lake::discover::{SkipReason, display_prefix};
use ssmq_core::lake::read::BadLine;
use ssmq_core::output::export::TableExported;
use ssmq_core::output::format::{
    AtomicFile, Format, OutputOptions, with_written_names, write_file, write_stream,
};
use ssmq_core::output::text_table::Screen;
use ssmq_core::sql::dialect::WrittenName;
use ssmq_core::sql::reports::Report;
use ssmq_core::sql::session::UnmatchedFilter;

use crate::cli::GlobalArgs;
use crate::progress::Progress;
use crate::report_help;

/// How many faults of a kind are listed without `-v`.
const LISTED_WITHOUT_VERBOSE: usize = 10;

/// The destination of results.
#[derive(Debug)]
pub struct Output {
    path: Option<PathBuf>,
    /// `--max-rows`, for tables on a terminal.
    max_rows: Option<usize>,
    stdout_is_terminal: bool,
    pipe_closed: Arc<AtomicBool>,
    progress: Mutex<Progress>,
}

impl Output {
    pub fn new(global: &GlobalArgs) -> Self {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        Output {
            path: global.output.clone(),
            max_rows: global.max_rows,
            stdout_is_terminal,
            pipe_closed: Arc::new(AtomicBool::new(false)),
            progress: Mutex::new(Progress::none()),
        }
    }

    /// The progress line to clear when results start reaching a terminal.
    pub fn show_progress(&self, progress: Progress) {
        *self.progress.lock().unwrap_or_else(|p| p.into_inner()) = progress;
    }

    /// Whether results go to an `--output` file.
    pub fn writes_file(&self) -> bool {
        self.path.is_some()
    }

    /// A blank line on stdout between two results.
    pub fn write_separator(&self) -> anyhow::Result<()> {
        let mut stdout = self.stdout();
        stdout.write_all(b"\n")?;
        stdout.flush()?;
        Ok(())
    }

    /// Whether stdout was closed by its reader (`| head`): the command then ends quietly.
    pub fn pipe_closed(&self) -> bool {
        self.pipe_closed.load(Ordering::Relaxed)
    }

    /// Runs a query and writes its results; `renamed` columns show the names they were
    /// written with where the format allows two columns one name.
    pub async fn write_frame(
        &self,
        frame: DataFrame,
        renamed: &[WrittenName],
        format: Format,
    ) -> anyhow::Result<()> {
        self.write_titled_frame(frame, renamed, format, None).await
    }

    /// [`Output::write_frame`], an `html` page headed `title` (a report's) instead of the
    /// command line.
    pub async fn write_titled_frame(
        &self,
        frame: DataFrame,
        renamed: &[WrittenName],
        format: Format,
        title: Option<&str>,
    ) -> anyhow::Result<()> {
        self.check_terminal(format)?;
        let mut stream = frame.execute_stream().await.map_err(CoreError::from)?;
        if format.repeats_names() {
            stream = with_written_names(stream, renamed);
        }
        self.write_results(stream, format, title).await
    }

    /// Writes batches already in memory (catalog overviews, the report list).
    pub async fn write_batch(&self, batch: &RecordBatch, format: Format) -> anyhow::Result<()> {
        self.check_terminal(format)?;
        let schema = batch.schema();
        let stream =
            RecordBatchStreamAdapter::new(schema, futures::stream::iter([Ok(batch.clone())]));
        self.write_results(Box::pin(stream), format, None).await
    }

    /// The report list: a line per report in a table's place, every field in the other formats.
    pub async fn write_report_list(
        &self,
        reports: &[Report],
        format: Format,
    ) -> anyhow::Result<()> {
        if format == Format::Table {
            self.write_text(&report_help::list_text(reports))
        } else {
            self.write_batch(&report_help::list_batch(reports), format)
                .await
        }
    }

    /// Text for people (a report's description, the report list) to stdout or the file.
    pub fn write_text(&self, text: &str) -> anyhow::Result<()> {
        match &self.path {
            Some(path) => {
                let mut file = AtomicFile::create(path)?;
                file.file()
                    .write_all(text.as_bytes())
                    .with_context(|| format!("Failed to write `{}`", path.display()))?;
                file.commit()?;
            }
            None => {
                let mut stdout = self.stdout();
                stdout.write_all(text.as_bytes())?;
                stdout.flush()?;
            }
        }
        Ok(())
    }

    fn stdout(&self) -> PipeWriter {
        PipeWriter {
            out: BufWriter::new(std::io::stdout()),
            closed: Arc::clone(&self.pipe_closed),
            progress: None,
        }
    }

    async fn write_results(
        &self,
        stream: SendableRecordBatchStream,
        format: Format,
        title: Option<&str>,
    ) -> anyhow::Result<()> {
        // Only a page has a heading.
        let title =
            (format == Format::Html).then(|| title.map_or_else(command_line, str::to_owned));
        match &self.path {
            Some(path) => {
                // A file gets every row and every column, whatever the terminal.
                let options = OutputOptions {
                    screen: None,
                    title,
                };
                let rows = write_file(stream, format, options, path)
                    .await
                    .with_context(|| format!("Failed to write `{}`", path.display()))?;
                eprintln!(
                    "Wrote {rows} row{} to `{}`",
                    if rows == 1 { "" } else { "s" },
                    path.display()
                );
            }
            None => {
                let stdout = PipeWriter {
                    out: BufWriter::new(std::io::stdout()),
                    closed: Arc::clone(&self.pipe_closed),
                    progress: self.stdout_is_terminal.then(|| {
                        self.progress
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .clone()
                    }),
                };
                // The terminal's size now: a shell's window may have been resized.
                let options = OutputOptions {
                    screen: self.stdout_is_terminal.then(|| screen(self.max_rows)),
                    title,
                };
                write_stream(stream, format, options, stdout).await?;
            }
        }
        Ok(())
    }

    fn check_terminal(&self, format: Format) -> anyhow::Result<()> {
        if format.is_binary() && self.path.is_none() && self.stdout_is_terminal {
            bail!(
                "Parquet is binary and stdout is a terminal; pass --output FILE.parquet or redirect stdout"
            );
        }
        Ok(())
    }
}

/// An age for people: `42 s`, `3 min 5 s`, `2 h 10 min`.
fn age_text(age: chrono::TimeDelta) -> String {
    let seconds = age.num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min {} s", seconds / 60, seconds % 60),
        _ => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
    }
}

/// The command line as run (`ssmq` and its arguments), each argument quoted when it needs to
/// be: an evidence bundle's record of how it was made, an HTML page's heading.
pub fn command_line() -> String {
    let arguments = std::env::args().skip(1).map(|arg| {
        if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || "\"'$`\\".contains(c)) {
            format!("'{}'", arg.replace('\'', "'\\''"))
        } else {
            arg
        }
    });
    std::iter::once("ssmq".to_owned())
        .chain(arguments)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The terminal's size as tables are fitted to it: `$COLUMNS` and `$LINES` where set, else
/// what the terminal says, else 80 by 24. Without `--max-rows`, as many rows as leave the
/// table's frame, its footer and the next prompt on screen (at least 10).
fn screen(max_rows: Option<usize>) -> Screen {
    let from_env = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
    };
    let size = terminal_size::terminal_size_of(std::io::stdout());
    let width = from_env("COLUMNS")
        .or(size.map(|(w, _)| usize::from(w.0)))
        .unwrap_or(80);
    let height = from_env("LINES")
        .or(size.map(|(_, h)| usize::from(h.0)))
        .unwrap_or(24);
    Screen {
        width,
        max_rows: max_rows.unwrap_or_else(|| height.saturating_sub(LINES_AROUND_ROWS).max(10)),
    }
}

/// Lines a table on a terminal takes besides its rows: three above them (border, header,
/// rule), the line of left-out rows, the bottom border and the footer, and two for the
/// command line and the prompt after it.
const LINES_AROUND_ROWS: usize = 8;

/// Stdout that remembers a closed pipe, so the error it causes can end the command quietly,
/// and clears the progress line before the first result reaches a terminal.
struct PipeWriter {
    out: BufWriter<Stdout>,
    closed: Arc<AtomicBool>,
    progress: Option<Progress>,
}

impl PipeWriter {
    fn note<T>(&self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            self.closed.store(true, Ordering::Relaxed);
        }
        result
    }
}

impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(progress) = self.progress.take() {
            progress.clear();
        }
        let result = self.out.write(buf);
        self.note(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.out.flush();
        self.note(result)
    }
}

/// Messages for people, on stderr.
#[derive(Debug)]
pub struct Stderr {
    verbose: u8,
    /// Hints name the shell's commands (`\d TABLE`) rather than ssmq's (`ssmq describe`).
    in_shell: bool,
}

impl Stderr {
    pub fn new(verbose: u8) -> Self {
        Stderr {
            verbose,
            in_shell: false,
        }
    }

    /// The same, with hints for someone typing in the shell.
    pub fn for_shell(&self) -> Self {
        Stderr {
            verbose: self.verbose,
            in_shell: true,
        }
    }

    pub fn notice(&self, message: &str) {
        eprintln!("note: {message}");
    }

    /// What `ssmq sync` did, in one line (and where the cache is, with -v).
    pub fn synced(&self, summary: &SyncSummary, dir: &std::path::Path) {
        eprintln!(
            "Synced {} objects: {} new or changed read ({:.1} MB), {} dropped, {} unchanged; requests: {} listings, {} reads; {:.2} s",
            summary.objects,
            summary.read,
            summary.read_bytes as f64 / 1e6,
            summary.dropped,
            summary.objects - summary.read,
            summary.requests.list_delimited + summary.requests.list,
            summary.requests.get,
            summary.elapsed.as_secs_f64()
        );
        if summary.compacted > 0 {
            eprintln!(
                "Compacted into {} new segment{}: rows no longer needed left out, small segments merged",
                summary.compacted,
                plural(summary.compacted)
            );
        }
        if self.verbose > 0 {
            eprintln!("cache: {}", dir.display());
        }
        self.skipped_lines(&summary.bad_lines, "; the cache holds the rest");
        self.skipped_objects(&summary.unreadable, "; the next sync tries again");
    }

    /// What `ssmq backfill` read, or would read, and what it skipped.
    pub fn backfilled(&self, done: &Backfill, dry_run: bool) {
        eprintln!("{}", backfill_line(done, dry_run));
        self.skipped_lines(&done.bad_lines, "; the cache holds the rest");
        self.skipped_objects(&done.unreadable, "; left out of the history");
    }

    /// Where the answers come from, when a session reads the cache: what syncing it did (if
    /// anything changed, or with -v), and malformed lines the cache was built without.
    pub fn cache(&self, session: &LakeSession) {
        let Some(lake) = session.cached() else {
            return;
        };
        match session.synced() {
            Some(summary) if summary.read > 0 || summary.dropped > 0 || self.verbose > 0 => {
                self.synced(summary, lake.dir());
            }
            Some(_) => {}
            None => match session.checked_without_sync() {
                Some(checked) => self.notice(&format!(
                    "Answering from the cache, last compared with the source {} ago \
                     (within --max-age; --refresh syncs first)",
                    age_text(chrono::Utc::now() - checked)
                )),
                None => self.notice(&format!(
                    "--offline: answering from the cache synced at {}",
                    lake.synced_at().format("%Y-%m-%d %H:%M:%S UTC")
                )),
            },
        }
        if let Some(past) = lake.past() {
            self.notice(&past.to_string());
        }
        if lake.skipped_lines() > 0 {
            self.warning(&format!(
                "The cache was synced with --skip-bad-lines and lacks {} malformed line{}",
                lake.skipped_lines(),
                plural(lake.skipped_lines() as usize)
            ));
        }
    }

    /// The summary line of a table written by `ssmq export`.
    pub fn exported(&self, table: &TableExported) {
        eprintln!(
            "{}: {} rows in {} file{}, {:.1} MB, {:.2} s",
            table.table,
            table.rows,
            table.files,
            plural(table.files),
            table.bytes as f64 / 1e6,
            table.elapsed.as_secs_f64()
        );
    }

    /// Malformed lines skipped with --skip-bad-lines; `then` ends the warning.
    fn skipped_lines(&self, bad: &[BadLine], then: &str) {
        if bad.is_empty() {
            return;
        }
        let objects: std::collections::BTreeSet<&str> =
            bad.iter().map(|b| b.key.as_str()).collect();
        self.warning(&format!(
            "Skipped {} malformed line{} in {} object{} (--skip-bad-lines){then}:",
            bad.len(),
            plural(bad.len()),
            objects.len(),
            plural(objects.len())
        ));
        self.list(bad.iter().map(|b| format!("`{}` {}", b.key, b.fault)));
    }

    /// Objects skipped with --skip-unreadable, with why; `then` ends the warning.
    fn skipped_objects(&self, unreadable: &[(String, String)], then: &str) {
        if unreadable.is_empty() {
            return;
        }
        self.warning(&format!(
            "Skipped {} object{} that could not be read (--skip-unreadable){then}:",
            unreadable.len(),
            plural(unreadable.len())
        ));
        self.list(
            unreadable
                .iter()
                .map(|(object, why)| format!("`{object}`: {why}")),
        );
    }

    fn warning(&self, message: &str) {
        eprintln!("warning: {message}");
    }

    fn detail(&self, message: &str) {
        eprintln!("  {message}");
    }

    /// What the command found of the lake and passed over: filters that matched nothing
    /// (always), the layout, listings and every skipped entry (with -v), or just the count of
    /// skipped entries (`count_skips`, for `ssmq tables`).
    pub fn lake(&self, session: &LakeSession, count_skips: bool) {
        for filter in session.unmatched_filters() {
            let flag = match filter {
                UnmatchedFilter::Account(id) => format!("--account {id}"),
                UnmatchedFilter::Region(region) => format!("--region {region}"),
            };
            self.warning(&format!("`{flag}` matched no partition of the lake"));
        }
        let skipped = session.skipped();
        if self.verbose == 0 {
            let n = skipped.len();
            if count_skips && n > 0 {
                self.notice(&format!(
                    "{n} {} not inventory and {} skipped (the sync's probe objects, stray files); -v lists them",
                    if n == 1 { "entry is" } else { "entries are" },
                    if n == 1 { "was" } else { "were" },
                ));
            }
            return;
        }
        if let Some(s3) = session.s3_connection() {
            self.notice(&format!(
                "S3: region {} (from {}), credentials from {}{}",
                s3.region,
                s3.region_source,
                s3.credentials,
                s3.endpoint
                    .as_ref()
                    .map(|e| format!(", endpoint {e}"))
                    .unwrap_or_default()
            ));
        }
        let layout = session.layout();
        let listed = session.listed();
        let objects: usize = listed.iter().map(|l| l.objects.len()).sum();
        let pruned: usize = listed.iter().map(|l| l.pruned_partitions).sum();
        self.notice(&format!(
            "Found {} type folders under `{}`; listed {} of them: {objects} objects, {pruned} partition folders left unlisted by filters",
            layout.types.len(),
            display_prefix(&layout.root),
            listed.len(),
        ));
        if !skipped.is_empty() {
            let probes = skipped
                .iter()
                .filter(|s| s.reason == SkipReason::Probe)
                .count();
            let n = skipped.len();
            self.notice(&format!(
                "Skipped {n} {} that {} not inventory ({probes} of them the sync's probe objects):",
                if n == 1 { "entry" } else { "entries" },
                if n == 1 { "is" } else { "are" },
            ));
            for entry in &skipped {
                self.detail(&format!("`{}`: {}", entry.location, entry.reason));
            }
        }
    }

    /// Faults met while reading, and with -v what reading cost.
    pub fn reads(&self, session: &LakeSession, elapsed: Duration) {
        let report = session.read_report();
        let requests = session.requests();
        self.skipped_lines(&report.bad_lines(), "");
        let conflicts = report.conflicts();
        if !conflicts.is_empty() {
            self.warning(&format!(
                "{} line{} hold two spellings of one column with different values; the first value was kept:",
                conflicts.len(),
                plural(conflicts.len())
            ));
            self.list(
                conflicts
                    .iter()
                    .map(|c| format!("`{}` line {}: column `{}`", c.key, c.line, c.column)),
            );
        }
        self.skipped_objects(&report.unreadable(), "");
        let unknown = report.unknown_keys();
        if !unknown.is_empty() {
            self.warning(&format!(
                "{} key{} appeared in objects that changed while the query ran and are not in the results:",
                unknown.len(),
                plural(unknown.len())
            ));
            self.list(
                unknown
                    .iter()
                    .map(|(object, key)| format!("`{object}`: key `{key}`")),
            );
        }
        if self.verbose > 0 {
            self.notice(&format!(
                "Made {} folder listings and {} recursive listings ({} entries, {:.1} s with listings in flight) \
                 and {} reads ({:.1} MB, {:.1} s with reads in flight); {:.1} s in all",
                requests.list_delimited,
                requests.list,
                requests.listed,
                requests.list_time.as_secs_f64(),
                requests.get,
                requests.get_bytes as f64 / 1e6,
                requests.get_time.as_secs_f64(),
                elapsed.as_secs_f64(),
            ));
            if let Some(s3) = session.s3_connection() {
                let sent = s3.requests.counts();
                self.notice(&format!(
                    "S3 requests sent: {} LIST, {} GET, {} other; {} throttled and {} server errors, retried",
                    sent.list, sent.get, sent.other, sent.throttled, sent.server_errors
                ));
            }
        }
    }

    fn list(&self, items: impl ExactSizeIterator<Item = String>) {
        let total = items.len();
        let shown = if self.verbose > 0 {
            total
        } else {
            LISTED_WITHOUT_VERBOSE
        };
        for item in items.take(shown) {
            self.detail(&item);
        }
        if total > shown {
            self.detail(&format!("… and {} more (-v lists all)", total - shown));
        }
    }

    /// An error in uv's shape: the message, its causes, and a hint where one helps.
    pub fn error(&self, error: &anyhow::Error) {
        for (i, cause) in error.chain().enumerate() {
            let text = cause.to_string();
            let text = text.trim();
            if i == 0 {
                eprintln!("error: {text}");
            } else if !text.is_empty() {
                eprintln!("  Caused by: {text}");
            }
        }
        if let Some(hint) = hint(error, self.in_shell) {
            eprintln!("hint: {hint}");
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn hint(error: &anyhow::Error, in_shell: bool) -> Option<String> {
    let core = error.chain().find_map(CoreError::find_in)?;
    let (tables, describe, reports) = if in_shell {
        ("\\d", "\\d TABLE", "\\reports")
    } else {
        (
            "`ssmq tables`",
            "`ssmq describe TABLE`",
            "`ssmq report list`",
        )
    };
    Some(match core {
        CoreError::MalformedLine { .. } => {
            "pass --skip-bad-lines to skip malformed lines; they are counted and listed on stderr".to_owned()
        }
        CoreError::NoSyncData { .. } => {
            "point --source at a copy of the sync bucket, or at the prefix holding `AWS:InstanceInformation/`".to_owned()
        }
        CoreError::AmbiguousSyncRoot { .. } => "pass one of the prefixes above as --source".to_owned(),
        CoreError::UnknownTable { .. } => format!("{tables} lists the tables; {describe} their columns"),
        CoreError::UnknownReport { .. } => format!("{reports} lists the reports and their parameters"),
        CoreError::ReportParam { report, .. } if in_shell => {
            format!("\\report {report} name=value sets a parameter; {reports} lists the reports and their parameters")
        }
        CoreError::ReportParam { report, .. } => {
            format!("`ssmq report {report} --help` describes its parameters, given as --param name=value")
        }
        CoreError::NotSynced { .. } => "run `ssmq sync` first, or drop --offline".to_owned(),
        CoreError::PastWithoutCache { .. } => {
            "run `ssmq sync` to start the cache: each sync that changes anything then adds a snapshot".to_owned()
        }
        CoreError::NoHistory => "the next `ssmq sync` rebuilds the cache and takes its first snapshot".to_owned(),
        CoreError::BeforeHistory { .. } => "`ssmq history` lists the snapshots kept".to_owned(),
        CoreError::SampleNotCached => {
            "pass --source DIR or --source s3://bucket/prefix to sync a lake of your own".to_owned()
        }
        CoreError::CacheDamaged { .. } => {
            "remove the cache's folder for this source (the next sync rebuilds it), or run with --no-cache".to_owned()
        }
        CoreError::ExportMarker { .. } => "remove the marker to start a new export there".to_owned(),
        e @ CoreError::Query(_) if e.is_unknown_column() => {
            format!("{describe} lists a table's columns")
        }
        CoreError::PlainHttp { .. } => "use https://, or pass --allow-http if you mean it".to_owned(),
        CoreError::NoCredentials { .. } => "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, choose a profile with \
            --profile or AWS_PROFILE (after `aws sso login` for SSO profiles), or pass --no-sign-request for a public bucket"
            .to_owned(),
        CoreError::Credentials { profile, .. } => {
            format!("check profile `{profile}` in your AWS config; for an SSO profile run `aws sso login --profile {profile}`")
        }
        CoreError::BucketNotFound { .. } => {
            "check the bucket name, and that these credentials may see it".to_owned()
        }
        CoreError::List {
            location,
            refused: Some(_),
            ..
        } => format!(
            "the credentials need s3:ListBucket on `{}` (for this prefix)",
            bucket_of(location)
        ),
        CoreError::Read {
            key,
            refused: Some(Refusal::KmsDenied),
            ..
        } => format!(
            "the credentials need s3:GetObject on `{key}`, and kms:Decrypt on the KMS key the bucket encrypts with"
        ),
        CoreError::Read {
            key,
            refused: Some(Refusal::AccessDenied),
            ..
        } => format!(
            "the credentials need s3:GetObject on `{key}` (and kms:Decrypt on the bucket's KMS key if it is SSE-KMS encrypted)"
        ),
        CoreError::ReadVersion { key, .. } => format!(
            "the credentials need s3:GetObjectVersion on `{key}` to read the versions a versioned bucket keeps"
        ),
        CoreError::ListVersions {
            location,
            denied: true,
            ..
        } => format!(
            "the credentials need s3:ListBucketVersions on `{}` to list the versions it keeps",
            bucket_of(location)
        ),
        CoreError::BackfillNeedsVersions { .. } => {
            "pass --source s3://bucket/prefix of a bucket with versioning turned on".to_owned()
        }
        CoreError::BackfillWouldLose { .. } => {
            "the cache's history already covers what the bucket lost; `ssmq history` lists its snapshots (drop --since to keep them)".to_owned()
        }
        CoreError::Read { .. } => {
            "pass --skip-unreadable to skip objects that still fail after retries (they are listed on stderr)".to_owned()
        }
        _ => return None,
    })
}

/// `audit-sync` of `s3://audit-sync/prefix/`.
fn bucket_of(location: &str) -> &str {
    let rest = location.strip_prefix("s3://").unwrap_or(location);
    rest.split('/').next().unwrap_or(rest)
}

/// What the backfill read or would read, in a line.
fn backfill_line(done: &Backfill, dry_run: bool) -> String {
    let listed = format!(
        "{} versions and delete markers listed in {} request{}",
        done.listed,
        done.list_pages,
        if done.list_pages == 1 { "" } else { "s" }
    );
    if done.nothing_new {
        return format!(
            "Nothing new: the cache has seen every version the bucket keeps ({listed})"
        );
    }
    let reads = format!(
        "{} versions ({:.1} MB) in {} reads, a snapshot for each of {} rounds of the bucket's past",
        done.versions,
        done.bytes as f64 / 1e6,
        done.versions,
        done.moments,
    );
    if dry_run {
        return format!("Would read {reads}; {listed}");
    }
    let span = match (done.snapshots.first(), done.snapshots.last()) {
        (Some(first), Some(last)) => format!(
            "; the history holds snapshots {} (taken {}) to {} (taken {})",
            first.number,
            time_text(first.taken_at),
            last.number,
            time_text(last.taken_at)
        ),
        _ => String::new(),
    };
    format!(
        "Backfilled {reads}; {listed}; {:.2} s{span}",
        done.elapsed.as_secs_f64()
    )
}
