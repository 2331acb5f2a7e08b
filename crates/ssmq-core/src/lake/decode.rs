//! The line decoder: an object's NDJSON lines in, record batches of a table's projected
//! columns out.
//!
//! [`BatchDecoder`] decodes lines straight into string columns: values are copied once, from
//! the object's bytes into the column buffer, and only for projected columns; the partition
//! columns repeat the object's partition. Used by the scan and by the cache's segment writer.
//! The scan also appends rows kept by the learning pass ([`crate::lake::kept`]) through it, so
//! kept and decoded rows are batched alike.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBufferBuilder, RecordBatch, RecordBatchOptions, StringArray};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::SchemaRef;
use datafusion::error::{DataFusionError, Result as DfResult};
use hashbrown::HashMap;

use crate::lake::catalog::{ColumnSource, TableDef};
use crate::lake::discover::{Partition, SyncObject};
use crate::lake::kept::{KeptColumns, ObjectRows};
use crate::lake::ndjson::{JsonKey, JsonValue, KeyMemo, MemberSink, parse_line};
use crate::lake::read::{KeyConflict, ReadOptions, ReadReport, for_each_line};

/// A column buffer is flushed before its 32-bit offsets could overflow.
const MAX_BATCH_VALUE_BYTES: usize = 1 << 30;

/// Kept rows are appended this many at a time, so a batch is checked for size between runs.
const KEPT_CHUNK_ROWS: usize = 256;

/// Where an output column's values come from.
#[derive(Debug, Clone, Copy)]
enum OutputColumn {
    /// Decoded from lines into the data buffer of this slot.
    Data(usize),
    /// Repeated from the object's partition.
    Account,
    Region,
    ResourceType,
}

/// What a JSON key feeds, cached per spelling.
#[derive(Debug, Clone, Copy)]
enum KeyTarget {
    /// A projected data column's slot.
    Slot(usize),
    /// A column of the table the query does not read.
    Unread,
    /// A key the table's columns lack.
    Unknown,
}

/// Decodes objects' lines into batches of the projected columns of one table.
#[derive(Debug)]
pub struct BatchDecoder {
    table: Arc<TableDef>,
    schema: SchemaRef,
    outputs: Vec<OutputColumn>,
    /// Table column index → data slot, for projected data columns.
    slot_of_column: Vec<Option<usize>>,
    data: Vec<TextColumn>,
    /// Per slot: the row that last set it, to pad, detect repeated keys and roll back.
    set_in_row: Vec<usize>,
    /// Per slot: its table column index.
    column_of_slot: Vec<usize>,
    /// Per key spelling (raw bytes): what it feeds.
    targets: HashMap<Box<[u8]>, KeyTarget>,
    /// The keys of the line before and their targets, to skip most lookups in `targets`.
    recent: KeyMemo<KeyTarget>,
    rows: usize,
    /// Runs of consecutive rows sharing a partition, for the partition columns.
    runs: Vec<(Arc<Partition>, usize)>,
    batch_size: usize,
    ready: Vec<RecordBatch>,
    /// The partition and line being decoded.
    current: Option<Arc<Partition>>,
    line_no: usize,
    /// (line, table column) of conflicting spellings met in the current object.
    pending_conflicts: Vec<(usize, usize)>,
    pending_unknown: Vec<String>,
    /// A failure to assemble a batch mid-object, raised once the object is done.
    deferred: Option<DataFusionError>,
}

impl BatchDecoder {
    /// A decoder producing batches of `projection` (indices into the table's columns) with about
    /// `batch_size` rows each.
    pub fn new(table: Arc<TableDef>, projection: &[usize], batch_size: usize) -> Self {
        let mut slot_of_column = vec![None; table.columns.len()];
        let mut outputs = Vec::with_capacity(projection.len());
        let mut column_of_slot = Vec::new();
        for &column in projection {
            let def = &table.columns[column];
            outputs.push(match (&def.source, def.name.as_str()) {
                (ColumnSource::Partition, "accountid") => OutputColumn::Account,
                (ColumnSource::Partition, "region") => OutputColumn::Region,
                (ColumnSource::Partition, _) => OutputColumn::ResourceType,
                (ColumnSource::Keys { .. }, _) => {
                    let slot = *slot_of_column[column].get_or_insert_with(|| {
                        column_of_slot.push(column);
                        column_of_slot.len() - 1
                    });
                    OutputColumn::Data(slot)
                }
            });
        }
        let schema = Arc::new(
            table
                .schema
                .project(projection)
                .expect("projection within the table"),
        );
        BatchDecoder {
            table,
            schema,
            outputs,
            slot_of_column,
            data: column_of_slot.iter().map(|_| TextColumn::new()).collect(),
            set_in_row: vec![usize::MAX; column_of_slot.len()],
            column_of_slot,
            targets: HashMap::new(),
            recent: KeyMemo::default(),
            rows: 0,
            runs: Vec::new(),
            batch_size: batch_size.max(1),
            ready: Vec::new(),
            current: None,
            line_no: 0,
            pending_conflicts: Vec::new(),
            pending_unknown: Vec::new(),
            deferred: None,
        }
    }

