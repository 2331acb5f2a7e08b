//! Directory lakes: [`LocalFileSystem`] with listings made for folders of many small files.
//!
//! In: a directory. Out: an [`ObjectStore`] over it that is `LocalFileSystem` for everything
//! but listings. `LocalFileSystem` walks a folder and stats every file by its whole path three
//! times (symlink check, file check, metadata); here each folder is read once and each entry
//! is stat-ed relative to it, which lists a lake of 100,000 objects in a fraction of the time.
//! What is listed is what `LocalFileSystem` lists: the same locations (names taken as they
//! are, as [`PathPart::parse`] takes them), sizes, modification times and ETags (inode,
//! modification time and size), files behind symbolic links followed, broken links and
//! staging files (`name#123`) left out, a folder that does not exist listed as empty.
//!
//! A whole-object GET is also answered here: one open, one read into a buffer of the file's
//! size, in one blocking task (`LocalFileSystem` takes two, and zero-fills the buffer first).
//! Ranges, HEADs and every failure go to `LocalFileSystem`, so errors are its errors.

use std::fmt;
use std::fs::{self, Metadata};
use std::io::{ErrorKind, Read};
use std::ops::Range;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::{self, BoxStream};
use object_store::local::LocalFileSystem;
use object_store::path::{Path, PathPart};
use object_store::{
    Attributes, CopyOptions, GetOptions, GetResult, GetResultPayload, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions,
    Result,
};

/// Folders followed below a listed one at most: bounds a walk through a symbolic link loop.
const MAX_DEPTH: usize = 64;

/// A directory as an object store (see the module documentation).
#[derive(Debug)]
pub struct LocalLake {
    inner: LocalFileSystem,
    root: PathBuf,
}

impl LocalLake {
    /// The store over `root`, which must exist.
    pub fn new(root: &FsPath) -> Result<Self> {
        let inner = LocalFileSystem::new_with_prefix(root)?;
        let root = fs::canonicalize(root).map_err(|e| generic(root, e))?;
        Ok(LocalLake { inner, root })
    }

    /// The folder a prefix names; `None` where `LocalFileSystem` must answer (a prefix it
    /// treats specially).
    fn folder(&self, prefix: Option<&Path>) -> Option<PathBuf> {
        match prefix {
            None => Some(self.root.clone()),
            Some(p) if p.as_ref().is_empty() => Some(self.root.clone()),
            Some(p) => self.inner.path_to_filesystem(p).ok(),
        }
    }
}

impl fmt::Display for LocalLake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalLake({})", self.root.display())
    }
}

fn generic(path: &FsPath, source: std::io::Error) -> object_store::Error {
    object_store::Error::Generic {
        store: "LocalFileSystem",
        source: format!("{}: {source}", path.display()).into(),
    }
}

/// One entry of a folder: its location and what it is (links followed).
enum Entry {
    Folder(PathBuf, Path),
    File(ObjectMeta),
}

