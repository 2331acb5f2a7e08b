//! Command-line arguments, and their conversion into the core's request types (the core
//! never sees clap).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, FromArgMatches, Parser, Subcommand};
use ssmq_core::cache::CacheUse;
use ssmq_core::cache::history::AsOf;
use ssmq_core::lake::discover::PartitionFilter;
use ssmq_core::lake::read::ReadOptions;
use ssmq_core::output::format::Format;
use ssmq_core::source::s3::S3Options;
use ssmq_core::sql::register::DEFAULT_DATABASE;
use ssmq_core::sql::reports::builtin_reports;
use ssmq_core::{SessionOptions, Source};

const EXAMPLES: &str = "\
Examples:
  ssmq report noncompliant-patches                     # on the built-in sample lake
  ssmq --source ./sync-bucket tables                   # a local copy of a sync bucket
  ssmq --source ./sync-bucket report stale-inventory --param days=14 --output stale.csv
  ssmq --source ./sync-bucket --account 111122223333 sql \"SELECT count(*) FROM aws_application\"
  ssmq --source s3://audit-sync/ResourceDataSync --profile audit report missing-critical-patches
  ssmq sql -f saved-query.sql --format json
  echo \"SELECT * FROM aws_tag LIMIT 5\" | ssmq sql";

/// Query AWS Systems Manager resource data sync lakes with SQL.
///
/// ssmq reads the Inventory, Patch and Compliance data that resource data sync writes
/// (`<TypeName>/accountid=…/region=…/resourcetype=…/<node>.json`), registers each inventory
/// type as a table named like Glue names it (`aws_application`, `aws_instanceinformation`),
/// and runs ad-hoc SQL and named reports over them.
#[derive(Debug, Parser)]
#[command(name = "ssmq", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The lake: s3://bucket[/prefix], a directory or a file:// URL, at the bucket root, a
    /// sync prefix or one type folder. Without it, ssmq uses its built-in sample lake
    #[arg(long, env = "SSMQ_SOURCE", global = true, value_name = "DIR")]
    pub source: Option<String>,

    /// Only this account; other accounts' folders are never listed or read (repeatable; a
    /// source with a cache is synced whole, then queried for this account)
    #[arg(long = "account", value_name = "ID", global = true)]
    pub accounts: Vec<String>,

    /// Only this region; other regions' folders are never listed or read (repeatable; a source
    /// with a cache is synced whole, then queried for this region)
    #[arg(long = "region", value_name = "REGION", global = true)]
    pub regions: Vec<String>,

    /// Skip malformed lines instead of failing; they are counted and reported on stderr
    #[arg(long, global = true)]
    pub skip_bad_lines: bool,

    /// Database name tables can be qualified with (`db.table`, `awsdatacatalog.db.table`), as
    /// the Glue database of an Athena set-up is named
    #[arg(
        long,
        env = "SSMQ_DATABASE",
        global = true,
        value_name = "NAME",
        default_value = DEFAULT_DATABASE
    )]
    pub database: String,

    /// Output format [default: from the --output extension, else table]
    #[arg(long, global = true, value_name = "FORMAT", value_parser = format_values())]
    pub format: Option<Format>,

    /// On a terminal, show at most N rows of a table (the first and the last ones, with how
    /// many are left out between them); 0 shows all [default: what fits the screen]. Pipes
    /// and files always get every row
    #[arg(long, global = true, value_name = "N")]
    pub max_rows: Option<usize>,

    /// Write results to this file (atomically) instead of stdout
    #[arg(long, short = 'o', global = true, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Say more on stderr: skipped objects and why, requests made, time listing and reading
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(flatten)]
    pub s3: S3Args,

    #[command(flatten)]
    pub cache: CacheArgs,
}

/// The local cache (`ssmq sync`).
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Cache")]
pub struct CacheArgs {
    /// Folder of the local cache [default: $XDG_CACHE_HOME/ssmq, else ~/.cache/ssmq]
    #[arg(long, env = "SSMQ_CACHE_DIR", global = true, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Answer from the cache without touching the source (after `ssmq sync`)
    #[arg(long, global = true, conflicts_with = "no_cache")]
    pub offline: bool,

