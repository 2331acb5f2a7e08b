//! The versions a versioned S3 bucket keeps, and the bucket as it stood at a moment of them.
//!
//! In: a bucket, a prefix and how to reach them ([`S3Options`], the [`S3Connection`] opening
//! the bucket settled). Out: [`BucketVersions`], every version and delete marker under the
//! prefix (S3's `ListObjectVersions`, every page, both markers), and [`BucketAt`], an object
//! store that lists the versions current at a moment and reads each by its version id, so
//! that a sync of it sees the bucket as it stood then.
//!
//! object_store lists only current objects, so the listing uses aws-sdk-s3, with the same
//! credential chain, region and endpoint as the store.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::{self, BoxStream, StreamExt};
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions,
};

use crate::error::{Error, Result};
use crate::source::s3::{S3Connection, S3Options, config_loader};

/// One entry of a bucket's version listing: a version of an object, or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectVersion {
    /// The object's key.
    pub key: Path,
    /// S3's id of the version (`null` for one written before versioning was turned on).
    pub version_id: String,
    /// When it was written.
    pub last_modified: DateTime<Utc>,
    /// The version's ETag and size; `None` for a delete marker.
    pub content: Option<(String, u64)>,
}

/// Every version and delete marker under a prefix, in time order (a key's versions written in
/// the same second keep S3's order, oldest first), and the listing requests it took.
#[derive(Debug, Clone, Default)]
pub struct BucketVersions {
    /// The entries, oldest first.
    pub versions: Vec<ObjectVersion>,
    /// `ListObjectVersions` pages requested.
    pub pages: u64,
}

impl BucketVersions {
    /// Lists every version under `prefix` of `bucket`, following both markers page by page.
    pub async fn list(
        bucket: &str,
        prefix: &str,
        options: &S3Options,
        connection: &S3Connection,
    ) -> Result<BucketVersions> {
        let client = version_client(options, connection).await;
        let location = match prefix {
            "" => format!("s3://{bucket}/"),
            prefix => format!("s3://{bucket}/{prefix}/"),
        };
        let mut listed = BucketVersions::default();
        let mut markers: Option<(Option<String>, Option<String>)> = None;
        loop {
            let mut request = client.list_object_versions().bucket(bucket);
            if !prefix.is_empty() {
                request = request.prefix(format!("{prefix}/"));
            }
            if let Some((key, version)) = markers.take() {
                request = request.set_key_marker(key).set_version_id_marker(version);
            }
            let page = request.send().await.map_err(|e| list_error(&location, e))?;
            listed.pages += 1;
            listed.add_page(&page);
            if page.is_truncated() != Some(true) {
                break;
            }
            markers = Some((
                page.next_key_marker().map(str::to_owned),
                page.next_version_id_marker().map(str::to_owned),
            ));
            if markers == Some((None, None)) {
                break;
            }
        }
        listed.versions.sort_by_key(|v| v.last_modified);
        Ok(listed)
    }

    /// Adds a page's versions and delete markers, each key's oldest first (S3 lists a key's
    /// newest first), so that the stable sort by time keeps that order within a second.
    fn add_page(
        &mut self,
        page: &aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput,
    ) {
        let versions = page.versions().iter().map(|v| {
            let content = (
                v.e_tag().unwrap_or_default().to_owned(),
                v.size().unwrap_or(0).max(0) as u64,
            );
            entry(
                v.key(),
                v.version_id(),
                v.is_latest(),
                v.last_modified(),
                Some(content),
            )
        });
        let markers = page.delete_markers().iter().map(|m| {
            entry(
                m.key(),
                m.version_id(),
                m.is_latest(),
                m.last_modified(),
                None,
            )
        });
        let mut entries: Vec<(bool, ObjectVersion)> = versions.chain(markers).flatten().collect();
        // Oldest first per key: by time, and within a second the latest after the others.
        entries.sort_by(|(latest_a, a), (latest_b, b)| {
            (&a.key, a.last_modified, latest_a).cmp(&(&b.key, b.last_modified, latest_b))
        });
        self.versions.extend(entries.into_iter().map(|(_, v)| v));
    }

    /// The objects as they stood at `moment`: per key, the last entry written at or before it,
    /// unless that is a delete marker.
    pub fn at(&self, moment: DateTime<Utc>) -> BTreeMap<Path, &ObjectVersion> {
        let mut objects = BTreeMap::new();
        for version in self
            .versions
            .iter()
            .take_while(|v| v.last_modified <= moment)
        {
            match version.content {
                Some(_) => objects.insert(version.key.clone(), version),
                None => objects.remove(&version.key),
            };
        }
        objects
    }
}

