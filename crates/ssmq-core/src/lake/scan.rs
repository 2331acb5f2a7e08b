//! The scan: objects of one table in, Arrow record batches of the projected columns out.
//!
//! [`SyncScanExec`] is the DataFusion leaf that the table provider returns. Each of its output
//! partitions reads its share of the objects (a bounded number fetched at once) and decodes
//! their lines with the [`BatchDecoder`] of `decode`; an object whose rows the learning pass
//! kept ([`crate::lake::kept`]) is not read again: its kept rows are appended instead.

use std::fmt;
use std::sync::{Arc, Mutex};

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result as DfResult};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchReceiverStreamBuilder;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning,
    PlanProperties, ReplaceChildrenOptions,
};
use futures::{StreamExt, stream};

use crate::error::Error;
use crate::lake::catalog::TableDef;
use crate::lake::decode::BatchDecoder;
use crate::lake::discover::SyncObject;
use crate::lake::kept::{KeptColumns, KeptRows, ObjectRows};
use crate::lake::read::{ReadOptions, ReadReport, fetch};
use crate::source::LakeStore;

/// Reads a table's objects into record batches.
#[derive(Debug)]
pub struct SyncScanExec {
    table: Arc<TableDef>,
    store: LakeStore,
    /// Objects per output partition.
    groups: Vec<Vec<SyncObject>>,
    /// Per output partition, the kept rows of its objects (in the order of `groups`), taken
    /// by its first execution; `None` where the objects are read.
    kept: Vec<Mutex<Option<Vec<Option<ObjectRows>>>>>,
    kept_columns: Option<Arc<KeptColumns>>,
    /// Indices into the table's columns, in output order.
    projection: Vec<usize>,
    limit: Option<usize>,
    options: ReadOptions,
    report: Arc<ReadReport>,
    /// Objects of the table before partition filters, for EXPLAIN.
    listed_objects: usize,
    properties: Arc<PlanProperties>,
}

impl SyncScanExec {
    /// A scan of `objects` (already pruned) spread over up to `partitions` output partitions;
    /// `kept` holds rows of them the learning pass kept, which must cover the projection.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        table: Arc<TableDef>,
        store: LakeStore,
        objects: Vec<SyncObject>,
        listed_objects: usize,
        projection: Vec<usize>,
        limit: Option<usize>,
        partitions: usize,
        options: ReadOptions,
        report: Arc<ReadReport>,
        mut kept: Option<KeptRows>,
    ) -> Self {
        let groups = balance(objects, partitions);
        let kept_columns = kept.as_ref().map(|k| Arc::clone(k.columns()));
        let kept = groups
            .iter()
            .map(|group| {
                let rows = kept.as_mut().map(|kept| {
                    group
                        .iter()
                        .map(|object| kept.take(&object.location))
                        .collect()
                });
                Mutex::new(rows)
            })
            .collect();
        let schema = Arc::new(
            table
                .schema
                .project(&projection)
                .expect("projection within the table"),
        );
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema),
            Partitioning::UnknownPartitioning(groups.len()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        SyncScanExec {
            table,
            store,
            groups,
            kept,
            kept_columns,
            projection,
            limit,
            options,
            report,
            listed_objects,
            properties: Arc::new(properties),
        }
    }

    fn object_count(&self) -> usize {
        self.groups.iter().map(Vec::len).sum()
    }
}

/// Spreads objects over at most `partitions` groups of similar total size, largest first.
fn balance(mut objects: Vec<SyncObject>, partitions: usize) -> Vec<Vec<SyncObject>> {
    let groups = partitions.clamp(1, objects.len().max(1));
    objects.sort_by(|a, b| {
        b.size
            .cmp(&a.size)
            .then_with(|| a.location.cmp(&b.location))
    });
    let mut out: Vec<(u64, Vec<SyncObject>)> = (0..groups).map(|_| (0, Vec::new())).collect();
    for object in objects {
        let lightest = out
            .iter_mut()
            .min_by_key(|(size, _)| *size)
            .expect("at least one group");
        lightest.0 += object.size;
        lightest.1.push(object);
    }
    out.into_iter().map(|(_, group)| group).collect()
}

