//! Benchmark: syncs from S3 at a distance. The lakes of `benches/lake.rs` are served by an S3
//! endpoint on loopback that answers every request after a fixed first-byte latency (20 ms
//! and 80 ms unless `SSMQ_BENCH_LATENCIES` says otherwise: S3 in the same Region, and across
//! Regions), and the benchmark measures a first full sync and a 1% sync from it, with the
//! requests in flight over time.
//!
//! ```sh
//! SSMQ_BENCH_NODES=10000 SSMQ_BENCH_RUNS=1 cargo bench --bench s3_distance
//! SSMQ_BENCH_LATENCIES=80 SSMQ_BENCH_PROFILES=minimal cargo bench --bench s3_distance
//! ```
//!
//! The endpoint is this file's own: moto is single-threaded Python (it measures itself), and
//! s3s-fs 0.14 walks the whole bucket for every LIST request (a 1% sync of 10k nodes makes
//! about 1,900 of them), so either would measure the server instead of the distance. It
//! answers the requests a sync makes as S3 does: `ListObjectsV2` (prefix, `/` delimiter,
//! continuation tokens, pages of at most 1,000 keys and prefixes, in key order), whole and
//! ranged GETs and HEADs, with `ETag`, `Last-Modified` and `Content-Length`, over HTTP/1.1
//! keep-alive connections, from the lake folder as the bucket (a file is an object). It counts
//! requests by kind and how many are in flight (received, not yet answered), sampled every
//! 20 ms while a step runs. With `SSMQ_BENCH_SLOWDOWN_ABOVE=N` it answers `503 SlowDown` to a
//! request that arrives while N are in flight, as S3 does past a prefix's request rate, which
//! shows ssmq backing off.
//!
//! Each latency's steps run after the same steps without latency (0 ms). For each step it
//! prints the wall time, the requests, the mean and peak in flight and the mean in flight per
//! tenth of the step. The full sync is compared with its bounds: the request bound (GETs ×
//! latency ÷ the most requests ssmq kept in flight) and the same sync without latency (what
//! the requests, decoding and writing cost on this machine, the endpoint sharing its cores:
//! this stands for the bandwidth bound, as loopback has no bandwidth limit of its own); the 1%
//! sync with one sequential pass of LIST requests over the whole bucket at the same latency.
//! The same full sync from the lake's folder, without HTTP, is printed for reference.

#[path = "common/lakes.rs"]
#[allow(dead_code)] // shared with benches/lake.rs, which uses all of it
mod lakes;
#[path = "../tests/common/loopback_http.rs"]
mod loopback_http;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use lakes::{
    FleetProfile, lake_dir, lake_files, node_counts, profiles, put_back, touch_one_percent,
};
use loopback_http::{RequestHead, percent_decode, s3_error_xml};
use ssmq_core::Source;
use ssmq_core::cache::{LakeCache, SyncSummary, sync};
use ssmq_core::lake::read::ReadOptions;
use ssmq_core::source::s3::S3Options;

/// The bucket the endpoint serves the lake as.
const BUCKET: &str = "lake";

/// Keys and prefixes per listing page, as S3's `ListObjectsV2`.
const PAGE_KEYS: usize = 1000;

/// How often the requests in flight are sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);

fn latencies() -> Vec<Duration> {
    std::env::var("SSMQ_BENCH_LATENCIES")
        .unwrap_or_else(|_| "20,80".to_owned())
        .split(',')
        .filter_map(|ms| ms.trim().parse().ok())
        .map(Duration::from_millis)
        .collect()
}

/// Requests in flight past which the endpoint answers `503 SlowDown`, if any.
fn slowdown_above() -> Option<usize> {
    std::env::var("SSMQ_BENCH_SLOWDOWN_ABOVE")
        .ok()
        .and_then(|n| n.parse().ok())
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    for nodes in node_counts() {
        for profile in profiles() {
            runtime.block_on(bench_lake(profile, nodes));
        }
    }
}

