//! Trino's date and time functions, with Trino's argument order, NULL and error behaviour:
//! `from_iso8601_timestamp`, `from_iso8601_date`, `to_iso8601`, `date_parse`, `date_format`,
//! `parse_datetime`, `format_datetime`, `date_add`, `date_diff`.
//!
//! Timestamps are Arrow nanosecond timestamps. `timestamp with time zone` values are kept in UTC
//! (`Timestamp(ns, "UTC")`): an instant keeps its meaning, but an offset read from the input is
//! not kept for display. Inputs may also be strings (read as ISO 8601), because every value of a
//! sync lake is one; Trino would refuse them.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Int64Array, StringArray, TimestampNanosecondArray,
};
use arrow::datatypes::{DataType, TimeUnit};
use chrono::format::{Parsed, StrftimeItems};
use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta};
use datafusion::common::{DataFusionError, Result, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl};

use super::args::text_arg;
use super::{TrinoFunction, argument_arrays, scalar_or_array, udf};

const NANOS_PER_DAY: i64 = 86_400_000_000_000;

/// The zone `timestamp with time zone` results are expressed in.
fn utc() -> Option<Arc<str>> {
    Some("UTC".into())
}

/// A date or timestamp argument, as an instant or a calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

/// The data type a temporal argument is coerced to: dates stay dates, timestamps of any unit
/// become nanoseconds (keeping their zone), strings are read as timestamps.
fn temporal_coercion(t: &DataType) -> Result<DataType> {
    Ok(match t {
        DataType::Date32 | DataType::Date64 => DataType::Date32,
        DataType::Timestamp(_, tz) => DataType::Timestamp(TimeUnit::Nanosecond, tz.clone()),
        t if text_arg(t).is_ok() => DataType::Timestamp(TimeUnit::Nanosecond, None),
        other => return plan_err!("expected a date or timestamp, got {other}"),
    })
}

fn moments(array: &ArrayRef) -> Result<Vec<Option<Moment>>> {
    Ok(match array.data_type() {
        DataType::Date32 => array
            .as_primitive::<arrow::datatypes::Date32Type>()
            .iter()
            .map(|d| d.and_then(|d| NaiveDate::from_epoch_days(d).map(Moment::Date)))
            .collect(),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => array
            .as_primitive::<arrow::datatypes::TimestampNanosecondType>()
            .iter()
            .map(|t| t.map(|t| Moment::Timestamp(DateTime::from_timestamp_nanos(t).naive_utc())))
            .collect(),
        other => return exec_err!("expected a date or timestamp, got {other}"),
    })
}

impl Moment {
    fn naive(self) -> NaiveDateTime {
        match self {
            Moment::Date(d) => d.and_hms_opt(0, 0, 0).expect("midnight exists"),
            Moment::Timestamp(t) => t,
        }
    }
}

fn nanos(t: NaiveDateTime) -> Option<i64> {
    t.and_utc().timestamp_nanos_opt()
}

fn timestamp_array(
    values: impl IntoIterator<Item = Option<i64>>,
    tz: Option<Arc<str>>,
) -> ArrayRef {
    Arc::new(TimestampNanosecondArray::from_iter(values).with_timezone_opt(tz))
}

fn text_array(array: &ArrayRef) -> Vec<Option<&str>> {
    array.as_string::<i32>().iter().collect()
}

/// Reads an ISO 8601 instant: `2026-10-31T12:30:00Z`, with an offset, with a fraction, without a
/// zone (UTC), or a bare date (midnight UTC).
pub fn parse_iso8601_timestamp(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();

    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.naive_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.naive_utc());
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t);
        }
    }
    parse_iso8601_date(text).map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

/// Reads an ISO 8601 date: `2026-10-31`, `2026-10` (its first day) or `2026` (1 January).
pub fn parse_iso8601_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok())
        .or_else(|| {
            (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| NaiveDate::from_ymd_opt(text.parse().ok()?, 1, 1))
                .flatten()
        })
}

/// Which direction a format is used in: some specifiers only make sense one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Parse,
    Format,
}

