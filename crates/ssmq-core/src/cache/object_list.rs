//! `objects.bin`: every object of a generation, as the next sync compares its listing with.
//!
//! In: a generation's objects, grouped by type and sorted by key within each. Out: the file's
//! bytes, and back from them the objects per type. A sync reads the last generation's list
//! while it lists the lake and writes a new one every time, so the format is made to be cheap
//! both ways (at 50,000 nodes it holds 550,000 objects): a binary file, not JSON.
//!
//! ```text
//! "SSMQOBJS" version:u32
//! group*     1:u8 type_name account_id region resource_type folder objects:u32 object*
//! end        0:u8 objects_in_all:u64
//! object     name size:u64 modified:i64 (ns since the epoch) e_tag version_id version:u64
//!            key_set:u32 lines:u64 seen_in:u64 retired
//! e_tag      0:u8 | 1:u8 text
//! version_id 0:u8 | 1:u8 text (S3's id of the version; not in files of version 2)
//! retired    0:u8 (current) | 1:u8 at:i64 (ns since the epoch) snapshot:u64
//! text       length:u32 UTF-8 bytes
//! ```
//!
//! Current objects come first, then the retired versions history keeps (see
//! [`super::Retirement`]). Integers are little-endian. A group shares its type, partition and folder (the objects'
//! keys up to their name) between its objects. A file that ends early, holds text that is not
//! UTF-8 or counts its objects wrong is reported as damaged, with the byte where reading
//! stopped.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use hashbrown::HashMap;

use super::{CachedObject, Retirement};
use crate::lake::discover::Partition;

const MAGIC: &[u8; 8] = b"SSMQOBJS";
const VERSION: u32 = 3;
/// The version before, without version ids, still read (a cache keeps its history).
const VERSION_WITHOUT_IDS: u32 = 2;
const GROUP: u8 = 1;
const END: u8 = 0;

/// The objects of one generation by type name, each type's in the order written.
pub(super) type ObjectsByType = HashMap<Arc<str>, Vec<CachedObject>>;

/// A generation's objects: the current ones and the retired versions history keeps.
#[derive(Debug, Default)]
pub(super) struct ObjectList {
    pub(super) current: ObjectsByType,
    pub(super) retired: ObjectsByType,
}

/// The file's bytes for the `current` objects and the `retired` versions, each grouped by type
/// (consecutive objects sharing a type, partition and folder share a group).
pub(super) fn encode(current: &[CachedObject], retired: &[CachedObject]) -> Vec<u8> {
    encode_version(current, retired, VERSION)
}

