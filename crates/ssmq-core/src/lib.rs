//! ssmq-core: SQL over AWS Systems Manager resource data sync lakes.
//!
//! A sync lake is newline-delimited JSON under
//! `<TypeName>/accountid=<id>/region=<region>/resourcetype=<rt>/<node>.json`. This crate turns
//! one into DataFusion tables that Glue/Athena users recognise, and answers SQL and named
//! reports over them. It never prints, reads the process arguments or exits: the `ssmq`
//! binary does the terminal side.
//!
//! ```text
//! source/          dir | file:// URL | s3://bucket/prefix | built-in sample -> store + prefix
//!                  (store: the LakeStore every stage reads through, and the bytes it fetched;
//!                  s3, local, metered: the object stores and their request counts)
//!   -> lake/discover   find the type folders; list a type level by level within a partition
//!                      filter (--account/--region, and what a statement's WHERE allows)
//!   -> lake/catalog    per type: Glue table name, columns merged over every object listed
//!   -> sql/register    the only place that builds DataFusion providers (tables, pruning)
//!      lake/scan       the DataFusion leaf: a table's objects -> record batches (decode: the
//!                      line decoder; ndjson: the line parser; read: fetching, bad lines)
//!   -> sql/session     one session: ad-hoc SQL and named reports (sql/reports) end in one
//!                      function; sql/dialect, sql/functions and sql/scope shape statements
//!   -> output/format   table / line / CSV / JSON / NDJSON / Parquet, files written atomically
//!      output/text_table  the box table fitted to a terminal, and the record view
//!      output/export   whole tables to a directory or S3 prefix, partitioned, all or nothing
//!   cache/           a lake's tables as local Parquet, synced by reading only changed objects;
//!                    sql/register serves tables from it instead of the source, as they stand
//!                    now or at a moment of its history (cache/history: snapshots, --as-of)
//! ```
//!
//! Every I/O stage goes through `Arc<dyn ObjectStore>`, so a local directory, the in-memory
//! sample and S3 share one code path; a session wraps its store in
//! [`source::metered::MeteredStore`] to count what each request costs.

// The core never prints or exits: the binary owns the terminal and the exit code.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]
pub mod cache;
pub mod error;
pub mod lake;
pub mod output;
pub mod source;
pub mod sql;

pub use error::{Error, Result};
pub use source::Source;
pub use sql::session::{LakeSession, SessionOptions};
