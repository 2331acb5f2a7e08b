//! The node model: everything a generated lake says about one managed node.
//!
//! In: nothing (plain data). Out: the types tests use as ground truth. Every object of a lake is
//! rendered from a [`NodeModel`] and nothing else, so an expected report answer computed from
//! the model is the answer a correct reader must produce. Free text is `String`; values drawn
//! from a fixed vocabulary (patch states, severities, classifications) are `&'static str`, which
//! compare with string literals just the same.

/// Operating system of a managed node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Os {
    /// Amazon Linux 2023 (rpm).
    AmazonLinux2023,
    /// Amazon Linux 2 (rpm).
    AmazonLinux2,
    /// Ubuntu 22.04 LTS (deb).
    Ubuntu2204,
    /// Red Hat Enterprise Linux 9 (rpm).
    Rhel9,
    /// Microsoft Windows Server 2019 Datacenter.
    WindowsServer2019,
    /// Microsoft Windows Server 2022 Datacenter.
    WindowsServer2022,
}

impl Os {
    /// `Linux` or `Windows`, as in `AWS:InstanceInformation.PlatformType`.
    pub fn platform_type(self) -> &'static str {
        if self.is_windows() {
            "Windows"
        } else {
            "Linux"
        }
    }

    /// `PlatformName` as the agent reports it.
    pub fn platform_name(self) -> &'static str {
        match self {
            Os::AmazonLinux2023 | Os::AmazonLinux2 => "Amazon Linux",
            Os::Ubuntu2204 => "Ubuntu",
            Os::Rhel9 => "Red Hat Enterprise Linux",
            Os::WindowsServer2019 => "Microsoft Windows Server 2019 Datacenter",
            Os::WindowsServer2022 => "Microsoft Windows Server 2022 Datacenter",
        }
    }

    /// `PlatformVersion` as the agent reports it.
    pub fn platform_version(self) -> &'static str {
        match self {
            Os::AmazonLinux2023 => "2023",
            Os::AmazonLinux2 => "2",
            Os::Ubuntu2204 => "22.04",
            Os::Rhel9 => "9.4",
            Os::WindowsServer2019 => "10.0.17763",
            Os::WindowsServer2022 => "10.0.20348",
        }
    }

    /// Windows Server of any version.
    pub fn is_windows(self) -> bool {
        matches!(self, Os::WindowsServer2019 | Os::WindowsServer2022)
    }

    /// RPM-based Linux: the only nodes whose application lines carry `Release` and `Epoch`.
    pub fn is_rpm(self) -> bool {
        matches!(self, Os::AmazonLinux2023 | Os::AmazonLinux2 | Os::Rhel9)
    }
}