    /// Decodes every line of one object (`name` names it in faults), queueing full batches for
    /// [`Self::take_ready`].
    pub fn decode_object(
        &mut self,
        object: &SyncObject,
        name: &str,
        bytes: &[u8],
        options: &ReadOptions,
        report: &ReadReport,
    ) -> crate::error::Result<()> {
        self.current = Some(Arc::clone(&object.partition));
        let result = for_each_line(name, bytes, options, report, |line, line_no| {
            self.line_no = line_no;
            self.recent.start_line();
            match parse_line(line, line_no, self) {
                Ok(()) => {
                    self.finish_row();
                    Ok(())
                }
                Err(fault) => {
                    self.abort_row();
                    Err(fault)
                }
            }
        });
        for (line, column) in self.pending_conflicts.drain(..) {
            report.record_conflict(KeyConflict {
                key: name.to_owned(),
                line,
                column: self.table.columns[column].name.clone(),
            });
        }
        for key in self.pending_unknown.drain(..) {
            report.record_unknown_key(name, key);
        }
        result.map(|_| ())
    }

    /// For each data column this decoder produces, its slot among `kept`'s columns; `None`
    /// when some column is not kept, so kept rows cannot stand in for the objects.
    pub fn kept_slots(&self, kept: &KeptColumns) -> Option<Vec<usize>> {
        self.column_of_slot
            .iter()
            .map(|&column| kept.slot_of_column(&self.table.columns[column].name))
            .collect()
    }

    /// Appends an object's kept rows instead of decoding its lines (see [`crate::lake::kept`]);
    /// `slots` is [`Self::kept_slots`]. `name` names the object in the conflicts it reports.
    pub fn append_kept(
        &mut self,
        object: &SyncObject,
        name: &str,
        rows: &ObjectRows,
        slots: &[usize],
        report: &ReadReport,
    ) {
        self.current = Some(Arc::clone(&object.partition));
        let mut row = 0;
        while row < rows.rows() {
            let n = KEPT_CHUNK_ROWS
                .min(rows.rows() - row)
                .min(self.batch_size.saturating_sub(self.rows).max(1));
            for (slot, &kept) in slots.iter().enumerate() {
                let data = &mut self.data[slot];
                for r in row..row + n {
                    match rows.value(kept, r) {
                        Some(value) => data.push_text(value),
                        None => data.push_null(),
                    }
                }
            }
            row += n;
            self.end_rows(n);
        }
        for &(line, kept) in rows.conflicts() {
            if let Some(slot) = slots.iter().position(|&s| s == kept) {
                report.record_conflict(KeyConflict {
                    key: name.to_owned(),
                    line,
                    column: self.table.columns[self.column_of_slot[slot]].name.clone(),
                });
            }
        }
    }

