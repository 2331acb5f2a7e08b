//! Metering: an [`ObjectStore`] wrapper that counts what every request costs.
//!
//! In: any store. Out: the same store, counting list calls (delimited or recursive), entries
//! listed, GETs and the bytes they return, timing how long listings and reads were in flight,
//! and, when asked to, recording the location of every request, which is how tests prove that
//! pruned partitions are never listed or read.

use std::fmt;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions, Result,
};

/// The kinds of request metered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestKind {
    /// A listing with a delimiter (one folder level).
    ListDelimited,
    /// A recursive listing.
    List,
    /// A GET of an object or a range.
    Get,
    /// Anything else (writes, copies, deletes).
    Other,
}

/// One recorded request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Request {
    /// What kind.
    pub kind: RequestKind,
    /// The object or prefix it was for (empty for the store's root).
    pub location: String,
}

/// Request counts so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestCounts {
    /// Delimited listings.
    pub list_delimited: u64,
    /// Recursive listings.
    pub list: u64,
    /// Objects and folders the listings returned.
    pub listed: u64,
    /// Wall time with at least one listing in flight.
    pub list_time: Duration,
    /// Wall time with at least one read in flight (until its body is consumed, for streams).
    pub get_time: Duration,
    /// GETs.
    pub get: u64,
    /// Bytes the GETs returned.
    pub get_bytes: u64,
    /// Other requests.
    pub other: u64,
}

impl RequestCounts {
    /// Requests of every kind.
    pub fn total(&self) -> u64 {
        self.list_delimited + self.list + self.get + self.other
    }
}

/// Wall time during which at least one request of a kind was in flight.
#[derive(Debug, Default)]
struct BusyClock {
    state: Mutex<BusyState>,
}

#[derive(Debug, Default)]
struct BusyState {
    in_flight: usize,
    since: Option<Instant>,
    total: Duration,
}

impl BusyClock {
    fn start(self: &Arc<Self>) -> BusyGuard {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.in_flight == 0 {
            state.since = Some(Instant::now());
        }
        state.in_flight += 1;
        BusyGuard(Arc::clone(self))
    }

    fn total(&self) -> Duration {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.total
            + state
                .since
                .filter(|_| state.in_flight > 0)
                .map_or(Duration::ZERO, |s| s.elapsed())
    }
}

/// Ends one request's share of a [`BusyClock`] when dropped.
struct BusyGuard(Arc<BusyClock>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
        state.in_flight -= 1;
        if state.in_flight == 0
            && let Some(since) = state.since.take()
        {
            state.total += since.elapsed();
        }
    }
}

#[derive(Debug, Default)]
struct Meter {
    list_delimited: AtomicU64,
    list: AtomicU64,
    listed: Arc<AtomicU64>,
    list_clock: Arc<BusyClock>,
    get_clock: Arc<BusyClock>,
    get: AtomicU64,
    get_bytes: AtomicU64,
    other: AtomicU64,
    log: Option<Mutex<Vec<Request>>>,
}

impl Meter {
    fn count(&self, kind: RequestKind, location: Option<&Path>) {
        let counter = match kind {
            RequestKind::ListDelimited => &self.list_delimited,
            RequestKind::List => &self.list,
            RequestKind::Get => &self.get,
            RequestKind::Other => &self.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(log) = &self.log {
            let location = location.map(|p| p.to_string()).unwrap_or_default();
            log.lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(Request { kind, location });
        }
    }
}

/// A store that counts its requests; clones share the counts.
#[derive(Debug, Clone)]
pub struct MeteredStore {
    inner: Arc<dyn ObjectStore>,
    meter: Arc<Meter>,
}

impl MeteredStore {
    /// Counts the requests made to `inner`.
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        MeteredStore {
            inner,
            meter: Arc::default(),
        }
    }

