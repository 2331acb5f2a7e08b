//! What changed between two moments of a cached lake's history (`ssmq changes`).
//!
//! In: a session over a cache, the two moments, and the tables to compare. Out: one row per
//! row that was added, removed or changed: `table`, `change`, `accountid`, `region`,
//! `resourceid`, `key` (the row's identity within its node), `before` and `after` (JSON
//! objects of the values that differ) and `at` (when the change was seen: the new version's
//! time, or when the old one stopped being current).
//!
//! A row's identity is its node and, per documented type, what tells its rows apart
//! ([`IDENTITIES`]); a type not listed there is identified by all its values, so its rows are
//! only ever added or removed. Values that change at every capture (`capturetime`,
//! `executiontime`, `schemaversion`) do not by themselves make a row changed. Only objects
//! with a version made or retired between the two moments are read.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit, TimestampMicrosecondType};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::sql::session::LakeSession;

/// Per table, the columns besides the node's that tell its rows apart.
pub const IDENTITIES: &[(&str, &[&str])] = &[
    ("aws_complianceitem", &["compliancetype", "id"]),
    ("aws_application", &["name", "version", "architecture"]),
    ("aws_awscomponent", &["name", "version", "architecture"]),
    ("aws_tag", &["key"]),
    ("aws_service", &["name"]),
    ("aws_windowsupdate", &["hotfixid"]),
    ("aws_windowsrole", &["name"]),
    ("aws_network", &["name"]),
    ("aws_file", &["installeddir", "name"]),
    ("aws_instanceinformation", &[]),
    ("aws_instancedetailedinformation", &[]),
    ("aws_patchsummary", &[]),
    ("aws_billinginfo", &[]),
];

/// Values that change at every capture and do not by themselves make a row changed.
const VOLATILE: &[&str] = &["capturetime", "executiontime", "schemaversion"];

/// The node's columns, part of every identity.
const NODE: &[&str] = &["accountid", "region", "resourceid"];

/// One row as compared: its values by column, and when its version began and ended.
#[derive(Clone)]
struct Seen {
    values: BTreeMap<String, Option<String>>,
    from: Option<i64>,
    to: Option<i64>,
}

/// The changes of `tables` (all of the session's when empty) between `since` and `until`
/// (now when `None`).
pub async fn changes(
    session: &LakeSession,
    since: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
    tables: &[String],
) -> Result<RecordBatch> {
    let until = until.unwrap_or_else(Utc::now);
    if session.cached().is_none() {
        return Err(Error::PastWithoutCache {
            source_text: "this source".to_owned(),
        });
    }
    let names = if tables.is_empty() {
        session.table_names()
    } else {
        tables.to_vec()
    };
    let mut out = Changes::default();
    for table in names {
        table_changes(session, &table, since, until, &mut out).await?;
    }
    out.into_batch()
}

/// Adds the changes of one table to `out`.
async fn table_changes(
    session: &LakeSession,
    table: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    out: &mut Changes,
) -> Result<()> {
    let (s, u) = (literal(since), literal(until));
    let sql = format!(
        "SELECT * FROM history.{table} WHERE _source_key IN (SELECT _source_key FROM history.{table} \
         WHERE (_valid_from > {s} AND _valid_from <= {u}) OR (_valid_to > {s} AND _valid_to <= {u}))"
    );
    let batches = session.sql(&sql).await?.collect().await?;
    let identity: Option<&[&str]> = IDENTITIES
        .iter()
        .find(|(name, _)| *name == table)
        .map(|(_, columns)| *columns);
    let (at_since, at_until) = (since.timestamp_micros(), until.timestamp_micros());
    let valid = |seen: &Seen, at: i64| {
        seen.from.is_some_and(|from| from <= at) && seen.to.is_none_or(|to| to > at)
    };
    let mut before: BTreeMap<Vec<Option<String>>, Seen> = BTreeMap::new();
    let mut after: BTreeMap<Vec<Option<String>>, Seen> = BTreeMap::new();
    for batch in &batches {
        for seen in rows(batch)? {
            let key = key_of(&seen.values, identity);
            if valid(&seen, at_since) {
                before.insert(key.clone(), seen.clone());
            }
            if valid(&seen, at_until) {
                after.insert(key, seen);
            }
        }
    }
    for (key, old) in &before {
        match after.get(key) {
            None => out.push(table, "removed", identity, old, None, old.to),
            Some(new) if differing(old, new).is_empty() => {}
            Some(new) => out.push(table, "changed", identity, old, Some(new), new.from),
        }
    }
    for (key, new) in &after {
        if !before.contains_key(key) {
            out.push(table, "added", identity, new, None, new.from);
        }
    }
    Ok(())
}

/// `TIMESTAMP '2026-10-31 23:59:59.123456'`.
fn literal(time: DateTime<Utc>) -> String {
    format!("TIMESTAMP '{}'", time.format("%Y-%m-%d %H:%M:%S%.6f"))
}

