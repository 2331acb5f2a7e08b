//! Windows Server pools: installed programs and AppX packages, services, roles and features
//! (with their real parent/child paths), and the update titles Windows patch items carry.

use std::sync::OnceLock;

/// One entry of `AWS:Application` on Windows.
#[derive(Debug)]
pub(crate) struct Program {
    pub(crate) name: String,
    pub(crate) publisher: &'static str,
    /// `x86_64` or `i386` (32-bit programs on 64-bit Windows).
    pub(crate) architecture: &'static str,
    pub(crate) url: &'static str,
}

/// name|publisher|architecture|url
const PROGRAMS: &str = "7-Zip 23.01 (x64)|Igor Pavlov|x86_64|https://www.7-zip.org/
Amazon SSM Agent|Amazon Web Services|x86_64|https://aws.amazon.com/systems-manager/
Amazon CloudWatch Agent|Amazon.com, Inc.|x86_64|https://aws.amazon.com/cloudwatch/
AWS Command Line Interface v2|Amazon Web Services|x86_64|https://aws.amazon.com/cli/
AWS Tools for Windows|Amazon Web Services Developer Relations|i386|https://aws.amazon.com/powershell/
AWS PV Drivers|Amazon Web Services|x86_64|
Amazon Elastic Network Adapter Driver|Amazon Web Services|x86_64|
AWS NVMe Driver|Amazon Web Services|x86_64|
Amazon EC2Launch|Amazon Web Services|x86_64|
Google Chrome|Google LLC|x86_64|https://www.google.com/chrome/
Mozilla Firefox (x64 en-US)|Mozilla|x86_64|https://www.mozilla.org
Mozilla Maintenance Service|Mozilla|x86_64|https://www.mozilla.org
Microsoft Edge|Microsoft Corporation|x86_64|
Microsoft Edge Update|Microsoft Corporation|i386|
Microsoft Edge WebView2 Runtime|Microsoft Corporation|x86_64|
Notepad++ (64-bit x64)|Notepad++ Team|x86_64|https://notepad-plus-plus.org/
Git|The Git Development Community|x86_64|https://gitforwindows.org/
Python 3.11.9 (64-bit)|Python Software Foundation|x86_64|https://www.python.org/
Python Launcher|Python Software Foundation|i386|https://www.python.org/
PowerShell 7-x64|Microsoft Corporation|x86_64|https://github.com/PowerShell/PowerShell
Microsoft Visual Studio Code|Microsoft Corporation|x86_64|https://code.visualstudio.com/
Microsoft SQL Server Management Studio - 19.3|Microsoft Corporation|i386|
Microsoft ODBC Driver 17 for SQL Server|Microsoft Corporation|x86_64|
Microsoft OLE DB Driver for SQL Server|Microsoft Corporation|x86_64|
Microsoft Help Viewer 2.3|Microsoft Corporation|i386|
Microsoft System CLR Types for SQL Server 2019|Microsoft Corporation|x86_64|
Microsoft Monitoring Agent|Microsoft Corporation|x86_64|
Microsoft Policy Platform|Microsoft Corporation|x86_64|
Microsoft Update Health Tools|Microsoft Corporation|x86_64|
Windows Admin Center|Microsoft Corporation|x86_64|
Splunk Universal Forwarder|Splunk, Inc.|x86_64|https://www.splunk.com
CrowdStrike Windows Sensor|CrowdStrike, Inc.|x86_64|https://www.crowdstrike.com
Datadog Agent|Datadog, Inc.|x86_64|https://www.datadoghq.com
Trend Micro Deep Security Agent|Trend Micro Inc.|x86_64|https://www.trendmicro.com
Qualys Cloud Security Agent|Qualys, Inc.|x86_64|https://www.qualys.com
Java 8 Update 411 (64-bit)|Oracle Corporation|x86_64|https://java.com
Amazon Corretto 17|Amazon.com Inc.|x86_64|https://aws.amazon.com/corretto/
Node.js|Node.js Foundation|x86_64|https://nodejs.org
IIS URL Rewrite Module 2|Microsoft Corporation|x86_64|
Microsoft Web Deploy 4.0|Microsoft Corporation|x86_64|
Windows Subsystem for Linux Update|Microsoft Corporation|x86_64|
WinRAR 6.24 (64-bit)|win.rar GmbH|x86_64|https://www.win-rar.com
PuTTY release 0.81 (64-bit)|Simon Tatham|x86_64|https://www.chiark.greenend.org.uk/~sgtatham/putty/
WinSCP 6.3.3|Martin Prikryl|i386|https://winscp.net/
Wireshark 4.2.5 x64|The Wireshark developer community|x86_64|https://www.wireshark.org
Npcap|Nmap Project|x86_64|https://npcap.com
Adobe Acrobat Reader DC|Adobe Systems Incorporated|i386|https://www.adobe.com
Microsoft Office Professional Plus 2019|Microsoft Corporation|x86_64|
Microsoft OneDrive|Microsoft Corporation|x86_64|
Microsoft Teams Machine-Wide Installer|Microsoft Corporation|i386|
Local Administrator Password Solution|Microsoft Corporation|x86_64|
Microsoft Azure AD Connect|Microsoft Corporation|x86_64|
Remote Desktop Connection Manager|Microsoft Corporation|i386|
Sysinternals Suite|Microsoft Corporation|x86_64|https://learn.microsoft.com/sysinternals/
Veeam Agent for Microsoft Windows|Veeam Software Group GmbH|x86_64|https://www.veeam.com
Octopus Deploy Tentacle|Octopus Deploy Pty. Ltd.|x86_64|https://octopus.com
Chocolatey|Chocolatey Software, Inc.|x86_64|https://chocolatey.org
Windows Software Development Kit - Windows 10.0.22621.2428|Microsoft Corporation|i386|
Universal CRT Tools x64|Microsoft Corporation|x86_64|
Microsoft .NET Framework 4.8.1 Targeting Pack|Microsoft Corporation|i386|
Microsoft Analysis Services OLE DB Provider|Microsoft Corporation|x86_64|
Microsoft Visual Studio Tools for Applications 2019|Microsoft Corporation|i386|
SQL Server 2019 Database Engine Services|Microsoft Corporation|x86_64|
SQL Server 2019 Database Engine Shared|Microsoft Corporation|x86_64|
SQL Server 2019 Common Files|Microsoft Corporation|x86_64|
SQL Server 2019 Connection Info|Microsoft Corporation|x86_64|
SQL Server 2019 Shared Management Objects|Microsoft Corporation|x86_64|
SQL Server 2019 SQL Diagnostics|Microsoft Corporation|x86_64|
SQL Server 2019 XEvent|Microsoft Corporation|x86_64|
SQL Server 2019 Setup (English)|Microsoft Corporation|x86_64|
SQL Server Browser for SQL Server 2019|Microsoft Corporation|i386|
Microsoft SQL Server 2019 (64-bit)|Microsoft Corporation|x86_64|
Microsoft SQL Server 2019 T-SQL Language Service|Microsoft Corporation|x86_64|
Microsoft VSS Writer for SQL Server 2019|Microsoft Corporation|x86_64|
Microsoft SQL Server 2012 Native Client|Microsoft Corporation|x86_64|";

