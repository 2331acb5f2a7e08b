//! Decoding of sync objects: newline-delimited, flat JSON objects.
//!
//! In: the bytes of one object as stored (UTF-8, maybe a byte-order mark, LF or CRLF line ends,
//! blank lines). Out: for every non-blank line, its members handed one by one to a
//! [`MemberSink`], or a [`LineError`] with the 1-based line and column of the first fault.
//!
//! This is a purpose-built parser rather than a general JSON library because the data is
//! always a flat object per line and the reader needs something general parsers do not give:
//! values are never converted, only located. A string value is handed over as its raw bytes
//! between the quotes (escapes decoded only when the sink asks), a number or boolean as its
//! JSON text, and a nested object or array as its JSON text, so nothing a line says is lost and
//! nothing is allocated for values the query does not read. Every line is still fully
//! validated, so a malformed line is always reported, whether or not its values are used.

use std::fmt;

use wide::u8x16;

/// A value as found in a line. Strings are raw (escapes undecoded); everything else is kept as
/// the exact JSON text the line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonValue<'a> {
    /// A JSON string: the bytes between the quotes; `escaped` says whether they hold any `\`.
    String { raw: &'a [u8], escaped: bool },
    /// A number, `true` or `false`, as written.
    Literal(&'a [u8]),
    /// `null`.
    Null,
    /// A nested object or array, as written.
    Nested(&'a [u8]),
}

impl<'a> JsonValue<'a> {
    /// The value's text, as [`Self::append_text`] appends it: borrowed from the line, unless
    /// escapes must be decoded (into `scratch`, cleared first); `None` for `null`.
    #[inline]
    pub fn text<'s>(&self, scratch: &'s mut Vec<u8>) -> Option<&'s [u8]>
    where
        'a: 's,
    {
        match *self {
            JsonValue::String {
                raw,
                escaped: false,
            }
            | JsonValue::Literal(raw)
            | JsonValue::Nested(raw) => Some(raw),
            JsonValue::String { raw, escaped: true } => {
                scratch.clear();
                unescape_into(raw, scratch);
                Some(scratch)
            }
            JsonValue::Null => None,
        }
    }

    /// Appends the value's text (decoded string, or JSON text) to `out`; `false` for `null`.
    pub fn append_text(&self, out: &mut Vec<u8>) -> bool {
        match *self {
            JsonValue::String {
                raw,
                escaped: false,
            }
            | JsonValue::Literal(raw) => {
                out.extend_from_slice(raw);
                true
            }
            JsonValue::String { raw, escaped: true } => {
                unescape_into(raw, out);
                true
            }
            JsonValue::Nested(raw) => {
                out.extend_from_slice(raw);
                true
            }
            JsonValue::Null => false,
        }
    }
}

/// A member key as found in a line: the bytes between the quotes, escapes undecoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonKey<'a> {
    /// Raw bytes between the quotes.
    pub raw: &'a [u8],
    /// Whether `raw` holds escapes that [`JsonKey::decoded`] must resolve.
    pub escaped: bool,
}

