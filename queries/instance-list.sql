-- title: Managed nodes
-- description: Every managed node not known to be terminated (a node without a status, as
--   older agents report, counts as not terminated), with its Name tag, computer name, IP
--   address, platform, agent version, status and when its inventory was last captured.
-- key: accountid, region, resourceid
-- example: ssmq report instance-list --output nodes.csv
SELECT
    accountid,
    region,
    resourceid,
    node_name,
    computername,
    ipaddress,
    platformtype,
    platformname,
    platformversion,
    node_type,
    agentversion,
    instancestatus,
    capturetime
FROM managed_nodes
WHERE NOT terminated
ORDER BY accountid, region, resourceid