/// Translates a MySQL-style format (`date_parse`, `date_format`: `%Y-%m-%d %H:%i:%s`) into
/// chrono's.
fn mysql_format(format: &str, direction: Direction) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            return Err("the format ends with a lone `%`".into());
        };
        let unpadded = |padded: &str, bare: &str| {
            if direction == Direction::Format {
                bare.to_owned()
            } else {
                padded.to_owned()
            }
        };
        out.push_str(&match spec {
            'a' => "%a".into(),
            'b' => "%b".into(),
            'c' => unpadded("%m", "%-m"),
            'd' => "%d".into(),
            'e' => unpadded("%d", "%-d"),
            'f' => {
                if direction == Direction::Format {
                    "%6f".into()
                } else {
                    "%f".into()
                }
            }
            'H' => "%H".into(),
            'h' | 'I' => "%I".into(),
            'i' => "%M".into(),
            'j' => "%j".into(),
            'k' => unpadded("%H", "%-H"),
            'l' => unpadded("%I", "%-I"),
            'M' => "%B".into(),
            'm' => "%m".into(),
            'p' => "%p".into(),
            'r' => "%I:%M:%S %p".into(),
            'S' | 's' => "%S".into(),
            'T' => "%H:%M:%S".into(),
            'W' => "%A".into(),
            'Y' => "%Y".into(),
            'y' => "%y".into(),
            '%' => "%%".into(),
            other => return Err(format!("format specifier `%{other}` is not supported")),
        });
    }
    Ok(out)
}

/// Translates a Joda-Time pattern (`parse_datetime`, `format_datetime`: `yyyy-MM-dd HH:mm:ss`)
/// into chrono's.
fn joda_format(pattern: &str, direction: Direction) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // Quoted literal text; '' is a quote.
            let mut j = i + 1;
            if chars.get(j) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            while j < chars.len() {
                if chars[j] == '\'' {
                    if chars.get(j + 1) == Some(&'\'') {
                        out.push('\'');
                        j += 2;
                        continue;
                    }
                    break;
                }
                push_literal(&mut out, chars[j]);
                j += 1;
            }
            if j >= chars.len() {
                return Err("an unterminated quote in the pattern".into());
            }
            i = j + 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            push_literal(&mut out, c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        let pad = |padded: &str, bare: &str| {
            if n >= 2 || direction == Direction::Parse {
                padded.to_owned()
            } else {
                bare.to_owned()
            }
        };
        out.push_str(&match c {
            'y' | 'Y' | 'x' => if n == 2 { "%y".into() } else { "%Y".into() },
            'M' => match n {
                1 | 2 => pad("%m", "%-m"),
                3 => "%b".into(),
                _ => "%B".into(),
            },
            'd' => pad("%d", "%-d"),
            'D' => "%j".into(),
            'H' => pad("%H", "%-H"),
            'h' => pad("%I", "%-I"),
            'm' => pad("%M", "%-M"),
            's' => pad("%S", "%-S"),
            'S' => match (n, direction) {
                (_, Direction::Parse) => "%f".into(),
                (3, _) => "%3f".into(),
                (6, _) => "%6f".into(),
                (9, _) => "%9f".into(),
                _ => return Err(format!("a fraction of {n} digits (`{}`) is not supported; use S, SSS, SSSSSS or SSSSSSSSS", "S".repeat(n))),
            },
            'a' => "%p".into(),
            'E' => if n >= 4 { "%A".into() } else { "%a".into() },
            'e' => "%u".into(),
            'Z' => if n == 1 { "%z".into() } else { "%:z".into() },
            'z' => "%Z".into(),
            other => return Err(format!("pattern letter `{other}` is not supported")),
        });
        i += n;
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    if c == '%' {
        out.push_str("%%");
    } else {
        out.push(c);
    }
}

/// Parses `text` with a chrono format; fields the format lacks default to the start of the
/// period (month and day 1, time 00:00:00), as in MySQL and Joda. An offset in the input
/// converts the result to UTC.
fn parse_with(text: &str, chrono_format: &str) -> Option<NaiveDateTime> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text, StrftimeItems::new(chrono_format)).ok()?;
    if parsed.month().is_none() && parsed.ordinal().is_none() {
        parsed.set_month(1).ok()?;
    }
    if parsed.day().is_none() && parsed.ordinal().is_none() {
        parsed.set_day(1).ok()?;
    }
    if parsed.hour_div_12().is_none() {
        parsed.set_hour(0).ok()?;
    }
    if parsed.minute().is_none() {
        parsed.set_minute(0).ok()?;
    }
    match parsed.offset() {
        Some(_) => parsed.to_datetime().ok().map(|t| t.naive_utc()),
        None => parsed.to_naive_datetime_with_offset(0).ok(),
    }
}

