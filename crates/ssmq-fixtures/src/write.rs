//! Writing a lake to a directory, in parallel.
//!
//! In: a [`LakeSpec`], a directory and a number of threads. Out: one file per object (folders
//! created as needed, `:` kept in TypeName folders) and the [`LakeSummary`] of what was written.
//! Threads take node indices from a shared counter; since every node is a pure function of its
//! index, the files are identical for any number of threads.

use crate::summary::LakeSummary;
use crate::{Fleet, LakeSpec, key_prefix, render, sample};
use std::collections::HashSet;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Writes the lake of `spec` under `dir` using `jobs` threads (0 means one per CPU) and returns
/// its summary. Existing files with the same names are overwritten; others are left alone.
pub fn write_lake(spec: &LakeSpec, dir: &Path, jobs: usize) -> io::Result<LakeSummary> {
    let fleet = Fleet::new(spec);
    let prefix = key_prefix(spec);
    let jobs = if jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        jobs
    };
    let jobs = jobs.clamp(1, fleet.len().max(1));
    std::fs::create_dir_all(dir)?;

    let mut summary = LakeSummary::default();
    let mut writer = ObjectWriter::new(dir);
    for object in sample::extra_objects(&fleet) {
        writer.write(&object.key, &object.body)?;
        summary.add(&object.key, &object.body);
    }

    let next_node = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Vec<io::Result<LakeSummary>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                scope.spawn(|| {
                    let mut summary = LakeSummary::default();
                    let mut writer = ObjectWriter::new(dir);
                    let mut body = Vec::with_capacity(1 << 20);
                    loop {
                        let index = next_node.fetch_add(1, Ordering::Relaxed);
                        if index >= fleet.len() || failed.load(Ordering::Relaxed) {
                            return Ok(summary);
                        }
                        let node = fleet.node(index);
                        let written =
                            render::render_node(&node, &prefix, &mut body, |key, body| {
                                writer.write(key, body)?;
                                summary.add(key, body);
                                Ok::<(), io::Error>(())
                            });
                        if let Err(error) = written {
                            failed.store(true, Ordering::Relaxed);
                            return Err(error);
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("lake writer thread panicked"))
            .collect()
    });
    for result in results {
        summary.merge(result?);
    }
    Ok(summary)
}

/// Writes objects as files, creating each folder once per thread.
struct ObjectWriter<'a> {
    root: &'a Path,
    created: HashSet<String>,
}

impl<'a> ObjectWriter<'a> {
    fn new(root: &'a Path) -> Self {
        ObjectWriter {
            root,
            created: HashSet::new(),
        }
    }

    fn write(&mut self, key: &str, body: &[u8]) -> io::Result<()> {
        if let Some((folder, _)) = key.rsplit_once('/')
            && !self.created.contains(folder)
        {
            std::fs::create_dir_all(self.root.join(folder))?;
            self.created.insert(folder.to_owned());
        }
        // The body is complete in memory: one write call per object is as buffered as it gets.
        std::fs::write(self.root.join(key), body).map_err(|error| {
            io::Error::new(error.kind(), format!("Failed to write `{key}`: {error}"))
        })
    }
}
