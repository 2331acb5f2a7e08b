//! `ssmq evidence --out DIR`: the bundle an auditor can hand over; `ssmq evidence verify DIR`:
//! whether it is still as written.

use anyhow::Context;
use ssmq_core::cache::CacheUse;
use ssmq_core::cache::history::AsOf;
use ssmq_core::output::evidence::{
    Bundle, Difference, read_manifest, rerun, verify as verify_bundle, write_bundle,
};
use ssmq_core::sql::controls::{Control, select_controls};
use ssmq_core::sql::reports::{Report, find_report};
use ssmq_core::{LakeSession, Source};

use super::ExitOne;
use crate::cli::{Cli, EvidenceArgs, report_params};
use crate::output::{Stderr, command_line};

/// The reports a bundle holds when none are named.
const DEFAULT_REPORTS: [&str; 3] = [
    "noncompliant-patches",
    "patch-age",
    "patch-compliance-by-account",
];

/// The controls and reports `args` choose; an error naming an unknown one, or a missing --out.
pub fn chosen(
    args: &EvidenceArgs,
) -> anyhow::Result<(Vec<&'static Control>, Vec<&'static Report>)> {
    if args.out.is_none() {
        anyhow::bail!(
            "`ssmq evidence` writes to --out DIR (or checks one: `ssmq evidence verify DIR`)"
        );
    }
    let controls = select_controls(&args.controls, args.framework.as_deref())?;
    let names: Vec<&str> = match args.reports.is_empty() {
        true => DEFAULT_REPORTS.to_vec(),
        false => args.reports.iter().map(String::as_str).collect(),
    };
    let reports = names
        .into_iter()
        .map(find_report)
        .collect::<ssmq_core::Result<Vec<_>>>()?;
    Ok((controls, reports))
}

/// `ssmq evidence --out DIR`: writes the bundle and says what it holds.
pub async fn write(
    session: &LakeSession,
    args: &EvidenceArgs,
    source: &Source,
    stderr: &Stderr,
) -> anyhow::Result<()> {
    let (controls, reports) = chosen(args)?;
    let out = args.out.as_deref().expect("checked by chosen");
    let bundle = Bundle {
        controls,
        reports,
        params: report_params(args.params.iter().map(String::as_str))?,
        command: command_line(),
        source: source.describe().trim_matches('`').to_owned(),
    };
    let manifest = write_bundle(session, &bundle, out)
        .await
        .with_context(|| format!("Failed to write the evidence bundle `{}`", out.display()))?;
    stderr.notice(&format!(
        "Wrote `{}`: {} files, {} check rows, {} source objects, as of {}{}",
        out.display(),
        manifest.files.len() + 1,
        manifest.rows.get("checks").copied().unwrap_or(0),
        manifest.source_objects,
        manifest.as_of,
        manifest
            .snapshot
            .map(|n| format!(" (snapshot {n})"))
            .unwrap_or_default()
    ));
    Ok(())
}

/// `ssmq evidence verify DIR [--rerun]`: exit code 0 when intact (and, with `--rerun`, computed
/// again alike), else 1 naming each difference.
pub async fn verify(
    cli: &Cli,
    dir: &std::path::Path,
    rerun: bool,
    stderr: &Stderr,
) -> anyhow::Result<()> {
    let failed = || format!("Failed to verify `{}`", dir.display());
    let mut differences = verify_bundle(dir).with_context(failed)?;
    if rerun {
        differences.extend(recompute(cli, dir, stderr).await.with_context(failed)?);
    }
    if differences.is_empty() {
        stderr.notice(&format!(
            "`{}` is intact: every file matches manifest.json{}",
            dir.display(),
            if rerun {
                ", and computed again from the cache it comes out the same"
            } else {
                ""
            }
        ));
        return Ok(());
    }
    for difference in &differences {
        let (what, path) = match difference {
            Difference::Changed(path) => ("changed", path),
            Difference::Missing(path) => ("missing", path),
            Difference::Added(path) => ("added, not in the manifest", path),
            Difference::Recomputed(path) => ("comes out otherwise when computed again", path),
        };
        eprintln!("{}: {what}", dir.join(path).display());
    }
    Err(ExitOne(format!(
        "{} file{} of `{}` {} not as manifest.json says",
        differences.len(),
        if differences.len() == 1 { "" } else { "s" },
        dir.display(),
        if differences.len() == 1 { "is" } else { "are" },
    ))
    .into())
}

/// The bundle in `dir` computed again from the cache as of its manifest's moment: the files
/// that come out otherwise.
async fn recompute(
    cli: &Cli,
    dir: &std::path::Path,
    stderr: &Stderr,
) -> anyhow::Result<Vec<Difference>> {
    let manifest = read_manifest(dir)?;
    let Some(snapshot) = manifest.snapshot.filter(|n| *n > 0) else {
        anyhow::bail!(
            "--rerun needs the bundle's snapshot in a cache, and this bundle was read from {} \
             directly (its manifest names no snapshot)",
            manifest.source
        );
    };
    let source = match &cli.global.source {
        Some(text) => Source::parse(text)?,
        None => Source::parse(&manifest.source)?,
    };
    let mut options = cli.global.session_options();
    options.cache = match options.cache {
        CacheUse::IfPresent(root) | CacheUse::Offline(root) => CacheUse::Offline(root),
        CacheUse::Bypass => anyhow::bail!("--rerun answers from the cache; leave out --no-cache"),
    };
    let as_of: AsOf = manifest
        .as_of
        .parse()
        .map_err(|e: String| anyhow::anyhow!("The manifest's as_of: {e}"))?;
    options.as_of = Some(as_of);
    let session = LakeSession::open(&source, options)
        .await
        .with_context(|| format!("Failed to open the cache of {}", source.describe()))?;
    let answered = session
        .cached()
        .and_then(|lake| lake.past())
        .map(|past| past.snapshot.number);
    if answered != Some(snapshot) {
        anyhow::bail!(
            "The bundle was computed on snapshot {snapshot}; as of {} the cache of {} now \
             answers with {} (its history was pruned or rebuilt since)",
            manifest.as_of,
            source.describe(),
            answered.map_or("no snapshot".to_owned(), |n| format!("snapshot {n}"))
        );
    }
    stderr.notice(&format!(
        "Computing the bundle again as of {} (snapshot {snapshot})",
        manifest.as_of
    ));
    Ok(rerun(&session, &manifest).await?)
}
