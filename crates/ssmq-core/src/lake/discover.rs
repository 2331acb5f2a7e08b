//! Discovery: from a store and a starting prefix to the objects of each inventory type.
//!
//! In: an [`ObjectStore`] and the prefix the user pointed at (bucket root, sync prefix or one
//! type folder). Out, in two stages:
//! - [`find_layout`]: the sync root, its type folders and each type's `accountid=` folders,
//!   found with a handful of delimited listings;
//! - [`list_type`]: one type's objects within a [`PartitionFilter`], listed level by level
//!   (account, region, then the objects), so partitions outside the filter are never listed.
//!
//! Only `<Type>/accountid=<a>/region=<r>/resourcetype=<rt>/<id>.json` at full depth is
//! inventory ([`parse_sync_key`]); every other entry met is [`Skipped`] with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use object_store::path::Path;
use object_store::{ListResult, ObjectMeta};

use crate::error::{Error, Result};
use crate::source::LakeStore;

/// How many listings run at once.
const LIST_CONCURRENCY: usize = 16;
/// How many folder levels a sync prefix may have below the starting prefix
/// (`a/b/c/AWS:Tag/…` is found from the bucket root).
const MAX_PREFIX_LEVELS: usize = 3;
/// The name the sync gives its probe object, one level above `region=`.
const PROBE_FILE: &str = "test.json";

/// The partition folders of a sync key, in order.
pub const PARTITION_KEYS: [&str; 3] = ["accountid", "region", "resourcetype"];

/// Which accounts and regions to keep: `None` keeps every value of that dimension,
/// `Some(set)` only those in the set (an empty set keeps nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionFilter {
    /// Account ids to keep.
    pub accounts: Option<BTreeSet<String>>,
    /// Regions to keep.
    pub regions: Option<BTreeSet<String>>,
}

impl PartitionFilter {
    /// Keeps only these accounts (`--account`); an empty list keeps every account.
    pub fn with_accounts(mut self, accounts: impl IntoIterator<Item = String>) -> Self {
        let accounts: BTreeSet<String> = accounts.into_iter().collect();
        self.accounts = (!accounts.is_empty()).then_some(accounts);
        self
    }

    /// Keeps only these regions (`--region`); an empty list keeps every region.
    pub fn with_regions(mut self, regions: impl IntoIterator<Item = String>) -> Self {
        let regions: BTreeSet<String> = regions.into_iter().collect();
        self.regions = (!regions.is_empty()).then_some(regions);
        self
    }

    /// What both filters keep.
    pub fn intersect(&self, other: &PartitionFilter) -> PartitionFilter {
        fn both(
            a: &Option<BTreeSet<String>>,
            b: &Option<BTreeSet<String>>,
        ) -> Option<BTreeSet<String>> {
            match (a, b) {
                (None, x) | (x, None) => x.clone(),
                (Some(a), Some(b)) => Some(a.intersection(b).cloned().collect()),
            }
        }
        PartitionFilter {
            accounts: both(&self.accounts, &other.accounts),
            regions: both(&self.regions, &other.regions),
        }
    }

    /// Whether the filter keeps everything.
    pub fn is_all(&self) -> bool {
        self.accounts.is_none() && self.regions.is_none()
    }

    /// Whether the account's partitions are kept.
    pub fn keeps_account(&self, account: &str) -> bool {
        self.accounts.as_ref().is_none_or(|a| a.contains(account))
    }

    /// Whether the region's partitions are kept.
    pub fn keeps_region(&self, region: &str) -> bool {
        self.regions.as_ref().is_none_or(|r| r.contains(region))
    }

    /// Whether a listing within the filter meets `location`: no `accountid=` or `region=`
    /// folder on its way is one the filter leaves out.
    pub fn keeps_location(&self, location: &str) -> bool {
        location.split('/').all(|folder| {
            partition_value(folder, "accountid").is_none_or(|a| self.keeps_account(a))
                && partition_value(folder, "region").is_none_or(|r| self.keeps_region(r))
        })
    }
}

/// The partition values of an object, shared by all objects of one partition.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Partition {
    /// `accountid=` value, kept as text (leading zeros matter).
    pub account_id: String,
    /// `region=` value.
    pub region: String,
    /// `resourcetype=` value, `ManagedInstanceInventory` in every known bucket.
    pub resource_type: String,
}

