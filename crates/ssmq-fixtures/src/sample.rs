//! The Sample profile: a hand-designed fleet of 16 archetypes and the quirk objects around it.
//!
//! In: a node index. Out: that node's plan (archetype `index % 16`; quirks and non-string custom
//! values only on the first 16 nodes) and the lake's extra objects that are not inventory (probe
//! files, a stray file at the wrong depth, a non-JSON file). The archetypes pin down the facts
//! tests and reports rely on: two active nodes miss a CRITICAL patch, some nodes are fully
//! compliant, a terminated node still reports missing patches, old agents lack InstanceStatus.

use crate::LakeObject;
use crate::build::{NodePlan, TagPlan};
use crate::model::{CustomValue, NodeQuirks, Os};
use crate::time::{DAY, HOUR};

/// (account id, Regions) of the Sample fleet; not every account is in every Region.
pub(crate) const SAMPLE_ACCOUNTS: [(&str, [&str; 2]); 3] = [
    ("111122223333", ["us-east-1", "eu-west-1"]),
    ("444455556666", ["us-east-1", "ap-southeast-2"]),
    ("012345678901", ["eu-west-1", "ap-southeast-2"]),
];

/// One node of the Sample fleet.
#[derive(Debug)]
pub(crate) struct Archetype {
    pub(crate) account: usize,
    pub(crate) region: &'static str,
    pub(crate) os: Os,
    pub(crate) hybrid: bool,
    pub(crate) arm: bool,
    pub(crate) status: Option<&'static str>,
    pub(crate) agent: &'static str,
    /// Capture age range in seconds.
    pub(crate) age: (i64, i64),
    /// `None`: no patch data at all. `Some(items)`: patch data with these forced items.
    pub(crate) patches: Option<&'static [(&'static str, &'static str)]>,
    pub(crate) tags: TagPlan,
    pub(crate) files: bool,
    pub(crate) resource_groups: bool,
    pub(crate) registry: bool,
    pub(crate) custom: bool,
    pub(crate) url_variant: bool,
}

const FRESH: (i64, i64) = (HOUR, 2 * DAY);

const fn archetype(
    account: usize,
    region: &'static str,
    os: Os,
    status: Option<&'static str>,
    agent: &'static str,
) -> Archetype {
    Archetype {
        account,
        region,
        os,
        hybrid: false,
        arm: false,
        status,
        agent,
        age: FRESH,
        patches: Some(&[]),
        tags: TagPlan::Named,
        files: false,
        resource_groups: false,
        registry: false,
        custom: false,
        url_variant: false,
    }
}

const ACTIVE: Option<&str> = Some("Active");