/// Reads one folder; a folder that is not there has no entries.
fn read_folder(folder: &FsPath, location: &Path) -> Result<Vec<Entry>> {
    let entries = match fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::NotADirectory => {
            return Ok(Vec::new());
        }
        Err(e) => return Err(generic(folder, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| generic(folder, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(object_store::Error::Generic {
                store: "LocalFileSystem",
                source: format!("{} holds a name that is not UTF-8", folder.display()).into(),
            });
        };
        let part = PathPart::parse(name).map_err(|e| object_store::Error::Generic {
            store: "LocalFileSystem",
            source: format!("{}: {e}", folder.join(name).display()).into(),
        })?;
        let child = location.clone().join(part);
        let file_type = entry.file_type().map_err(|e| generic(&entry.path(), e))?;
        let metadata = if file_type.is_symlink() {
            match fs::metadata(entry.path()) {
                Ok(metadata) => metadata,
                Err(_) => continue, // a broken link
            }
        } else if file_type.is_dir() {
            out.push(Entry::Folder(entry.path(), child));
            continue;
        } else {
            match entry.metadata() {
                Ok(metadata) => metadata,
                Err(e) if e.kind() == ErrorKind::NotFound => continue, // gone meanwhile
                Err(e) => return Err(generic(&entry.path(), e)),
            }
        };
        if metadata.is_dir() {
            out.push(Entry::Folder(entry.path(), child));
        } else if metadata.is_file() && is_object_name(name) {
            out.push(Entry::File(object_meta(child, &metadata)));
        }
    }
    Ok(out)
}

/// Whether `LocalFileSystem` lists a file of this name: not a staging file `name#123`.
fn is_object_name(name: &str) -> bool {
    match name.split_once('#') {
        Some((_, suffix)) if !suffix.is_empty() => !suffix.bytes().all(|b| b.is_ascii_digit()),
        _ => true,
    }
}

/// The listing entry `LocalFileSystem` gives for a file.
fn object_meta(location: Path, metadata: &Metadata) -> ObjectMeta {
    let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let micros = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_micros();
    let size = metadata.len();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(metadata);
    #[cfg(not(unix))]
    let inode = 0u64;
    // As `format!("{inode:x}-{micros:x}-{size:x}")` (without the inode off Unix), which took
    // about 8% of a listing's CPU time.
    let mut e_tag = String::with_capacity(48);
    if cfg!(unix) {
        push_hex(&mut e_tag, u128::from(inode));
        e_tag.push('-');
    }
    push_hex(&mut e_tag, micros);
    e_tag.push('-');
    push_hex(&mut e_tag, u128::from(size));
    ObjectMeta {
        location,
        last_modified: DateTime::<Utc>::from(modified),
        size,
        e_tag: Some(e_tag),
        version: None,
    }
}

/// Appends `n` in lowercase hexadecimal, as `{:x}` formats it.
fn push_hex(out: &mut String, n: u128) {
    let digits = (128 - n.leading_zeros()).div_ceil(4).max(1);
    for digit in (0..digits).rev() {
        out.push(char::from(
            b"0123456789abcdef"[((n >> (digit * 4)) & 0xf) as usize],
        ));
    }
}

/// Every file below `folder`, recursively, in the order of their locations (as S3 lists
/// keys), which spares the listing's callers a sort.
fn walk(folder: PathBuf, location: Path) -> Result<Vec<ObjectMeta>> {
    let mut files = Vec::new();
    // Entries still to visit, the next one last.
    let mut pending = vec![(Entry::Folder(folder, location), 0)];
    while let Some((entry, depth)) = pending.pop() {
        match entry {
            Entry::File(meta) => files.push(meta),
            Entry::Folder(path, location) if depth <= MAX_DEPTH => {
                let mut entries = read_folder(&path, &location)?;
                // Each entry's name follows its folder's location and a `/`.
                let name_at = match location.as_ref().len() {
                    0 => 0,
                    folder => folder + 1,
                };
                entries.sort_by(|a, b| a.order_key(name_at).cmp(b.order_key(name_at)));
                pending.extend(entries.into_iter().rev().map(|entry| (entry, depth + 1)));
            }
            Entry::Folder(..) => {}
        }
    }
    Ok(files)
}

impl Entry {
    /// What orders the entries of a folder as their locations and those of the files below
    /// them order: the name, followed by `/` for a folder (`a/x` comes after `a.json`).
    /// `name_at` is where names start in the folder's locations: searching for it per
    /// comparison (`Path::filename`, or `rfind`) took several percent of a listing.
    fn order_key(&self, name_at: usize) -> impl Iterator<Item = u8> + '_ {
        let (location, folder) = match self {
            Entry::Folder(_, location) => (location, true),
            Entry::File(meta) => (&meta.location, false),
        };
        location.as_ref().as_bytes()[name_at..]
            .iter()
            .copied()
            .chain(folder.then_some(b'/'))
    }
}

/// A whole file and its listing entry, read with one open into a reused buffer of the file's
/// size; `None` when it cannot be read as a file of the size it had when opened.
fn read_whole(path: &FsPath, location: Path) -> Option<(ObjectMeta, Bytes)> {
    let file = fs::File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() {
        return None;
    }
    let size = metadata.len();
    let mut buffer = ReadBuffer::take(usize::try_from(size).ok()?);
    file.take(size).read_to_end(&mut buffer.0).ok()?;
    (buffer.0.len() as u64 == size)
        .then(|| (object_meta(location, &metadata), Bytes::from_owner(buffer)))
}

/// Read buffers whose bytes were dropped, kept for the next reads (at most
/// [`KEPT_BUFFER_BYTES`] in all): a new buffer's pages are faulted in while the kernel copies
/// the file into it, which cost about a sixth of the copying in a cold report over 10,000
/// nodes.
static KEPT_BUFFERS: Mutex<(Vec<Vec<u8>>, usize)> = Mutex::new((Vec::new(), 0));
const KEPT_BUFFER_BYTES: usize = 64 << 20;

