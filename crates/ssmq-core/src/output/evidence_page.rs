//! The evidence bundle's `report.html`: one page an auditor can open anywhere, that loads
//! nothing (see [`crate::output::html`]).
//!
//! In: the session the bundle was computed on, the controls run and their rows (`checks`), the
//! rows of the reports it reads ([`page_reports`], whose SQL the bundle keeps under
//! `queries/`), and the facts of the bundle (source, moment, snapshot, source objects). Out:
//! the page's text:
//!
//! 1. the facts: audit moment, snapshot, source, controls and their results, source objects;
//! 2. **Controls**: ok / alarm / skip / error per control as stacked bars, with each control's
//!    title, severity and framework references;
//! 3. **Patch compliance by account and Region** (report `patch-compliance-by-account`):
//!    compliant, non-compliant and unreported nodes as stacked bars, and the table;
//! 4. **Oldest open critical findings** (report `patch-age`): critical patch items not
//!    compliant at the moment, oldest first;
//! 5. **Trend** (report `patch-trend`, when a cache's history answered): non-compliant nodes
//!    per snapshot up to the moment;
//! 6. **Alarms**: the controls' alarm rows, most severe and longest failing first.
//!
//! Every value comes from the bundle's moment, so two bundles of one snapshot have the same
//! page; the creation time is left to the manifest.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, RecordBatch, StringArray, UInt64Array};
use arrow::datatypes::{Int64Type, UInt64Type};
use datafusion::prelude::SessionContext;

use crate::error::Result;
use crate::output::chart::{GREEN, GREY, LIGHT_GREY, ORANGE, RED, Series, stacked_bars, trend};
use crate::output::html::Page;
use crate::sql::controls::Control;
use crate::sql::reports::{Report, find_report};
use crate::sql::session::LakeSession;

/// How many rows of the longer tables the page shows (every row is in the bundle's CSV).
const CRITICAL_SHOWN: usize = 25;
const ALARMS_SHOWN: usize = 200;

const OK: Series = Series::new("ok", GREEN);
const ALARM: Series = Series::new("alarm", RED);
const SKIP: Series = Series::new("skip", GREY);
const ERROR: Series = Series::new("error", ORANGE);
const COMPLIANT: Series = Series::new("compliant", GREEN);
const NON_COMPLIANT: Series = Series::new("non-compliant", RED);
const UNREPORTED: Series = Series::new("unreported", LIGHT_GREY);

/// What the page says about the bundle besides its results.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The source: its URI or folder.
    pub source: String,
    /// The moment of the answers (RFC 3339).
    pub as_of: String,
    /// The snapshot that answered, as a sentence (`12, taken …`), or why there is none.
    pub snapshot: String,
    /// Objects listed in `sources.csv`.
    pub source_objects: u64,
}

/// The reports the page reads, in the order it shows them; `patch-trend` only with history.
pub fn page_reports(session: &LakeSession) -> Result<Vec<&'static Report>> {
    let mut names = vec!["patch-compliance-by-account", "patch-age"];
    if session.cached().is_some() {
        names.push("patch-trend");
    }
    names.into_iter().map(find_report).collect()
}

