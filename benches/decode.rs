//! Benchmark: how fast one core turns sync objects into columns, stage by stage, on the
//! objects of the generated lakes (no I/O: the objects are read into memory first).
//!
//! ```sh
//! cargo bench --bench decode                        # 1,000-node lakes of both fleet profiles
//! SSMQ_BENCH_NODES=10000 SSMQ_BENCH_PROFILES=minimal cargo bench --bench decode
//! ```
//!
//! For `AWS:ComplianceItem` and `AWS:Application` of each lake (`SSMQ_BENCH_NODES`,
//! `SSMQ_BENCH_PROFILES`, as `benches/lake.rs`), each stage runs over every object of the type
//! on one thread, in `SSMQ_BENCH_RUNS` rounds (9 unless set) that each run every stage once in
//! turn (so a slow spell of a shared machine slows every stage alike), and prints its median
//! and its throughput in MB of JSON per second:
//!
//! - `parse`: the line parser alone (UTF-8 check, line splitting, every member located),
//!   handing members to a sink that does nothing;
//! - `learn columns`: the keys of every object, as a cold query's first pass when it keeps
//!   nothing ([`keys_of`]);
//! - `learn columns, keep named`: the same pass keeping the values of the columns the lake
//!   benchmark's question names ([`keys_and_rows_of`]), as a cold query does;
//! - `decode every column`: every line to Arrow batches of every column ([`BatchDecoder`]), as
//!   a scan of `SELECT *` and a sync's segment writer do;
//! - `kept rows to Arrow`: the kept rows of the stage before to Arrow batches, as the scan
//!   hands them over (throughput over the JSON the rows came from).
//!
//! A cold query runs `learn columns, keep named` then `kept rows to Arrow`; its decoding speed
//! per core is the JSON's size over the two together, printed last for each type.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "common/lakes.rs"]
#[allow(dead_code)] // the lake benchmark's 1% change is not used here
mod lakes;

use lakes::{FleetProfile, lake_dir, lake_files, node_counts, profiles, runs};
use ssmq_core::lake::catalog::{ObjectKeys, TableDef, keys_and_rows_of, keys_of, merge_keys};
use ssmq_core::lake::decode::BatchDecoder;
use ssmq_core::lake::discover::{Partition, SyncObject};
use ssmq_core::lake::kept::{KeptColumns, ObjectRows};
use ssmq_core::lake::ndjson::{JsonKey, JsonValue, MemberSink, parse_line};
use ssmq_core::lake::read::{ReadOptions, ReadReport, for_each_line};

/// The types measured, with the columns the lake benchmark's question about each names.
const TYPES: [(&str, &[&str]); 2] = [
    (
        "AWS:ComplianceItem",
        &["accountid", "region", "severity", "status", "resourceid"],
    ),
    ("AWS:Application", &["name"]),
];

/// Rows per Arrow batch, as the scan makes them (DataFusion's default batch size).
const BATCH_ROWS: usize = 8192;

/// One object in memory, as the stages are handed it.
struct Object {
    name: String,
    listed: SyncObject,
    bytes: Vec<u8>,
}

fn main() {
    let runs = runs(9);
    println!("# ssmq decoding, one core, medians of {runs} runs (MB/s over the objects' JSON)");
    println!(
        "{:<10} {:>7} {:<20} {:<27} {:>10} {:>9}",
        "profile", "nodes", "type", "stage", "median ms", "MB/s"
    );
    for nodes in node_counts() {
        for profile in profiles() {
            let dir = lake_dir(profile, nodes);
            for (type_name, named) in TYPES {
                measure_type(profile, nodes, &dir, type_name, named, runs);
            }
        }
    }
}

