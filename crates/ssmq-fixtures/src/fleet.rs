//! The fleet: which accounts and Regions a lake spans and where each node lives.
//!
//! In: a [`LakeSpec`]. Out: a [`Fleet`] that knows every node's identity (account, Region,
//! node id) up front, because one fact depends on all of them: which node owns the
//! lexicographically last `AWS:Application` object (it carries the key only it has). Identities
//! are cheap (a few dozen bytes per node); full [`NodeModel`]s are built on demand, one at a time.

use crate::build::build_node;
use crate::catalog::REGIONS;
use crate::model::NodeModel;
use crate::rng::{Rng, mix};
use crate::sample::{SAMPLE_ACCOUNTS, sample_archetype};
use crate::{LakeSpec, Profile};

/// An account of the fleet and the Regions it has nodes in.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) id: String,
    /// The first Region is the account's primary one and holds most of its nodes.
    pub(crate) regions: Vec<&'static str>,
}

/// Where a node lives and what it is called.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) account: usize,
    pub(crate) region: &'static str,
    pub(crate) node_id: String,
    pub(crate) hybrid: bool,
}

/// A lake's fleet: accounts, Regions and node identities, from which nodes are built.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub(crate) spec: LakeSpec,
    pub(crate) accounts: Vec<Account>,
    pub(crate) identities: Vec<Identity>,
    /// The node whose `AWS:Application` object sorts last by key (every node has one).
    pub(crate) last_application_node: Option<usize>,
    /// "Now" for this lake, in epoch seconds.
    pub(crate) as_of: i64,
}

impl Fleet {
    /// Plans the fleet of `spec`: O(nodes) work and memory, no node is built yet.
    pub fn new(spec: &LakeSpec) -> Self {
        let accounts = match spec.profile {
            Profile::Sample => SAMPLE_ACCOUNTS
                .iter()
                .map(|(id, regions)| Account {
                    id: (*id).to_owned(),
                    regions: regions.to_vec(),
                })
                .collect(),
            Profile::Realistic | Profile::Minimal => realistic_accounts(spec),
        };
        let identities: Vec<Identity> = (0..spec.nodes)
            .map(|index| identity(spec, &accounts, index))
            .collect();
        let last_application_node = identities
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| {
                let key = |identity: &Identity| {
                    (
                        accounts[identity.account].id.clone(),
                        identity.region,
                        identity.node_id.clone(),
                    )
                };
                key(a).cmp(&key(b))
            })
            .map(|(index, _)| index);
        let as_of = crate::time::parse_iso8601(crate::SAMPLE_AS_OF)
            .expect("SAMPLE_AS_OF is a valid timestamp");
        Fleet {
            spec: spec.clone(),
            accounts,
            identities,
            last_application_node,
            as_of,
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.identities.len()
    }

    /// True for a lake without nodes.
    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
    }

    /// The spec the fleet was planned from.
    pub fn spec(&self) -> &LakeSpec {
        &self.spec
    }

    /// Builds node `index` (`< len()`); the same node whatever else was built before.
    pub fn node(&self, index: usize) -> NodeModel {
        build_node(self, index)
    }

    /// Account ids of the fleet, in planning order.
    pub fn account_ids(&self) -> impl Iterator<Item = &str> {
        self.accounts.iter().map(|account| account.id.as_str())
    }
}

/// Realistic fleets have about one account per 500 nodes (at least two once there are two
/// nodes, so account pruning is testable on small lakes), each in 2-6 Regions.
fn realistic_accounts(spec: &LakeSpec) -> Vec<Account> {
    let mut rng = Rng::derive(spec.seed, 0, "accounts");
    let count = spec.nodes.div_ceil(500).max(spec.nodes.min(2)).max(1);
    let mut seen = std::collections::BTreeSet::new();
    let mut accounts = Vec::with_capacity(count);
    while accounts.len() < count {
        // About one account in eight starts with 0: ids are strings, never integers.
        let first_digit = if rng.percent(12) { 0 } else { rng.range(1, 9) };
        let id = format!("{first_digit}{:011}", rng.next_u64() % 100_000_000_000);
        if !seen.insert(id.clone()) {
            continue;
        }
        let region_count = rng.range(2, 6);
        let regions = rng.choose_indices(REGIONS.len(), region_count);
        let mut regions: Vec<&'static str> = regions.into_iter().map(|i| REGIONS[i]).collect();
        // Rotate so the primary Region varies between accounts.
        let rotate_by = rng.below(regions.len());
        regions.rotate_left(rotate_by);
        accounts.push(Account { id, regions });
    }
    accounts
}

fn identity(spec: &LakeSpec, accounts: &[Account], index: usize) -> Identity {
    let (account, region, hybrid) = match spec.profile {
        Profile::Sample => {
            let archetype = sample_archetype(index);
            (archetype.account, archetype.region, archetype.hybrid)
        }
        Profile::Realistic | Profile::Minimal => {
            let mut rng = Rng::derive(spec.seed, index as u64, "identity");
            let account = rng.below(accounts.len());
            let regions = &accounts[account].regions;
            let region = if rng.percent(50) {
                regions[0]
            } else {
                rng.pick(regions)
            };
            (account, region, rng.percent(15))
        }
    };
    // `mix` is a bijection and the index is added, not hashed, so ids never collide in a lake.
    let id_bits = mix(mix(spec.seed ^ 0x1D5E_ED00).wrapping_add(index as u64));
    let node_id = format!("{}-0{id_bits:016x}", if hybrid { "mi" } else { "i" });
    Identity {
        account,
        region,
        node_id,
        hybrid,
    }
}
