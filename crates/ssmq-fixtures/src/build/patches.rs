//! A node's patch items (`AWS:PatchSummary`'s run and `AWS:ComplianceItem`'s Patch lines): the
//! forced items its plan asks for, most of them non-compliant, then compliant filler. On Linux
//! the items name the node's packages; on Windows, KB updates with Windows Update's titles.
//! The random draws happen in a fixed order: the committed lakes depend on it.

use std::collections::BTreeSet;

use super::{Node, PackageVersion, linux_package_version, linux_pool, name_hash};
use crate::Profile;
use crate::catalog::linux::Package;
use crate::model::*;
use crate::rng::Rng;
use crate::time::{DAY, HOUR, iso8601, year_month};

/// The vendor's rating and the classification of a patch with a given compliance severity.
fn rating(node: &Node, severity: &'static str, rng: &mut Rng) -> (&'static str, &'static str) {
    let windows = node.plan.os.is_windows();
    let security = if windows {
        "SecurityUpdates"
    } else {
        "Security"
    };
    match severity {
        "CRITICAL" => (security, "Critical"),
        "HIGH" => (security, "Important"),
        "MEDIUM" if windows => (security, "Moderate"),
        "MEDIUM" if node.plan.os == Os::Rhel9 => (security, "Moderate"),
        "MEDIUM" if rng.percent(60) => (security, "Medium"),
        "MEDIUM" => ("Bugfix", ""),
        "LOW" if rng.percent(50) => (security, "Low"),
        "LOW" if windows => ("Updates", "Unspecified"),
        "LOW" => ("Bugfix", ""),
        "INFORMATIONAL" if windows => ("DefinitionUpdates", "Unspecified"),
        "INFORMATIONAL" => ("Enhancement", ""),
        _ if windows => ("Updates", "Unspecified"),
        _ => ("Recommended", ""),
    }
}