/// One managed node and every inventory, patch and compliance item the lake holds for it.
#[derive(Debug, Clone)]
pub struct NodeModel {
    /// Position of the node in the lake (0-based); the node's randomness derives from it.
    pub index: usize,
    /// 12-digit account id (may start with `0`).
    pub account_id: String,
    /// AWS Region of the `region=` partition.
    pub region: String,
    /// `i-` + 17 hex digits for EC2, `mi-` + 17 hex digits for hybrid nodes.
    pub node_id: String,
    /// An on-premises server registered through a hybrid activation.
    pub is_hybrid: bool,
    /// Operating system; `platform_*` below are derived from it.
    pub os: Os,
    /// `Linux` or `Windows`.
    pub platform_type: String,
    /// For example `Amazon Linux` or `Microsoft Windows Server 2022 Datacenter`.
    pub platform_name: String,
    /// For example `2023` or `10.0.20348`.
    pub platform_version: String,
    /// `x86_64` or `arm64` (Graviton).
    pub architecture: String,
    /// Host name the agent reports.
    pub computer_name: String,
    /// Primary private IPv4 address.
    pub ip_address: String,
    /// SSM agent version, for example `3.3.987.0`.
    pub agent_version: String,
    /// `Active`, `Stopped`, `ConnectionLost` or `Terminated`; `None` when the agent predates
    /// the attribute (the key is then absent from the line, not null).
    pub instance_status: Option<String>,
    /// `captureTime` of the node's inventory objects, `YYYY-MM-DDTHH:MM:SSZ`.
    pub capture_time: String,
    /// `IamRole` of `AWS:InstanceInformation`, reported for hybrid nodes only.
    pub iam_role: Option<String>,
    /// Value of the `Name` tag, if the node has one (always equal to that entry of `tags`).
    pub name_tag: Option<String>,
    /// `AWS:Tag` lines in order. Empty: the node has no `AWS:Tag` object (unless a quirk writes
    /// an empty one).
    pub tags: Vec<TagModel>,
    /// The single `AWS:InstanceDetailedInformation` line.
    pub detailed: DetailedInformationModel,
    /// `AWS:Application` lines in order.
    pub applications: Vec<ApplicationModel>,
    /// `AWS:AWSComponent` lines in order.
    pub aws_components: Vec<ComponentModel>,
    /// `AWS:Network` lines in order.
    pub network: Vec<NetworkInterfaceModel>,
    /// `AWS:File` lines (only some nodes).
    pub files: Vec<FileModel>,
    /// `AWS:WindowsUpdate` lines (Windows only).
    pub windows_updates: Vec<WindowsUpdateModel>,
    /// `AWS:Service` lines (Windows only).
    pub services: Vec<ServiceModel>,
    /// `AWS:WindowsRole` lines (Windows only).
    pub windows_roles: Vec<WindowsRoleModel>,
    /// `AWS:WindowsRegistry` lines (some Windows nodes).
    pub registry: Vec<RegistryValueModel>,
    /// `AWS:ResourceGroup` lines (some nodes).
    pub resource_groups: Vec<ResourceGroupModel>,
    /// `AWS:BillingInfo.BillingProductId` (Windows EC2 nodes).
    pub billing_product_id: Option<String>,
    /// The last patch operation; `None` for nodes without any patch data (no `AWS:PatchSummary`,
    /// no patch compliance items, no `Patch` compliance summary).
    pub patch_run: Option<PatchRunModel>,
    /// One per `AWS:ComplianceItem` line with `ComplianceType` = `Patch`.
    pub patches: Vec<PatchModel>,
    /// One per `AWS:ComplianceItem` line with `ComplianceType` = `Association`.
    pub associations: Vec<AssociationModel>,
    /// The single `Custom:NodeInfo` line, if the node has one.
    pub custom_node_info: Option<Vec<(String, CustomValue)>>,
    /// How some of this node's objects are made awkward (Sample profile only).
    pub quirks: NodeQuirks,
}

impl NodeModel {
    /// Counts over [`NodeModel::patches`], exactly as `AWS:PatchSummary` and the `Patch` row of
    /// `AWS:ComplianceSummary` state them.
    pub fn patch_counts(&self) -> ComplianceCounts {
        ComplianceCounts::of_patches(&self.patches)
    }

    /// Counts over [`NodeModel::associations`], as the `Association` row of
    /// `AWS:ComplianceSummary` states them.
    pub fn association_counts(&self) -> ComplianceCounts {
        ComplianceCounts::of(
            self.associations
                .iter()
                .map(|a| (a.status, a.severity, "", "")),
        )
    }

    /// `ResourceType` data value of `AWS:InstanceInformation`.
    pub fn resource_type(&self) -> &'static str {
        if self.is_hybrid {
            "ManagedInstance"
        } else {
            "EC2Instance"
        }
    }
}

/// One `AWS:Tag` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagModel {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// The `AWS:InstanceDetailedInformation` line.
#[derive(Debug, Clone)]
pub struct DetailedInformationModel {
    /// `CPUModel`.
    pub cpu_model: String,
    /// `CPUCores`.
    pub cpu_cores: usize,
    /// `CPUs` (logical processors).
    pub cpus: usize,
    /// `CPUSpeedMHz`.
    pub cpu_speed_mhz: usize,
    /// `CPUSockets`.
    pub cpu_sockets: usize,
    /// `CPUHyperThreadEnabled` (`true`/`false` strings in the line).
    pub hyper_thread_enabled: bool,
    /// `OSServicePack`.
    pub os_service_pack: String,
    /// `KernelVersion`: only Linux nodes with a 3.3 agent report it (schema drift).
    pub kernel_version: Option<String>,
}