/// AppX package names as `Get-AppxPackage` reports them on Windows Server with Desktop Experience.
const APPX: &str = "1527c705-839a-4832-9118-54d4Bd6a0c89 c5e2524a-ea46-4f67-841f-6a9465d9d515 E2A4F912-2574-4A75-9BB0-0D023378592B F46D4000-FD22-4DB4-AC8E-4E1DDDE828FE Microsoft.AAD.BrokerPlugin Microsoft.AccountsControl Microsoft.AsyncTextService Microsoft.BioEnrollment Microsoft.CredDialogHost Microsoft.ECApp Microsoft.LockApp Microsoft.MicrosoftEdge Microsoft.MicrosoftEdgeDevToolsClient Microsoft.NET.Native.Framework.2.2 Microsoft.NET.Native.Runtime.2.2 Microsoft.UI.Xaml.2.7 Microsoft.VCLibs.140.00 Microsoft.VCLibs.140.00.UWPDesktop Microsoft.Win32WebViewHost Microsoft.Windows.Apprep.ChxApp Microsoft.Windows.AssignedAccessLockApp Microsoft.Windows.CallingShellApp Microsoft.Windows.CapturePicker Microsoft.Windows.CloudExperienceHost Microsoft.Windows.ContentDeliveryManager Microsoft.Windows.NarratorQuickStart Microsoft.Windows.OOBENetworkCaptivePortal Microsoft.Windows.OOBENetworkConnectionFlow Microsoft.Windows.ParentalControls Microsoft.Windows.PeopleExperienceHost Microsoft.Windows.PinningConfirmationDialog Microsoft.Windows.PrintQueueActionCenter Microsoft.Windows.SecureAssessmentBrowser Microsoft.Windows.ShellExperienceHost Microsoft.Windows.StartMenuExperienceHost Microsoft.Windows.XGpuEjectDialog Microsoft.XboxGameCallableUI MicrosoftWindows.Client.CBS MicrosoftWindows.UndockedDevKit Windows.CBSPreview windows.immersivecontrolpanel Windows.PrintDialog Microsoft.DesktopAppInstaller Microsoft.WindowsStore Microsoft.StorePurchaseApp Microsoft.WindowsTerminal Microsoft.HEIFImageExtension Microsoft.WebMediaExtensions Microsoft.WebpImageExtension Microsoft.VP9VideoExtensions Microsoft.ScreenSketch Microsoft.Paint Microsoft.WindowsNotepad Microsoft.WindowsCalculator Microsoft.Windows.Photos Microsoft.SecHealthUI Microsoft.LanguageExperiencePacken-GB Microsoft.LanguageExperiencePackde-DE Microsoft.LanguageExperiencePackfr-FR Microsoft.LanguageExperiencePackja-JP";

/// The `AWS:Application` pool of Windows Server nodes, sorted by name.
pub(crate) fn program_pool() -> &'static [Program] {
    static POOL: OnceLock<Vec<Program>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut pool: Vec<Program> = PROGRAMS
            .lines()
            .map(|line| {
                let mut parts = line.split('|');
                let mut next = || parts.next().expect("program line has four fields");
                let (name, publisher, architecture, url) = (next(), next(), next(), next());
                Program { name: name.to_owned(), publisher, architecture, url }
            })
            .collect();
        for name in APPX.split_whitespace() {
            let publisher = "CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US";
            pool.push(Program { name: name.to_owned(), publisher, architecture: "x86_64", url: "" });
        }
        for (year, build) in [("2008", "9.0.30729.6161"), ("2010", "10.0.40219"), ("2012", "11.0.61030"), ("2013", "12.0.40664"), ("2015-2022", "14.38.33135")] {
            for (bits, architecture) in [("x64", "x86_64"), ("x86", "i386")] {
                pool.push(Program { name: format!("Microsoft Visual C++ {year} Redistributable ({bits}) - {build}"), publisher: "Microsoft Corporation", architecture, url: "" });
                for flavour in ["Minimum", "Additional"] {
                    pool.push(Program { name: format!("Microsoft Visual C++ {year} {bits} {flavour} Runtime - {build}"), publisher: "Microsoft Corporation", architecture, url: "" });
                }
            }
        }
        for (major, patch) in [("6.0", "33"), ("7.0", "20"), ("8.0", "8")] {
            for (bits, architecture) in [("x64", "x86_64"), ("x86", "i386")] {
                for product in ["Microsoft .NET Runtime", "Microsoft ASP.NET Core", "Microsoft Windows Desktop Runtime", "Microsoft .NET Host FX Resolver", "Microsoft .NET Host"] {
                    let suffix = if product == "Microsoft ASP.NET Core" { " Shared Framework" } else { "" };
                    pool.push(Program { name: format!("{product} - {major}.{patch}{suffix} ({bits})"), publisher: "Microsoft Corporation", architecture, url: "" });
                }
            }
        }
        let microsoft = |name: String, architecture| Program { name, publisher: "Microsoft Corporation", architecture, url: "" };
        for component in WINDOWS_SDK_COMPONENTS.split('|') {
            pool.push(microsoft(component.to_owned(), "i386"));
        }
        for locale in ["es-ES", "it-IT", "nl-NL", "pt-BR", "ko-KR", "zh-CN", "zh-TW", "pl-PL", "sv-SE", "ru-RU", "tr-TR", "cs-CZ"] {
            pool.push(Program { name: format!("Microsoft.LanguageExperiencePack{locale}"), publisher: "CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US", architecture: "x86_64", url: "" });
        }
        for (vendor, driver, class, date, version) in DRIVER_PACKAGES {
            pool.push(Program { name: format!("Windows Driver Package - {vendor} ({driver}) {class}  ({date} {version})"), publisher: vendor, architecture: "x86_64", url: "" });
        }
        for component in SQL_COMPONENTS.split('|') {
            pool.push(microsoft(format!("SQL Server 2019 {component}"), "x86_64"));
        }
        pool.sort_by(|a, b| a.name.cmp(&b.name));
        pool.dedup_by(|a, b| a.name == b.name);
        pool
    })
}