    /// Counts, and records every request's location too (for tests and traces).
    pub fn recording(inner: Arc<dyn ObjectStore>) -> Self {
        MeteredStore {
            inner,
            meter: Arc::new(Meter {
                log: Some(Mutex::default()),
                ..Meter::default()
            }),
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> RequestCounts {
        let m = &self.meter;
        RequestCounts {
            list_delimited: m.list_delimited.load(Ordering::Relaxed),
            list: m.list.load(Ordering::Relaxed),
            listed: m.listed.load(Ordering::Relaxed),
            list_time: m.list_clock.total(),
            get_time: m.get_clock.total(),
            get: m.get.load(Ordering::Relaxed),
            get_bytes: m.get_bytes.load(Ordering::Relaxed),
            other: m.other.load(Ordering::Relaxed),
        }
    }

    /// The requests recorded so far, in order; empty unless made with [`Self::recording`].
    pub fn requests(&self) -> Vec<Request> {
        self.meter
            .log
            .as_ref()
            .map(|log| log.lock().unwrap_or_else(|p| p.into_inner()).clone())
            .unwrap_or_default()
    }
}

impl MeteredStore {
    /// A listing stream that counts its entries and keeps the list clock running until it is
    /// done with.
    fn counted(
        &self,
        stream: BoxStream<'static, Result<ObjectMeta>>,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        let listed = Arc::clone(&self.meter.listed);
        let busy = self.meter.list_clock.start();
        holding(stream, busy)
            .inspect(move |entry| {
                if entry.is_ok() {
                    listed.fetch_add(1, Ordering::Relaxed);
                }
            })
            .boxed()
    }
}

/// `stream`, keeping `guard` alive until the stream is dropped.
fn holding<T: Send + 'static>(
    stream: BoxStream<'static, T>,
    guard: BusyGuard,
) -> BoxStream<'static, T> {
    stream
        .map(move |item| {
            let _ = &guard;
            item
        })
        .boxed()
}

impl fmt::Display for MeteredStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Metered({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for MeteredStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.meter.count(RequestKind::Other, Some(location));
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.meter.count(RequestKind::Other, Some(location));
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.meter.count(RequestKind::Get, Some(location));
        let busy = self.meter.get_clock.start();
        let mut result = self.inner.get_opts(location, options).await?;
        self.meter
            .get_bytes
            .fetch_add(result.range.end - result.range.start, Ordering::Relaxed);
        // A streamed body is still being read after this returns: keep the clock running
        // until the stream is done with.
        if let GetResultPayload::Stream(stream) = result.payload {
            result.payload = GetResultPayload::Stream(holding(stream, busy));
        }
        Ok(result)
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        self.meter.count(RequestKind::Get, Some(location));
        let _busy = self.meter.get_clock.start();
        let bytes = self.inner.get_ranges(location, ranges).await?;
        let total: usize = bytes.iter().map(Bytes::len).sum();
        self.meter
            .get_bytes
            .fetch_add(total as u64, Ordering::Relaxed);
        Ok(bytes)
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.meter.count(RequestKind::Other, None);
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.meter.count(RequestKind::List, prefix);
        self.counted(self.inner.list(prefix))
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.meter.count(RequestKind::List, prefix);
        self.counted(self.inner.list_with_offset(prefix, offset))
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.meter.count(RequestKind::ListDelimited, prefix);
        let _busy = self.meter.list_clock.start();
        let listed = self.inner.list_with_delimiter(prefix).await?;
        let entries = listed.objects.len() + listed.common_prefixes.len();
        self.meter
            .listed
            .fetch_add(entries as u64, Ordering::Relaxed);
        Ok(listed)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.meter.count(RequestKind::Other, Some(to));
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.meter.count(RequestKind::Other, Some(to));
        self.inner.rename_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use object_store::ObjectStoreExt;
    use object_store::memory::InMemory;

    #[tokio::test]
    async fn requests_are_counted_and_recorded() {
        let store = MeteredStore::recording(Arc::new(InMemory::new()));
        let key = Path::from("AWS:Tag/accountid=1/region=r/resourcetype=M/i-1.json");
        store
            .put(&key, PutPayload::from_static(b"{}\n"))
            .await
            .unwrap();
        let bytes = store.get(&key).await.unwrap().bytes().await.unwrap();
        assert_eq!(bytes.as_ref(), b"{}\n");
        store
            .list_with_delimiter(Some(&Path::from("AWS:Tag")))
            .await
            .unwrap();
        let listed: Vec<_> = store.list(None).try_collect().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            store.counts(),
            RequestCounts {
                list_delimited: 1,
                list: 1,
                listed: 2,
                get: 1,
                get_bytes: 3,
                other: 1,
                ..store.counts()
            }
        );
        let requests = store.requests();
        let seen: Vec<(RequestKind, &str)> = requests
            .iter()
            .map(|r| (r.kind, r.location.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (RequestKind::Other, key.as_ref()),
                (RequestKind::Get, key.as_ref()),
                (RequestKind::ListDelimited, "AWS:Tag"),
                (RequestKind::List, ""),
            ]
        );
        assert!(
            MeteredStore::new(Arc::new(InMemory::new()))
                .requests()
                .is_empty()
        );
    }
}
