//! A real S3-compatible server on loopback for tests: moto's server mode, started once per test
//! binary and stopped when the binary exits. Buckets are created per test.
//!
//! moto comes from the tests' Python (see `python`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use futures::{StreamExt, stream};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Starts moto on a free loopback port and stops it when stdin closes (when the test binary
/// exits, whatever the way).
const LAUNCHER: &str = r#"
import socket, sys
from moto.server import ThreadedMotoServer
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print(port, flush=True)
sys.stdin.read()
server.stop()
"#;

/// The running server.
#[derive(Debug)]
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Kept open: the server stops when it closes.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

static SERVER: OnceLock<S3Server> = OnceLock::new();
static BUCKETS: AtomicUsize = AtomicUsize::new(0);

impl S3Server {
    /// The server of this test binary, started on first use.
    pub fn get() -> &'static S3Server {
        SERVER.get_or_init(|| {
            let python = super::python::python_with("moto.server", "moto[server]>=5,<6");
            let mut child = Command::new(&python)
                .args(["-c", LAUNCHER])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start moto with {}: {e}", python.display()));
            let mut line = String::new();
            BufReader::new(child.stdout.take().expect("piped"))
                .read_line(&mut line)
                .expect("moto prints its port");
            let port: u16 = line
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("moto did not start: {line:?}"));
            S3Server {
                endpoint: format!("http://127.0.0.1:{port}"),
                _stdin: Mutex::new(child.stdin.take().expect("piped")),
                _child: Mutex::new(child),
            }
        })
    }

    /// A new empty bucket, named after `purpose`.
    pub fn bucket(&self, purpose: &str) -> String {
        let n = BUCKETS.fetch_add(1, Ordering::Relaxed);
        let name = format!("ssmq-{purpose}-{}-{n}", std::process::id());
        let status = self.request("PUT", &format!("/{name}"), b"");
        assert_eq!(status, 200, "bucket {name} created");
        name
    }

    /// Turns versioning on for `bucket`.
    pub fn enable_versioning(&self, bucket: &str) {
        let body = br#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#;
        let status = self.request("PUT", &format!("/{bucket}?versioning"), body);
        assert_eq!(status, 200, "versioning enabled on {bucket}");
    }

    /// Puts an object anyone may read, as in a public bucket.
    pub fn put_public(&self, bucket: &str, key: &str, body: &[u8]) {
        let target = format!("/{bucket}/{}", key.replace(':', "%3A").replace('=', "%3D"));
        let status = self.request_with("PUT", &target, &["x-amz-acl: public-read"], body);
        assert_eq!(status, 200, "{key} uploaded");
    }

    /// An unsigned request (moto accepts them for buckets); returns the status code.
    pub fn request(&self, method: &str, target: &str, body: &[u8]) -> u16 {
        self.request_with(method, target, &[], body)
    }

    fn request_with(&self, method: &str, target: &str, headers: &[&str], body: &[u8]) -> u16 {
        let address = self.endpoint.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("moto listens");
        let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
        let head = format!(
            "{method} {target} HTTP/1.1\r\nHost: {address}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("an HTTP response: {response}"))
    }
}

/// Uploads every file below `dir` under `prefix`.
pub async fn upload(store: &Arc<dyn ObjectStore>, dir: &std::path::Path, prefix: &str) -> usize {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let count = files.len();
    stream::iter(files.into_iter().map(|file| {
        let key = file
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let key = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}/{key}")
        };
        let store = Arc::clone(store);
        async move {
            let bytes = std::fs::read(&file).unwrap();
            store
                .put(&Path::from(key.as_str()), PutPayload::from(bytes))
                .await
                .unwrap();
        }
    }))
    .buffer_unordered(16)
    .collect::<Vec<()>>()
    .await;
    count
}
