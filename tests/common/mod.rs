//! Helpers shared by the integration tests (`tests/it`) and the benchmark.
#![allow(dead_code)]

pub mod loopback_http;
pub mod proxy;
pub mod python;
pub mod s3;

use std::collections::BTreeMap;
use std::path::PathBuf;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::DataType;

/// The repository's root (the `ssmq` package's folder), read when the test runs: a test
/// binary may be reused by another clone.
pub fn repo() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
}

/// Result rows with every value as text (NULL as `None`), in result order.
pub type Rows = Vec<Vec<Option<String>>>;

/// Every value of `batches` as text, so answers of any type compare across readers.
pub fn text_rows(batches: &[RecordBatch]) -> Rows {
    let mut rows = Vec::new();
    for batch in batches {
        let columns: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| cast(c, &DataType::Utf8).expect("castable to text"))
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(
                columns
                    .iter()
                    .map(|c| {
                        c.is_valid(row)
                            .then(|| c.as_string::<i32>().value(row).to_owned())
                    })
                    .collect(),
            );
        }
    }
    rows
}

/// The built-in reports that answer one moment of a lake: all but those that compare moments
/// of a cache's history (`needs: history`), which have no answer on a raw lake.
pub fn one_moment_reports() -> impl Iterator<Item = &'static ssmq_core::sql::reports::Report> {
    ssmq_core::sql::reports::builtin_reports()
        .iter()
        .filter(|r| !r.needs_history)
}

/// Every row of `batches` as a map from column name to its value as text (NULL as `None`).
pub fn named_rows(batches: &[RecordBatch]) -> Vec<BTreeMap<String, Option<String>>> {
    let Some(first) = batches.first() else {
        return Vec::new();
    };
    let names: Vec<String> = first
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    text_rows(batches)
        .into_iter()
        .map(|row| names.iter().cloned().zip(row).collect())
        .collect()
}
