//! Rendering a [`NodeModel`] into sync objects.
//!
//! In: one node model (and the key prefix). Out: `(key, body)` pairs handed to a callback, one
//! per type the node has, bodies rendered into one reused buffer. Quirks (BOM, CRLF, blank
//! lines, missing final newline, an empty object) are applied to the finished body, so the
//! lines themselves are always the same for a given model.

use crate::json::LineWriter;
use crate::model::{CustomValue, NodeModel};
use std::io::Write as _;

/// The partition folder every known bucket uses.
pub(crate) const RESOURCE_TYPE: &str = "ManagedInstanceInventory";

/// Every TypeName the generator can write, in the order a node's objects are rendered.
pub const TYPE_NAMES: [&str; 17] = [
    "AWS:InstanceInformation",
    "AWS:InstanceDetailedInformation",
    "AWS:Application",
    "AWS:AWSComponent",
    "AWS:Network",
    "AWS:Tag",
    "AWS:PatchSummary",
    "AWS:ComplianceItem",
    "AWS:ComplianceSummary",
    "AWS:WindowsUpdate",
    "AWS:Service",
    "AWS:WindowsRole",
    "AWS:WindowsRegistry",
    "AWS:BillingInfo",
    "AWS:File",
    "AWS:ResourceGroup",
    "Custom:NodeInfo",
];

/// The object key of `type_name` for `node`.
pub(crate) fn object_key(prefix: &str, type_name: &str, node: &NodeModel) -> String {
    format!(
        "{prefix}{type_name}/accountid={}/region={}/resourcetype={RESOURCE_TYPE}/{}.json",
        node.account_id, node.region, node.node_id
    )
}

/// Renders every object of `node`, calling `emit(key, body)` for each. `body` is reused.
pub(crate) fn render_node<E>(
    node: &NodeModel,
    prefix: &str,
    body: &mut Vec<u8>,
    mut emit: impl FnMut(&str, &[u8]) -> Result<(), E>,
) -> Result<(), E> {
    for type_name in TYPE_NAMES {
        body.clear();
        let has_lines = render_type(node, type_name, body);
        if !has_lines && node.quirks.empty_object != Some(type_name) {
            continue;
        }
        apply_quirks(node, type_name, body);
        emit(&object_key(prefix, type_name, node), body)?;
    }
    Ok(())
}

fn apply_quirks(node: &NodeModel, type_name: &str, body: &mut Vec<u8>) {
    let quirks = &node.quirks;
    let is = |quirk: Option<&str>| quirk == Some(type_name);
    if is(quirks.empty_object) {
        body.clear();
        return;
    }
    if is(quirks.blank_lines) {
        let mut spaced = Vec::with_capacity(body.len() * 2);
        for line in body.split_inclusive(|byte| *byte == b'\n') {
            spaced.extend_from_slice(line);
            spaced.push(b'\n');
        }
        *body = spaced;
    }
    if is(quirks.crlf) {
        let mut crlf = Vec::with_capacity(body.len() + body.len() / 64);
        for &byte in body.iter() {
            if byte == b'\n' {
                crlf.push(b'\r');
            }
            crlf.push(byte);
        }
        *body = crlf;
    }
    if is(quirks.no_final_newline) && body.last() == Some(&b'\n') {
        body.pop();
    }
    if is(quirks.bom) {
        body.splice(0..0, [0xEF, 0xBB, 0xBF]);
    }
}

/// Appends the lines of one type; false when the node has no item of that type.
fn render_type(node: &NodeModel, type_name: &str, out: &mut Vec<u8>) -> bool {
    let (_, render) = RENDERERS
        .iter()
        .find(|(name, _)| *name == type_name)
        .unwrap_or_else(|| unreachable!("unknown type {type_name}"));
    render(node, out) && !out.is_empty()
}

/// Appends a node's lines of one type; false when the node has no item of that type.
type Render = fn(&NodeModel, &mut Vec<u8>) -> bool;

