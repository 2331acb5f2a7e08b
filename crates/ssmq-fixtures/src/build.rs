//! Building one [`NodeModel`] from the fleet plan and the node's own random streams.
//!
//! In: a [`Fleet`] and a node index. Out: the complete model of that node. A node's plan (OS,
//! status, agent, patch posture, which optional types it has) comes from the Sample archetype
//! table or from weighted draws; each object type then draws from its own stream, so nodes are
//! independent of each other and of the order or thread they are built on.

use crate::Profile;
use crate::catalog::linux::{Package, deb_pool, rpm_pool};
use crate::catalog::windows::{feature_pool, per_user_services, program_pool, service_pool};
use crate::catalog::{self, ASSOCIATIONS};
use crate::fleet::Fleet;
use crate::model::*;
use crate::rng::Rng;
use crate::sample::sample_plan;
use crate::time::{DAY, HOUR, iso8601};
use std::collections::BTreeSet;
use std::sync::OnceLock;

mod patches;
use patches::patches;

/// What a node is, before any of its items are drawn.
#[derive(Debug, Clone)]
pub(crate) struct NodePlan {
    pub(crate) os: Os,
    pub(crate) arm: bool,
    pub(crate) status: Option<&'static str>,
    pub(crate) agent_version: &'static str,
    /// Age of the inventory capture before "as of", in seconds (inclusive range).
    pub(crate) age: (i64, i64),
    pub(crate) patch_data: bool,
    /// Non-default patch items the node must have: (PatchState, Severity).
    pub(crate) forced_patches: Vec<(&'static str, &'static str)>,
    pub(crate) tags: TagPlan,
    pub(crate) files: bool,
    pub(crate) resource_groups: bool,
    pub(crate) registry: bool,
    pub(crate) custom: bool,
    /// Extra or replacing values of the `Custom:NodeInfo` line (non-strings, Sample only).
    pub(crate) custom_extras: Vec<(String, CustomValue)>,
    /// A few application lines spell the URL key `Url`.
    pub(crate) url_variant: bool,
    pub(crate) quirks: NodeQuirks,
}

/// Which tags a node has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagPlan {
    /// A `Name` tag and others.
    Named,
    /// Tags, but no `Name`.
    Unnamed,
    /// No `AWS:Tag` object at all.
    None,
}

/// How many lines of each type a profile draws (inclusive ranges).
struct Sizes {
    linux_apps: (usize, usize),
    windows_apps: (usize, usize),
    /// Compliant patch items besides the forced ones.
    patch_filler: (usize, usize),
    services: (usize, usize),
    per_user_sessions: (usize, usize),
    updates: (usize, usize),
    tags: (usize, usize),
    network: (usize, usize),
    files: (usize, usize),
    registry: (usize, usize),
    resource_groups: (usize, usize),
}

const SAMPLE_SIZES: Sizes = Sizes {
    linux_apps: (6, 12),
    windows_apps: (4, 10),
    patch_filler: (3, 7),
    services: (5, 9),
    per_user_sessions: (0, 0),
    updates: (3, 6),
    tags: (2, 5),
    network: (1, 2),
    files: (2, 4),
    registry: (2, 4),
    resource_groups: (1, 2),
};

const REALISTIC_SIZES: Sizes = Sizes {
    linux_apps: (300, 700),
    windows_apps: (80, 250),
    patch_filler: (100, 490),
    services: (150, 300),
    per_user_sessions: (1, 6),
    updates: (50, 200),
    tags: (3, 15),
    network: (1, 3),
    files: (5, 12),
    registry: (5, 14),
    resource_groups: (1, 3),
};

/// Container hosts and minimal images: tens of packages, few patches, services and updates.
const MINIMAL_SIZES: Sizes = Sizes {
    linux_apps: (30, 110),
    windows_apps: (25, 60),
    patch_filler: (5, 25),
    services: (15, 40),
    per_user_sessions: (0, 2),
    updates: (3, 15),
    tags: (3, 10),
    network: (1, 2),
    files: (1, 4),
    registry: (1, 4),
    resource_groups: (1, 2),
};

/// Everything item builders need to know about the node being built.
struct Node<'a> {
    fleet: &'a Fleet,
    index: usize,
    plan: NodePlan,
    sizes: &'static Sizes,
    account_id: &'a str,
    region: &'static str,
    node_id: &'a str,
    hybrid: bool,
    capture: i64,
    /// How far behind on updates the node is; shifts its package versions.
    patch_level: u64,
    environment: &'static str,
    workload: &'static str,
}

impl Node<'_> {
    fn rng(&self, stream: &str) -> Rng {
        Rng::derive(self.fleet.spec.seed, self.index as u64, stream)
    }

    fn old_agent(&self) -> bool {
        self.plan.agent_version.starts_with("2.")
    }
}

