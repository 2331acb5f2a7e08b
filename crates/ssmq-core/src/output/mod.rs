//! Output: results rendered in a `--format` (`format`, with the box table and the record
//! view of `text_table`, and HTML pages with inline SVG charts in `html` and `chart`), whole
//! tables exported for other engines (`export`), and the evidence bundle (`evidence`).

pub mod chart;
pub mod evidence;
pub mod evidence_page;
pub mod export;
pub mod format;
pub mod html;
pub mod text_table;