/// The page of a bundle whose controls gave `checks`.
/// `results` holds the rows of (at least) the [`page_reports`], by report name.
pub async fn render(
    session: &LakeSession,
    controls: &[&Control],
    checks: &RecordBatch,
    results: &BTreeMap<String, RecordBatch>,
    facts: &Facts,
) -> Result<String> {
    let mut page = Page::new("Compliance evidence");
    let tally = tally(controls, checks);
    let total = |i: usize| tally.iter().map(|(_, counts)| counts[i]).sum::<u64>();
    page.fact("As of", &facts.as_of)
        .fact("Snapshot", &facts.snapshot)
        .fact("Source", &facts.source)
        .fact(
            "Controls",
            &controls
                .iter()
                .map(|c| c.id())
                .collect::<Vec<_>>()
                .join(", "),
        )
        .fact(
            "Results",
            &format!(
                "{} alarm, {} ok, {} skip, {} error",
                total(1),
                total(0),
                total(2),
                total(3)
            ),
        )
        .fact(
            "Source objects",
            &format!("{} (listed in sources.csv)", facts.source_objects),
        )
        .fact("Written by", &format!("ssmq {}", env!("CARGO_PKG_VERSION")));

    let ctx = SessionContext::new();
    ctx.register_batch("checks", checks.clone())?;
    controls_section(&mut page, &tally)?;
    for report in page_reports(session)? {
        let batch = results[&report.name].clone();
        match report.name.as_str() {
            "patch-compliance-by-account" => accounts_section(&mut page, &batch)?,
            "patch-age" => {
                ctx.register_batch("patch_age", batch)?;
                critical_section(&mut page, &ctx).await?;
            }
            _ => trend_section(&mut page, &batch)?,
        }
    }
    if session.cached().is_none() {
        page.heading("trend", "Trend").paragraph(
            "No trend: the source was read directly, and only a cache keeps snapshots \
                 (`ssmq sync` builds one; `ssmq backfill --from-versions` reads a versioned \
                 bucket's past into it).",
        );
    }
    alarms_section(&mut page, &ctx).await?;
    page.heading("files", "Files").paragraph(
        "Every file of this bundle is listed in manifest.json with its SHA-256 and size; \
             `ssmq evidence verify DIR` (or any SHA-256 tool) checks them. checks.csv holds \
             every control row, reports/ each report, queries/ the exact SQL that computed \
             them, sources.csv every source object read.",
    );
    Ok(page.render())
}

/// Per control, in the order run: ok, alarm, skip and error rows.
fn tally<'a>(controls: &[&'a Control], checks: &RecordBatch) -> Vec<(&'a Control, [u64; 4])> {
    let column = |name: &str| {
        checks
            .column_by_name(name)
            .expect("a check batch has its schema")
            .as_string::<i32>()
            .clone()
    };
    let (ids, statuses) = (column("control"), column("status"));
    controls
        .iter()
        .map(|control| {
            let mut counts = [0; 4];
            for row in 0..checks.num_rows() {
                if ids.value(row) != control.id() {
                    continue;
                }
                let slot = match statuses.value(row) {
                    "ok" => 0,
                    "alarm" => 1,
                    "skip" => 2,
                    _ => 3,
                };
                counts[slot] += 1;
            }
            (*control, counts)
        })
        .collect()
}

fn controls_section(page: &mut Page, tally: &[(&Control, [u64; 4])]) -> Result<()> {
    page.heading("controls", "Controls").paragraph(
        "Rows per control and resource: alarm when the resource fails the control, skip when \
         it does not apply (a terminated node, a not-applicable patch), error when the control \
         could not run.",
    );
    let rows: Vec<(String, Vec<u64>)> = tally
        .iter()
        .map(|(control, c)| (control.id().to_owned(), vec![c[0], c[1], c[2], c[3]]))
        .collect();
    page.chart(&stacked_bars(
        "Control results: ok, alarm, skip and error rows per control",
        &[OK, ALARM, SKIP, ERROR],
        &rows,
    ));
    let text = |values: Vec<String>| Arc::new(StringArray::from(values)) as ArrayRef;
    let count = |slot: usize| {
        Arc::new(UInt64Array::from_iter_values(
            tally.iter().map(|(_, c)| c[slot]),
        )) as ArrayRef
    };
    let of = |field: fn(&Control) -> String| tally.iter().map(|(c, _)| field(c)).collect();
    let summary = RecordBatch::try_from_iter([
        ("control", text(of(|c| c.id().to_owned()))),
        ("title", text(of(|c| c.query.title.clone()))),
        ("severity", text(of(|c| c.severity.clone()))),
        ("frameworks", text(of(|c| c.frameworks.join("; ")))),
        ("ok", count(0)),
        ("alarm", count(1)),
        ("skip", count(2)),
        ("error", count(3)),
    ])?;
    page.table(&summary, None, None)?;
    Ok(())
}

