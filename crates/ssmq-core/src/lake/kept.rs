//! Rows kept from the pass that learns a table's columns, so a cold query reads and parses
//! each object once.
//!
//! A table's columns are known only once every object has been read, and DataFusion plans
//! with them before it scans. So the learning pass, which parses every line anyway, also keeps
//! the values of the columns the statement names ([`KeptColumns`], from
//! [`crate::sql::scope::named_columns`]), and the scan hands those over instead of reading the
//! objects again.
//!
//! In: the column names to keep, then each object's members as its lines are parsed. Out:
//! per object, [`ObjectRows`]: its row count and, per kept column, each row's value as a key
//! into the object's own dictionary of distinct values. The columns reports group and filter
//! by repeat within an object (a node's status, severity, its own id), so a kept value costs
//! about two bytes. A table's kept rows ([`KeptRows`]) give up past [`KEPT_BYTES`]: the
//! objects are then read again by the scan, as they would be without keeping.
//!
//! A row's values follow the scan's rules exactly ([`crate::lake::decode::BatchDecoder`]): a
//! string's text with escapes decoded, other JSON as written, `null` as null; of a column set
//! twice on a line (two spellings) a value replaces a null and the first value stays, the
//! second recorded as a conflict when the column is read.

use std::collections::BTreeSet;
use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::{DefaultHashBuilder, HashTable};
use object_store::path::Path;

use crate::lake::catalog::column_name;
use crate::lake::ndjson::{JsonValue, same_bytes};

/// Bytes of kept values a table may hold; past them its objects are read again by the scan.
pub const KEPT_BYTES: usize = 192 << 20;

/// Dictionary keys: 0 is null, so an object's column has at most `u16::MAX` distinct values.
type ValueKey = u16;
const NULL_KEY: ValueKey = 0;

/// The columns to keep, by name (as [`column_name`] folds keys), each with its slot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptColumns {
    names: Vec<String>,
}

impl KeptColumns {
    /// Keeps the columns named `names` (in any case).
    pub fn new(names: &BTreeSet<String>) -> Self {
        let names: BTreeSet<String> = names.iter().map(|n| n.to_lowercase()).collect();
        KeptColumns {
            names: names.into_iter().collect(),
        }
    }

    /// The slot of the column a key feeds, if that column is kept.
    pub fn slot_of_key(&self, key: &str) -> Option<usize> {
        self.slot_of_column(&column_name(key))
    }

    /// The slot of a column by its name, if it is kept.
    pub fn slot_of_column(&self, name: &str) -> Option<usize> {
        self.names.binary_search_by(|n| n.as_str().cmp(name)).ok()
    }

    /// Number of kept columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no column is kept (rows are still counted).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The kept rows of one object, packed into one buffer: per kept column its distinct values'
/// bytes, where each ends (`u32`s), and each row's key (none when every row has the same,
/// one byte each for up to 255 distinct values, else two).
#[derive(Debug, Clone, Default)]
pub struct ObjectRows {
    rows: usize,
    columns: Box<[PackedColumn]>,
    data: Box<[u8]>,
    /// (line, slot) of a second, different value met for a column on one line.
    conflicts: Vec<(usize, usize)>,
}

/// Where one column's dictionary and keys lie in [`ObjectRows`]'s buffer.
#[derive(Debug, Clone, Copy)]
struct PackedColumn {
    values_at: usize,
    ends_at: usize,
    keys: PackedKeys,
}

/// A packed column's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PackedKeys {
    /// Every row has this key.
    Constant(ValueKey),
    /// One byte per row, from this offset.
    Narrow(usize),
    /// Two bytes per row (little-endian), from this offset.
    Wide(usize),
}

