-- title: Non-compliant patches
-- description: Every patch compliance item that is not compliant (missing, failed, or
--   installed and waiting for a reboot), one row per node and patch, with the node's Name
--   tag, computer name, platform and status. Nodes whose status is Terminated are left out
--   unless asked for; nodes without a status (older agents) are kept.
-- param: severity (text, optional) Only items of this severity: CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL or UNSPECIFIED
-- param: include_terminated (boolean, default false) Also list nodes whose status is Terminated
-- key: accountid, region, resourceid, patch_id
-- example: ssmq report noncompliant-patches --param severity=CRITICAL
WITH node_names AS (
    SELECT accountid, region, resourceid, max(value) AS node_name
    FROM aws_tag
    WHERE key = 'Name'
    GROUP BY accountid, region, resourceid
)
SELECT
    c.accountid,
    c.region,
    c.resourceid,
    c.id AS patch_id,
    c.severity,
    c.patchstate,
    c.title,
    t.node_name,
    i.computername,
    i.platformname,
    c.patchseverity,
    c.classification,
    c.executiontime,
    i.instancestatus
FROM aws_complianceitem AS c
LEFT JOIN aws_instanceinformation AS i
    ON i.accountid = c.accountid AND i.region = c.region AND i.resourceid = c.resourceid
LEFT JOIN node_names AS t
    ON t.accountid = c.accountid AND t.region = c.region AND t.resourceid = c.resourceid
WHERE c.compliancetype = 'Patch'
    AND c.status = 'NON_COMPLIANT'
    AND (CAST($severity AS VARCHAR) IS NULL OR upper(c.severity) = upper(CAST($severity AS VARCHAR)))
    AND (CAST($include_terminated AS BOOLEAN) OR i.instancestatus IS NULL OR i.instancestatus <> 'Terminated')
ORDER BY c.accountid, c.region, c.resourceid, c.id
