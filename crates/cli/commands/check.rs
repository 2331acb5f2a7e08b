//! `ssmq check`: the controls run on the lake, a row per control and resource, and the exit
//! code a CI gate acts on; `ssmq check list`: the controls.

use std::sync::Arc;

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use ssmq_core::LakeSession;
use ssmq_core::output::format::Format;
use ssmq_core::sql::controls::{
    builtin_controls, check, counted_alarms, has_errors, select_controls,
};

use super::ExitOne;
use crate::cli::{CheckArgs, report_params};
use crate::output::Output;

/// `ssmq check`: writes the controls' rows, then ends with [`ExitOne`] when alarms count.
pub async fn run(
    session: &LakeSession,
    args: &CheckArgs,
    output: &Output,
    format: Format,
) -> anyhow::Result<()> {
    let controls = select_controls(&args.controls, args.framework.as_deref())?;
    let params = report_params(args.params.iter().map(String::as_str))?;
    let results = check(session, &controls, &params).await?;
    output.write_batch(&results, format).await?;
    if has_errors(&results) {
        anyhow::bail!("A control could not run: its `error` row says why");
    }
    let alarms = counted_alarms(&results, &args.fail_on);
    if alarms > 0 {
        let what = match args.fail_on.as_str() {
            "any" => String::new(),
            severity => format!(" of severity {severity} or above"),
        };
        return Err(ExitOne(format!(
            "{alarms} alarm{}{what} (--fail-on {})",
            if alarms == 1 { "" } else { "s" },
            args.fail_on
        ))
        .into());
    }
    Ok(())
}

/// `ssmq check list`: id, title, severity, frameworks and parameters of every control.
pub async fn list(output: &Output, format: Format) -> anyhow::Result<()> {
    let controls = builtin_controls();
    let column = |values: Vec<String>| Arc::new(StringArray::from(values)) as _;
    let text = |name: &str| Field::new(name, DataType::Utf8, false);
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            text("control"),
            text("title"),
            text("severity"),
            text("frameworks"),
            text("params"),
        ])),
        vec![
            column(controls.iter().map(|c| c.id().to_owned()).collect()),
            column(controls.iter().map(|c| c.query.title.clone()).collect()),
            column(controls.iter().map(|c| c.severity.clone()).collect()),
            column(controls.iter().map(|c| c.frameworks.join("; ")).collect()),
            column(
                controls
                    .iter()
                    .map(|c| {
                        let params: Vec<String> = c
                            .query
                            .params
                            .iter()
                            .map(|p| format!("{} ({})", p.name, p.signature()))
                            .collect();
                        params.join(", ")
                    })
                    .collect(),
            ),
        ],
    )?;
    output.write_batch(&batch, format).await
}
