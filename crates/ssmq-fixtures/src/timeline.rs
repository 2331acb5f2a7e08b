//! A fleet evolving day by day, with the truth of every patch item's failing run.
//!
//! In: a [`TimelineSpec`] (the lake of day 0, how many days follow, how many nodes are
//! launched over them). Out: a [`Timeline`] of [`Day`]s, each the nodes whose objects the sync
//! bucket holds that day ([`Day::objects`] renders them) and, for every patch item not
//! compliant that day, its [`FailingRun`]: the `ExecutionTime` of the patch scan that first
//! found it failing in its unbroken run of scans, and whether that run began before day 0
//! (so a reader that saw the lake from day 0 on cannot know its true age).
//!
//! Each day, every node that is not terminated may:
//! - be scanned (its compliance object is rewritten with a new `ExecutionTime`); at a scan a
//!   newly released patch may be found missing (a compliant item goes `Missing`, with a new
//!   title), and a patch window may install what is missing (`Installed`, or `Failed`); a
//!   patch fixed and released again starts a new run;
//! - have its SSM Agent upgraded (a new inventory capture: every inventory object changes);
//! - be terminated (its status becomes `Terminated`; two days later its objects go).
//!
//! Some days a new node is launched, found at its first scan that day. Objects written on a
//! day are written at [`Day::written_at`]; a sync of the day runs at [`Day::synced_at`].
//! Everything is a pure function of the spec.

use std::collections::BTreeMap;

use crate::model::{NodeModel, patch_status};
use crate::rng::Rng;
use crate::time::iso8601;
use crate::{Fleet, LakeObject, LakeSpec, key_prefix, render, sample};

/// The agent version upgrades install.
pub const UPGRADED_AGENT: &str = "3.3.1802.0";

/// A fleet to evolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineSpec {
    /// The lake of day 0 (its nodes are the fleet then).
    pub lake: LakeSpec,
    /// Days after day 0.
    pub days: usize,
    /// Nodes launched over those days (one every third day at most).
    pub launched: usize,
}

/// The truth about one patch item that is not compliant on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingRun {
    /// `ExecutionTime` of the scan that first found it failing in its unbroken run.
    pub first_scan: String,
    /// The run began at or before day 0's scan: its true start is older than the lake shows.
    pub before_day_zero: bool,
}

/// The sync bucket on one day.
#[derive(Debug, Clone)]
pub struct Day {
    /// 0 for the lake the timeline starts from.
    pub number: usize,
    /// Epoch seconds at which the objects changed that day were written.
    pub written_at: i64,
    /// Epoch seconds at which a sync of the day runs (after every write of the day).
    pub synced_at: i64,
    /// The nodes whose objects the bucket holds, in index order.
    pub nodes: Vec<NodeModel>,
    /// Per (node id, patch id), the failing run of every item not compliant that day.
    pub failing: BTreeMap<(String, String), FailingRun>,
    prefix: String,
    extras: Vec<LakeObject>,
}

impl Day {
    /// Every object in the bucket that day: the extras of day 0's lake, then each node's.
    pub fn objects(&self) -> Vec<LakeObject> {
        let mut objects = self.extras.clone();
        let mut body = Vec::new();
        for node in &self.nodes {
            render::render_node(node, &self.prefix, &mut body, |key, bytes| {
                objects.push(LakeObject {
                    key: key.to_owned(),
                    body: bytes.to_vec(),
                });
                Ok::<(), std::convert::Infallible>(())
            })
            .unwrap_or_else(|never| match never {});
        }
        objects
    }

    /// `YYYY-MM-DD` of the day.
    pub fn date(&self) -> String {
        iso8601(self.written_at)[..10].to_owned()
    }
}

/// Days 0 to `spec.days` of a fleet.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// In order, day 0 first.
    pub days: Vec<Day>,
}

/// Seconds in a day.
const DAY: i64 = 86_400;

