//! The lake: its layout found and listed, each type's columns learnt, and objects read and
//! decoded into record batches.
//!
//! `discover` lists the sync layout within a partition filter; `catalog` names each type's
//! table and merges its columns over every object; `read` fetches objects and applies the
//! bad-line policy; `ndjson` is the purpose-built line parser; `scan` turns objects into
//! record batches for DataFusion and for the cache's segments.

pub mod catalog;
pub mod discover;
pub mod ndjson;
pub mod read;
pub mod scan;