/// The 16 Sample nodes. Comments give what each one is there to test.
pub(crate) const SAMPLE_ARCHETYPES: [Archetype; 16] = [
    // 0: active Amazon Linux 2023 missing a CRITICAL kernel patch.
    Archetype {
        patches: Some(&[("Missing", "CRITICAL"), ("Missing", "MEDIUM")]),
        files: true,
        custom: true,
        ..archetype(0, "us-east-1", Os::AmazonLinux2023, ACTIVE, "3.3.987.0")
    },
    // 1: active Windows 2022 missing a CRITICAL cumulative update.
    Archetype {
        patches: Some(&[("Missing", "CRITICAL"), ("Missing", "HIGH")]),
        registry: true,
        custom: true,
        ..archetype(0, "us-east-1", Os::WindowsServer2022, ACTIVE, "3.3.987.0")
    },
    // 2: fully compliant Ubuntu; its InstanceInformation starts with a BOM.
    Archetype {
        resource_groups: true,
        ..archetype(0, "us-east-1", Os::Ubuntu2204, ACTIVE, "3.3.1142.0")
    },
    // 3: stopped Amazon Linux 2, a week stale.
    Archetype {
        age: (5 * DAY, 12 * DAY),
        patches: Some(&[("Missing", "MEDIUM")]),
        ..archetype(
            0,
            "us-east-1",
            Os::AmazonLinux2,
            Some("Stopped"),
            "3.2.582.0",
        )
    },
    // 4: RHEL waiting for a reboot; its ComplianceItem uses CRLF.
    Archetype {
        patches: Some(&[("InstalledPendingReboot", "HIGH")]),
        custom: true,
        ..archetype(0, "eu-west-1", Os::Rhel9, ACTIVE, "3.3.987.0")
    },
    // 5: compliant Windows 2019 with a rejected patch, tags without Name; blank lines in Application.
    Archetype {
        patches: Some(&[("InstalledRejected", "LOW")]),
        tags: TagPlan::Unnamed,
        files: true,
        ..archetype(0, "eu-west-1", Os::WindowsServer2019, ACTIVE, "3.2.582.0")
    },
    // 6: hybrid Ubuntu without patch data; an empty AWS:Tag object.
    Archetype {
        hybrid: true,
        patches: None,
        tags: TagPlan::None,
        custom: true,
        ..archetype(0, "eu-west-1", Os::Ubuntu2204, ACTIVE, "3.3.987.0")
    },
    // 7: terminated long ago, still NON_COMPLIANT (the sync never deletes its objects).
    Archetype {
        age: (60 * DAY, 120 * DAY),
        patches: Some(&[("Missing", "CRITICAL"), ("Failed", "HIGH")]),
        ..archetype(
            1,
            "us-east-1",
            Os::AmazonLinux2023,
            Some("Terminated"),
            "3.2.582.0",
        )
    },
    // 8: old agent: no InstanceStatus key, no Epoch, no KernelVersion; URL spelled Url on some lines.
    Archetype {
        age: (20 * DAY, 40 * DAY),
        patches: Some(&[("Missing", "HIGH")]),
        url_variant: true,
        ..archetype(1, "us-east-1", Os::AmazonLinux2, None, "2.3.1319.0")
    },
    // 9: Windows 2019 that lost its connection two weeks ago.
    Archetype {
        age: (10 * DAY, 20 * DAY),
        patches: Some(&[("Missing", "HIGH"), ("Missing", "LOW")]),
        registry: true,
        ..archetype(
            1,
            "us-east-1",
            Os::WindowsServer2019,
            Some("ConnectionLost"),
            "3.2.582.0",
        )
    },
    // 10: compliant Graviton Amazon Linux 2023; its Network object lacks the final newline.
    Archetype {
        arm: true,
        resource_groups: true,
        url_variant: true,
        ..archetype(
            1,
            "ap-southeast-2",
            Os::AmazonLinux2023,
            ACTIVE,
            "3.3.987.0",
        )
    },
    // 11: Windows 2022 with a failed patch installation.
    Archetype {
        patches: Some(&[("Failed", "MEDIUM")]),
        custom: true,
        ..archetype(
            1,
            "ap-southeast-2",
            Os::WindowsServer2022,
            ACTIVE,
            "3.3.1142.0",
        )
    },
    // 12: hybrid Windows 2019 missing a MEDIUM patch.
    Archetype {
        hybrid: true,
        patches: Some(&[("Missing", "MEDIUM")]),
        tags: TagPlan::None,
        ..archetype(
            1,
            "ap-southeast-2",
            Os::WindowsServer2019,
            ACTIVE,
            "3.2.582.0",
        )
    },
    // 13: active RHEL missing CRITICAL, HIGH and LOW patches.
    Archetype {
        patches: Some(&[
            ("Missing", "CRITICAL"),
            ("Missing", "HIGH"),
            ("Missing", "LOW"),
        ]),
        url_variant: true,
        custom: true,
        ..archetype(2, "eu-west-1", Os::Rhel9, ACTIVE, "3.3.987.0")
    },
    // 14: registered an hour ago: no patch data yet, no tags.
    Archetype {
        age: (30 * 60, 2 * HOUR),
        patches: None,
        tags: TagPlan::None,
        ..archetype(2, "eu-west-1", Os::AmazonLinux2023, ACTIVE, "3.3.987.0")
    },
    // 15: Windows 2022 with an old agent (no InstanceStatus), a rejected and a missing LOW patch.
    Archetype {
        age: (15 * DAY, 30 * DAY),
        patches: Some(&[("InstalledRejected", "LOW"), ("Missing", "LOW")]),
        ..archetype(
            2,
            "ap-southeast-2",
            Os::WindowsServer2022,
            None,
            "2.3.1319.0",
        )
    },
];

pub(crate) fn sample_archetype(index: usize) -> &'static Archetype {
    &SAMPLE_ARCHETYPES[index % SAMPLE_ARCHETYPES.len()]
}

