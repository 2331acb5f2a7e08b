//! Controls: checks of the lake with a result per resource, `ok`, `alarm`, `skip` or `error`,
//! mapped to the framework requirements they evidence.
//!
//! In: the built-in controls (`queries/controls/*.sql`, compiled in): each a query with a
//! report's header plus `severity:` (how serious a failure of it is) and `frameworks:`
//! (`PCI-DSS-4.0 6.3.3; NIST-800-53-r5 SI-2; …`), returning the columns `status`, `reason`,
//! `resource`, `accountid`, `region`, `severity` and `first_failed`. Out, from [`check`]: one
//! batch of [`check_schema`], a row per control and resource, with `days_failing` (whole days
//! from `first_failed` to the session's moment) and the control's `frameworks`; a control that
//! fails to run is one `error` row whose reason is the error.

use std::sync::{Arc, LazyLock};

use arrow::array::{
    Array, ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow::compute::{cast, concat_batches};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::sql::reports::Report;
use crate::sql::session::LakeSession;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/controls.rs"));
}

/// The statuses a control gives a resource.
pub const STATUSES: [&str; 4] = ["ok", "alarm", "skip", "error"];

/// Severities, most serious first (what `--fail-on` compares).
pub const SEVERITIES: [&str; 6] = [
    "critical",
    "high",
    "medium",
    "low",
    "informational",
    "unspecified",
];

/// A built-in control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// Its query, header and parameters (its name is the control's id).
    pub query: Report,
    /// How serious a failure is: one of [`SEVERITIES`].
    pub severity: String,
    /// The framework requirements it evidences, e.g. `PCI-DSS-4.0 6.3.3`.
    pub frameworks: Vec<String>,
}

impl Control {
    /// Reads a control file.
    pub fn parse(name: &str, text: &str) -> Result<Control> {
        let defect = |problem: &str| Error::ReportDefinition {
            report: name.to_owned(),
            problem: problem.to_owned(),
        };
        let (query, extra) = Report::parse_with(name, text, &["severity", "frameworks"])?;
        let field = |wanted: &str| extra.iter().find(|(f, _)| f == wanted).map(|(_, v)| v);
        let severity = field("severity").ok_or_else(|| defect("no `severity:`"))?;
        if !SEVERITIES.contains(&severity.as_str()) {
            return Err(defect(
                "`severity:` is not critical, high, medium, low or informational",
            ));
        }
        let frameworks: Vec<String> = field("frameworks")
            .ok_or_else(|| defect("no `frameworks:`"))?
            .split(';')
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        Ok(Control {
            query,
            severity: severity.clone(),
            frameworks,
        })
    }

    /// The control's id: its file's name, e.g. `patch-compliance`.
    pub fn id(&self) -> &str {
        &self.query.name
    }

    /// Whether it maps to a requirement of `framework` (a prefix of a reference, any case:
    /// `pci` or `PCI-DSS-4.0` matches `PCI-DSS-4.0 6.3.3`).
    pub fn in_framework(&self, framework: &str) -> bool {
        let framework = framework.to_ascii_lowercase();
        self.frameworks
            .iter()
            .any(|f| f.to_ascii_lowercase().starts_with(&framework))
    }
}

static BUILTIN: LazyLock<Vec<Control>> = LazyLock::new(|| {
    embedded::CONTROL_FILES
        .iter()
        .map(|(name, text)| {
            Control::parse(name, text).unwrap_or_else(|e| panic!("built-in control: {e}"))
        })
        .collect()
});

/// The controls compiled into the binary, sorted by id.
pub fn builtin_controls() -> &'static [Control] {
    &BUILTIN
}

/// The built-in controls `ids` names (all of them for none) that map to `framework` (any
/// framework for `None`); an error naming an unknown id, or a framework no control maps to.
pub fn select_controls(ids: &[String], framework: Option<&str>) -> Result<Vec<&'static Control>> {
    let mut chosen = Vec::new();
    for id in ids {
        let control = builtin_controls()
            .iter()
            .find(|c| c.id() == id)
            .ok_or_else(|| Error::UnknownControl {
                id: id.clone(),
                available: builtin_controls()
                    .iter()
                    .map(|c| c.id().to_owned())
                    .collect(),
            })?;
        chosen.push(control);
    }
    if ids.is_empty() {
        chosen = builtin_controls().iter().collect();
    }
    if let Some(framework) = framework {
        chosen.retain(|c| c.in_framework(framework));
        if chosen.is_empty() {
            return Err(Error::UnknownFramework {
                framework: framework.to_owned(),
            });
        }
    }
    Ok(chosen)
}