/// One `AWS:Application` line.
#[derive(Debug, Clone)]
pub struct ApplicationModel {
    /// `Name`.
    pub name: String,
    /// `ApplicationType` (RPM group, Debian section, or empty on Windows).
    pub application_type: String,
    /// `Publisher`.
    pub publisher: String,
    /// `Version`.
    pub version: String,
    /// `Release`: RPM-based Linux only.
    pub release: Option<String>,
    /// `Epoch`: RPM-based Linux only, on packages that have one, and not from old agents.
    pub epoch: Option<String>,
    /// `InstalledTime`.
    pub installed_time: String,
    /// `Architecture`.
    pub architecture: String,
    /// The package URL, if the line has one.
    pub url: Option<String>,
    /// The key spelling of the URL: `URL` on most lines, `Url` on a few (readers must merge the
    /// two case-insensitively).
    pub url_key: &'static str,
    /// `Summary` (Linux only).
    pub summary: Option<String>,
    /// `PackageId`: on exactly one line of the lake, in the lexicographically last
    /// `AWS:Application` object, so sample-based schema inference misses it.
    pub package_id: Option<String>,
}

/// One `AWS:AWSComponent` line.
#[derive(Debug, Clone)]
pub struct ComponentModel {
    /// `Name`.
    pub name: String,
    /// `ApplicationType`.
    pub application_type: String,
    /// `Publisher`.
    pub publisher: String,
    /// `Version`.
    pub version: String,
    /// `InstalledTime`.
    pub installed_time: String,
    /// `Architecture`.
    pub architecture: String,
    /// `URL`.
    pub url: String,
}

/// One `AWS:Network` line.
#[derive(Debug, Clone)]
pub struct NetworkInterfaceModel {
    /// `Name` (`ens5`, `eth0`, `Ethernet`…).
    pub name: String,
    /// `SubnetMask`.
    pub subnet_mask: String,
    /// `Gateway`.
    pub gateway: String,
    /// `DHCPServer`.
    pub dhcp_server: String,
    /// `DNSServer`.
    pub dns_server: String,
    /// `MacAddress`.
    pub mac_address: String,
    /// `IPV4`.
    pub ipv4: String,
    /// `IPV6` (often empty).
    pub ipv6: String,
}

/// One `AWS:File` line.
#[derive(Debug, Clone)]
pub struct FileModel {
    /// `Name`.
    pub name: String,
    /// `Size` in bytes.
    pub size: u64,
    /// `Description`.
    pub description: String,
    /// `FileVersion`.
    pub file_version: String,
    /// `InstalledDate`.
    pub installed_date: String,
    /// `ModificationTime`.
    pub modification_time: String,
    /// `LastAccessTime`.
    pub last_access_time: String,
    /// `ProductName`.
    pub product_name: String,
    /// `InstalledDir` (a Windows path with backslashes on Windows nodes).
    pub installed_dir: String,
    /// `ProductLanguage`.
    pub product_language: String,
    /// `CompanyName`.
    pub company_name: String,
    /// `ProductVersion`.
    pub product_version: String,
}

/// One `AWS:WindowsUpdate` line.
#[derive(Debug, Clone)]
pub struct WindowsUpdateModel {
    /// `HotFixId` (`KB…`).
    pub hot_fix_id: String,
    /// `Description` (`Security Update`, `Update`, `Hotfix`).
    pub description: &'static str,
    /// `InstalledTime`.
    pub installed_time: String,
    /// `InstalledBy` (`NT AUTHORITY\SYSTEM`…).
    pub installed_by: String,
}

/// One `AWS:Service` line.
#[derive(Debug, Clone)]
pub struct ServiceModel {
    /// `Name`.
    pub name: String,
    /// `DisplayName`.
    pub display_name: String,
    /// `ServiceType`.
    pub service_type: &'static str,
    /// `Status` (`Running`, `Stopped`).
    pub status: &'static str,
    /// `DependentServices` (comma separated).
    pub dependent_services: String,
    /// `ServicesDependedOn` (comma separated).
    pub services_depended_on: String,
    /// `StartType` (`Automatic`, `Manual`, `Disabled`).
    pub start_type: &'static str,
}

