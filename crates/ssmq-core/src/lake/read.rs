//! Reading objects: fetching their bytes and walking their lines under the bad-line policy.
//! Shared by the catalog (which learns keys) and the scan (which builds columns).
//!
//! In: an object from discovery, [`ReadOptions`]. Out: its bytes, and its lines handed to a
//! callback; faults either stop the read with the object key and line, or, with
//! `skip_bad_lines`, are skipped and recorded in the [`ReadReport`], never dropped silently.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use bytes::Bytes;

use crate::error::{Error, Result, without_stage_prefixes};
use crate::lake::discover::SyncObject;
use crate::lake::ndjson::{LineError, Lines, validate_utf8};
use crate::source::LakeStore;
use crate::source::s3::S3Options;

/// How objects are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Skip malformed lines (recording them) instead of failing.
    pub skip_bad_lines: bool,
    /// Skip objects that cannot be read, once retries are spent (recording them), instead of
    /// failing.
    pub skip_unreadable: bool,
    /// Objects fetched at once per reader from a directory (an S3 source fetches as many as
    /// it may have requests in flight: see [`ReadOptions::for_s3`]).
    pub read_concurrency: usize,
    /// Fetch objects ahead of their decoding (a sync fetches the next segments' objects while
    /// it writes the last): for sources whose reads wait on the network, at the cost of
    /// holding more fetched bytes. Set by [`ReadOptions::for_s3`].
    pub fetch_ahead: bool,
    /// Bytes of objects from S3 a session keeps in memory to fetch each object once (see
    /// [`LakeStore::fetch`](crate::source::LakeStore::fetch)). Files of a directory are not kept: reading them again from the
    /// operating system's page cache costs less than holding them, and keeps memory flat.
    pub keep_fetched_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            skip_bad_lines: false,
            skip_unreadable: false,
            read_concurrency: 16,
            fetch_ahead: false,
            keep_fetched_bytes: 1 << 30,
        }
    }
}

impl ReadOptions {
    /// These options for an S3 source reached with `s3`: as many objects fetched at once as
    /// requests may be in flight, and fetched ahead. Each read mostly waits out S3's
    /// first-byte latency, so the store's request limit, not the reader, should bound them.
    pub fn for_s3(&self, s3: &S3Options) -> ReadOptions {
        ReadOptions {
            read_concurrency: self.read_concurrency.max(s3.max_concurrency),
            fetch_ahead: true,
            ..self.clone()
        }
    }
}

/// A malformed line that was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// The object's key.
    pub key: String,
    /// Where in the object, and what is wrong.
    pub fault: LineError,
}

/// Two spellings of one column (`URL`, `Url`) on the same line with different values: the
/// first value was kept.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyConflict {
    /// The object's key.
    pub key: String,
    /// 1-based line.
    pub line: usize,
    /// The column both spellings feed.
    pub column: String,
}

/// What reading saw besides data: every line or key it could not place. Shared by all reads
/// of a session; safe to read at any time. (Request counts are the store's: see
/// [`crate::source::metered`].)
#[derive(Debug, Default)]
pub struct ReadReport {
    faults: Mutex<Faults>,
}

#[derive(Debug, Default)]
struct Faults {
    /// Keyed by (object key, line) so the catalog and the scan meeting the same line count once.
    bad_lines: BTreeMap<(String, usize), LineError>,
    conflicts: BTreeSet<KeyConflict>,
    /// (object key, JSON key): keys met while scanning that the table's columns lack, which
    /// happens when an object changed after its table's columns were learnt.
    unknown_keys: BTreeSet<(String, String)>,
    /// Objects skipped because they could not be read: object → why.
    unreadable: BTreeMap<String, String>,
}

impl ReadReport {
    /// Malformed lines skipped, by object key and line.
    pub fn bad_lines(&self) -> Vec<BadLine> {
        self.faults()
            .bad_lines
            .iter()
            .map(|((key, _), fault)| BadLine {
                key: key.clone(),
                fault: fault.clone(),
            })
            .collect()
    }

    /// Lines where two spellings of a column disagreed.
    pub fn conflicts(&self) -> Vec<KeyConflict> {
        self.faults().conflicts.iter().cloned().collect()
    }