    /// Read the source even where a cache exists, and leave the cache as it is
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// On a source with a cache, answer from it without syncing when a sync compared it with
    /// the source less than AGE ago (30s, 5m, 2h; 0 syncs every time). `ssmq sync` always syncs
    #[arg(
        long,
        global = true,
        value_name = "AGE",
        env = "SSMQ_MAX_AGE",
        default_value = "5m",
        value_parser = parse_age
    )]
    pub max_age: chrono::TimeDelta,

    /// Sync the cache first, however recently it was synced (--max-age 0)
    #[arg(long, global = true, conflicts_with_all = ["offline", "no_cache"])]
    pub refresh: bool,

    /// Answer for the lake as it stood at WHEN, from the cache's history: an RFC 3339 time
    /// (2026-10-31T23:59:59Z), a date (its end, UTC), a duration back from now (7d, 36h) or
    /// snapshot:N (`ssmq history` lists them)
    #[arg(long, global = true, value_name = "WHEN", conflicts_with = "no_cache")]
    pub as_of: Option<AsOf>,
}

impl CacheArgs {
    /// The cache root in force, if one can be found.
    pub fn root(&self) -> Option<PathBuf> {
        self.cache_dir
            .clone()
            .or_else(ssmq_core::cache::default_root)
    }

    /// The cache root in force, or an error saying how to name one.
    pub fn required_root(&self) -> anyhow::Result<PathBuf> {
        self.root().context(
            "Cannot tell where the cache is (no HOME or XDG_CACHE_HOME); pass --cache-dir DIR",
        )
    }

    /// How a session uses the cache.
    pub fn cache_use(&self) -> CacheUse {
        match self.root() {
            _ if self.no_cache => CacheUse::Bypass,
            Some(root) if self.offline => CacheUse::Offline(root),
            Some(root) => CacheUse::IfPresent(root),
            None => CacheUse::Bypass,
        }
    }
}

/// How to reach an S3 source (`--source s3://bucket/prefix`).
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "S3 sources")]
pub struct S3Args {
    /// AWS profile of the shared config and credentials files [env: AWS_PROFILE]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Region the bucket is in; without it ssmq asks the bucket (on AWS) or uses the
    /// configured region. (`--region` filters the lake's region= partitions.)
    #[arg(long, env = "AWS_REGION", global = true, value_name = "REGION")]
    pub bucket_region: Option<String>,

    /// S3-compatible endpoint, addressed path-style [env: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Allow plain http:// to an endpoint that is not on loopback
    #[arg(long, global = true)]
    pub allow_http: bool,

    /// Send unsigned requests (public buckets) instead of looking for credentials
    #[arg(long, global = true)]
    pub no_sign_request: bool,

    /// Requests to S3 in flight at most: ssmq starts there, halves it when S3 answers 503
    /// SlowDown and grows it back while answers come unthrottled
    #[arg(long, global = true, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_concurrency: u16,

    /// Retries of a throttled (503 SlowDown), failed (5xx) or timed-out request, with backoff
    #[arg(long, global = true, value_name = "N", default_value_t = 10)]
    pub retries: u16,

    /// Skip objects that still cannot be read after retries; they are listed on stderr
    #[arg(long, global = true)]
    pub skip_unreadable: bool,
}

