//! Sources: where a lake lives, and the object store that reads it.
//!
//! In: the `--source` text (a directory, a `file://` URL, an `s3://bucket/prefix` URL) or
//! nothing, and [`S3Options`] for S3. Out: an [`OpenedSource`]: the store, labelled for
//! messages, and the prefix to start discovery at. With no source, the built-in sample lake
//! (`fixtures/sample`, compiled in) is served from memory.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};

use crate::error::{Error, Result};
use crate::source::local::LocalLake;
use crate::source::s3::{S3Connection, S3Options, open_bucket, parse_s3_url};
pub use crate::source::store::LakeStore;

pub mod local;
pub mod metered;
pub mod s3;
mod store;
pub mod versions;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/sample_lake.rs"));
}

/// Where a lake is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local directory: the bucket root, a sync prefix or one type folder.
    Directory {
        /// The directory.
        path: PathBuf,
        /// As the user wrote it, for messages.
        text: String,
    },
    /// An S3 bucket, and a prefix within it (the bucket root, a sync prefix or a type folder).
    S3 {
        /// The bucket.
        bucket: String,
        /// The prefix, without slashes at its ends.
        prefix: String,
    },
    /// The sample lake compiled into the binary.
    BuiltinSample,
}

/// A source ready for discovery.
#[derive(Debug, Clone)]
pub struct OpenedSource {
    /// The store holding the lake.
    pub store: LakeStore,
    /// Where discovery starts within the store.
    pub prefix: Path,
    /// How an S3 bucket was reached, for `-v`.
    pub s3: Option<S3Connection>,
}

impl Source {
    /// Understands `DIR`, `file:///abs/dir`, `file:rel/dir` and `s3://bucket[/prefix]`.
    pub fn parse(text: &str) -> Result<Source> {
        let problem = |problem: &str| Error::Source {
            source_text: text.to_owned(),
            problem: problem.to_owned(),
        };
        if text.trim().is_empty() {
            return Err(problem("is empty"));
        }
        let path = if let Some(rest) = text.strip_prefix("file:") {
            if rest.starts_with("//") {
                let url = url::Url::parse(text)
                    .map_err(|e| problem(&format!("is not a valid file URL ({e})")))?;
                url.to_file_path()
                    .map_err(|()| problem("is not a local file URL (use file:///absolute/path)"))?
            } else {
                PathBuf::from(rest)
            }
        } else if text.starts_with("s3://") {
            let (bucket, prefix) = parse_s3_url(text)?;
            return Ok(Source::S3 { bucket, prefix });
        } else if let Some((scheme, _)) = text.split_once("://") {
            return Err(problem(&format!(
                "has an unsupported scheme `{scheme}://`; give a directory, a file:// URL or an s3:// URL"
            )));
        } else {
            PathBuf::from(text)
        };
        Ok(Source::Directory {
            path,
            text: text.to_owned(),
        })
    }

    /// How messages name the source.
    pub fn describe(&self) -> String {
        match self {
            Source::Directory { text, .. } => format!("`{text}`"),
            Source::S3 { bucket, prefix } if prefix.is_empty() => format!("`s3://{bucket}`"),
            Source::S3 { bucket, prefix } => format!("`s3://{bucket}/{prefix}`"),
            Source::BuiltinSample => "the built-in sample lake".to_owned(),
        }
    }