async fn bench_lake(profile: FleetProfile, nodes: usize) {
    let dir = lake_dir(profile, nodes);
    let work = tempfile::tempdir().expect("a scratch folder");
    let read = ReadOptions::default();
    println!(
        "\nlake: {} profile, {nodes} nodes; medians of {} runs",
        profile.name(),
        lakes::runs(1)
    );

    // For reference: the same sync from the lake's folder, without HTTP.
    let local = Source::parse(dir.to_str().expect("UTF-8 path")).expect("a directory source");
    let local_cache =
        LakeCache::for_source(&work.path().join("local"), &local, &S3Options::default())
            .expect("a cache");
    let mut local_times = Vec::new();
    for _ in 0..lakes::runs(1) {
        let _ = std::fs::remove_dir_all(local_cache.dir());
        let started = Instant::now();
        sync(&local, &local_cache, &S3Options::default(), &read)
            .await
            .expect("syncs");
        local_times.push(started.elapsed());
    }
    let _ = std::fs::remove_dir_all(local_cache.dir());
    local_times.sort();
    let local_full = local_times[local_times.len() / 2];
    println!(
        "full sync from the lake folder (no HTTP): {:.1} s",
        local_full.as_secs_f64()
    );

    let files = lake_files(&dir);
    let mut originals = HashMap::new();
    let mut round = 0;
    // The sync from the endpoint without latency: what requests, decoding and writing cost on
    // this machine (the endpoint shares its cores), the bound that stands for bandwidth.
    let mut no_distance = None;
    for latency in std::iter::once(Duration::ZERO).chain(latencies()) {
        let endpoint = Endpoint::start(dir.clone(), latency).await;
        let source = Source::parse(&format!("s3://{BUCKET}")).expect("an S3 source");
        let options = S3Options {
            endpoint_url: Some(endpoint.url()),
            region: Some("us-east-1".to_owned()),
            no_sign_request: true,
            ..S3Options::default()
        };
        let cache =
            LakeCache::for_source(&work.path().join("s3"), &source, &options).expect("a cache");
        let ms = latency.as_millis();
        println!(
            "\nfirst-byte latency {ms} ms; ssmq's --max-concurrency {}",
            options.max_concurrency
        );
        let (endpoint, source, cache, options, read) =
            (&endpoint, &source, &cache, &options, &read);

        let full = median_step(|| {
            let _ = std::fs::remove_dir_all(cache.dir());
            endpoint.measure(sync(source, cache, options, read))
        })
        .await;
        full.print(&format!("full sync from S3 at {ms} ms"));
        let without_distance = *no_distance.get_or_insert(full.elapsed);
        let request_bound = latency.mul_f64(full.gets as f64 / full.peak.max(1) as f64);
        let bound = request_bound.max(without_distance);
        println!(
            "  request bound {:.1} s ({} GETs × {ms} ms ÷ {} in flight); without latency {:.1} s; \
             full sync / the larger bound {:.2}",
            request_bound.as_secs_f64(),
            full.gets,
            full.peak,
            without_distance.as_secs_f64(),
            full.elapsed.as_secs_f64() / bound.as_secs_f64()
        );

        let incremental = median_step(|| {
            round += 1;
            touch_one_percent(&files, round, &mut originals);
            endpoint.measure(sync(source, cache, options, read))
        })
        .await;
        incremental.print(&format!("1% sync from S3 at {ms} ms"));
        let sequential = endpoint.sequential_listing().await;
        println!(
            "  one sequential LIST pass over the bucket: {:.1} s ({} pages); 1% sync / that {:.2}",
            sequential.elapsed.as_secs_f64(),
            sequential.lists,
            incremental.elapsed.as_secs_f64() / sequential.elapsed.as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(cache.dir());
    }
    put_back(&originals);
}

/// The run of `step` of median time among `lakes::runs(1)` runs.
async fn median_step<F, Fut>(mut step: F) -> Step
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Step>,
{
    let mut steps = Vec::new();
    for _ in 0..lakes::runs(1) {
        steps.push(step().await);
    }
    steps.sort_by_key(|s| s.elapsed);
    let middle = steps.len() / 2;
    steps.swap_remove(middle)
}

/// What the endpoint saw during one step.
struct Step {
    elapsed: Duration,
    lists: u64,
    gets: u64,
    /// Requests answered `503 SlowDown`.
    slowed: u64,
    /// Requests in flight, every [`SAMPLE_EVERY`].
    samples: Vec<usize>,
    peak: usize,
}

impl Step {
    fn print(&self, name: &str) {
        let busy: Vec<usize> = self.samples.iter().copied().filter(|&n| n > 0).collect();
        let mean = busy.iter().sum::<usize>() as f64 / busy.len().max(1) as f64;
        let mut tenths = String::new();
        let chunk = self.samples.len().div_ceil(10).max(1);
        for part in self.samples.chunks(chunk) {
            let _ = write!(
                tenths,
                " {:.0}",
                part.iter().sum::<usize>() as f64 / part.len() as f64
            );
        }
        println!(
            "{name}: {:.2} s; {} LIST and {} GET requests ({} answered SlowDown); in flight: mean {mean:.0} while any, \
             peak {}; mean per tenth of the sync:{tenths}",
            self.elapsed.as_secs_f64(),
            self.lists,
            self.gets,
            self.slowed,
            self.peak
        );
    }
}

/// The S3 endpoint (see the module documentation).
struct Endpoint {
    address: std::net::SocketAddr,
    counters: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    lists: AtomicU64,
    gets: AtomicU64,
    slowed: AtomicU64,
    in_flight: AtomicUsize,
    slowdown_above: Option<usize>,
}

impl Endpoint {
    /// Serves `root` as the bucket on a free loopback port, answering after `latency`.
    async fn start(root: PathBuf, latency: Duration) -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let address = listener.local_addr().expect("an address");
        let counters = Arc::new(Counters {
            slowdown_above: slowdown_above(),
            ..Counters::default()
        });
        let root = Arc::new(root);
        let shared = Arc::clone(&counters);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let (root, counters) = (Arc::clone(&root), Arc::clone(&shared));
                tokio::spawn(serve_connection(stream, root, latency, counters));
            }
        });
        Endpoint { address, counters }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Runs `work`, sampling the requests in flight, and says what the endpoint saw.
    async fn measure(
        &self,
        work: impl std::future::Future<Output = ssmq_core::Result<SyncSummary>>,
    ) -> Step {
        let (lists, gets, slowed) = self.counts();
        let done = Arc::new(AtomicBool::new(false));
        let sampler = {
            let (done, counters) = (Arc::clone(&done), Arc::clone(&self.counters));
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    samples.push(counters.in_flight.load(Ordering::Relaxed));
                    tokio::time::sleep(SAMPLE_EVERY).await;
                }
                samples
            })
        };
        let started = Instant::now();
        work.await.expect("syncs");
        let elapsed = started.elapsed();
        done.store(true, Ordering::Relaxed);
        let samples = sampler.await.expect("sampled");
        let (lists_after, gets_after, slowed_after) = self.counts();
        Step {
            elapsed,
            lists: lists_after - lists,
            gets: gets_after - gets,
            slowed: slowed_after - slowed,
            peak: samples.iter().copied().max().unwrap_or(0),
            samples,
        }
    }

    fn counts(&self) -> (u64, u64, u64) {
        (
            self.counters.lists.load(Ordering::Relaxed),
            self.counters.gets.load(Ordering::Relaxed),
            self.counters.slowed.load(Ordering::Relaxed),
        )
    }

    /// One listing of the whole bucket, page after page, as a client without parallel
    /// listing makes it.
    async fn sequential_listing(&self) -> Step {
        let store = AmazonS3Builder::new()
            .with_endpoint(self.url())
            .with_allow_http(true)
            .with_virtual_hosted_style_request(false)
            .with_skip_signature(true)
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .build()
            .expect("an S3 client");
        let (lists, gets, slowed) = self.counts();
        let started = Instant::now();
        let listed: Vec<_> = store.list(None).try_collect().await.expect("lists");
        assert!(!listed.is_empty(), "the bucket lists its objects");
        let (lists_after, gets_after, slowed_after) = self.counts();
        Step {
            elapsed: started.elapsed(),
            lists: lists_after - lists,
            gets: gets_after - gets,
            slowed: slowed_after - slowed,
            samples: Vec::new(),
            peak: 1,
        }
    }
}