pub(crate) fn build_node(fleet: &Fleet, index: usize) -> NodeModel {
    let identity = &fleet.identities[index];
    let (plan, sizes) = match fleet.spec.profile {
        Profile::Sample => (sample_plan(index), &SAMPLE_SIZES),
        Profile::Realistic => (
            realistic_plan(fleet, index, identity.hybrid),
            &REALISTIC_SIZES,
        ),
        Profile::Minimal => (
            realistic_plan(fleet, index, identity.hybrid),
            &MINIMAL_SIZES,
        ),
    };
    let mut rng = Rng::derive(fleet.spec.seed, index as u64, "node");
    let capture = fleet.as_of - rng.range_i64(plan.age.0, plan.age.1);
    let node = Node {
        fleet,
        index,
        sizes,
        account_id: &fleet.accounts[identity.account].id,
        region: identity.region,
        node_id: &identity.node_id,
        hybrid: identity.hybrid,
        capture,
        patch_level: rng.range(0, 4) as u64,
        environment: rng.pick(&catalog::ENVIRONMENTS),
        workload: rng.pick(&catalog::WORKLOADS),
        plan,
    };
    let os = node.plan.os;
    let (computer_name, ip_address) = host_name_and_address(&node, &mut rng);
    let tags = tags(&node);
    let name_tag = tags
        .iter()
        .find(|tag| tag.key == "Name")
        .map(|tag| tag.value.clone());
    let applications = applications(&node);
    let (patch_run, patches) = patches(&node, &tags, &applications);
    NodeModel {
        index,
        account_id: node.account_id.to_owned(),
        region: node.region.to_owned(),
        node_id: node.node_id.to_owned(),
        is_hybrid: node.hybrid,
        os,
        platform_type: os.platform_type().to_owned(),
        platform_name: os.platform_name().to_owned(),
        platform_version: os.platform_version().to_owned(),
        architecture: if node.plan.arm { "arm64" } else { "x86_64" }.to_owned(),
        computer_name,
        ip_address: ip_address.clone(),
        agent_version: node.plan.agent_version.to_owned(),
        instance_status: node.plan.status.map(str::to_owned),
        capture_time: iso8601(node.capture),
        iam_role: node
            .hybrid
            .then(|| "service-role/AmazonEC2RunCommandRoleForManagedInstances".to_owned()),
        name_tag,
        tags,
        detailed: detailed_information(&node),
        aws_components: components(&node),
        network: network(&node, &ip_address),
        files: if node.plan.files {
            files(&node)
        } else {
            Vec::new()
        },
        windows_updates: if os.is_windows() {
            windows_updates(&node)
        } else {
            Vec::new()
        },
        services: if os.is_windows() {
            services(&node)
        } else {
            Vec::new()
        },
        windows_roles: if os.is_windows() {
            windows_roles(&node)
        } else {
            Vec::new()
        },
        registry: if os.is_windows() && node.plan.registry {
            registry(&node)
        } else {
            Vec::new()
        },
        resource_groups: if node.plan.resource_groups {
            resource_groups(&node)
        } else {
            Vec::new()
        },
        billing_product_id: (os.is_windows() && !node.hybrid).then(|| "bp-6ba54002".to_owned()),
        associations: associations(&node, patch_run.is_some()),
        custom_node_info: node.plan.custom.then(|| custom_node_info(&node)),
        quirks: node.plan.quirks.clone(),
        applications,
        patch_run,
        patches,
    }
}

fn realistic_plan(fleet: &Fleet, index: usize, hybrid: bool) -> NodePlan {
    let mut rng = Rng::derive(fleet.spec.seed, index as u64, "plan");
    let windows = rng.percent(if hybrid { 33 } else { 30 });
    let os = if windows {
        rng.weighted(&[(Os::WindowsServer2019, 45), (Os::WindowsServer2022, 55)])
    } else if hybrid {
        rng.weighted(&[
            (Os::Ubuntu2204, 50),
            (Os::Rhel9, 40),
            (Os::AmazonLinux2, 10),
        ])
    } else {
        rng.weighted(&[
            (Os::AmazonLinux2023, 35),
            (Os::AmazonLinux2, 30),
            (Os::Ubuntu2204, 20),
            (Os::Rhel9, 15),
        ])
    };
    let arm = !hybrid && matches!(os, Os::AmazonLinux2023 | Os::Ubuntu2204) && rng.percent(25);
    let status = rng.weighted(&[
        (Some("Active"), 84),
        (Some("Stopped"), 5),
        (Some("ConnectionLost"), 4),
        (Some("Terminated"), 4),
        (None, 3),
    ]);
    let agent_version = match status {
        None => rng.pick(&catalog::OLD_AGENTS),
        Some(_) => rng.weighted(&catalog::CURRENT_AGENTS),
    };
    let age = match status {
        Some("Active") if rng.percent(5) => (8 * DAY, 30 * DAY),
        Some("Active") => (10 * 60, 3 * DAY),
        Some("Stopped") => (5 * DAY, 30 * DAY),
        Some("ConnectionLost") => (7 * DAY, 45 * DAY),
        Some(_) => (30 * DAY, 240 * DAY),
        None => (10 * DAY, 120 * DAY),
    };
    let patch_data = !rng.percent(if hybrid { 40 } else { 8 });
    let mut forced_patches = Vec::new();
    if patch_data && rng.percent(55) {
        let severities = [
            ("CRITICAL", 10),
            ("HIGH", 25),
            ("MEDIUM", 35),
            ("LOW", 20),
            ("INFORMATIONAL", 5),
            ("UNSPECIFIED", 5),
        ];
        for _ in 0..rng.range(1, 12) {
            forced_patches.push(("Missing", rng.weighted(&severities)));
        }
        if rng.percent(10) {
            forced_patches.push(("Failed", rng.weighted(&severities)));
        }
        if rng.percent(12) {
            forced_patches.push(("InstalledPendingReboot", rng.weighted(&severities)));
        }
    }
    if patch_data && rng.percent(5) {
        forced_patches.push(("InstalledRejected", "MEDIUM"));
    }
    let tags = if hybrid {
        TagPlan::None
    } else {
        rng.weighted(&[
            (TagPlan::Named, 90),
            (TagPlan::Unnamed, 5),
            (TagPlan::None, 5),
        ])
    };
    NodePlan {
        os,
        arm,
        status,
        agent_version,
        age,
        patch_data,
        forced_patches,
        tags,
        files: rng.percent(30),
        resource_groups: rng.percent(25),
        registry: rng.percent(50),
        custom: rng.percent(40),
        custom_extras: Vec::new(),
        url_variant: rng.percent(15),
        quirks: NodeQuirks::default(),
    }
}