    /// Batches completed so far.
    pub fn take_ready(&mut self) -> DfResult<Vec<RecordBatch>> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        Ok(std::mem::take(&mut self.ready))
    }

    /// Rows decoded but not yet in a batch.
    pub fn pending_rows(&self) -> usize {
        self.rows
    }

    /// The rows decoded since the last full batch, if any.
    pub fn finish_batch(&mut self) -> DfResult<Option<RecordBatch>> {
        if self.rows == 0 {
            return Ok(None);
        }
        let rows = self.rows;
        let runs = std::mem::take(&mut self.runs);
        let columns: Vec<ArrayRef> = self
            .outputs
            .iter()
            .map(|output| match *output {
                OutputColumn::Data(slot) => self.data[slot].finish(),
                OutputColumn::Account => repeat_runs(&runs, |p| &p.account_id),
                OutputColumn::Region => repeat_runs(&runs, |p| &p.region),
                OutputColumn::ResourceType => repeat_runs(&runs, |p| &p.resource_type),
            })
            .collect();
        self.rows = 0;
        self.set_in_row.fill(usize::MAX);
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        Ok(Some(RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            columns,
            &options,
        )?))
    }

    fn finish_row(&mut self) {
        let row = self.rows;
        for (slot, column) in self.data.iter_mut().enumerate() {
            if self.set_in_row[slot] != row {
                column.push_null();
            }
        }
        self.end_rows(1);
    }

    /// `n` rows of the current object were appended to every data column: counts them, and
    /// queues a batch once it is full.
    fn end_rows(&mut self, n: usize) {
        self.rows += n;
        let partition = self.current.as_ref().expect("decoding an object");
        match self.runs.last_mut() {
            Some((p, rows)) if Arc::ptr_eq(p, partition) => *rows += n,
            _ => self.runs.push((Arc::clone(partition), n)),
        }
        let full = self.rows >= self.batch_size
            || self
                .data
                .iter()
                .any(|c| c.values.len() > MAX_BATCH_VALUE_BYTES);
        if full {
            match self.finish_batch() {
                Ok(batch) => self.ready.extend(batch),
                Err(e) => self.deferred = Some(e),
            }
        }
    }

    fn abort_row(&mut self) {
        let row = self.rows;
        for (slot, column) in self.data.iter_mut().enumerate() {
            if self.set_in_row[slot] == row {
                column.pop();
                self.set_in_row[slot] = usize::MAX;
            }
        }
    }

    #[inline]
    fn target(&mut self, key: JsonKey<'_>) -> KeyTarget {
        if let Some(target) = self.recent.recall(key.raw) {
            return target;
        }
        let target = self.resolve(key);
        self.recent.remember(key.raw, target);
        target
    }

    #[inline(never)]
    fn resolve(&mut self, key: JsonKey<'_>) -> KeyTarget {
        if let Some(target) = self.targets.get(key.raw) {
            return *target;
        }
        let decoded = key.decoded();
        let target = match self.table.column_of_key(&decoded) {
            Some(column) => self.slot_of_column[column].map_or(KeyTarget::Unread, KeyTarget::Slot),
            None => {
                self.pending_unknown.push(decoded);
                KeyTarget::Unknown
            }
        };
        self.targets.insert(key.raw.into(), target);
        target
    }
}

impl MemberSink for BatchDecoder {
    fn member(&mut self, key: JsonKey<'_>, value: JsonValue<'_>) {
        let KeyTarget::Slot(slot) = self.target(key) else {
            return;
        };
        let row = self.rows;
        let column = &mut self.data[slot];
        if self.set_in_row[slot] == row {
            // A second spelling of the same column on this line (`URL` and `Url`): a value
            // replaces a null; of two different values the first is kept, and that is reported.
            if column.last_is_null() {
                column.pop();
            } else {
                let mut text = Vec::new();
                if value.append_text(&mut text) && text != column.last_value() {
                    self.pending_conflicts
                        .push((self.line_no, self.column_of_slot[slot]));
                }
                return;
            }
        }
        column.push(&value);
        self.set_in_row[slot] = row;
    }
}

/// A growing Arrow string column.
#[derive(Debug)]
struct TextColumn {
    offsets: Vec<i32>,
    values: Vec<u8>,
    validity: BooleanBufferBuilder,
    nulls: usize,
}

impl TextColumn {
    fn new() -> Self {
        TextColumn {
            offsets: vec![0],
            values: Vec::new(),
            validity: BooleanBufferBuilder::new(0),
            nulls: 0,
        }
    }

    fn push(&mut self, value: &JsonValue<'_>) {
        let present = value.append_text(&mut self.values);
        self.offsets.push(self.values.len() as i32);
        self.validity.append(present);
        self.nulls += usize::from(!present);
    }

    /// Appends a value's text as it is.
    fn push_text(&mut self, text: &[u8]) {
        self.values.extend_from_slice(text);
        self.offsets.push(self.values.len() as i32);
        self.validity.append(true);
    }