/// One inventory object: where it is, what listing said of it, and its partition.
#[derive(Debug, Clone)]
pub struct SyncObject {
    /// Full location in the store.
    pub location: Path,
    /// Size in bytes, from the listing.
    pub size: u64,
    /// Last modification, from the listing.
    pub last_modified: DateTime<Utc>,
    /// Entity tag, from the listing, where the store has one.
    pub e_tag: Option<String>,
    /// S3's id of the version, where the listing names one (a bucket's past, as backfill
    /// lists it; a plain listing does not).
    pub version: Option<String>,
    /// Partition values parsed from the key.
    pub partition: Arc<Partition>,
}

/// Why an entry of the store is not inventory.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SkipReason {
    /// The sync's `test.json` probe object.
    Probe,
    /// A file above the `resourcetype=` level.
    TooShallow,
    /// A file below the `resourcetype=` level.
    TooDeep,
    /// A file at full depth whose name does not end in `.json`.
    NotJson,
    /// A folder where a partition folder (`accountid=`, `region=`, `resourcetype=`) belongs.
    NotPartitionFolder,
    /// A file or folder next to the type folders that is not a type folder.
    NotTypeFolder,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::Probe => "the sync's probe object, not inventory",
            SkipReason::TooShallow => "not at full partition depth",
            SkipReason::TooDeep => "below the `resourcetype=` folder",
            SkipReason::NotJson => "not a `.json` object",
            SkipReason::NotPartitionFolder => "not a partition folder of the expected kind",
            SkipReason::NotTypeFolder => "not a type folder (no `accountid=` folders inside)",
        })
    }
}

/// An entry that discovery passed over.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    /// The entry's location (a folder ends in `/`).
    pub location: String,
    /// Why it is not inventory.
    pub reason: SkipReason,
}

/// An `accountid=` folder of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFolder {
    /// The account id, as text.
    pub account_id: String,
    /// The folder.
    pub location: Path,
}

/// A type folder and its account folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeFolder {
    /// The TypeName as the folder spells it, e.g. `AWS:Application`.
    pub type_name: String,
    /// Its `accountid=` folders, sorted.
    pub accounts: Vec<AccountFolder>,
    /// Files and odd folders directly inside it.
    pub skipped: Vec<Skipped>,
}

/// The shape of a lake, before any type is listed in full.
#[derive(Debug, Clone)]
pub struct LakeLayout {
    /// The prefix holding the type folders (empty at the top of the store).
    pub root: Path,
    /// Every type folder, sorted by TypeName.
    pub types: Vec<TypeFolder>,
    /// Entries next to the type folders that are not type folders.
    pub skipped: Vec<Skipped>,
}

impl LakeLayout {
    /// A type folder by TypeName.
    pub fn type_folder(&self, type_name: &str) -> Option<&TypeFolder> {
        self.types.iter().find(|t| t.type_name == type_name)
    }

    /// Every account id any type folder holds.
    pub fn accounts(&self) -> BTreeSet<&str> {
        self.types
            .iter()
            .flat_map(|t| t.accounts.iter().map(|a| a.account_id.as_str()))
            .collect()
    }
}

/// The objects of one type within a filter, and what listing them passed over.
#[derive(Debug, Clone, Default)]
pub struct TypeListing {
    /// The TypeName, e.g. `AWS:Application`.
    pub type_name: String,
    /// Its objects that pass the filter, sorted by location.
    pub objects: Vec<SyncObject>,
    /// Entries below the type folder that are not inventory (in listed partitions only).
    pub skipped: Vec<Skipped>,
    /// Partition folders left unlisted because of the filter.
    pub pruned_partitions: usize,
    /// Every region folder met in the listed accounts, kept or not.
    pub regions_seen: BTreeSet<String>,
}

impl TypeListing {
    /// Distinct accounts among the objects.
    pub fn accounts(&self) -> BTreeSet<&str> {
        self.objects
            .iter()
            .map(|o| o.partition.account_id.as_str())
            .collect()
    }

    /// Distinct regions among the objects.
    pub fn regions(&self) -> BTreeSet<&str> {
        self.objects
            .iter()
            .map(|o| o.partition.region.as_str())
            .collect()
    }

    /// Total size of the objects in bytes.
    pub fn bytes(&self) -> u64 {
        self.objects.iter().map(|o| o.size).sum()
    }
}

/// A key below the sync root, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncKey<'a> {
    /// `AWS:Application`.
    pub type_name: &'a str,
    /// `123456789012`.
    pub account_id: &'a str,
    /// `us-east-1`.
    pub region: &'a str,
    /// `ManagedInstanceInventory`.
    pub resource_type: &'a str,
    /// File name without `.json`: the managed node id.
    pub node_id: &'a str,
}

