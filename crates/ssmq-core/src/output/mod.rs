//! Output: results rendered in a `--format` (`format`, with the box table and the record
//! view of `text_table`), and whole tables exported for other engines (`export`).

pub mod evidence;
pub mod export;
pub mod format;
pub mod text_table;
