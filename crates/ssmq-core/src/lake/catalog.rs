//! Catalog: the tables a lake holds, named and shaped as Glue and Athena users know them.
//!
//! In: a type's objects (from discovery) and, to learn its columns, their bytes. Out: a
//! [`TableDef`] per type: the table name, and the columns merged over *every* object of the
//! type (not a sample), each a string, followed by the partition columns.
//!
//! Naming rules, as pure functions with their own tests:
//! - table: TypeName lowercased, every character but `[a-z0-9_]` replaced by `_`
//!   (`AWS:Application` → `aws_application`, `Custom:My-App` → `custom_my_app`);
//! - column: the JSON key lowercased, so keys differing only by case (`URL`, `Url`) are one
//!   column; a key that lowercases to a partition column name (`ResourceType` in
//!   `AWS:InstanceInformation`) gets the suffix `_data` (`resourcetype_data`), because the
//!   partition column keeps the plain name, as in Athena after AWS's crawler fix.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use futures::{StreamExt, TryStreamExt, stream};

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result, joined};
use crate::lake::discover::{PARTITION_KEYS, SyncObject, TypeListing};
use crate::lake::documented::documented_keys;
use crate::lake::kept::{KeptColumns, KeptRows, ObjectRows, RowKeeper};
use crate::lake::ndjson::{JsonKey, JsonValue, KeyMemo, MemberSink};
use crate::lake::read::{ReadOptions, ReadReport, fetch, for_each_line};
use crate::source::LakeStore;

/// Appended to a data key's column name when it would collide with a partition column.
pub const COLLISION_SUFFIX: &str = "_data";

/// The Glue/Athena table name of a TypeName.
pub fn table_name(type_name: &str) -> String {
    type_name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The column name of a JSON key.
pub fn column_name(key: &str) -> String {
    let lower = key.to_lowercase();
    if PARTITION_KEYS.contains(&lower.as_str()) {
        format!("{lower}{COLLISION_SUFFIX}")
    } else {
        lower
    }
}

/// Where a column's values come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnSource {
    /// JSON keys of the objects' lines.
    Keys {
        /// Every spelling of the key seen, e.g. `["URL", "Url"]`; empty for a documented key
        /// no object holds.
        spellings: Vec<String>,
        /// How many objects hold the key on at least one line.
        objects: usize,
    },
    /// A partition folder of the object's key.
    Partition,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// The column name.
    pub name: String,
    /// Where its values come from.
    pub source: ColumnSource,
}

/// A table: one inventory type, its name and its merged columns.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// Table name, e.g. `aws_application`.
    pub name: String,
    /// TypeName, e.g. `AWS:Application`.
    pub type_name: String,
    /// Data columns sorted by name, then `accountid`, `region`, `resourcetype`.
    pub columns: Vec<ColumnDef>,
    /// The Arrow schema of `columns`: every column a nullable string.
    pub schema: SchemaRef,
    /// Objects the columns were learnt from.
    pub objects: usize,
    /// Non-blank lines in those objects, malformed ones excluded.
    pub rows: usize,
}

impl TableDef {
    /// Index of the column a JSON key (any spelling) feeds, if the table has it.
    pub fn column_of_key(&self, key: &str) -> Option<usize> {
        let name = column_name(key);
        self.columns
            .iter()
            .position(|c| c.name == name && matches!(c.source, ColumnSource::Keys { .. }))
    }

    /// Whether every data column of `projection` (indices into the columns) is among `kept`.
    pub fn kept_in(&self, kept: &KeptColumns, projection: &[usize]) -> bool {
        projection.iter().all(|&i| {
            let column = &self.columns[i];
            column.source == ColumnSource::Partition || kept.slot_of_column(&column.name).is_some()
        })
    }

    /// Index of a partition column by its name.
    pub fn partition_column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name && c.source == ColumnSource::Partition)
    }
}

/// The distinct keys of one object and how many lines it has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectKeys {
    /// Keys as spelled, escapes decoded; objects with the same keys share one set.
    pub keys: Arc<BTreeSet<String>>,
    /// Non-blank, well-formed lines.
    pub lines: usize,
}

