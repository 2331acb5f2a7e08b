//! The one error type of the library: a variant per stage, each carrying what the user needs to
//! act (the object key, the line, the table or report name). Causes sit in `#[source]`, not in
//! the message.

use crate::lake::ndjson::LineError;

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong between a source and an answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The `--source` text could not be understood or does not exist.
    #[error("Source `{source_text}` {problem}")]
    Source {
        /// The source as the user gave it.
        source_text: String,
        /// What is wrong with it, e.g. "does not exist".
        problem: String,
    },

    /// An `--endpoint-url` that ssmq will not use.
    #[error("Endpoint `{endpoint}` {problem}")]
    Endpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        problem: String,
    },

    /// An endpoint reached over plain HTTP off this machine, which ssmq refuses unless told.
    #[error("Endpoint `{endpoint}` uses plain HTTP to a host that is not on loopback")]
    PlainHttp {
        /// The endpoint as given.
        endpoint: String,
    },

    /// No credentials anywhere the AWS chain looks.
    #[error("No AWS credentials found; ssmq looked in: {}", looked.join("; "))]
    NoCredentials {
        /// The places looked, in order.
        looked: Vec<String>,
    },

    /// The AWS configuration has credentials ssmq could not get.
    #[error("Failed to get AWS credentials for profile `{profile}`: {message}")]
    Credentials {
        /// The profile in use.
        profile: String,
        /// What the credentials chain said (never a secret).
        message: String,
    },

    /// The bucket does not exist (or is not visible to these credentials).
    #[error("Bucket `{bucket}` does not exist")]
    BucketNotFound {
        /// The bucket.
        bucket: String,
    },

    /// No `<Type>/accountid=…/region=…` layout was found under the source.
    #[error(
        "No resource data sync data found in `{location}`: expected folders like \
         `AWS:InstanceInformation/accountid=…/region=…/resourcetype=…/` at the top or below a prefix"
    )]
    NoSyncData {
        /// Where we looked.
        location: String,
    },

    /// Type folders were found under more than one prefix.
    #[error("Found sync data under several prefixes of `{location}`: {}; point the source at one of them", candidates.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "))]
    AmbiguousSyncRoot {
        /// Where we looked.
        location: String,
        /// The prefixes holding type folders.
        candidates: Vec<String>,
    },

    /// Listing a prefix failed. Build it with [`Error::list`], which tells a refusal apart.
    #[error("Failed to list `{location}`")]
    List {
        /// The prefix being listed.
        location: String,
        /// Whether the store refused these credentials.
        refused: Option<Refusal>,
        /// What the store said.
        #[source]
        source: object_store::Error,
    },

    /// Listing a bucket's object versions (`ListObjectVersions`) failed.
    #[error("Failed to list the object versions of `{location}`")]
    ListVersions {
        /// The prefix being listed.
        location: String,
        /// Whether S3 refused these credentials.
        denied: bool,
        /// What S3 said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// Reading an object failed. Build it with [`Error::read`], which tells a refusal apart.
    #[error("Failed to read `{key}`")]
    Read {
        /// The object's key.
        key: String,
        /// Whether the store refused these credentials.
        refused: Option<Refusal>,
        /// What the store said.
        #[source]
        source: object_store::Error,
    },

    /// A line of an object is not a flat JSON object.
    #[error("Malformed JSON in `{key}` {fault}")]
    MalformedLine {
        /// The object's key.
        key: String,
        /// The line, column and what is wrong.
        fault: LineError,
    },

    /// A table name that the lake does not hold.
    #[error("Unknown table `{name}`; available: {}", available.join(", "))]
    UnknownTable {
        /// The name asked for.
        name: String,
        /// The tables that exist.
        available: Vec<String>,
    },

    /// A report name that is not built in.
    #[error("Unknown report `{name}`; available: {}", available.join(", "))]
    UnknownReport {
        /// The name asked for.
        name: String,
        /// The reports that exist.
        available: Vec<String>,
    },

    /// A control id that is not built in.
    #[error("Unknown control `{id}`; available: {}", available.join(", "))]
    UnknownControl {
        /// The id asked for.
        id: String,
        /// The controls that exist.
        available: Vec<String>,
    },

    /// A framework no built-in control maps to.
    #[error("No control maps to the framework `{framework}`")]
    UnknownFramework {
        /// The framework asked for.
        framework: String,
    },

    /// A report file whose header cannot be read (a defect of the report, not of the input).
    #[error("Report `{report}` has an invalid header: {problem}")]
    ReportDefinition {
        /// The report's name.
        report: String,
        /// What is wrong.
        problem: String,
    },

    /// A `--param` that does not fit the report.
    #[error("Report `{report}`: {problem}")]
    ReportParam {
        /// The report's name.
        report: String,
        /// What is wrong, naming the parameter.
        problem: String,
    },

    /// A statement that would create, change or write something.
    #[error(
        "ssmq is read-only: `{statement}` statements are refused; only queries (SELECT, WITH, VALUES, EXPLAIN, DESCRIBE, SHOW) run"
    )]
    ReadOnly {
        /// The statement's leading keywords, e.g. `CREATE TABLE`.
        statement: String,
    },

    /// SQL text that holds no statement.
    #[error("No SQL statement given")]
    NoStatement,

    /// SQL text with more statements than the caller takes.
    #[error("Found {count} SQL statements; give one statement at a time")]
    SeveralStatements {
        /// How many there are.
        count: usize,
    },

    /// SQL text that cannot be read as SQL.
    #[error("The SQL does not parse")]
    SqlSyntax {
        /// What the tokenizer or parser said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// An Athena function called with a number of arguments it does not take.
    #[error("{function} takes {arity} arguments")]
    FunctionArity {
        /// The function, as written.
        function: String,
        /// What it takes: `2`, `2 or 3`.
        arity: String,
    },

    /// Planning or running a query failed.
    #[error(transparent)]
    Query(QueryError),

    /// Writing an output failed.
    #[error("Failed to write `{path}`")]
    Write {
        /// The output being written.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// Writing an object of an export failed.
    #[error("Failed to write `{key}`")]
    WriteObject {
        /// The object's key.
        key: String,
        /// What the store said.
        #[source]
        source: object_store::Error,
    },

    /// Removing an object of a previous export failed.
    #[error("Failed to remove `{key}`")]
    DeleteObject {
        /// The object's key.
        key: String,
        /// What the store said.
        #[source]
        source: object_store::Error,
    },

    /// A source's cache was asked for (`--offline`) before any sync made one.
    #[error("{source_text} has no cache in `{}` yet", root.display())]
    NotSynced {
        /// The source, as messages describe it.
        source_text: String,
        /// The cache root looked in.
        root: std::path::PathBuf,
    },

    /// The built-in sample lake is never cached.
    #[error("The built-in sample lake has no cache")]
    SampleNotCached,

    /// The past was asked of a source whose cache does not exist: only a cache keeps it.
    #[error("The past of {source_text} is kept only by its cache, and it has none yet")]
    PastWithoutCache {
        /// The source, as messages describe it.
        source_text: String,
    },

    /// A time-travel clause ssmq does not take (Athena's are `FOR TIMESTAMP AS OF` and
    /// `FOR VERSION AS OF`), or a moment it cannot read.
    #[error("`{clause}` {problem}")]
    TimeTravel {
        /// The clause or moment as written.
        clause: String,
        /// What is wrong with it.
        problem: String,
    },

    /// Backfill reads a versioned S3 bucket's past; this source is not one.
    #[error(
        "{source_text} keeps no versions of its objects: backfill reads the past of a versioned S3 bucket"
    )]
    BackfillNeedsVersions {
        /// The source, as messages describe it.
        source_text: String,
    },

    /// A backfill would drop versions the cache keeps, which the bucket no longer has (or
    /// `--since` leaves out).
    #[error(
        "The cache keeps {versions} version(s) of objects that the bucket no longer has or          --since leaves out (`{example}` among them); a backfill would lose them"
    )]
    BackfillWouldLose {
        /// How many.
        versions: usize,
        /// One of their keys.
        example: String,
    },

    /// S3 refused to read a version of an object.
    #[error("Failed to read a version of `{key}`")]
    ReadVersion {
        /// The object's key.
        key: String,
        /// What S3 said.
        #[source]
        source: object_store::Error,
    },

    /// The cache was written before it kept history (a sync rebuilds it).
    #[error("This cache holds no snapshots yet")]
    NoHistory,

    /// A moment before the oldest snapshot history keeps, or a snapshot it does not hold.
    #[error(
        "The cache's history holds snapshots {oldest} to {latest}, the oldest taken \
         {oldest_taken}: it knows nothing of the lake as of {as_of}"
    )]
    BeforeHistory {
        /// The moment asked for.
        as_of: String,
        /// The oldest snapshot kept, and when it was taken.
        oldest: u64,
        oldest_taken: String,
        /// The latest snapshot.
        latest: u64,
    },

    /// Reading, writing or locking a file of the cache failed.
    #[error("Cannot {action} `{}`", path.display())]
    CacheIo {
        /// What was being done: `read`, `write`, `lock`, `switch CURRENT in`.
        action: String,
        /// The file or folder.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A file of the cache is not as ssmq wrote it.
    #[error("`{}` of the cache is damaged", path.display())]
    CacheDamaged {
        /// The file.
        path: std::path::PathBuf,
        /// What reading it found.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// An export asked for a format it does not write.
    #[error("Cannot export {format} files; an export writes parquet, csv or ndjson")]
    ExportFormat {
        /// The format asked for.
        format: crate::output::format::Format,
    },

    /// An evidence bundle's manifest that is not one.
    #[error("`{path}` is not an ssmq evidence manifest")]
    EvidenceManifest {
        /// The file.
        path: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },

    /// The marker of the previous export cannot be read.
    #[error("The marker `{marker}` of the previous export is not valid JSON")]
    ExportMarker {
        /// The marker object.
        marker: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },

    /// The folder an export goes to cannot be made or opened.
    #[error("Cannot create or open the export folder `{destination}`")]
    ExportDestination {
        /// The folder, as given.
        destination: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// Encoding query results into an output format failed.
    #[error("Failed to encode results as {format}")]
    Encode {
        /// The format, e.g. "CSV".
        format: &'static str,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Why a store refused a request made with valid credentials: what the binary's hint names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The credentials lack the S3 permission for the request.
    AccessDenied,
    /// S3 named KMS: the credentials may read the object but not decrypt it.
    KmsDenied,
}

impl Refusal {
    /// Whether `error` is a refusal, and which. object_store maps a 403 on a GET to
    /// `PermissionDenied` but hands a listing's 403 over as a generic error whose text holds S3's
    /// error code, and says that KMS refused only in S3's message text: this is the one place
    /// that reads it.
    pub fn of(error: &object_store::Error) -> Option<Refusal> {
        let text = error.to_string();
        let denied = matches!(
            error,
            object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        ) || text.contains("AccessDenied");
        match denied {
            false => None,
            true if text.to_lowercase().contains("kms") => Some(Refusal::KmsDenied),
            true => Some(Refusal::AccessDenied),
        }
    }
}

impl Error {
    /// Listing `location` failed with `source`.
    pub fn list(location: String, source: object_store::Error) -> Error {
        let refused = Refusal::of(&source);
        Error::List {
            location,
            refused,
            source,
        }
    }

    /// Reading the object `key` failed with `source`.
    pub fn read(key: String, source: object_store::Error) -> Error {
        let refused = Refusal::of(&source);
        Error::Read {
            key,
            refused,
            source,
        }
    }

    /// Whether planning failed on a column that no table in scope has.
    pub fn is_unknown_column(&self) -> bool {
        use datafusion::error::DataFusionError;
        match self {
            Error::Query(QueryError(e)) => matches!(
                e.find_root(),
                DataFusionError::SchemaError(inner, _)
                    if matches!(**inner, datafusion::common::SchemaError::FieldNotFound { .. })
            ),
            _ => false,
        }
    }

    /// The innermost library error in an error chain, if any. Scans wrap their errors in
    /// `DataFusionError::External`, and planning wraps those again in [`Error::Query`]; the
    /// innermost one says what actually went wrong.
    pub fn find_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Error> {
        let mut found = None;
        let mut current = Some(error);
        while let Some(e) = current {
            if let Some(ours) = e.downcast_ref::<Error>() {
                found = Some(ours);
                // A query error's source is what it wraps has as cause; look inside it.
                if let Error::Query(QueryError(wrapped)) = ours {
                    current = Some(wrapped);
                    continue;
                }
            }
            current = match e.downcast_ref::<std::sync::Arc<datafusion::error::DataFusionError>>() {
                Some(shared) => Some(shared.as_ref()),
                None => e.source(),
            };
        }
        found
    }
}

/// `text` without DataFusion's stage prefixes ("Error during planning: ", "External error: "),
/// which say nothing to a user.
pub fn without_stage_prefixes(mut text: &str) -> &str {
    const PREFIXES: [&str; 8] = [
        "Error during planning: ",
        "Schema error: ",
        "SQL error: ",
        "Execution error: ",
        "Arrow error: ",
        "External error: ",
        "Internal error: ",
        "This feature is not implemented: ",
    ];
    while let Some(rest) = PREFIXES.iter().find_map(|prefix| text.strip_prefix(prefix)) {
        text = rest;
    }
    text
}

impl From<arrow::error::ArrowError> for Error {
    /// As DataFusion would report it: building or casting result batches.
    fn from(e: arrow::error::ArrowError) -> Self {
        Error::from(datafusion::error::DataFusionError::from(e))
    }
}

impl From<datafusion::error::DataFusionError> for Error {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        Error::Query(QueryError(e))
    }
}

/// A DataFusion error, said once: an error of ours wrapped inside (a scan's read, a malformed
/// line) is shown as itself with its own cause; any other as DataFusion's message without its
/// stage prefixes, with no cause (DataFusion's chain repeats its message at every level).
#[derive(Debug)]
pub struct QueryError(pub datafusion::error::DataFusionError);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use datafusion::error::DataFusionError;
        match (Error::find_in(&self.0), self.0.find_root()) {
            (Some(inner), _) => inner.fmt(f),
            (None, DataFusionError::SQL(parser, _)) => parser.fmt(f),
            (None, _) => f.write_str(without_stage_prefixes(&self.0.strip_backtrace())),
        }
    }
}