impl ObjectRows {
    /// Packs the finished columns of an object of `rows` rows.
    fn pack<'a>(
        rows: usize,
        columns: impl Iterator<Item = &'a KeptColumn> + Clone,
        conflicts: Vec<(usize, usize)>,
    ) -> Self {
        let size: usize = columns
            .clone()
            .map(|c| c.bytes.len() + c.ends.len() * 4 + c.keys.len() * 2)
            .sum();
        let mut data = Vec::with_capacity(size);
        let packed = columns
            .map(|column| {
                let values_at = data.len();
                data.extend_from_slice(&column.bytes);
                let ends_at = data.len();
                for end in &column.ends {
                    data.extend_from_slice(&end.to_le_bytes());
                }
                let keys = match column.keys.first() {
                    None => PackedKeys::Constant(NULL_KEY),
                    Some(&first) if column.keys.iter().all(|&k| k == first) => {
                        PackedKeys::Constant(first)
                    }
                    Some(_) if column.ends.len() <= usize::from(u8::MAX) => {
                        let at = data.len();
                        data.extend(column.keys.iter().map(|&k| k as u8));
                        PackedKeys::Narrow(at)
                    }
                    Some(_) => {
                        let at = data.len();
                        for key in &column.keys {
                            data.extend_from_slice(&key.to_le_bytes());
                        }
                        PackedKeys::Wide(at)
                    }
                };
                PackedColumn {
                    values_at,
                    ends_at,
                    keys,
                }
            })
            .collect();
        ObjectRows {
            rows,
            columns: packed,
            data: data.into_boxed_slice(),
            conflicts,
        }
    }

    /// Rows (accepted lines) of the object.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The value of kept column `slot` at `row`, `None` for null.
    pub fn value(&self, slot: usize, row: usize) -> Option<&[u8]> {
        let column = &self.columns[slot];
        let key = match column.keys {
            PackedKeys::Constant(key) => key,
            PackedKeys::Narrow(at) => ValueKey::from(self.data[at + row]),
            PackedKeys::Wide(at) => {
                let at = at + 2 * row;
                ValueKey::from_le_bytes([self.data[at], self.data[at + 1]])
            }
        };
        if key == NULL_KEY {
            return None;
        }
        let end_of = |k: usize| {
            let at = column.ends_at + 4 * (k - 1);
            u32::from_le_bytes(self.data[at..at + 4].try_into().expect("four bytes")) as usize
        };
        let k = usize::from(key);
        let start = if k == 1 { 0 } else { end_of(k - 1) };
        Some(&self.data[column.values_at + start..column.values_at + end_of(k)])
    }

    /// (line, slot) of each conflicting second value on a line.
    pub fn conflicts(&self) -> &[(usize, usize)] {
        &self.conflicts
    }

    /// Bytes held, about.
    pub fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.columns.len() * std::mem::size_of::<PackedColumn>()
            + self.data.len()
            + self.conflicts.len() * 16
    }

    #[cfg(test)]
    fn keys(&self, slot: usize) -> PackedKeys {
        self.columns[slot].keys
    }

    #[cfg(test)]
    fn distinct(&self, slot: usize) -> usize {
        let column = &self.columns[slot];
        let next = self
            .columns
            .get(slot + 1)
            .map_or(self.data.len(), |c| c.values_at);
        let keys_at = match column.keys {
            PackedKeys::Narrow(at) | PackedKeys::Wide(at) => at,
            PackedKeys::Constant(_) => next,
        };
        (keys_at - column.ends_at) / 4
    }
}

/// One column of one object while it is read: its distinct values and each row's key.
#[derive(Debug, Clone, Default)]
struct KeptColumn {
    /// The distinct values' bytes, one after another; value `k` (from 1) ends at `ends[k - 1]`.
    bytes: Vec<u8>,
    ends: Vec<u32>,
    /// Each row's key.
    keys: Vec<ValueKey>,
}

impl KeptColumn {
    fn entry(&self, key: ValueKey) -> &[u8] {
        let k = usize::from(key);
        let start = if k == 1 { 0 } else { self.ends[k - 2] as usize };
        &self.bytes[start..self.ends[k - 1] as usize]
    }
}

/// Builds one object's [`ObjectRows`] as its lines are parsed.
#[derive(Debug)]
pub struct RowKeeper {
    columns: Arc<KeptColumns>,
    building: Vec<ColumnBuilder>,
    rows: usize,
    /// Per slot: the row that last set it.
    set_in_row: Vec<usize>,
    conflicts: Vec<(usize, usize)>,
    line: usize,
    /// A value whose escapes had to be decoded.
    scratch: Vec<u8>,
    hasher: DefaultHashBuilder,
    /// Set when a column had more distinct values than keys: the object cannot be kept.
    overflowed: bool,
}