impl JsonKey<'_> {
    /// The key as text, escapes decoded.
    pub fn decoded(&self) -> String {
        let mut out = Vec::with_capacity(self.raw.len());
        if self.escaped {
            unescape_into(self.raw, &mut out);
        } else {
            out.extend_from_slice(self.raw);
        }
        // The object was validated as UTF-8 and escapes decode to whole characters.
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// Receives the members of one line, in the order the line holds them.
pub trait MemberSink {
    /// One `key: value` member of the current line.
    fn member(&mut self, key: JsonKey<'_>, value: JsonValue<'_>);
}

/// Remembers the keys of the line before, position by position, with what each was resolved
/// to, so that a line repeating them (the lines of one object nearly always do, in the same
/// order) resolves every key with one short byte comparison instead of a lookup.
///
/// In: each line's raw keys in order, with [`KeyMemo::start_line`] before every line. Out:
/// the value remembered for a key at the same position of the previous line, if the key is the
/// same; callers resolve a miss their own way and [`KeyMemo::remember`] the answer.
#[derive(Debug, Clone)]
pub struct KeyMemo<T> {
    previous: Vec<(Box<[u8]>, T)>,
    position: usize,
}

impl<T> Default for KeyMemo<T> {
    fn default() -> Self {
        KeyMemo {
            previous: Vec::new(),
            position: 0,
        }
    }
}

impl<T: Copy> KeyMemo<T> {
    /// A new line begins: keys are matched from its first position again.
    pub fn start_line(&mut self) {
        self.position = 0;
    }

    /// What the key at this position of the line before resolved to, if it was this key. A
    /// hit moves to the next position; after a miss, [`Self::remember`] must follow.
    pub fn recall(&mut self, raw: &[u8]) -> Option<T> {
        let (key, value) = self.previous.get(self.position)?;
        if !same_bytes(key, raw) {
            return None;
        }
        self.position += 1;
        Some(*value)
    }

    /// Records what the key at the current position resolved to, and moves to the next one.
    pub fn remember(&mut self, raw: &[u8], value: T) {
        let entry = (Box::from(raw), value);
        match self.previous.get_mut(self.position) {
            Some(slot) => *slot = entry,
            None => self.previous.push(entry),
        }
        self.position += 1;
    }
}

/// Why a line could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number within the object (blank lines count).
    pub line: usize,
    /// 1-based byte column within the line.
    pub column: usize,
    /// What was wrong, e.g. "expected `:` after an object key".
    pub message: String,
    /// A short excerpt of the line around the fault.
    pub excerpt: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )?;
        if !self.excerpt.is_empty() {
            write!(f, " near `{}`", self.excerpt)?;
        }
        Ok(())
    }
}

/// Whether `a` and `b` hold the same bytes: as `a == b`, without a call into `memcmp` for the
/// short keys of sync objects (up to 16 bytes: two overlapping word compares).
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |bytes: &[u8], at: usize| {
        u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
    };
    let half = |bytes: &[u8], at: usize| {
        u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
    };
    match n {
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

/// A fault inside one line, before the line number is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SyntaxError {
    /// 0-based byte offset within the line.
    offset: usize,
    message: &'static str,
}

type Syntax<T> = Result<T, SyntaxError>;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// Nesting deeper than this is refused rather than risking the stack on hostile input.
const MAX_NESTING: usize = 128;

/// The non-blank lines of one object, with their 1-based line numbers.
///
/// Strips a leading byte-order mark, and surrounding whitespace (so CRLF line ends) from each
/// line. Yields nothing for an empty object.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    rest: &'a [u8],
    line: usize,
}