impl std::error::Error for QueryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Error::find_in(&self.0).and_then(std::error::Error::source)
    }
}

/// The result of a task that ended; a task that panicked panics here too, carrying its panic.
/// A task that never ran because the runtime shut down (ssmq cancels none itself: a command
/// that ends early, as on a closed pipe, drops the runtime with reads still queued) unwinds
/// here quietly: whatever awaited it is being dropped too, and no panic message is printed.
pub(crate) fn joined<T>(ended: std::result::Result<T, tokio::task::JoinError>) -> T {
    ended.unwrap_or_else(|e| {
        if e.is_cancelled() {
            std::panic::resume_unwind(Box::new(CANCELLED));
        }
        std::panic::resume_unwind(e.into_panic())
    })
}

/// What a cancelled task unwinds with (see [`joined`]).
const CANCELLED: &str = "a task cancelled as the runtime shut down";

#[cfg(test)]
mod tests {
    use super::*;

    /// A task the runtime cancelled unwinds with the quiet marker, and a panicking task with
    /// its own panic.
    #[test]
    fn joined_tasks_unwind_with_their_panic_or_quietly_when_cancelled() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(1)
            .build()
            .unwrap();
        let (cancelled, panicked) = runtime.block_on(async {
            let (release, wait) = std::sync::mpsc::channel::<()>();
            let busy = tokio::task::spawn_blocking(move || wait.recv());
            // Queued behind `busy` on the only blocking thread, and cancelled before it starts.
            let queued = tokio::task::spawn_blocking(|| ());
            queued.abort();
            release.send(()).unwrap();
            busy.await.unwrap().unwrap();
            let cancelled = queued.await;
            let panicked = tokio::spawn(async { panic!("the task's own panic") }).await;
            (cancelled, panicked)
        });
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| joined(cancelled)))
            .unwrap_err();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&CANCELLED));
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| joined(panicked)))
            .unwrap_err();
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"the task's own panic")
        );
    }
}