/// Every stage over the objects of `type_name` in the lake at `dir`.
fn measure_type(
    profile: FleetProfile,
    nodes: usize,
    dir: &Path,
    type_name: &str,
    named: &[&str],
    runs: usize,
) {
    let objects = objects_of(dir, type_name);
    let megabytes = objects.iter().map(|o| o.bytes.len()).sum::<usize>() as f64 / 1e6;
    let options = ReadOptions::default();
    let report = ReadReport::default();
    let print = |stage: &str, median: Duration| {
        println!(
            "{:<10} {:>7} {:<20} {:<27} {:>10.1} {:>9.0}",
            profile.name(),
            nodes,
            type_name,
            stage,
            median.as_secs_f64() * 1e3,
            megabytes / median.as_secs_f64()
        );
    };

    // What the later stages start from, made once outside the timings.
    let keys: Vec<ObjectKeys> = objects
        .iter()
        .map(|o| keys_of(&o.name, &o.bytes, &options, &report).expect("well-formed object"))
        .collect();
    let table = Arc::new(merge_keys(type_name, &keys));
    let kept_columns = Arc::new(KeptColumns::new(
        &named
            .iter()
            .map(|c| (*c).to_owned())
            .collect::<BTreeSet<_>>(),
    ));
    let keep_named = |o: &Object| {
        let columns = Arc::clone(&kept_columns);
        keys_and_rows_of(&o.name, &o.bytes, &options, &report, columns).expect("well-formed object")
    };
    let kept: Vec<Option<ObjectRows>> = objects.iter().map(|o| keep_named(o).1).collect();
    let every_column: Vec<usize> = (0..table.columns.len()).collect();
    let named_columns = named_projection(&table, named);

    let stages: [(&str, &dyn Fn()); 5] = [
        ("parse", &|| {
            for object in &objects {
                let mut sink = IgnoredMembers;
                for_each_line(&object.name, &object.bytes, &options, &report, |line, n| {
                    parse_line(line, n, &mut sink)
                })
                .expect("well-formed object");
            }
        }),
        ("learn columns", &|| {
            for object in &objects {
                black_box(keys_of(&object.name, &object.bytes, &options, &report).expect("ok"));
            }
        }),
        ("learn columns, keep named", &|| {
            for object in &objects {
                black_box(keep_named(object));
            }
        }),
        ("decode every column", &|| {
            let mut decoder = BatchDecoder::new(Arc::clone(&table), &every_column, BATCH_ROWS);
            for object in &objects {
                decoder
                    .decode_object(
                        &object.listed,
                        &object.name,
                        &object.bytes,
                        &options,
                        &report,
                    )
                    .expect("well-formed object");
                black_box(decoder.take_ready().expect("batches"));
            }
            black_box(decoder.finish_batch().expect("last batch"));
        }),
        ("kept rows to Arrow", &|| {
            let mut decoder = BatchDecoder::new(Arc::clone(&table), &named_columns, BATCH_ROWS);
            let slots = decoder
                .kept_slots(&kept_columns)
                .expect("named columns kept");
            for (object, rows) in objects.iter().zip(&kept) {
                let rows = rows.as_ref().expect("rows kept");
                decoder.append_kept(&object.listed, &object.name, rows, &slots, &report);
                black_box(decoder.take_ready().expect("batches"));
            }
            black_box(decoder.finish_batch().expect("last batch"));
        }),
    ];
    let medians = medians_of_rounds(runs, &stages.map(|(_, stage)| stage));
    for ((stage, _), median) in stages.iter().zip(&medians) {
        print(stage, *median);
    }
    print("cold query (the two above)", medians[2] + medians[4]);
}

/// The objects of `type_name` in the lake at `dir`, read into memory.
fn objects_of(dir: &Path, type_name: &str) -> Vec<Object> {
    lake_files(&dir.join(type_name))
        .into_iter()
        .map(|path| {
            let key = path
                .strip_prefix(dir)
                .expect("inside the lake")
                .to_string_lossy()
                .into_owned();
            Object {
                listed: listed(&key, &path),
                bytes: std::fs::read(&path).expect("readable object"),
                name: key,
            }
        })
        .collect()
}

/// The object at `key` as a listing gives it (its partition from the key's folders).
fn listed(key: &str, path: &PathBuf) -> SyncObject {
    let folder = |prefix: &str| {
        key.split('/')
            .find_map(|part| part.strip_prefix(prefix))
            .unwrap_or_default()
            .to_owned()
    };
    SyncObject {
        location: key.into(),
        size: std::fs::metadata(path).expect("listed object").len(),
        last_modified: chrono::Utc::now(),
        e_tag: None,
        version: None,
        partition: Arc::new(Partition {
            account_id: folder("accountid="),
            region: folder("region="),
            resource_type: folder("resourcetype="),
        }),
    }
}

/// The table's column indices of `named`.
fn named_projection(table: &TableDef, named: &[&str]) -> Vec<usize> {
    named
        .iter()
        .map(|c| table.schema.index_of(c).expect("a column of the table"))
        .collect()
}

/// The median time of each of `stages` over `runs` rounds, each round running every stage
/// once in turn, so that a slow spell of the machine slows every stage alike rather than all
/// the runs of one.
fn medians_of_rounds(runs: usize, stages: &[&dyn Fn()]) -> Vec<Duration> {
    let mut times = vec![Vec::with_capacity(runs); stages.len()];
    for _ in 0..runs {
        for (stage, times) in stages.iter().zip(&mut times) {
            let start = Instant::now();
            stage();
            times.push(start.elapsed());
        }
    }
    times
        .into_iter()
        .map(|mut times| {
            times.sort();
            times[times.len() / 2]
        })
        .collect()
}

/// A sink that lets every member go: the parser's cost alone.
struct IgnoredMembers;

impl MemberSink for IgnoredMembers {
    fn member(&mut self, key: JsonKey<'_>, value: JsonValue<'_>) {
        black_box((key, value));
    }
}
