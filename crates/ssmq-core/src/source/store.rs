//! A lake's object store: the store itself, how messages name its keys, the bytes of objects
//! already fetched, kept so a command fetches each object once, and the version ids a
//! versioned bucket answered reads with.
//!
//! In: an object store and a label. Out: [`LakeStore`], which every stage reads through.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};

/// A lake's object store, and how messages name its keys.
#[derive(Debug, Clone)]
pub struct LakeStore {
    /// The store.
    pub store: Arc<dyn ObjectStore>,
    /// What goes before a key in messages: `s3://bucket`, the directory as the user gave it,
    /// or nothing (the built-in sample).
    pub label: String,
    /// Objects already fetched, kept so they are fetched once.
    fetched: Arc<FetchedBytes>,
    /// The version id each read was answered with, where the store gave one (S3 does for a
    /// versioned bucket).
    versions_read: Arc<Mutex<HashMap<Path, String>>>,
}

impl LakeStore {
    /// A store whose keys messages prefix with `label`.
    pub fn new(store: Arc<dyn ObjectStore>, label: impl Into<String>) -> Self {
        LakeStore {
            store,
            label: label.into().trim_end_matches('/').to_owned(),
            fetched: Arc::default(),
            versions_read: Arc::default(),
        }
    }

    /// The same store, keeping up to `budget` bytes of the objects it fetches.
    pub fn keeping_fetched(mut self, budget: u64) -> Self {
        self.fetched = Arc::new(FetchedBytes::new(budget));
        self
    }

    /// An object's bytes: kept ones if this store fetched them before, else from the store
    /// (and kept while the budget allows).
    pub async fn fetch(&self, location: &Path) -> object_store::Result<Bytes> {
        if let Some(bytes) = self.fetched.get(location) {
            return Ok(bytes);
        }
        let got = self.store.get(location).await?;
        if let Some(version) = got.meta.version.clone() {
            self.versions_read
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(location.clone(), version);
        }
        let bytes = got.bytes().await?;
        self.fetched.keep(location, &bytes);
        Ok(bytes)
    }

    /// The version id the read of `location` was answered with, if this store read it and
    /// the store named one.
    pub fn version_read(&self, location: &Path) -> Option<String> {
        self.versions_read
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(location)
            .cloned()
    }

    /// An object as messages name it: `s3://bucket/key`, `dir/key`.
    pub fn name(&self, key: &Path) -> String {
        match (self.label.is_empty(), key.as_ref().is_empty()) {
            (true, _) => key.to_string(),
            (false, true) => self.label.clone(),
            (false, false) => format!("{}/{key}", self.label),
        }
    }

    /// A prefix as messages name it, ending in `/`.
    pub fn name_prefix(&self, prefix: &Path) -> String {
        format!("{}/", self.name(prefix))
    }
}

/// Object bytes kept after a read, up to a budget, so the scan that follows learning a
/// table's columns (and later statements of a session) do not fetch the same object again.
/// Objects are kept whole or not at all; nothing is evicted, so what is kept stays valid for
/// the session that listed it.
#[derive(Debug, Default)]
pub struct FetchedBytes {
    budget: u64,
    kept: Mutex<(u64, HashMap<Path, Bytes>)>,
}

impl FetchedBytes {
    /// A cache holding at most `budget` bytes; 0 keeps nothing.
    pub fn new(budget: u64) -> Self {
        FetchedBytes {
            budget,
            kept: Mutex::default(),
        }
    }

    fn get(&self, location: &Path) -> Option<Bytes> {
        self.kept
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .get(location)
            .cloned()
    }

    fn keep(&self, location: &Path, bytes: &Bytes) {
        if self.budget == 0 {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let (used, objects) = &mut *kept;
        if *used + bytes.len() as u64 <= self.budget && !objects.contains_key(location) {
            *used += bytes.len() as u64;
            objects.insert(location.clone(), bytes.clone());
        }
    }
}
