-- title: Missing critical patches
-- description: Patches rated critical (compliance severity CRITICAL, or vendor severity
--   Critical) that are missing or whose installation failed, on nodes that are not
--   terminated, with the node's Name tag, computer name, platform and IP address.
-- param: include_terminated (boolean, default false) Also list nodes whose status is Terminated
-- key: accountid, region, resourceid, patch_id
-- example: ssmq report missing-critical-patches --param include_terminated=true
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
    c.patchstate,
    c.title,
    t.node_name,
    i.computername,
    i.ipaddress,
    i.platformname,
    c.severity,
    c.patchseverity,
    c.classification,
    c.executiontime
FROM aws_complianceitem AS c
LEFT JOIN aws_instanceinformation AS i
    ON i.accountid = c.accountid AND i.region = c.region AND i.resourceid = c.resourceid
LEFT JOIN node_names AS t
    ON t.accountid = c.accountid AND t.region = c.region AND t.resourceid = c.resourceid
WHERE c.compliancetype = 'Patch'
    AND c.patchstate IN ('Missing', 'Failed')
    AND (upper(c.severity) = 'CRITICAL' OR lower(c.patchseverity) = 'critical')
    AND (CAST($include_terminated AS BOOLEAN) OR i.instancestatus IS NULL OR i.instancestatus <> 'Terminated')
ORDER BY c.accountid, c.region, c.resourceid, c.id