/// The rows of a `history.` batch.
fn rows(batch: &RecordBatch) -> Result<Vec<Seen>> {
    let options = FormatOptions::default();
    let schema = batch.schema();
    let formatters = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::from(datafusion::error::DataFusionError::from(e)))?;
    let micros = |name: &str| -> Option<&arrow::array::PrimitiveArray<TimestampMicrosecondType>> {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_primitive_opt::<TimestampMicrosecondType>())
    };
    let (from, to) = (micros("_valid_from"), micros("_valid_to"));
    Ok((0..batch.num_rows())
        .map(|row| {
            let values = schema
                .fields()
                .iter()
                .zip(&formatters)
                .zip(batch.columns())
                .filter(|((field, _), _)| !field.name().starts_with('_'))
                .map(|((field, format), column)| {
                    let value = (!column.is_null(row)).then(|| format.value(row).to_string());
                    (field.name().clone(), value)
                })
                .collect();
            let at = |column: Option<&arrow::array::PrimitiveArray<TimestampMicrosecondType>>| {
                column.and_then(|c| (!c.is_null(row)).then(|| c.value(row)))
            };
            Seen {
                values,
                from: at(from),
                to: at(to),
            }
        })
        .collect())
}

/// A row's identity: its node and its identity columns, or all its values but the volatile
/// ones when its table has no identity.
fn key_of(
    values: &BTreeMap<String, Option<String>>,
    identity: Option<&[&str]>,
) -> Vec<Option<String>> {
    let value = |name: &str| values.get(name).cloned().flatten();
    match identity {
        Some(columns) => NODE.iter().chain(columns).map(|c| value(c)).collect(),
        None => values
            .iter()
            .filter(|(name, _)| !VOLATILE.contains(&name.as_str()))
            .map(|(_, v)| v.clone())
            .collect(),
    }
}

/// The columns whose values differ, volatile ones aside.
fn differing<'a>(old: &'a Seen, new: &'a Seen) -> Vec<&'a str> {
    old.values
        .keys()
        .chain(new.values.keys())
        .filter(|name| !VOLATILE.contains(&name.as_str()))
        .filter(|name| {
            old.values.get(*name).cloned().flatten() != new.values.get(*name).cloned().flatten()
        })
        .map(String::as_str)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The rows of the answer, column by column.
#[derive(Default)]
struct Changes {
    table: Vec<String>,
    change: Vec<&'static str>,
    node: [Vec<Option<String>>; 3],
    key: Vec<String>,
    before: Vec<Option<String>>,
    after: Vec<Option<String>>,
    at: Vec<Option<i64>>,
}

impl Changes {
    /// One change of `row` (and, for a changed row, its new version `new`), seen at `at`.
    fn push(
        &mut self,
        table: &str,
        change: &'static str,
        identity: Option<&[&str]>,
        row: &Seen,
        new: Option<&Seen>,
        at: Option<i64>,
    ) {
        let value = |seen: &Seen, name: &str| seen.values.get(name).cloned().flatten();
        self.table.push(table.to_owned());
        self.change.push(change);
        for (slot, column) in self.node.iter_mut().zip(NODE) {
            slot.push(value(row, column));
        }
        let key: Vec<String> = match identity {
            Some(columns) => columns
                .iter()
                .map(|c| value(row, c).unwrap_or_default())
                .collect(),
            None => Vec::new(),
        };
        self.key.push(key.join("/"));
        let json = |seen: &Seen, columns: &[&str]| {
            let object: serde_json::Map<String, serde_json::Value> = columns
                .iter()
                .map(|c| {
                    (
                        c.to_string(),
                        value(seen, c).map_or(serde_json::Value::Null, Into::into),
                    )
                })
                .collect();
            serde_json::Value::Object(object).to_string()
        };
        let all: Vec<&str> = row
            .values
            .keys()
            .map(String::as_str)
            .filter(|c| !VOLATILE.contains(c) && !NODE.contains(c))
            .collect();
        let (before, after) = match (change, new) {
            ("changed", Some(new)) => {
                let differ = differing(row, new);
                (Some(json(row, &differ)), Some(json(new, &differ)))
            }
            ("added", _) => (None, Some(json(row, &all))),
            _ => (Some(json(row, &all)), None),
        };
        self.before.push(before);
        self.after.push(after);
        self.at.push(at);
    }

    fn into_batch(self) -> Result<RecordBatch> {
        let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
        let schema = Schema::new(vec![
            text("table", false),
            text("change", false),
            text("accountid", true),
            text("region", true),
            text("resourceid", true),
            text("key", false),
            text("before", true),
            text("after", true),
            Field::new(
                "at",
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                true,
            ),
        ]);
        let [accounts, regions, nodes] = self.node;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(self.table)),
            Arc::new(StringArray::from(self.change)),
            Arc::new(StringArray::from(accounts)),
            Arc::new(StringArray::from(regions)),
            Arc::new(StringArray::from(nodes)),
            Arc::new(StringArray::from(self.key)),
            Arc::new(StringArray::from(self.before)),
            Arc::new(StringArray::from(self.after)),
            Arc::new(TimestampMicrosecondArray::from(self.at).with_timezone("UTC")),
        ];
        RecordBatch::try_new(Arc::new(schema), columns)
            .map_err(|e| Error::from(datafusion::error::DataFusionError::from(e)))
    }
}
