//! Embeds the reports (`queries/*.sql`), the views (`queries/views/*.sql`), the controls
//! (`queries/controls/*.sql`) and the built-in sample lake (`fixtures/sample/`) so
//! the binary works from anywhere, with no files beside it.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    // Read when the script runs, not when it is compiled: a build script compiled for a
    // checkout elsewhere (a target directory shared between clones) must read this one.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it");
    let repo = Path::new(&manifest_dir).join("../..");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let queries = repo.join("queries");
    println!("cargo::rerun-if-changed={}", queries.display());
    let views = queries.join("views");
    let controls = queries.join("controls");
    let (view_files, others): (Vec<PathBuf>, Vec<PathBuf>) = files_under(&queries)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .partition(|path| path.starts_with(&views));
    let (control_files, report_files): (Vec<PathBuf>, Vec<PathBuf>) = others
        .into_iter()
        .partition(|path| path.starts_with(&controls));
    fs::write(
        out.join("controls.rs"),
        sql_files("Built-in control files", "CONTROL_FILES", &control_files),
    )
    .unwrap();
    fs::write(
        out.join("reports.rs"),
        sql_files("Built-in report files", "REPORT_FILES", &report_files),
    )
    .unwrap();
    fs::write(
        out.join("views.rs"),
        sql_files("Built-in view files", "VIEW_FILES", &view_files),
    )
    .unwrap();

    let sample = repo.join("fixtures/sample");
    println!("cargo::rerun-if-changed={}", sample.display());
    let mut lake = String::from(
        "/// The built-in sample lake: (key, bytes).\npub static SAMPLE_OBJECTS: &[(&str, &[u8])] = &[\n",
    );
    let files = files_under(&sample);
    if files.is_empty() {
        // The library's tests fail on an empty sample; the warning says why.
        println!(
            "cargo::warning=fixtures/sample is missing or empty: the built-in sample lake will be empty"
        );
    }
    for path in files {
        let key = path.strip_prefix(&sample).unwrap();
        let key: Vec<&str> = key
            .iter()
            .map(|p| p.to_str().expect("fixture keys are UTF-8"))
            .collect();
        writeln!(
            lake,
            "    ({:?}, include_bytes!({:?})),",
            key.join("/"),
            path.canonicalize().unwrap()
        )
        .unwrap();
    }
    lake.push_str("];\n");
    fs::write(out.join("sample_lake.rs"), lake).unwrap();
}

/// A static `name` of (file stem, text) pairs, one per file of `paths`, embedded.
fn sql_files(doc: &str, name: &str, paths: &[PathBuf]) -> String {
    let mut text =
        format!("/// {doc}: (file stem, text).\npub static {name}: &[(&str, &str)] = &[\n");
    for path in paths {
        let stem = path
            .file_stem()
            .unwrap()
            .to_str()
            .expect("query file names are UTF-8");
        writeln!(
            text,
            "    ({stem:?}, include_str!({:?})),",
            path.canonicalize().unwrap()
        )
        .unwrap();
    }
    text.push_str("];\n");
    text
}

/// Every file below `dir`, sorted; nothing if `dir` does not exist.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