/// Parses the parts of a key below the sync root, e.g.
/// `["AWS:Tag", "accountid=1", "region=eu-west-1", "resourcetype=ManagedInstanceInventory",
/// "i-1.json"]`. Anything but full depth with the right partition folders is skipped.
pub fn parse_sync_key<'a>(parts: &[&'a str]) -> Result<SyncKey<'a>, SkipReason> {
    match parts.len() {
        3 if parts[2] == PROBE_FILE => return Err(SkipReason::Probe),
        0..=4 => return Err(SkipReason::TooShallow),
        5 => {}
        _ => return Err(SkipReason::TooDeep),
    }
    let type_name = parts[0];
    let account_id =
        partition_value(parts[1], "accountid").ok_or(SkipReason::NotPartitionFolder)?;
    let region = partition_value(parts[2], "region").ok_or(SkipReason::NotPartitionFolder)?;
    let resource_type =
        partition_value(parts[3], "resourcetype").ok_or(SkipReason::NotPartitionFolder)?;
    let node_id = parts[4]
        .strip_suffix(".json")
        .filter(|id| !id.is_empty())
        .ok_or(SkipReason::NotJson)?;
    if type_name.is_empty() {
        return Err(SkipReason::NotTypeFolder);
    }
    Ok(SyncKey {
        type_name,
        account_id,
        region,
        resource_type,
        node_id,
    })
}

/// The value of a `name=value` folder, if the folder has that name and a non-empty value.
pub fn partition_value<'a>(folder: &'a str, name: &str) -> Option<&'a str> {
    folder
        .strip_prefix(name)?
        .strip_prefix('=')
        .filter(|value| !value.is_empty())
}

/// Searches `start` and up to [`MAX_PREFIX_LEVELS`] levels below it for type folders (folders
/// holding `accountid=` folders), and notes each type's account folders. Each folder is
/// listed once.
pub async fn find_layout(store: &LakeStore, start: &Path) -> Result<LakeLayout> {
    let lister = Lister { store };
    let start_listing = lister.list(start).await?;
    if is_type_folder(&start_listing) {
        // The source is one type folder: its parent is the sync root.
        let mut parts: Vec<_> = start.parts().collect();
        let type_name = parts
            .pop()
            .map(|p| p.as_ref().to_owned())
            .unwrap_or_default();
        return Ok(LakeLayout {
            root: Path::from_iter(parts),
            types: vec![type_folder(type_name, &start_listing)],
            skipped: Vec::new(),
        });
    }

    let mut frontier = vec![(start.clone(), start_listing)];
    for _ in 0..=MAX_PREFIX_LEVELS {
        let children: Vec<(Path, Path)> = frontier
            .iter()
            .flat_map(|(parent, listing)| {
                listing
                    .common_prefixes
                    .iter()
                    .map(move |c| (parent.clone(), c.clone()))
            })
            .collect();
        let listings = lister
            .list_all(children.iter().map(|(_, c)| c.clone()).collect())
            .await?;
        let mut roots: BTreeMap<Path, Vec<TypeFolder>> = BTreeMap::new();
        let mut next = Vec::new();
        for ((parent, child), listing) in children.into_iter().zip(listings) {
            if is_type_folder(&listing) {
                let name = child.filename().unwrap_or_default().to_owned();
                roots
                    .entry(parent)
                    .or_default()
                    .push(type_folder(name, &listing));
            } else {
                next.push((child, listing));
            }
        }
        match roots.len() {
            0 => frontier = next,
            1 => {
                let (root, mut types) = roots.into_iter().next().expect("one root");
                types.sort_by(|a, b| a.type_name.cmp(&b.type_name));
                let (_, root_listing) = frontier
                    .iter()
                    .find(|(p, _)| *p == root)
                    .expect("the root was listed");
                let mut skipped = Vec::new();
                skip_files(
                    &root_listing.objects,
                    SkipReason::NotTypeFolder,
                    &mut skipped,
                );
                for (folder, _) in next.iter().filter(|(f, _)| parent_of(f) == root) {
                    skipped.push(skipped_folder(folder, SkipReason::NotTypeFolder));
                }
                skipped.sort();
                return Ok(LakeLayout {
                    root,
                    types,
                    skipped,
                });
            }
            _ => {
                return Err(Error::AmbiguousSyncRoot {
                    location: store.name_prefix(start),
                    candidates: roots.keys().map(display_prefix).collect(),
                });
            }
        }
        if frontier.is_empty() {
            break;
        }
    }
    Err(Error::NoSyncData {
        location: store.name_prefix(start),
    })
}