impl<'a> Lines<'a> {
    /// The lines of `object`.
    pub fn new(object: &'a [u8]) -> Self {
        Lines {
            rest: object.strip_prefix(UTF8_BOM).unwrap_or(object),
            line: 0,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.rest.is_empty() {
            self.line += 1;
            let (line, rest) = match memchr::memchr(b'\n', self.rest) {
                Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            let line = line.trim_ascii();
            if !line.is_empty() {
                return Some((self.line, line));
            }
        }
        None
    }
}

/// Checks that `object` is UTF-8; the error names the line and column of the first bad byte.
pub fn validate_utf8(object: &[u8]) -> Result<(), LineError> {
    // The SIMD check says only whether the bytes are valid; the standard one, run on invalid
    // bytes alone, says where they fail.
    if simdutf8::basic::from_utf8(object).is_ok() {
        return Ok(());
    }
    match std::str::from_utf8(object) {
        Ok(_) => Ok(()),
        Err(e) => {
            let bad = e.valid_up_to();
            let line_start = memchr::memrchr(b'\n', &object[..bad]).map_or(0, |i| i + 1);
            let line = 1 + memchr::memchr_iter(b'\n', &object[..bad]).count();
            let line_end = memchr::memchr(b'\n', &object[bad..]).map_or(object.len(), |i| bad + i);
            Err(LineError {
                line,
                column: bad - line_start + 1,
                message: "invalid UTF-8".to_owned(),
                excerpt: excerpt(&object[line_start..line_end], bad - line_start),
            })
        }
    }
}

/// Parses one (trimmed, non-blank) line as a flat JSON object, handing each member to `sink`.
///
/// `line_no` only labels the error. Members already handed over stay handed over when a later
/// fault is found; callers that must not keep half a line roll back themselves.
pub fn parse_line<S: MemberSink>(
    line: &[u8],
    line_no: usize,
    sink: &mut S,
) -> Result<(), LineError> {
    parse_object(line, sink).map_err(|e| LineError {
        line: line_no,
        column: e.offset + 1,
        message: e.message.to_owned(),
        excerpt: excerpt(line, e.offset),
    })
}

fn parse_object<S: MemberSink>(line: &[u8], sink: &mut S) -> Syntax<()> {
    let quotes = &mut QuoteFinder::new(line);
    let mut p = skip_ws(line, 0);
    if line.get(p) != Some(&b'{') {
        return Err(err(
            p,
            "expected a JSON object (`{`) at the start of the line",
        ));
    }
    p = skip_ws(line, p + 1);
    if line.get(p) == Some(&b'}') {
        p += 1;
    } else {
        loop {
            if line.get(p) != Some(&b'"') {
                return Err(err(p, "expected a quoted object key"));
            }
            let (raw, escaped, after) = scan_string(line, quotes, p + 1)?;
            p = skip_ws(line, after);
            if line.get(p) != Some(&b':') {
                return Err(err(p, "expected `:` after an object key"));
            }
            p = skip_ws(line, p + 1);
            let value = parse_value(line, quotes, &mut p)?;
            sink.member(JsonKey { raw, escaped }, value);
            p = skip_ws(line, p);
            match line.get(p) {
                Some(b',') => p = skip_ws(line, p + 1),
                Some(b'}') => {
                    p += 1;
                    break;
                }
                _ => return Err(err(p, "expected `,` or `}` after an object member")),
            }
        }
    }
    p = skip_ws(line, p);
    if p != line.len() {
        return Err(err(p, "unexpected text after the end of the object"));
    }
    Ok(())
}

fn parse_value<'a>(
    line: &'a [u8],
    quotes: &mut QuoteFinder<'_>,
    p: &mut usize,
) -> Syntax<JsonValue<'a>> {
    let start = *p;
    match line.get(start) {
        Some(b'"') => {
            let (raw, escaped, after) = scan_string(line, quotes, start + 1)?;
            *p = after;
            Ok(JsonValue::String { raw, escaped })
        }
        Some(b'{' | b'[') => {
            skip_container(line, quotes, p, 1)?;
            Ok(JsonValue::Nested(&line[start..*p]))
        }
        Some(_) => {
            let end = scan_scalar(line, start)?;
            *p = end;
            Ok(match &line[start..end] {
                b"null" => JsonValue::Null,
                text => JsonValue::Literal(text),
            })
        }
        None => Err(err(start, "expected a value")),
    }
}