/// [`encode`] in a given version of the format (the tests write the one before).
fn encode_version(current: &[CachedObject], retired: &[CachedObject], version: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity((current.len() + retired.len()) * 90 + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    encode_groups(&mut out, current, version);
    encode_groups(&mut out, retired, version);
    out.push(END);
    out.extend_from_slice(&((current.len() + retired.len()) as u64).to_le_bytes());
    out
}

fn encode_groups(out: &mut Vec<u8>, objects: &[CachedObject], version: u32) {
    let mut i = 0;
    while i < objects.len() {
        let first = &objects[i];
        let folder = folder_of(&first.key);
        let end = i + objects[i..]
            .iter()
            .take_while(|o| {
                // `Arc`'s equality tries the pointer first.
                o.type_name == first.type_name
                    && o.partition == first.partition
                    && folder_of(&o.key) == folder
            })
            .count();
        out.push(GROUP);
        put_text(out, &first.type_name);
        put_text(out, &first.partition.account_id);
        put_text(out, &first.partition.region);
        put_text(out, &first.partition.resource_type);
        put_text(out, folder);
        out.extend_from_slice(&((end - i) as u32).to_le_bytes());
        for o in &objects[i..end] {
            put_text(out, &o.key[folder.len()..]);
            out.extend_from_slice(&o.size.to_le_bytes());
            let nanos = o.last_modified.timestamp_nanos_opt().unwrap_or(i64::MIN);
            out.extend_from_slice(&nanos.to_le_bytes());
            put_optional_text(out, o.e_tag.as_deref());
            if version != VERSION_WITHOUT_IDS {
                put_optional_text(out, o.version_id.as_deref());
            }
            out.extend_from_slice(&o.version.to_le_bytes());
            out.extend_from_slice(&(o.key_set as u32).to_le_bytes());
            out.extend_from_slice(&(o.lines as u64).to_le_bytes());
            out.extend_from_slice(&o.seen_in.to_le_bytes());
            match &o.retired {
                None => out.push(0),
                Some(retired) => {
                    out.push(1);
                    let nanos = retired.at.timestamp_nanos_opt().unwrap_or(i64::MIN);
                    out.extend_from_slice(&nanos.to_le_bytes());
                    out.extend_from_slice(&retired.snapshot.to_le_bytes());
                }
            }
        }
        i = end;
    }
}

/// The objects in `bytes`, per type; `Err` says at which byte and why they cannot be read.
pub(super) fn decode(bytes: &[u8]) -> Result<ObjectList, String> {
    decode_where(bytes, |_| true)
}

/// The objects in `bytes` of the types `wanted` keeps, per type. The other types' groups are
/// walked over without being decoded (a query of one type of a past moment needs only that
/// type's versions), yet a damaged file is reported all the same.
pub(super) fn decode_where(
    bytes: &[u8],
    wanted: impl Fn(&str) -> bool,
) -> Result<ObjectList, String> {
    let mut input = Reader { bytes, at: 0 };
    if input.take(MAGIC.len())? != MAGIC {
        return Err("it is not an ssmq object list".to_owned());
    }
    let version = input.u32()?;
    if version != VERSION && version != VERSION_WITHOUT_IDS {
        return Err(format!(
            "it is of version {version}, this ssmq reads {VERSION_WITHOUT_IDS} and {VERSION}"
        ));
    }
    let mut list = ObjectList::default();
    let mut count = 0u64;
    loop {
        match input.take(1)?[0] {
            GROUP => {}
            END => break,
            tag => return Err(input.damaged(&format!("unknown entry {tag}"))),
        }
        let type_name = input.text()?;
        let partition = Arc::new(Partition {
            account_id: input.text()?.to_owned(),
            region: input.text()?.to_owned(),
            resource_type: input.text()?.to_owned(),
        });
        let folder = input.text()?;
        let objects = input.u32()?;
        count += u64::from(objects);
        if !wanted(type_name) {
            for _ in 0..objects {
                input.skip_object(version)?;
            }
            continue;
        }
        let type_name: Arc<str> = match list.current.get_key_value(type_name) {
            Some((name, _)) => Arc::clone(name),
            None => Arc::from(type_name),
        };
        for _ in 0..objects {
            let name = input.text()?;
            let mut key = String::with_capacity(folder.len() + name.len());
            key.push_str(folder);
            key.push_str(name);
            let size = input.u64()?;
            let last_modified = DateTime::<Utc>::from_timestamp_nanos(input.u64()? as i64);
            let e_tag = input.optional_text()?;
            let version_id = match version {
                VERSION_WITHOUT_IDS => None,
                _ => input.optional_text()?,
            };
            let (version, key_set, lines) =
                (input.u64()?, input.u32()? as usize, input.u64()? as usize);
            let seen_in = input.u64()?;
            let retired = match input.take(1)?[0] {
                0 => None,
                _ => Some(Retirement {
                    at: DateTime::<Utc>::from_timestamp_nanos(input.u64()? as i64),
                    snapshot: input.u64()?,
                }),
            };
            let kind = match retired {
                None => &mut list.current,
                Some(_) => &mut list.retired,
            };
            kind.entry(Arc::clone(&type_name))
                .or_default()
                .push(CachedObject {
                    key,
                    type_name: Arc::clone(&type_name),
                    partition: Arc::clone(&partition),
                    size,
                    last_modified,
                    e_tag,
                    version_id,
                    version,
                    key_set,
                    lines,
                    seen_in,
                    retired,
                });
        }
    }
    let total = input.u64()?;
    if total != count || input.at != bytes.len() {
        return Err(input.damaged(&format!(
            "it ends after {count} objects, having announced {total}"
        )));
    }
    Ok(list)
}

/// A key up to and with its last `/`.
fn folder_of(key: &str) -> &str {
    &key[..key.rfind('/').map_or(0, |at| at + 1)]
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn put_optional_text(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => {
            out.push(1);
            put_text(out, text);
        }
        None => out.push(0),
    }
}

/// The bytes of a file being decoded, and how far decoding got.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn damaged(&self, what: &str) -> String {
        format!("{what} at byte {}", self.at)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let taken = self
            .bytes
            .get(self.at..self.at.saturating_add(n))
            .ok_or_else(|| self.damaged("it ends early"))?;
        self.at += n;
        Ok(taken)
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }

    fn text(&mut self) -> Result<&'a str, String> {
        let length = self.u32()? as usize;
        let start = self.at;
        let bytes = self.take(length)?;
        std::str::from_utf8(bytes).map_err(|_| format!("text that is not UTF-8 at byte {start}"))
    }

    /// Past one object of a file of `version`, as [`decode_where`] reads it, without looking
    /// at its texts.
    fn skip_object(&mut self, version: u32) -> Result<(), String> {
        self.skip_text()?;
        // size, modified
        self.take(16)?;
        self.skip_optional_text()?;
        if version != VERSION_WITHOUT_IDS {
            self.skip_optional_text()?;
        }
        // version, key_set, lines, seen_in
        self.take(8 + 4 + 8 + 8)?;
        if self.take(1)?[0] != 0 {
            // at, snapshot
            self.take(16)?;
        }
        Ok(())
    }

    fn skip_text(&mut self) -> Result<(), String> {
        let length = self.u32()? as usize;
        self.take(length).map(|_| ())
    }

    fn skip_optional_text(&mut self) -> Result<(), String> {
        match self.take(1)?[0] {
            0 => Ok(()),
            _ => self.skip_text(),
        }
    }

    fn optional_text(&mut self) -> Result<Option<String>, String> {
        Ok(match self.take(1)?[0] {
            0 => None,
            _ => Some(self.text()?.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects() -> Vec<CachedObject> {
        let partition = |account: &str, region: &str| {
            Arc::new(Partition {
                account_id: account.into(),
                region: region.into(),
                resource_type: "ManagedInstanceInventory".into(),
            })
        };
        let (application, tag): (Arc<str>, Arc<str>) =
            (Arc::from("AWS:Application"), Arc::from("AWS:Tag"));
        let (p1, p2) = (partition("012", "eu-west-1"), partition("345", "üs-east-1"));
        let object =
            |type_name: &Arc<str>, partition: &Arc<Partition>, key: &str, n: u64| CachedObject {
                key: key.into(),
                type_name: Arc::clone(type_name),
                partition: Arc::clone(partition),
                size: n * 1000,
                last_modified: DateTime::<Utc>::from_timestamp_nanos(
                    1_796_066_949_330_011_268 + n as i64,
                ),
                e_tag: n.is_multiple_of(2).then(|| format!("\"etag-{n}\"")),
                version_id: (n % 3 == 1).then(|| format!("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrH-{n}")),
                version: n + 7,
                key_set: n as usize % 3,
                lines: n as usize * 2,
                seen_in: n,
                retired: None,
            };
        vec![
            object(
                &application,
                &p1,
                "AWS:Application/accountid=012/region=eu-west-1/i-1.json",
                1,
            ),
            object(
                &application,
                &p1,
                "AWS:Application/accountid=012/region=eu-west-1/i-2.json",
                2,
            ),
            object(
                &application,
                &p2,
                "AWS:Application/accountid=345/region=üs-east-1/ï-3.json",
                3,
            ),
            object(
                &tag,
                &p1,
                "AWS:Tag/accountid=012/region=eu-west-1/i-1.json",
                4,
            ),
            object(&tag, &p1, "top-level.json", 5),
        ]
    }

    /// Everything but the shared `Arc`s, to compare objects read back with those written.
    fn fields(o: &CachedObject) -> impl PartialEq + std::fmt::Debug {
        (
            o.key.clone(),
            o.type_name.to_string(),
            (*o.partition).clone(),
            o.size,
            o.last_modified,
            o.e_tag.clone(),
            o.version_id.clone(),
            o.version,
            o.key_set,
            o.lines,
            o.seen_in,
            o.retired.clone(),
        )
    }

    /// A version of `object` retired at snapshot 9.
    fn retired(mut object: CachedObject) -> CachedObject {
        object.retired = Some(Retirement {
            at: object.last_modified + chrono::TimeDelta::days(3),
            snapshot: 9,
        });
        object.version += 100;
        object
    }

    #[test]
    fn objects_read_back_as_written_per_type() {
        let current = objects();
        let retired = vec![retired(current[1].clone()), retired(current[4].clone())];
        let list = decode(&encode(&current, &retired)).unwrap();
        assert_eq!(list.current.len(), 2);
        let described = |objects: &mut dyn Iterator<Item = &CachedObject>| -> Vec<String> {
            objects.map(|o| format!("{:?}", fields(o))).collect()
        };
        let read = |types: &ObjectsByType| {
            described(
                &mut ["AWS:Application", "AWS:Tag"]
                    .iter()
                    .flat_map(|t| types.get(*t).into_iter().flatten()),
            )
        };
        assert_eq!(read(&list.current), described(&mut current.iter()));
        assert_eq!(read(&list.retired), described(&mut retired.iter()));
        // Objects of a type and of a partition share one name and one partition.
        let applications = &list.current["AWS:Application"];
        assert!(Arc::ptr_eq(
            &applications[0].type_name,
            &applications[2].type_name
        ));
        assert!(Arc::ptr_eq(
            &applications[0].partition,
            &applications[1].partition
        ));
        let empty = decode(&encode(&[], &[])).unwrap();
        assert!(empty.current.is_empty() && empty.retired.is_empty());
    }

    #[test]
    fn one_type_is_read_alone_and_the_others_are_walked_over() {
        let current = objects();
        let retired = vec![retired(current[1].clone()), retired(current[4].clone())];
        for version in [VERSION, VERSION_WITHOUT_IDS] {
            let bytes = encode_version(&current, &retired, version);
            let whole = decode(&bytes).unwrap();
            let tags = decode_where(&bytes, |t| t == "AWS:Tag").unwrap();
            let types = |t: &ObjectsByType| t.keys().map(|k| k.to_string()).collect::<Vec<_>>();
            assert_eq!(types(&tags.current), ["AWS:Tag"]);
            assert_eq!(types(&tags.retired), ["AWS:Tag"]);
            let same = |a: &[CachedObject], b: &[CachedObject]| {
                format!("{:?}", a.iter().map(fields).collect::<Vec<_>>())
                    == format!("{:?}", b.iter().map(fields).collect::<Vec<_>>())
            };
            assert!(same(&tags.current["AWS:Tag"], &whole.current["AWS:Tag"]));
            assert!(same(&tags.retired["AWS:Tag"], &whole.retired["AWS:Tag"]));
            // A file cut short is damaged even where it holds only types not wanted.
            let cut = &bytes[..bytes.len() - 20];
            assert!(decode_where(cut, |t| t == "none").is_err());
        }
    }

    #[test]
    fn a_list_of_the_version_before_reads_back_without_version_ids() {
        let current = objects();
        assert!(current.iter().any(|o| o.version_id.is_some()));
        let old = encode_version(&current, &[], VERSION_WITHOUT_IDS);
        assert!(old.len() < encode(&current, &[]).len());
        let list = decode(&old).unwrap();
        let read: Vec<_> = ["AWS:Application", "AWS:Tag"]
            .iter()
            .flat_map(|t| list.current[*t].iter())
            .collect();
        assert_eq!(read.len(), current.len());
        for (read, written) in read.iter().zip(&current) {
            assert_eq!(read.version_id, None);
            let mut without = written.clone();
            without.version_id = None;
            assert_eq!(
                format!("{:?}", fields(read)),
                format!("{:?}", fields(&without))
            );
        }
        let mut future = encode(&current, &[]);
        future[8..12].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(
            decode(&future).err().unwrap(),
            "it is of version 4, this ssmq reads 2 and 3"
        );
    }

    #[test]
    fn damaged_lists_are_refused_with_the_byte() {
        let bytes = encode(&objects(), &[]);
        for end in 0..bytes.len() {
            assert!(decode(&bytes[..end]).is_err(), "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).unwrap_err().contains("announced"));
        let mut miscounted = bytes.clone();
        let at = miscounted.len() - 8;
        miscounted[at] += 1;
        assert!(
            decode(&miscounted)
                .unwrap_err()
                .contains("ends after 5 objects")
        );
        assert!(
            decode(b"{\"json\": true}")
                .unwrap_err()
                .contains("not an ssmq object list")
        );
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert!(decode(&newer).unwrap_err().contains("version 9"));
        let mut not_utf8 = bytes;
        let name_at = not_utf8.windows(3).position(|w| w == b"i-1").unwrap();
        not_utf8[name_at] = 0xff;
        assert!(decode(&not_utf8).unwrap_err().contains("not UTF-8"));
    }
}