impl DisplayAs for SyncScanExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let columns: Vec<&str> = self
            .projection
            .iter()
            .map(|&i| self.table.columns[i].name.as_str())
            .collect();
        match t {
            DisplayFormatType::Default | DisplayFormatType::Verbose => {
                write!(
                    f,
                    "SyncScanExec: table={}, objects={} of {}, projection=[{}]",
                    self.table.name,
                    self.object_count(),
                    self.listed_objects,
                    columns.join(", ")
                )?;
                if let Some(limit) = self.limit {
                    write!(f, ", limit={limit}")?;
                }
                if self.kept_columns.is_some() {
                    write!(f, ", from=kept rows")?;
                }
                Ok(())
            }
            DisplayFormatType::TreeRender => {
                writeln!(f, "table={}", self.table.name)?;
                write!(
                    f,
                    "objects={} of {}",
                    self.object_count(),
                    self.listed_objects
                )
            }
        }
    }
}

impl ExecutionPlan for SyncScanExec {
    fn name(&self) -> &'static str {
        "SyncScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    #[allow(deprecated)]
    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        let objects = self.groups.get(partition).cloned().ok_or_else(|| {
            DataFusionError::Internal(format!("SyncScanExec has no partition {partition}"))
        })?;
        let mut decoder = BatchDecoder::new(
            Arc::clone(&self.table),
            &self.projection,
            context.session_config().batch_size(),
        );
        let store = self.store.clone();
        let options = self.options.clone();
        let report = Arc::clone(&self.report);
        let limit = self.limit;
        // Kept rows, where this partition has them and they give every column decoded here.
        let kept_slots = self
            .kept_columns
            .as_ref()
            .and_then(|columns| decoder.kept_slots(columns));
        let taken = self.kept[partition]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .filter(|_| kept_slots.is_some());
        let kept_rows: Vec<Option<ObjectRows>> =
            taken.unwrap_or_else(|| objects.iter().map(|_| None).collect());

        let mut builder = RecordBatchReceiverStreamBuilder::new(self.schema(), 2);
        let tx = builder.tx();
        builder.spawn(async move {
            let concurrency = options.read_concurrency.max(1);
            let mut fetched = stream::iter(objects.into_iter().zip(kept_rows))
                .map(|(object, kept)| {
                    let (store, options, report) =
                        (store.clone(), options.clone(), Arc::clone(&report));
                    async move {
                        let rows = match kept {
                            Some(rows) => ObjectData::Kept(rows),
                            None => match fetch(&store, &object, &options, &report).await? {
                                Some(bytes) => ObjectData::Bytes(bytes),
                                None => ObjectData::Unreadable,
                            },
                        };
                        Ok::<_, Error>((object, rows))
                    }
                })
                .buffered(concurrency);
            let mut emitted = 0;
            while let Some(next) = fetched.next().await {
                let (object, data) = next.map_err(external)?;
                let name = store.name(&object.location);
                match data {
                    ObjectData::Kept(rows) => {
                        let slots = kept_slots.as_deref().expect("kept rows cover the columns");
                        decoder.append_kept(&object, &name, &rows, slots, &report);
                    }
                    ObjectData::Bytes(bytes) => decoder
                        .decode_object(&object, &name, &bytes, &options, &report)
                        .map_err(external)?,
                    ObjectData::Unreadable => continue, // skipped and recorded
                }
                for batch in decoder.take_ready()? {
                    emitted += batch.num_rows();
                    if tx.send(Ok(batch)).await.is_err() {
                        return Ok(()); // the consumer went away (LIMIT satisfied, or cancelled)
                    }
                }
                if limit.is_some_and(|limit| emitted + decoder.pending_rows() >= limit) {
                    break;
                }
            }
            if let Some(batch) = decoder.finish_batch()? {
                let _ = tx.send(Ok(batch)).await;
            }
            Ok(())
        });
        Ok(builder.build())
    }
}

/// What the scan has of one object: its kept rows or its bytes.
enum ObjectData {
    Kept(ObjectRows),
    Bytes(bytes::Bytes),
    /// Could not be read; skipped and recorded.
    Unreadable,
}

fn external(error: Error) -> DataFusionError {
    DataFusionError::External(Box::new(error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::decode::tests::object;

    #[test]
    fn balance_spreads_by_size() {
        let mut objects: Vec<SyncObject> = (0..6).map(|_| object("1")).collect();
        for (i, o) in objects.iter_mut().enumerate() {
            o.size = [100, 1, 1, 50, 49, 1][i];
        }
        let groups = balance(objects, 2);
        let sizes: Vec<u64> = groups
            .iter()
            .map(|g| g.iter().map(|o| o.size).sum())
            .collect();
        assert_eq!(sizes, vec![101, 101]);
        assert_eq!(balance(Vec::new(), 4).len(), 1);
        assert_eq!(balance(vec![object("1")], 4).len(), 1);
    }
}