/// `--format`'s values: [`Format`]'s own names and descriptions, parsed by its `FromStr`.
fn format_values() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        Format::ALL.map(|f| PossibleValue::new(f.name()).help(f.description())),
    )
    .map(|name| {
        name.parse::<Format>()
            .expect("a possible value is a format")
    })
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the tables: one per inventory type, with objects, accounts, regions and bytes
    Tables,

    /// Show a table's columns: name, type, the JSON keys behind it, and how many objects hold it
    #[command(after_help = "Example:\n  ssmq describe aws_instanceinformation")]
    Describe {
        /// Table name (`aws_application`) or TypeName (`AWS:Application`)
        table: String,
    },

    /// Run SQL (read-only): given as an argument, with -f FILE (several `;`-separated
    /// statements run in turn), or on stdin; on a terminal without a query, open the shell
    #[command(
        after_help = "Examples:\n  ssmq sql \"SELECT platformname, count(*) FROM aws_instanceinformation GROUP BY 1\"\n  ssmq sql -f query.sql --output result.parquet\n  ssmq sql < query.sql"
    )]
    Sql(SqlArgs),

    /// Run a named report, list them (`ssmq report list`) or describe one (`ssmq report NAME --help`)
    Report(ReportArgs),

    /// Open an interactive SQL shell (also `ssmq sql` on a terminal without a query)
    #[command(
        after_help = "In the shell:\n  statements end with `;` and may span lines; Tab completes tables, columns,\n  reports, functions and commands; \\d [TABLE], \\reports, \\report NAME [k=v],\n  \\format table|csv|json|ndjson, \\timing, \\help, \\q. History is kept in\n  $XDG_STATE_HOME/ssmq/history (or ~/.local/state/ssmq/history; SSMQ_HISTORY overrides)."
    )]
    Shell,

    /// Bring the local cache of the source up to date: list the lake once, read only new or
    /// changed objects, drop deleted ones. Later commands on the source answer from the cache
    #[command(after_help = SYNC_HELP)]
    Sync(SyncArgs),

    /// Check controls (patch compliance, association compliance, inventory freshness, …): a
    /// row per control and resource with ok, alarm or skip and a reason; exit code 1 on an alarm
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),

    /// Write an evidence bundle for auditors: the controls' results, chosen reports, the
    /// exact SQL, every source object and a manifest of SHA-256 hashes; `verify` checks one
    #[command(after_help = EVIDENCE_HELP)]
    Evidence(EvidenceArgs),

    /// What changed between two moments of the cache's history: a row per row added,
    /// removed or changed, with the values that differ
    #[command(after_help = CHANGES_HELP)]
    Changes(ChangesArgs),

    /// List the snapshots the cache's history keeps: one per sync that changed anything,
    /// each a moment `--as-of` can ask for
    #[command(after_help = HISTORY_HELP)]
    History {
        #[command(subcommand)]
        prune: Option<HistoryCommand>,
    },

    /// Read the past of a versioned S3 bucket into the cache's history: the versions and
    /// delete markers S3 keeps of the sync's objects, a snapshot per moment of them
    #[command(after_help = BACKFILL_HELP)]
    Backfill(BackfillArgs),

    /// Write every table (or the chosen ones) to a directory or S3 prefix for DuckDB, Spark,
    /// Trino or Athena: partitioned accountid=/region=, zstd Parquet by default, all or nothing
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),

    /// Print a completion script for a shell: commands, options and report names complete
    /// on Tab
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell to complete in
        shell: clap_complete::Shell,
    },
}

const COMPLETIONS_HELP: &str = "\
Install:
  bash        ssmq completions bash > ~/.local/share/bash-completion/completions/ssmq
  zsh         ssmq completions zsh > ~/.zfunc/_ssmq   (with fpath+=~/.zfunc before compinit)
  fish        ssmq completions fish > ~/.config/fish/completions/ssmq.fish
  powershell  ssmq completions powershell >> $PROFILE";

const SYNC_HELP: &str = "\
Once a source has a cache, a command on it first brings the cache up to date (one listing;
objects whose ETag, or size and modification time, changed are read again) and then answers
from it, unless a sync compared the cache with the source less than --max-age ago (default
5m; stderr says how long ago). --refresh syncs first whatever the age; --offline answers from
the cache without touching the source; --no-cache reads the source and leaves the cache alone.
`ssmq sync` always syncs.

Examples:
  ssmq --source s3://audit-sync/ResourceDataSync sync
  ssmq --source s3://audit-sync/ResourceDataSync --offline report noncompliant-patches
  ssmq --source ./sync-bucket --cache-dir /var/cache/ssmq sync
  ssmq --source s3://audit-sync/ResourceDataSync sync --keep-history 90

Every sync that changes anything is a snapshot: versions of changed and deleted objects are
kept, with when they stopped being current, for --keep-history days, so `--as-of` can answer
for the lake as it stood then (see `ssmq history`).";