/// Merges the keys of every object of a type into its table definition.
pub fn merge_keys<'a>(
    type_name: &str,
    objects: impl IntoIterator<Item = &'a ObjectKeys>,
) -> TableDef {
    merge_key_groups(type_name, objects.into_iter().map(|o| (o, 1)))
}

/// The same, for groups of objects sharing one set of keys: each group's keys, with its
/// number of objects (its `lines` counting the lines of them all).
pub fn merge_key_groups<'a>(
    type_name: &str,
    groups: impl IntoIterator<Item = (&'a ObjectKeys, usize)>,
) -> TableDef {
    let mut columns: BTreeMap<String, (BTreeSet<String>, usize)> = BTreeMap::new();
    let mut object_count = 0;
    let mut rows = 0;
    for (group, objects) in groups {
        object_count += objects;
        rows += group.lines;
        let mut columns_here = BTreeSet::new();
        for key in group.keys.iter() {
            let name = column_name(key);
            let entry = columns.entry(name.clone()).or_default();
            entry.0.insert(key.clone());
            if columns_here.insert(name) {
                entry.1 += objects;
            }
        }
    }
    for key in documented_keys(type_name) {
        columns.entry(column_name(key)).or_default();
    }
    let mut defs: Vec<ColumnDef> = columns
        .into_iter()
        .map(|(name, (spellings, objects))| ColumnDef {
            name,
            source: ColumnSource::Keys {
                spellings: spellings.into_iter().collect(),
                objects,
            },
        })
        .collect();
    defs.extend(PARTITION_KEYS.iter().map(|name| ColumnDef {
        name: (*name).to_owned(),
        source: ColumnSource::Partition,
    }));
    let schema = Arc::new(Schema::new(
        defs.iter()
            .map(|c| Field::new(&c.name, DataType::Utf8, c.source != ColumnSource::Partition))
            .collect::<Vec<_>>(),
    ));
    TableDef {
        name: table_name(type_name),
        type_name: type_name.to_owned(),
        columns: defs,
        schema,
        objects: object_count,
        rows,
    }
}

/// Reads every object of a type and merges their keys into the table definition; with
/// `keep`, also keeps those columns' rows (see [`crate::lake::kept`]), `None` when they grew
/// past their budget.
///
/// Each object is read and parsed in a task of its own, so parsing runs on every worker thread
/// rather than on the one polling this future.
pub async fn infer_table(
    store: &LakeStore,
    listing: &TypeListing,
    options: &ReadOptions,
    report: &Arc<ReadReport>,
    keep: Option<Arc<KeptColumns>>,
) -> Result<(TableDef, Option<KeptRows>)> {
    let (store, options, report) = (store.clone(), options.clone(), Arc::clone(report));
    let concurrency = options.read_concurrency.max(1);
    // Set once the kept rows are given up, so the objects after that are not kept.
    let keeping = Arc::new(AtomicBool::new(keep.is_some()));
    let task_keep = keep.clone();
    let task_keeping = Arc::clone(&keeping);
    // Tasks are spawned as the stream is polled, so at most `concurrency` objects are in flight.
    let reads = stream::iter(listing.objects.clone()).map(move |object| {
        let (store, options, report) = (store.clone(), options.clone(), Arc::clone(&report));
        let keep = task_keep
            .clone()
            .filter(|_| task_keeping.load(Ordering::Relaxed));
        tokio::spawn(async move {
            let learnt = learn_object(&store, &object, &options, &report, keep).await?;
            Ok::<_, Error>((object.location, learnt))
        })
    });
    // Objects sharing a set of keys are counted together as they arrive: memory grows with
    // the distinct sets, not with the objects.
    let mut kept = keep.map(|columns| KeptRows::new(columns, listing.objects.len()));
    let groups = reads
        .buffered(concurrency)
        .map(joined)
        .try_fold(
            KeyGroups::default(),
            |mut groups, (location, (keys, rows))| {
                if let Some(kept) = kept.as_mut() {
                    kept.add(location, rows);
                    if !kept.keeping() {
                        keeping.store(false, Ordering::Relaxed);
                    }
                }
                groups.add(keys);
                async move { Ok(groups) }
            },
        )
        .await?
        .into_groups();
    let def = merge_key_groups(
        &listing.type_name,
        groups.iter().map(|(keys, objects)| (keys, *objects)),
    );
    Ok((def, kept.and_then(KeptRows::finish)))
}

