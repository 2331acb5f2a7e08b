//! ssmq-core: SQL over AWS Systems Manager resource data sync lakes.
//!
//! A sync lake is newline-delimited JSON under
//! `<TypeName>/accountid=<id>/region=<region>/resourcetype=<rt>/<node>.json`. This crate turns
//! one into DataFusion tables that Glue/Athena users recognise, and answers SQL and named
//! reports over them. It never prints, reads the process arguments or exits: the `ssmq`
//! binary does the terminal side.
//!
//! ```text
//! source     dir | file:// URL | s3://bucket/prefix | built-in sample -> store + prefix
//!   -> discover   find the type folders; list a type level by level within a partition
//!                 filter (--account/--region, and what a statement's WHERE allows: scope)
//!   -> catalog    per type: Glue table name, columns merged over every object listed
//!   -> register   the only place that builds DataFusion providers (tables, pruning)
//!      scan       objects -> record batches (json: the flat-object line decoder;
//!                 read: fetching and the bad-line policy)
//!   -> query      one session: ad-hoc SQL and named reports (report) end in one function
//!   -> export     table / line / CSV / JSON / NDJSON / Parquet writers, files written atomically
//!      text_table the box table fitted to a terminal, and the record view
//!      table_export  whole tables to a directory or S3 prefix, partitioned, all or nothing
//!   cache      a lake's tables as local Parquet, synced by reading only changed objects;
//!              register serves tables from it instead of the source
//! ```
//!
//! Every I/O stage goes through `Arc<dyn ObjectStore>`, so a local directory, the in-memory
//! sample and S3 share one code path; a session wraps its store in
//! [`metered::MeteredStore`] to count what each request costs.

pub mod cache;
pub mod catalog;
pub mod dialect;
pub mod discover;
pub mod error;
pub mod export;
pub mod functions;
pub mod json;
pub mod local;
pub mod metered;
pub mod query;
pub mod read;
pub mod register;
pub mod report;
pub mod s3;
pub mod scan;
pub mod scope;
pub mod source;
pub mod table_export;
pub mod text_table;

pub use error::{Error, Result};
pub use query::{LakeSession, SessionOptions};
pub use source::Source;