#[derive(Debug, Default)]
struct ColumnBuilder {
    column: KeptColumn,
    /// Distinct values by hash, once there are more than a few.
    index: HashTable<ValueKey>,
}

/// Distinct values looked up by a linear search below this many, by hash from then on.
const LINEAR_LOOKUP: usize = 8;

impl ColumnBuilder {
    /// Empty again, its buffers kept for the next object.
    fn clear(&mut self) {
        self.column.bytes.clear();
        self.column.ends.clear();
        self.column.keys.clear();
        self.index.clear();
    }

    fn key_of(&mut self, value: &[u8], hasher: &DefaultHashBuilder) -> Option<ValueKey> {
        let column = &mut self.column;
        let count = column.ends.len();
        if count < LINEAR_LOOKUP {
            for k in 1..=count {
                if same_bytes(column.entry(k as ValueKey), value) {
                    return Some(k as ValueKey);
                }
            }
        } else {
            if self.index.is_empty() {
                for k in 1..=count {
                    let hash = hasher.hash_one(column.entry(k as ValueKey));
                    self.index
                        .insert_unique(hash, k as ValueKey, |&k| hasher.hash_one(column.entry(k)));
                }
            }
            let hash = hasher.hash_one(value);
            if let Some(&k) = self.index.find(hash, |&k| column.entry(k) == value) {
                return Some(k);
            }
        }
        if count >= usize::from(ValueKey::MAX) {
            return None;
        }
        column.bytes.extend_from_slice(value);
        column.ends.push(column.bytes.len() as u32);
        let key = (count + 1) as ValueKey;
        if !self.index.is_empty() {
            let hash = hasher.hash_one(value);
            self.index
                .insert_unique(hash, key, |&k| hasher.hash_one(column.entry(k)));
        }
        Some(key)
    }
}

impl RowKeeper {
    /// A keeper of `columns` for one object.
    pub fn new(columns: Arc<KeptColumns>) -> Self {
        let n = columns.len();
        RowKeeper {
            columns,
            building: (0..n).map(|_| ColumnBuilder::default()).collect(),
            rows: 0,
            set_in_row: vec![usize::MAX; n],
            conflicts: Vec::new(),
            line: 0,
            scratch: Vec::new(),
            hasher: DefaultHashBuilder::default(),
            overflowed: false,
        }
    }

    /// The kept columns.
    pub fn columns(&self) -> &Arc<KeptColumns> {
        &self.columns
    }

    /// Line `line` (1-based) begins.
    pub fn start_line(&mut self, line: usize) {
        self.line = line;
    }

    /// A member of the current line whose key feeds kept column `slot`.
    pub fn member(&mut self, slot: usize, value: &JsonValue<'_>) {
        let text = value.text(&mut self.scratch);
        let row = self.rows;
        let builder = &mut self.building[slot];
        if self.set_in_row[slot] == row {
            let last = *builder.column.keys.last().expect("set in this row");
            if last == NULL_KEY {
                builder.column.keys.pop();
            } else {
                if text.is_some_and(|text| builder.column.entry(last) != text) {
                    self.conflicts.push((self.line, slot));
                }
                return;
            }
        }
        let key = match text {
            Some(text) => builder.key_of(text, &self.hasher).unwrap_or_else(|| {
                self.overflowed = true;
                NULL_KEY
            }),
            None => NULL_KEY,
        };
        builder.column.keys.push(key);
        self.set_in_row[slot] = row;
    }

    /// The current line was accepted: unset columns are null on it.
    pub fn finish_row(&mut self) {
        let row = self.rows;
        for (slot, builder) in self.building.iter_mut().enumerate() {
            if self.set_in_row[slot] != row {
                builder.column.keys.push(NULL_KEY);
            }
        }
        self.rows += 1;
    }

    /// The current line was rejected: what it set is taken back.
    pub fn abort_row(&mut self) {
        let row = self.rows;
        for (slot, builder) in self.building.iter_mut().enumerate() {
            if self.set_in_row[slot] == row {
                builder.column.keys.pop();
                self.set_in_row[slot] = usize::MAX;
            }
        }
        let line = self.line;
        self.conflicts.retain(|&(l, _)| l != line);
    }