const HISTORY_HELP: &str = "\
Columns: snapshot (its number, for --as-of snapshot:N), taken_at (UTC, when the sync that took
it started), origin (sync, or backfill: read back from the bucket's versions), objects (in the lake then), changed (new or changed objects read),
removed (objects gone since the snapshot before).

Examples:
  ssmq --source s3://audit-sync/ResourceDataSync history
  ssmq --source s3://audit-sync/ResourceDataSync --as-of 2026-10-31 report noncompliant-patches
  ssmq --source s3://audit-sync/ResourceDataSync --as-of snapshot:12 sql \"SELECT count(*) FROM aws_complianceitem\"";

const BACKFILL_HELP: &str = "\
Lists every version and delete marker under the source (s3:ListBucketVersions), cuts their
times into rounds in which no object changes twice, and syncs the bucket as it stood at the end
of each round, reading each version once by its id (s3:GetObjectVersion), into a cache built
beside the current one; then syncs the bucket as it is now and puts the result in place in
one step. Each round is a snapshot with origin `backfill`, taken at its last modification
time, so `--as-of` answers for the days before the first sync. The cache's snapshots are
replaced by the bucket's and numbered on from the last one (a number is never reused); a
backfill that would lose a version the cache keeps and the bucket no longer has is refused.
A second backfill finds nothing new and changes nothing. Needs a versioned bucket (AWS's
set-up templates turn versioning on, with old versions expiring after 60 days).

Examples:
  ssmq --source s3://audit-sync/ResourceDataSync backfill --from-versions --dry-run
  ssmq --source s3://audit-sync/ResourceDataSync backfill --from-versions
  ssmq --source s3://audit-sync/ResourceDataSync backfill --from-versions --since 30d";

const CHECK_HELP: &str = "\
Columns: control, status (ok, alarm, skip, error), reason (a sentence naming the node and what
is wrong), resource (the node id), accountid, region, severity (of a failure), first_failed
(when the resource started failing, where known; a cache's history reaches further back),
days_failing (whole days from first_failed to now, or the --as-of moment), frameworks (the
requirements the control evidences, e.g. `PCI-DSS-4.0 6.3.3; NIST-800-53-r5 SI-2`).

Exit codes: 0 no alarm counted, 1 at least one alarm counted (--fail-on chooses which: any,
a severity and above, or none), 2 an error (a control that cannot run is an `error` row).

Examples:
  ssmq check list
  ssmq --source s3://audit-sync/ResourceDataSync check
  ssmq --source s3://audit-sync/ResourceDataSync check --framework PCI-DSS --fail-on high
  ssmq --source ./sync-bucket --as-of 2026-10-31 check --control patch-compliance --format csv
  ssmq --source ./sync-bucket check --control inventory-freshness --param days=3";

/// `ssmq check`'s options.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// `list` lists the controls: id, title, severity, frameworks and parameters
    #[command(subcommand)]
    pub list: Option<CheckCommand>,
    /// Only this control (repeatable) [default: every control]
    #[arg(long = "control", value_name = "ID")]
    pub controls: Vec<String>,
    /// Only controls mapped to this framework (a prefix of their references, any case: pci,
    /// NIST-800-53, AWS-FSBP)
    #[arg(long, value_name = "NAME")]
    pub framework: Option<String>,
    /// Which alarms make the exit code 1: any, those of a severity and above (critical, high,
    /// medium, low), or none
    #[arg(long, value_name = "LEVEL", default_value = "any", value_parser = ["any", "critical", "high", "medium", "low", "none"])]
    pub fail_on: String,
    /// A parameter of the controls that take it, e.g. days=3 (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

/// What `ssmq check` does besides checking.
#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// List the controls: id, title, severity, frameworks and parameters
    List,
}