/// A buffer that goes back to [`KEPT_BUFFERS`] when the bytes read into it are dropped.
struct ReadBuffer(Vec<u8>);

impl ReadBuffer {
    fn take(size: usize) -> Self {
        let kept = {
            let mut kept = KEPT_BUFFERS.lock().unwrap_or_else(|e| e.into_inner());
            let buffer = kept.0.pop();
            if let Some(buffer) = &buffer {
                kept.1 -= buffer.capacity();
            }
            buffer
        };
        let mut buffer = kept.unwrap_or_default();
        buffer.reserve_exact(size);
        ReadBuffer(buffer)
    }
}

impl AsRef<[u8]> for ReadBuffer {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for ReadBuffer {
    fn drop(&mut self) {
        let mut buffer = std::mem::take(&mut self.0);
        buffer.clear();
        let mut kept = KEPT_BUFFERS.lock().unwrap_or_else(|e| e.into_inner());
        if kept.1 + buffer.capacity() <= KEPT_BUFFER_BYTES {
            kept.1 += buffer.capacity();
            kept.0.push(buffer);
        }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    crate::error::joined(tokio::task::spawn_blocking(work).await)
}

#[async_trait]
impl ObjectStore for LocalLake {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        if options.range.is_some() || options.head {
            return self.inner.get_opts(location, options).await;
        }
        let Ok(path) = self.inner.path_to_filesystem(location) else {
            return self.inner.get_opts(location, options).await;
        };
        let read_location = location.clone();
        let (meta, bytes) = match blocking(move || Ok(read_whole(&path, read_location))).await? {
            Some(read) => read,
            // Missing, a folder, unreadable or changed while read: `LocalFileSystem` answers,
            // with the error it gives.
            None => return self.inner.get_opts(location, options).await,
        };
        options.check_preconditions(&meta)?;
        Ok(GetResult {
            payload: GetResultPayload::Stream(stream::once(async move { Ok(bytes) }).boxed()),
            attributes: Attributes::default(),
            range: 0..meta.size,
            meta,
        })
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        self.inner.get_ranges(location, ranges).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let Some(folder) = self.folder(prefix) else {
            return self.inner.list(prefix);
        };
        let location = prefix.cloned().unwrap_or_default();
        stream::once(blocking(move || walk(folder, location)))
            .flat_map(|listed| match listed {
                Ok(files) => stream::iter(files.into_iter().map(Ok)).boxed(),
                Err(e) => stream::iter([Err(e)]).boxed(),
            })
            .boxed()
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let Some(folder) = self.folder(prefix) else {
            return self.inner.list_with_delimiter(prefix).await;
        };
        let location = prefix.cloned().unwrap_or_default();
        blocking(move || {
            let mut listed = ListResult {
                common_prefixes: Vec::new(),
                objects: Vec::new(),
            };
            for entry in read_folder(&folder, &location)? {
                match entry {
                    Entry::Folder(_, child) => listed.common_prefixes.push(child),
                    Entry::File(meta) => listed.objects.push(meta),
                }
            }
            listed.common_prefixes.sort();
            Ok(listed)
        })
        .await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.inner.rename_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use object_store::ObjectStoreExt;

    fn sorted(mut metas: Vec<ObjectMeta>) -> Vec<ObjectMeta> {
        metas.sort_by(|a, b| a.location.cmp(&b.location));
        metas
    }