/// Answers the requests of one connection, each after `latency`, until the client closes it.
async fn serve_connection(
    mut stream: TcpStream,
    root: Arc<PathBuf>,
    latency: Duration,
    counters: Arc<Counters>,
) {
    let mut buffer = Vec::with_capacity(8192);
    loop {
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        buffer.drain(..head_end);
        let before = counters.in_flight.fetch_add(1, Ordering::Relaxed);
        let response = if counters.slowdown_above.is_some_and(|most| before >= most) {
            counters.slowed.fetch_add(1, Ordering::Relaxed);
            error(503, "SlowDown")
        } else {
            answer(&head, &root, &counters).await
        };
        tokio::time::sleep(latency).await;
        let written = stream.write_all(&response).await;
        counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        if written.is_err() {
            return;
        }
    }
}

/// The whole HTTP response to a request head.
async fn answer(head: &str, root: &Path, counters: &Counters) -> Vec<u8> {
    let request = RequestHead::parse(head);
    let (method, target) = (request.method, request.target);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query: HashMap<String, String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (query_decode(k), query_decode(v))
        })
        .collect();
    let path = percent_decode(path);
    let Some(rest) = path.strip_prefix(&format!("/{BUCKET}")) else {
        return error(404, "NoSuchBucket");
    };
    match (method, rest.strip_prefix('/').unwrap_or(rest)) {
        ("GET", "") if query.get("list-type").is_some_and(|t| t == "2") => {
            counters.lists.fetch_add(1, Ordering::Relaxed);
            list(root, &query).await
        }
        ("GET" | "HEAD", key) if !key.is_empty() => {
            if method == "GET" {
                counters.gets.fetch_add(1, Ordering::Relaxed);
            }
            object(root, key, method == "HEAD", request.header("range")).await
        }
        _ => error(400, "InvalidRequest"),
    }
}