const EVIDENCE_HELP: &str = "\
Files in DIR (written beside it and renamed into place when complete; DIR must not exist or
be empty): report.html (one self-contained page: the results, compliance per account and
Region, the oldest critical findings, the trend per snapshot), checks.csv and checks.parquet (the rows of `ssmq check`), reports/<name>.csv and
.parquet, queries/controls/<id>.sql and queries/<name>.sql (the exact SQL), sources.csv (every
object the answers come from, by table and key: table, key, e_tag, S3's version id on a
versioned bucket, size, last_modified and the rows it held) and manifest.json
(ssmq's version, the command, created_at, the source, as_of and snapshot, the controls with
their parameters and the reports, row counts, the SHA-256 of sources.csv, and path, sha256
and bytes of every other file). Two bundles of the same moment differ only in created_at.

`ssmq evidence verify DIR` recomputes every hash: exit code 0 when intact, 1 naming each file
that changed, is missing or was added. `--rerun` also computes the bundle again from the
cache's history (as of its moment, while its snapshot is kept) and names each file that comes
out otherwise.

Examples:
  ssmq --source s3://audit-sync/ResourceDataSync --as-of 2026-10-31 evidence --out audit-2026-10
  ssmq --source ./sync-bucket evidence --out ev --framework PCI-DSS --report noncompliant-patches
  ssmq evidence verify audit-2026-10
  ssmq evidence verify audit-2026-10 --rerun
  sha256sum audit-2026-10/checks.csv   # any tool can check a file against manifest.json";

/// `ssmq evidence`'s options.
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// `verify DIR` checks a bundle against its manifest
    #[command(subcommand)]
    pub verify: Option<EvidenceCommand>,
    /// The folder to write the bundle to
    #[arg(long, value_name = "DIR", required = false)]
    pub out: Option<std::path::PathBuf>,
    /// Only this control (repeatable) [default: every control]
    #[arg(long = "control", value_name = "ID")]
    pub controls: Vec<String>,
    /// Only controls mapped to this framework (a prefix of their references, any case)
    #[arg(long, value_name = "NAME")]
    pub framework: Option<String>,
    /// A report to include (repeatable, or several at once: --reports a,b) [default:
    /// noncompliant-patches, patch-age, patch-compliance-by-account]
    #[arg(
        long = "report",
        visible_alias = "reports",
        value_name = "NAME",
        value_delimiter = ','
    )]
    pub reports: Vec<String>,
    /// A parameter of the controls that take it, e.g. days=3 (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

/// What `ssmq evidence` does besides writing a bundle.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Check a bundle: every file's SHA-256 and size against manifest.json; with --rerun, also
    /// compute it again from the cache and compare
    Verify {
        /// The bundle's folder
        dir: std::path::PathBuf,
        /// Also compute the bundle again from the cache's history, as of the manifest's moment
        /// and snapshot (the manifest's source, or --source), and name each file that comes out
        /// otherwise; needs that snapshot still in the cache
        #[arg(long)]
        rerun: bool,
    },
}

/// `ssmq backfill`'s options.
#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// Read the past from the versions the bucket keeps (the one way there is, for now)
    #[arg(long, required = true)]
    pub from_versions: bool,
    /// Start the history at the bucket as it stood then (a time, a date or a duration back
    /// from now) [default: its oldest version]
    #[arg(long, value_name = "WHEN")]
    pub since: Option<AsOf>,
    /// Only say how many versions, bytes and requests it would read
    #[arg(long)]
    pub dry_run: bool,
}

const CHANGES_HELP: &str = "\
Columns: table, change (added, removed, changed), accountid, region, resourceid, key (the row's
identity within its node: a compliance item's type and id, an application's name, version and
architecture, a tag's key, …; empty where the node is the identity or a type has none),
before and after (JSON objects of the values that differ; the whole row for added and removed
rows), at (when the change was seen). capturetime, executiontime and schemaversion do not by
themselves make a row changed.

Examples:
  ssmq --source s3://audit-sync/ResourceDataSync changes --since 7d
  ssmq --source ./sync-bucket changes --since 2026-10-01 --until 2026-10-31 --table aws_complianceitem";

/// `ssmq changes`' options.
#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// From this moment (a time, a date, a duration back from now, or snapshot:N)
    #[arg(long, value_name = "WHEN")]
    pub since: AsOf,
    /// To this moment [default: now]
    #[arg(long, value_name = "WHEN")]
    pub until: Option<AsOf>,
    /// Only this table (repeatable) [default: every table]
    #[arg(long = "table", value_name = "TABLE")]
    pub tables: Vec<String>,
}