/// Components a Windows SDK / Visual Studio Build Tools install registers as programs.
const WINDOWS_SDK_COMPONENTS: &str = "Windows SDK Desktop Headers x64|Windows SDK Desktop Headers x86|Windows SDK Desktop Libs x64|Windows SDK Desktop Libs x86|Windows SDK Desktop Tools x64|Windows SDK Desktop Tools x86|Windows SDK Facade Windows WinMD Versioned|Windows SDK for Windows Store Apps|Windows SDK for Windows Store Apps Contracts|Windows SDK for Windows Store Apps DirectX x64 Remote|Windows SDK for Windows Store Apps Headers|Windows SDK for Windows Store Apps Libs|Windows SDK for Windows Store Apps Metadata|Windows SDK for Windows Store Apps Tools|Windows SDK Modern Non-Versioned Developer Tools|Windows SDK Modern Versioned Developer Tools|Windows SDK Redistributables|Windows SDK Signing Tools|WinRT Intellisense Desktop - en-us|WinRT Intellisense Desktop - Other Languages|WinRT Intellisense IoT - en-us|WinRT Intellisense UAP - en-us|Visual Studio Build Tools 2022|Microsoft Visual Studio Installer|vs_BuildToolsMsi|vs_CoreEditorFonts|vs_minshellmsires|Microsoft .NET SDK 8.0.303 (x64)|Microsoft .NET Framework 4.8.1 SDK|Microsoft ASP.NET Core Module V2|Microsoft Windows Desktop Targeting Pack - 8.0.7 (x64)|Microsoft.NET.Workload.Emscripten.Current.Manifest (x64)";

/// (vendor, driver, class, date, version) of driver packages on EC2 and virtualised hosts.
const DRIVER_PACKAGES: [(&str, &str, &str, &str, &str); 10] = [
    (
        "Amazon Inc.",
        "AWSNVMe",
        "SCSIAdapter",
        "08/27/2019",
        "1.3.2.53",
    ),
    ("Amazon Inc.", "ena", "Net", "03/11/2024", "2.8.0.0"),
    ("Amazon Inc.", "xenbus", "System", "07/18/2019", "8.3.2.44"),
    (
        "Amazon Inc.",
        "xenvbd",
        "SCSIAdapter",
        "07/18/2019",
        "8.3.2.44",
    ),
    (
        "Amazon Inc.",
        "xeniface",
        "System",
        "07/18/2019",
        "8.3.2.44",
    ),
    ("Amazon Inc.", "xennet", "Net", "07/18/2019", "8.3.2.44"),
    ("Amazon Inc.", "xenvif", "System", "07/18/2019", "8.3.2.44"),
    (
        "Intel Corporation",
        "e1dexpress",
        "Net",
        "02/14/2022",
        "12.19.2.45",
    ),
    ("VMware, Inc.", "vmxnet3", "Net", "11/09/2021", "1.9.2.0"),
    (
        "VMware, Inc.",
        "pvscsi",
        "SCSIAdapter",
        "05/10/2022",
        "1.3.26.0",
    ),
];

/// Further SQL Server 2019 components that register as programs.
const SQL_COMPONENTS: &str = "Batch Parser|Client Tools SDK|Client Tools Extensions|Common Files|Database Engine Services|Full text search|Shared Management Objects Extensions|SQL Polybase Core Instance|SQL Server Agent|Integration Services|Reporting Services|Analysis Services|DMF|XEvent";

/// One Windows service.
#[derive(Debug)]
pub(crate) struct ServiceDef {
    pub(crate) name: String,
    pub(crate) display_name: String,
    /// `Automatic`, `Manual` or `Disabled`.
    pub(crate) start_type: &'static str,
    pub(crate) service_type: &'static str,
    pub(crate) depends_on: &'static str,
}

