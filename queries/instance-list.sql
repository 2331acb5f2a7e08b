-- title: Managed nodes
-- description: Every managed node not known to be terminated (a node without a status, as
--   older agents report, counts as not terminated), with its Name tag, computer name, IP
--   address, platform, agent version, status and when its inventory was last captured.
-- key: accountid, region, resourceid
-- example: ssmq report instance-list --output nodes.csv
WITH node_names AS (
    SELECT accountid, region, resourceid, max(value) AS node_name
    FROM aws_tag
    WHERE key = 'Name'
    GROUP BY accountid, region, resourceid
)
SELECT
    i.accountid,
    i.region,
    i.resourceid,
    t.node_name,
    i.computername,
    i.ipaddress,
    i.platformtype,
    i.platformname,
    i.platformversion,
    i.resourcetype_data AS node_type,
    i.agentversion,
    i.instancestatus,
    i.capturetime
FROM aws_instanceinformation AS i
LEFT JOIN node_names AS t
    ON t.accountid = i.accountid AND t.region = i.region AND t.resourceid = i.resourceid
WHERE i.instancestatus IS NULL OR i.instancestatus <> 'Terminated'
ORDER BY i.accountid, i.region, i.resourceid