/// What `ssmq history` does besides listing.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Let go of snapshots taken before WHEN (never the newest) and of the versions only they
    /// needed, now; the source is not read and --keep-history stays as it was
    #[command(
        after_help = "Examples:\n  ssmq history prune --older-than 90d --dry-run\n  ssmq history prune --older-than 2026-01-01"
    )]
    Prune {
        /// A duration back from now (90d, 12w) or a time (2026-01-01, its end in UTC)
        #[arg(long, value_name = "WHEN")]
        older_than: AsOf,
        /// Only say what would be let go
        #[arg(long)]
        dry_run: bool,
    },
}

/// `ssmq sync`'s options.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Keep versions of changed and deleted objects, and snapshots, for DAYS days; the cache
    /// remembers it for later syncs [default: the last DAYS given, else 400]
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_history: Option<u32>,
}

const EXPORT_HELP: &str = "\
Files: OUT/<table>/accountid=<id>/region=<region>/<run>.<ext>, with accountid and region also
stored as columns inside. OUT/_SUCCESS.json is written last and names every file of the
export with its row count. A failed export removes what it wrote and leaves the previous
export and its marker in place, so a scheduler can simply retry; exit code 0 means the new
export is complete, 2 that nothing changed.

Examples:
  ssmq --source s3://audit-sync/ResourceDataSync export --out ./nightly
  ssmq export --out s3://analytics/ssm --tables aws_application,aws_complianceitem
  ssmq export --out ./csv --format csv --quiet";

/// Arguments of `ssmq export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to write: a directory (made if missing) or s3://bucket/prefix
    #[arg(long, value_name = "DIR|S3_URL")]
    pub out: String,

    /// Only these tables (comma-separated, or repeat the flag); the export's other tables stay
    #[arg(long, value_delimiter = ',', value_name = "TABLE")]
    pub tables: Vec<String>,

    /// No summary lines on stderr (errors are still reported)
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `ssmq sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The statement
    #[arg(conflicts_with = "file")]
    pub query: Option<String>,

    /// Read the statement from this file
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// What `ssmq report` is asked: list the reports, describe one, or run one.
///
/// Each built-in report is a subcommand of its own (with its title as help), so `ssmq report
/// NAME --help` describes it and shell completion offers the report names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportArgs {
    /// `ssmq report` or `ssmq report list`.
    List,
    /// `ssmq report describe NAME` or `ssmq report NAME --help`.
    Describe(String),
    /// `ssmq report NAME [--param name=value …]`.
    Run {
        name: String,
        /// `--param` values as given, `name=value`.
        params: Vec<String>,
    },
}

const REPORT_EXAMPLES: &str = "\
Examples:
  ssmq report list
  ssmq report noncompliant-patches --help
  ssmq report noncompliant-patches --param severity=CRITICAL
  ssmq report stale-inventory --param days=14 --output stale.csv";