/// name|display name|start type|depends on (comma separated). Win32ShareProcess unless marked `*`.
const SERVICES: &str = "AJRouter|AllJoyn Router Service|Manual|
ALG|Application Layer Gateway Service|Manual|
AmazonCloudWatchAgent*|Amazon CloudWatch Agent|Automatic|
AmazonSSMAgent*|Amazon SSM Agent|Automatic|
AppHostSvc|Application Host Helper Service|Automatic|
AppIDSvc|Application Identity|Manual|RpcSs,CryptSvc,AppID
Appinfo|Application Information|Manual|RpcSs,ProfSvc
AppMgmt|Application Management|Manual|
AppReadiness|App Readiness|Manual|
AppVClient*|Microsoft App-V Client|Disabled|AppvVfs,RpcSS,AppvStrm,netprofm
AppXSvc|AppX Deployment Service (AppXSVC)|Manual|rpcss,staterepository
AudioEndpointBuilder|Windows Audio Endpoint Builder|Manual|
Audiosrv|Windows Audio|Manual|AudioEndpointBuilder,RpcSs
AWSLiteAgent*|AWS Lite Guest Agent|Automatic|
AxInstSV|ActiveX Installer (AxInstSV)|Disabled|rpcss
BFE|Base Filtering Engine|Automatic|RpcSs
BITS|Background Intelligent Transfer Service|Manual|RpcSs
BrokerInfrastructure|Background Tasks Infrastructure Service|Automatic|RpcEptMapper,DcomLaunch,RpcSs
BTAGService|Bluetooth Audio Gateway Service|Manual|rpcss
BthAvctpSvc|AVCTP service|Manual|
bthserv|Bluetooth Support Service|Manual|rpcss
camsvc|Capability Access Manager Service|Manual|
CaptureService|CaptureService|Manual|
cbdhsvc|Clipboard User Service|Manual|
CDPSvc|Connected Devices Platform Service|Automatic|ncbservice,RpcSS,Tcpip
CDPUserSvc|Connected Devices Platform User Service|Automatic|
CertPropSvc|Certificate Propagation|Manual|RpcSs
ClipSVC|Client License Service (ClipSVC)|Manual|rpcss
COMSysApp|COM+ System Application|Manual|SENS,EventSystem,rpcss
ConsentUxUserSvc|ConsentUX|Manual|
CoreMessagingRegistrar|CoreMessaging|Automatic|rpcss
CryptSvc|Cryptographic Services|Automatic|RpcSs
CscService|Offline Files|Disabled|RpcSs
DcomLaunch|DCOM Server Process Launcher|Automatic|
defragsvc|Optimize drives|Manual|RPCSS
DeviceAssociationService|Device Association Service|Manual|
DeviceInstall|Device Install Service|Manual|
DevicePickerUserSvc|DevicePicker|Manual|
DevicesFlowUserSvc|DevicesFlow|Manual|
DevQueryBroker|DevQuery Background Discovery Broker|Manual|
Dhcp|DHCP Client|Automatic|NSI,Afd
diagnosticshub.standardcollector.service*|Microsoft (R) Diagnostics Hub Standard Collector Service|Manual|
DiagTrack*|Connected User Experiences and Telemetry|Automatic|RpcSs
DispBrokerDesktopSvc|Display Policy Service|Automatic|
DmEnrollmentSvc|Device Management Enrollment Service|Manual|
dmwappushservice|Device Management Wireless Application Protocol (WAP) Push message Routing Service|Manual|rpcss
Dnscache|DNS Client|Automatic|nsi
DoSvc|Delivery Optimization|Automatic|RpcSs
dot3svc|Wired AutoConfig|Manual|Ndisuio,RpcSs,Eaphost
DPS|Diagnostic Policy Service|Automatic|
DsmSvc|Device Setup Manager|Manual|
DsSvc|Data Sharing Service|Manual|
Eaphost|Extensible Authentication Protocol|Manual|RPCSS,KeyIso
EC2Launch*|Amazon EC2Launch|Automatic|
EFS|Encrypting File System (EFS)|Manual|RPCSS
embeddedmode|Embedded Mode|Manual|BrokerInfrastructure
EntAppSvc|Enterprise App Management Service|Manual|
EventLog|Windows Event Log|Automatic|
EventSystem|COM+ Event System|Automatic|rpcss
fdPHost|Function Discovery Provider Host|Manual|RpcSs
FDResPub|Function Discovery Resource Publication|Manual|RpcSs,http,fdPHost
FontCache|Windows Font Cache Service|Automatic|
FrameServer|Windows Camera Frame Server|Manual|
gpsvc|Group Policy Client|Automatic|RPCSS,Mup
GraphicsPerfSvc|GraphicsPerfSvc|Manual|
hidserv|Human Interface Device Service|Manual|
HvHost|HV Host Service|Manual|
icssvc|Windows Mobile Hotspot Service|Disabled|
IKEEXT|IKE and AuthIP IPsec Keying Modules|Manual|BFE,nsi
InstallService|Microsoft Store Install Service|Manual|
iphlpsvc|IP Helper|Automatic|RpcSS,Tcpip,nsi,WinHttpAutoProxySvc
IpxlatCfgSvc|IP Translation Configuration Service|Manual|nsi
KeyIso*|CNG Key Isolation|Manual|
KPSSVC|KDC Proxy Server service (KPS)|Manual|rpcss,http
KtmRm|KtmRm for Distributed Transaction Coordinator|Manual|RPCSS,SamSS
LanmanServer|Server|Automatic|SamSS,Srv2
LanmanWorkstation|Workstation|Automatic|Bowser,MRxSmb20,NSI
lfsvc|Geolocation Service|Manual|rpcss
LicenseManager|Windows License Manager Service|Manual|RpcSs
lltdsvc|Link-Layer Topology Discovery Mapper|Manual|rpcss,nsi,lltdio
lmhosts|TCP/IP NetBIOS Helper|Manual|Afd
LSM|Local Session Manager|Automatic|RpcEptMapper,DcomLaunch,RpcSs
MapsBroker|Downloaded Maps Manager|Automatic|rpcss
MessagingService|MessagingService|Manual|
MpsSvc|Windows Defender Firewall|Automatic|mpsdrv,bfe
MSDTC*|Distributed Transaction Coordinator|Automatic|RPCSS,SamSS
MSiSCSI|Microsoft iSCSI Initiator Service|Manual|
msiserver*|Windows Installer|Manual|rpcss
MSSQLSERVER*|SQL Server (MSSQLSERVER)|Automatic|
NcaSvc|Network Connectivity Assistant|Manual|BFE,dnscache,NSI,iphlpsvc
NcbService|Network Connection Broker|Manual|RpcSs
Netlogon*|Netlogon|Manual|LanmanWorkstation
Netman|Network Connections|Manual|rpcss
netprofm|Network List Service|Manual|RpcSs,nlasvc
NetSetupSvc|Network Setup Service|Manual|
NetTcpPortSharing*|Net.Tcp Port Sharing Service|Disabled|
NgcCtnrSvc|Microsoft Passport Container|Manual|
NgcSvc|Microsoft Passport|Manual|
NlaSvc|Network Location Awareness|Automatic|NSI,RpcSs,TcpIp,Dhcp,Eventlog
nsi|Network Store Interface Service|Automatic|rpcss,nsiproxy
OneSyncSvc|Sync Host|Automatic|
PcaSvc|Program Compatibility Assistant Service|Manual|RpcSs
PerfHost*|Performance Counter DLL Host|Manual|RPCSS
PhoneSvc|Phone Service|Disabled|RpcSs
PimIndexMaintenanceSvc|Contact Data|Manual|UnistoreSvc
pla|Performance Logs & Alerts|Manual|RPCSS
PlugPlay|Plug and Play|Manual|
PolicyAgent|IPsec Policy Agent|Manual|Tcpip,bfe
Power|Power|Automatic|
PrintNotify|Printer Extensions and Notifications|Manual|
PrintWorkflowUserSvc|PrintWorkflow|Manual|
ProfSvc|User Profile Service|Automatic|RpcSs
QWAVE|Quality Windows Audio Video Experience|Manual|psched,rpcss
RasAuto|Remote Access Auto Connection Manager|Manual|RasMan,Tapisrv
RasMan|Remote Access Connection Manager|Manual|SstpSvc
RemoteAccess|Routing and Remote Access|Disabled|RpcSS,Bfe,RasMan,Http,SstpSvc
RemoteRegistry|Remote Registry|Automatic|RPCSS
RmSvc|Radio Management Service|Manual|RpcSs
RpcEptMapper|RPC Endpoint Mapper|Automatic|
RpcLocator*|Remote Procedure Call (RPC) Locator|Manual|
RpcSs|Remote Procedure Call (RPC)|Automatic|RpcEptMapper,DcomLaunch
RSoPProv|Resultant Set of Policy Provider|Manual|RPCSS
sacsvr|Special Administration Console Helper|Manual|
SamSs|Security Accounts Manager|Automatic|RPCSS
SCardSvr|Smart Card|Manual|
ScDeviceEnum|Smart Card Device Enumeration Service|Manual|
Schedule|Task Scheduler|Automatic|RPCSS,SystemEventsBroker
SCPolicySvc|Smart Card Removal Policy|Manual|
seclogon|Secondary Logon|Manual|
SecurityHealthService*|Windows Security Service|Manual|RpcSs
SEMgrSvc|Payments and NFC/SE Manager|Manual|RpcSs
SENS|System Event Notification Service|Automatic|EventSystem
Sense*|Windows Defender Advanced Threat Protection Service|Manual|
SensorDataService*|Sensor Data Service|Manual|
SensorService|Sensor Service|Manual|
SensrSvc|Sensor Monitoring Service|Manual|
SessionEnv|Remote Desktop Configuration|Manual|RPCSS,LanmanWorkstation
SgrmBroker*|System Guard Runtime Monitor Broker|Automatic|
SharedAccess|Internet Connection Sharing (ICS)|Disabled|Netman,WinMgmt
ShellHWDetection|Shell Hardware Detection|Automatic|RpcSs
shpamsvc|Shared PC Account Manager|Disabled|Profsvc
smphost*|Microsoft Storage Spaces SMP|Manual|RPCSS
SNMPTRAP*|SNMP Trap|Manual|
Spooler*|Print Spooler|Automatic|RPCSS,http
sppsvc*|Software Protection|Automatic|RpcSs
SQLSERVERAGENT*|SQL Server Agent (MSSQLSERVER)|Manual|MSSQLSERVER
SQLBrowser*|SQL Server Browser|Disabled|
SQLTELEMETRY*|SQL Server CEIP service (MSSQLSERVER)|Automatic|
SQLWriter*|SQL Server VSS Writer|Automatic|
SSDPSRV|SSDP Discovery|Disabled|HTTP
ssh-agent*|OpenSSH Authentication Agent|Disabled|
sshd*|OpenSSH SSH Server|Automatic|
SstpSvc|Secure Socket Tunneling Protocol Service|Manual|
StateRepository|State Repository Service|Manual|rpcss
stisvc*|Windows Image Acquisition (WIA)|Manual|RpcSs
StorSvc|Storage Service|Manual|
svsvc|Spot Verifier|Manual|
swprv*|Microsoft Software Shadow Copy Provider|Manual|RPCSS
SysMain|SysMain|Automatic|rpcss
SystemEventsBroker|System Events Broker|Automatic|RpcEptMapper,RpcSs
TabletInputService|Touch Keyboard and Handwriting Panel Service|Manual|
tapisrv*|Telephony|Manual|PlugPlay,RpcSs
TermService*|Remote Desktop Services|Manual|RPCSS
Themes|Themes|Automatic|
TieringEngineService*|Storage Tiers Management|Manual|
TimeBrokerSvc|Time Broker|Manual|RpcSs
TokenBroker|Web Account Manager|Manual|
TrkWks|Distributed Link Tracking Client|Automatic|RpcSs
TrustedInstaller*|Windows Modules Installer|Manual|
tzautoupdate|Auto Time Zone Updater|Disabled|
UALSVC|User Access Logging Service|Automatic|WinMgmt
UevAgentService*|User Experience Virtualization Service|Disabled|
UmRdpService|Remote Desktop Services UserMode Port Redirector|Manual|TermService,RDPDR
UnistoreSvc|User Data Storage|Manual|
upnphost|UPnP Device Host|Disabled|SSDPSRV,HTTP
UserDataSvc|User Data Access|Manual|
UserManager|User Manager|Automatic|RpcSs,ProfSvc
UsoSvc|Update Orchestrator Service|Automatic|rpcss
VaultSvc*|Credential Manager|Manual|rpcss
vds*|Virtual Disk|Manual|RpcSs
vmicguestinterface|Hyper-V Guest Service Interface|Manual|
vmicheartbeat|Hyper-V Heartbeat Service|Manual|
vmickvpexchange|Hyper-V Data Exchange Service|Manual|
vmicrdv|Hyper-V Remote Desktop Virtualization Service|Manual|
vmicshutdown|Hyper-V Guest Shutdown Service|Manual|
vmictimesync|Hyper-V Time Synchronization Service|Manual|VmGid
vmicvss|Hyper-V Volume Shadow Copy Requestor|Manual|
VSS*|Volume Shadow Copy|Manual|RPCSS
W32Time|Windows Time|Automatic|
W3SVC|World Wide Web Publishing Service|Automatic|WAS,HTTP
WaaSMedicSvc|Windows Update Medic Service|Manual|rpcss
WalletService|WalletService|Manual|
WarpJITSvc|WarpJITSvc|Manual|
WAS|Windows Process Activation Service|Manual|RPCSS
wbengine*|Block Level Backup Engine Service|Manual|
WbioSrvc*|Windows Biometric Service|Manual|RpcSs
Wcmsvc|Windows Connection Manager|Automatic|RpcSs,NSI
WdiServiceHost|Diagnostic Service Host|Manual|
WdiSystemHost|Diagnostic System Host|Manual|
WdNisSvc*|Microsoft Defender Antivirus Network Inspection Service|Manual|WdNisDrv
Wecsvc|Windows Event Collector|Manual|HTTP,Eventlog
WEPHOSTSVC|Windows Encryption Provider Host Service|Manual|rpcss
wercplsupport|Problem Reports Control Panel Support|Manual|
WerSvc|Windows Error Reporting Service|Manual|
WiaRpc|Still Image Acquisition Events|Manual|RpcSs
WinDefend*|Microsoft Defender Antivirus Service|Automatic|RpcSs
WinHttpAutoProxySvc|WinHTTP Web Proxy Auto-Discovery Service|Manual|Dhcp
Winmgmt|Windows Management Instrumentation|Automatic|RPCSS
WinRM|Windows Remote Management (WS-Management)|Automatic|RPCSS,HTTP
wisvc|Windows Insider Service|Disabled|rpcss
wlidsvc|Microsoft Account Sign-in Assistant|Manual|RpcSs
wmiApSrv*|WMI Performance Adapter|Manual|
WMPNetworkSvc*|Windows Media Player Network Sharing Service|Manual|http,WSearch
WPDBusEnum|Portable Device Enumerator Service|Manual|rpcss
WpnService|Windows Push Notifications System Service|Automatic|rpcss
WpnUserService|Windows Push Notifications User Service|Automatic|
WSearch*|Windows Search|Disabled|RPCSS
wuauserv|Windows Update|Manual|rpcss
XblAuthManager|Xbox Live Auth Manager|Manual|
XblGameSave|Xbox Live Game Save|Manual|UserManager,XblAuthManager";