/// The columns of [`check`]'s answer.
pub fn check_schema() -> SchemaRef {
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        text("control"),
        text("status"),
        text("reason"),
        text("resource"),
        text("accountid"),
        text("region"),
        text("severity"),
        Field::new(
            "first_failed",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        ),
        Field::new("days_failing", DataType::Int64, true),
        text("frameworks"),
    ]))
}

/// The columns a control's query returns, in order, before `check` adds its own.
const CONTROL_COLUMNS: [&str; 7] = [
    "status",
    "reason",
    "resource",
    "accountid",
    "region",
    "severity",
    "first_failed",
];

/// Runs `controls` on `session`, each with the `params` it declares (a parameter none of them
/// declares, or a value one cannot take, is an error), and returns their rows as one batch of [`check_schema`], ordered by
/// control, then status (alarm, error, ok, skip), account, region and resource.
pub async fn check(
    session: &LakeSession,
    controls: &[&Control],
    params: &[(String, String)],
) -> Result<RecordBatch> {
    for (name, _) in params {
        if !controls
            .iter()
            .any(|c| c.query.params.iter().any(|p| &p.name == name))
        {
            return Err(Error::ReportParam {
                report: "check".to_owned(),
                problem: format!("no control chosen takes the parameter `{name}`"),
            });
        }
    }
    let own = |control: &Control| -> Vec<(String, String)> {
        params
            .iter()
            .filter(|(name, _)| control.query.params.iter().any(|p| &p.name == name))
            .cloned()
            .collect()
    };
    // A value a parameter cannot take is the command's error, before anything runs.
    for control in controls {
        control.query.bind(&own(control), session.moment())?;
    }
    let schema = check_schema();
    let mut batches = Vec::new();
    for control in controls {
        let rows = match run_control(session, control, &own(control)).await {
            Ok(rows) => rows,
            Err(error) => vec![error_row(control, &error, &schema)?],
        };
        batches.extend(rows);
    }
    let all = concat_batches(&schema, &batches)?;
    sorted(all)
}

/// A control's rows, in the check's columns.
async fn run_control(
    session: &LakeSession,
    control: &Control,
    params: &[(String, String)],
) -> Result<Vec<RecordBatch>> {
    let frame = session.report(&control.query, params).await?;
    let batches = frame.collect().await?;
    let schema = check_schema();
    let moment = session.moment();
    batches
        .iter()
        .filter(|b| b.num_rows() > 0)
        .map(|batch| in_check_columns(control, batch, &schema, moment))
        .collect()
}

/// `batch` of `control`'s query as a batch of the check's `schema`.
fn in_check_columns(
    control: &Control,
    batch: &RecordBatch,
    schema: &SchemaRef,
    moment: DateTime<Utc>,
) -> Result<RecordBatch> {
    let rows = batch.num_rows();
    let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(vec![control.id(); rows]))];
    for (name, field) in CONTROL_COLUMNS.iter().zip(schema.fields().iter().skip(1)) {
        let column = batch
            .column_by_name(name)
            .ok_or_else(|| Error::ReportDefinition {
                report: control.id().to_owned(),
                problem: format!("a control returns the column `{name}`"),
            })?;
        columns.push(cast(column, field.data_type())?);
    }
    let first_failed = columns[7]
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .expect("cast to microseconds");
    let days_failing: Int64Array = first_failed
        .iter()
        .map(|at| at.map(|at| (moment.timestamp_micros() - at).div_euclid(86_400_000_000)))
        .collect();
    columns.push(Arc::new(days_failing));
    let frameworks = control.frameworks.join("; ");
    columns.push(Arc::new(StringArray::from(vec![frameworks.as_str(); rows])));
    RecordBatch::try_new(Arc::clone(schema), columns).map_err(Error::from)
}

