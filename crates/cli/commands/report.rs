//! `ssmq report`: the list, one report's description, or a report run on a session.

use anyhow::Context;
use ssmq_core::output::format::Format;
use ssmq_core::sql::reports::{Report, builtin_reports, find_report};
use ssmq_core::{LakeSession, SessionOptions, Source};

use crate::cli::report_params;
use crate::output::Output;
use crate::report_help;

/// `ssmq report list`.
pub async fn list(output: &Output, format: Format) -> anyhow::Result<()> {
    output.write_report_list(builtin_reports(), format).await
}

/// `ssmq report NAME --help`: the report's description, with the columns it returns as
/// planned over the built-in sample lake (a report that needs parameters shows none).
pub async fn describe(report: &Report, output: &Output) -> anyhow::Result<()> {
    let session = LakeSession::open(&Source::BuiltinSample, SessionOptions::default())
        .await
        .context("Failed to open the built-in sample lake")?;
    let columns = match session.report(report, &[]).await {
        Ok(frame) => Some(frame.schema().as_arrow().clone()),
        Err(_) => None,
    };
    output.write_text(&report_help::describe(report, columns.as_ref()))
}

/// `ssmq report NAME [--param name=value …]` on an open session.
pub async fn run(
    session: &LakeSession,
    name: &str,
    params: &[String],
    output: &Output,
    format: Format,
) -> anyhow::Result<()> {
    let report = find_report(name)?;
    let params = report_params(params.iter().map(|p| p.as_str()))
        .map_err(|e| e.context(format!("Bad --param for report `{name}`")))?;
    let frame = session.report(report, &params).await?;
    output
        .write_titled_frame(frame, &[], format, Some(&report.title))
        .await
        .with_context(|| format!("Failed to run report `{name}`"))
}