/// Per-user service templates; Windows creates `<Name>_<session hex>` instances of each.
const PER_USER_SERVICES: [&str; 12] = [
    "CaptureService",
    "cbdhsvc",
    "CDPUserSvc",
    "ConsentUxUserSvc",
    "DevicePickerUserSvc",
    "DevicesFlowUserSvc",
    "MessagingService",
    "OneSyncSvc",
    "PimIndexMaintenanceSvc",
    "PrintWorkflowUserSvc",
    "UnistoreSvc",
    "UserDataSvc",
];

/// The Windows service pool.
pub(crate) fn service_pool() -> &'static [ServiceDef] {
    static POOL: OnceLock<Vec<ServiceDef>> = OnceLock::new();
    POOL.get_or_init(|| {
        SERVICES
            .lines()
            .map(|line| {
                let mut parts = line.split('|');
                let mut next = || parts.next().expect("service line has four fields");
                let (name, display_name, start_type, depends_on) = (next(), next(), next(), next());
                let (name, service_type) = match name.strip_suffix('*') {
                    Some(own) => (own, "Win32OwnProcess"),
                    None => (name, "Win32ShareProcess"),
                };
                ServiceDef {
                    name: name.to_owned(),
                    display_name: display_name.to_owned(),
                    start_type,
                    service_type,
                    depends_on,
                }
            })
            .collect()
    })
}