/// The distinct key sets of objects, each kept once with how many objects have it and their
/// lines: memory grows with the distinct sets, not with the objects. The one key-set interner:
/// the cache's manifest keeps its sets through it too.
#[derive(Debug, Default)]
pub struct KeyGroups {
    index: HashMap<Arc<BTreeSet<String>>, usize>,
    /// Each set in order of first appearance, with the lines of its objects and their number.
    groups: Vec<(ObjectKeys, usize)>,
}

impl KeyGroups {
    /// The index of the set `keys` in [`Self::into_groups`], added with no objects if new.
    pub fn intern(&mut self, keys: Arc<BTreeSet<String>>) -> usize {
        if let Some(&index) = self.index.get(&keys) {
            return index;
        }
        let index = self.groups.len();
        self.index.insert(Arc::clone(&keys), index);
        self.groups.push((ObjectKeys { keys, lines: 0 }, 0));
        index
    }

    /// Counts an object's keys; returns the index of its set in [`Self::into_groups`].
    pub fn add(&mut self, keys: ObjectKeys) -> usize {
        let index = self.intern(keys.keys);
        let (set, objects) = &mut self.groups[index];
        set.lines += keys.lines;
        *objects += 1;
        index
    }

    /// Each set, in order of first appearance, with the lines of all its objects and how
    /// many objects have it.
    pub fn into_groups(self) -> Vec<(ObjectKeys, usize)> {
        self.groups
    }
}

/// Reads one object and collects its keys.
pub(crate) async fn object_keys(
    store: &LakeStore,
    object: &SyncObject,
    options: &ReadOptions,
    report: &ReadReport,
) -> Result<ObjectKeys> {
    Ok(learn_object(store, object, options, report, None).await?.0)
}

/// Reads one object and collects its keys, keeping the rows of `keep`'s columns when given
/// (`None` rows: a column of it had too many distinct values).
async fn learn_object(
    store: &LakeStore,
    object: &SyncObject,
    options: &ReadOptions,
    report: &ReadReport,
    keep: Option<Arc<KeptColumns>>,
) -> Result<(ObjectKeys, Option<ObjectRows>)> {
    let Some(bytes) = fetch(store, object, options, report).await? else {
        // Unreadable, skipped and recorded: no rows, as the scan would find.
        let rows = keep.and_then(|columns| RowKeeper::new(columns).finish());
        return Ok((ObjectKeys::default(), rows));
    };
    let name = store.name(&object.location);
    match keep {
        None => Ok((keys_of(&name, &bytes, options, report)?, None)),
        Some(keep) => keys_and_rows_of(&name, &bytes, options, report, keep),
    }
}

/// The keys and lines of an object's bytes; `name` names the object in faults.
pub fn keys_of(
    name: &str,
    bytes: &[u8],
    options: &ReadOptions,
    report: &ReadReport,
) -> Result<ObjectKeys> {
    Ok(collect(name, bytes, options, report, None)?.0)
}

/// The keys and lines of an object's bytes, as [`keys_of`], and the rows of `keep`'s columns
/// (`None` rows: a column of it had too many distinct values).
pub fn keys_and_rows_of(
    name: &str,
    bytes: &[u8],
    options: &ReadOptions,
    report: &ReadReport,
    keep: Arc<KeptColumns>,
) -> Result<(ObjectKeys, Option<ObjectRows>)> {
    collect(name, bytes, options, report, Some(keep))
}