/// A type folder from its delimited listing.
fn type_folder(type_name: String, listing: &ListResult) -> TypeFolder {
    let mut skipped = Vec::new();
    skip_files(&listing.objects, SkipReason::TooShallow, &mut skipped);
    let mut accounts = Vec::new();
    for folder in &listing.common_prefixes {
        match partition_value(folder.filename().unwrap_or_default(), "accountid") {
            Some(account) => accounts.push(AccountFolder {
                account_id: account.to_owned(),
                location: folder.clone(),
            }),
            None => skipped.push(skipped_folder(folder, SkipReason::NotPartitionFolder)),
        }
    }
    accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    TypeFolder {
        type_name,
        accounts,
        skipped,
    }
}

/// Lists one type's objects within `filter`: its kept account folders, their kept region
/// folders, then every object below those.
pub async fn list_type(
    store: &LakeStore,
    root: &Path,
    folder: &TypeFolder,
    filter: &PartitionFilter,
) -> Result<TypeListing> {
    let lister = Lister { store };
    let mut listing = TypeListing {
        type_name: folder.type_name.clone(),
        skipped: folder.skipped.clone(),
        ..TypeListing::default()
    };
    let accounts: Vec<&AccountFolder> = folder
        .accounts
        .iter()
        .filter(|a| filter.keeps_account(&a.account_id))
        .collect();
    listing.pruned_partitions += folder.accounts.len() - accounts.len();

    let account_listings = lister
        .list_all(accounts.iter().map(|a| a.location.clone()).collect())
        .await?;
    let mut region_folders = Vec::new();
    for account_listing in account_listings {
        for file in &account_listing.objects {
            let reason = if file.location.filename() == Some(PROBE_FILE) {
                SkipReason::Probe
            } else {
                SkipReason::TooShallow
            };
            listing.skipped.push(Skipped {
                location: file.location.to_string(),
                reason,
            });
        }
        for region_folder in account_listing.common_prefixes {
            match partition_value(region_folder.filename().unwrap_or_default(), "region") {
                Some(region) => {
                    listing.regions_seen.insert(region.to_owned());
                    if filter.keeps_region(region) {
                        region_folders.push(region_folder);
                    } else {
                        listing.pruned_partitions += 1;
                    }
                }
                None => listing.skipped.push(skipped_folder(
                    &region_folder,
                    SkipReason::NotPartitionFolder,
                )),
            }
        }
    }

    // Below a region, one recursive listing returns every object with its key.
    let region_objects = lister.list_recursive_all(region_folders).await?;
    listing
        .objects
        .reserve(region_objects.iter().map(Vec::len).sum());
    let mut partitions: BTreeMap<Partition, Arc<Partition>> = BTreeMap::new();
    // Objects come folder by folder: most share the partition of the one before.
    let mut last: Option<Arc<Partition>> = None;
    for meta in region_objects.into_iter().flatten() {
        let parsed = {
            let Some(below_root) = strip_folder(meta.location.as_ref(), root.as_ref()) else {
                continue;
            };
            // A key of more than five parts is too deep, whatever follows.
            let mut parts = [""; 6];
            let mut depth = 0;
            for (slot, part) in parts.iter_mut().zip(below_root.split('/')) {
                *slot = part;
                depth += 1;
            }
            parse_sync_key(&parts[..depth]).map(|key| match &last {
                Some(p)
                    if p.account_id == key.account_id
                        && p.region == key.region
                        && p.resource_type == key.resource_type =>
                {
                    Arc::clone(p)
                }
                _ => {
                    let partition = Partition {
                        account_id: key.account_id.to_owned(),
                        region: key.region.to_owned(),
                        resource_type: key.resource_type.to_owned(),
                    };
                    partitions
                        .entry(partition.clone())
                        .or_insert_with(|| Arc::new(partition))
                        .clone()
                }
            })
        };
        match parsed {
            Ok(shared) => {
                last = Some(Arc::clone(&shared));
                listing.objects.push(SyncObject {
                    location: meta.location,
                    size: meta.size,
                    last_modified: meta.last_modified,
                    e_tag: meta.e_tag,
                    version: meta.version,
                    partition: shared,
                });
            }
            Err(reason) => listing.skipped.push(Skipped {
                location: meta.location.to_string(),
                reason,
            }),
        }
    }
    listing.objects.sort_by(|a, b| a.location.cmp(&b.location));
    listing.skipped.sort();
    Ok(listing)
}