fn accounts_section(page: &mut Page, by_account: &RecordBatch) -> Result<()> {
    page.heading("accounts", "Patch compliance by account and Region")
        .paragraph(
            "Nodes that are not terminated, by their patch compliance summary: compliant, \
             non-compliant, or no patch compliance reported (report \
             patch-compliance-by-account).",
        );
    let text = |name: &str| {
        by_account
            .column_by_name(name)
            .map(|c| c.as_string::<i32>().clone())
    };
    let count = |name: &str| {
        by_account
            .column_by_name(name)
            .map(|c| c.as_primitive::<Int64Type>().clone())
    };
    if let (Some(accounts), Some(regions), Some(ok), Some(bad), Some(none)) = (
        text("accountid"),
        text("region"),
        count("compliant"),
        count("non_compliant"),
        count("unreported"),
    ) {
        let rows: Vec<(String, Vec<u64>)> = (0..by_account.num_rows())
            .map(|i| {
                let value = |a: &arrow::array::Int64Array| a.value(i).max(0) as u64;
                (
                    format!("{} {}", accounts.value(i), regions.value(i)),
                    vec![value(&ok), value(&bad), value(&none)],
                )
            })
            .collect();
        page.chart(&stacked_bars(
            "Nodes per account and Region: compliant, non-compliant and unreported",
            &[COMPLIANT, NON_COMPLIANT, UNREPORTED],
            &rows,
        ));
    }
    page.table(by_account, None, None)?;
    Ok(())
}

async fn critical_section(page: &mut Page, ctx: &SessionContext) -> Result<()> {
    page.heading("critical", "Oldest open critical findings").paragraph(
        "Critical patches missing or failed at the moment, oldest first: first_observed is when \
         the unbroken run of versions of the node's compliance object in which the patch was \
         not compliant began, days_open counts from then; age_complete is false where the \
         run was already under way at the oldest snapshot kept, so the true age may be \
         longer (report patch-age).",
    );
    let critical = query(
        ctx,
        "SELECT accountid, region, resourceid, node_name, patch_id, title, state, \
         first_observed, days_open, age_complete FROM patch_age \
         WHERE upper(severity) = 'CRITICAL' \
         ORDER BY first_observed ASC NULLS LAST, accountid, region, resourceid, patch_id",
    )
    .await?;
    if critical.num_rows() == 0 {
        page.paragraph("No critical patch is missing or failed.");
        return Ok(());
    }
    page.table(
        &critical,
        Some(CRITICAL_SHOWN),
        Some("reports/patch-age.csv"),
    )?;
    Ok(())
}

fn trend_section(page: &mut Page, snapshots: &RecordBatch) -> Result<()> {
    page.heading("trend", "Trend: non-compliant nodes per snapshot")
        .paragraph(
            "For each snapshot the cache keeps up to the moment, the nodes that were not \
             terminated and not patch-compliant then (report patch-trend).",
        );
    let numbers = snapshots
        .column_by_name("snapshot")
        .map(|c| c.as_primitive::<UInt64Type>().clone());
    let failing = snapshots
        .column_by_name("non_compliant")
        .map(|c| c.as_primitive::<Int64Type>().clone());
    if let (Some(numbers), Some(failing)) = (numbers, failing) {
        let points: Vec<(String, u64)> = (0..snapshots.num_rows())
            .map(|i| (numbers.value(i).to_string(), failing.value(i).max(0) as u64))
            .collect();
        page.chart(&trend(
            "Non-compliant nodes per snapshot",
            NON_COMPLIANT,
            &points,
        ));
    }
    page.table(snapshots, None, None)?;
    Ok(())
}

async fn alarms_section(page: &mut Page, ctx: &SessionContext) -> Result<()> {
    page.heading("alarms", "Alarms")
        .paragraph("Every resource that fails a control, most severe and longest failing first.");
    let alarms = query(
        ctx,
        "SELECT control, resource, accountid, region, severity, reason, first_failed, \
         days_failing FROM checks WHERE status = 'alarm' \
         ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 \
         WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, \
         days_failing DESC NULLS LAST, control, accountid, region, resource",
    )
    .await?;
    if alarms.num_rows() == 0 {
        page.paragraph("No alarm.");
        return Ok(());
    }
    page.table(&alarms, Some(ALARMS_SHOWN), Some("checks.csv"))?;
    Ok(())
}

/// The result of `sql` on `ctx`, in one batch.
async fn query(ctx: &SessionContext, sql: &str) -> Result<RecordBatch> {
    let frame = ctx.sql(sql).await?;
    let schema = Arc::new(frame.schema().as_arrow().clone());
    Ok(arrow::compute::concat_batches(
        &schema,
        &frame.collect().await?,
    )?)
}