/// How a function treats a value it cannot read: Trino fails the query; inside `try(...)` the
/// value becomes NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnError {
    /// Fail the query (Trino's behaviour).
    Fail,
    /// Give NULL (inside `try`).
    Null,
}

impl OnError {
    /// `parse` of each value of the function's text argument; text it cannot read is NULL or
    /// an error (``function: `x` is not <what>``) as the policy says.
    fn parse_texts<T>(
        self,
        args: &ScalarFunctionArgs,
        function: &str,
        what: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<Option<T>>> {
        let arrays = argument_arrays(args)?;
        text_array(&arrays[0])
            .into_iter()
            .map(|text| match text {
                None => Ok(None),
                Some(text) => {
                    self.handle(parse(text), function, || format!("`{text}` is not {what}"))
                }
            })
            .collect()
    }

    fn handle<T>(
        self,
        value: Option<T>,
        function: &str,
        problem: impl FnOnce() -> String,
    ) -> Result<Option<T>> {
        match (value, self) {
            (Some(v), _) => Ok(Some(v)),
            (None, OnError::Null) => Ok(None),
            (None, OnError::Fail) => Err(DataFusionError::Execution(format!(
                "{function}: {}",
                problem()
            ))),
        }
    }
}

/// The functions of this module, for registration.
pub fn functions() -> Vec<Arc<dyn ScalarUDFImpl>> {
    vec![
        udf(FromIso8601Timestamp {
            on_error: OnError::Fail,
        }),
        udf(FromIso8601Date {
            on_error: OnError::Fail,
        }),
        udf(ToIso8601),
        udf(DateParse {
            on_error: OnError::Fail,
        }),
        udf(DateFormat),
        udf(ParseDatetime {
            on_error: OnError::Fail,
        }),
        udf(FormatDatetime),
        udf(DateAdd),
        udf(DateDiff),
    ]
}

/// `from_iso8601_timestamp(text)`: an instant, as `timestamp with time zone` (UTC).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromIso8601Timestamp {
    /// How unreadable text is treated.
    pub on_error: OnError,
}

impl TrinoFunction for FromIso8601Timestamp {
    const NAME: &str = "from_iso8601_timestamp";
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] => Ok(vec![text_arg(t)?]),
            _ => plan_err!("from_iso8601_timestamp takes one argument"),
        }
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Timestamp(TimeUnit::Nanosecond, utc()))
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let values =
            self.on_error
                .parse_texts(&args, Self::NAME, "an ISO 8601 timestamp", |text| {
                    parse_iso8601_timestamp(text).and_then(nanos)
                })?;
        scalar_or_array(timestamp_array(values, utc()), &args)
    }
}

/// `from_iso8601_date(text)`: a date.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FromIso8601Date {
    /// How unreadable text is treated.
    pub on_error: OnError,
}

impl TrinoFunction for FromIso8601Date {
    const NAME: &str = "from_iso8601_date";
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] => Ok(vec![text_arg(t)?]),
            _ => plan_err!("from_iso8601_date takes one argument"),
        }
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let values = self
            .on_error
            .parse_texts(&args, Self::NAME, "an ISO 8601 date", |text| {
                parse_iso8601_date(text).map(|d| d.to_epoch_days())
            })?;
        scalar_or_array(Arc::new(Date32Array::from(values)), &args)
    }
}

/// `to_iso8601(date | timestamp)`: `2026-10-31`, `2026-10-31T12:30:00.000`, or with `Z` for a
/// timestamp with time zone.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToIso8601;

impl TrinoFunction for ToIso8601 {
    const NAME: &str = "to_iso8601";
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] => Ok(vec![temporal_coercion(t)?]),
            _ => plan_err!("to_iso8601 takes one argument"),
        }
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let zoned = matches!(arrays[0].data_type(), DataType::Timestamp(_, Some(_)));
        let text: StringArray = moments(&arrays[0])?
            .into_iter()
            .map(|m| {
                m.map(|m| match m {
                    Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
                    Moment::Timestamp(t) if zoned => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                    Moment::Timestamp(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
                })
            })
            .collect();
        scalar_or_array(Arc::new(text), &args)
    }
}