/// The renderer of each type the generator writes.
const RENDERERS: &[(&str, Render)] = &[
    ("AWS:InstanceInformation", render_instance_information),
    (
        "AWS:InstanceDetailedInformation",
        render_instance_detailed_information,
    ),
    ("AWS:Application", render_application),
    ("AWS:AWSComponent", render_aws_component),
    ("AWS:Network", render_network),
    ("AWS:Tag", render_tag),
    ("AWS:PatchSummary", render_patch_summary),
    ("AWS:ComplianceItem", render_compliance_item),
    ("AWS:ComplianceSummary", render_compliance_summary),
    ("AWS:WindowsUpdate", render_windows_update),
    ("AWS:Service", render_service),
    ("AWS:WindowsRole", render_windows_role),
    ("AWS:WindowsRegistry", render_windows_registry),
    ("AWS:BillingInfo", render_billing_info),
    ("AWS:File", render_file),
    ("AWS:ResourceGroup", render_resource_group),
    ("Custom:NodeInfo", render_custom_node_info),
];

/// Appends one line per item of `items`, its fields written by `fields`, stamped with `node`'s
/// id and capture time and the type's schema `version`; false when there are none.
fn item_lines<T>(
    node: &NodeModel,
    out: &mut Vec<u8>,
    items: &[T],
    version: &str,
    fields: impl Fn(&mut LineWriter, &T),
) -> bool {
    for item in items {
        let mut line = LineWriter::begin(out);
        fields(&mut line, item);
        line.end(&node.node_id, &node.capture_time, version);
    }
    !items.is_empty()
}

/// `AWS:InstanceInformation` lines of `node`; false when it has none.
fn render_instance_information(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    let id = node.node_id.as_str();
    let capture = node.capture_time.as_str();
    let mut line = LineWriter::begin(out);
    line.field("AgentType", "amazon-ssm-agent")
        .field("AgentVersion", &node.agent_version)
        .field("ComputerName", &node.computer_name)
        .field("InstanceId", id)
        .field("IpAddress", &node.ip_address)
        .field("PlatformName", &node.platform_name)
        .field("PlatformType", &node.platform_type)
        .field("PlatformVersion", &node.platform_version)
        .field("ResourceType", node.resource_type());
    if let Some(status) = &node.instance_status {
        line.field("InstanceStatus", status);
    }
    if let Some(role) = &node.iam_role {
        line.field("IamRole", role);
    }
    line.end(id, capture, "1.0");
    true
}

/// `AWS:InstanceDetailedInformation` lines of `node`; false when it has none.
fn render_instance_detailed_information(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    let id = node.node_id.as_str();
    let capture = node.capture_time.as_str();
    let detail = &node.detailed;
    let mut line = LineWriter::begin(out);
    line.field("CPUModel", &detail.cpu_model)
        .count("CPUCores", detail.cpu_cores)
        .count("CPUs", detail.cpus)
        .count("CPUSpeedMHz", detail.cpu_speed_mhz)
        .count("CPUSockets", detail.cpu_sockets)
        .field(
            "CPUHyperThreadEnabled",
            if detail.hyper_thread_enabled {
                "true"
            } else {
                "false"
            },
        )
        .field("OSServicePack", &detail.os_service_pack);
    if let Some(kernel) = &detail.kernel_version {
        line.field("KernelVersion", kernel);
    }
    line.end(id, capture, "1.0");
    true
}

/// `AWS:Application` lines of `node`; false when it has none.
fn render_application(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.applications, "1.1", |line, app| {
        line.field("Name", &app.name)
            .field("ApplicationType", &app.application_type)
            .field("Publisher", &app.publisher)
            .field("Version", &app.version);
        if let Some(release) = &app.release {
            line.field("Release", release);
        }
        if let Some(epoch) = &app.epoch {
            line.field("Epoch", epoch);
        }
        line.field("InstalledTime", &app.installed_time)
            .field("Architecture", &app.architecture);
        if let Some(url) = &app.url {
            line.field(app.url_key, url);
        }
        if let Some(summary) = &app.summary {
            line.field("Summary", summary);
        }
        if let Some(package_id) = &app.package_id {
            line.field("PackageId", package_id);
        }
    })
}

