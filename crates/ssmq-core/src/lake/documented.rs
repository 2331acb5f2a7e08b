//! The inventory types AWS documents and their keys: data, so that tables and columns a
//! saved query expects exist on every fleet (see [`DOCUMENTED_TYPES`]).

/// Keys every line carries.
const COMMON_KEYS: [&str; 3] = ["resourceId", "captureTime", "schemaVersion"];

/// The inventory types AWS documents, with their documented keys (besides [`COMMON_KEYS`]).
///
/// These tables always exist and always have these columns, even when the lake holds no
/// object of the type or no object carries the key (`InstanceStatus` is absent in data from
/// older agents): a saved query or report over a documented column then answers with NULLs
/// or no rows instead of failing on one fleet and working on another.
pub const DOCUMENTED_TYPES: &[(&str, &[&str])] = &[
    (
        "AWS:AWSComponent",
        &[
            "Name",
            "ApplicationType",
            "Publisher",
            "Version",
            "InstalledTime",
            "Architecture",
            "URL",
        ],
    ),
    (
        "AWS:Application",
        &[
            "Name",
            "ApplicationType",
            "Publisher",
            "Version",
            "Release",
            "Epoch",
            "InstalledTime",
            "Architecture",
            "URL",
            "Summary",
            "PackageId",
        ],
    ),
    ("AWS:BillingInfo", &["BillingProductId"]),
    (
        "AWS:ComplianceItem",
        &[
            "ComplianceType",
            "ExecutionId",
            "ExecutionType",
            "ExecutionTime",
            "Id",
            "Title",
            "Status",
            "Severity",
            "DocumentName",
            "DocumentVersion",
            "Classification",
            "PatchBaselineId",
            "PatchSeverity",
            "PatchState",
            "PatchGroup",
            "InstalledTime",
        ],
    ),
    (
        "AWS:ComplianceSummary",
        &[
            "ComplianceType",
            "PatchGroup",
            "PatchBaselineId",
            "Status",
            "OverallSeverity",
            "ExecutionId",
            "ExecutionType",
            "ExecutionTime",
            "CompliantCriticalCount",
            "CompliantHighCount",
            "CompliantMediumCount",
            "CompliantLowCount",
            "CompliantInformationalCount",
            "CompliantUnspecifiedCount",
            "NonCompliantCriticalCount",
            "NonCompliantHighCount",
            "NonCompliantMediumCount",
            "NonCompliantLowCount",
            "NonCompliantInformationalCount",
            "NonCompliantUnspecifiedCount",
        ],
    ),
    (
        "AWS:File",
        &[
            "Name",
            "Size",
            "Description",
            "FileVersion",
            "InstalledDate",
            "ModificationTime",
            "LastAccessTime",
            "ProductName",
            "InstalledDir",
            "ProductLanguage",
            "CompanyName",
            "ProductVersion",
        ],
    ),
    (
        "AWS:InstanceDetailedInformation",
        &[
            "CPUModel",
            "CPUCores",
            "CPUs",
            "CPUSpeedMHz",
            "CPUSockets",
            "CPUHyperThreadEnabled",
            "OSServicePack",
            "KernelVersion",
        ],
    ),
    (
        "AWS:InstanceInformation",
        &[
            "AgentType",
            "AgentVersion",
            "ComputerName",
            "InstanceId",
            "IpAddress",
            "PlatformName",
            "PlatformType",
            "PlatformVersion",
            "ResourceType",
            "InstanceStatus",
        ],
    ),
    (
        "AWS:Network",
        &[
            "Name",
            "SubnetMask",
            "Gateway",
            "DHCPServer",
            "DNSServer",
            "MacAddress",
            "IPV4",
            "IPV6",
        ],
    ),
    (
        "AWS:PatchSummary",
        &[
            "PatchGroup",
            "BaselineId",
            "SnapshotId",
            "OwnerInformation",
            "InstalledCount",
            "InstalledPendingRebootCount",
            "InstalledOtherCount",
            "InstalledRejectedCount",
            "NotApplicableCount",
            "UnreportedNotApplicableCount",
            "MissingCount",
            "FailedCount",
            "OperationType",
            "OperationStartTime",
            "OperationEndTime",
            "InstallOverrideList",
            "RebootOption",
            "LastNoRebootInstallOperationTime",
            "ExecutionId",
            "NonCompliantSeverity",
            "SecurityNonCompliantCount",
            "CriticalNonCompliantCount",
            "OtherNonCompliantCount",
        ],
    ),
    ("AWS:ResourceGroup", &["Name", "Arn"]),
    (
        "AWS:Service",
        &[
            "Name",
            "DisplayName",
            "ServiceType",
            "Status",
            "DependentServices",
            "ServicesDependedOn",
            "StartType",
        ],
    ),
    ("AWS:Tag", &["Key", "Value"]),
    (
        "AWS:WindowsRegistry",
        &["KeyPath", "ValueName", "ValueType", "Value"],
    ),
    (
        "AWS:WindowsRole",
        &[
            "Name",
            "DisplayName",
            "Path",
            "FeatureType",
            "DependsOn",
            "Description",
            "Installed",
            "InstalledState",
            "SubFeatures",
            "ServerComponentDescriptor",
            "Parent",
        ],
    ),
    (
        "AWS:WindowsUpdate",
        &["HotFixId", "Description", "InstalledTime", "InstalledBy"],
    ),
];

/// The documented keys of a type, common keys included; empty for custom types.
pub fn documented_keys(type_name: &str) -> Vec<&'static str> {
    DOCUMENTED_TYPES
        .iter()
        .find(|(name, _)| *name == type_name)
        .map(|(_, keys)| COMMON_KEYS.iter().chain(keys.iter()).copied().collect())
        .unwrap_or_default()
}