/// A listed version or delete marker (with whether it is the latest), if S3 gave its key and
/// time.
fn entry(
    key: Option<&str>,
    version_id: Option<&str>,
    is_latest: Option<bool>,
    modified: Option<&aws_sdk_s3::primitives::DateTime>,
    content: Option<(String, u64)>,
) -> Option<(bool, ObjectVersion)> {
    let version = ObjectVersion {
        key: object_path(key?),
        version_id: version_id.unwrap_or("null").to_owned(),
        last_modified: time_of(modified?),
        content,
    };
    Some((is_latest == Some(true), version))
}

/// A key as object_store names it.
fn object_path(key: &str) -> Path {
    Path::parse(key).unwrap_or_else(|_| Path::from(key))
}

fn time_of(time: &aws_sdk_s3::primitives::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos()).unwrap_or_default()
}

/// An S3 client for what object_store cannot do, reaching the bucket as the store does.
async fn version_client(options: &S3Options, connection: &S3Connection) -> aws_sdk_s3::Client {
    let mut loader = config_loader(options);
    if options.no_sign_request {
        loader = loader.no_credentials();
    }
    let config = loader.load().await;
    let mut builder = aws_sdk_s3::config::Builder::from(&config)
        .region(aws_sdk_s3::config::Region::new(connection.region.clone()))
        .retry_config(
            aws_sdk_s3::config::retry::RetryConfig::standard()
                .with_max_attempts(options.retries as u32 + 1),
        );
    if let Some(endpoint) = &connection.endpoint {
        builder = builder.endpoint_url(endpoint).force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// A failed `ListObjectVersions`, told apart when S3 refused it.
fn list_error<E, R>(location: &str, error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    let denied = matches!(error.code(), Some("AccessDenied" | "AllAccessDisabled"));
    Error::ListVersions {
        location: location.to_owned(),
        denied,
        source: aws_sdk_s3::error::DisplayErrorContext(error)
            .to_string()
            .into(),
    }
}

/// The bucket as it stood at a moment: lists the versions current then (with their ETags,
/// sizes and modification times) and reads each by its version id from the bucket's store.
/// It only reads.
#[derive(Debug)]
pub struct BucketAt {
    inner: Arc<dyn ObjectStore>,
    moment: DateTime<Utc>,
    /// By key, as text: the objects below a folder are one range of it.
    objects: Arc<BTreeMap<String, ObjectMeta>>,
}

impl BucketAt {
    /// The objects of `versions` at `moment`, read through `inner` (the bucket's store).
    pub fn new(
        inner: Arc<dyn ObjectStore>,
        versions: &BucketVersions,
        moment: DateTime<Utc>,
    ) -> BucketAt {
        let objects = versions
            .at(moment)
            .into_iter()
            .map(|(key, version)| {
                let (e_tag, size) = version.content.clone().unwrap_or_default();
                let meta = ObjectMeta {
                    location: key.clone(),
                    last_modified: version.last_modified,
                    size,
                    e_tag: Some(e_tag),
                    version: Some(version.version_id.clone()),
                };
                (key.to_string(), meta)
            })
            .collect();
        BucketAt {
            inner,
            moment,
            objects: Arc::new(objects),
        }
    }

    /// The objects below `prefix` (whole path segments), in key order: the keys from
    /// `prefix/` on that start with it, not a walk over every object (a sync lists a bucket
    /// folder by folder).
    fn below(&self, prefix: Option<&Path>) -> Box<dyn Iterator<Item = &ObjectMeta> + '_> {
        match prefix.map(Path::as_ref).filter(|p| !p.is_empty()) {
            None => Box::new(self.objects.values()),
            Some(prefix) => {
                let folder = format!("{prefix}/");
                Box::new(
                    self.objects
                        .range(folder.clone()..)
                        .take_while(move |(key, _)| key.starts_with(&folder))
                        .map(|(_, meta)| meta),
                )
            }
        }
    }

    fn read_only() -> object_store::Error {
        object_store::Error::NotImplemented {
            operation: "writing to a bucket's past".to_owned(),
            implementer: "BucketAt".to_owned(),
        }
    }
}

impl fmt::Display for BucketAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BucketAt({}, {})", self.inner, self.moment)
    }
}

#[async_trait]
impl ObjectStore for BucketAt {
    async fn put_opts(
        &self,
        _location: &Path,
        _payload: PutPayload,
        _opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        Err(Self::read_only())
    }

