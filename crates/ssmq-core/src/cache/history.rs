//! History: what the cache keeps of the past, and how a question names a moment of it.
//!
//! In: the text of a `WHEN` (an RFC 3339 time, a date, a duration back from now, or
//! `snapshot:N`) and a generation's snapshots. Out: an [`AsOf`], and the [`PastView`] a
//! [`super::CachedLake`] answers for: for every object, the latest version the cache has seen
//! whose modification time is at or before that moment and that was not retired by then (or,
//! for a snapshot, the versions that snapshot saw as current).
//!
//! Every sync that changes anything is a [`Snapshot`]. A version that is replaced or whose
//! object goes is *retired*, not forgotten: its rows stay in the segments and its entry in the
//! object list, with when it stopped being current, until it has been retired for longer than
//! the cache's retention ([`DEFAULT_KEEP_HISTORY_DAYS`], `LakeCache::keeping_history`).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeDelta, Utc};

use super::{Manifest, Snapshot};
use crate::error::{Error, Result};

/// How long retired versions and old snapshots are kept unless said otherwise: a 12-month
/// audit period plus margin.
pub const DEFAULT_KEEP_HISTORY_DAYS: u32 = 400;

/// A moment of the lake's past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// The lake as it stood at this time.
    Time(DateTime<Utc>),
    /// The lake as this snapshot saw it.
    Snapshot(u64),
}

impl FromStr for AsOf {
    type Err = String;

    /// `2026-10-31T23:59:59Z` (any RFC 3339 time), `2026-10-31` (the end of that day, UTC),
    /// `7d` / `36h` / `90m` / `2w` (back from now), or `snapshot:12`.
    fn from_str(text: &str) -> Result<AsOf, String> {
        AsOf::parse(text, Utc::now())
    }
}

impl AsOf {
    /// `text` read as a moment, durations counted back from `now`.
    pub fn parse(text: &str, now: DateTime<Utc>) -> Result<AsOf, String> {
        let text = text.trim();
        if let Some(number) = text.strip_prefix("snapshot:") {
            return number
                .parse()
                .map(AsOf::Snapshot)
                .map_err(|_| format!("`{text}`: a snapshot is `snapshot:` and its number"));
        }
        if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            return Ok(AsOf::Time(time.with_timezone(&Utc)));
        }
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            let end = NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).expect("a time");
            return Ok(AsOf::Time(date.and_time(end).and_utc()));
        }
        if let Some(back) = duration(text) {
            return Ok(AsOf::Time(now - back));
        }
        Err(format!(
            "`{text}` is not a time: give an RFC 3339 time (2026-10-31T23:59:59Z), a date \
             (2026-10-31, its end in UTC), a duration back from now (7d, 36h, 90m, 2w) or snapshot:N"
        ))
    }
}

impl fmt::Display for AsOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The moment asked for, to the second (a duration back from now has a fraction
            // nobody gave, and a date's end is its last second).
            AsOf::Time(time) => f.write_str(&time.to_rfc3339_opts(SecondsFormat::Secs, true)),
            AsOf::Snapshot(number) => write!(f, "snapshot {number}"),
        }
    }
}

/// `36h` and the like: a whole number and a unit (w, d, h, m, s).
/// `7d`, `36h`, `90m`, `2w`, `30s` as a length of time.
pub fn duration(text: &str) -> Option<TimeDelta> {
    let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(unit_at);
    let number: i64 = number.parse().ok()?;
    match unit {
        "w" => TimeDelta::try_weeks(number),
        "d" => TimeDelta::try_days(number),
        "h" => TimeDelta::try_hours(number),
        "m" => TimeDelta::try_minutes(number),
        "s" => TimeDelta::try_seconds(number),
        _ => None,
    }
}

