//! Ground truth about a generated lake, computed from the bytes that were generated.
//!
//! In: object keys and bodies. Out: a [`LakeSummary`]: per TypeName the number of objects,
//! rows (non-blank lines), bytes, accounts and Regions, plus every object a reader must skip
//! because it is not at full partition depth or is not a `.json` object. The rules here are the
//! layout rules of the sync, written independently of how the generator builds keys.

use std::collections::{BTreeMap, BTreeSet};

/// Per-type ground truth of a lake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LakeSummary {
    /// Inventory objects by TypeName (`AWS:Application`, `Custom:NodeInfo`…).
    pub types: BTreeMap<String, TypeSummary>,
    /// Objects that are not inventory, sorted by key.
    pub skipped: Vec<SkippedObject>,
}

/// Ground truth of one TypeName.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeSummary {
    /// Objects at full partition depth (including empty ones).
    pub objects: usize,
    /// Non-blank lines: the rows a reader must return.
    pub lines: usize,
    /// Bytes of all objects, byte-order marks and CRs included.
    pub bytes: u64,
    /// Account ids of the `accountid=` partitions.
    pub accounts: BTreeSet<String>,
    /// Regions of the `region=` partitions.
    pub regions: BTreeSet<String>,
}

/// An object a reader must skip (and count), never turn into a table or partition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkippedObject {
    /// The object key, prefix included.
    pub key: String,
    /// Why it is not inventory: [`NOT_FULL_DEPTH`] or [`NOT_JSON`].
    pub reason: &'static str,
}

/// Reason for objects not under `<Type>/accountid=/region=/resourcetype=/`.
pub const NOT_FULL_DEPTH: &str = "not at full partition depth";
/// Reason for objects at full depth whose name does not end in `.json`.
pub const NOT_JSON: &str = "not a .json object";

/// Where an inventory object lives, parsed from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InventoryKey<'a> {
    /// The TypeName folder.
    pub type_name: &'a str,
    /// Value of `accountid=`.
    pub account_id: &'a str,
    /// Value of `region=`.
    pub region: &'a str,
    /// Value of `resourcetype=`.
    pub resource_type: &'a str,
    /// File name without `.json`: the node id.
    pub resource_id: &'a str,
}

/// Parses `[prefix/]<Type>/accountid=<a>/region=<r>/resourcetype=<t>/<id>.json`, reading from
/// the end so any prefix works; the error is the skip reason.
pub fn parse_inventory_key(key: &str) -> Result<InventoryKey<'_>, &'static str> {
    let mut parts = key.rsplit('/');
    let mut next = || parts.next().filter(|part| !part.is_empty());
    let (file, resource_type, region, account_id, type_name) =
        match (next(), next(), next(), next(), next()) {
            (Some(file), Some(rt), Some(region), Some(account), Some(type_name)) => {
                (file, rt, region, account, type_name)
            }
            _ => return Err(NOT_FULL_DEPTH),
        };
    let (Some(resource_type), Some(region), Some(account_id)) = (
        resource_type.strip_prefix("resourcetype="),
        region.strip_prefix("region="),
        account_id.strip_prefix("accountid="),
    ) else {
        return Err(NOT_FULL_DEPTH);
    };
    let Some(resource_id) = file.strip_suffix(".json") else {
        return Err(NOT_JSON);
    };
    Ok(InventoryKey {
        type_name,
        account_id,
        region,
        resource_type,
        resource_id,
    })
}

/// Non-blank lines of a body (after a UTF-8 BOM; lines end in `\n` or `\r\n`).
pub fn count_lines(body: &[u8]) -> usize {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    body.split(|byte| *byte == b'\n')
        .filter(|line| line.iter().any(|byte| !byte.is_ascii_whitespace()))
        .count()
}

impl LakeSummary {
    /// Accounts for one object.
    pub fn add(&mut self, key: &str, body: &[u8]) {
        match parse_inventory_key(key) {
            Ok(parsed) => {
                let entry = self.types.entry(parsed.type_name.to_owned()).or_default();
                entry.objects += 1;
                entry.lines += count_lines(body);
                entry.bytes += body.len() as u64;
                if !entry.accounts.contains(parsed.account_id) {
                    entry.accounts.insert(parsed.account_id.to_owned());
                }
                if !entry.regions.contains(parsed.region) {
                    entry.regions.insert(parsed.region.to_owned());
                }
            }
            Err(reason) => {
                let at = self
                    .skipped
                    .partition_point(|skipped| skipped.key.as_str() < key);
                self.skipped.insert(
                    at,
                    SkippedObject {
                        key: key.to_owned(),
                        reason,
                    },
                );
            }
        }
    }