/// `AWS:AWSComponent` lines of `node`; false when it has none.
fn render_aws_component(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.aws_components, "1.0", |line, component| {
        line.field("Name", &component.name)
            .field("ApplicationType", &component.application_type)
            .field("Publisher", &component.publisher)
            .field("Version", &component.version)
            .field("InstalledTime", &component.installed_time)
            .field("Architecture", &component.architecture)
            .field("URL", &component.url);
    })
}

/// `AWS:Network` lines of `node`; false when it has none.
fn render_network(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.network, "1.0", |line, interface| {
        line.field("Name", &interface.name)
            .field("SubnetMask", &interface.subnet_mask)
            .field("Gateway", &interface.gateway)
            .field("DHCPServer", &interface.dhcp_server)
            .field("DNSServer", &interface.dns_server)
            .field("MacAddress", &interface.mac_address)
            .field("IPV4", &interface.ipv4)
            .field("IPV6", &interface.ipv6);
    })
}

/// `AWS:Tag` lines of `node`; false when it has none.
fn render_tag(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.tags, "1.0", |line, tag| {
        line.field("Key", &tag.key).field("Value", &tag.value);
    })
}

/// `AWS:PatchSummary` lines of `node`; false when it has none.
fn render_patch_summary(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    let id = node.node_id.as_str();
    let Some(run) = &node.patch_run else {
        return false;
    };
    let counts = node.patch_counts();
    LineWriter::begin(out)
        .field("PatchGroup", &run.patch_group)
        .field("BaselineId", &run.baseline_id)
        .field("SnapshotId", &run.snapshot_id)
        .field("OwnerInformation", "")
        .count("InstalledCount", counts.installed)
        .count(
            "InstalledPendingRebootCount",
            counts.installed_pending_reboot,
        )
        .count("InstalledOtherCount", counts.installed_other)
        .count("InstalledRejectedCount", counts.installed_rejected)
        .count("NotApplicableCount", counts.not_applicable)
        .count(
            "UnreportedNotApplicableCount",
            run.unreported_not_applicable_count,
        )
        .count("MissingCount", counts.missing)
        .count("FailedCount", counts.failed)
        .field("OperationType", run.operation_type)
        .field("OperationStartTime", &run.operation_start_time)
        .field("OperationEndTime", &run.operation_end_time)
        .field("InstallOverrideList", "")
        .field("RebootOption", run.reboot_option)
        .field(
            "LastNoRebootInstallOperationTime",
            &run.last_no_reboot_install_operation_time,
        )
        .field("ExecutionId", &run.execution_id)
        .field("NonCompliantSeverity", counts.overall_severity())
        .count("SecurityNonCompliantCount", counts.security_non_compliant)
        .count("CriticalNonCompliantCount", counts.critical_non_compliant)
        .count("OtherNonCompliantCount", counts.other_non_compliant)
        .end(id, &run.operation_end_time, "1.0");
    true
}