impl clap::Args for ReportArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        use clap::{Arg, ArgAction, Command};
        let names: Vec<&'static str> = builtin_reports().iter().map(|r| r.name.as_str()).collect();
        let mut command = command
            .after_help(REPORT_EXAMPLES)
            .subcommand_value_name("REPORT")
            .subcommand_help_heading("Reports")
            // An unknown name reaches the core, whose error lists the reports.
            .allow_external_subcommands(true)
            .disable_help_subcommand(true)
            .subcommand(Command::new("list").about("List the reports: name, title and parameters"))
            .subcommand(
                Command::new("describe")
                    .about("Describe a report: what it answers, its parameters, its columns, an example")
                    .arg(
                        Arg::new("report")
                            .required(true)
                            .value_name("REPORT")
                            .value_parser(clap::builder::PossibleValuesParser::new(names)),
                    ),
            );
        for report in builtin_reports() {
            command = command.subcommand(
                Command::new(report.name.as_str())
                    .about(report.title.as_str())
                    .disable_help_flag(true)
                    .arg(
                        Arg::new("param")
                            .long("param")
                            .short('p')
                            .value_name("NAME=VALUE")
                            .action(ArgAction::Append)
                            .help(if report.params.is_empty() {
                                "A report parameter (this report takes none)".to_owned()
                            } else {
                                let names: Vec<&str> =
                                    report.params.iter().map(|p| p.name.as_str()).collect();
                                format!("A report parameter, repeatable: {}", names.join(", "))
                            }),
                    )
                    .arg(
                        Arg::new("help")
                            .long("help")
                            .short('h')
                            .action(ArgAction::SetTrue)
                            .help("Describe the report: its parameters, the columns it returns, an example"),
                    ),
            );
        }
        command
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for ReportArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Ok(match matches.subcommand() {
            None | Some(("list", _)) => ReportArgs::List,
            Some(("describe", sub)) => {
                ReportArgs::Describe(sub.get_one::<String>("report").cloned().unwrap_or_default())
            }
            Some((name, sub)) if builtin_reports().iter().any(|r| r.name == name) => {
                if sub.get_flag("help") {
                    ReportArgs::Describe(name.to_owned())
                } else {
                    ReportArgs::Run {
                        name: name.to_owned(),
                        params: sub
                            .get_many::<String>("param")
                            .map(|v| v.cloned().collect())
                            .unwrap_or_default(),
                    }
                }
            }
            Some((name, _)) => ReportArgs::Run {
                name: name.to_owned(),
                params: Vec::new(),
            },
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// `--max-age`: `0`, or a whole number and a unit (`30s`, `5m`, `2h`, `1d`).
fn parse_age(text: &str) -> Result<chrono::TimeDelta, String> {
    match text.trim() {
        "0" => Ok(chrono::TimeDelta::zero()),
        text => ssmq_core::cache::history::duration(text).ok_or_else(|| {
            format!("`{text}` is not an age: give 0 or a number and a unit (30s, 5m, 2h, 1d)")
        }),
    }
}

/// Parses the process arguments.
pub fn parse() -> Cli {
    Cli::parse()
}

impl GlobalArgs {
    /// The source to read: `--source`/`SSMQ_SOURCE`, else the built-in sample.
    pub fn source(&self) -> anyhow::Result<Source> {
        match &self.source {
            Some(text) => Ok(Source::parse(text)?),
            None => Ok(Source::BuiltinSample),
        }
    }

    /// Session options from the flags.
    pub fn session_options(&self) -> SessionOptions {
        SessionOptions {
            filter: PartitionFilter::default()
                .with_accounts(self.accounts.iter().cloned())
                .with_regions(self.regions.iter().cloned()),
            read: ReadOptions {
                skip_bad_lines: self.skip_bad_lines,
                skip_unreadable: self.s3.skip_unreadable,
                ..ReadOptions::default()
            },
            database: self.database.to_lowercase(),
            cache: self.cache.cache_use(),
            as_of: self.cache.as_of,
            max_age: Some(match self.cache.refresh {
                true => chrono::TimeDelta::zero(),
                false => self.cache.max_age,
            }),
            s3: S3Options {
                profile: self.s3.profile.clone(),
                region: self.s3.bucket_region.clone().filter(|r| !r.is_empty()),
                endpoint_url: self.s3.endpoint_url.clone().or_else(|| {
                    ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
                        .iter()
                        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
                }),
                allow_http: self.s3.allow_http,
                no_sign_request: self.s3.no_sign_request,
                max_concurrency: usize::from(self.s3.max_concurrency),
                retries: usize::from(self.s3.retries),
            },
            ..SessionOptions::default()
        }
    }

    /// The output format: `--format`, else the `--output` extension, else a table.
    pub fn output_format(&self) -> anyhow::Result<Format> {
        if let Some(format) = self.format {
            return Ok(format);
        }
        match &self.output {
            None => Ok(Format::Table),
            Some(path) => Format::from_extension(path).with_context(|| {
                format!(
                    "Cannot tell the format from `{}`; pass --format table|line|csv|json|ndjson|parquet \
                     or use a .txt, .csv, .json, .ndjson or .parquet extension",
                    path.display()
                )
            }),
        }
    }
}

impl SqlArgs {
    /// Whether the statements are to be typed in: no query, no file, and stdin a terminal.
    pub fn interactive(&self) -> bool {
        use std::io::IsTerminal;
        self.query.is_none() && self.file.is_none() && std::io::stdin().is_terminal()
    }

    /// The SQL text: the argument, the file, or stdin.
    pub fn text(&self) -> anyhow::Result<String> {
        use std::io::Read;
        if let Some(query) = &self.query {
            return Ok(query.clone());
        }
        if let Some(path) = &self.file {
            return std::fs::read_to_string(path)
                .with_context(|| format!("Failed to read `{}`", path.display()));
        }
        let mut stdin = std::io::stdin();
        let mut text = String::new();
        stdin
            .read_to_string(&mut text)
            .context("Failed to read the query from stdin")?;
        Ok(text)
    }
}

/// `name=value` pairs of `--param` (the CLI's) or `\\report` (the shell's) words.
pub fn report_params<'a>(
    given: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<Vec<(String, String)>> {
    given
        .into_iter()
        .map(|p| match p.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_owned(), value.to_owned()))
            }
            _ => bail!("`{p}` is not of the form name=value"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn params_need_a_name_and_an_equals_sign() {
        assert_eq!(
            report_params(["days=14", "q=a=b", "empty="]).unwrap(),
            vec![
                ("days".to_owned(), "14".to_owned()),
                ("q".to_owned(), "a=b".to_owned()),
                ("empty".to_owned(), String::new())
            ]
        );
        assert!(report_params(["days"]).is_err());
        assert!(report_params(["=3"]).is_err());
    }

    #[test]
    fn each_report_is_a_subcommand_and_help_describes_it() {
        let parse = |args: &[&str]| {
            let cli = Cli::try_parse_from(args).unwrap();
            match cli.command {
                Command::Report(args) => args,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(parse(&["ssmq", "report"]), ReportArgs::List);
        assert_eq!(parse(&["ssmq", "report", "list"]), ReportArgs::List);
        assert_eq!(
            parse(&[
                "ssmq",
                "report",
                "stale-inventory",
                "-p",
                "days=3",
                "--param",
                "as_of=2026-01-01"
            ]),
            ReportArgs::Run {
                name: "stale-inventory".into(),
                params: vec!["days=3".into(), "as_of=2026-01-01".into()]
            }
        );
        assert_eq!(
            parse(&["ssmq", "report", "stale-inventory", "--help"]),
            ReportArgs::Describe("stale-inventory".into())
        );
        assert_eq!(
            parse(&["ssmq", "report", "describe", "os-distribution"]),
            ReportArgs::Describe("os-distribution".into())
        );
        assert_eq!(
            parse(&["ssmq", "report", "nope"]),
            ReportArgs::Run {
                name: "nope".into(),
                params: vec![]
            }
        );
        assert!(Cli::try_parse_from(["ssmq", "report", "describe", "nope"]).is_err());
    }

    #[test]
    fn format_comes_from_flag_then_extension() {
        let global = |format: Option<Format>, output: Option<&str>| GlobalArgs {
            source: None,
            accounts: vec![],
            regions: vec![],
            skip_bad_lines: false,
            database: DEFAULT_DATABASE.to_owned(),
            cache: CacheArgs::default(),
            format,
            max_rows: None,
            output: output.map(PathBuf::from),
            verbose: 0,
            s3: S3Args::default(),
        };
        assert_eq!(global(None, None).output_format().unwrap(), Format::Table);
        assert_eq!(
            global(None, Some("x.CSV")).output_format().unwrap(),
            Format::Csv
        );
        assert_eq!(
            global(None, Some("x.parquet")).output_format().unwrap(),
            Format::Parquet
        );
        assert_eq!(
            global(Some(Format::Json), Some("x.csv"))
                .output_format()
                .unwrap(),
            Format::Json
        );
        assert!(global(None, Some("x.dat")).output_format().is_err());
    }
}
