//! Deterministic generator of AWS Systems Manager resource data sync lakes.
//!
//! What comes in: a [`LakeSpec`] (number of nodes, seed, [`Profile`], optional key prefix).
//! What goes out: the objects of a sync bucket laid out exactly as the sync writes them
//! (`[<prefix>/]<TypeName>/accountid=<id>/region=<region>/resourcetype=ManagedInstanceInventory/<node>.json`,
//! one NDJSON object per type and node), either as an iterator of [`LakeObject`]s ([`objects`])
//! or as files in a directory ([`write_lake`]), plus the ground truth tests compare readers
//! against: the [`NodeModel`]s every object is rendered from ([`nodes`]) and a [`LakeSummary`] of
//! objects, rows, bytes, accounts and Regions per type ([`summarize`]).
//!
//! ```text
//! LakeSpec -> Fleet (accounts, Regions, node ids)      fleet.rs, sample.rs
//!          -> NodeModel per node (own random streams)   build.rs, build/patches.rs, catalog/
//!          -> objects (key, NDJSON body, quirks)        render.rs, json.rs
//!          -> files in a directory, in parallel         write.rs
//!          -> LakeSummary                               summary.rs
//!          -> Timeline: the fleet day by day             timeline.rs
//! ```
//!
//! Everything is a pure function of the spec: the same spec gives the same bytes on any
//! machine, with any number of threads. Randomness is a built-in SplitMix64 seeded per node
//! (no `rand` crate), so the committed fixtures never change because a dependency did.
//!
//! Three profiles: [`Profile::Sample`] is the small, readable lake committed under
//! `fixtures/sample`, full of the quirks a reader must survive (probe files, stray files, an
//! empty object, BOM, CRLF, blank lines, non-string custom values); [`Profile::Realistic`] has
//! real-fleet line counts (hundreds of applications and patch items per node) for benchmarks,
//! and [`Profile::Minimal`] the same fleet with small objects (tens of applications, few
//! patches), where the cost per object shows.

mod build;
mod catalog;
mod fleet;
mod json;
mod malformed;
mod model;
mod render;
mod rng;
mod sample;
mod summary;
mod time;
mod timeline;
mod write;

pub use fleet::Fleet;
pub use malformed::malformed_lake;
pub use model::{
    ApplicationModel, AssociationModel, ComplianceCounts, ComponentModel, CustomValue,
    DetailedInformationModel, FileModel, NON_COMPLIANT_PATCH_STATES, NetworkInterfaceModel,
    NodeModel, NodeQuirks, Os, PatchModel, PatchRunModel, RegistryValueModel, ResourceGroupModel,
    SEVERITIES, ServiceModel, TagModel, WindowsRoleModel, WindowsUpdateModel, patch_status,
};
pub use render::TYPE_NAMES;
pub use summary::{
    InventoryKey, LakeSummary, NOT_FULL_DEPTH, NOT_JSON, SkippedObject, TypeSummary, count_lines,
    parse_inventory_key, summarize,
};
pub use timeline::{Day, FailingRun, Timeline, TimelineSpec, UPGRADED_AGENT};
pub use write::write_lake;

use std::collections::VecDeque;

/// The "now" that capture times of every generated lake are relative to.
pub const SAMPLE_AS_OF: &str = "2026-11-01T00:00:00Z";

/// Number of nodes of the committed Sample lake.
pub const SAMPLE_NODES: usize = 16;

/// Seed of the committed Sample lake.
pub const SAMPLE_SEED: u64 = 2026;

/// Seed of [`LakeSpec::realistic`].
pub const REALISTIC_SEED: u64 = 42;

/// What kind of lake to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Small line counts, a hand-designed fleet of 16 archetypes (cycled for more nodes) over
    /// three accounts, and every reader-hostile quirk.
    Sample,
    /// Real-fleet line counts and population; the only non-inventory objects are the probes.
    Realistic,
    /// The Realistic population with small objects: tens of applications per node, few
    /// patches, services and updates, as container hosts and minimal images have.
    Minimal,
}

/// A lake to generate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LakeSpec {
    /// Number of managed nodes.
    pub nodes: usize,
    /// Seed of all randomness.
    pub seed: u64,
    /// Kind of lake.
    pub profile: Profile,
    /// Key prefix (`ResourceDataSync`, `a/b`); `None` puts the data at the bucket root.
    pub prefix: Option<String>,
}

impl LakeSpec {
    /// The committed `fixtures/sample` lake: 16 nodes, Sample profile, fixed seed, no prefix.
    pub fn sample() -> Self {
        LakeSpec {
            nodes: SAMPLE_NODES,
            seed: SAMPLE_SEED,
            profile: Profile::Sample,
            prefix: None,
        }
    }

    /// A Realistic lake of `nodes` nodes with the fixed [`REALISTIC_SEED`].
    pub fn realistic(nodes: usize) -> Self {
        LakeSpec {
            nodes,
            seed: REALISTIC_SEED,
            profile: Profile::Realistic,
            prefix: None,
        }
    }

    /// A Minimal lake (small objects) of `nodes` nodes with the fixed [`REALISTIC_SEED`].
    pub fn minimal(nodes: usize) -> Self {
        LakeSpec {
            profile: Profile::Minimal,
            ..LakeSpec::realistic(nodes)
        }
    }

    /// The same lake under a key prefix.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }
}

/// One object of a lake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeObject {
    /// Key relative to the bucket root (prefix included), `/`-separated.
    pub key: String,
    /// The object's bytes.
    pub body: Vec<u8>,
}

/// The prefix in front of every key: `""` or `"<prefix>/"` (surrounding slashes ignored).
pub(crate) fn key_prefix(spec: &LakeSpec) -> String {
    match spec.prefix.as_deref().map(|p| p.trim_matches('/')) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}/"),
        _ => String::new(),
    }
}

/// The models of all nodes of `spec`, in index order. Holds them all in memory: for large
/// lakes use [`Fleet::node`] one index at a time instead.
pub fn nodes(spec: &LakeSpec) -> Vec<NodeModel> {
    let fleet = Fleet::new(spec);
    (0..fleet.len()).map(|index| fleet.node(index)).collect()
}

/// Every object of the lake of `spec`, lazily, node by node: first the non-inventory extras
/// (probe files, and for the Sample profile a stray and a non-JSON file), then each node's
/// objects in type order. Only one node's objects are held at a time.
pub fn objects(spec: &LakeSpec) -> impl Iterator<Item = LakeObject> + use<> {
    let fleet = Fleet::new(spec);
    let pending: VecDeque<LakeObject> = sample::extra_objects(&fleet).into();
    LakeObjects {
        prefix: key_prefix(spec),
        fleet,
        next_node: 0,
        pending,
        body: Vec::new(),
    }
}

/// Iterator behind [`objects`].
struct LakeObjects {
    fleet: Fleet,
    prefix: String,
    next_node: usize,
    pending: VecDeque<LakeObject>,
    body: Vec<u8>,
}

impl Iterator for LakeObjects {
    type Item = LakeObject;

    fn next(&mut self) -> Option<LakeObject> {
        while self.pending.is_empty() && self.next_node < self.fleet.len() {
            let node = self.fleet.node(self.next_node);
            self.next_node += 1;
            let pending = &mut self.pending;
            render::render_node(&node, &self.prefix, &mut self.body, |key, body| {
                pending.push_back(LakeObject {
                    key: key.to_owned(),
                    body: body.to_vec(),
                });
                Ok::<(), std::convert::Infallible>(())
            })
            .unwrap_or_else(|never| match never {});
        }
        self.pending.pop_front()
    }
}