    /// The object's rows; `None` when a column had too many distinct values to keep.
    pub fn finish(&self) -> Option<ObjectRows> {
        (!self.overflowed).then(|| {
            ObjectRows::pack(
                self.rows,
                self.building.iter().map(|b| &b.column),
                self.conflicts.clone(),
            )
        })
    }

    /// Ready for another object of the same columns, as [`Self::new`] left it, with the
    /// buffers kept.
    pub fn clear(&mut self) {
        for builder in &mut self.building {
            builder.clear();
        }
        self.set_in_row.fill(usize::MAX);
        self.conflicts.clear();
        self.rows = 0;
        self.line = 0;
        self.overflowed = false;
    }
}

/// Objects kept before the rows of all of them are estimated from theirs.
const ESTIMATE_AFTER: usize = 64;

/// The kept rows of a table's objects, by object location.
#[derive(Debug, Default)]
pub struct KeptRows {
    columns: Arc<KeptColumns>,
    /// Objects the table has, kept or not yet read.
    expected: usize,
    objects: std::collections::HashMap<Path, ObjectRows>,
    bytes: usize,
    /// Set once the rows passed [`KEPT_BYTES`], were estimated to, or an object could not be
    /// kept: nothing is.
    given_up: bool,
}

impl KeptRows {
    /// No rows yet of `columns`, for a table of `expected` objects.
    pub fn new(columns: Arc<KeptColumns>, expected: usize) -> Self {
        KeptRows {
            columns,
            expected,
            ..KeptRows::default()
        }
    }

    /// Adds one object's rows (`None`: it could not be kept, so none are). Gives up as soon as
    /// the objects so far say that all of them would pass [`KEPT_BYTES`], so a table too big
    /// to keep costs little before the scan reads it again.
    pub fn add(&mut self, location: Path, rows: Option<ObjectRows>) {
        if self.given_up {
            return;
        }
        let Some(rows) = rows else {
            self.give_up();
            return;
        };
        self.bytes += rows.bytes();
        self.objects.insert(location, rows);
        let seen = self.objects.len();
        let estimate = if seen >= ESTIMATE_AFTER {
            self.bytes / seen * self.expected.max(seen)
        } else {
            self.bytes
        };
        if estimate > KEPT_BYTES {
            self.give_up();
        }
    }

    fn give_up(&mut self) {
        self.given_up = true;
        self.objects = std::collections::HashMap::new();
        self.bytes = 0;
    }

    /// Whether rows are still being kept.
    pub fn keeping(&self) -> bool {
        !self.given_up
    }

    /// The kept columns.
    pub fn columns(&self) -> &Arc<KeptColumns> {
        &self.columns
    }

    /// The kept rows, `None` when they were given up.
    pub fn finish(self) -> Option<KeptRows> {
        (!self.given_up).then_some(self)
    }

