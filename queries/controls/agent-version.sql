-- title: SSM Agent kept up to date
-- description: Every managed node: alarm when its SSM Agent is more than `releases` releases
--   behind the newest version running in the fleet (releases counted among the versions the
--   fleet runs) or reports no readable version; ok otherwise; skip for a terminated node.
-- severity: medium
-- frameworks: NIST-800-53-r5 SI-2; NIST-800-53-r5 CM-8; CIS-v8 2.2; SOC2 CC7.1; AWS-FSBP SSM.1
-- param: releases (integer, default 2) Releases behind the fleet's newest that are still ok
-- key: resource
WITH nodes AS (
    SELECT
        *,
        try_cast(split_part(agentversion, '.', 1) AS BIGINT) AS v1,
        try_cast(split_part(agentversion, '.', 2) AS BIGINT) AS v2,
        try_cast(split_part(agentversion, '.', 3) AS BIGINT) AS v3,
        try_cast(split_part(agentversion, '.', 4) AS BIGINT) AS v4
    FROM managed_nodes
),
versions AS (
    -- Each version the fleet runs, newest first: 0 is the newest.
    SELECT
        agentversion,
        dense_rank() OVER (
            ORDER BY v1 DESC NULLS LAST, v2 DESC NULLS LAST, v3 DESC NULLS LAST,
                v4 DESC NULLS LAST
        ) - 1 AS behind
    FROM (SELECT DISTINCT agentversion, v1, v2, v3, v4 FROM nodes
          WHERE NOT terminated AND v1 IS NOT NULL) AS distinct_versions
)
SELECT
    CASE
        WHEN n.terminated THEN 'skip'
        WHEN v.behind IS NULL OR v.behind > CAST($releases AS BIGINT) THEN 'alarm'
        ELSE 'ok'
    END AS status,
    CASE
        WHEN n.terminated THEN n.resourceid || ' is terminated'
        WHEN v.behind IS NULL THEN n.resourceid || ' reports no readable agent version'
        WHEN v.behind = 0 THEN n.resourceid || ' runs the newest agent, ' || n.agentversion
        ELSE n.resourceid || ' runs agent ' || n.agentversion || ', '
            || CAST(v.behind AS VARCHAR) || CASE WHEN v.behind = 1 THEN ' release' ELSE ' releases' END
            || ' behind the newest'
    END AS reason,
    n.resourceid AS resource,
    n.accountid,
    n.region,
    CASE WHEN NOT n.terminated AND (v.behind IS NULL OR v.behind > CAST($releases AS BIGINT))
        THEN 'medium' END AS severity,
    CAST(NULL AS TIMESTAMP) AS first_failed
FROM nodes AS n
LEFT JOIN versions AS v ON v.agentversion = n.agentversion
