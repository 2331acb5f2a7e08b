//! `ssmq sql` and `ssmq shell`: statements from an argument, a file or stdin, run in turn;
//! or the interactive shell on a terminal.

use std::sync::Arc;

use anyhow::Context;
use ssmq_core::LakeSession;
use ssmq_core::output::format::Format;
use ssmq_core::sql::session::parse_statements;

use crate::output::{Output, Stderr};
use crate::shell;

/// Runs each `;`-separated statement in turn, writing each result as it comes; the first
/// failure stops the rest.
pub async fn run_statements(
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

/// The interactive shell, on a blocking thread of its own (it reads the terminal).
pub async fn shell(
    session: &Arc<LakeSession>,
    output: &Arc<Output>,
    stderr: &Arc<Stderr>,
    format: Format,
    described: String,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Handle::current();
    let (session, output, stderr) = (Arc::clone(session), Arc::clone(output), Arc::clone(stderr));
    tokio::task::spawn_blocking(move || {
        shell::run(runtime, session, output, stderr, format, described)
    })
    .await
    .context("The shell stopped unexpectedly")?
}