/// One `AWS:WindowsRole` line.
#[derive(Debug, Clone)]
pub struct WindowsRoleModel {
    /// `Name`.
    pub name: String,
    /// `DisplayName`.
    pub display_name: String,
    /// `Path` (display names joined with backslashes).
    pub path: String,
    /// `FeatureType` (`Role`, `Role Service`, `Feature`).
    pub feature_type: &'static str,
    /// `DependsOn`.
    pub depends_on: String,
    /// `Description`.
    pub description: String,
    /// `Installed` (`True`/`False` in the line).
    pub installed: bool,
    /// `InstalledState` (`Installed`, `Available`, `Removed`).
    pub installed_state: &'static str,
    /// `SubFeatures` (comma separated).
    pub sub_features: String,
    /// `ServerComponentDescriptor`.
    pub server_component_descriptor: String,
    /// `Parent`.
    pub parent: String,
}

/// One `AWS:WindowsRegistry` line.
#[derive(Debug, Clone)]
pub struct RegistryValueModel {
    /// `KeyPath` (`HKEY_LOCAL_MACHINE\SOFTWARE\…`).
    pub key_path: String,
    /// `ValueName`.
    pub value_name: String,
    /// `ValueType` (`REG_SZ`, `REG_DWORD`).
    pub value_type: &'static str,
    /// `Value`.
    pub value: String,
}

/// One `AWS:ResourceGroup` line.
#[derive(Debug, Clone)]
pub struct ResourceGroupModel {
    /// `Name`.
    pub name: String,
    /// `Arn`.
    pub arn: String,
}

/// The last patch operation of a node: the non-count fields of `AWS:PatchSummary` and the
/// execution fields shared by its patch compliance items.
#[derive(Debug, Clone)]
pub struct PatchRunModel {
    /// `PatchGroup` (the node's `Patch Group` tag, or empty).
    pub patch_group: String,
    /// `BaselineId` / `PatchBaselineId` (`pb-…`).
    pub baseline_id: String,
    /// `SnapshotId`.
    pub snapshot_id: String,
    /// `ExecutionId` of the `AWS-RunPatchBaseline` command.
    pub execution_id: String,
    /// `OperationType` (`Scan` or `Install`).
    pub operation_type: &'static str,
    /// `OperationStartTime`.
    pub operation_start_time: String,
    /// `OperationEndTime`; also `ExecutionTime` and `captureTime` of the patch lines.
    pub operation_end_time: String,
    /// `RebootOption` (`RebootIfNeeded`, `NoReboot`).
    pub reboot_option: &'static str,
    /// `LastNoRebootInstallOperationTime` (often empty).
    pub last_no_reboot_install_operation_time: String,
    /// `UnreportedNotApplicableCount`: patches the baseline does not report items for.
    pub unreported_not_applicable_count: usize,
}

/// One patch: one `AWS:ComplianceItem` line with `ComplianceType` = `Patch`.
#[derive(Debug, Clone)]
pub struct PatchModel {
    /// `Id`: `kernel.x86_64` on rpm Linux, the package name on Ubuntu, `KB…` on Windows.
    pub id: String,
    /// `Title`, for example `kernel.x86_64:0:6.1.90-99.173.amzn2023` (may contain quotes).
    pub title: String,
    /// `PatchState`: `Installed`, `InstalledOther`, `InstalledPendingReboot`,
    /// `InstalledRejected`, `Missing`, `Failed` or `NotApplicable`.
    pub state: &'static str,
    /// `Status`: `NON_COMPLIANT` for Missing, Failed and InstalledPendingReboot, else `COMPLIANT`.
    pub status: &'static str,
    /// `Severity`: `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `INFORMATIONAL`, `UNSPECIFIED`, or empty
    /// (often for InstalledOther and NotApplicable).
    pub severity: &'static str,
    /// `Classification` (`Security`, `Bugfix`…, `SecurityUpdates`, `CriticalUpdates`… on
    /// Windows), possibly empty.
    pub classification: &'static str,
    /// `PatchSeverity`: the vendor's rating (`Critical`, `Important`, `Medium`…), possibly empty.
    pub patch_severity: &'static str,
    /// `InstalledTime`; empty for patches that are not installed.
    pub installed_time: String,
    /// `CVEIds` (comma separated), on some security patches only.
    pub cve_ids: Option<String>,
}