    /// Opens the store; `s3` says how to reach a bucket.
    pub async fn open(&self, s3: &S3Options) -> Result<OpenedSource> {
        match self {
            Source::Directory { path, text } => {
                let problem = |problem: String| Error::Source {
                    source_text: text.clone(),
                    problem,
                };
                let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => problem("does not exist".to_owned()),
                    _ => problem(format!("cannot be read: {e}")),
                })?;
                if !meta.is_dir() {
                    return Err(problem("is not a directory".to_owned()));
                }
                let store =
                    LocalLake::new(path).map_err(|e| problem(format!("cannot be opened: {e}")))?;
                Ok(OpenedSource {
                    store: LakeStore::new(Arc::new(store), text.as_str()),
                    prefix: Path::default(),
                    s3: None,
                })
            }
            Source::S3 { bucket, prefix } => {
                let (store, connection) = open_bucket(bucket, s3).await?;
                Ok(OpenedSource {
                    store: LakeStore::new(store, format!("s3://{bucket}")),
                    prefix: Path::from(prefix.as_str()),
                    s3: Some(connection),
                })
            }
            Source::BuiltinSample => {
                let store = InMemory::new();
                for (key, bytes) in embedded::SAMPLE_OBJECTS {
                    store
                        .put(&Path::from(*key), PutPayload::from_static(bytes))
                        .await
                        .expect("an in-memory put cannot fail");
                }
                Ok(OpenedSource {
                    store: LakeStore::new(Arc::new(store), ""),
                    prefix: Path::default(),
                    s3: None,
                })
            }
        }
    }
}

/// Number of objects in the built-in sample lake (inventory and skipped alike).
pub fn builtin_sample_files() -> usize {
    embedded::SAMPLE_OBJECTS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_named_where_they_are() {
        let key = Path::from("AWS:Tag/accountid=1/x.json");
        let s3 = LakeStore::new(Arc::new(InMemory::new()), "s3://audit-sync/");
        assert_eq!(s3.name(&key), "s3://audit-sync/AWS:Tag/accountid=1/x.json");
        assert_eq!(s3.name_prefix(&Path::default()), "s3://audit-sync/");
        assert_eq!(
            s3.name_prefix(&Path::from("ResourceDataSync")),
            "s3://audit-sync/ResourceDataSync/"
        );
        let builtin = LakeStore::new(Arc::new(InMemory::new()), "");
        assert_eq!(builtin.name(&key), "AWS:Tag/accountid=1/x.json");
        assert_eq!(builtin.name_prefix(&Path::default()), "/");
    }

    fn dir(text: &str) -> PathBuf {
        match Source::parse(text).unwrap() {
            Source::Directory { path, .. } => path,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn directories_and_file_urls() {
        assert_eq!(dir("fixtures/sample"), PathBuf::from("fixtures/sample"));
        assert_eq!(dir("/data/sync"), PathBuf::from("/data/sync"));
        assert_eq!(
            dir("file:///data/sync%20copy"),
            PathBuf::from("/data/sync copy")
        );
        assert_eq!(dir("file:relative/dir"), PathBuf::from("relative/dir"));
    }

    #[test]
    fn other_schemes_are_refused_clearly() {
        let message = |text: &str| Source::parse(text).unwrap_err().to_string();
        assert_eq!(message(""), "Source `` is empty");
        assert_eq!(
            Source::parse("s3://audit-sync/ResourceDataSync/").unwrap(),
            Source::S3 {
                bucket: "audit-sync".into(),
                prefix: "ResourceDataSync".into()
            }
        );
        assert!(message("s3://Bad_Bucket").contains("does not name a valid bucket"));
        assert!(message("gs://bucket").contains("unsupported scheme `gs://`"));
        assert!(message("file://host/x").contains("not a local file URL"));
    }

    #[tokio::test]
    async fn missing_and_non_directory_sources() {
        let missing = Source::parse("no/such/dir")
            .unwrap()
            .open(&S3Options::default())
            .await
            .unwrap_err();
        assert_eq!(missing.to_string(), "Source `no/such/dir` does not exist");
        let file = Source::parse("Cargo.toml")
            .unwrap()
            .open(&S3Options::default())
            .await
            .unwrap_err();
        assert_eq!(file.to_string(), "Source `Cargo.toml` is not a directory");
    }

    #[tokio::test]
    async fn the_builtin_sample_is_served_from_memory() {
        let opened = Source::BuiltinSample
            .open(&S3Options::default())
            .await
            .unwrap();
        let listed = opened.store.store.list_with_delimiter(None).await.unwrap();
        assert!(
            listed
                .common_prefixes
                .iter()
                .any(|p| p.as_ref() == "AWS:InstanceInformation")
        );
        assert!(builtin_sample_files() > 50);
    }
}