/// A time as ssmq prints it: RFC 3339, UTC, with the fraction of a second it has (a snapshot's
/// time to the microsecond), so a time copied from a message into `--as-of` means that moment.
pub fn time_text(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The moment a [`super::CachedLake`] answers for, and the snapshot that was current then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastView {
    /// The moment asked for.
    pub as_of: AsOf,
    /// The latest snapshot taken at or before it (the snapshot itself for `snapshot:N`).
    pub snapshot: Snapshot,
}

impl PastView {
    /// The view of `as_of` among the snapshots of `manifest`; an error when history does not
    /// reach back that far or holds no such snapshot.
    pub(super) fn resolve(as_of: AsOf, manifest: &Manifest) -> Result<PastView> {
        let snapshots = &manifest.snapshots;
        let (Some(oldest), Some(latest)) = (snapshots.first(), snapshots.last()) else {
            return Err(Error::NoHistory);
        };
        let snapshot = match as_of {
            AsOf::Snapshot(number) => snapshots.iter().find(|s| s.number == number),
            AsOf::Time(time) => snapshots.iter().rev().find(|s| s.taken_at <= time),
        };
        let Some(snapshot) = snapshot else {
            return Err(Error::BeforeHistory {
                as_of: as_of.to_string(),
                oldest: oldest.number,
                oldest_taken: time_text(oldest.taken_at),
                latest: latest.number,
            });
        };
        Ok(PastView {
            as_of,
            snapshot: snapshot.clone(),
        })
    }
}

impl fmt::Display for PastView {
    /// `as of 2026-10-31T23:59:59Z: snapshot 12, taken 2026-10-31T06:02:11.483920Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let taken = time_text(self.snapshot.taken_at);
        match self.as_of {
            AsOf::Time(_) => write!(
                f,
                "as of {}: snapshot {}, taken {taken}",
                self.as_of, self.snapshot.number
            ),
            AsOf::Snapshot(number) => write!(f, "as of snapshot {number}, taken {taken}"),
        }
    }
}

/// The snapshots as a table: `snapshot`, `taken_at`, `origin`, `objects`, `changed`,
/// `removed`.
pub fn snapshots_batch(snapshots: &[Snapshot]) -> RecordBatch {
    let count = |f: fn(&Snapshot) -> usize| -> ArrayRef {
        Arc::new(UInt64Array::from_iter_values(
            snapshots.iter().map(|s| f(s) as u64),
        ))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(
            snapshots.iter().map(|s| s.number),
        )),
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(
                snapshots.iter().map(|s| s.taken_at.timestamp_micros()),
            )
            .with_timezone("UTC"),
        ),
        Arc::new(StringArray::from_iter_values(
            snapshots.iter().map(|s| s.origin.as_str()),
        )),
        count(|s| s.objects),
        count(|s| s.changed),
        count(|s| s.removed),
    ];
    let field = |name: &str, data_type: DataType| Field::new(name, data_type, false);
    let schema = Schema::new(vec![
        field("snapshot", DataType::UInt64),
        field(
            "taken_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        ),
        field("origin", DataType::Utf8),
        field("objects", DataType::UInt64),
        field("changed", DataType::UInt64),
        field("removed", DataType::UInt64),
    ]);
    RecordBatch::try_new(Arc::new(schema), columns).expect("columns match the schema")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_read_as_times_dates_durations_and_snapshots() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |text: &str| AsOf::parse(text, now).map(|a| a.to_string());
        assert_eq!(at("2026-10-31T23:59:59Z").unwrap(), "2026-10-31T23:59:59Z");
        assert_eq!(
            at("2026-10-31T20:00:00-04:00").unwrap(),
            "2026-11-01T00:00:00Z"
        );
        assert_eq!(at("2026-10-31").unwrap(), "2026-10-31T23:59:59Z");
        assert_eq!(at("7d").unwrap(), "2026-11-24T12:00:00Z");
        assert_eq!(at("36h").unwrap(), "2026-11-30T00:00:00Z");
        assert_eq!(at("2w").unwrap(), "2026-11-17T12:00:00Z");
        assert_eq!(at("snapshot:12").unwrap(), "snapshot 12");
        // The end of a day is its last instant: a change at 23:59:59.5 is still that day's.
        let AsOf::Time(end) = AsOf::parse("2026-10-31", now).unwrap() else {
            panic!("a date is a time");
        };
        assert!(end > DateTime::parse_from_rfc3339("2026-10-31T23:59:59.5Z").unwrap());
        for wrong in [
            "yesterday",
            "7x",
            "snapshot:",
            "snapshot:-1",
            "2026-13-01",
            "",
        ] {
            assert!(at(wrong).is_err(), "{wrong}");
        }
        assert!(at("soon").unwrap_err().contains("snapshot:N"));
    }
}