/// Validates and skips a nested object or array starting at `*p`.
fn skip_container(
    line: &[u8],
    quotes: &mut QuoteFinder<'_>,
    p: &mut usize,
    depth: usize,
) -> Syntax<()> {
    if depth > MAX_NESTING {
        return Err(err(*p, "values nested too deeply"));
    }
    let is_object = line[*p] == b'{';
    let close = if is_object { b'}' } else { b']' };
    *p = skip_ws(line, *p + 1);
    if line.get(*p) == Some(&close) {
        *p += 1;
        return Ok(());
    }
    loop {
        if is_object {
            if line.get(*p) != Some(&b'"') {
                return Err(err(*p, "expected a quoted object key"));
            }
            let (_, _, after) = scan_string(line, quotes, *p + 1)?;
            *p = skip_ws(line, after);
            if line.get(*p) != Some(&b':') {
                return Err(err(*p, "expected `:` after an object key"));
            }
            *p = skip_ws(line, *p + 1);
        }
        match line.get(*p) {
            Some(b'{' | b'[') => skip_container(line, quotes, p, depth + 1)?,
            Some(b'"') => *p = scan_string(line, quotes, *p + 1)?.2,
            Some(_) => *p = scan_scalar(line, *p)?,
            None => return Err(err(*p, "expected a value")),
        }
        *p = skip_ws(line, *p);
        match line.get(*p) {
            Some(b',') => *p = skip_ws(line, *p + 1),
            Some(&c) if c == close => {
                *p += 1;
                return Ok(());
            }
            _ if is_object => return Err(err(*p, "expected `,` or `}` in a nested object")),
            _ => return Err(err(*p, "expected `,` or `]` in an array")),
        }
    }
}

/// Scans a number, `true`, `false` or `null` starting at `start`; returns its end.
fn scan_scalar(line: &[u8], start: usize) -> Syntax<usize> {
    for word in [&b"true"[..], b"false", b"null"] {
        if line[start..].starts_with(word) {
            let end = start + word.len();
            return match line.get(end) {
                Some(c) if c.is_ascii_alphanumeric() => Err(err(start, "expected a value")),
                _ => Ok(end),
            };
        }
    }
    scan_number(line, start)
}

/// Scans a JSON number (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`) starting at `start`.
fn scan_number(line: &[u8], start: usize) -> Syntax<usize> {
    let digits = |mut i: usize| {
        while line.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = start;
    if line.get(i) == Some(&b'-') {
        i += 1;
    }
    match line.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(i + 1),
        _ => return Err(err(start, "expected a value")),
    }
    if line.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return Err(err(i + 1, "expected a digit after the decimal point"));
        }
        i = end;
    }
    if matches!(line.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(line.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return Err(err(i, "expected a digit in the exponent"));
        }
        i = end;
    }
    if line
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
    {
        return Err(err(i, "invalid number"));
    }
    Ok(i)
}

/// Scans a string whose opening quote is just before `start`. Returns the bytes between the
/// quotes, whether they hold escapes, and the offset after the closing quote.
///
/// Raw control characters inside strings are accepted (strict JSON forbids them): refusing
/// them would lose data a lenient writer produced, and they cannot break line splitting.
#[inline]
fn scan_string<'a>(
    line: &'a [u8],
    quotes: &mut QuoteFinder<'_>,
    start: usize,
) -> Syntax<(&'a [u8], bool, usize)> {
    match quotes.find(start) {
        Some(end) if line[end] == b'"' => Ok((&line[start..end], false, end + 1)),
        _ => scan_escaped_string(line, quotes, start),
    }
}

/// [`scan_string`] of a string that holds escapes, or is not terminated.
#[inline(never)]
fn scan_escaped_string<'a>(
    line: &'a [u8],
    quotes: &mut QuoteFinder<'_>,
    start: usize,
) -> Syntax<(&'a [u8], bool, usize)> {
    let mut i = start;
    let mut escaped = false;
    loop {
        match quotes.find(i) {
            None => return Err(err(start - 1, "unterminated string")),
            Some(at) => {
                i = at;
                if line[i] == b'"' {
                    return Ok((&line[start..i], escaped, i + 1));
                }
                escaped = true;
                i = scan_escape(line, i)?;
            }
        }
    }
}

