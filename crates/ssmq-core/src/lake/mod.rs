//! The lake: its layout found and listed, each type's columns learnt, and objects read and
//! decoded into record batches.
//!
//! `discover` lists the sync layout within a partition filter; `catalog` names each type's
//! table and merges its columns over every object (`documented` holds AWS's types and keys); `read` fetches objects and applies the
//! bad-line policy; `ndjson` is the purpose-built line parser; `decode` turns an object's
//! lines into record batches (for the scan and the cache's segments); `kept` holds the rows
//! the learning pass keeps for the scan, so a cold query parses each object once; `scan` is
//! the DataFusion leaf that reads a table's objects.

pub mod catalog;
pub mod decode;
pub mod discover;
pub mod documented;
pub mod kept;
pub mod ndjson;
pub mod read;
pub mod scan;
