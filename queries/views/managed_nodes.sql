-- description: One row per managed node that reports AWS:InstanceInformation, with its Name
--   tag, and `terminated`: true when its status is Terminated, false otherwise (also when
--   it reports no status, as older agents do). The reports use it to leave out terminated
--   nodes; ad-hoc SQL can too: `SELECT … FROM managed_nodes WHERE NOT terminated`.
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
    i.agenttype,
    i.agentversion,
    i.instancestatus,
    i.capturetime,
    coalesce(i.instancestatus = 'Terminated', false) AS terminated
FROM aws_instanceinformation AS i
LEFT JOIN node_names AS t
    ON t.accountid = i.accountid AND t.region = i.region AND t.resourceid = i.resourceid