/// A `ListObjectsV2` page (see the module documentation).
async fn list(root: &Path, query: &HashMap<String, String>) -> Vec<u8> {
    let prefix = query.get("prefix").cloned().unwrap_or_default();
    let delimited = match query.get("delimiter").map(String::as_str) {
        None | Some("") => false,
        Some("/") => true,
        Some(_) => return error(400, "InvalidArgument"),
    };
    let after: String = [query.get("continuation-token"), query.get("start-after")]
        .into_iter()
        .flatten()
        .max()
        .cloned()
        .unwrap_or_default();
    let max_keys = query
        .get("max-keys")
        .and_then(|m| m.parse().ok())
        .unwrap_or(PAGE_KEYS)
        .min(PAGE_KEYS);
    let (folder, name_start) = match prefix.rfind('/') {
        Some(slash) => (&prefix[..=slash], &prefix[slash + 1..]),
        None => ("", prefix.as_str()),
    };
    let walk = Walk {
        name_start: name_start.to_owned(),
        delimited,
        after,
        wanted: max_keys + 1,
    };
    let (dir, folder) = (root.join(folder), folder.to_owned());
    let page = tokio::task::spawn_blocking(move || {
        let mut page = Vec::new();
        walk.folder(&dir, &folder, true, &mut page);
        page
    })
    .await
    .expect("listed");
    let truncated = page.len() > max_keys;
    let page = &page[..page.len().min(max_keys)];
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
    );
    let _ = write!(
        xml,
        "<Name>{BUCKET}</Name><Prefix>{}</Prefix><KeyCount>{}</KeyCount><MaxKeys>{max_keys}</MaxKeys>\
         <IsTruncated>{truncated}</IsTruncated>",
        escape(&prefix),
        page.len()
    );
    if delimited {
        xml.push_str("<Delimiter>/</Delimiter>");
    }
    if truncated && let Some((last, _)) = page.last() {
        let _ = write!(
            xml,
            "<NextContinuationToken>{}</NextContinuationToken>",
            escape(last)
        );
    }
    for (key, metadata) in page {
        match metadata {
            Some(metadata) => {
                let _ = write!(
                    xml,
                    "<Contents><Key>{}</Key><LastModified>{}</LastModified><ETag>{}</ETag>\
                     <Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
                    escape(key),
                    modified(metadata).format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                    escape(&e_tag(metadata)),
                    metadata.len()
                );
            }
            None => {
                let _ = write!(
                    xml,
                    "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
                    escape(key)
                );
            }
        }
    }
    xml.push_str("</ListBucketResult>");
    response(200, "application/xml", &[], xml.into_bytes(), false)
}