/// The per-user service templates that get one instance per logon session.
pub(crate) fn per_user_services() -> &'static [&'static str] {
    &PER_USER_SERVICES
}

/// One Windows role, role service or feature.
#[derive(Debug)]
pub(crate) struct FeatureDef {
    pub(crate) name: &'static str,
    pub(crate) display_name: &'static str,
    /// `Role`, `Role Service` or `Feature`.
    pub(crate) feature_type: &'static str,
    /// Index of the parent in the pool.
    pub(crate) parent: Option<usize>,
    /// Display names from the top-level role down to this one, joined with `\` as Windows does.
    pub(crate) path: String,
    pub(crate) sub_features: Vec<&'static str>,
}

/// name|display name|parent name|type (R role, S role service, F feature). Parents come first.
const FEATURES: &str = "AD-Certificate|Active Directory Certificate Services||R
ADCS-Cert-Authority|Certification Authority|AD-Certificate|S
ADCS-Web-Enrollment|Certification Authority Web Enrollment|AD-Certificate|S
AD-Domain-Services|Active Directory Domain Services||R
ADFS-Federation|Active Directory Federation Services||R
ADLDS|Active Directory Lightweight Directory Services||R
DHCP|DHCP Server||R
DNS|DNS Server||R
Fax|Fax Server||R
FileAndStorage-Services|File and Storage Services||R
File-Services|File and iSCSI Services|FileAndStorage-Services|S
FS-FileServer|File Server|File-Services|S
FS-BranchCache|BranchCache for Network Files|File-Services|S
FS-Data-Deduplication|Data Deduplication|File-Services|S
FS-DFS-Namespace|DFS Namespaces|File-Services|S
FS-DFS-Replication|DFS Replication|File-Services|S
FS-Resource-Manager|File Server Resource Manager|File-Services|S
FS-VSS-Agent|File Server VSS Agent Service|File-Services|S
FS-iSCSITarget-Server|iSCSI Target Server|File-Services|S
iSCSITarget-VSS-VDS|iSCSI Target Storage Provider (VDS and VSS hardware providers)|File-Services|S
FS-NFS-Service|Server for NFS|File-Services|S
FS-SyncShareService|Work Folders|File-Services|S
Storage-Services|Storage Services|FileAndStorage-Services|S
HostGuardianServiceRole|Host Guardian Service||R
Hyper-V|Hyper-V||R
NetworkController|Network Controller||R
NPAS|Network Policy and Access Services||R
Print-Services|Print and Document Services||R
Print-Server|Print Server|Print-Services|S
Print-Internet|Internet Printing|Print-Services|S
Print-LPD-Service|LPD Service|Print-Services|S
RemoteAccess|Remote Access||R
DirectAccess-VPN|DirectAccess and VPN (RAS)|RemoteAccess|S
Routing|Routing|RemoteAccess|S
Web-Application-Proxy|Web Application Proxy|RemoteAccess|S
Remote-Desktop-Services|Remote Desktop Services||R
RDS-Connection-Broker|Remote Desktop Connection Broker|Remote-Desktop-Services|S
RDS-Gateway|Remote Desktop Gateway|Remote-Desktop-Services|S
RDS-Licensing|Remote Desktop Licensing|Remote-Desktop-Services|S
RDS-RD-Server|Remote Desktop Session Host|Remote-Desktop-Services|S
RDS-Web-Access|Remote Desktop Web Access|Remote-Desktop-Services|S
VolumeActivation|Volume Activation Services||R
Web-Server|Web Server (IIS)||R
Web-WebServer|Web Server|Web-Server|S
Web-Common-Http|Common HTTP Features|Web-WebServer|S
Web-Default-Doc|Default Document|Web-Common-Http|S
Web-Dir-Browsing|Directory Browsing|Web-Common-Http|S
Web-Http-Errors|HTTP Errors|Web-Common-Http|S
Web-Static-Content|Static Content|Web-Common-Http|S
Web-Http-Redirect|HTTP Redirection|Web-Common-Http|S
Web-DAV-Publishing|WebDAV Publishing|Web-Common-Http|S
Web-Health|Health and Diagnostics|Web-WebServer|S
Web-Http-Logging|HTTP Logging|Web-Health|S
Web-Custom-Logging|Custom Logging|Web-Health|S
Web-Log-Libraries|Logging Tools|Web-Health|S
Web-ODBC-Logging|ODBC Logging|Web-Health|S
Web-Request-Monitor|Request Monitor|Web-Health|S
Web-Http-Tracing|Tracing|Web-Health|S
Web-Performance|Performance|Web-WebServer|S
Web-Stat-Compression|Static Content Compression|Web-Performance|S
Web-Dyn-Compression|Dynamic Content Compression|Web-Performance|S
Web-Security|Security|Web-WebServer|S
Web-Filtering|Request Filtering|Web-Security|S
Web-Basic-Auth|Basic Authentication|Web-Security|S
Web-CertProvider|Centralized SSL Certificate Support|Web-Security|S
Web-Client-Auth|Client Certificate Mapping Authentication|Web-Security|S
Web-Digest-Auth|Digest Authentication|Web-Security|S
Web-Cert-Auth|IIS Client Certificate Mapping Authentication|Web-Security|S
Web-IP-Security|IP and Domain Restrictions|Web-Security|S
Web-Url-Auth|URL Authorization|Web-Security|S
Web-Windows-Auth|Windows Authentication|Web-Security|S
Web-App-Dev|Application Development|Web-WebServer|S
Web-Net-Ext|.NET Extensibility 3.5|Web-App-Dev|S
Web-Net-Ext45|.NET Extensibility 4.8|Web-App-Dev|S
Web-AppInit|Application Initialization|Web-App-Dev|S
Web-ASP|ASP|Web-App-Dev|S
Web-Asp-Net|ASP.NET 3.5|Web-App-Dev|S
Web-Asp-Net45|ASP.NET 4.8|Web-App-Dev|S
Web-CGI|CGI|Web-App-Dev|S
Web-ISAPI-Ext|ISAPI Extensions|Web-App-Dev|S
Web-ISAPI-Filter|ISAPI Filters|Web-App-Dev|S
Web-Includes|Server Side Includes|Web-App-Dev|S
Web-WebSockets|WebSocket Protocol|Web-App-Dev|S
Web-Ftp-Server|FTP Server|Web-Server|S
Web-Ftp-Service|FTP Service|Web-Ftp-Server|S
Web-Ftp-Ext|FTP Extensibility|Web-Ftp-Server|S
Web-Mgmt-Tools|Management Tools|Web-Server|S
Web-Mgmt-Console|IIS Management Console|Web-Mgmt-Tools|S
Web-Scripting-Tools|IIS Management Scripts and Tools|Web-Mgmt-Tools|S
Web-Mgmt-Service|Management Service|Web-Mgmt-Tools|S
WDS|Windows Deployment Services||R
WDS-Deployment|Deployment Server|WDS|S
WDS-Transport|Transport Server|WDS|S
UpdateServices|Windows Server Update Services||R
UpdateServices-WidDB|WID Connectivity|UpdateServices|S
UpdateServices-Services|WSUS Services|UpdateServices|S
NET-Framework-Features|.NET Framework 3.5 Features||F
NET-Framework-Core|.NET Framework 3.5 (includes .NET 2.0 and 3.0)|NET-Framework-Features|F
NET-HTTP-Activation|HTTP Activation|NET-Framework-Features|F
NET-Non-HTTP-Activ|Non-HTTP Activation|NET-Framework-Features|F
NET-Framework-45-Features|.NET Framework 4.8 Features||F
NET-Framework-45-Core|.NET Framework 4.8|NET-Framework-45-Features|F
NET-Framework-45-ASPNET|ASP.NET 4.8|NET-Framework-45-Features|F
NET-WCF-Services45|WCF Services|NET-Framework-45-Features|F
NET-WCF-HTTP-Activation45|HTTP Activation|NET-WCF-Services45|F
NET-WCF-TCP-Activation45|TCP Activation|NET-WCF-Services45|F
NET-WCF-TCP-PortSharing45|TCP Port Sharing|NET-WCF-Services45|F
BITS|Background Intelligent Transfer Service (BITS)||F
BITS-IIS-Ext|IIS Server Extension|BITS|F
BitLocker|BitLocker Drive Encryption||F
BranchCache|BranchCache||F
NFS-Client|Client for NFS||F
Containers|Containers||F
Data-Center-Bridging|Data Center Bridging||F
EnhancedStorage|Enhanced Storage||F
Failover-Clustering|Failover Clustering||F
GPMC|Group Policy Management||F
Web-WHC|IIS Hostable Web Core||F
InkAndHandwritingServices|Ink and Handwriting Services||F
Internet-Print-Client|Internet Printing Client||F
IPAM|IP Address Management (IPAM) Server||F
LPR-Port-Monitor|LPR Port Monitor||F
Multipath-IO|Multipath I/O||F
NLB|Network Load Balancing||F
PNRP|Peer Name Resolution Protocol||F
qWave|Quality Windows Audio Video Experience||F
RDC|Remote Differential Compression||F
RSAT|Remote Server Administration Tools||F
RSAT-Feature-Tools|Feature Administration Tools|RSAT|F
RSAT-SMTP|SMTP Server Tools|RSAT-Feature-Tools|F
RSAT-Feature-Tools-BitLocker|BitLocker Drive Encryption Administration Utilities|RSAT-Feature-Tools|F
RSAT-Clustering|Failover Clustering Tools|RSAT-Feature-Tools|F
RSAT-Clustering-PowerShell|Failover Cluster Module for Windows PowerShell|RSAT-Clustering|F
RSAT-NLB|Network Load Balancing Tools|RSAT-Feature-Tools|F
RSAT-SNMP|SNMP Tools|RSAT-Feature-Tools|F
RSAT-Role-Tools|Role Administration Tools|RSAT|F
RSAT-AD-Tools|AD DS and AD LDS Tools|RSAT-Role-Tools|F
RSAT-AD-PowerShell|Active Directory module for Windows PowerShell|RSAT-AD-Tools|F
RSAT-ADDS|AD DS Tools|RSAT-AD-Tools|F
RSAT-AD-AdminCenter|Active Directory Administrative Center|RSAT-ADDS|F
RSAT-ADDS-Tools|AD DS Snap-Ins and Command-Line Tools|RSAT-ADDS|F
RSAT-ADLDS|AD LDS Snap-Ins and Command-Line Tools|RSAT-AD-Tools|F
RSAT-Hyper-V-Tools|Hyper-V Management Tools|RSAT-Role-Tools|F
RSAT-RDS-Tools|Remote Desktop Services Tools|RSAT-Role-Tools|F
RSAT-ADCS|Active Directory Certificate Services Tools|RSAT-Role-Tools|F
RSAT-DHCP|DHCP Server Tools|RSAT-Role-Tools|F
RSAT-DNS-Server|DNS Server Tools|RSAT-Role-Tools|F
RSAT-File-Services|File Services Tools|RSAT-Role-Tools|F
RSAT-Print-Services|Print and Document Services Tools|RSAT-Role-Tools|F
RSAT-RemoteAccess|Remote Access Management Tools|RSAT-Role-Tools|F
RPC-over-HTTP-Proxy|RPC over HTTP Proxy||F
Setup-and-Boot-Event-Collection|Setup and Boot Event Collection||F
Simple-TCPIP|Simple TCP/IP Services||F
FS-SMB1|SMB 1.0/CIFS File Sharing Support||F
FS-SMB1-CLIENT|SMB 1.0/CIFS Client|FS-SMB1|F
FS-SMB1-SERVER|SMB 1.0/CIFS Server|FS-SMB1|F
FS-SMBBW|SMB Bandwidth Limit||F
SMTP-Server|SMTP Server||F
SNMP-Service|SNMP Service||F
SNMP-WMI-Provider|SNMP WMI Provider|SNMP-Service|F
Storage-Replica|Storage Replica||F
Telnet-Client|Telnet Client||F
TFTP-Client|TFTP Client||F
System-DataArchiver|System Data Archiver||F
System-Insights|System Insights||F
Windows-Defender|Microsoft Defender Antivirus||F
Windows-Identity-Foundation|Windows Identity Foundation 3.5||F
PowerShellRoot|Windows PowerShell||F
PowerShell|Windows PowerShell 5.1|PowerShellRoot|F
PowerShell-V2|Windows PowerShell 2.0 Engine|PowerShellRoot|F
DSC-Service|Windows PowerShell Desired State Configuration Service|PowerShellRoot|F
PowerShell-ISE|Windows PowerShell ISE|PowerShellRoot|F
WAS|Windows Process Activation Service||F
WAS-Process-Model|Process Model|WAS|F
WAS-Config-APIs|Configuration APIs|WAS|F
Search-Service|Windows Search Service||F
Windows-Server-Backup|Windows Server Backup||F
Migration|Windows Server Migration Tools||F
WindowsStorageManagementService|Windows Standards-Based Storage Management||F
Wireless-Networking|Wireless LAN Service||F
WoW64-Support|WoW64 Support||F
XPS-Viewer|XPS Viewer||F";

