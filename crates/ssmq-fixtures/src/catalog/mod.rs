//! Static vocabularies the generator draws real-looking values from.
//!
//! Everything here is data, not logic: regions, agent versions, CPU models, tag vocabularies,
//! AWS components, files and registry values, and (in submodules) the package, service and
//! feature pools. Pools are built once per process and then shared read-only by all threads.

pub(crate) mod linux;
pub(crate) mod windows;

/// Regions a realistic fleet spreads over.
pub(crate) const REGIONS: [&str; 12] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "eu-west-2",
    "ap-southeast-2",
    "ap-southeast-1",
    "ap-northeast-1",
    "ca-central-1",
    "ap-south-1",
    "sa-east-1",
];

/// Current agent versions and their share of a fleet that has InstanceStatus.
pub(crate) const CURRENT_AGENTS: [(&str, u32); 4] = [
    ("3.3.987.0", 45),
    ("3.3.1142.0", 20),
    ("3.2.582.0", 25),
    ("3.1.1732.0", 10),
];

/// Agents old enough to predate the InstanceStatus attribute.
pub(crate) const OLD_AGENTS: [&str; 2] = ["2.3.1319.0", "2.3.672.0"];

/// (model, MHz) of EC2 x86 processors.
pub(crate) const EC2_X86_CPUS: [(&str, usize); 4] = [
    ("Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", 2500),
    ("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", 2900),
    ("AMD EPYC 7R13 Processor", 2650),
    ("Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz", 2300),
];

/// (model, MHz) of Graviton processors.
pub(crate) const EC2_ARM_CPUS: [(&str, usize); 2] = [("Neoverse-N1", 2500), ("Neoverse-V1", 2600)];

/// (model, MHz) of on-premises servers registered as hybrid nodes.
pub(crate) const ON_PREM_CPUS: [(&str, usize); 3] = [
    ("Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", 3000),
    ("Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", 2200),
    ("AMD EPYC 7302 16-Core Processor", 3000),
];

pub(crate) const ENVIRONMENTS: [&str; 5] = ["prod", "prod", "staging", "dev", "test"];
pub(crate) const WORKLOADS: [&str; 16] = [
    "web",
    "api",
    "db",
    "batch",
    "cache",
    "etl",
    "bastion",
    "worker",
    "queue",
    "search",
    "ldap",
    "jenkins",
    "sftp",
    "reporting",
    "payments",
    "ad",
];
pub(crate) const TEAMS: [&str; 8] = [
    "platform",
    "payments",
    "data",
    "identity",
    "search",
    "mobile-backend",
    "sre",
    "finance-it",
];
pub(crate) const OWNERS: [&str; 6] = [
    "ops@example.com",
    "platform-team@example.com",
    "jane.doe@example.com",
    "j.smith@example.com",
    "data-eng@example.com",
    "secops@example.com",
];
/// Tag keys after Name, in the order a node gets them.
pub(crate) const TAG_KEYS: [&str; 14] = [
    "Environment",
    "Owner",
    "Application",
    "Team",
    "CostCenter",
    "Patch Group",
    "Backup",
    "aws:cloudformation:stack-name",
    "aws:autoscaling:groupName",
    "aws:ec2launchtemplate:id",
    "DataClassification",
    "Compliance",
    "Schedule",
    "Description",
];

/// (name, Linux ApplicationType, Windows name) of AWS components.
pub(crate) const LINUX_COMPONENTS: [&str; 6] = [
    "amazon-ssm-agent",
    "aws-cfn-bootstrap",
    "awscli-2",
    "amazon-cloudwatch-agent",
    "ec2-instance-connect",
    "amazon-efs-utils",
];
pub(crate) const WINDOWS_COMPONENTS: [&str; 7] = [
    "Amazon SSM Agent",
    "AWS PV Drivers",
    "Amazon Elastic Network Adapter",
    "AWS NVMe Driver",
    "EC2Launch v2",
    "AWS Tools for Windows PowerShell",
    "aws-cfn-bootstrap",
];