/// A format argument, translated once per distinct value.
fn translate_formats(
    formats: &ArrayRef,
    translate: impl Fn(&str) -> Result<String, String>,
    function: &str,
) -> Result<Vec<Option<String>>> {
    let mut last: Option<(String, String)> = None;
    formats
        .as_string::<i32>()
        .iter()
        .map(|f| {
            let Some(f) = f else { return Ok(None) };
            if let Some((source, translated)) = &last
                && source == f
            {
                return Ok(Some(translated.clone()));
            }
            let translated =
                translate(f).map_err(|e| DataFusionError::Execution(format!("{function}: {e}")))?;
            last = Some((f.to_owned(), translated.clone()));
            Ok(Some(translated))
        })
        .collect()
}

/// Shared by `date_parse` and `parse_datetime`: text and a format in, timestamps out.
fn parse_rows(
    args: &ScalarFunctionArgs,
    translate: impl Fn(&str) -> Result<String, String>,
    function: &str,
    on_error: OnError,
    tz: Option<Arc<str>>,
) -> Result<ColumnarValue> {
    let arrays = argument_arrays(args)?;
    let formats = translate_formats(&arrays[1], translate, function)?;
    let values = text_array(&arrays[0])
        .into_iter()
        .zip(formats)
        .map(|(text, format)| match (text, format) {
            (Some(text), Some(format)) => {
                on_error.handle(parse_with(text, &format).and_then(nanos), function, || {
                    format!("`{text}` does not match the format")
                })
            }
            _ => Ok(None),
        })
        .collect::<Result<Vec<_>>>()?;
    scalar_or_array(timestamp_array(values, tz), args)
}

/// Shared by `date_format` and `format_datetime`: a timestamp and a format in, text out.
fn format_rows(
    args: &ScalarFunctionArgs,
    translate: impl Fn(&str) -> Result<String, String>,
    function: &str,
) -> Result<ColumnarValue> {
    let arrays = argument_arrays(args)?;
    let formats = translate_formats(&arrays[1], translate, function)?;
    // Values are UTC instants (or naive times, printed as if UTC for %z and %Z).
    let text: StringArray = moments(&arrays[0])?
        .into_iter()
        .zip(formats)
        .map(|(moment, format)| Some(moment?.naive().and_utc().format(&format?).to_string()))
        .collect();
    scalar_or_array(Arc::new(text), args)
}

macro_rules! parse_function {
    ($name:ident, $sql:literal, $translate:expr, $tz:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, PartialEq, Eq, Hash)]
        pub struct $name {
            /// How unreadable text is treated.
            pub on_error: OnError,
        }

        impl TrinoFunction for $name {
            const NAME: &str = $sql;
            fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
                match arg_types {
                    [text, format] => Ok(vec![text_arg(text)?, text_arg(format)?]),
                    _ => plan_err!("{} takes a string and a format", $sql),
                }
            }
            fn return_type(&self, _: &[DataType]) -> Result<DataType> {
                Ok(DataType::Timestamp(TimeUnit::Nanosecond, $tz))
            }
            fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
                parse_rows(
                    &args,
                    |f| $translate(f, Direction::Parse),
                    $sql,
                    self.on_error,
                    $tz,
                )
            }
        }
    };
}

macro_rules! format_function {
    ($name:ident, $sql:literal, $translate:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, PartialEq, Eq, Hash)]
        pub struct $name;

        impl TrinoFunction for $name {
            const NAME: &str = $sql;
            fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
                match arg_types {
                    [moment, format] => Ok(vec![temporal_coercion(moment)?, text_arg(format)?]),
                    _ => plan_err!("{} takes a timestamp and a format", $sql),
                }
            }
            fn return_type(&self, _: &[DataType]) -> Result<DataType> {
                Ok(DataType::Utf8)
            }
            fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
                format_rows(&args, |f| $translate(f, Direction::Format), $sql)
            }
        }
    };
}

parse_function!(
    DateParse,
    "date_parse",
    mysql_format,
    None,
    "`date_parse(text, format)`: a timestamp read with a MySQL format (`%Y-%m-%d %H:%i:%s`)."
);
parse_function!(
    ParseDatetime,
    "parse_datetime",
    joda_format,
    utc(),
    "`parse_datetime(text, pattern)`: a timestamp with time zone read with a Joda-Time pattern."
);
format_function!(
    DateFormat,
    "date_format",
    mysql_format,
    "`date_format(timestamp, format)`: text written with a MySQL format (`%Y-%m-%d %H:%i:%s`)."
);
format_function!(
    FormatDatetime,
    "format_datetime",
    joda_format,
    "`format_datetime(timestamp, pattern)`: text written with a Joda-Time pattern (`yyyy-MM-dd`)."
);