/// Finds the quotes and backslashes of one line, a block of 64 bytes at a time: each block is
/// compared whole with SIMD once, into a bit mask, and each search within it is then a mask
/// and a count of trailing zeros, with no loop whose end depends on a string's length (whose
/// mispredicted exits cost more than the compares on lines of short strings).
///
/// In: the line, then offsets to search from that never move back (the parser's never do).
/// Out: the offset of the first `"` or `\` at or after each.
struct QuoteFinder<'a> {
    line: &'a [u8],
    /// The offset of the block `mask` describes (a multiple of 64); `usize::MAX` before the
    /// first search.
    block: usize,
    /// Bit `i` set when byte `block + i` is `"` or `\`.
    mask: u64,
}

impl<'a> QuoteFinder<'a> {
    fn new(line: &'a [u8]) -> Self {
        QuoteFinder {
            line,
            block: usize::MAX,
            mask: 0,
        }
    }

    /// The offset of the first `"` or `\` at or after `from`.
    #[inline]
    fn find(&mut self, from: usize) -> Option<usize> {
        if from & !63 == self.block {
            let found = self.mask & (u64::MAX << (from & 63));
            if found != 0 {
                return Some(self.block + found.trailing_zeros() as usize);
            }
        }
        self.find_from_block(from)
    }

    /// [`Self::find`] when the answer is not in the block last compared.
    #[inline(never)]
    fn find_from_block(&mut self, from: usize) -> Option<usize> {
        let mut block = from & !63;
        let mut skip = from - block;
        loop {
            if block != self.block {
                if block >= self.line.len() {
                    return None;
                }
                self.block = block;
                self.mask = quote_mask(self.line, block);
            }
            let found = self.mask & (u64::MAX << skip);
            if found != 0 {
                return Some(block + found.trailing_zeros() as usize);
            }
            block += 64;
            skip = 0;
        }
    }
}

/// Bit `i` set when byte `start + i` of `line` is `"` or `\`, for the 64 bytes from `start`
/// (bytes past the end of the line count as neither).
fn quote_mask(line: &[u8], start: usize) -> u64 {
    let mask_of = |block: &[u8]| {
        let quote = u8x16::splat(b'"');
        let backslash = u8x16::splat(b'\\');
        block
            .chunks_exact(16)
            .enumerate()
            .fold(0u64, |mask, (i, lanes)| {
                let lanes = u8x16::new(lanes.try_into().expect("16 bytes"));
                let hits = lanes.simd_eq(quote) | lanes.simd_eq(backslash);
                mask | u64::from(hits.to_bitmask()) << (16 * i)
            })
    };
    match line.get(start..start + 64) {
        Some(block) => mask_of(block),
        None => {
            let rest = &line[start..];
            let mut padded = [0u8; 64];
            padded[..rest.len()].copy_from_slice(rest);
            mask_of(&padded)
        }
    }
}

/// Validates the escape sequence at `at` (a backslash); returns the offset after it.
fn scan_escape(line: &[u8], at: usize) -> Syntax<usize> {
    match line.get(at + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
        Some(b'u') => {
            let unit = hex4(line, at + 2).ok_or_else(|| err(at, "invalid `\\u` escape"))?;
            match unit {
                0xD800..=0xDBFF => {
                    let low = (line.get(at + 6) == Some(&b'\\') && line.get(at + 7) == Some(&b'u'))
                        .then(|| hex4(line, at + 8))
                        .flatten();
                    match low {
                        Some(0xDC00..=0xDFFF) => Ok(at + 12),
                        _ => Err(err(at, "unpaired UTF-16 surrogate in `\\u` escape")),
                    }
                }
                0xDC00..=0xDFFF => Err(err(at, "unpaired UTF-16 surrogate in `\\u` escape")),
                _ => Ok(at + 6),
            }
        }
        _ => Err(err(at, "invalid escape sequence")),
    }
}

fn hex4(line: &[u8], at: usize) -> Option<u32> {
    let digits = line.get(at..at + 4)?;
    digits.iter().try_fold(0u32, |acc, &c| {
        let d = (c as char).to_digit(16)?;
        Some(acc * 16 + d)
    })
}