/// (name, directory, description, company, product) of files an AWS:File inventory reports on Windows.
pub(crate) const WINDOWS_FILES: [(&str, &str, &str, &str, &str); 12] = [
    (
        "amazon-ssm-agent.exe",
        r"C:\Program Files\Amazon\SSM",
        "Amazon SSM Agent",
        "Amazon.com, Inc.",
        "Amazon SSM Agent",
    ),
    (
        "ssm-document-worker.exe",
        r"C:\Program Files\Amazon\SSM",
        "SSM Document Worker",
        "Amazon.com, Inc.",
        "Amazon SSM Agent",
    ),
    (
        "amazon-cloudwatch-agent.exe",
        r"C:\Program Files\Amazon\AmazonCloudWatchAgent",
        "Amazon CloudWatch Agent",
        "Amazon.com, Inc.",
        "Amazon CloudWatch Agent",
    ),
    (
        "EC2Launch.exe",
        r"C:\Program Files\Amazon\EC2Launch",
        "EC2Launch v2",
        "Amazon Web Services",
        "EC2Launch",
    ),
    (
        "w3wp.exe",
        r"C:\Windows\System32\inetsrv",
        "IIS Worker Process",
        "Microsoft Corporation",
        "Internet Information Services",
    ),
    (
        "sqlservr.exe",
        r"C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn",
        "SQL Server Windows NT - 64 Bit",
        "Microsoft Corporation",
        "Microsoft SQL Server",
    ),
    (
        "lsass.exe",
        r"C:\Windows\System32",
        "Local Security Authority Process",
        "Microsoft Corporation",
        "Microsoft Windows Operating System",
    ),
    (
        "ntoskrnl.exe",
        r"C:\Windows\System32",
        "NT Kernel & System",
        "Microsoft Corporation",
        "Microsoft Windows Operating System",
    ),
    (
        "msedge.exe",
        r"C:\Program Files (x86)\Microsoft\Edge\Application",
        "Microsoft Edge",
        "Microsoft Corporation",
        "Microsoft Edge",
    ),
    (
        "java.exe",
        r"C:\Program Files\Java\jre-1.8\bin",
        "Java(TM) Platform SE binary",
        "Oracle Corporation",
        "Java(TM) Platform SE 8",
    ),
    (
        "python.exe",
        r"C:\Program Files\Python311",
        "Python",
        "Python Software Foundation",
        "Python",
    ),
    (
        "CSFalconService.exe",
        r"C:\Program Files\CrowdStrike",
        "CrowdStrike Falcon Sensor Service",
        "CrowdStrike, Inc.",
        "CrowdStrike Falcon Sensor",
    ),
];

/// (name, directory) of files an AWS:File inventory reports on Linux.
pub(crate) const LINUX_FILES: [(&str, &str); 10] = [
    ("amazon-ssm-agent", "/usr/bin"),
    ("ssm-document-worker", "/usr/bin"),
    ("sshd_config", "/etc/ssh"),
    ("sudoers", "/etc"),
    ("nginx.conf", "/etc/nginx"),
    ("java", "/usr/lib/jvm/java-17-amazon-corretto/bin"),
    ("python3.11", "/usr/bin"),
    ("app.jar", "/opt/app/current"),
    ("node", "/usr/local/bin"),
    ("falcon-sensor", "/opt/CrowdStrike"),
];

/// (key path, value name, type, value) of registry values; `{build}`, `{ubr}`, `{product}` and
/// `{ami}` are filled from the node.
pub(crate) const REGISTRY_VALUES: [(&str, &str, &str, &str); 14] = [
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "ProductName",
        "REG_SZ",
        "{product}",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "CurrentBuild",
        "REG_SZ",
        "{build}",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "UBR",
        "REG_DWORD",
        "{ubr}",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "EditionID",
        "REG_SZ",
        "ServerDatacenter",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "InstallationType",
        "REG_SZ",
        "Server",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Amazon\MachineImage",
        "AMIName",
        "REG_SZ",
        "{ami}",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full",
        "Release",
        "REG_DWORD",
        "528049",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full",
        "Version",
        "REG_SZ",
        "4.8.04084",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.0\Server",
        "Enabled",
        "REG_DWORD",
        "0",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Server",
        "Enabled",
        "REG_DWORD",
        "1",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters",
        "SMB1",
        "REG_DWORD",
        "0",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU",
        "NoAutoUpdate",
        "REG_DWORD",
        "1",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Terminal Server",
        "fDenyTSConnections",
        "REG_DWORD",
        "0",
    ),
    (
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows Defender\Features",
        "TamperProtection",
        "REG_DWORD",
        "5",
    ),
];