fn host_name_and_address(node: &Node, rng: &mut Rng) -> (String, String) {
    let octets = if node.hybrid {
        [192, 168, rng.range(0, 40), rng.range(2, 250)]
    } else {
        [10, rng.range(0, 3), rng.range(0, 255), rng.range(4, 250)]
    };
    let ip = format!("{}.{}.{}.{}", octets[0], octets[1], octets[2], octets[3]);
    let upper_alnum = |rng: &mut Rng, len: usize| -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len).map(|_| char::from(rng.pick(CHARS))).collect()
    };
    let name = match (node.plan.os.is_windows(), node.hybrid) {
        (true, false) => format!("EC2AMAZ-{}", upper_alnum(rng, 7)),
        (true, true) => format!("WIN-{}", upper_alnum(rng, 11)),
        (false, true) => format!(
            "{}-{}-{:02}.corp.example.com",
            node.environment,
            node.workload,
            rng.range(1, 40)
        ),
        (false, false) => {
            let dashed = ip.replace('.', "-");
            match (node.plan.os, node.region) {
                (Os::Ubuntu2204, _) => format!("ip-{dashed}"),
                (_, "us-east-1") => format!("ip-{dashed}.ec2.internal"),
                (_, region) => format!("ip-{dashed}.{region}.compute.internal"),
            }
        }
    };
    (name, ip)
}

fn tags(node: &Node) -> Vec<TagModel> {
    if node.plan.tags == TagPlan::None {
        return Vec::new();
    }
    let mut rng = node.rng("tags");
    let count = rng.range(node.sizes.tags.0, node.sizes.tags.1);
    let mut tags = Vec::with_capacity(count);
    if node.plan.tags == TagPlan::Named {
        tags.push(TagModel {
            key: "Name".into(),
            value: format!(
                "{}-{}-{:02}",
                node.environment,
                node.workload,
                rng.range(1, 60)
            ),
        });
    }
    let team = rng.pick(&catalog::TEAMS);
    let platform = node.plan.os.platform_type().to_lowercase();
    let mut keys = rng.choose_indices(catalog::TAG_KEYS.len(), count.saturating_sub(tags.len()));
    // Most fleets drive patching by the `Patch Group` tag, which PatchGroup then reports.
    let patch_group_key = catalog::TAG_KEYS
        .iter()
        .position(|key| *key == "Patch Group")
        .expect("Patch Group is a tag key");
    if !keys.is_empty() && !keys.contains(&patch_group_key) && rng.percent(70) {
        let last = keys.len() - 1;
        keys[last] = patch_group_key;
        keys.sort_unstable();
    }
    for key in keys.into_iter().map(|i| &catalog::TAG_KEYS[i]) {
        let value = match *key {
            "Environment" => node.environment.to_owned(),
            "Owner" => rng.pick(&catalog::OWNERS).to_owned(),
            "Application" => node.workload.to_owned(),
            "Team" => team.to_owned(),
            "CostCenter" => format!("CC-{}", rng.range(1000, 9999)),
            "Patch Group" => format!("{}-{platform}", node.environment),
            "Backup" => rng.pick(&["daily", "weekly", "none"]).to_owned(),
            "aws:cloudformation:stack-name" => {
                format!("{}-{}-stack", node.environment, node.workload)
            }
            "aws:autoscaling:groupName" => {
                format!("{}-{}-asg-{}", node.environment, node.workload, rng.hex(8))
            }
            "aws:ec2launchtemplate:id" => format!("lt-0{}", rng.hex(16)),
            "DataClassification" => rng.pick(&["internal", "confidential", "public"]).to_owned(),
            "Compliance" => rng.pick(&["PCI", "SOX", "none"]).to_owned(),
            "Schedule" => rng.pick(&["office-hours", "24x7"]).to_owned(),
            // Quotes in a value: readers must unescape, writers must escape.
            _ => format!("Primary \"{}\" server for {team}", node.workload),
        };
        tags.push(TagModel {
            key: (*key).to_owned(),
            value,
        });
    }
    tags
}