/// `key` below `folder` (both raw locations), if it is below it.
fn strip_folder<'a>(key: &'a str, folder: &str) -> Option<&'a str> {
    if folder.is_empty() {
        return Some(key);
    }
    key.strip_prefix(folder)?.strip_prefix('/')
}

fn is_type_folder(listing: &ListResult) -> bool {
    listing.common_prefixes.iter().any(|p| {
        p.filename()
            .is_some_and(|name| partition_value(name, "accountid").is_some())
    })
}

fn parent_of(path: &Path) -> Path {
    let mut parts: Vec<_> = path.parts().collect();
    parts.pop();
    Path::from_iter(parts)
}

/// A prefix as messages show it: `/` for the top of the store, else with a trailing `/`.
pub fn display_prefix(path: &Path) -> String {
    if path.as_ref().is_empty() {
        "/".to_owned()
    } else {
        format!("{path}/")
    }
}

fn skipped_folder(folder: &Path, reason: SkipReason) -> Skipped {
    Skipped {
        location: display_prefix(folder),
        reason,
    }
}

fn skip_files(files: &[ObjectMeta], reason: SkipReason, skipped: &mut Vec<Skipped>) {
    skipped.extend(files.iter().map(|f| Skipped {
        location: f.location.to_string(),
        reason,
    }));
}

/// Listings with the location named in errors.
struct Lister<'a> {
    store: &'a LakeStore,
}