thread_local! {
    /// Each thread's collector, reused from object to object: the keys, key sets and buffers
    /// of one object are mostly those of the one before.
    static COLLECTOR: RefCell<KeyCollector> = RefCell::new(KeyCollector::default());
}

/// Parses every line of an object on this thread's collector: its keys and lines and, with
/// `keep`, its kept rows (`None` without `keep`, or when a column had too many distinct
/// values).
fn collect(
    name: &str,
    bytes: &[u8],
    options: &ReadOptions,
    report: &ReadReport,
    keep: Option<Arc<KeptColumns>>,
) -> Result<(ObjectKeys, Option<ObjectRows>)> {
    COLLECTOR.with_borrow_mut(|collector| {
        collector.start_object(keep);
        let lines = for_each_line(name, bytes, options, report, |line, line_no| {
            collector.seen.start_line();
            if let Some(keeper) = collector.keeper.as_mut() {
                keeper.start_line(line_no);
            }
            let parsed = crate::lake::ndjson::parse_line(line, line_no, collector);
            if let Some(keeper) = collector.keeper.as_mut() {
                match parsed {
                    Ok(()) => keeper.finish_row(),
                    Err(_) => keeper.abort_row(),
                }
            }
            parsed
        })?;
        let keys = ObjectKeys {
            keys: collector.key_set(),
            lines,
        };
        let rows = collector.keeper.as_ref().and_then(RowKeeper::finish);
        Ok((keys, rows))
    })
}

/// Collects an object's distinct keys, and keeps rows when it has a keeper; a malformed line
/// may leave keys of its first members behind, which only widens the schema by a column that
/// holds no values.
///
/// It lives on from object to object (one per thread, [`COLLECTOR`]): every raw key spelling
/// met gets an id, with its decoded text and kept slot, so an object costs the ids it has, and
/// a set of ids met before gives back the same shared key set without building it again.
#[derive(Default)]
struct KeyCollector {
    /// Each raw spelling met, by id.
    ids: hashbrown::HashMap<Box<[u8]>, u32>,
    /// Per id: the key decoded, its kept slot, and the last object that had it.
    keys: Vec<KnownKey>,
    /// Keys of the line before, by id: lines repeat them, so most are known without a lookup.
    seen: KeyMemo<u32>,
    /// Keeps the rows of its columns, if any are kept: the slots of `keys` are theirs.
    keeper: Option<RowKeeper>,
    /// Objects begun: the current one's number.
    object: u64,
    /// The ids of the current object, each once.
    present: Vec<u32>,
    /// Key sets by their sorted ids.
    sets: hashbrown::HashMap<Box<[u32]>, Arc<BTreeSet<String>>>,
}

/// What a thread's collector knows of one raw key spelling.
struct KnownKey {
    decoded: String,
    slot: Option<usize>,
    last_object: u64,
}

/// Ids or key sets past which a thread's collector starts afresh, so a long-lived process
/// reading many lakes holds a bounded amount.
const COLLECTOR_LIMIT: usize = 1 << 16;

impl KeyCollector {
    /// A new object begins, keeping the columns `keep` if given: what the one before left is
    /// cleared, what it learnt stays.
    fn start_object(&mut self, keep: Option<Arc<KeptColumns>>) {
        if self.keys.len() > COLLECTOR_LIMIT || self.sets.len() > COLLECTOR_LIMIT {
            *self = KeyCollector::default();
        }
        let same_columns = match (&self.keeper, &keep) {
            (Some(keeper), Some(keep)) => Arc::ptr_eq(keeper.columns(), keep),
            (None, None) => true,
            _ => false,
        };
        if same_columns {
            if let Some(keeper) = self.keeper.as_mut() {
                keeper.clear();
            }
        } else {
            for key in &mut self.keys {
                key.slot = keep
                    .as_ref()
                    .and_then(|kept| kept.slot_of_key(&key.decoded));
            }
            self.keeper = keep.map(RowKeeper::new);
        }
        self.object += 1;
        self.present.clear();
    }

