//! `ssmq sync`: the source's cache brought up to date.

use anyhow::Context;
use ssmq_core::Source;
use ssmq_core::cache::LakeCache;

use crate::cli::{Cli, SyncArgs};
use crate::output::Stderr;

/// `ssmq sync`: brings the source's cache up to date and says what it did.
pub async fn run(
    cli: &Cli,
    args: &SyncArgs,
    source: &Source,
    stderr: &Stderr,
) -> anyhow::Result<()> {
    refuse_query_options(cli, "`ssmq sync` updates the cache")?;
    let options = cli.global.session_options();
    let mut cache = LakeCache::for_source(&cli.global.cache.required_root()?, source, &options.s3)?;
    if let Some(days) = args.keep_history {
        cache = cache.keeping_history(days);
    }
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

/// An error when options that choose what a query reads are given to a command that writes
/// the cache (`what` says what it does): it keeps the whole lake, now.
pub(super) fn refuse_query_options(cli: &Cli, what: &str) -> anyhow::Result<()> {
    if cli.global.cache.no_cache || cli.global.cache.offline || cli.global.cache.as_of.is_some() {
        anyhow::bail!("{what}: --no-cache, --offline and --as-of do not apply");
    }
    if !cli.global.accounts.is_empty() || !cli.global.regions.is_empty() {
        anyhow::bail!(
            "{what} and keeps the whole lake; --account and --region choose what later queries read"
        );
    }
    Ok(())
}