/// The one row of a control that could not run: status `error`, the error as its reason.
fn error_row(control: &Control, error: &Error, schema: &SchemaRef) -> Result<RecordBatch> {
    let text = |value: Option<&str>| -> ArrayRef { Arc::new(StringArray::from(vec![value])) };
    let reason = with_causes(error);
    let frameworks = control.frameworks.join("; ");
    RecordBatch::try_new(
        Arc::clone(schema),
        vec![
            text(Some(control.id())),
            text(Some("error")),
            text(Some(&reason)),
            text(None),
            text(None),
            text(None),
            text(None),
            Arc::new(TimestampMicrosecondArray::from(vec![None::<i64>])),
            Arc::new(Int64Array::from(vec![None::<i64>])),
            text(Some(&frameworks)),
        ],
    )
    .map_err(Error::from)
}

/// An error and its causes, in a line.
fn with_causes(error: &Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// The rows ordered by control, status (alarm, error, ok, skip), account, region, resource.
fn sorted(batch: RecordBatch) -> Result<RecordBatch> {
    let text = |i: usize| text_column(&batch, i);
    let (control, status, resource, account, region) =
        (text(0), text(1), text(3), text(4), text(5));
    let value = |column: &StringArray, i: usize| -> Option<String> {
        column.is_valid(i).then(|| column.value(i).to_owned())
    };
    let key = |i: usize| {
        let status_rank = match status.value(i) {
            "alarm" => 0,
            "error" => 1,
            "ok" => 2,
            _ => 3,
        };
        (
            control.value(i).to_owned(),
            status_rank,
            value(account, i),
            value(region, i),
            value(resource, i),
        )
    };
    let mut order: Vec<usize> = (0..batch.num_rows()).collect();
    order.sort_by_cached_key(|&i| key(i));
    let indices = arrow::array::UInt32Array::from_iter_values(order.into_iter().map(|i| i as u32));
    let columns = batch
        .columns()
        .iter()
        .map(|c| arrow::compute::take(c, &indices, None))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    RecordBatch::try_new(batch.schema(), columns).map_err(Error::from)
}

/// Column `i` of a batch of [`check_schema`], one of its text columns.
fn text_column(batch: &RecordBatch, i: usize) -> &StringArray {
    batch
        .column(i)
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("a text column of the check's schema")
}

/// Whether a control could not run: a row of status `error`.
pub fn has_errors(batch: &RecordBatch) -> bool {
    text_column(batch, 1).iter().any(|s| s == Some("error"))
}

/// Alarms that count under `fail_on`: every alarm for `any`, those of at least that severity
/// for a severity, none for `none`; an alarm without a severity counts only under `any`.
pub fn counted_alarms(batch: &RecordBatch, fail_on: &str) -> usize {
    let (status, severity) = (text_column(batch, 1), text_column(batch, 6));
    let threshold = SEVERITIES.iter().position(|s| *s == fail_on);
    (0..batch.num_rows())
        .filter(|&i| status.value(i) == "alarm")
        .filter(|&i| match (fail_on, threshold) {
            ("any", _) => true,
            (_, Some(threshold)) => {
                severity.is_valid(i)
                    && SEVERITIES
                        .iter()
                        .position(|s| *s == severity.value(i))
                        .is_some_and(|rank| rank <= threshold)
            }
            _ => false,
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_control_reads_and_names_its_frameworks() {
        assert!(builtin_controls().len() >= 3);
        for control in builtin_controls() {
            assert!(!control.frameworks.is_empty(), "{}", control.id());
            assert!(control.query.sql.contains("AS status"), "{}", control.id());
        }
        let pci = select_controls(&[], Some("pci")).unwrap();
        assert!(pci.iter().any(|c| c.id() == "patch-compliance"));
        assert!(pci.iter().all(|c| c.in_framework("PCI-DSS")));
        assert!(matches!(
            select_controls(&[], Some("hipaa")),
            Err(Error::UnknownFramework { .. })
        ));
        assert!(matches!(
            select_controls(&["nope".to_owned()], None),
            Err(Error::UnknownControl { .. })
        ));
    }

    #[test]
    fn a_control_without_frameworks_or_severity_is_refused() {
        let text = "-- title: t\n-- description: d\n-- key: resource\nSELECT 1";
        let missing = Control::parse("c", text).unwrap_err().to_string();
        assert!(missing.contains("severity"), "{missing}");
        let with_severity = text.replace("-- key:", "-- severity: high\n-- key:");
        let missing = Control::parse("c", &with_severity).unwrap_err().to_string();
        assert!(missing.contains("frameworks"), "{missing}");
    }
}