fn detailed_information(node: &Node) -> DetailedInformationModel {
    let mut rng = node.rng("detailed");
    let (model, mhz) = if node.hybrid {
        rng.pick(&catalog::ON_PREM_CPUS)
    } else if node.plan.arm {
        rng.pick(&catalog::EC2_ARM_CPUS)
    } else {
        rng.pick(&catalog::EC2_X86_CPUS)
    };
    let cpus = rng.pick(&[2, 2, 4, 4, 8, 16, 32]);
    let hyper_thread_enabled = !node.plan.arm && cpus > 2 && rng.percent(80);
    let arch = if node.plan.arm { "aarch64" } else { "x86_64" };
    let kernel_version = (!node.plan.os.is_windows() && node.plan.agent_version.starts_with("3.3"))
        .then(|| {
            let level = node.patch_level;
            match node.plan.os {
                Os::AmazonLinux2023 => format!(
                    "6.1.{}-{}.{}.amzn2023.{arch}",
                    112 - level,
                    122 - level,
                    189 - level
                ),
                Os::AmazonLinux2 => format!(
                    "5.10.{}-{}.{}.amzn2.{arch}",
                    225 - level,
                    213 - level,
                    878 - level
                ),
                Os::Ubuntu2204 => format!("6.5.0-{}-aws", 1022 - level),
                _ => format!("5.14.0-427.{}.1.el9_4.{arch}", 37 - level),
            }
        });
    DetailedInformationModel {
        cpu_model: model.to_owned(),
        cpu_cores: if hyper_thread_enabled { cpus / 2 } else { cpus },
        cpus,
        cpu_speed_mhz: mhz,
        cpu_sockets: if node.hybrid && cpus >= 16 { 2 } else { 1 },
        hyper_thread_enabled,
        os_service_pack: if node.plan.os.is_windows() { "0" } else { "" }.to_owned(),
        kernel_version,
    }
}

/// FNV-1a of a package name: fixes a package's version across the fleet.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
    })
}

/// Version, release and epoch of a Linux package as installed on a node.
struct PackageVersion {
    version: String,
    release: Option<String>,
    epoch: Option<String>,
}

/// `newer` gives the next release, the one a Missing or pending patch offers. Versions depend on
/// the package name (so a fleet agrees) and the node's patch level (so nodes lag differently).
fn linux_package_version(node: &Node, name: &str, newer: bool) -> PackageVersion {
    let os = node.plan.os;
    let hash = name_hash(name);
    let level = 6 - node.patch_level.min(5) + (hash >> 40) % 3 + u64::from(newer);
    let generic = format!(
        "{}.{}.{}",
        1 + hash % 9,
        (hash >> 8) % 30,
        (hash >> 16) % 20
    );
    let base_release = 1 + (hash >> 24) % 9;
    let known = catalog::KNOWN_VERSIONS
        .iter()
        .find(|known| known.0 == name)
        .map(|known| match os {
            Os::AmazonLinux2023 => known.1,
            Os::AmazonLinux2 => known.2,
            Os::Rhel9 => known.3,
            _ => known.4,
        });
    let generic = known.map_or(generic, str::to_owned);
    let (version, release) = match (name, os) {
        ("amazon-ssm-agent", _) => (
            node.plan.agent_version.to_owned(),
            match os {
                Os::AmazonLinux2023 => "1.amzn2023".to_owned(),
                Os::AmazonLinux2 => "1.amzn2".to_owned(),
                _ => "1".to_owned(),
            },
        ),
        ("kernel", Os::AmazonLinux2023) => (
            format!("6.1.{}", 106 + level),
            format!("{}.{}.amzn2023", 116 + level, 183 + level),
        ),
        ("kernel", Os::AmazonLinux2) => (
            format!("5.10.{}", 219 + level),
            format!("{}.{}.amzn2", 207 + level, 872 + level),
        ),
        ("kernel", Os::Rhel9) => ("5.14.0".to_owned(), format!("427.{}.1.el9_4", 31 + level)),
        (_, Os::AmazonLinux2023) => (generic, format!("{base_release}.amzn2023.0.{level}")),
        (_, Os::AmazonLinux2) => (generic, format!("{base_release}.amzn2.0.{level}")),
        (_, Os::Rhel9) if hash.is_multiple_of(3) => {
            (generic, format!("{base_release}.el9_4.{level}"))
        }
        (_, Os::Rhel9) => (generic, format!("{}.el9", base_release + level)),
        (_, _) => (
            format!(
                "{generic}-{}ubuntu{}.{level}",
                (hash >> 28) % 5,
                1 + (hash >> 32) % 3
            ),
            String::new(),
        ),
    };
    if !os.is_rpm() {
        return PackageVersion {
            version,
            release: None,
            epoch: None,
        };
    }
    // Epoch arrived with later agents, and only packages that ever bumped it have one.
    let epoch =
        (hash.is_multiple_of(7) && !node.old_agent()).then(|| (1 + (hash >> 44) % 3).to_string());
    PackageVersion {
        version,
        release: Some(release),
        epoch,
    }
}

fn linux_arch(node: &Node, package: &Package) -> &'static str {
    let rpm_noarch = ["python3-", "perl-", "google-noto-", "glibc-langpack-"];
    let rpm_noarch_names = [
        "ca-certificates",
        "tzdata",
        "crypto-policies",
        "hwdata",
        "dnf",
        "yum",
        "basesystem",
        "setup",
    ];
    match (node.plan.os.is_rpm(), node.plan.arm) {
        (true, _)
            if (rpm_noarch
                .iter()
                .any(|prefix| package.name.starts_with(prefix))
                && package.name != "python3-libs")
                || rpm_noarch_names.contains(&package.name.as_str()) =>
        {
            "noarch"
        }
        (true, false) => "x86_64",
        (true, true) => "aarch64",
        (false, _) if package.arch_independent => "all",
        (false, false) => "amd64",
        (false, true) => "arm64",
    }
}