fn cve_ids(node: &Node, rng: &mut Rng) -> String {
    let (year, _) = year_month(node.capture);
    (0..rng.range(1, 3))
        .map(|_| {
            format!(
                "CVE-{}-{}",
                year - rng.range(0, 1) as i64,
                rng.range(1000, 52_000)
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Patch items and the patch run; `None` and empty for nodes without patch data.
pub(super) fn patches(
    node: &Node,
    tags: &[TagModel],
    applications: &[ApplicationModel],
) -> (Option<PatchRunModel>, Vec<PatchModel>) {
    if !node.plan.patch_data {
        return (None, Vec::new());
    }
    let mut rng = node.rng("patches");
    let end = node.capture - rng.range_i64(0, 6 * HOUR);
    let start = end - rng.range_i64(60, 900);
    let mut baseline_rng = Rng::derive(
        node.fleet.spec.seed,
        name_hash(node.account_id) ^ node.plan.os as u64,
        "baseline",
    );
    let operation_type = if rng.percent(70) { "Scan" } else { "Install" };
    let run = PatchRunModel {
        patch_group: tags
            .iter()
            .find(|tag| tag.key == "Patch Group")
            .map(|tag| tag.value.clone())
            .unwrap_or_default(),
        baseline_id: format!("pb-0{}", baseline_rng.hex(16)),
        snapshot_id: rng.uuid(),
        execution_id: rng.uuid(),
        operation_type,
        operation_start_time: iso8601(start),
        operation_end_time: iso8601(end),
        reboot_option: if rng.percent(75) {
            "RebootIfNeeded"
        } else {
            "NoReboot"
        },
        last_no_reboot_install_operation_time: if operation_type == "Install" && rng.percent(50) {
            iso8601(end)
        } else {
            String::new()
        },
        unreported_not_applicable_count: if node.fleet.spec.profile == Profile::Sample {
            rng.range(0, 3)
        } else {
            rng.range(0, 400)
        },
    };
    let filler = rng.range(node.sizes.patch_filler.0, node.sizes.patch_filler.1);
    let patches = if node.plan.os.is_windows() {
        windows_patches(node, &mut rng, filler, end)
    } else {
        linux_patches(node, &mut rng, filler, applications, end)
    };
    (Some(run), patches)
}

/// A forced item (the plan's state and severity): `rated` is its classification and vendor
/// rating; items of the classification `security` may name CVEs.
#[allow(clippy::too_many_arguments)]
fn forced_patch(
    node: &Node,
    rng: &mut Rng,
    scan_end: i64,
    (state, severity): (&'static str, &'static str),
    (classification, patch_severity): (&'static str, &'static str),
    (id, title): (String, String),
    security: &str,
) -> PatchModel {
    let installed = matches!(state, "InstalledPendingReboot" | "InstalledRejected");
    PatchModel {
        id,
        title,
        state,
        status: patch_status(state),
        severity,
        classification,
        patch_severity,
        installed_time: if installed {
            iso8601(scan_end - rng.range_i64(HOUR, 3 * DAY))
        } else {
            String::new()
        },
        cve_ids: (classification == security && rng.percent(70)).then(|| cve_ids(node, rng)),
    }
}

/// The id and title of the patch for Linux package `name` built for `arch`, as the node's
/// package manager names them; `newer` offers the next release.
fn linux_patch_name(node: &Node, name: &str, arch: &str, newer: bool) -> (String, String) {
    let PackageVersion {
        version,
        release,
        epoch,
    } = linux_package_version(node, name, newer);
    if node.plan.os.is_rpm() {
        let id = format!("{name}.{arch}");
        let title = format!(
            "{id}:{}:{version}-{}",
            epoch.as_deref().unwrap_or("0"),
            release.unwrap_or_default()
        );
        (id, title)
    } else {
        (name.to_owned(), format!("{name}:{version}"))
    }
}

fn linux_patches(
    node: &Node,
    rng: &mut Rng,
    filler: usize,
    applications: &[ApplicationModel],
    scan_end: i64,
) -> Vec<PatchModel> {
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut patches = Vec::new();
    linux_forced(node, rng, scan_end, applications, &mut used, &mut patches);
    let installed = linux_installed(
        node,
        rng,
        filler * 3 / 4,
        applications,
        &mut used,
        &mut patches,
    );
    let not_applicable = filler.saturating_sub(installed);
    linux_not_applicable(node, rng, not_applicable, applications, &mut patches);
    patches
}

/// Forced (mostly non-compliant) items go on installed packages, most severe on the kernel.
fn linux_forced<'a>(
    node: &Node,
    rng: &mut Rng,
    scan_end: i64,
    applications: &'a [ApplicationModel],
    used: &mut BTreeSet<&'a str>,
    patches: &mut Vec<PatchModel>,
) {
    let preferred = [
        "kernel",
        "linux-aws",
        "openssl-libs",
        "openssl",
        "curl",
        "bash",
    ];
    for &(state, severity) in &node.plan.forced_patches {
        let app = preferred
            .iter()
            .filter_map(|name| applications.iter().find(|a| a.name == *name))
            .chain(applications.iter())
            .find(|a| !used.contains(a.name.as_str()));
        let Some(app) = app else { break };
        used.insert(&app.name);
        let rated = rating(node, severity, rng);
        let name = linux_patch_name(
            node,
            &app.name,
            &app.architecture,
            state != "InstalledRejected",
        );
        patches.push(forced_patch(
            node,
            rng,
            scan_end,
            (state, severity),
            rated,
            name,
            "Security",
        ));
    }
}

/// Compliant filler on up to `wanted` installed packages not used yet (Installed /
/// InstalledOther); returns how many it added.
fn linux_installed<'a>(
    node: &Node,
    rng: &mut Rng,
    wanted: usize,
    applications: &'a [ApplicationModel],
    used: &mut BTreeSet<&'a str>,
    patches: &mut Vec<PatchModel>,
) -> usize {
    let pool: Vec<&ApplicationModel> = applications
        .iter()
        .filter(|a| !used.contains(a.name.as_str()))
        .collect();
    let wanted = wanted.min(pool.len());
    for pick in rng.choose_indices(pool.len(), wanted) {
        let app = pool[pick];
        used.insert(&app.name);
        let (id, title) = linux_patch_name(node, &app.name, &app.architecture, false);
        let other = rng.percent(25);
        let (state, severity, classification, patch_severity) = if other {
            let blank = rng.percent(70);
            (
                "InstalledOther",
                if blank { "" } else { "UNSPECIFIED" },
                if blank { "" } else { "Bugfix" },
                "",
            )
        } else {
            let severity = rng.weighted(&[
                ("CRITICAL", 5),
                ("HIGH", 20),
                ("MEDIUM", 35),
                ("LOW", 25),
                ("INFORMATIONAL", 10),
                ("UNSPECIFIED", 5),
            ]);
            let (classification, patch_severity) = rating(node, severity, rng);
            ("Installed", severity, classification, patch_severity)
        };
        patches.push(PatchModel {
            id,
            title,
            state,
            status: "COMPLIANT",
            severity,
            classification,
            patch_severity,
            installed_time: app.installed_time.clone(),
            cve_ids: None,
        });
    }
    wanted
}

/// Compliant filler on up to `wanted` packages the baseline knows but the node lacks
/// (NotApplicable).
fn linux_not_applicable(
    node: &Node,
    rng: &mut Rng,
    wanted: usize,
    applications: &[ApplicationModel],
    patches: &mut Vec<PatchModel>,
) {
    let installed: BTreeSet<&str> = applications.iter().map(|a| a.name.as_str()).collect();
    let absent: Vec<&Package> = linux_pool(node.plan.os)
        .iter()
        .filter(|p| !installed.contains(p.name.as_str()))
        .collect();
    let arch = match (node.plan.os.is_rpm(), node.plan.arm) {
        (false, _) => "",
        (true, true) => "aarch64",
        (true, false) => "x86_64",
    };
    for pick in rng.choose_indices(absent.len(), wanted.min(absent.len())) {
        let (id, title) = linux_patch_name(node, &absent[pick].name, arch, true);
        let blank = rng.percent(60);
        patches.push(PatchModel {
            id,
            title,
            state: "NotApplicable",
            status: "COMPLIANT",
            severity: if blank { "" } else { "MEDIUM" },
            classification: if blank { "" } else { "Security" },
            patch_severity: if blank { "" } else { "Medium" },
            installed_time: String::new(),
            cve_ids: None,
        });
    }
}

/// Names a node's Windows updates: KB numbers unique on the node, titles as Windows Update
/// writes them for its operating system.
struct WindowsUpdates {
    product: &'static str,
    short: &'static str,
    kbs: BTreeSet<usize>,
}

impl WindowsUpdates {
    fn new(os: Os) -> WindowsUpdates {
        let server_2019 = os == Os::WindowsServer2019;
        WindowsUpdates {
            product: if server_2019 {
                "Windows Server 2019 (1809)"
            } else {
                "Microsoft server operating system version 21H2"
            },
            short: if server_2019 {
                "Windows Server 2019"
            } else {
                "Windows Server 2022"
            },
            kbs: BTreeSet::new(),
        }
    }

    /// A KB number not used on the node yet.
    fn next_kb(&mut self, rng: &mut Rng) -> String {
        loop {
            let kb = rng.range(5_000_000, 5_059_999);
            if self.kbs.insert(kb) {
                return format!("KB{kb}");
            }
        }
    }

    /// The title of update `kb` of `classification`, released at `released`.
    fn title(&self, rng: &mut Rng, classification: &str, kb: &str, released: i64) -> String {
        let (product, short) = (self.product, self.short);
        let (year, month) = year_month(released);
        match classification {
            "SecurityUpdates" if rng.percent(70) => format!(
                "{year}-{month:02} Cumulative Update for {product} for x64-based Systems ({kb})"
            ),
            "SecurityUpdates" => format!(
                "{year}-{month:02} Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for {short} for x64 ({kb})"
            ),
            "CriticalUpdates" => format!(
                "Windows Malicious Software Removal Tool x64 - v5.{} ({kb})",
                100 + month
            ),
            "DefinitionUpdates" => format!(
                "Security Intelligence Update for Microsoft Defender Antivirus - {kb} (Version 1.{}.{}.0)",
                400 + rng.range(0, 30),
                rng.range(0, 999)
            ),
            "UpdateRollups" => format!("{year}-{month:02} Update Rollup for {short} ({kb})"),
            _ => format!(
                "{year}-{month:02} Servicing Stack Update for {short} for x64-based Systems ({kb})"
            ),
        }
    }
}

fn windows_patches(node: &Node, rng: &mut Rng, filler: usize, scan_end: i64) -> Vec<PatchModel> {
    let mut updates = WindowsUpdates::new(node.plan.os);
    let mut patches = Vec::new();
    for &(state, severity) in &node.plan.forced_patches {
        let rated = rating(node, severity, rng);
        let kb = updates.next_kb(rng);
        let released = scan_end - rng.range_i64(0, 60 * DAY);
        let title = updates.title(rng, rated.0, &kb, released);
        patches.push(forced_patch(
            node,
            rng,
            scan_end,
            (state, severity),
            rated,
            (kb, title),
            "SecurityUpdates",
        ));
    }
    // Every Windows node has the Defender platform update, whose title carries quotes.
    let kb = updates.next_kb(rng);
    patches.push(PatchModel {
        title: format!("Update for Microsoft Defender Antivirus antimalware platform - {kb} (Version 4.18.{}.{}) - \"Current Channel (Broad)\"", 24_000 + rng.range(0, 999), rng.range(1, 9)),
        id: kb,
        state: "Installed",
        status: "COMPLIANT",
        severity: "INFORMATIONAL",
        classification: "DefinitionUpdates",
        patch_severity: "Unspecified",
        installed_time: iso8601(scan_end - rng.range_i64(DAY, 30 * DAY)),
        cve_ids: None,
    });
    for _ in 1..filler {
        patches.push(windows_filler(node, rng, &mut updates, scan_end));
    }
    patches
}

/// A compliant filler update: Installed, InstalledOther or NotApplicable.
fn windows_filler(
    node: &Node,
    rng: &mut Rng,
    updates: &mut WindowsUpdates,
    scan_end: i64,
) -> PatchModel {
    let kb = updates.next_kb(rng);
    let released = scan_end - rng.range_i64(DAY, 700 * DAY);
    let roll = rng.below(100);
    let (state, severity, classification, patch_severity, installed_time) = if roll < 50 {
        let severity = rng.weighted(&[
            ("CRITICAL", 15),
            ("HIGH", 35),
            ("MEDIUM", 25),
            ("LOW", 10),
            ("INFORMATIONAL", 10),
            ("UNSPECIFIED", 5),
        ]);
        let (classification, patch_severity) = rating(node, severity, rng);
        (
            "Installed",
            severity,
            classification,
            patch_severity,
            iso8601(released + rng.range_i64(HOUR, 20 * DAY)),
        )
    } else if roll < 60 {
        let blank = rng.percent(70);
        (
            "InstalledOther",
            if blank { "" } else { "UNSPECIFIED" },
            if blank { "" } else { "Updates" },
            "",
            iso8601(released + rng.range_i64(HOUR, 20 * DAY)),
        )
    } else {
        let blank = rng.percent(60);
        (
            "NotApplicable",
            if blank { "" } else { "HIGH" },
            if blank { "" } else { "SecurityUpdates" },
            if blank { "" } else { "Important" },
            String::new(),
        )
    };
    let title_class = if classification.is_empty() {
        "SecurityUpdates"
    } else {
        classification
    };
    PatchModel {
        title: updates.title(rng, title_class, &kb, released),
        id: kb,
        state,
        status: "COMPLIANT",
        severity,
        classification,
        patch_severity,
        installed_time,
        cve_ids: None,
    }
}
