-- title: Non-compliant patches
-- description: Every patch compliance item that is not compliant (missing, failed, or
--   installed and waiting for a reboot), one row per node and patch, with the node's Name
--   tag, computer name, platform and status. Nodes whose status is Terminated are left out
--   unless asked for; nodes without a status (older agents) are kept.
-- param: severity (text, optional) Only items of this severity: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL or UNSPECIFIED
-- param: include_terminated (boolean, default false) Also list nodes whose status is Terminated
-- key: accountid, region, resourceid, patch_id
-- example: ssmq report noncompliant-patches --param severity=CRITICAL
SELECT
    c.accountid,
    c.region,
    c.resourceid,
    c.id AS patch_id,
    c.severity,
    c.patchstate,
    c.title,
    n.node_name,
    n.computername,
    n.platformname,
    c.patchseverity,
    c.classification,
    c.executiontime,
    n.instancestatus
FROM aws_complianceitem AS c
LEFT JOIN managed_nodes AS n
    ON n.accountid = c.accountid AND n.region = c.region AND n.resourceid = c.resourceid
WHERE c.compliancetype = 'Patch'
    AND c.status = 'NON_COMPLIANT'
    AND (CAST($severity AS VARCHAR) IS NULL OR upper(c.severity) = upper(CAST($severity AS VARCHAR)))
    AND (CAST($include_terminated AS BOOLEAN) OR n.terminated IS NOT TRUE)
ORDER BY c.accountid, c.region, c.resourceid, c.id