    /// The current object's key set, shared with every object of the same raw keys.
    fn key_set(&mut self) -> Arc<BTreeSet<String>> {
        self.present.sort_unstable();
        if let Some(set) = self.sets.get(self.present.as_slice()) {
            return Arc::clone(set);
        }
        let set: Arc<BTreeSet<String>> = Arc::new(
            self.present
                .iter()
                .map(|&id| self.keys[id as usize].decoded.clone())
                .collect(),
        );
        self.sets
            .insert(self.present.as_slice().into(), Arc::clone(&set));
        set
    }

    /// The id of a key the line before did not have at this position, given one if new.
    #[inline(never)]
    fn learn(&mut self, key: JsonKey<'_>) -> u32 {
        let id = match self.ids.get(key.raw) {
            Some(&id) => id,
            None => {
                let id = self.keys.len() as u32;
                let decoded = key.decoded();
                let slot = self
                    .keeper
                    .as_ref()
                    .and_then(|keeper| keeper.columns().slot_of_key(&decoded));
                self.keys.push(KnownKey {
                    decoded,
                    slot,
                    last_object: 0,
                });
                self.ids.insert(key.raw.into(), id);
                id
            }
        };
        self.seen.remember(key.raw, id);
        id
    }
}

impl MemberSink for KeyCollector {
    #[inline]
    fn member(&mut self, key: JsonKey<'_>, value: JsonValue<'_>) {
        let id = match self.seen.recall(key.raw) {
            Some(id) => id,
            None => self.learn(key),
        };
        let known = &mut self.keys[id as usize];
        if known.last_object != self.object {
            known.last_object = self.object;
            self.present.push(id);
        }
        if let (Some(slot), Some(keeper)) = (known.slot, self.keeper.as_mut()) {
            keeper.member(slot, &value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::documented::DOCUMENTED_TYPES;

    #[test]
    fn objects_sharing_a_key_set_are_counted_once() {
        let keys = |names: &[&str], lines| ObjectKeys {
            keys: Arc::new(names.iter().map(|n| (*n).to_owned()).collect()),
            lines,
        };
        let mut groups = KeyGroups::default();
        let indexes: Vec<usize> = [
            keys(&["Name", "Version"], 3),
            keys(&["Name"], 1),
            keys(&["Version", "Name"], 4),
        ]
        .into_iter()
        .map(|object| groups.add(object))
        .collect();
        assert_eq!(indexes, [0, 1, 0]);
        let groups = groups.into_groups();
        let groups: Vec<(Vec<&str>, usize, usize)> = groups
            .iter()
            .map(|(s, objects)| {
                (
                    s.keys.iter().map(String::as_str).collect(),
                    s.lines,
                    *objects,
                )
            })
            .collect();
        assert_eq!(
            groups,
            [(vec!["Name", "Version"], 7, 2), (vec!["Name"], 1, 1)]
        );
    }

    /// An object's keys, lines and kept rows (every value and conflict), comparable.
    type Learnt = (
        Vec<String>,
        usize,
        Option<(Vec<Vec<Option<Vec<u8>>>>, Vec<(usize, usize)>)>,
    );

    fn learnt_by(
        bytes: &[u8],
        keep: Option<&Arc<KeptColumns>>,
    ) -> std::result::Result<Learnt, String> {
        let options = ReadOptions {
            skip_bad_lines: true,
            ..ReadOptions::default()
        };
        let report = ReadReport::default();
        let (keys, rows) = match keep {
            None => (keys_of("o", bytes, &options, &report), None),
            Some(keep) => match keys_and_rows_of("o", bytes, &options, &report, Arc::clone(keep)) {
                Ok((keys, rows)) => (Ok(keys), Some(rows)),
                Err(e) => (Err(e), None),
            },
        };
        let keys = keys.map_err(|e| e.to_string())?;
        let rows = rows.map(|rows| {
            rows.map(|rows| {
                let columns = keep.expect("kept").len();
                let values = (0..columns)
                    .map(|slot| {
                        (0..rows.rows())
                            .map(|row| rows.value(slot, row).map(<[u8]>::to_vec))
                            .collect()
                    })
                    .collect();
                (values, rows.conflicts().to_vec())
            })
        });
        Ok((
            keys.keys.iter().cloned().collect(),
            keys.lines,
            rows.flatten(),
        ))
    }

    #[test]
    fn a_threads_collector_answers_each_object_as_a_fresh_one_would() {
        let status = Arc::new(KeptColumns::new(&BTreeSet::from(["status".to_owned()])));
        let id_and_name = Arc::new(KeptColumns::new(&BTreeSet::from([
            "id".to_owned(),
            "name".to_owned(),
        ])));
        let objects: Vec<(&[u8], Option<&Arc<KeptColumns>>)> = vec![
            (
                b"{\"Id\":\"a\",\"Status\":\"OK\"}\n{\"Id\":\"b\",\"Status\":\"NO\"}\n",
                Some(&status),
            ),
            (b"{\"Name\":\"x\",\"Id\":\"c\"}\n", None),
            // The same keys as the first object, in another order, kept by other columns.
            (
                b"{\"Status\":\"OK\",\"Id\":\"a\"}\n{\"name\":\"y\",\"Id\":\"d\",\"ID\":\"e\"}\n",
                Some(&id_and_name),
            ),
            // A malformed line, skipped, after a good one; then an escaped spelling.
            (
                b"{\"Id\":\"f\"}\n{\"Extra\":\"v\",\"Id\":\n{\"I\\u0064\":\"h\"}\n",
                Some(&id_and_name),
            ),
            (b"{\"Id\":\"a\",\"Status\":\"OK\"}\n", Some(&status)),
            (b"{\"Id\":\"i\"}\n", None),
        ];
        let fresh: Vec<_> = objects
            .iter()
            .map(|(bytes, keep)| {
                let (bytes, keep) = (bytes.to_vec(), keep.cloned());
                std::thread::spawn(move || learnt_by(&bytes, keep.as_ref()))
                    .join()
                    .expect("no panic")
            })
            .collect();
        // One thread, every object in turn, twice over.
        let reused: Vec<_> = objects
            .iter()
            .chain(&objects)
            .map(|(bytes, keep)| learnt_by(bytes, *keep))
            .collect();
        assert_eq!(reused[..objects.len()], fresh[..]);
        assert_eq!(reused[objects.len()..], fresh[..]);
        let (keys, lines, rows) = fresh[3].clone().expect("malformed lines are skipped");
        assert_eq!(
            (keys, lines),
            (vec!["Extra".to_owned(), "Id".to_owned()], 2)
        );
        let (values, _) = rows.expect("kept");
        assert_eq!(values[0], [Some(b"f".to_vec()), Some(b"h".to_vec())]);
    }

    #[test]
    fn table_names_follow_glue() {
        let cases = [
            ("AWS:Application", "aws_application"),
            ("AWS:InstanceInformation", "aws_instanceinformation"),
            ("AWS:ComplianceItem", "aws_complianceitem"),
            ("Custom:NodeInfo", "custom_nodeinfo"),
            ("Custom:SQLServer", "custom_sqlserver"),
            ("Custom:My-App.v2", "custom_my_app_v2"),
            ("Custom:Überblick", "custom__berblick"),
            ("plain", "plain"),
        ];
        for (type_name, table) in cases {
            assert_eq!(table_name(type_name), table, "{type_name}");
        }
    }

    #[test]
    fn column_names_lowercase_and_avoid_partition_names() {
        let cases = [
            ("Name", "name"),
            ("PatchState", "patchstate"),
            ("resourceId", "resourceid"),
            ("captureTime", "capturetime"),
            ("CPUs", "cpus"),
            ("IPV4", "ipv4"),
            ("URL", "url"),
            ("Url", "url"),
            ("ResourceType", "resourcetype_data"),
            ("resourcetype", "resourcetype_data"),
            ("AccountId", "accountid_data"),
            ("Region", "region_data"),
            ("RegionName", "regionname"),
            ("has space", "has space"),
            ("", ""),
        ];
        for (key, column) in cases {
            assert_eq!(column_name(key), column, "{key}");
        }
    }

    fn keys(keys: &[&str], lines: usize) -> ObjectKeys {
        ObjectKeys {
            keys: Arc::new(keys.iter().map(|k| (*k).to_owned()).collect()),
            lines,
        }
    }

    #[test]
    fn merge_is_a_union_over_every_object() {
        let mut objects: Vec<ObjectKeys> = (0..10_000)
            .map(|_| keys(&["Name", "Version", "resourceId"], 3))
            .collect();
        objects.push(keys(&["Name", "Epoch", "resourceId"], 1));
        let def = merge_keys("Custom:Packages", &objects);
        let names: Vec<&str> = def.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "epoch",
                "name",
                "resourceid",
                "version",
                "accountid",
                "region",
                "resourcetype"
            ]
        );
        assert_eq!(
            def.columns[0].source,
            ColumnSource::Keys {
                spellings: vec!["Epoch".into()],
                objects: 1
            }
        );
        assert_eq!((def.objects, def.rows), (10_001, 30_001));
        assert_eq!(def.name, "custom_packages");
        assert!(
            def.schema
                .fields()
                .iter()
                .all(|f| f.data_type() == &DataType::Utf8)
        );
        assert!(
            !def.schema
                .field_with_name("accountid")
                .unwrap()
                .is_nullable()
        );
        assert!(def.schema.field_with_name("epoch").unwrap().is_nullable());
    }

    #[test]
    fn merge_folds_case_variants_and_renames_collisions() {
        let objects = [
            keys(&["URL", "ResourceType", "Name"], 1),
            keys(&["Url", "url", "Name"], 2),
            keys(&[], 0),
        ];
        let def = merge_keys("AWS:InstanceInformation", &objects);
        let url = &def.columns[def.column_of_key("uRl").unwrap()];
        assert_eq!(
            url.source,
            ColumnSource::Keys {
                spellings: vec!["URL".into(), "Url".into(), "url".into()],
                objects: 2
            }
        );
        let data = &def.columns[def.column_of_key("ResourceType").unwrap()];
        assert_eq!(data.name, "resourcetype_data");
        assert_eq!(
            def.columns[def.partition_column("resourcetype").unwrap()].source,
            ColumnSource::Partition
        );
        assert_eq!(def.column_of_key("accountid"), None);
        assert_eq!((def.objects, def.rows), (3, 3));
    }

    #[test]
    fn a_custom_type_of_empty_objects_has_only_partition_columns() {
        let def = merge_keys("Custom:Empty", &[keys(&[], 0)]);
        assert_eq!(def.schema.fields().len(), 3);
        let def = merge_keys("Custom:Empty", &[]);
        assert_eq!((def.objects, def.schema.fields().len()), (0, 3));
    }

    #[test]
    fn documented_types_always_have_their_documented_columns() {
        let def = merge_keys(
            "AWS:InstanceInformation",
            &[keys(&["AgentVersion", "resourceId", "IamRole"], 1)],
        );
        let status = &def.columns[def.column_of_key("InstanceStatus").unwrap()];
        assert_eq!(
            status.source,
            ColumnSource::Keys {
                spellings: vec![],
                objects: 0
            }
        );
        let role = &def.columns[def.column_of_key("IamRole").unwrap()];
        assert_eq!(
            role.source,
            ColumnSource::Keys {
                spellings: vec!["IamRole".into()],
                objects: 1
            }
        );
        assert!(
            def.column_of_key("resourcetype").is_some(),
            "the data ResourceType column"
        );
        assert!(def.column_of_key("captureTime").is_some());
        let tag = merge_keys("AWS:Tag", &[]);
        let names: Vec<&str> = tag.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "capturetime",
                "key",
                "resourceid",
                "schemaversion",
                "value",
                "accountid",
                "region",
                "resourcetype"
            ]
        );
        assert!(documented_keys("Custom:Thing").is_empty());
        for (type_name, _) in DOCUMENTED_TYPES {
            assert!(type_name.starts_with("AWS:"));
        }
    }
}