    /// Every listing equals `LocalFileSystem`'s over the same folder: names that need
    /// encoding, nested folders, staging files, links, empty and missing folders.
    #[tokio::test]
    async fn listings_equal_local_file_system() {
        for n in [
            0,
            1,
            9,
            10,
            15,
            16,
            255,
            4096,
            u128::from(u64::MAX),
            u128::MAX,
        ] {
            let mut hex = String::new();
            push_hex(&mut hex, n);
            assert_eq!(hex, format!("{n:x}"));
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let partition = root.join("AWS:Tag/accountid=1/region=r/resourcetype=M");
        fs::create_dir_all(&partition).unwrap();
        fs::write(partition.join("i-1.json"), "{}\n").unwrap();
        fs::write(partition.join("i 2 %{x}.json"), "{}\n{}\n").unwrap();
        fs::write(partition.join("upload#12"), "").unwrap();
        fs::write(partition.join("keep#a"), "").unwrap();
        fs::write(root.join("AWS:Tag/test.json"), "").unwrap();
        fs::create_dir_all(root.join("AWS:Tag/accountid=2")).unwrap();
        // Names whose folders and files order differently by name than by location.
        for file in [
            "AWS:Tag/a.json",
            "AWS:Tag/a/x.json",
            "AWS:Tag/a-b/y.json",
            "AWS:Tag/a0",
        ] {
            let file = root.join(file);
            fs::create_dir_all(file.parent().unwrap()).unwrap();
            fs::write(file, "{}\n").unwrap();
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(partition.join("i-1.json"), partition.join("link.json"))
                .unwrap();
            std::os::unix::fs::symlink(root.join("nowhere"), partition.join("broken.json"))
                .unwrap();
        }
        let ours = LocalLake::new(root).unwrap();
        let theirs = LocalFileSystem::new_with_prefix(root).unwrap();
        for prefix in [
            None,
            Some(Path::from("AWS:Tag")),
            Some(Path::from("AWS:Tag/accountid=1/region=r/resourcetype=M")),
            Some(Path::from("AWS:Tag/accountid=2")),
            Some(Path::from("missing")),
        ] {
            let a: Vec<ObjectMeta> = ours.list(prefix.as_ref()).try_collect().await.unwrap();
            let b: Vec<ObjectMeta> = theirs.list(prefix.as_ref()).try_collect().await.unwrap();
            assert!(
                a.is_sorted_by(|x, y| x.location < y.location),
                "in location order: {a:?}"
            );
            assert_eq!(sorted(a), sorted(b), "list {prefix:?}");
            let a = ours.list_with_delimiter(prefix.as_ref()).await.unwrap();
            let b = theirs.list_with_delimiter(prefix.as_ref()).await.unwrap();
            assert_eq!(a.common_prefixes, b.common_prefixes, "prefixes {prefix:?}");
            assert_eq!(sorted(a.objects), sorted(b.objects), "delimited {prefix:?}");
        }
        let all: Vec<ObjectMeta> = ours.list(None).try_collect().await.unwrap();
        assert!(
            all.iter().any(|m| m.location.as_ref().ends_with("keep#a")),
            "{all:?}"
        );
        assert!(
            !all.iter()
                .any(|m| m.location.as_ref().ends_with("upload#12")),
            "{all:?}"
        );
    }

    /// A GET answers what `LocalFileSystem` answers: the same bytes and entry for a file (also
    /// one behind a link, and an empty one), the same ranges, the same errors for a missing
    /// object and a folder, and preconditions honoured.
    #[tokio::test]
    async fn gets_equal_local_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("AWS:Tag/a")).unwrap();
        fs::write(root.join("AWS:Tag/a/i-1.json"), "{\"k\":\"v\"}\n{}\n").unwrap();
        fs::write(root.join("AWS:Tag/a/empty.json"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("AWS:Tag/a/i-1.json"), root.join("AWS:Tag/l.json"))
            .unwrap();
        let ours = LocalLake::new(root).unwrap();
        let theirs = LocalFileSystem::new_with_prefix(root).unwrap();
        for key in [
            "AWS:Tag/a/i-1.json",
            "AWS:Tag/a/empty.json",
            "AWS:Tag/l.json",
        ] {
            if !root.join(key).exists() {
                continue;
            }
            let key = Path::from(key);
            let a = ours.get(&key).await.unwrap();
            let b = theirs.get(&key).await.unwrap();
            assert_eq!(a.meta, b.meta, "{key}");
            assert_eq!(a.range, b.range, "{key}");
            assert_eq!(a.bytes().await.unwrap(), b.bytes().await.unwrap(), "{key}");
        }
        let key = Path::from("AWS:Tag/a/i-1.json");
        let a = ours.get_range(&key, 1..5).await.unwrap();
        assert_eq!(a, theirs.get_range(&key, 1..5).await.unwrap());
        assert_eq!(&a[..], b"\"k\":");
        for key in ["AWS:Tag/missing.json", "AWS:Tag/a"] {
            let a = ours.get(&Path::from(key)).await.unwrap_err();
            let b = theirs.get(&Path::from(key)).await.unwrap_err();
            assert!(
                matches!(a, object_store::Error::NotFound { .. }),
                "{key}: {a}"
            );
            assert_eq!(a.to_string(), b.to_string(), "{key}");
        }
        let etag = ours.head(&key).await.unwrap().e_tag.unwrap();
        let unchanged = GetOptions {
            if_none_match: Some(etag),
            ..GetOptions::default()
        };
        let a = ours.get_opts(&key, unchanged).await.unwrap_err();
        assert!(matches!(a, object_store::Error::NotModified { .. }), "{a}");
    }
}