    fn push_null(&mut self) {
        self.offsets.push(self.values.len() as i32);
        self.validity.append(false);
        self.nulls += 1;
    }

    fn pop(&mut self) {
        if self.last_is_null() {
            self.nulls -= 1;
        }
        self.offsets.pop();
        self.values
            .truncate(*self.offsets.last().expect("offsets start at 0") as usize);
        self.validity.truncate(self.validity.len() - 1);
    }

    fn last_is_null(&self) -> bool {
        !self.validity.get_bit(self.validity.len() - 1)
    }

    fn last_value(&self) -> &[u8] {
        let n = self.offsets.len();
        &self.values[self.offsets[n - 2] as usize..self.offsets[n - 1] as usize]
    }

    fn finish(&mut self) -> ArrayRef {
        let offsets = std::mem::replace(&mut self.offsets, vec![0]);
        let values = std::mem::take(&mut self.values);
        let validity = self.validity.finish();
        let nulls = (std::mem::take(&mut self.nulls) > 0).then(|| NullBuffer::new(validity));
        // Values are slices of UTF-8-validated objects or decoded escapes; `new` re-checks.
        Arc::new(StringArray::new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(values),
            nulls,
        ))
    }
}

/// A string column repeating each run's partition value.
fn repeat_runs(
    runs: &[(Arc<Partition>, usize)],
    value: impl Fn(&Partition) -> &String,
) -> ArrayRef {
    let rows: usize = runs.iter().map(|(_, n)| *n).sum();
    let bytes: usize = runs.iter().map(|(p, n)| value(p).len() * n).sum();
    let mut builder = arrow::array::StringBuilder::with_capacity(rows, bytes);
    for (partition, n) in runs {
        let text = value(partition);
        for _ in 0..*n {
            builder.append_value(text);
        }
    }
    Arc::new(builder.finish())
}
#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lake::catalog::{ObjectKeys, merge_keys};
    use arrow::array::AsArray;
    use chrono::Utc;

    fn table(keys: &[&str]) -> Arc<TableDef> {
        let object = ObjectKeys {
            keys: Arc::new(keys.iter().map(|k| (*k).to_owned()).collect()),
            lines: 0,
        };
        Arc::new(merge_keys("AWS:Application", [&object]))
    }

    /// An `AWS:Application` object of `account`, for tests.
    pub(crate) fn object(account: &str) -> SyncObject {
        SyncObject {
            location: format!(
                "AWS:Application/accountid={account}/region=r/resourcetype=M/i-1.json"
            )
            .into(),
            size: 1,
            last_modified: Utc::now(),
            e_tag: None,
            version: None,
            partition: Arc::new(Partition {
                account_id: account.into(),
                region: "r".into(),
                resource_type: "M".into(),
            }),
        }
    }

    fn decode(
        table: &Arc<TableDef>,
        columns: &[&str],
        objects: &[(&SyncObject, &str)],
        skip: bool,
    ) -> (Vec<RecordBatch>, ReadReport) {
        let projection: Vec<usize> = columns
            .iter()
            .map(|c| table.schema.index_of(c).unwrap())
            .collect();
        let mut decoder = BatchDecoder::new(Arc::clone(table), &projection, 3);
        let report = ReadReport::default();
        let options = ReadOptions {
            skip_bad_lines: skip,
            ..ReadOptions::default()
        };
        for (object, body) in objects {
            let name = object.location.to_string();
            decoder
                .decode_object(object, &name, body.as_bytes(), &options, &report)
                .unwrap();
        }
        let mut batches = decoder.take_ready().unwrap();
        batches.extend(decoder.finish_batch().unwrap());
        (batches, report)
    }

    fn column(batches: &[RecordBatch], index: usize) -> Vec<Option<String>> {
        batches
            .iter()
            .flat_map(|b| {
                b.column(index)
                    .as_string::<i32>()
                    .iter()
                    .map(|v| v.map(str::to_owned))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn lines_become_rows_with_nulls_for_absent_keys() {
        let t = table(&["Name", "Version", "Epoch"]);
        let a = object("111");
        let b = object("222");
        let (batches, _) = decode(
            &t,
            &["name", "epoch", "accountid"],
            &[
                (
                    &a,
                    "{\"Name\":\"bash\",\"Version\":\"5\"}\n{\"Name\":\"zsh\",\"Epoch\":\"1\"}\n",
                ),
                (&b, ""),
                (
                    &b,
                    "\n{\"Epoch\":null,\"Name\":\"vim\"}\r\n{}\n{\"Name\":\"\"}",
                ),
            ],
            false,
        );
        assert_eq!(
            batches
                .iter()
                .map(RecordBatch::num_rows)
                .collect::<Vec<_>>(),
            vec![3, 2]
        );
        assert_eq!(
            column(&batches, 0),
            vec![s("bash"), s("zsh"), s("vim"), None, s("")]
        );
        assert_eq!(column(&batches, 1), vec![None, s("1"), None, None, None]);
        assert_eq!(
            column(&batches, 2),
            vec![s("111"), s("111"), s("222"), s("222"), s("222")]
        );
    }

    #[test]
    fn only_row_counts_when_nothing_is_projected() {
        let t = table(&["Name"]);
        let a = object("111");
        let (batches, _) = decode(
            &t,
            &[],
            &[(&a, "{\"Name\":\"a\"}\n{\"Name\":\"b\"}\n\n{}")],
            false,
        );
        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 3);
        assert_eq!(batches[0].num_columns(), 0);
    }

    #[test]
    fn case_variants_fill_one_column_and_conflicts_are_reported() {
        let t = table(&["URL", "Url", "Name"]);
        let a = object("111");
        let body = concat!(
            "{\"Name\":\"a\",\"URL\":\"https://x\"}\n",
            "{\"Name\":\"b\",\"Url\":\"https://y\"}\n",
            "{\"Name\":\"c\",\"URL\":null,\"Url\":\"https://z\"}\n",
            "{\"Name\":\"d\",\"URL\":\"https://1\",\"Url\":\"https://2\"}\n",
            "{\"Name\":\"e\",\"URL\":\"https://same\",\"Url\":\"https://same\"}\n",
        );
        let (batches, report) = decode(&t, &["url", "name"], &[(&a, body)], false);
        assert_eq!(
            column(&batches, 0),
            vec![
                s("https://x"),
                s("https://y"),
                s("https://z"),
                s("https://1"),
                s("https://same")
            ]
        );
        let conflicts = report.conflicts();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            (conflicts[0].line, conflicts[0].column.as_str()),
            (4, "url")
        );
    }

    #[test]
    fn a_skipped_bad_line_leaves_no_partial_row() {
        let t = table(&["Name", "Version"]);
        let a = object("111");
        let body = "{\"Name\":\"a\",\"Version\":\"1\"}\n{\"Name\":\"b\",\"Version\":2,}\n{\"Name\":\"c\"}\n";
        let (batches, report) = decode(&t, &["name", "version"], &[(&a, body)], true);
        assert_eq!(column(&batches, 0), vec![s("a"), s("c")]);
        assert_eq!(column(&batches, 1), vec![s("1"), None]);
        assert_eq!(report.bad_lines().len(), 1);
        assert_eq!(report.bad_lines()[0].fault.line, 2);
    }

    #[test]
    fn keys_the_table_lacks_are_reported() {
        let t = table(&["Name"]);
        let a = object("111");
        let (batches, report) = decode(
            &t,
            &["name"],
            &[(&a, "{\"Name\":\"a\",\"New\":\"x\"}")],
            false,
        );
        assert_eq!(column(&batches, 0), vec![s("a")]);
        assert_eq!(
            report.unknown_keys(),
            vec![(a.location.to_string(), "New".to_owned())]
        );
    }

    #[test]
    fn non_string_values_keep_their_text() {
        let t = table(&["CostCenter", "Flags", "Owner", "Tags"]);
        let a = object("111");
        let body = r#"{"CostCenter":4711,"Flags":true,"Owner":null,"Tags":{"team":["a","b"]}}"#;
        let (batches, _) = decode(
            &t,
            &["costcenter", "flags", "owner", "tags"],
            &[(&a, body)],
            false,
        );
        assert_eq!(column(&batches, 0), vec![s("4711")]);
        assert_eq!(column(&batches, 1), vec![s("true")]);
        assert_eq!(column(&batches, 2), vec![None]);
        assert_eq!(column(&batches, 3), vec![s(r#"{"team":["a","b"]}"#)]);
    }
}