    /// Adds another summary (of disjoint objects) into this one.
    pub fn merge(&mut self, other: LakeSummary) {
        for (type_name, theirs) in other.types {
            let ours = self.types.entry(type_name).or_default();
            ours.objects += theirs.objects;
            ours.lines += theirs.lines;
            ours.bytes += theirs.bytes;
            ours.accounts.extend(theirs.accounts);
            ours.regions.extend(theirs.regions);
        }
        self.skipped.extend(other.skipped);
        self.skipped.sort();
    }

    /// Inventory objects over all types.
    pub fn total_objects(&self) -> usize {
        self.types.values().map(|t| t.objects).sum()
    }

    /// Rows over all types.
    pub fn total_lines(&self) -> usize {
        self.types.values().map(|t| t.lines).sum()
    }

    /// Bytes of inventory objects over all types.
    pub fn total_bytes(&self) -> u64 {
        self.types.values().map(|t| t.bytes).sum()
    }
}

/// The summary of a stream of objects.
pub fn summarize(objects: impl Iterator<Item = crate::LakeObject>) -> LakeSummary {
    let mut summary = LakeSummary::default();
    for object in objects {
        summary.add(&object.key, &object.body);
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_inventory_keys_with_and_without_prefix() {
        let key = "AWS:Application/accountid=012345678901/region=us-east-1/resourcetype=ManagedInstanceInventory/i-0abc.json";
        let parsed = parse_inventory_key(key).unwrap();
        assert_eq!(
            (
                parsed.type_name,
                parsed.account_id,
                parsed.region,
                parsed.resource_id
            ),
            ("AWS:Application", "012345678901", "us-east-1", "i-0abc")
        );
        let prefixed = format!("sync/inventory/{key}");
        assert_eq!(parse_inventory_key(&prefixed).unwrap(), parsed);
    }

    #[test]
    fn rejects_what_is_not_inventory() {
        for (key, reason) in [
            (
                "AWS:InstanceInformation/accountid=111122223333/test.json",
                NOT_FULL_DEPTH,
            ),
            (
                "AWS:Tag/accountid=111122223333/region=us-east-1/stray.json",
                NOT_FULL_DEPTH,
            ),
            (
                "AWS:Tag/accountid=1/region=us-east-1/resourcetype=ManagedInstanceInventory/notes.txt",
                NOT_JSON,
            ),
            (
                "AWS:Tag/region=us-east-1/accountid=1/resourcetype=ManagedInstanceInventory/i-1.json",
                NOT_FULL_DEPTH,
            ),
            (
                "accountid=1/region=us-east-1/resourcetype=ManagedInstanceInventory/i-1.json",
                NOT_FULL_DEPTH,
            ),
            ("", NOT_FULL_DEPTH),
        ] {
            assert_eq!(parse_inventory_key(key), Err(reason), "{key}");
        }
    }

    #[test]
    fn counts_non_blank_lines() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"{}\n{}\n"), 2);
        assert_eq!(count_lines(b"{}\n\n{}"), 2);
        assert_eq!(count_lines(b"\xEF\xBB\xBF{}\r\n{}\r\n"), 2);
        assert_eq!(count_lines(b"\n \r\n\t\n"), 0);
    }

    #[test]
    fn add_and_merge_agree() {
        let objects = [
            (
                "AWS:Tag/accountid=1/region=r/resourcetype=M/i-1.json",
                &b"{}\n{}\n"[..],
            ),
            ("AWS:Tag/accountid=2/region=r/resourcetype=M/i-2.json", b""),
            ("AWS:Tag/accountid=2/test.json", b"x"),
        ];
        let mut all = LakeSummary::default();
        let mut halves = [LakeSummary::default(), LakeSummary::default()];
        for (n, (key, body)) in objects.iter().enumerate() {
            all.add(key, body);
            halves[n % 2].add(key, body);
        }
        let [mut merged, second] = halves;
        merged.merge(second);
        assert_eq!(merged, all);
        assert_eq!(all.types["AWS:Tag"].objects, 2);
        assert_eq!(all.types["AWS:Tag"].lines, 2);
        assert_eq!(all.skipped.len(), 1);
    }
}
