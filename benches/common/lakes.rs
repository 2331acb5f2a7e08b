//! What the benchmarks share: the generated lakes of both fleet profiles, kept in the target
//! directory, the lakes and runs asked for, and the 1% change made between syncs.
//!
//! In: `SSMQ_BENCH_NODES`, `SSMQ_BENCH_PROFILES`, `SSMQ_BENCH_RUNS`. Out: lake folders, and
//! functions that change a hundredth of a lake's objects and put them back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ssmq_fixtures::{LakeSpec, write_lake};

/// Node counts of the lakes (`SSMQ_BENCH_NODES`, comma-separated; 1,000 unless set).
pub fn node_counts() -> Vec<usize> {
    std::env::var("SSMQ_BENCH_NODES")
        .unwrap_or_else(|_| "1000".to_owned())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

/// Fleet profiles of the lakes (`SSMQ_BENCH_PROFILES`: `realistic`, `minimal`, or both
/// unless set).
pub fn profiles() -> Vec<FleetProfile> {
    std::env::var("SSMQ_BENCH_PROFILES")
        .unwrap_or_else(|_| "realistic,minimal".to_owned())
        .split(',')
        .map(|name| match name.trim() {
            "realistic" => FleetProfile::Realistic,
            "minimal" => FleetProfile::Minimal,
            other => panic!("SSMQ_BENCH_PROFILES: unknown profile `{other}` (realistic, minimal)"),
        })
        .collect()
}

/// Runs per step (`SSMQ_BENCH_RUNS`, `default` unless set); the median is reported.
pub fn runs(default: usize) -> usize {
    std::env::var("SSMQ_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// A fleet profile of the benchmark's lakes.
#[derive(Debug, Clone, Copy)]
pub enum FleetProfile {
    Realistic,
    Minimal,
}

impl FleetProfile {
    pub fn name(self) -> &'static str {
        match self {
            FleetProfile::Realistic => "realistic",
            FleetProfile::Minimal => "minimal",
        }
    }

    fn spec(self, nodes: usize) -> LakeSpec {
        match self {
            FleetProfile::Realistic => LakeSpec::realistic(nodes),
            FleetProfile::Minimal => LakeSpec::minimal(nodes),
        }
    }
}

/// The generated lake of `nodes` nodes of `profile`, generated into the target directory once
/// and kept.
pub fn lake_dir(profile: FleetProfile, nodes: usize) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bench-lake-{}-{nodes}", profile.name()));
    let done = dir.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!(
            "generating a {nodes}-node {} lake in {} …",
            profile.name(),
            dir.display()
        );
        let summary = write_lake(&profile.spec(nodes), &dir, 0).expect("lake written");
        eprintln!(
            "  {} objects, {} rows, {:.0} MB",
            summary.total_objects(),
            summary.total_lines(),
            summary.total_bytes() as f64 / 1e6
        );
        std::fs::write(&done, b"").expect("marker written");
    }
    dir
}

/// The lake's object files, sorted.
pub fn lake_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Appends a copy of the first line to every hundredth object (a different hundredth each
/// round), keeping each file's original length in `originals` (the benchmark's own memory
/// stays small, out of the sync's peak).
pub fn touch_one_percent(files: &[PathBuf], round: usize, originals: &mut HashMap<PathBuf, u64>) {
    for file in files.iter().skip(round % 100).step_by(100) {
        let text = std::fs::read_to_string(file).expect("readable");
        originals.entry(file.clone()).or_insert(text.len() as u64);
        if let Some(first) = text.lines().find(|l| !l.trim().is_empty()) {
            let first = first.trim_start_matches('\u{feff}').to_owned();
            let mut text = text;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&first);
            text.push('\n');
            std::fs::write(file, text).expect("writable");
        }
    }
    settle_writes();
}

/// How many files [`touch_one_percent`] changes in `round`.
pub fn touched(files: &[PathBuf], round: usize) -> usize {
    files.iter().skip(round % 100).step_by(100).count()
}

/// Puts every file [`touch_one_percent`] changed back to its original length.
pub fn put_back(originals: &HashMap<PathBuf, u64>) {
    for (file, length) in originals {
        std::fs::OpenOptions::new()
            .write(true)
            .open(file)
            .and_then(|f| f.set_len(*length))
            .expect("the lake is put back");
    }
    settle_writes();
}

/// Flushes written files to disk (the `sync` command), untimed: a real lake's changes were
/// written well before the next sync runs. Otherwise the sync's own fsync waits for the
/// benchmark's just-rewritten files to reach the disk, and the step measures that.
pub fn settle_writes() {
    let _ = Command::new("sync").status();
}
