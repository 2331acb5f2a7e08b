//! `ssmq export`: whole tables to a directory or S3 prefix, all or nothing.

use anyhow::Context;
use ssmq_core::LakeSession;
use ssmq_core::output::export::{ExportOptions, MARKER, export_tables, open_destination};
use ssmq_core::output::format::Format;

use crate::cli::{Cli, ExportArgs};
use crate::output::Stderr;

/// `ssmq export`: every chosen table to the destination, a summary line per table.
pub async fn run(
    session: &LakeSession,
    cli: &Cli,
    args: &ExportArgs,
    stderr: &Stderr,
) -> anyhow::Result<()> {
    let options = ExportOptions {
        format: cli.global.format.unwrap_or(Format::Parquet),
        tables: args.tables.clone(),
    };
    let (destination, prefix) = open_destination(&args.out, &cli.global.session_options().s3)
        .await
        .with_context(|| format!("Failed to open `{}`", args.out))?;
    let exported = export_tables(session, &destination, &prefix, &options, |table| {
        if !args.quiet {
            stderr.exported(table);
        }
    })
    .await
    .with_context(|| {
        format!(
            "Export to `{}` failed; the previous export there is unchanged",
            args.out
        )
    })?;
    if !args.quiet {
        let rows: u64 = exported.iter().map(|t| t.rows).sum();
        stderr.notice(&format!(
            "Exported {} tables, {rows} rows, to {}; {} names every file",
            exported.len(),
            destination.name_prefix(&prefix),
            destination.name(&prefix.clone().join(MARKER)),
        ));
    }
    Ok(())
}
