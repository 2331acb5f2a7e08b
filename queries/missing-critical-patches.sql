-- title: Missing critical patches
-- description: Patches rated critical (compliance severity CRITICAL, or vendor severity
--   Critical) that are missing or whose installation failed, on nodes that are not
--   terminated, with the node's Name tag, computer name, platform and IP address.
-- param: include_terminated (boolean, default false) Also list nodes whose status is Terminated
-- key: accountid, region, resourceid, patch_id
-- example: ssmq report missing-critical-patches --param include_terminated=true
SELECT
    c.accountid,
    c.region,
    c.resourceid,
    c.id AS patch_id,
    c.patchstate,
    c.title,
    n.node_name,
    n.computername,
    n.ipaddress,
    n.platformname,
    c.severity,
    c.patchseverity,
    c.classification,
    c.executiontime
FROM aws_complianceitem AS c
LEFT JOIN managed_nodes AS n
    ON n.accountid = c.accountid AND n.region = c.region AND n.resourceid = c.resourceid
WHERE c.compliancetype = 'Patch'
    AND c.patchstate IN ('Missing', 'Failed')
    AND (upper(c.severity) = 'CRITICAL' OR lower(c.patchseverity) = 'critical')
    AND (CAST($include_terminated AS BOOLEAN) OR n.terminated IS NOT TRUE)
ORDER BY c.accountid, c.region, c.resourceid, c.id