    /// Objects skipped as unreadable (`skip_unreadable`), with why.
    pub fn unreadable(&self) -> Vec<(String, String)> {
        self.faults()
            .unreadable
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Keys found in objects but missing from their table's columns.
    pub fn unknown_keys(&self) -> Vec<(String, String)> {
        self.faults().unknown_keys.iter().cloned().collect()
    }

    pub(crate) fn record_bad_line(&self, key: &str, fault: LineError) {
        self.faults()
            .bad_lines
            .insert((key.to_owned(), fault.line), fault);
    }

    pub(crate) fn record_conflict(&self, conflict: KeyConflict) {
        self.faults().conflicts.insert(conflict);
    }

    pub(crate) fn record_unknown_key(&self, key: &str, json_key: String) {
        self.faults()
            .unknown_keys
            .insert((key.to_owned(), json_key));
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep using it.
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Fetches an object's bytes, from the store's read cache if it holds them; a failure names
/// the object. With `skip_unreadable`, a failure is recorded and the object skipped (`None`).
pub async fn fetch(
    store: &LakeStore,
    object: &SyncObject,
    options: &ReadOptions,
    report: &ReadReport,
) -> Result<Option<Bytes>> {
    match store.fetch(&object.location).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(source) if options.skip_unreadable => {
            let why = without_stage_prefixes(&source.to_string()).to_owned();
            report
                .faults()
                .unreadable
                .insert(store.name(&object.location), why);
            Ok(None)
        }
        Err(source) => Err(Error::read(store.name(&object.location), source)),
    }
}

/// Hands each non-blank line of an object to `on_line` with its 1-based number, applying the
/// bad-line policy to UTF-8 faults and to the faults `on_line` returns. `key` names the object
/// in faults. Returns the number of lines accepted.
pub fn for_each_line(
    key: &str,
    object: &[u8],
    options: &ReadOptions,
    report: &ReadReport,
    mut on_line: impl FnMut(&[u8], usize) -> Result<(), LineError>,
) -> Result<usize> {
    let reject = |fault: LineError| -> Result<()> {
        if options.skip_bad_lines {
            report.record_bad_line(key, fault);
            Ok(())
        } else {
            Err(Error::MalformedLine {
                key: key.to_owned(),
                fault,
            })
        }
    };
    // One pass over the whole object is cheaper than one per line; only a faulty object pays
    // for checking line by line.
    let check_lines = match validate_utf8(object) {
        Ok(()) => false,
        Err(fault) => {
            reject(fault)?;
            true
        }
    };
    let mut accepted = 0;
    for (line_no, line) in Lines::new(object) {
        if check_lines && let Err(mut fault) = validate_utf8(line) {
            fault.line = line_no;
            reject(fault)?;
            continue;
        }
        match on_line(line, line_no) {
            Ok(()) => accepted += 1,
            Err(fault) => reject(fault)?,
        }
    }
    Ok(accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(object: &[u8], skip: bool) -> (Result<usize>, Vec<usize>, ReadReport) {
        let options = ReadOptions {
            skip_bad_lines: skip,
            ..ReadOptions::default()
        };
        let report = ReadReport::default();
        let mut seen = Vec::new();
        let key = "AWS:Tag/accountid=1/region=r/resourcetype=M/i-1.json";
        let result = for_each_line(key, object, &options, &report, |line, no| {
            let mut sink = Ignore;
            crate::lake::ndjson::parse_line(line, no, &mut sink)?;
            seen.push(no);
            Ok(())
        });
        (result, seen, report)
    }

    struct Ignore;
    impl crate::lake::ndjson::MemberSink for Ignore {
        fn member(
            &mut self,
            _: crate::lake::ndjson::JsonKey<'_>,
            _: crate::lake::ndjson::JsonValue<'_>,
        ) {
        }
    }

    const OBJECT: &[u8] = b"{\"a\":\"1\"}\n\n{\"a\" \"2\"}\n{\"a\":\"\xFF\"}\n{\"a\":\"4\"}\n";

    #[test]
    fn a_bad_line_fails_with_key_and_line() {
        let (result, seen, report) = run(OBJECT, false);
        let err = result.unwrap_err();
        assert_eq!(
            err.to_string(),
            "Malformed JSON in `AWS:Tag/accountid=1/region=r/resourcetype=M/i-1.json` line 4, column 7: invalid UTF-8 near `{\"a\":\"\u{FFFD}\"}`"
        );
        assert!(
            seen.is_empty(),
            "nothing is handed over before the UTF-8 check"
        );
        assert!(report.bad_lines().is_empty());
    }

    #[test]
    fn skipping_records_every_bad_line_once() {
        let (result, seen, report) = run(OBJECT, true);
        assert_eq!(result.unwrap(), 2);
        assert_eq!(seen, vec![1, 5]);
        let bad: Vec<(usize, String)> = report
            .bad_lines()
            .into_iter()
            .map(|b| (b.fault.line, b.fault.message))
            .collect();
        assert_eq!(
            bad,
            vec![
                (3, "expected `:` after an object key".to_owned()),
                (4, "invalid UTF-8".to_owned())
            ]
        );
        // Reading the same object again (catalog, then scan) does not count the lines twice.
        let options = ReadOptions {
            skip_bad_lines: true,
            ..ReadOptions::default()
        };
        let key = "AWS:Tag/accountid=1/region=r/resourcetype=M/i-1.json";
        for_each_line(key, OBJECT, &options, &report, |line, no| {
            crate::lake::ndjson::parse_line(line, no, &mut Ignore)
        })
        .unwrap();
        assert_eq!(report.bad_lines().len(), 2);
    }

    #[test]
    fn a_syntax_fault_fails_without_skip() {
        let (result, seen, _) = run(b"{\"a\":\"1\"}\r\n{\"a\":1,}\r\n", false);
        assert!(
            matches!(result, Err(Error::MalformedLine { ref fault, .. }) if fault.line == 2 && fault.column == 8)
        );
        assert_eq!(seen, vec![1]);
    }
}