/// Windows features installed on every server, whatever its role.
pub(crate) const BASE_FEATURES: [&str; 9] = [
    "FileAndStorage-Services",
    "Storage-Services",
    "NET-Framework-45-Features",
    "NET-Framework-45-Core",
    "PowerShellRoot",
    "PowerShell",
    "PowerShell-ISE",
    "WoW64-Support",
    "Windows-Defender",
];

/// Feature sets by server role.
pub(crate) const ROLE_FEATURES: [&[&str]; 4] = [
    &[
        "Web-Server",
        "Web-WebServer",
        "Web-Common-Http",
        "Web-Default-Doc",
        "Web-Static-Content",
        "Web-Http-Errors",
        "Web-Health",
        "Web-Http-Logging",
        "Web-Security",
        "Web-Filtering",
        "Web-App-Dev",
        "Web-Asp-Net45",
        "Web-Net-Ext45",
        "Web-ISAPI-Ext",
        "Web-ISAPI-Filter",
        "Web-Mgmt-Tools",
        "Web-Mgmt-Console",
        "NET-Framework-45-ASPNET",
        "WAS",
        "WAS-Process-Model",
        "WAS-Config-APIs",
    ],
    &[
        "AD-Domain-Services",
        "DNS",
        "GPMC",
        "RSAT",
        "RSAT-Role-Tools",
        "RSAT-AD-Tools",
        "RSAT-AD-PowerShell",
        "RSAT-ADDS",
        "RSAT-AD-AdminCenter",
        "RSAT-ADDS-Tools",
        "RSAT-DNS-Server",
    ],
    &[
        "File-Services",
        "FS-FileServer",
        "FS-DFS-Namespace",
        "FS-DFS-Replication",
        "FS-Data-Deduplication",
        "RSAT",
        "RSAT-Role-Tools",
        "RSAT-File-Services",
    ],
    &[
        "Remote-Desktop-Services",
        "RDS-RD-Server",
        "RDS-Licensing",
        "RSAT",
        "RSAT-Role-Tools",
        "RSAT-RDS-Tools",
    ],
];

/// (document, association name, version) of State Manager associations.
pub(crate) const ASSOCIATIONS: [(&str, &str, &str); 4] = [
    ("AWS-GatherSoftwareInventory", "Inventory-Association", "1"),
    ("AWS-UpdateSSMAgent", "UpdateSSMAgent-Weekly", "1"),
    ("AWS-ConfigureAWSPackage", "Install-CloudWatchAgent", "2"),
    ("AWS-RunPatchBaseline", "PatchScan-Daily", "1"),
];

/// Upstream versions of well-known packages: (name, Amazon Linux 2023, Amazon Linux 2, RHEL 9,
/// Ubuntu 22.04). Other packages get a version derived from their name.
pub(crate) const KNOWN_VERSIONS: [(&str, &str, &str, &str, &str); 16] = [
    ("bash", "5.2.15", "4.2.46", "5.1.8", "5.1"),
    ("openssl", "3.0.8", "1.0.2k", "3.0.7", "3.0.2"),
    ("openssl-libs", "3.0.8", "1.0.2k", "3.0.7", "3.0.2"),
    ("curl", "8.5.0", "8.3.0", "7.76.1", "7.81.0"),
    ("libcurl", "8.5.0", "8.3.0", "7.76.1", "7.81.0"),
    ("glibc", "2.34", "2.26", "2.34", "2.35"),
    ("glibc-common", "2.34", "2.26", "2.34", "2.35"),
    ("python3", "3.9.16", "3.7.16", "3.9.18", "3.10.6"),
    ("python3-libs", "3.9.16", "3.7.16", "3.9.18", "3.10.6"),
    ("systemd", "252.23", "219", "252", "249.11"),
    ("sudo", "1.9.15", "1.8.23", "1.9.5p2", "1.9.9"),
    ("openssh", "8.7p1", "7.4p1", "8.7p1", "8.9p1"),
    ("openssh-server", "8.7p1", "7.4p1", "8.7p1", "8.9p1"),
    ("openssh-clients", "8.7p1", "7.4p1", "8.7p1", "8.9p1"),
    ("git", "2.40.1", "2.40.1", "2.43.5", "2.34.1"),
    ("nginx", "1.24.0", "1.22.1", "1.20.1", "1.18.0"),
];
