//! Writing one flat NDJSON line: PascalCase data keys with string values, then the camelCase
//! `resourceId`, `captureTime` and `schemaVersion` every sync line carries.
//!
//! In: keys and values. Out: bytes appended to a reused buffer, so rendering a node allocates
//! almost nothing. Values are escaped per RFC 8259 (quotes, backslashes of Windows paths,
//! control characters); non-ASCII UTF-8 passes through unchanged, as the agent writes it.

use std::io::Write as _;

/// Appends one JSON line (object + `\n`) to `out`, field by field.
pub(crate) struct LineWriter<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> LineWriter<'a> {
    pub(crate) fn begin(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        LineWriter { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        write_string(self.out, key);
        self.out.push(b':');
    }

    /// A string-valued field, the only kind AWS itself writes.
    pub(crate) fn field(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        write_string(self.out, value);
        self
    }

    /// A count, written as a JSON string as the sync does (`"MissingCount":"5"`).
    pub(crate) fn count(&mut self, key: &str, value: usize) -> &mut Self {
        self.key(key);
        write!(self.out, "\"{value}\"").expect("writing to a Vec cannot fail");
        self
    }

    /// A field whose value is already valid JSON (hand-made custom inventory only).
    pub(crate) fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(json.as_bytes());
        self
    }

    /// Closes the line with the three camelCase keys every sync line carries.
    pub(crate) fn end(&mut self, resource_id: &str, capture_time: &str, schema_version: &str) {
        self.field("resourceId", resource_id);
        self.field("captureTime", capture_time);
        self.field("schemaVersion", schema_version);
        self.out.extend_from_slice(b"}\n");
    }
}

/// Appends `value` as a JSON string literal.
pub(crate) fn write_string(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            write!(out, "\\u{byte:04x}").expect("writing to a Vec cannot fail");
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(value: &str) -> String {
        let mut out = Vec::new();
        write_string(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_what_json_requires() {
        assert_eq!(escaped("plain"), r#""plain""#);
        assert_eq!(
            escaped(r"C:\Program Files\Amazon"),
            r#""C:\\Program Files\\Amazon""#
        );
        assert_eq!(escaped(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(escaped("a\nb\tc\u{1}"), r#""a\nb\tc\u0001""#);
        assert_eq!(escaped("José"), "\"José\"");
    }

    #[test]
    fn writes_a_sync_line() {
        let mut out = Vec::new();
        LineWriter::begin(&mut out)
            .field("Name", "bash")
            .count("Size", 5)
            .end("i-0abc", "2026-05-01T12:00:00Z", "1.0");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"Name\":\"bash\",\"Size\":\"5\",\"resourceId\":\"i-0abc\",\"captureTime\":\"2026-05-01T12:00:00Z\",\"schemaVersion\":\"1.0\"}\n"
        );
    }
}
