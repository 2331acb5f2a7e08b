//! A loopback HTTP proxy in front of the test S3 server: it logs every request (method, target,
//! the access key the request was signed with) and answers chosen requests with an error
//! instead of forwarding them, to test throttling, failing objects and denied access.
//!
//! One thread per connection; every response closes its connection, which keeps the proxy a
//! plain byte relay.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use super::loopback_http::{RequestHead, percent_decode, s3_error_xml};

/// An error response for requests whose decoded target contains `target_contains`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// `GET` and so on.
    pub method: &'static str,
    /// A fragment of the decoded request target (path and query).
    pub target_contains: String,
    /// HTTP status to answer with.
    pub status: u16,
    /// S3 error code, e.g. `SlowDown`, `AccessDenied`.
    pub code: &'static str,
    /// S3 error message.
    pub message: String,
    /// How many matching requests fail; `None` for all of them.
    pub times: Option<usize>,
}

/// A request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `PUT`, …
    pub method: String,
    /// Path and query, percent-decoded.
    pub target: String,
    /// The access key id in the Authorization header, if signed.
    pub access_key: Option<String>,
    /// Whether the proxy answered with a fault instead of forwarding.
    pub faulted: bool,
}

#[derive(Debug, Default)]
struct State {
    faults: Vec<Fault>,
    seen: Vec<Seen>,
    /// Added before every forwarded request, to make a command slow.
    latency: std::time::Duration,
}

/// The running proxy.
#[derive(Debug, Clone)]
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// A proxy forwarding to `upstream` (`http://host:port`) with these faults.
    pub fn start(upstream: &str, faults: Vec<Fault>) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            faults,
            ..State::default()
        }));
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let shared = Arc::clone(&state);
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (state, upstream) = (Arc::clone(&shared), upstream.clone());
                thread::spawn(move || relay(client, &upstream, &state));
            }
        });
        FaultProxy { endpoint, state }
    }

    /// Delays every forwarded request by `latency`.
    pub fn slow(self, latency: std::time::Duration) -> Self {
        self.state.lock().unwrap().latency = latency;
        self
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

fn relay(client: TcpStream, upstream: &str, state: &Mutex<State>) {
    let mut reader = BufReader::new(client.try_clone().expect("a socket"));
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
            return;
        }
        let end = line == b"\r\n";
        head.extend_from_slice(&line);
        if end {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let request = RequestHead::parse(&text);
    let (method, target) = (request.method.to_owned(), request.target.to_owned());
    let length: usize = request
        .header("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let access_key = request.header("authorization").and_then(|a| {
        let credential = a.split("Credential=").nth(1)?;
        Some(credential.split('/').next()?.to_owned())
    });
    let decoded = percent_decode(&target);

    let fault = {
        let mut state = state.lock().unwrap();
        let fault = state.faults.iter_mut().find(|f| {
            f.method == method
                && decoded.contains(&f.target_contains)
                && f.times.is_none_or(|t| t > 0)
        });
        let fault = fault.map(|f| {
            if let Some(t) = &mut f.times {
                *t -= 1;
            }
            f.clone()
        });
        state.seen.push(Seen {
            method: method.clone(),
            target: decoded,
            access_key,
            faulted: fault.is_some(),
        });
        fault
    };

    let mut client = client;
    if let Some(fault) = fault {
        let xml = s3_error_xml(fault.code, &fault.message, "proxy");
        let response = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
            fault.status,
            fault.code,
            xml.len()
        );
        let _ = client.write_all(response.as_bytes());
        return;
    }

    let latency = state.lock().unwrap().latency;
    thread::sleep(latency);
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    let forwarded: String = text
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let forwarded = forwarded.trim_end().to_owned() + "\r\nConnection: close\r\n\r\n";
    if server.write_all(forwarded.as_bytes()).is_err() || server.write_all(&body).is_err() {
        return;
    }
    let mut response = Vec::new();
    if server.read_to_end(&mut response).is_err() {
        return;
    }
    // Tell the client this connection ends here, whatever the server said.
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |p| p + 4);
    let (head, rest) = response.split_at(split);
    let head = String::from_utf8_lossy(head);
    let head: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\nConnection: close\r\n\r\n";
    let _ = client.write_all(head.as_bytes());
    let _ = client.write_all(rest);
}
