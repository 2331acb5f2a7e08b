//! The integration tests, in one binary: each test binary links DataFusion, so one binary
//! links once instead of once per area. A module per area:
//!
//! - `cli`: the binary as a user runs it: formats read back with real readers, exit codes,
//!   stderr, report help, Athena's column names, completions;
//! - `shell`: on a pseudo-terminal: tables fitted to the terminal, the interactive shell;
//! - `lake`: generated lakes checked against the generator's model;
//! - `cache`: the Parquet cache answers as the lake does while objects change;
//! - `check`: the controls' results against what the sample's objects say, and exit codes;
//! - `evidence`: the bundle read back by real readers, hashed by `sha256sum`, and `verify`;
//! - `export`: `ssmq export`, read back by real readers, all or nothing;
//! - `html`: the evidence page and `--format html` in a real headless browser (Chromium);
//! - `timeline`: a fleet evolving day by day, its past asked of the cache and checked against
//!   the model's truth;
//! - `s3`: against a real S3-compatible server (moto) on loopback, with injected faults;
//! - `backfill`: that fleet written as successive versions to a versioned bucket on the S3
//!   server, its past read back from the versions.

#[path = "../common/mod.rs"]
mod common;

mod backfill;
mod cache;
mod check;
mod cli;
mod evidence;
mod export;
mod html;
mod lake;
mod s3;
mod shell;
mod timeline;
