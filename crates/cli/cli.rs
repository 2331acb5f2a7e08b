//! Command-line arguments, and their conversion into the core's request types (the core
//! never sees clap).

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use ssmq_core::cache::CacheUse;
use ssmq_core::discover::PartitionFilter;
use ssmq_core::export::Format;
use ssmq_core::read::ReadOptions;
use ssmq_core::register::DEFAULT_DATABASE;
use ssmq_core::report::builtin_reports;
use ssmq_core::s3::S3Options;
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
    #[arg(long, value_enum, global = true, value_name = "FORMAT")]
    pub format: Option<FormatArg>,

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
}

impl CacheArgs {
    /// The cache root in force, if one can be found.
    pub fn root(&self) -> Option<PathBuf> {
        self.cache_dir
            .clone()
            .or_else(ssmq_core::cache::default_root)
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

    /// Requests to S3 in flight at most
    #[arg(long, global = true, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_concurrency: u16,

    /// Retries of a throttled (503 SlowDown), failed (5xx) or timed-out request, with backoff
    #[arg(long, global = true, value_name = "N", default_value_t = 10)]
    pub retries: u16,

    /// Skip objects that still cannot be read after retries; they are listed on stderr
    #[arg(long, global = true)]
    pub skip_unreadable: bool,
}

/// The output formats, as the CLI spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A text table fitted to the terminal
    Table,
    /// CSV with a header row (RFC 4180 quoting)
    Csv,
    /// One JSON array of objects
    Json,
    /// One JSON object per line
    Ndjson,
    /// Apache Parquet (zstd), column types kept
    Parquet,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Ndjson => Format::Ndjson,
            FormatArg::Parquet => Format::Parquet,
        }
    }
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

    /// Run a named report, or list them (`ssmq report list`; `ssmq report --help` describes them)
    Report(ReportArgs),

    /// Open an interactive SQL shell (also `ssmq sql` on a terminal without a query)
    #[command(
        after_help = "In the shell:\n  statements end with `;` and may span lines; Tab completes tables, columns,\n  reports, functions and commands; \\d [TABLE], \\reports, \\report NAME [k=v],\n  \\format table|csv|json|ndjson, \\timing, \\help, \\q. History is kept in\n  $XDG_STATE_HOME/ssmq/history (or ~/.local/state/ssmq/history; SSMQ_HISTORY overrides)."
    )]
    Shell,

    /// Bring the local cache of the source up to date: list the lake once, read only new or
    /// changed objects, drop deleted ones. Later commands on the source answer from the cache
    #[command(after_help = SYNC_HELP)]
    Sync,

    /// Write every table (or the chosen ones) to a directory or S3 prefix for DuckDB, Spark,
    /// Trino or Athena: partitioned accountid=/region=, zstd Parquet by default, all or nothing
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),
}

const SYNC_HELP: &str = "\
Once a source has a cache, every command on it first brings the cache up to date (one
listing; objects whose ETag, or size and modification time, changed are read again) and then
answers from it. --offline answers from the cache without touching the source; --no-cache
reads the source and leaves the cache alone.

Examples:
  ssmq --source s3://audit-sync/ResourceDataSync sync
  ssmq --source s3://audit-sync/ResourceDataSync --offline report noncompliant-patches
  ssmq --source ./sync-bucket --cache-dir /var/cache/ssmq sync";

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

/// Arguments of `ssmq report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report to run; `list` (or nothing) lists them
    pub name: Option<String>,

    /// A report parameter, as name=value (repeatable)
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

/// Parses the process arguments; `ssmq report --help` lists the built-in reports.
pub fn parse() -> Cli {
    let mut reports = String::from("Reports:\n");
    for report in builtin_reports() {
        reports.push_str(&format!("  {:<28} {}\n", report.name, report.title));
        for param in &report.params {
            reports.push_str(&format!(
                "  {:<28}   --param {}=… ({}) {}\n",
                "",
                param.name,
                param.signature(),
                param.description
            ));
        }
    }
    reports.push_str(
        "\nExamples:\n  ssmq report noncompliant-patches --param severity=CRITICAL\n  \
         ssmq report stale-inventory --param days=14 --output stale.csv",
    );
    let command = Cli::command().mut_subcommand("report", |c| c.after_long_help(reports));
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
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
            return Ok(format.into());
        }
        match &self.output {
            None => Ok(Format::Table),
            Some(path) => Format::from_extension(path).with_context(|| {
                format!(
                    "Cannot tell the format from `{}`; pass --format table|csv|json|ndjson|parquet \
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

impl ReportArgs {
    /// `--param name=value` pairs.
    pub fn params(&self) -> anyhow::Result<Vec<(String, String)>> {
        self.params
            .iter()
            .map(|p| match p.split_once('=') {
                Some((name, value)) if !name.trim().is_empty() => {
                    Ok((name.trim().to_owned(), value.to_owned()))
                }
                _ => bail!("`--param {p}` is not of the form name=value"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn params_need_a_name_and_an_equals_sign() {
        let args = |p: &[&str]| ReportArgs {
            name: Some("r".into()),
            params: p.iter().map(|s| (*s).to_owned()).collect(),
        };
        assert_eq!(
            args(&["days=14", "q=a=b", "empty="]).params().unwrap(),
            vec![
                ("days".to_owned(), "14".to_owned()),
                ("q".to_owned(), "a=b".to_owned()),
                ("empty".to_owned(), String::new())
            ]
        );
        assert!(args(&["days"]).params().is_err());
        assert!(args(&["=3"]).params().is_err());
    }

    #[test]
    fn format_comes_from_flag_then_extension() {
        let global = |format: Option<FormatArg>, output: Option<&str>| GlobalArgs {
            source: None,
            accounts: vec![],
            regions: vec![],
            skip_bad_lines: false,
            database: DEFAULT_DATABASE.to_owned(),
            cache: CacheArgs::default(),
            format,
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
            global(Some(FormatArg::Json), Some("x.csv"))
                .output_format()
                .unwrap(),
            Format::Json
        );
        assert!(global(None, Some("x.dat")).output_format().is_err());
    }
}