/// A unit of `date_add` and `date_diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Unit {
    fn parse(text: &str, function: &str) -> Result<Unit> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "millisecond" => Unit::Millisecond,
            "second" => Unit::Second,
            "minute" => Unit::Minute,
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "month" => Unit::Month,
            "quarter" => Unit::Quarter,
            "year" => Unit::Year,
            other => {
                return exec_err!(
                    "{function}: `{other}` is not a unit; use millisecond, second, minute, hour, day, week, month, quarter or year"
                );
            }
        })
    }

    /// Nanoseconds in a fixed-length unit; `None` for calendar units.
    fn fixed_nanos(self) -> Option<i64> {
        Some(match self {
            Unit::Millisecond => 1_000_000,
            Unit::Second => 1_000_000_000,
            Unit::Minute => 60_000_000_000,
            Unit::Hour => 3_600_000_000_000,
            Unit::Day => NANOS_PER_DAY,
            Unit::Week => 7 * NANOS_PER_DAY,
            Unit::Month | Unit::Quarter | Unit::Year => return None,
        })
    }

    fn months(self) -> i64 {
        match self {
            Unit::Month => 1,
            Unit::Quarter => 3,
            _ => 12,
        }
    }
}

fn add(moment: Moment, unit: Unit, amount: i64) -> Option<Moment> {
    if let Moment::Date(d) = moment {
        return match unit.fixed_nanos() {
            Some(n) if n % NANOS_PER_DAY != 0 => None,
            Some(n) => d
                .checked_add_signed(TimeDelta::days(amount.checked_mul(n / NANOS_PER_DAY)?))
                .map(Moment::Date),
            None => add_months(d.and_hms_opt(0, 0, 0)?, amount.checked_mul(unit.months())?)
                .map(|t| Moment::Date(t.date())),
        };
    }
    let t = moment.naive();
    match unit.fixed_nanos() {
        Some(n) => t.checked_add_signed(TimeDelta::nanoseconds(amount.checked_mul(n)?)),
        None => add_months(t, amount.checked_mul(unit.months())?),
    }
    .map(Moment::Timestamp)
}

/// Calendar months, clamped to the end of a shorter month (31 January + 1 month = 28 or 29
/// February), as Joda-Time does.
fn add_months(t: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let magnitude = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        t.checked_add_months(magnitude)
    } else {
        t.checked_sub_months(magnitude)
    }
}

/// Whole units from `a` to `b`, truncated toward zero; calendar units count whole months as
/// Joda-Time's `monthsBetween` does.
fn diff(a: Moment, b: Moment, unit: Unit) -> Option<i64> {
    let (a, b) = (a.naive(), b.naive());
    match unit.fixed_nanos() {
        Some(n) => Some((nanos(b)? - nanos(a)?) / n),
        None => {
            let mut months =
                i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
            let rest = |t: NaiveDateTime| (t.day(), t.time());
            if months > 0 && rest(b) < rest(a) {
                months -= 1;
            } else if months < 0 && rest(b) > rest(a) {
                months += 1;
            }
            Some(months / unit.months())
        }
    }
}

/// `date_add(unit, value, date | timestamp)`: the moment moved by `value` units.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateAdd;

impl TrinoFunction for DateAdd {
    const NAME: &str = "date_add";
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [unit, _, moment] => Ok(vec![
                text_arg(unit)?,
                DataType::Int64,
                temporal_coercion(moment)?,
            ]),
            _ => plan_err!(
                "date_add takes a unit, a number and a date or timestamp: date_add('day', 7, x)"
            ),
        }
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[2].clone())
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let amounts = arrays[1].as_primitive::<arrow::datatypes::Int64Type>();
        let mut units: Vec<Option<Unit>> = Vec::with_capacity(args.number_rows);
        for unit in arrays[0].as_string::<i32>().iter() {
            units.push(unit.map(|u| Unit::parse(u, "date_add")).transpose()?);
        }
        let moved = moments(&arrays[2])?
            .into_iter()
            .zip(units)
            .zip(amounts.iter())
            .map(|((moment, unit), amount)| match (moment, unit, amount) {
                (Some(m), Some(u), Some(n)) => add(m, u, n)
                    .map(Some)
                    .ok_or_else(|| DataFusionError::Execution(format!("date_add: adding {n} {u:?} to {m:?} is out of range or not valid for a date"))),
                _ => Ok(None),
            })
            .collect::<Result<Vec<_>>>()?;
        let array: ArrayRef = match arrays[2].data_type() {
            DataType::Date32 => Arc::new(Date32Array::from_iter(moved.iter().map(|m| {
                m.map(|m| match m {
                    Moment::Date(d) => d.to_epoch_days(),
                    Moment::Timestamp(t) => t.date().to_epoch_days(),
                })
            }))),
            DataType::Timestamp(_, tz) => timestamp_array(
                moved.iter().map(|m| m.and_then(|m| nanos(m.naive()))),
                tz.clone(),
            ),
            other => return exec_err!("date_add: unexpected {other}"),
        };
        scalar_or_array(array, &args)
    }
}