/// Patch states whose items are `NON_COMPLIANT`.
pub const NON_COMPLIANT_PATCH_STATES: [&str; 3] = ["Missing", "Failed", "InstalledPendingReboot"];

/// The `Status` a patch item has in a given `PatchState`.
pub fn patch_status(state: &str) -> &'static str {
    if NON_COMPLIANT_PATCH_STATES.contains(&state) {
        "NON_COMPLIANT"
    } else {
        "COMPLIANT"
    }
}

/// One association: one `AWS:ComplianceItem` line with `ComplianceType` = `Association`.
#[derive(Debug, Clone)]
pub struct AssociationModel {
    /// `Id`: the association id.
    pub id: String,
    /// `Title`: the association name.
    pub title: String,
    /// `DocumentName`.
    pub document_name: String,
    /// `DocumentVersion`.
    pub document_version: String,
    /// `Status`.
    pub status: &'static str,
    /// `Severity`.
    pub severity: &'static str,
    /// `ExecutionId`.
    pub execution_id: String,
    /// `ExecutionTime`; also the line's `captureTime`.
    pub execution_time: String,
}

/// A value of a custom inventory line. AWS writes strings only, but hand-made files hold any JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    /// A JSON string.
    Str(String),
    /// A JSON integer.
    Int(i64),
    /// A JSON number with a fraction.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A nested object.
    Object(Vec<(String, CustomValue)>),
    /// A nested array.
    Array(Vec<CustomValue>),
}

/// Ways some of a node's objects are made awkward to read; each names the TypeName of the
/// affected object. Only the Sample profile sets any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeQuirks {
    /// This object starts with a UTF-8 byte-order mark.
    pub bom: Option<&'static str>,
    /// This object ends its lines with CRLF.
    pub crlf: Option<&'static str>,
    /// This object has blank lines between (and after) its lines.
    pub blank_lines: Option<&'static str>,
    /// This object's last line has no terminating newline.
    pub no_final_newline: Option<&'static str>,
    /// This object exists but is empty (0 bytes), although the node has no items of the type.
    pub empty_object: Option<&'static str>,
}

impl NodeQuirks {
    /// True when no quirk is set.
    pub fn is_empty(&self) -> bool {
        *self == NodeQuirks::default()
    }
}

/// Severities from most to least severe, as `Severity` spells them.
pub const SEVERITIES: [&str; 6] = [
    "CRITICAL",
    "HIGH",
    "MEDIUM",
    "LOW",
    "INFORMATIONAL",
    "UNSPECIFIED",
];

/// Counts over compliance items, as `AWS:PatchSummary` and `AWS:ComplianceSummary` state them.
///
/// Conventions (the generator's, stated here so tests can rely on them): an empty `Severity`
/// counts as `UNSPECIFIED`; "critical" means `Severity` = `CRITICAL`; "security" means
/// `Classification` = `Security` or `SecurityUpdates`; "other" non-compliant items are those
/// neither critical nor security; the overall / non-compliant severity is the most severe
/// `Severity` among NON_COMPLIANT items, or `UNSPECIFIED` when there are none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplianceCounts {
    /// Items in state `Installed`.
    pub installed: usize,
    /// Items in state `InstalledOther`.
    pub installed_other: usize,
    /// Items in state `InstalledPendingReboot`.
    pub installed_pending_reboot: usize,
    /// Items in state `InstalledRejected`.
    pub installed_rejected: usize,
    /// Items in state `Missing`.
    pub missing: usize,
    /// Items in state `Failed`.
    pub failed: usize,
    /// Items in state `NotApplicable`.
    pub not_applicable: usize,
    /// NON_COMPLIANT items with Severity CRITICAL.
    pub critical_non_compliant: usize,
    /// NON_COMPLIANT items with a security classification.
    pub security_non_compliant: usize,
    /// NON_COMPLIANT items that are neither critical nor security.
    pub other_non_compliant: usize,
    /// COMPLIANT items per severity, in [`SEVERITIES`] order.
    pub compliant_by_severity: [usize; 6],
    /// NON_COMPLIANT items per severity, in [`SEVERITIES`] order.
    pub non_compliant_by_severity: [usize; 6],
}

impl ComplianceCounts {
    /// Counts over patch items.
    pub fn of_patches(patches: &[PatchModel]) -> Self {
        Self::of(
            patches
                .iter()
                .map(|p| (p.status, p.severity, p.state, p.classification)),
        )
    }