/// `AWS:ComplianceItem` lines of `node`; false when it has none.
fn render_compliance_item(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    let id = node.node_id.as_str();
    if let Some(run) = &node.patch_run {
        for patch in &node.patches {
            let mut line = LineWriter::begin(out);
            line.field("Status", patch.status)
                .field("ComplianceType", "Patch")
                .field("Id", &patch.id)
                .field("Title", &patch.title)
                .field("Severity", patch.severity)
                .field("PatchSeverity", patch.patch_severity)
                .field("Classification", patch.classification)
                .field("PatchState", patch.state)
                .field("InstalledTime", &patch.installed_time)
                .field("ExecutionType", "Command")
                .field("ExecutionTime", &run.operation_end_time)
                .field("PatchBaselineId", &run.baseline_id)
                .field("PatchGroup", &run.patch_group)
                .field("ExecutionId", &run.execution_id);
            if let Some(cves) = &patch.cve_ids {
                line.field("CVEIds", cves);
            }
            line.end(id, &run.operation_end_time, "1.0");
        }
    }
    for association in &node.associations {
        LineWriter::begin(out)
            .field("Status", association.status)
            .field("ComplianceType", "Association")
            .field("Id", &association.id)
            .field("Title", &association.title)
            .field("Severity", association.severity)
            .field("DocumentName", &association.document_name)
            .field("DocumentVersion", &association.document_version)
            .field("ExecutionType", "Command")
            .field("ExecutionTime", &association.execution_time)
            .field("ExecutionId", &association.execution_id)
            .end(id, &association.execution_time, "1.0");
    }
    true
}

/// `AWS:ComplianceSummary` lines of `node`; false when it has none.
fn render_compliance_summary(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    let id = node.node_id.as_str();
    if let Some(run) = &node.patch_run {
        let counts = node.patch_counts();
        let when = &run.operation_end_time;
        summary_line(
            out,
            id,
            "Patch",
            &run.patch_group,
            &run.baseline_id,
            &counts,
            &run.execution_id,
            when,
        );
    }
    if let Some(latest) = node
        .associations
        .iter()
        .max_by(|a, b| a.execution_time.cmp(&b.execution_time))
    {
        let counts = node.association_counts();
        summary_line(
            out,
            id,
            "Association",
            "",
            "",
            &counts,
            &latest.execution_id,
            &latest.execution_time,
        );
    }
    true
}

/// `AWS:WindowsUpdate` lines of `node`; false when it has none.
fn render_windows_update(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.windows_updates, "1.0", |line, update| {
        line.field("HotFixId", &update.hot_fix_id)
            .field("Description", update.description)
            .field("InstalledTime", &update.installed_time)
            .field("InstalledBy", &update.installed_by);
    })
}

/// `AWS:Service` lines of `node`; false when it has none.
fn render_service(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.services, "1.0", |line, service| {
        line.field("Name", &service.name)
            .field("DisplayName", &service.display_name)
            .field("ServiceType", service.service_type)
            .field("Status", service.status)
            .field("DependentServices", &service.dependent_services)
            .field("ServicesDependedOn", &service.services_depended_on)
            .field("StartType", service.start_type);
    })
}

/// `AWS:WindowsRole` lines of `node`; false when it has none.
fn render_windows_role(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.windows_roles, "1.0", |line, role| {
        line.field("Name", &role.name)
            .field("DisplayName", &role.display_name)
            .field("Path", &role.path)
            .field("FeatureType", role.feature_type)
            .field("DependsOn", &role.depends_on)
            .field("Description", &role.description)
            .field("Installed", if role.installed { "True" } else { "False" })
            .field("InstalledState", role.installed_state)
            .field("SubFeatures", &role.sub_features)
            .field(
                "ServerComponentDescriptor",
                &role.server_component_descriptor,
            )
            .field("Parent", &role.parent);
    })
}

/// `AWS:WindowsRegistry` lines of `node`; false when it has none.
fn render_windows_registry(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.registry, "1.0", |line, value| {
        line.field("KeyPath", &value.key_path)
            .field("ValueName", &value.value_name)
            .field("ValueType", value.value_type)
            .field("Value", &value.value);
    })
}

/// `AWS:BillingInfo` lines of `node`; false when it has none.
fn render_billing_info(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    let id = node.node_id.as_str();
    let capture = node.capture_time.as_str();
    let Some(product) = &node.billing_product_id else {
        return false;
    };
    LineWriter::begin(out)
        .field("BillingProductId", product)
        .end(id, capture, "1.0");
    true
}

