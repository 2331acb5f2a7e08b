//! `ssmq backfill --from-versions`: the past of a versioned bucket read into the cache.

use anyhow::Context;
use ssmq_core::Source;
use ssmq_core::cache::history::AsOf;
use ssmq_core::cache::{LakeCache, backfill};

use super::sync::refuse_query_options;
use crate::cli::{BackfillArgs, Cli};
use crate::output::Stderr;

/// `ssmq backfill`: reads what the bucket keeps of its past into the cache's history and says
/// what it read, or with `--dry-run` what it would.
pub async fn run(
    cli: &Cli,
    args: &BackfillArgs,
    source: &Source,
    stderr: &Stderr,
) -> anyhow::Result<()> {
    refuse_query_options(cli, "`ssmq backfill` adds to the cache's history")?;
    let since = match args.since {
        None => None,
        Some(AsOf::Time(time)) => Some(time),
        Some(AsOf::Snapshot(_)) => {
            anyhow::bail!("--since takes a time or a duration (30d), not a snapshot")
        }
    };
    let options = cli.global.session_options();
    let cache = LakeCache::for_source(&cli.global.cache.required_root()?, source, &options.s3)?;
    let progress = |round: usize, rounds: usize| {
        if cli.global.verbose > 0 {
            eprintln!("backfill: snapshot {round} of {rounds} taken");
        }
    };
    let done = backfill(
        source,
        &cache,
        &options.s3,
        &options.read,
        since,
        args.dry_run,
        &progress,
    )
    .await
    .with_context(|| {
        format!(
            "Failed to backfill {}; the cache is as it was",
            source.describe()
        )
    })?;
    stderr.backfilled(&done, args.dry_run);
    Ok(())
}