fn linux_pool(os: Os) -> &'static [Package] {
    if os.is_rpm() { rpm_pool() } else { deb_pool() }
}

/// Picks `count` distinct pool indices, always including `required` names present in the pool.
fn pick_with_required<T>(
    rng: &mut Rng,
    pool: &[T],
    name_of: impl Fn(&T) -> &str,
    required: &[&str],
    count: usize,
) -> Vec<usize> {
    let mut chosen: BTreeSet<usize> = pool
        .iter()
        .enumerate()
        .filter(|(_, item)| required.contains(&name_of(item)))
        .map(|(i, _)| i)
        .collect();
    let want = count.max(chosen.len()).min(pool.len());
    if want - chosen.len() > 0 {
        let rest: Vec<usize> = (0..pool.len()).filter(|i| !chosen.contains(i)).collect();
        for pick in rng.choose_indices(rest.len(), want - chosen.len()) {
            chosen.insert(rest[pick]);
        }
    }
    chosen.into_iter().collect()
}

fn applications(node: &Node) -> Vec<ApplicationModel> {
    let mut rng = node.rng("applications");
    let os = node.plan.os;
    let capture = node.capture;
    let mut apps: Vec<ApplicationModel> = if os.is_windows() {
        let pool = program_pool();
        let count = rng.range(node.sizes.windows_apps.0, node.sizes.windows_apps.1);
        let required = ["Amazon SSM Agent", "Microsoft Edge"];
        pick_with_required(&mut rng, pool, |p| &p.name, &required, count)
            .into_iter()
            .map(|i| {
                let program = &pool[i];
                let hash = name_hash(&program.name);
                let version = if program.name == "Amazon SSM Agent" {
                    node.plan.agent_version.to_owned()
                } else {
                    format!(
                        "{}.{}.{}.{}",
                        1 + hash % 20,
                        (hash >> 8) % 10,
                        (hash >> 16) % 10_000,
                        node.patch_level
                    )
                };
                let installed_day = (capture - rng.range_i64(DAY, 900 * DAY)).div_euclid(DAY) * DAY;
                ApplicationModel {
                    name: program.name.clone(),
                    application_type: String::new(),
                    publisher: program.publisher.to_owned(),
                    version,
                    release: None,
                    epoch: None,
                    installed_time: iso8601(installed_day),
                    architecture: program.architecture.to_owned(),
                    url: Some(program.url.to_owned()),
                    url_key: "URL",
                    summary: None,
                    package_id: None,
                }
            })
            .collect()
    } else {
        let pool = linux_pool(os);
        let count = rng.range(node.sizes.linux_apps.0, node.sizes.linux_apps.1);
        let required = [
            "amazon-ssm-agent",
            "bash",
            "kernel",
            "openssl-libs",
            "openssl",
            "linux-aws",
            "curl",
        ];
        let publisher = match os {
            Os::Rhel9 => "Red Hat, Inc.",
            Os::Ubuntu2204 => "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>",
            _ => "Amazon Linux",
        };
        pick_with_required(&mut rng, pool, |p| &p.name, &required, count)
            .into_iter()
            .map(|i| {
                let package = &pool[i];
                let PackageVersion {
                    version,
                    release,
                    epoch,
                } = linux_package_version(node, &package.name, false);
                ApplicationModel {
                    name: package.name.clone(),
                    application_type: package.application_type.to_owned(),
                    publisher: if package.name == "amazon-ssm-agent" {
                        "Amazon.com"
                    } else {
                        publisher
                    }
                    .to_owned(),
                    version,
                    release,
                    epoch,
                    installed_time: iso8601(capture - rng.range_i64(HOUR, 700 * DAY)),
                    architecture: linux_arch(node, package).to_owned(),
                    url: (!package.url.is_empty()).then(|| package.url.clone()),
                    url_key: "URL",
                    summary: Some(package.summary.clone()),
                    package_id: None,
                }
            })
            .collect()
    };
    if node.plan.url_variant {
        let with_url: Vec<usize> = apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.url.as_deref().is_some_and(|u| !u.is_empty()))
            .map(|(i, _)| i)
            .collect();
        let variants = rng.range(1, 3).min(with_url.len());
        for pick in rng.choose_indices(with_url.len(), variants) {
            apps[with_url[pick]].url_key = "Url";
        }
    }
    if node.fleet.last_application_node == Some(node.index) && !apps.is_empty() {
        let line = apps.len() / 2;
        let app = &mut apps[line];
        let release = app
            .release
            .as_deref()
            .map(|r| format!("-{r}"))
            .unwrap_or_default();
        app.package_id = Some(format!(
            "{}-{}{release}.{}",
            app.name, app.version, app.architecture
        ));
    }
    apps
}

