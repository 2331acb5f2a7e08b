//! What the loopback HTTP servers of the tests and benchmarks share: an HTTP/1.1 request head
//! read apart, percent-decoding, and the body of an S3 error.
//!
//! In: a request head's text (up to and including its blank line). Out: its method, target
//! and headers; decoded text; S3 error XML.

/// A request's head: its request line and headers.
pub struct RequestHead<'a> {
    /// `GET`, `PUT`, …
    pub method: &'a str,
    /// The request target as sent: path and query, still percent-encoded.
    pub target: &'a str,
    text: &'a str,
}

impl<'a> RequestHead<'a> {
    /// The head in `text`.
    pub fn parse(text: &'a str) -> Self {
        let mut request_line = text.split("\r\n").next().unwrap_or_default().split(' ');
        RequestHead {
            method: request_line.next().unwrap_or_default(),
            target: request_line.next().unwrap_or_default(),
            text,
        }
    }

    /// A header's value, its name matched without regard to case.
    pub fn header(&self, name: &str) -> Option<String> {
        self.text.split("\r\n").skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// `text` with its `%XX` escapes decoded (a `+` stays a `+`).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(value) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The XML body of an S3 error answer.
pub fn s3_error_xml(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
    )
}
