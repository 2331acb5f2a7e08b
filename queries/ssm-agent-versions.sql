-- title: SSM Agent versions
-- description: The SSM Agent version of every node not known to be terminated, oldest
--   first, and whether it is behind the newest version seen in the fleet.
-- key: accountid, region, resourceid
-- example: ssmq report ssm-agent-versions --format line
WITH nodes AS (
    SELECT
        accountid,
        region,
        resourceid,
        computername,
        platformtype,
        platformname,
        agentversion,
        instancestatus,
        capturetime,
        try_cast(split_part(agentversion, '.', 1) AS BIGINT) AS v1,
        try_cast(split_part(agentversion, '.', 2) AS BIGINT) AS v2,
        try_cast(split_part(agentversion, '.', 3) AS BIGINT) AS v3,
        try_cast(split_part(agentversion, '.', 4) AS BIGINT) AS v4
    FROM managed_nodes
    WHERE NOT terminated
),
newest AS (
    SELECT agentversion
    FROM nodes
    WHERE agentversion IS NOT NULL
    ORDER BY v1 DESC NULLS LAST, v2 DESC NULLS LAST, v3 DESC NULLS LAST, v4 DESC NULLS LAST, agentversion DESC
    LIMIT 1
)
SELECT
    n.accountid,
    n.region,
    n.resourceid,
    n.computername,
    n.platformtype,
    n.platformname,
    n.agentversion,
    n.agentversion IS DISTINCT FROM (SELECT agentversion FROM newest) AS behind_newest,
    n.instancestatus,
    n.capturetime
FROM nodes AS n
ORDER BY n.v1 NULLS FIRST, n.v2 NULLS FIRST, n.v3 NULLS FIRST, n.v4 NULLS FIRST, n.agentversion NULLS FIRST,
    n.accountid, n.region, n.resourceid
