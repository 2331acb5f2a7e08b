//! `ssmq history`: the snapshots the source's cache keeps.

use anyhow::Context;
use ssmq_core::Source;
use ssmq_core::cache::LakeCache;
use ssmq_core::cache::history::snapshots_batch;
use ssmq_core::output::format::Format;

use crate::cli::Cli;
use crate::output::Output;

/// `ssmq history`: one row per snapshot, oldest first.
pub async fn run(
    cli: &Cli,
    source: &Source,
    output: &Output,
    format: Format,
) -> anyhow::Result<()> {
    if cli.global.cache.no_cache || cli.global.cache.as_of.is_some() {
        anyhow::bail!(
            "`ssmq history` lists the cache's snapshots: --no-cache and --as-of do not apply"
        );
    }
    let root = cli.global.cache.root().context(
        "Cannot tell where the cache is (no HOME or XDG_CACHE_HOME); pass --cache-dir DIR",
    )?;
    let options = cli.global.session_options();
    let cache = LakeCache::for_source(&root, source, &options.s3)?;
    let lake = cache
        .current()?
        .ok_or_else(|| ssmq_core::Error::NotSynced {
            source_text: source.describe(),
            root: root.clone(),
        })?;
    output
        .write_batch(&snapshots_batch(lake.snapshots()), format)
        .await
}