    /// Counts over (status, severity, patch state, classification) of items.
    pub fn of<'a>(items: impl Iterator<Item = (&'a str, &'a str, &'a str, &'a str)>) -> Self {
        let mut counts = ComplianceCounts::default();
        for (status, severity, state, classification) in items {
            match state {
                "Installed" => counts.installed += 1,
                "InstalledOther" => counts.installed_other += 1,
                "InstalledPendingReboot" => counts.installed_pending_reboot += 1,
                "InstalledRejected" => counts.installed_rejected += 1,
                "Missing" => counts.missing += 1,
                "Failed" => counts.failed += 1,
                "NotApplicable" => counts.not_applicable += 1,
                _ => {}
            }
            let severity_slot = SEVERITIES.iter().position(|s| *s == severity).unwrap_or(5);
            if status == "NON_COMPLIANT" {
                counts.non_compliant_by_severity[severity_slot] += 1;
                let critical = severity == "CRITICAL";
                let security = matches!(classification, "Security" | "SecurityUpdates");
                counts.critical_non_compliant += usize::from(critical);
                counts.security_non_compliant += usize::from(security);
                counts.other_non_compliant += usize::from(!critical && !security);
            } else {
                counts.compliant_by_severity[severity_slot] += 1;
            }
        }
        counts
    }

    /// Number of NON_COMPLIANT items.
    pub fn non_compliant(&self) -> usize {
        self.non_compliant_by_severity.iter().sum()
    }

    /// Number of COMPLIANT items.
    pub fn compliant(&self) -> usize {
        self.compliant_by_severity.iter().sum()
    }

    /// `COMPLIANT` iff there is no NON_COMPLIANT item.
    pub fn status(&self) -> &'static str {
        if self.non_compliant() == 0 {
            "COMPLIANT"
        } else {
            "NON_COMPLIANT"
        }
    }

    /// The most severe Severity among NON_COMPLIANT items, `UNSPECIFIED` if none.
    pub fn overall_severity(&self) -> &'static str {
        self.non_compliant_by_severity
            .iter()
            .position(|count| *count > 0)
            .map_or("UNSPECIFIED", |slot| SEVERITIES[slot])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(
        state: &'static str,
        severity: &'static str,
        classification: &'static str,
    ) -> PatchModel {
        PatchModel {
            id: "x".into(),
            title: "x".into(),
            state,
            status: patch_status(state),
            severity,
            classification,
            patch_severity: "",
            installed_time: String::new(),
            cve_ids: None,
        }
    }

    #[test]
    fn counts_follow_the_documented_conventions() {
        let patches = [
            patch("Installed", "HIGH", "Security"),
            patch("InstalledOther", "", ""),
            patch("NotApplicable", "", ""),
            patch("Missing", "CRITICAL", "Security"),
            patch("Missing", "MEDIUM", "Bugfix"),
            patch("Failed", "HIGH", "SecurityUpdates"),
            patch("InstalledPendingReboot", "LOW", "Bugfix"),
            patch("InstalledRejected", "LOW", "Security"),
        ];
        let counts = ComplianceCounts::of_patches(&patches);
        assert_eq!(
            (
                counts.installed,
                counts.installed_other,
                counts.not_applicable
            ),
            (1, 1, 1)
        );
        assert_eq!(
            (
                counts.missing,
                counts.failed,
                counts.installed_pending_reboot,
                counts.installed_rejected
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(counts.critical_non_compliant, 1);
        assert_eq!(counts.security_non_compliant, 2);
        assert_eq!(counts.other_non_compliant, 2);
        assert_eq!(counts.non_compliant_by_severity, [1, 1, 1, 1, 0, 0]);
        assert_eq!(counts.compliant_by_severity, [0, 1, 0, 1, 0, 2]);
        assert_eq!(counts.status(), "NON_COMPLIANT");
        assert_eq!(counts.overall_severity(), "CRITICAL");
        let compliant = ComplianceCounts::of_patches(&patches[..3]);
        assert_eq!(
            (compliant.status(), compliant.overall_severity()),
            ("COMPLIANT", "UNSPECIFIED")
        );
    }
}
