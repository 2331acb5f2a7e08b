//! The lake: its layout found and listed, each type's columns learnt, and objects read and
//! decoded into record batches.
//!
//! `discover` lists the sync layout within a partition filter; `catalog` names each type's
//! table and merges its columns over every object (`documented` holds AWS's types and keys); `read` fetches objects and applies the
//! bad-line policy; `ndjson` is the purpose-built line parser; `decode` turns an object's
//! lines into record batches (for the scan and the cache's segments); `scan` is the DataFusion
//! leaf that reads a table's objects.

pub mod catalog;
pub mod decode;
pub mod discover;
pub mod documented;
pub mod ndjson;
pub mod read;
pub mod scan;