fn components(node: &Node) -> Vec<ComponentModel> {
    let mut rng = node.rng("components");
    let windows = node.plan.os.is_windows();
    let names: &[&str] = if windows {
        &catalog::WINDOWS_COMPONENTS
    } else {
        &catalog::LINUX_COMPONENTS
    };
    let count = if node.hybrid {
        1
    } else if node.fleet.spec.profile == Profile::Sample {
        rng.range(1, 3)
    } else {
        rng.range(3, names.len())
    };
    names[..count]
        .iter()
        .map(|name| {
            let hash = name_hash(name);
            let version = if name.contains("SSM") || name.contains("ssm") {
                node.plan.agent_version.to_owned()
            } else {
                format!(
                    "{}.{}.{}",
                    1 + hash % 4,
                    (hash >> 8) % 20,
                    (hash >> 16) % 400
                )
            };
            ComponentModel {
                name: (*name).to_owned(),
                application_type: if windows {
                    ""
                } else {
                    "System Environment/Daemons"
                }
                .to_owned(),
                publisher: "Amazon Web Services".to_owned(),
                version,
                installed_time: iso8601(node.capture - rng.range_i64(DAY, 400 * DAY)),
                architecture: if node.plan.arm { "aarch64" } else { "x86_64" }.to_owned(),
                url: "https://aws.amazon.com/".to_owned(),
            }
        })
        .collect()
}

fn network(node: &Node, ip_address: &str) -> Vec<NetworkInterfaceModel> {
    let mut rng = node.rng("network");
    let count = rng.range(node.sizes.network.0, node.sizes.network.1);
    let os = node.plan.os;
    (0..count)
        .map(|n| {
            let name = match (os.is_windows(), node.hybrid, os) {
                (true, _, _) if n == 0 => "Ethernet".to_owned(),
                (true, _, _) => format!("Ethernet {}", n + 1),
                (false, true, _) => format!("eno{}", n + 1),
                (false, false, Os::AmazonLinux2 | Os::Rhel9) => format!("eth{n}"),
                (false, false, _) => format!("ens{}", 5 + n),
            };
            let ipv4 = if n == 0 {
                ip_address.to_owned()
            } else if node.hybrid {
                format!("192.168.{}.{}", 100 + n, rng.range(2, 250))
            } else {
                format!(
                    "10.{}.{}.{}",
                    rng.range(0, 3),
                    rng.range(0, 255),
                    rng.range(4, 250)
                )
            };
            let network_prefix: Vec<&str> = ipv4.split('.').take(2).collect();
            let (gateway, dhcp, dns) = if node.hybrid {
                (
                    format!("{}.{}.0.1", network_prefix[0], network_prefix[1]),
                    "192.168.0.10".to_owned(),
                    "192.168.0.53".to_owned(),
                )
            } else {
                let base = format!("{}.{}.0", network_prefix[0], network_prefix[1]);
                (
                    format!("{base}.1"),
                    format!("{base}.1"),
                    format!("{base}.2"),
                )
            };
            let mac = format!(
                "0e:{}:{}:{}:{}:{}",
                rng.hex(2),
                rng.hex(2),
                rng.hex(2),
                rng.hex(2),
                rng.hex(2)
            );
            let ipv6 = if rng.percent(40) {
                format!(
                    "fe80::{}:{}:{}:{}",
                    rng.hex(4),
                    rng.hex(4),
                    rng.hex(4),
                    rng.hex(4)
                )
            } else {
                String::new()
            };
            NetworkInterfaceModel {
                name,
                subnet_mask: if node.hybrid {
                    "255.255.255.0"
                } else {
                    "255.255.240.0"
                }
                .to_owned(),
                gateway,
                dhcp_server: dhcp,
                dns_server: dns,
                mac_address: mac,
                ipv4,
                ipv6,
            }
        })
        .collect()
}

fn files(node: &Node) -> Vec<FileModel> {
    let mut rng = node.rng("files");
    let windows = node.plan.os.is_windows();
    let pool_len = if windows {
        catalog::WINDOWS_FILES.len()
    } else {
        catalog::LINUX_FILES.len()
    };
    let count = rng
        .range(node.sizes.files.0, node.sizes.files.1)
        .min(pool_len);
    rng.choose_indices(pool_len, count)
        .into_iter()
        .map(|i| {
            let modified = node.capture - rng.range_i64(DAY, 300 * DAY);
            let installed = modified - rng.range_i64(0, 200 * DAY);
            let accessed = node.capture - rng.range_i64(0, 3 * DAY);
            let size = rng.range(2_000, 60_000_000) as u64;
            if windows {
                let (name, dir, description, company, product) = catalog::WINDOWS_FILES[i];
                let version = if name == "amazon-ssm-agent.exe" {
                    node.plan.agent_version.to_owned()
                } else {
                    format!(
                        "{}.{}.{}.{}",
                        rng.range(1, 10),
                        rng.range(0, 9),
                        rng.range(0, 20_000),
                        rng.range(0, 999)
                    )
                };
                FileModel {
                    name: name.to_owned(),
                    size,
                    description: description.to_owned(),
                    file_version: version.clone(),
                    installed_date: iso8601(installed),
                    modification_time: iso8601(modified),
                    last_access_time: iso8601(accessed),
                    product_name: product.to_owned(),
                    installed_dir: dir.to_owned(),
                    product_language: "English (United States)".to_owned(),
                    company_name: company.to_owned(),
                    product_version: version,
                }
            } else {
                let (name, dir) = catalog::LINUX_FILES[i];
                FileModel {
                    name: name.to_owned(),
                    size,
                    description: String::new(),
                    file_version: String::new(),
                    installed_date: iso8601(installed),
                    modification_time: iso8601(modified),
                    last_access_time: iso8601(accessed),
                    product_name: String::new(),
                    installed_dir: dir.to_owned(),
                    product_language: String::new(),
                    company_name: String::new(),
                    product_version: String::new(),
                }
            }
        })
        .collect()
}

