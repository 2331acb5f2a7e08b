//! The committed lakes under `fixtures/` are exactly what the generator produces today.
//!
//! If this fails after an intended generator change, regenerate (see `fixtures/README.md`):
//! `rm -rf fixtures/sample fixtures/malformed` then run the `sample` and `malformed` subcommands.

use ssmq_fixtures::{LakeObject, LakeSpec, malformed_lake, objects};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
}

/// Every file under `root`, by `/`-separated path relative to it.
fn files_under(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read `{}`: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).expect("under root");
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(key, std::fs::read(&path).expect("readable fixture file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn assert_lake_matches(name: &str, expected: impl IntoIterator<Item = LakeObject>) {
    let root = fixtures_dir().join(name);
    let actual = files_under(&root);
    let expected: BTreeMap<String, Vec<u8>> = expected
        .into_iter()
        .map(|object| (object.key, object.body))
        .collect();
    let missing: Vec<&String> = expected
        .keys()
        .filter(|key| !actual.contains_key(*key))
        .collect();
    let extra: Vec<&String> = actual
        .keys()
        .filter(|key| !expected.contains_key(*key))
        .collect();
    let differing: Vec<&String> = expected
        .iter()
        .filter(|(key, body)| actual.get(*key).is_some_and(|a| a != *body))
        .map(|(key, _)| key)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differing.is_empty(),
        "fixtures/{name} is out of date (regenerate it, see fixtures/README.md)\n missing: {missing:#?}\n extra: {extra:#?}\n differing: {differing:#?}"
    );
}

#[test]
fn sample_lake_is_up_to_date() {
    assert_lake_matches("sample", objects(&LakeSpec::sample()));
}

#[test]
fn malformed_lake_is_up_to_date() {
    assert_lake_matches(
        "malformed",
        malformed_lake().into_iter().map(|(object, _)| object),
    );
}
