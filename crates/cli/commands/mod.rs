//! The subcommands: one function each, in a file each where there is more than a line to it.
//! [`run`] answers what needs no lake first (the report list and help, completions), syncs
//! for `ssmq sync`, and otherwise opens the lake once for the command and reports on stderr
//! what reading it met.

mod backfill;
mod check;
mod evidence;
mod export;
mod history;
mod report;
mod sql;
mod sync;

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use ssmq_core::output::format::Format;
use ssmq_core::sql::controls::select_controls;
use ssmq_core::sql::reports::find_report;
use ssmq_core::{LakeSession, Source};

use crate::cli::{
    CheckArgs, CheckCommand, Cli, Command, EvidenceArgs, EvidenceCommand, HistoryCommand,
    ReportArgs,
};
use crate::output::{Output, Stderr};
use crate::progress::Progress;

/// An answer that is not an error but that a gate acts on (alarms raised, a bundle altered):
/// the command ends with exit code 1, its message said as a note.
#[derive(Debug)]
pub struct ExitOne(pub String);

impl std::fmt::Display for ExitOne {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExitOne {}

/// Runs the command `cli` names.
pub async fn run(cli: Cli, output: Arc<Output>, stderr: Arc<Stderr>) -> anyhow::Result<()> {
    let format = cli.global.output_format()?;
    match &cli.command {
        Command::Report(ReportArgs::List) => report::list(&output, format).await,
        Command::Report(ReportArgs::Describe(name)) => {
            report::describe(find_report(name)?, &output).await
        }
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut command, "ssmq", &mut script);
            output.write_text(&String::from_utf8_lossy(&script))
        }
        Command::Sync(args) => sync::run(&cli, args, &source(&cli, &stderr)?, &stderr).await,
        Command::Check(CheckArgs {
            list: Some(CheckCommand::List),
            ..
        }) => check::list(&output, format).await,
        Command::Evidence(EvidenceArgs {
            verify: Some(EvidenceCommand::Verify { dir, rerun }),
            ..
        }) => evidence::verify(&cli, dir, *rerun, &stderr).await,
        Command::Backfill(args) => {
            backfill::run(&cli, args, &source(&cli, &stderr)?, &stderr).await
        }
        Command::History { prune } => {
            let source = source(&cli, &stderr)?;
            match prune {
                None => history::list(&cli, &source, &output, format).await,
                Some(HistoryCommand::Prune {
                    older_than,
                    dry_run,
                }) => history::prune_history(&cli, &source, *older_than, *dry_run, &stderr).await,
            }
        }
        _ => on_the_lake(&cli, &output, &stderr, format).await,
    }
}

/// The lake `--source` names (the built-in sample, said on stderr, without one).
fn source(cli: &Cli, stderr: &Stderr) -> anyhow::Result<Source> {
    let source = cli.global.source()?;
    if source == Source::BuiltinSample {
        stderr.notice(&format!(
            "No --source given: querying the built-in sample lake ({} files). Pass --source DIR or set SSMQ_SOURCE to query your own",
            ssmq_core::source::builtin_sample_files()
        ));
    }
    Ok(source)
}

/// A command that reads the lake: it opens a session, runs, then says on stderr what the
/// lake held that was passed over and what reading it cost.
async fn on_the_lake(
    cli: &Cli,
    output: &Arc<Output>,
    stderr: &Arc<Stderr>,
    format: Format,
) -> anyhow::Result<()> {
    // An unknown report or control is an error before any lake is opened.
    if let Command::Report(ReportArgs::Run { name, .. }) = &cli.command {
        find_report(name)?;
    }
    if let Command::Check(args) = &cli.command {
        select_controls(&args.controls, args.framework.as_deref())?;
    }
    if let Command::Evidence(args) = &cli.command {
        evidence::chosen(args)?;
    }
    if let Command::Export(_) = &cli.command
        && cli.global.output.is_some()
    {
        anyhow::bail!(
            "`ssmq export` writes to --out DIR|s3://bucket/prefix; --output is for results of sql and report"
        );
    }
    let source = source(cli, stderr)?;
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
            output
                .write_batch(&session.tables_overview().await?, format)
                .await
        }
        Command::Describe { table } => {
            output
                .write_batch(&session.describe(table).await?, format)
                .await
        }
        Command::Sql(args) if !interactive => {
            sql::run_statements(&session, &args.text()?, output, format).await
        }
        Command::Shell | Command::Sql(_) => {
            sql::shell(&session, output, stderr, format, source.describe()).await
        }
        Command::Export(args) => export::run(&session, cli, args, stderr).await,
        Command::Changes(args) => {
            let moment = |as_of: ssmq_core::cache::history::AsOf| -> anyhow::Result<_> {
                let lake = session.cached().ok_or(ssmq_core::Error::PastWithoutCache {
                    source_text: source.describe(),
                })?;
                Ok(lake.moment_of(as_of)?)
            };
            let since = moment(args.since)?;
            let until = args.until.map(moment).transpose()?;
            let changed =
                ssmq_core::sql::changes::changes(&session, since, until, &args.tables).await?;
            output.write_batch(&changed, format).await
        }
        Command::Report(ReportArgs::Run { name, params }) => {
            report::run(&session, name, params, output, format).await
        }
        Command::Check(args) => check::run(&session, args, output, format).await,
        Command::Evidence(args) => evidence::write(&session, args, &source, stderr).await,
        Command::Sync(_)
        | Command::Backfill(_)
        | Command::History { .. }
        | Command::Completions { .. }
        | Command::Report(ReportArgs::List | ReportArgs::Describe(_)) => {
            unreachable!("answered without a session")
        }
    };
    progress.clear();
    if session.cached().is_none() {
        stderr.lake(&session, matches!(cli.command, Command::Tables));
    }
    stderr.reads(&session, started.elapsed());
    result?;
    let _ = std::io::stdout().flush();
    Ok(())
}