/// The roles-and-features pool, parents before children.
pub(crate) fn feature_pool() -> &'static [FeatureDef] {
    static POOL: OnceLock<Vec<FeatureDef>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut pool: Vec<FeatureDef> = Vec::new();
        for line in FEATURES.lines() {
            let mut parts = line.split('|');
            let mut next = || parts.next().expect("feature line has four fields");
            let (name, display_name, parent_name, kind) = (next(), next(), next(), next());
            let parent = (!parent_name.is_empty()).then(|| {
                pool.iter()
                    .position(|feature| feature.name == parent_name)
                    .expect("parents are listed before children")
            });
            let path = match parent {
                Some(parent) => format!("{}\\{display_name}", pool[parent].path),
                None => display_name.to_owned(),
            };
            let feature_type = match kind {
                "R" => "Role",
                "S" => "Role Service",
                _ => "Feature",
            };
            if let Some(parent) = parent {
                pool[parent].sub_features.push(name);
            }
            pool.push(FeatureDef {
                name,
                display_name,
                feature_type,
                parent,
                path,
                sub_features: Vec::new(),
            });
        }
        pool
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_consistent() {
        assert!(
            program_pool().len() >= 250,
            "program pool has {}",
            program_pool().len()
        );
        assert!(
            service_pool().len() >= 200,
            "service pool has {}",
            service_pool().len()
        );
        let features = feature_pool();
        assert!(features.len() >= 150, "feature pool has {}", features.len());
        let default_document = features
            .iter()
            .find(|f| f.name == "Web-Default-Doc")
            .unwrap();
        assert_eq!(
            default_document.path,
            "Web Server (IIS)\\Web Server\\Common HTTP Features\\Default Document"
        );
        let names: std::collections::BTreeSet<_> =
            service_pool().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names.len(),
            service_pool().len(),
            "service names are unique"
        );
        for template in per_user_services() {
            assert!(names.contains(template), "{template}");
        }
    }
}