/// One page of a listing: the keys (with their files' metadata) and common prefixes after
/// `after`, in key order, up to `wanted` of them. Folders are walked in key order and left as
/// soon as the page is full, and a folder whose keys all come before `after` is not entered, so
/// a page costs what it holds, not the size of the bucket.
struct Walk {
    /// What the names in the prefix's own folder start with.
    name_start: String,
    delimited: bool,
    after: String,
    wanted: usize,
}

impl Walk {
    fn folder(
        &self,
        dir: &Path,
        key_prefix: &str,
        top: bool,
        page: &mut Vec<(String, Option<std::fs::Metadata>)>,
    ) {
        let Ok(read) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<(String, PathBuf, bool)> = read
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                if top && !name.starts_with(&self.name_start) {
                    return None;
                }
                let folder = entry.path().is_dir();
                let key = format!("{key_prefix}{name}{}", if folder { "/" } else { "" });
                Some((key, entry.path(), folder))
            })
            .collect();
        entries.sort();
        for (key, path, folder) in entries {
            if page.len() >= self.wanted {
                return;
            }
            match folder {
                true if self.delimited => {
                    if key > self.after {
                        page.push((key, None));
                    }
                }
                // Every key below starts with `key`: all come before `after` unless `after`
                // is below it too.
                true if key < self.after && !self.after.starts_with(&key) => {}
                true => self.folder(&path, &key, false, page),
                false if key > self.after => {
                    if let Ok(metadata) = std::fs::metadata(&path) {
                        page.push((key, Some(metadata)));
                    }
                }
                false => {}
            }
        }
    }
}

/// A GET or HEAD of an object, whole or one `bytes=a-b` range of it.
async fn object(root: &Path, key: &str, head_only: bool, range: Option<String>) -> Vec<u8> {
    let path = root.join(key);
    let Ok(metadata) = tokio::fs::metadata(&path).await else {
        return error(404, "NoSuchKey");
    };
    if !metadata.is_file() {
        return error(404, "NoSuchKey");
    }
    let body = if head_only {
        Vec::new()
    } else {
        match tokio::fs::read(&path).await {
            Ok(body) => body,
            Err(_) => return error(404, "NoSuchKey"),
        }
    };
    let mut headers = vec![
        ("ETag".to_owned(), e_tag(&metadata)),
        (
            "Last-Modified".to_owned(),
            modified(&metadata)
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string(),
        ),
        ("Accept-Ranges".to_owned(), "bytes".to_owned()),
    ];
    let size = metadata.len() as usize;
    let range = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
        .and_then(|(start, end)| {
            let start: usize = start.parse().ok()?;
            let end: usize = end
                .parse()
                .map_or(size.saturating_sub(1), |e: usize| e.min(size - 1));
            (start <= end && end < size).then_some((start, end))
        });
    match range {
        Some((start, end)) => {
            headers.push((
                "Content-Range".to_owned(),
                format!("bytes {start}-{end}/{size}"),
            ));
            let body = if head_only {
                Vec::new()
            } else {
                body[start..=end].to_vec()
            };
            response(206, "application/octet-stream", &headers, body, head_only)
        }
        None if head_only => {
            headers.push(("Content-Length".to_owned(), size.to_string()));
            response(200, "application/octet-stream", &headers, body, true)
        }
        None => response(200, "application/octet-stream", &headers, body, false),
    }
}

/// An S3 error response with `code`.
fn error(status: u16, code: &str) -> Vec<u8> {
    let xml = s3_error_xml(code, code, "bench");
    response(status, "application/xml", &[], xml.into_bytes(), false)
}

/// An HTTP/1.1 response; a HEAD's `Content-Length` comes with `headers`.
fn response(
    status: u16,
    content_type: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
    head_only: bool,
) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        400 => "Bad Request",
        503 => "Slow Down",
        _ => "Not Found",
    };
    let mut out = format!("HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n");
    if !head_only {
        let _ = write!(out, "Content-Length: {}\r\n", body.len());
    }
    for (name, value) in headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    out
}

/// An object's ETag: its file's modification time and size, which change when it does.
fn e_tag(metadata: &std::fs::Metadata) -> String {
    let nanos = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("\"{nanos:x}-{:x}\"", metadata.len())
}

fn modified(metadata: &std::fs::Metadata) -> DateTime<Utc> {
    DateTime::<Utc>::from(metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH))
}

/// A query string's name or value decoded (`+` is a space there).
fn query_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