fn windows_updates(node: &Node) -> Vec<WindowsUpdateModel> {
    let mut rng = node.rng("windows-updates");
    let count = rng.range(node.sizes.updates.0, node.sizes.updates.1);
    let mut ids = BTreeSet::new();
    while ids.len() < count {
        ids.insert(rng.range(4_000_000, 5_049_999));
    }
    let ids: Vec<usize> = ids.into_iter().collect();
    // Higher KB numbers are newer: install times follow the numbers.
    let span = rng.range_i64(200, 1500) * DAY;
    ids.iter()
        .enumerate()
        .map(|(n, kb)| {
            let installed = node.capture - span + span * (n as i64 + 1) / (count as i64 + 1);
            let installed_by = match rng.below(20) {
                0 => r"EC2AMAZ-BUILD01\Administrator".to_owned(),
                1 => r"CORP\svc-patching".to_owned(),
                _ => r"NT AUTHORITY\SYSTEM".to_owned(),
            };
            WindowsUpdateModel {
                hot_fix_id: format!("KB{kb}"),
                description: rng.weighted(&[
                    ("Security Update", 60),
                    ("Update", 35),
                    ("Hotfix", 5),
                ]),
                installed_time: iso8601(installed.div_euclid(DAY) * DAY),
                installed_by,
            }
        })
        .collect()
}

/// Names of services that depend on each pool service (case-insensitive, as Windows compares).
fn service_dependents() -> &'static [String] {
    static DEPENDENTS: OnceLock<Vec<String>> = OnceLock::new();
    DEPENDENTS.get_or_init(|| {
        let pool = service_pool();
        pool.iter()
            .map(|service| {
                let dependents: Vec<&str> = pool
                    .iter()
                    .filter(|other| {
                        other
                            .depends_on
                            .split(',')
                            .any(|dep| dep.eq_ignore_ascii_case(&service.name))
                    })
                    .map(|other| other.name.as_str())
                    .collect();
                dependents.join(",")
            })
            .collect()
    })
}

fn services(node: &Node) -> Vec<ServiceModel> {
    let mut rng = node.rng("services");
    let pool = service_pool();
    let target = rng.range(node.sizes.services.0, node.sizes.services.1);
    let sessions = rng.range(
        node.sizes.per_user_sessions.0,
        node.sizes.per_user_sessions.1,
    );
    let templates = per_user_services();
    let base_count = target
        .saturating_sub(sessions * templates.len())
        .max(node.sizes.services.0.min(100))
        .min(pool.len());
    let required = [
        "AmazonSSMAgent",
        "EventLog",
        "RpcSs",
        "Winmgmt",
        "WinRM",
        "wuauserv",
    ];
    let dependents = service_dependents();
    let mut services: Vec<ServiceModel> =
        pick_with_required(&mut rng, pool, |s| &s.name, &required, base_count)
            .into_iter()
            .map(|i| {
                let service = &pool[i];
                let running = match service.start_type {
                    "Automatic" => !rng.percent(5),
                    "Manual" => rng.percent(30),
                    _ => false,
                };
                ServiceModel {
                    name: service.name.clone(),
                    display_name: service.display_name.clone(),
                    service_type: service.service_type,
                    status: if running { "Running" } else { "Stopped" },
                    dependent_services: dependents[i].clone(),
                    services_depended_on: service.depends_on.to_owned(),
                    start_type: service.start_type,
                }
            })
            .collect();
    for _ in 0..sessions {
        let session = rng.hex(5);
        for template in templates {
            let base = pool
                .iter()
                .find(|s| s.name == *template)
                .expect("templates are in the pool");
            services.push(ServiceModel {
                name: format!("{template}_{session}"),
                display_name: format!("{}_{session}", base.display_name),
                service_type: "224",
                status: if rng.percent(70) {
                    "Running"
                } else {
                    "Stopped"
                },
                dependent_services: String::new(),
                services_depended_on: String::new(),
                start_type: base.start_type,
            });
        }
    }
    services
}