impl Timeline {
    /// Evolves the lake of `spec.lake` for `spec.days` days.
    pub fn new(spec: &TimelineSpec) -> Timeline {
        let initial = spec.lake.nodes;
        let mut whole = spec.lake.clone();
        whole.nodes = initial + spec.launched;
        let fleet = Fleet::new(&whole);
        let day_zero = fleet.as_of;
        let mut nodes: Vec<NodeModel> = (0..initial).map(|i| fleet.node(i)).collect();
        let mut failing = BTreeMap::new();
        for node in &nodes {
            observe(node, None, false, &mut failing);
        }
        let first = Day {
            number: 0,
            written_at: day_zero,
            synced_at: day_zero + 6 * 3600,
            nodes: nodes.clone(),
            failing: failing.clone(),
            prefix: key_prefix(&whole),
            extras: sample::extra_objects(&fleet),
        };
        let mut days = vec![first];
        let mut terminated_on: BTreeMap<String, usize> = BTreeMap::new();
        let mut next_launch = initial;
        for number in 1..=spec.days {
            let start = day_zero + number as i64 * DAY;
            let written_at = start + 3 * 3600;
            // Objects of nodes terminated two days ago go.
            nodes.retain(|n| {
                terminated_on
                    .get(&n.node_id)
                    .is_none_or(|day| number < day + 2)
            });
            failing.retain(|(node, _), _| nodes.iter().any(|n| &n.node_id == node));
            for node in nodes.iter_mut() {
                if terminated_on.contains_key(&node.node_id) {
                    continue;
                }
                let mut rng =
                    Rng::derive(spec.lake.seed, node.index as u64, &format!("day {number}"));
                if node.instance_status.as_deref() == Some("Terminated") {
                    terminated_on.insert(node.node_id.clone(), number);
                    continue;
                }
                if rng.percent(8) && node.agent_version != UPGRADED_AGENT {
                    node.agent_version = UPGRADED_AGENT.to_owned();
                    node.capture_time = iso8601(written_at);
                }
                if rng.percent(4) {
                    node.instance_status = Some("Terminated".to_owned());
                    node.capture_time = iso8601(written_at);
                    terminated_on.insert(node.node_id.clone(), number);
                    continue;
                }
                if node.patch_run.is_some() && rng.percent(60) {
                    let before = node.clone();
                    let end = start + 3600 + (node.index % 50) as i64 * 60;
                    scan(node, &mut rng, end, day_zero, number);
                    observe(node, Some(&before), true, &mut failing);
                }
            }
            if number % 3 == 1 && next_launch < fleet.len() {
                let mut node = fleet.node(next_launch);
                next_launch += 1;
                node.capture_time = iso8601(written_at);
                if node.instance_status.as_deref() == Some("Terminated") {
                    node.instance_status = Some("Active".to_owned());
                }
                if let Some(run) = &mut node.patch_run {
                    let end = start + 2 * 3600;
                    run.operation_start_time = iso8601(end - 600);
                    run.operation_end_time = iso8601(end);
                }
                observe(&node, None, true, &mut failing);
                nodes.push(node);
            }
            days.push(Day {
                number,
                written_at,
                synced_at: start + 6 * 3600,
                nodes: nodes.clone(),
                failing: failing.clone(),
                prefix: days[0].prefix.clone(),
                extras: days[0].extras.clone(),
            });
        }
        Timeline { days }
    }
}

/// A patch scan of `node` ending at `end` on day `number` after `day_zero`: a released patch
/// may be found missing, and a patch window may install what is missing.
fn scan(node: &mut NodeModel, rng: &mut Rng, end: i64, day_zero: i64, number: usize) {
    let run = node.patch_run.as_mut().expect("a node with patch data");
    run.operation_start_time = iso8601(end - 600);
    run.operation_end_time = iso8601(end);
    let compliant: Vec<usize> = node
        .patches
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.state, "Installed" | "InstalledOther"))
        .map(|(i, _)| i)
        .collect();
    // Half the releases are of a patch this timeline installed (fixed, then missing again).
    let reinstalled: Vec<usize> = compliant
        .iter()
        .copied()
        .filter(|i| node.patches[*i].installed_time >= iso8601(day_zero))
        .collect();
    let pool = if !reinstalled.is_empty() && rng.percent(50) {
        &reinstalled
    } else {
        &compliant
    };
    if !pool.is_empty() && rng.percent(35) {
        let patch = &mut node.patches[pool[rng.below(pool.len())]];
        patch.state = "Missing";
        patch.status = patch_status("Missing");
        patch.installed_time = String::new();
        patch.title = format!(
            "{} (release {number})",
            patch.title.split(" (release").next().unwrap_or_default()
        );
        if patch.severity.is_empty() {
            patch.severity = "HIGH";
        }
    }
    if rng.percent(20) {
        for patch in &mut node.patches {
            if patch.status == "NON_COMPLIANT" {
                patch.state = if rng.percent(85) {
                    "Installed"
                } else {
                    "Failed"
                };
                patch.status = patch_status(patch.state);
                if patch.state == "Installed" {
                    patch.installed_time = iso8601(end - 300);
                }
            }
        }
    }
}

/// Updates `failing` with what a scan of `node` shows: an item failing now and at the node's
/// previous scan (`before`) keeps its run; one failing newly starts a run at this scan (a
/// run seen in the lake of day 0 is `before_day_zero` unless `later`).
fn observe(
    node: &NodeModel,
    before: Option<&NodeModel>,
    later: bool,
    failing: &mut BTreeMap<(String, String), FailingRun>,
) {
    let Some(run) = &node.patch_run else {
        return;
    };
    for patch in &node.patches {
        let key = (node.node_id.clone(), patch.id.clone());
        if patch.status != "NON_COMPLIANT" {
            failing.remove(&key);
            continue;
        }
        let failed_before = before.is_some_and(|b| {
            b.patches
                .iter()
                .any(|p| p.id == patch.id && p.status == "NON_COMPLIANT")
        });
        if !failed_before {
            failing.insert(
                key,
                FailingRun {
                    first_scan: run.operation_end_time.clone(),
                    before_day_zero: !later,
                },
            );
        }
    }
}
