//! The Python the tests run their real peers in: moto's S3 server, Selenium driving Chromium.
//!
//! `SSMQ_TEST_PYTHON` (set by `.ci/run`, a virtualenv with both) when given; else any
//! `python3` that can import the module; else a virtualenv in the target directory, with the
//! requirement installed from PyPI on first use.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A Python interpreter that can import `module`, `requirement` (a pip requirement) installed
/// into the target directory's virtualenv when no interpreter at hand can.
pub fn python_with(module: &str, requirement: &str) -> PathBuf {
    let can_import = |python: &Path| {
        Command::new(python)
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if let Some(python) = std::env::var_os("SSMQ_TEST_PYTHON") {
        let python = PathBuf::from(python);
        assert!(
            can_import(&python),
            "SSMQ_TEST_PYTHON ({}) cannot import {module}: `{} -m pip install '{requirement}'` \
             (.ci/run installs it)",
            python.display(),
            python.display()
        );
        return python;
    }
    for candidate in ["python3", "python"] {
        if can_import(candidate.as_ref()) {
            return PathBuf::from(candidate);
        }
    }
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("test-venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        let created = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
        assert!(
            created.is_ok_and(|s| s.success()),
            "python3 -m venv failed: these tests need Python 3"
        );
    }
    if !can_import(&python) {
        let installed = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", requirement])
            .status();
        assert!(
            installed.is_ok_and(|s| s.success()),
            "installing {requirement} from PyPI failed: these tests need `pip install '{requirement}'`"
        );
    }
    python
}
