//! `ssmq`: the terminal side of ssmq-core. Parses arguments, runs one command, writes data to
//! stdout or a file and everything else (notices, warnings, errors) to stderr.
//!
//! Exit codes: 0 success, 2 error. A closed stdout (`ssmq … | head`) ends quietly with 0.

mod cli;
mod output;
mod progress;
mod report_help;
mod shell;

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use ssmq_core::cache::LakeCache;
use ssmq_core::output::export::{ExportOptions, MARKER, export_tables, open_destination};
use ssmq_core::output::format::Format;
use ssmq_core::sql::reports::{builtin_reports, find_report};
use ssmq_core::sql::session::parse_statements;
use ssmq_core::{LakeSession, Source};

use std::sync::Arc;

use crate::cli::{Cli, Command, ExportArgs, ReportArgs, report_params};
use crate::output::{Output, Stderr};
use crate::progress::Progress;

fn main() -> ExitCode {
    let cli = cli::parse();
    let stderr = Arc::new(Stderr::new(cli.global.verbose));
    let output = Arc::new(Output::new(&cli.global));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            stderr.error(&anyhow::Error::new(e).context("Failed to start the async runtime"));
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(run(cli, Arc::clone(&output), Arc::clone(&stderr)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if output.pipe_closed() => ExitCode::SUCCESS,
        Err(e) => {
            stderr.error(&e);
            ExitCode::from(2)
        }
    }
}

/// Runs each `;`-separated statement in turn, writing each result as it comes; the first
/// failure stops the rest.
async fn run_statements(
    session: &LakeSession,
    text: &str,
    output: &Output,
    format: Format,
) -> anyhow::Result<()> {
    let statements = parse_statements(text)?;
    match statements.len() {
        0 => return Err(ssmq_core::Error::NoStatement.into()),
        1 => {}
        _ if output.writes_file() => anyhow::bail!(
            "Found {} SQL statements but one --output file; give one statement, or write to stdout",
            statements.len()
        ),
        _ => {}
    }
    let total = statements.len();
    for (i, statement) in statements.into_iter().enumerate() {
        if i > 0 && format == Format::Table {
            output.write_separator()?;
        }
        let run = async {
            let renamed = statement.renamed_columns().to_vec();
            let frame = session.statement(statement).await?;
            output.write_frame(frame, &renamed, format).await
        };
        if total == 1 {
            run.await?;
        } else {
            run.await
                .with_context(|| format!("Statement {} of {total} failed", i + 1))?;
        }
    }
    Ok(())
}

/// `ssmq report NAME --help`: the report's description, with the columns it returns as
/// planned over the built-in sample lake (a report that needs parameters shows none).
async fn describe_report(
    report: &ssmq_core::sql::reports::Report,
    output: &Output,
) -> anyhow::Result<()> {
    let session = LakeSession::open(&Source::BuiltinSample, ssmq_core::SessionOptions::default())
        .await
        .context("Failed to open the built-in sample lake")?;
    let columns = match session.report(report, &[]).await {
        Ok(frame) => Some(frame.schema().as_arrow().clone()),
        Err(_) => None,
    };
    output.write_text(&report_help::describe(report, columns.as_ref()))
}

/// `ssmq sync`: brings the source's cache up to date and says what it did.
async fn sync(cli: &Cli, source: &Source, stderr: &Stderr) -> anyhow::Result<()> {
    if cli.global.cache.no_cache || cli.global.cache.offline {
        anyhow::bail!("`ssmq sync` updates the cache: --no-cache and --offline do not apply");
    }
    if !cli.global.accounts.is_empty() || !cli.global.regions.is_empty() {
        anyhow::bail!(
            "`ssmq sync` keeps the whole lake; --account and --region choose what later queries read"
        );
    }
    let root = cli.global.cache.root().context(
        "Cannot tell where the cache goes (no HOME or XDG_CACHE_HOME); pass --cache-dir DIR",
    )?;
    let options = cli.global.session_options();
    let cache = LakeCache::for_source(&root, source, &options.s3)?;
    let summary = ssmq_core::cache::sync(source, &cache, &options.s3, &options.read)
        .await
        .with_context(|| {
            format!(
                "Failed to sync {}; the cache is as it was",
                source.describe()
            )
        })?;
    stderr.synced(&summary, cache.dir());
    Ok(())
}

/// `ssmq export`: every chosen table to the destination, a summary line per table.
async fn export(
    session: &LakeSession,
    cli: &Cli,
    args: &ExportArgs,
    stderr: &Stderr,
) -> anyhow::Result<()> {
    let options = ExportOptions {
        format: cli.global.format.unwrap_or(Format::Parquet),
        tables: args.tables.clone(),
    };
    let (destination, prefix) = open_destination(&args.out, &cli.global.session_options().s3)
        .await
        .with_context(|| format!("Failed to open `{}`", args.out))?;
    let exported = export_tables(session, &destination, &prefix, &options, |table| {
        if !args.quiet {
            stderr.exported(table);
        }
    })
    .await
    .with_context(|| {
        format!(
            "Export to `{}` failed; the previous export there is unchanged",
            args.out
        )
    })?;
    if !args.quiet {
        let rows: u64 = exported.iter().map(|t| t.rows).sum();
        stderr.notice(&format!(
            "Exported {} tables, {rows} rows, to {}; {} names every file",
            exported.len(),
            destination.name_prefix(&prefix),
            destination.name(&prefix.clone().join(MARKER)),
        ));
    }
    Ok(())
}

async fn run(cli: Cli, output: Arc<Output>, stderr: Arc<Stderr>) -> anyhow::Result<()> {
    let format = cli.global.output_format()?;
    match &cli.command {
        Command::Report(ReportArgs::List) => {
            return output.write_report_list(builtin_reports(), format).await;
        }
        Command::Report(ReportArgs::Describe(name)) => {
            return describe_report(find_report(name)?, &output).await;
        }
        // An unknown name is an error before any lake is opened.
        Command::Report(ReportArgs::Run { name, .. }) => {
            find_report(name)?;
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "ssmq", &mut script);
            return output.write_text(&String::from_utf8_lossy(&script));
        }
        _ => {}
    }

    let source = cli.global.source()?;
    if source == Source::BuiltinSample {
        stderr.notice(&format!(
            "No --source given: querying the built-in sample lake ({} files). Pass --source DIR or set SSMQ_SOURCE to query your own",
            ssmq_core::source::builtin_sample_files()
        ));
    }
    if let Command::Sync = &cli.command {
        return sync(&cli, &source, &stderr).await;
    }
    if let Command::Export(_) = &cli.command
        && cli.global.output.is_some()
    {
        anyhow::bail!(
            "`ssmq export` writes to --out DIR|s3://bucket/prefix; --output is for results of sql and report"
        );
    }
    let interactive = match &cli.command {
        Command::Shell => true,
        Command::Sql(args) => args.interactive(),
        _ => false,
    };
    let mut options = cli.global.session_options();
    if interactive {
        // The shell lists each table once for every statement to come, so it cannot narrow
        // listing to what the first statement's WHERE clause asks for.
        options.scope_statements = false;
    }
    let started = Instant::now();
    let session = LakeSession::open(&source, options)
        .await
        .with_context(|| format!("Failed to open {}", source.describe()))?;
    stderr.cache(&session);
    let session = Arc::new(session);
    // The shell shows progress per statement; an export a line per table.
    let progress = if interactive || matches!(cli.command, Command::Export(_)) {
        Progress::none()
    } else {
        Progress::follow(Arc::clone(&session))
    };
    output.show_progress(progress.clone());

    let result = match &cli.command {
        Command::Tables => {
            let overview = session.tables_overview().await?;
            output.write_batch(&overview, format).await
        }
        Command::Describe { table } => {
            output
                .write_batch(&session.describe(table).await?, format)
                .await
        }
        Command::Sql(args) if !interactive => {
            run_statements(&session, &args.text()?, &output, format).await
        }
        Command::Shell | Command::Sql(_) => {
            let runtime = tokio::runtime::Handle::current();
            let (session, output, stderr) = (
                Arc::clone(&session),
                Arc::clone(&output),
                Arc::clone(&stderr),
            );
            let described = source.describe();
            tokio::task::spawn_blocking(move || {
                shell::run(runtime, session, output, stderr, format, described)
            })
            .await
            .context("The shell stopped unexpectedly")?
        }

        Command::Export(args) => export(&session, &cli, args, &stderr).await,
        Command::Sync
        | Command::Completions { .. }
        | Command::Report(ReportArgs::List | ReportArgs::Describe(_)) => {
            unreachable!("answered before a session opens")
        }
        Command::Report(ReportArgs::Run { name, params }) => {
            let report = find_report(name)?;
            let params = report_params(params.iter().map(|p| p.as_str()))
                .map_err(|e| e.context(format!("Bad --param for report `{name}`")))?;
            let frame = session.report(report, &params).await?;
            output
                .write_frame(frame, &[], format)
                .await
                .with_context(|| format!("Failed to run report `{name}`"))
        }
    };
    progress.clear();
    let counted_skips = matches!(cli.command, Command::Tables);
    if session.cached().is_none() {
        stderr.lake(&session, counted_skips);
    }
    stderr.reads(&session, started.elapsed());
    result?;
    let _ = std::io::stdout().flush();
    Ok(())
}