/// Quirks by archetype, applied to the first cycle of nodes only.
fn sample_quirks(index: usize) -> NodeQuirks {
    let mut quirks = NodeQuirks::default();
    match index {
        2 => quirks.bom = Some("AWS:InstanceInformation"),
        4 => quirks.crlf = Some("AWS:ComplianceItem"),
        5 => quirks.blank_lines = Some("AWS:Application"),
        6 => quirks.empty_object = Some("AWS:Tag"),
        10 => quirks.no_final_newline = Some("AWS:Network"),
        _ => {}
    }
    quirks
}

/// Values a hand-made custom inventory file might hold, by archetype (first cycle only).
fn sample_custom_extras(index: usize) -> Vec<(String, CustomValue)> {
    let field = |key: &str, value: CustomValue| (key.to_owned(), value);
    match index {
        // The same key is a string on other nodes: a type conflict between files.
        0 => vec![field("CostCenter", CustomValue::Int(4711))],
        1 => vec![
            field("Monitored", CustomValue::Bool(true)),
            field("Utilisation", CustomValue::Float(0.75)),
        ],
        4 => vec![
            field("DecommissionDate", CustomValue::Null),
            field(
                "Contacts",
                CustomValue::Object(vec![
                    field("Primary", CustomValue::Str("ops@example.com".into())),
                    field(
                        "Escalation",
                        CustomValue::Array(vec![
                            CustomValue::Str("oncall@example.com".into()),
                            CustomValue::Str("+1-555-0100".into()),
                        ]),
                    ),
                ]),
            ),
        ],
        6 => vec![
            field(
                "Ports",
                CustomValue::Array(vec![CustomValue::Int(22), CustomValue::Int(443)]),
            ),
            field("PciScope", CustomValue::Bool(false)),
        ],
        _ => Vec::new(),
    }
}

pub(crate) fn sample_plan(index: usize) -> NodePlan {
    let archetype = sample_archetype(index);
    let first_cycle = index < SAMPLE_ARCHETYPES.len();
    NodePlan {
        os: archetype.os,
        arm: archetype.arm,
        status: archetype.status,
        agent_version: archetype.agent,
        age: archetype.age,
        patch_data: archetype.patches.is_some(),
        forced_patches: archetype.patches.unwrap_or(&[]).to_vec(),
        tags: archetype.tags,
        files: archetype.files,
        resource_groups: archetype.resource_groups,
        registry: archetype.registry,
        custom: archetype.custom,
        custom_extras: if first_cycle {
            sample_custom_extras(index)
        } else {
            Vec::new()
        },
        url_variant: archetype.url_variant,
        quirks: if first_cycle {
            sample_quirks(index)
        } else {
            NodeQuirks::default()
        },
    }
}

/// Objects of a lake that are not inventory: the sync's probe `test.json` per account, and for
/// the Sample profile a stray JSON file above full depth and a non-JSON file at full depth.
pub(crate) fn extra_objects(fleet: &crate::Fleet) -> Vec<LakeObject> {
    let spec = fleet.spec();
    let prefix = crate::key_prefix(spec);
    let mut accounts: Vec<&str> = fleet
        .identities
        .iter()
        .map(|identity| fleet.accounts[identity.account].id.as_str())
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut objects: Vec<LakeObject> = accounts
        .iter()
        .map(|account| LakeObject {
            key: format!("{prefix}AWS:InstanceInformation/accountid={account}/test.json"),
            body: b"This is a test file written by AWS Systems Manager resource data sync.\n"
                .to_vec(),
        })
        .collect();
    if spec.profile == crate::Profile::Sample
        && let Some(first) = fleet.identities.first()
    {
        let account = &fleet.accounts[first.account].id;
        let region = first.region;
        objects.push(LakeObject {
            key: format!("{prefix}AWS:Tag/accountid={account}/region={region}/stray.json"),
            body: b"{\"Key\":\"Name\",\"Value\":\"copied-by-hand\",\"resourceId\":\"i-00000000000000000\",\"captureTime\":\"2026-10-01T00:00:00Z\",\"schemaVersion\":\"1.0\"}\n".to_vec(),
        });
        objects.push(LakeObject {
            key: format!("{prefix}AWS:InstanceInformation/accountid={account}/region={region}/resourcetype=ManagedInstanceInventory/notes.txt"),
            body: b"Notes left in the bucket by an operator; not inventory.\n".to_vec(),
        });
    }
    objects
}