impl Lister<'_> {
    async fn list(&self, prefix: &Path) -> Result<ListResult> {
        let prefix_arg = (!prefix.as_ref().is_empty()).then_some(prefix);
        self.store
            .store
            .list_with_delimiter(prefix_arg)
            .await
            .map_err(|source| Error::list(self.store.name_prefix(prefix), source))
    }

    /// Every object below `prefix`, at any depth.
    async fn list_recursive(&self, prefix: Path) -> Result<Vec<ObjectMeta>> {
        self.store
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|source| Error::list(self.store.name_prefix(&prefix), source))
    }

    // Both `*_all` build their futures into a Vec before streaming them: a lazy `map` over
    // borrowed items trips rustc's `Send` inference for callers that need `Send` futures
    // (rust-lang/rust#102211).

    /// Lists every prefix with delimiters, concurrently, in the order given.
    async fn list_all(&self, prefixes: Vec<Path>) -> Result<Vec<ListResult>> {
        let listings: Vec<_> = prefixes.into_iter().map(|p| self.list_owned(p)).collect();
        stream::iter(listings)
            .buffered(LIST_CONCURRENCY)
            .try_collect()
            .await
    }

    /// Lists every prefix recursively, concurrently, in the order given.
    async fn list_recursive_all(&self, prefixes: Vec<Path>) -> Result<Vec<Vec<ObjectMeta>>> {
        let listings: Vec<_> = prefixes
            .into_iter()
            .map(|p| self.list_recursive(p))
            .collect();
        stream::iter(listings)
            .buffered(LIST_CONCURRENCY)
            .try_collect()
            .await
    }

    async fn list_owned(&self, prefix: Path) -> Result<ListResult> {
        self.list(&prefix).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> Result<SyncKey<'static>, SkipReason> {
        let leaked: Vec<&'static str> = parts
            .iter()
            .map(|p| &*String::leak((*p).to_owned()))
            .collect();
        parse_sync_key(&leaked)
    }

    const FULL: [&str; 5] = [
        "AWS:Application",
        "accountid=012345678901",
        "region=eu-west-1",
        "resourcetype=ManagedInstanceInventory",
        "i-0abc123def4567890.json",
    ];

    #[test]
    fn full_depth_key_is_parsed() {
        assert_eq!(
            key(&FULL),
            Ok(SyncKey {
                type_name: "AWS:Application",
                account_id: "012345678901",
                region: "eu-west-1",
                resource_type: "ManagedInstanceInventory",
                node_id: "i-0abc123def4567890",
            })
        );
        let hybrid = [
            "Custom:SQLServer",
            "accountid=1",
            "region=r",
            "resourcetype=Other",
            "mi-0123.json",
        ];
        assert_eq!(
            key(&hybrid).map(|k| (k.type_name, k.resource_type, k.node_id)),
            Ok(("Custom:SQLServer", "Other", "mi-0123"))
        );
    }

    #[test]
    fn odd_keys_are_skipped_with_a_reason() {
        let cases: &[(&[&str], SkipReason)] = &[
            (
                &["AWS:InstanceInformation", "accountid=1", "test.json"],
                SkipReason::Probe,
            ),
            (
                &["AWS:Tag", "accountid=1", "region=r", "stray.json"],
                SkipReason::TooShallow,
            ),
            (
                &["AWS:Tag", "accountid=1", "other.json"],
                SkipReason::TooShallow,
            ),
            (&["AWS:Tag", "x.json"], SkipReason::TooShallow),
            (&["README.md"], SkipReason::TooShallow),
            (
                &[
                    "AWS:Tag",
                    "accountid=1",
                    "region=r",
                    "resourcetype=M",
                    "sub",
                    "i-1.json",
                ],
                SkipReason::TooDeep,
            ),
            (
                &[
                    "AWS:Tag",
                    "accountid=1",
                    "region=r",
                    "resourcetype=M",
                    "notes.txt",
                ],
                SkipReason::NotJson,
            ),
            (
                &[
                    "AWS:Tag",
                    "accountid=1",
                    "region=r",
                    "resourcetype=M",
                    ".json",
                ],
                SkipReason::NotJson,
            ),
            (
                &[
                    "AWS:Tag",
                    "accountid=1",
                    "region=r",
                    "resourcetype=M",
                    "i-1.JSON",
                ],
                SkipReason::NotJson,
            ),
            (
                &[
                    "AWS:Tag",
                    "account=1",
                    "region=r",
                    "resourcetype=M",
                    "i-1.json",
                ],
                SkipReason::NotPartitionFolder,
            ),
            (
                &[
                    "AWS:Tag",
                    "accountid=",
                    "region=r",
                    "resourcetype=M",
                    "i-1.json",
                ],
                SkipReason::NotPartitionFolder,
            ),
            (
                &[
                    "AWS:Tag",
                    "accountid=1",
                    "resourcetype=M",
                    "region=r",
                    "i-1.json",
                ],
                SkipReason::NotPartitionFolder,
            ),
            (
                &[
                    "AWS:Tag",
                    "accountid=1",
                    "region=r",
                    "resourcetypes=M",
                    "i-1.json",
                ],
                SkipReason::NotPartitionFolder,
            ),
            (
                &["", "accountid=1", "region=r", "resourcetype=M", "i-1.json"],
                SkipReason::NotTypeFolder,
            ),
        ];
        for (parts, reason) in cases {
            assert_eq!(key(parts), Err(*reason), "{parts:?}");
        }
    }

    fn set(values: &[&str]) -> Option<BTreeSet<String>> {
        Some(values.iter().map(|v| (*v).to_owned()).collect())
    }

    #[test]
    fn filters_intersect_dimension_by_dimension() {
        let cli = PartitionFilter::default().with_accounts(["1".to_owned(), "2".to_owned()]);
        let statement = PartitionFilter {
            accounts: set(&["2", "3"]),
            regions: set(&["eu-west-1"]),
        };
        let both = cli.intersect(&statement);
        assert_eq!(both.accounts, set(&["2"]));
        assert_eq!(both.regions, set(&["eu-west-1"]));
        assert!(both.keeps_account("2") && !both.keeps_account("1"));
        let disjoint = cli.intersect(&PartitionFilter {
            accounts: set(&["9"]),
            regions: None,
        });
        assert_eq!(
            disjoint.accounts,
            set(&[]),
            "nothing in common keeps nothing"
        );
        assert!(!disjoint.keeps_account("1") && !disjoint.keeps_account("9"));
        assert!(
            PartitionFilter::default().is_all() && PartitionFilter::default().keeps_region("x")
        );
        assert_eq!(
            PartitionFilter::default().with_accounts(Vec::new()),
            PartitionFilter::default()
        );
    }

    #[test]
    fn partition_values_keep_their_text() {
        assert_eq!(
            partition_value("accountid=012345678901", "accountid"),
            Some("012345678901")
        );
        assert_eq!(
            partition_value("region=us-gov-west-1", "region"),
            Some("us-gov-west-1")
        );
        assert_eq!(partition_value("region=a=b", "region"), Some("a=b"));
        assert_eq!(partition_value("regions=x", "region"), None);
        assert_eq!(partition_value("region=", "region"), None);
        assert_eq!(partition_value("Region=x", "region"), None);
    }
}