/// `AWS:File` lines of `node`; false when it has none.
fn render_file(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.files, "1.0", |line, file| {
        line.field("Name", &file.name)
            .count("Size", file.size as usize)
            .field("Description", &file.description)
            .field("FileVersion", &file.file_version)
            .field("InstalledDate", &file.installed_date)
            .field("ModificationTime", &file.modification_time)
            .field("LastAccessTime", &file.last_access_time)
            .field("ProductName", &file.product_name)
            .field("InstalledDir", &file.installed_dir)
            .field("ProductLanguage", &file.product_language)
            .field("CompanyName", &file.company_name)
            .field("ProductVersion", &file.product_version);
    })
}

/// `AWS:ResourceGroup` lines of `node`; false when it has none.
fn render_resource_group(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    item_lines(node, out, &node.resource_groups, "1.0", |line, group| {
        line.field("Name", &group.name).field("Arn", &group.arn);
    })
}

/// `Custom:NodeInfo` lines of `node`; false when it has none.
fn render_custom_node_info(node: &NodeModel, out: &mut Vec<u8>) -> bool {
    let id = node.node_id.as_str();
    let capture = node.capture_time.as_str();
    let Some(fields) = &node.custom_node_info else {
        return false;
    };
    let mut line = LineWriter::begin(out);
    let mut json = Vec::new();
    for (key, value) in fields {
        json.clear();
        write_custom_value(&mut json, value);
        line.raw(
            key,
            std::str::from_utf8(&json).expect("rendered JSON is UTF-8"),
        );
    }
    line.end(id, capture, "1.0");
    true
}

#[allow(clippy::too_many_arguments)]
fn summary_line(
    out: &mut Vec<u8>,
    id: &str,
    compliance_type: &str,
    patch_group: &str,
    baseline_id: &str,
    counts: &crate::model::ComplianceCounts,
    execution_id: &str,
    execution_time: &str,
) {
    let mut line = LineWriter::begin(out);
    line.field("ComplianceType", compliance_type)
        .field("PatchGroup", patch_group)
        .field("PatchBaselineId", baseline_id)
        .field("Status", counts.status())
        .field("OverallSeverity", counts.overall_severity())
        .field("ExecutionId", execution_id)
        .field("ExecutionType", "Command")
        .field("ExecutionTime", execution_time);
    const NAMES: [&str; 6] = [
        "Critical",
        "High",
        "Medium",
        "Low",
        "Informational",
        "Unspecified",
    ];
    let mut key = String::new();
    for (slot, name) in NAMES.iter().enumerate() {
        key.clear();
        key.push_str("Compliant");
        key.push_str(name);
        key.push_str("Count");
        line.count(&key, counts.compliant_by_severity[slot]);
    }
    for (slot, name) in NAMES.iter().enumerate() {
        key.clear();
        key.push_str("NonCompliant");
        key.push_str(name);
        key.push_str("Count");
        line.count(&key, counts.non_compliant_by_severity[slot]);
    }
    line.end(id, execution_time, "1.0");
}

fn write_custom_value(out: &mut Vec<u8>, value: &CustomValue) {
    match value {
        CustomValue::Str(text) => crate::json::write_string(out, text),
        CustomValue::Int(number) => write!(out, "{number}").expect("writing to a Vec cannot fail"),
        CustomValue::Float(number) => {
            write!(out, "{number:?}").expect("writing to a Vec cannot fail")
        }
        CustomValue::Bool(flag) => write!(out, "{flag}").expect("writing to a Vec cannot fail"),
        CustomValue::Null => out.extend_from_slice(b"null"),
        CustomValue::Object(fields) => {
            out.push(b'{');
            for (n, (key, value)) in fields.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                crate::json::write_string(out, key);
                out.push(b':');
                write_custom_value(out, value);
            }
            out.push(b'}');
        }
        CustomValue::Array(items) => {
            out.push(b'[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(b',');
                }
                write_custom_value(out, item);
            }
            out.push(b']');
        }
    }
}
