//! `ssmq history`: the snapshots the source's cache keeps, and letting go of old ones.

use anyhow::Context;
use ssmq_core::Source;
use ssmq_core::cache::history::{AsOf, snapshots_batch, time_text};
use ssmq_core::cache::{LakeCache, PruneSummary, prune};
use ssmq_core::output::format::Format;

use crate::cli::Cli;
use crate::output::{Output, Stderr};

/// `ssmq history`: one row per snapshot, oldest first.
pub async fn list(
    cli: &Cli,
    source: &Source,
    output: &Output,
    format: Format,
) -> anyhow::Result<()> {
    let cache = synced_cache(cli, source)?;
    let lake = cache
        .current()?
        .context("The cache went while it was read")?;
    output
        .write_batch(&snapshots_batch(lake.snapshots()), format)
        .await
}

/// `ssmq history prune`: lets go of snapshots taken before `older_than`, and says what went.
pub async fn prune_history(
    cli: &Cli,
    source: &Source,
    older_than: AsOf,
    dry_run: bool,
    stderr: &Stderr,
) -> anyhow::Result<()> {
    let AsOf::Time(keep_from) = older_than else {
        anyhow::bail!("--older-than takes a time or a duration (90d), not a snapshot");
    };
    let cache = synced_cache(cli, source)?;
    let summary = prune(&cache, keep_from, dry_run).await?;
    stderr.notice(&pruned(&summary, dry_run));
    Ok(())
}

/// `Pruned 3 snapshots and 1204 versions; …`.
fn pruned(summary: &PruneSummary, dry_run: bool) -> String {
    let verb = if dry_run {
        "Would let go of"
    } else {
        "Let go of"
    };
    let mut line = format!(
        "{verb} {} snapshot{} and {} version{} of objects",
        summary.snapshots,
        if summary.snapshots == 1 { "" } else { "s" },
        summary.versions,
        if summary.versions == 1 { "" } else { "s" },
    );
    if let Some(oldest) = &summary.oldest_kept {
        line.push_str(&format!(
            "; the oldest snapshot kept is {}, taken {}",
            oldest.number,
            time_text(oldest.taken_at)
        ));
    }
    if summary.compacted > 0 {
        line.push_str(&format!("; compacted {} segments", summary.compacted));
    }
    line
}

/// The source's cache, which a sync has made.
fn synced_cache(cli: &Cli, source: &Source) -> anyhow::Result<LakeCache> {
    if cli.global.cache.no_cache || cli.global.cache.as_of.is_some() {
        anyhow::bail!(
            "`ssmq history` works on the cache's snapshots: --no-cache and --as-of do not apply"
        );
    }
    let root = cli.global.cache.required_root()?;
    let cache = LakeCache::for_source(&root, source, &cli.global.session_options().s3)?;
    if !cache.exists() {
        anyhow::bail!(
            "{} has no cache in `{}` yet: `ssmq sync` makes one, and each sync that changes \
             anything adds a snapshot",
            source.describe(),
            root.display()
        );
    }
    Ok(cache)
}
