//! `ssmq evidence --out DIR`: the bundle an auditor can hand over; `ssmq evidence verify DIR`:
//! whether it is still as written.

use anyhow::Context;
use ssmq_core::output::evidence::{Bundle, Difference, verify as verify_bundle, write_bundle};
use ssmq_core::sql::controls::{Control, select_controls};
use ssmq_core::sql::reports::{Report, find_report};
use ssmq_core::{LakeSession, Source};

use super::ExitOne;
use crate::cli::{EvidenceArgs, report_params};
use crate::output::Stderr;

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
        source: source.describe(),
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

/// `ssmq evidence verify DIR`: exit code 0 when intact, else 1 naming each difference.
pub fn verify(dir: &std::path::Path, stderr: &Stderr) -> anyhow::Result<()> {
    let differences =
        verify_bundle(dir).with_context(|| format!("Failed to verify `{}`", dir.display()))?;
    if differences.is_empty() {
        stderr.notice(&format!(
            "`{}` is intact: every file matches manifest.json",
            dir.display()
        ));
        return Ok(());
    }
    for difference in &differences {
        let (what, path) = match difference {
            Difference::Changed(path) => ("changed", path),
            Difference::Missing(path) => ("missing", path),
            Difference::Added(path) => ("added, not in the manifest", path),
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

/// The command line as run, each argument quoted when it needs to be.
fn command_line() -> String {
    std::env::args()
        .map(|arg| {
            if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || "\"'$`\\".contains(c))
            {
                format!("'{}'", arg.replace('\'', "'\\''"))
            } else {
                arg
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