fn windows_roles(node: &Node) -> Vec<WindowsRoleModel> {
    let mut rng = node.rng("windows-roles");
    let pool = feature_pool();
    let mut installed: BTreeSet<usize> = BTreeSet::new();
    let install = |name: &str, installed: &mut BTreeSet<usize>| {
        let mut at = pool.iter().position(|f| f.name == name);
        while let Some(i) = at {
            installed.insert(i);
            at = pool[i].parent;
        }
    };
    for name in catalog::BASE_FEATURES {
        install(name, &mut installed);
    }
    for _ in 0..rng.range(0, 2) {
        for name in rng.pick(&catalog::ROLE_FEATURES) {
            install(name, &mut installed);
        }
    }
    let listed: Vec<usize> = if node.fleet.spec.profile == Profile::Sample {
        let count = rng.range(4, 8);
        installed.iter().copied().take(count).collect()
    } else {
        // Every feature is listed, installed or not; a few are absent on some builds.
        let dropped: BTreeSet<usize> = (0..rng.range(0, 20))
            .map(|_| rng.below(pool.len()))
            .filter(|i| !installed.contains(i))
            .collect();
        (0..pool.len()).filter(|i| !dropped.contains(i)).collect()
    };
    listed
        .into_iter()
        .map(|i| {
            let feature = &pool[i];
            let is_installed = installed.contains(&i);
            let state = if is_installed {
                "Installed"
            } else if feature.name.starts_with("FS-SMB1") && node.plan.os == Os::WindowsServer2022 {
                "Removed"
            } else {
                "Available"
            };
            WindowsRoleModel {
                name: feature.name.to_owned(),
                display_name: feature.display_name.to_owned(),
                path: feature.path.clone(),
                feature_type: feature.feature_type,
                depends_on: String::new(),
                description: format!(
                    "{} lets the server provide the {} {}.",
                    feature.display_name,
                    feature.display_name,
                    feature.feature_type.to_lowercase()
                ),
                installed: is_installed,
                installed_state: state,
                sub_features: feature.sub_features.join(","),
                server_component_descriptor: format!(
                    "ServerComponent_{}",
                    feature.name.replace('-', "_")
                ),
                parent: feature
                    .parent
                    .map(|p| pool[p].name.to_owned())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn registry(node: &Node) -> Vec<RegistryValueModel> {
    let mut rng = node.rng("registry");
    let count = rng.range(node.sizes.registry.0, node.sizes.registry.1);
    let (product, build, year) = match node.plan.os {
        Os::WindowsServer2019 => ("Windows Server 2019 Datacenter", "17763", "2019"),
        _ => ("Windows Server 2022 Datacenter", "20348", "2022"),
    };
    let ubr = rng.range(2000, 6500).to_string();
    let ami = format!(
        "Windows_Server-{year}-English-Full-Base-2026.{:02}.{:02}",
        rng.range(1, 9),
        rng.range(1, 28)
    );
    rng.choose_indices(catalog::REGISTRY_VALUES.len(), count)
        .into_iter()
        .map(|i| {
            let (key_path, value_name, value_type, template) = catalog::REGISTRY_VALUES[i];
            let value = template
                .replace("{product}", product)
                .replace("{build}", build)
                .replace("{ubr}", &ubr)
                .replace("{ami}", &ami);
            RegistryValueModel {
                key_path: key_path.to_owned(),
                value_name: value_name.to_owned(),
                value_type,
                value,
            }
        })
        .collect()
}

fn resource_groups(node: &Node) -> Vec<ResourceGroupModel> {
    let mut rng = node.rng("resource-groups");
    let count = rng.range(node.sizes.resource_groups.0, node.sizes.resource_groups.1);
    let candidates = [
        format!("{}-{}-servers", node.environment, node.workload),
        format!("all-{}", node.plan.os.platform_type().to_lowercase()),
        format!("patch-wave-{}", 1 + node.index % 3),
        format!("{}-fleet", node.environment),
    ];
    rng.choose_indices(candidates.len(), count)
        .into_iter()
        .map(|i| ResourceGroupModel {
            arn: format!(
                "arn:aws:resource-groups:{}:{}:group/{}",
                node.region, node.account_id, candidates[i]
            ),
            name: candidates[i].clone(),
        })
        .collect()
}

fn associations(node: &Node, patch_data: bool) -> Vec<AssociationModel> {
    let mut rng = node.rng("associations");
    let mut chosen = vec![0];
    if rng.percent(60) {
        chosen.push(1);
    }
    if rng.percent(30) && !node.hybrid {
        chosen.push(2);
    }
    if patch_data {
        chosen.push(3);
    }
    chosen
        .into_iter()
        .map(|i| {
            let (document, name, version) = ASSOCIATIONS[i];
            // Association ids are per account: every node of the account shares them.
            let mut id_rng = Rng::derive(
                node.fleet.spec.seed,
                name_hash(node.account_id) ^ i as u64,
                "association-id",
            );
            let failed = i == 1 && rng.percent(15);
            AssociationModel {
                id: id_rng.uuid(),
                title: name.to_owned(),
                document_name: document.to_owned(),
                document_version: version.to_owned(),
                status: if failed { "NON_COMPLIANT" } else { "COMPLIANT" },
                severity: if failed { "HIGH" } else { "UNSPECIFIED" },
                execution_id: rng.uuid(),
                execution_time: iso8601(node.capture - rng.range_i64(0, 12 * HOUR)),
            }
        })
        .collect()
}

fn custom_node_info(node: &Node) -> Vec<(String, CustomValue)> {
    let mut rng = node.rng("custom");
    let owners = [
        "José García",
        "Zoë Müller",
        "Priya Natarajan",
        "Tom O'Brien",
        "Wei Zhang",
    ];
    let mut fields: Vec<(String, CustomValue)> = vec![
        (
            "Owner".into(),
            CustomValue::Str(rng.pick(&owners).to_owned()),
        ),
        (
            "Environment".into(),
            CustomValue::Str(node.environment.to_owned()),
        ),
        (
            "Application".into(),
            CustomValue::Str(node.workload.to_owned()),
        ),
        (
            "CostCenter".into(),
            CustomValue::Str(format!("CC-{}", rng.range(1000, 9999))),
        ),
        (
            "SupportTier".into(),
            CustomValue::Str(rng.pick(&["gold", "silver", "bronze"]).to_owned()),
        ),
    ];
    for (key, value) in &node.plan.custom_extras {
        match fields.iter_mut().find(|(existing, _)| existing == key) {
            Some(field) => field.1 = value.clone(),
            None => fields.push((key.clone(), value.clone())),
        }
    }
    fields
}