/// Decodes the escapes of a string already validated by [`scan_string`], appending to `out`.
pub fn unescape_into(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'\\', &raw[i..]) {
        out.extend_from_slice(&raw[i..i + off]);
        i += off;
        let simple = match raw[i + 1] {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(0x08),
            b'f' => Some(0x0C),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            i += 2;
            continue;
        }
        // `\uXXXX`, possibly a surrogate pair; validated by `scan_escape`.
        let unit = hex4(raw, i + 2).unwrap_or(0xFFFD);
        let (code, len) = if (0xD800..=0xDBFF).contains(&unit) {
            let low = hex4(raw, i + 8).unwrap_or(0xDC00);
            (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), 12)
        } else {
            (unit, 6)
        };
        let ch = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
        i += len;
    }
    out.extend_from_slice(&raw[i..]);
}

fn skip_ws(line: &[u8], mut p: usize) -> usize {
    while matches!(line.get(p), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        p += 1;
    }
    p
}

fn err(offset: usize, message: &'static str) -> SyntaxError {
    SyntaxError { offset, message }
}

/// Up to 40 bytes of `line` around `offset`, printable.
fn excerpt(line: &[u8], offset: usize) -> String {
    let start = offset.saturating_sub(20);
    let end = (offset + 20).min(line.len());
    String::from_utf8_lossy(&line[start..end])
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects members as (key, text-or-None, kind) for assertions.
    #[derive(Default)]
    struct Collect(Vec<(String, Option<String>, &'static str)>);

    impl MemberSink for Collect {
        fn member(&mut self, key: JsonKey<'_>, value: JsonValue<'_>) {
            let mut text = Vec::new();
            let present = value.append_text(&mut text);
            let kind = match value {
                JsonValue::String { .. } => "string",
                JsonValue::Literal(_) => "literal",
                JsonValue::Null => "null",
                JsonValue::Nested(_) => "nested",
            };
            self.0.push((
                key.decoded(),
                present.then(|| String::from_utf8(text).unwrap()),
                kind,
            ));
        }
    }

    fn members(line: &str) -> Vec<(String, Option<String>, &'static str)> {
        let mut sink = Collect::default();
        parse_line(line.as_bytes(), 1, &mut sink).unwrap();
        sink.0
    }

    fn fault(line: &str) -> LineError {
        parse_line(line.as_bytes(), 7, &mut Collect::default()).unwrap_err()
    }

    fn m(
        key: &str,
        value: Option<&str>,
        kind: &'static str,
    ) -> (String, Option<String>, &'static str) {
        (key.to_owned(), value.map(str::to_owned), kind)
    }

    #[test]
    fn flat_strings_in_order() {
        assert_eq!(
            members(r#"{"Name":"bash","Version":"5.2", "resourceId" : "i-1" }"#),
            vec![
                m("Name", Some("bash"), "string"),
                m("Version", Some("5.2"), "string"),
                m("resourceId", Some("i-1"), "string"),
            ]
        );
    }

    #[test]
    fn empty_object_and_empty_string() {
        assert_eq!(members("{}"), vec![]);
        assert_eq!(members("{ }"), vec![]);
        assert_eq!(
            members(r#"{"InstalledTime":""}"#),
            vec![m("InstalledTime", Some(""), "string")]
        );
    }

    #[test]
    fn non_string_values_keep_their_json_text() {
        assert_eq!(
            members(
                r#"{"a":4711,"b":-0.5e+3,"c":true,"d":false,"e":null,"f":{"x":[1,"}"]},"g":[],"h":0}"#
            ),
            vec![
                m("a", Some("4711"), "literal"),
                m("b", Some("-0.5e+3"), "literal"),
                m("c", Some("true"), "literal"),
                m("d", Some("false"), "literal"),
                m("e", None, "null"),
                m("f", Some(r#"{"x":[1,"}"]}"#), "nested"),
                m("g", Some("[]"), "nested"),
                m("h", Some("0"), "literal"),
            ]
        );
    }

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(
            members(
                r#"{"KeyPath":"HKLM\\SOFTWARE\\Amazon","Title":"say \"hi\"\n\t\/","U":"\u00e9\u20ac\ud83d\ude00","K\u0041":"x"}"#
            ),
            vec![
                m("KeyPath", Some(r"HKLM\SOFTWARE\Amazon"), "string"),
                m("Title", Some("say \"hi\"\n\t/"), "string"),
                m("U", Some("é€😀"), "string"),
                m("KA", Some("x"), "string"),
            ]
        );
    }

    #[test]
    fn non_ascii_text_passes_through() {
        assert_eq!(
            members(r#"{"Name":"Überwachung ✓"}"#),
            vec![m("Name", Some("Überwachung ✓"), "string")]
        );
    }

    #[test]
    fn malformed_lines_name_the_column() {
        let cases: &[(&str, usize, &str)] = &[
            (r#"{"Name" "x"}"#, 9, "expected `:` after an object key"),
            (
                r#"{"Name":"x""#,
                12,
                "expected `,` or `}` after an object member",
            ),
            (
                r#"{"Name":"x"} {"#,
                14,
                "unexpected text after the end of the object",
            ),
            (r#"{"Name":"x"#, 9, "unterminated string"),
            (
                r#"["Name"]"#,
                1,
                "expected a JSON object (`{`) at the start of the line",
            ),
            (
                r#""just a string""#,
                1,
                "expected a JSON object (`{`) at the start of the line",
            ),
            (r#"{Name:"x"}"#, 2, "expected a quoted object key"),
            (r#"{"a":tru}"#, 6, "expected a value"),
            (r#"{"a":01}"#, 7, "invalid number"),
            (r#"{"a":1.}"#, 8, "expected a digit after the decimal point"),
            (r#"{"a":1e}"#, 8, "expected a digit in the exponent"),
            (r#"{"a":"\x"}"#, 7, "invalid escape sequence"),
            (r#"{"a":"\u12"}"#, 7, "invalid `\\u` escape"),
            (
                r#"{"a":"\ud800"}"#,
                7,
                "unpaired UTF-16 surrogate in `\\u` escape",
            ),
            (
                r#"{"a":"\udc00"}"#,
                7,
                "unpaired UTF-16 surrogate in `\\u` escape",
            ),
            (r#"{"a":[1,2}"#, 10, "expected `,` or `]` in an array"),
            (
                r#"{"a":{"b":1]}"#,
                12,
                "expected `,` or `}` in a nested object",
            ),
            (r#"{"a":}"#, 6, "expected a value"),
            (r#"{"a":1,}"#, 8, "expected a quoted object key"),
            ("{", 2, "expected a quoted object key"),
            (r#"{"a":nulls}"#, 6, "expected a value"),
        ];
        for (line, column, message) in cases {
            let e = fault(line);
            assert_eq!(
                (e.line, e.column, e.message.as_str()),
                (7, *column, *message),
                "{line}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let line = format!(r#"{{"a":{}{}}}"#, "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(fault(&line).message, "values nested too deeply");
        let ok = format!(r#"{{"a":{}{}}}"#, "[".repeat(100), "]".repeat(100));
        assert_eq!(members(&ok)[0].2, "nested");
    }

    #[test]
    fn key_memo_recalls_keys_repeated_in_place() {
        let mut memo = KeyMemo::default();
        memo.start_line();
        assert_eq!(memo.recall(b"Name"), None);
        memo.remember(b"Name", 1);
        assert_eq!(memo.recall(b"Version"), None);
        memo.remember(b"Version", 2);
        // The same keys in the same order are recalled.
        memo.start_line();
        assert_eq!(memo.recall(b"Name"), Some(1));
        assert_eq!(memo.recall(b"Version"), Some(2));
        // A key in another position is not; what is remembered replaces it.
        memo.start_line();
        assert_eq!(memo.recall(b"Version"), None);
        memo.remember(b"Version", 2);
        assert_eq!(memo.recall(b"Name"), None);
        memo.remember(b"Name", 1);
        assert_eq!(memo.recall(b"Extra"), None);
        memo.remember(b"Extra", 3);
        memo.start_line();
        assert_eq!(memo.recall(b"Version"), Some(2));
        assert_eq!(memo.recall(b"Name"), Some(1));
        assert_eq!(memo.recall(b"Extra"), Some(3));
    }

    /// The block-at-a-time search finds what a byte-by-byte one finds, wherever the quotes and
    /// backslashes fall (in the first block, across a block's end, in a short last block, or
    /// nowhere) and from wherever successive searches start; with bytes on either side of `"`
    /// and `\\` and non-ASCII bytes around.
    #[test]
    fn quote_search_equals_a_plain_search() {
        let filler = "aé!#[]\u{7f}\u{1}x".as_bytes();
        let plain = |line: &[u8], from: usize| {
            line.get(from..)?
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .map(|off| from + off)
        };
        for len in 0..150 {
            let base: Vec<u8> = filler.iter().copied().cycle().take(len).collect();
            for at in 0..=len {
                for needle in [b'"', b'\\'] {
                    let mut line = base.clone();
                    if at < len {
                        line[at] = needle;
                    }
                    if at + 70 < len {
                        line[at + 70] = b'"';
                    }
                    for from in [0, 1, 7, 9, 63, 64, 65, 130] {
                        let mut quotes = QuoteFinder::new(&line);
                        let mut next = from;
                        loop {
                            let found = quotes.find(next);
                            assert_eq!(found, plain(&line, next), "{line:?} from {next}");
                            match found {
                                Some(at) => next = at + 1,
                                None => break,
                            }
                        }
                    }
                }
            }
        }
    }

    /// The word compare of short keys agrees with `==` at every length, wherever two keys of
    /// one length differ.
    #[test]
    fn same_bytes_equals_slice_equality() {
        for len in 0..40 {
            let a: Vec<u8> = (0..len as u8).map(|i| b'a' + i % 26).collect();
            assert!(same_bytes(&a, &a.clone()));
            if len > 0 {
                assert!(!same_bytes(&a, &a[..len - 1]));
            }
            for at in 0..len {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!same_bytes(&a, &b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn lines_skip_blank_bom_and_crlf() {
        let object = b"\xEF\xBB\xBF{\"a\":\"1\"}\r\n\r\n   \n{\"a\":\"2\"}\r\n{\"a\":\"3\"}";
        let lines: Vec<_> = Lines::new(object).collect();
        assert_eq!(
            lines,
            vec![
                (1, &b"{\"a\":\"1\"}"[..]),
                (4, &b"{\"a\":\"2\"}"[..]),
                (5, &b"{\"a\":\"3\"}"[..])
            ]
        );
        assert_eq!(Lines::new(b"").count(), 0);
        assert_eq!(Lines::new(b"\n\n").count(), 0);
        assert_eq!(Lines::new(b"\xEF\xBB\xBF").count(), 0);
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let object = b"{\"a\":\"1\"}\n{\"a\":\"\xFF\"}\n";
        let e = validate_utf8(object).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (2, 7, "invalid UTF-8")
        );
        assert!(validate_utf8("{\"a\":\"é\"}".as_bytes()).is_ok());
    }

    #[test]
    fn error_display_carries_an_excerpt() {
        let e = fault(r#"{"Name":"openssl" "Version":"3.0"}"#);
        assert_eq!(
            e.to_string(),
            r#"line 7, column 19: expected `,` or `}` after an object member near `{"Name":"openssl" "Version":"3.0"}`"#
        );
        let long = format!(r#"{{"Summary":"{}" "Next":"x"}}"#, "a".repeat(100));
        let e = fault(&long);
        assert_eq!(e.excerpt, format!(r#"{}" "Next":"x"}}"#, "a".repeat(18)));
    }
}