/// `date_diff(unit, a, b)`: whole units from `a` to `b`, as a bigint.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateDiff;

impl TrinoFunction for DateDiff {
    const NAME: &str = "date_diff";
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [unit, a, b] => {
                // Both moments in one type: a date meets a timestamp as midnight.
                let (a, b) = (temporal_coercion(a)?, temporal_coercion(b)?);
                let common = if a == b {
                    a
                } else {
                    DataType::Timestamp(TimeUnit::Nanosecond, None)
                };
                Ok(vec![text_arg(unit)?, common.clone(), common])
            }
            _ => plan_err!(
                "date_diff takes a unit and two dates or timestamps: date_diff('day', a, b)"
            ),
        }
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let mut units: Vec<Option<Unit>> = Vec::with_capacity(args.number_rows);
        for unit in arrays[0].as_string::<i32>().iter() {
            units.push(unit.map(|u| Unit::parse(u, "date_diff")).transpose()?);
        }
        let differences: Int64Array = moments(&arrays[1])?
            .into_iter()
            .zip(moments(&arrays[2])?)
            .zip(units)
            .map(|((a, b), unit)| diff(a?, b?, unit?))
            .collect();
        scalar_or_array(Arc::new(differences), &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> NaiveDateTime {
        parse_iso8601_timestamp(text).unwrap()
    }

    #[test]
    fn iso8601_timestamps_and_dates() {
        assert_eq!(
            ts("2026-10-31T12:30:00Z").to_string(),
            "2026-10-31 12:30:00"
        );
        assert_eq!(
            ts("2026-10-31T12:30:00.250+02:00").to_string(),
            "2026-10-31 10:30:00.250"
        );
        assert_eq!(ts("2026-10-31T12:30:00").to_string(), "2026-10-31 12:30:00");
        assert_eq!(ts("2026-10-31T12:30Z").to_string(), "2026-10-31 12:30:00");
        assert_eq!(
            ts("2026-10-31T12:30:00-0500").to_string(),
            "2026-10-31 17:30:00"
        );
        assert_eq!(ts("2026-10-31").to_string(), "2026-10-31 00:00:00");
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-10-31 12:30:00",
            "31/10/2026",
        ] {
            assert_eq!(parse_iso8601_timestamp(bad), None, "{bad}");
        }
        assert_eq!(
            parse_iso8601_date("2026-02-28").unwrap().to_string(),
            "2026-02-28"
        );
        assert_eq!(
            parse_iso8601_date("2026-02").unwrap().to_string(),
            "2026-02-01"
        );
        assert_eq!(
            parse_iso8601_date("2026").unwrap().to_string(),
            "2026-01-01"
        );
        assert_eq!(parse_iso8601_date("2026-02-30"), None);
    }

    #[test]
    fn mysql_formats_translate() {
        assert_eq!(
            mysql_format("%Y-%m-%d %H:%i:%s", Direction::Parse).unwrap(),
            "%Y-%m-%d %H:%M:%S"
        );
        assert_eq!(
            mysql_format("%c/%e/%y %l:%i %p", Direction::Format).unwrap(),
            "%-m/%-d/%y %-I:%M %p"
        );
        assert_eq!(
            mysql_format("%M %D", Direction::Format).unwrap_err(),
            "format specifier `%D` is not supported"
        );
        assert_eq!(mysql_format("100%%", Direction::Format).unwrap(), "100%%");
        assert!(mysql_format("%", Direction::Format).is_err());
    }

    #[test]
    fn joda_patterns_translate() {
        assert_eq!(
            joda_format("yyyy-MM-dd'T'HH:mm:ss.SSS", Direction::Format).unwrap(),
            "%Y-%m-%dT%H:%M:%S.%3f"
        );
        assert_eq!(
            joda_format("d MMM yy, h:mm a", Direction::Format).unwrap(),
            "%-d %b %y, %-I:%M %p"
        );
        assert_eq!(
            joda_format("EEEE, MMMM d 'o''clock' Z", Direction::Format).unwrap(),
            "%A, %B %-d o'clock %z"
        );
        assert_eq!(joda_format("yyyy'%'", Direction::Format).unwrap(), "%Y%%");
        assert!(joda_format("GGGG", Direction::Format).is_err());
        assert!(joda_format("'open", Direction::Format).is_err());
    }

    #[test]
    fn parsing_fills_missing_fields_with_period_starts() {
        let parse = |text: &str, format: &str| {
            parse_with(text, &mysql_format(format, Direction::Parse).unwrap())
                .map(|t| t.to_string())
        };
        assert_eq!(
            parse("2026-10-31 09:05:07", "%Y-%m-%d %H:%i:%s").as_deref(),
            Some("2026-10-31 09:05:07")
        );
        assert_eq!(
            parse("2026/10", "%Y/%m").as_deref(),
            Some("2026-10-01 00:00:00")
        );
        assert_eq!(
            parse("31.10.2026", "%d.%m.%Y").as_deref(),
            Some("2026-10-31 00:00:00")
        );
        assert_eq!(
            parse("10/31/2026 1:02 PM", "%m/%d/%Y %h:%i %p").as_deref(),
            Some("2026-10-31 13:02:00")
        );
        assert_eq!(parse("not a date", "%Y-%m-%d"), None);
        let joda = |text: &str, pattern: &str| {
            parse_with(text, &joda_format(pattern, Direction::Parse).unwrap())
                .map(|t| t.to_string())
        };
        assert_eq!(
            joda("2026-10-31 12:00 +0200", "yyyy-MM-dd HH:mm Z").as_deref(),
            Some("2026-10-31 10:00:00")
        );
    }

    #[test]
    fn adding_clamps_months_and_refuses_time_units_on_dates() {
        let t = Moment::Timestamp(ts("2026-01-31T10:00:00Z"));
        assert_eq!(
            add(t, Unit::Month, 1).unwrap().naive().to_string(),
            "2026-02-28 10:00:00"
        );
        assert_eq!(
            add(t, Unit::Quarter, -1).unwrap().naive().to_string(),
            "2025-10-31 10:00:00"
        );
        assert_eq!(
            add(t, Unit::Day, -31).unwrap().naive().to_string(),
            "2025-12-31 10:00:00"
        );
        assert_eq!(
            add(t, Unit::Hour, 14).unwrap().naive().to_string(),
            "2026-02-01 00:00:00"
        );
        let d = Moment::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        assert_eq!(
            add(d, Unit::Year, 1),
            Some(Moment::Date(NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()))
        );
        assert_eq!(
            add(d, Unit::Week, 1),
            Some(Moment::Date(NaiveDate::from_ymd_opt(2024, 3, 7).unwrap()))
        );
        assert_eq!(add(d, Unit::Hour, 1), None);
    }

    #[test]
    fn differences_truncate_toward_zero_and_count_calendar_months() {
        let a = Moment::Timestamp(ts("2026-01-31T10:00:00Z"));
        let b = Moment::Timestamp(ts("2026-03-30T09:59:59Z"));
        assert_eq!(diff(a, b, Unit::Day), Some(57));
        assert_eq!(diff(b, a, Unit::Day), Some(-57));
        assert_eq!(
            diff(a, b, Unit::Month),
            Some(1),
            "30 March is not yet two months after 31 January"
        );
        assert_eq!(diff(b, a, Unit::Month), Some(-1));
        assert_eq!(diff(a, b, Unit::Hour), Some(1391));
        let start = Moment::Date(NaiveDate::from_ymd_opt(2025, 11, 15).unwrap());
        let end = Moment::Date(NaiveDate::from_ymd_opt(2026, 11, 15).unwrap());
        assert_eq!(diff(start, end, Unit::Year), Some(1));
        assert_eq!(diff(start, end, Unit::Quarter), Some(4));
        assert_eq!(diff(start, end, Unit::Week), Some(52));
    }
}