    async fn put_multipart_opts(
        &self,
        _location: &Path,
        _opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        Err(Self::read_only())
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        let Some(meta) = self.objects.get(location.as_ref()) else {
            return Err(object_store::Error::NotFound {
                path: location.to_string(),
                source: format!("no version of it was current at {}", self.moment).into(),
            });
        };
        let options = GetOptions {
            version: meta.version.clone(),
            ..options
        };
        self.inner.get_opts(location, options).await
    }

    async fn get_ranges(
        &self,
        location: &Path,
        ranges: &[Range<u64>],
    ) -> object_store::Result<Vec<Bytes>> {
        let mut parts = Vec::with_capacity(ranges.len());
        for range in ranges {
            let options = GetOptions {
                range: Some(range.clone().into()),
                ..GetOptions::default()
            };
            parts.push(self.get_opts(location, options).await?.bytes().await?);
        }
        Ok(parts)
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        locations.map(|_| Err(BucketAt::read_only())).boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        let listed: Vec<_> = self.below(prefix).cloned().map(Ok).collect();
        stream::iter(listed).boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        let depth = prefix.map_or(0, |p| p.parts().count());
        let mut common_prefixes: Vec<Path> = Vec::new();
        let mut objects = Vec::new();
        for meta in self.below(prefix) {
            let parts: Vec<_> = meta.location.parts().collect();
            if parts.len() == depth + 1 {
                objects.push(meta.clone());
            } else {
                let folder: Path = parts.into_iter().take(depth + 1).collect();
                if common_prefixes.last() != Some(&folder) {
                    common_prefixes.push(folder);
                }
            }
        }
        Ok(ListResult {
            common_prefixes,
            objects,
        })
    }

    async fn copy_opts(
        &self,
        _from: &Path,
        _to: &Path,
        _options: CopyOptions,
    ) -> object_store::Result<()> {
        Err(Self::read_only())
    }

    async fn rename_opts(
        &self,
        _from: &Path,
        _to: &Path,
        _options: RenameOptions,
    ) -> object_store::Result<()> {
        Err(Self::read_only())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, second).unwrap()
    }

    fn version(key: &str, id: &str, second: u32, e_tag: Option<&str>) -> ObjectVersion {
        ObjectVersion {
            key: Path::from(key),
            version_id: id.to_owned(),
            last_modified: at(second),
            content: e_tag.map(|e| (e.to_owned(), 10)),
        }
    }

    fn versions() -> BucketVersions {
        BucketVersions {
            versions: vec![
                version("T/a=1/x.json", "1", 1, Some("\"x1\"")),
                version("T/a=1/y.json", "2", 1, Some("\"y1\"")),
                version("T/a=2/z.json", "3", 2, Some("\"z1\"")),
                version("T/a=1/x.json", "4", 3, Some("\"x2\"")),
                version("T/a=1/y.json", "5", 4, None),
            ],
            pages: 1,
        }
    }

    #[test]
    fn the_bucket_at_a_moment_has_each_key_latest_version_then_unless_deleted() {
        let listed = versions();
        let ids = |moment| -> Vec<String> {
            listed
                .at(moment)
                .values()
                .map(|v| v.version_id.clone())
                .collect()
        };
        assert_eq!(ids(at(0)), Vec::<String>::new());
        assert_eq!(ids(at(1)), ["1", "2"]);
        assert_eq!(ids(at(3)), ["4", "2", "3"]);
        assert_eq!(ids(at(4)), ["4", "3"]);
    }

    #[tokio::test]
    async fn a_bucket_at_a_moment_lists_like_a_store() {
        let store = BucketAt::new(
            Arc::new(object_store::memory::InMemory::new()),
            &versions(),
            at(3),
        );
        let top = store.list_with_delimiter(None).await.unwrap();
        assert_eq!(top.common_prefixes, [Path::from("T")]);
        let folders = store
            .list_with_delimiter(Some(&Path::from("T")))
            .await
            .unwrap();
        assert_eq!(
            folders.common_prefixes,
            [Path::from("T/a=1"), Path::from("T/a=2")]
        );
        let objects: Vec<_> = store
            .list(Some(&Path::from("T/a=1")))
            .map(|m| m.unwrap())
            .collect()
            .await;
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].e_tag.as_deref(), Some("\"x2\""));
        assert_eq!(objects[0].version.as_deref(), Some("4"));
        assert_eq!(objects[0].last_modified, at(3));
        let missing = Path::from("T/a=9/q.json");
        assert!(matches!(
            store.get_opts(&missing, GetOptions::default()).await,
            Err(object_store::Error::NotFound { .. })
        ));
    }
}