    /// Takes the rows of the object at `location`.
    pub fn take(&mut self, location: &Path) -> Option<ObjectRows> {
        self.objects.remove(location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keeper(names: &[&str]) -> RowKeeper {
        let names: BTreeSet<String> = names.iter().map(|n| (*n).to_owned()).collect();
        RowKeeper::new(Arc::new(KeptColumns::new(&names)))
    }

    fn text(raw: &str) -> JsonValue<'_> {
        JsonValue::String {
            raw: raw.as_bytes(),
            escaped: raw.contains('\\'),
        }
    }

    #[test]
    fn values_are_kept_as_keys_into_a_dictionary() {
        let mut k = keeper(&["status", "id"]);
        let status = k.columns().slot_of_column("status").unwrap();
        let id = k.columns().slot_of_column("id").unwrap();
        assert_eq!(k.columns().slot_of_key("Status"), Some(status));
        for (line, value) in ["A", "B", "A", "C\\n"].iter().enumerate() {
            k.start_line(line + 1);
            k.member(status, &text(value));
            k.member(id, &text("same"));
            k.finish_row();
        }
        // A malformed fifth line is taken back.
        k.start_line(5);
        k.member(status, &text("Z"));
        k.abort_row();
        k.start_line(6);
        k.member(status, &JsonValue::Null);
        k.member(id, &text("same"));
        k.finish_row();
        let rows = k.finish().unwrap();
        assert_eq!(rows.rows(), 5);
        let statuses: Vec<Option<&[u8]>> = (0..5).map(|r| rows.value(status, r)).collect();
        assert_eq!(
            statuses,
            vec![Some(&b"A"[..]), Some(b"B"), Some(b"A"), Some(b"C\n"), None]
        );
        // A, B and C once each; the rejected line's Z stays in the dictionary, unused.
        assert_eq!(rows.distinct(status), 4);
        assert!(matches!(rows.keys(status), PackedKeys::Narrow(_)));
        assert!(
            rows.keys(id) == PackedKeys::Constant(1),
            "a value every row shares"
        );
        assert_eq!(rows.value(id, 3), Some(&b"same"[..]));
        assert_eq!(rows.value(id, 4), Some(&b"same"[..]));
    }

    #[test]
    fn a_second_spelling_fills_a_null_and_a_different_value_is_a_conflict() {
        let mut k = keeper(&["url"]);
        k.start_line(1);
        k.member(0, &JsonValue::Null);
        k.member(0, &text("x"));
        k.finish_row();
        k.start_line(2);
        k.member(0, &text("y"));
        k.member(0, &text("z"));
        k.finish_row();
        let rows = k.finish().unwrap();
        assert_eq!(rows.value(0, 0), Some(&b"x"[..]));
        assert_eq!(rows.value(0, 1), Some(&b"y"[..]));
        assert_eq!(rows.conflicts(), &[(2, 0)]);
    }

    #[test]
    fn many_distinct_values_are_found_by_hash() {
        let mut k = keeper(&["name"]);
        let values: Vec<String> = (0..500).map(|i| format!("app-{}", i % 100)).collect();
        for (line, value) in values.iter().enumerate() {
            k.start_line(line + 1);
            k.member(0, &text(value));
            k.finish_row();
        }
        let rows = k.finish().unwrap();
        assert_eq!(rows.distinct(0), 100);
        assert!(matches!(rows.keys(0), PackedKeys::Narrow(_)));
        for (row, value) in values.iter().enumerate() {
            assert_eq!(rows.value(0, row), Some(value.as_bytes()));
        }
    }

    #[test]
    fn rows_past_the_budget_or_an_unkeepable_object_are_given_up() {
        let columns = Arc::new(KeptColumns::default());
        let mut kept = KeptRows::new(Arc::clone(&columns), 3);
        kept.add(Path::from("a"), Some(ObjectRows::default()));
        assert!(kept.keeping());
        kept.add(Path::from("b"), None);
        assert!(!kept.keeping());
        kept.add(Path::from("c"), Some(ObjectRows::default()));
        assert!(kept.finish().is_none());

        // Objects whose rows, times the table's objects, would pass the budget: given up once
        // enough were seen to say so.
        let object = ObjectRows::default();
        let each = object.bytes();
        let expected = KEPT_BYTES / each + 1;
        let mut kept = KeptRows::new(Arc::clone(&columns), expected);
        for i in 0..ESTIMATE_AFTER - 1 {
            kept.add(Path::from(format!("o{i}")), Some(object.clone()));
        }
        assert!(kept.keeping(), "too few seen to estimate");
        kept.add(Path::from("last"), Some(object.clone()));
        assert!(!kept.keeping());
        let mut small = KeptRows::new(columns, expected - 2);
        for i in 0..ESTIMATE_AFTER {
            small.add(Path::from(format!("o{i}")), Some(object.clone()));
        }
        assert!(small.keeping());
    }

    #[test]
    fn a_column_with_more_distinct_values_than_keys_cannot_be_kept() {
        let mut k = keeper(&["id"]);
        let wide = |k: &mut RowKeeper, n: usize| {
            for line in 0..n {
                k.start_line(line + 1);
                k.member(0, &text(&line.to_string()));
                k.finish_row();
            }
        };
        wide(&mut k, 300);
        let rows = k.finish().unwrap();
        assert!(matches!(rows.keys(0), PackedKeys::Wide(_)));
        assert_eq!(rows.value(0, 299), Some(&b"299"[..]));
        let mut k = keeper(&["id"]);
        wide(&mut k, usize::from(ValueKey::MAX) + 1);
        assert!(k.finish().is_none());
    }
}
