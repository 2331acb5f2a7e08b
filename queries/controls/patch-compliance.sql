-- title: Patch compliance per node
-- description: Every node that reports patch compliance: alarm when any patch is missing,
--   failed or otherwise not compliant (the reason names the node, how many and the first
--   patch ids, worst severity first), ok when every applicable patch is installed, skip when
--   every patch listed is not applicable, and skip for a terminated node. first_failed and
--   days_failing are those of its oldest open item (see patch-age; they need a cache's
--   history to reach back past now).
-- severity: high
-- frameworks: PCI-DSS-4.0 6.3.3; NIST-800-53-r5 SI-2; CIS-v8 7.3; SOC2 CC7.1; AWS-FSBP SSM.2
-- key: resource
WITH items AS (
    SELECT
        c.accountid,
        c.region,
        c.resourceid,
        c.id,
        c.status,
        upper(coalesce(c.severity, 'UNSPECIFIED')) AS severity,
        coalesce(c.patchstate, '') AS patchstate
    FROM aws_complianceitem AS c
    WHERE c.compliancetype = 'Patch'
),
ranked AS (
    SELECT
        *,
        CASE severity
            WHEN 'CRITICAL' THEN 1 WHEN 'HIGH' THEN 2 WHEN 'MEDIUM' THEN 3 WHEN 'LOW' THEN 4
            WHEN 'INFORMATIONAL' THEN 5 ELSE 6
        END AS severity_rank
    FROM items
),
per_node AS (
    SELECT
        accountid,
        region,
        resourceid,
        count(*) FILTER (WHERE status = 'NON_COMPLIANT') AS failing,
        count(*) FILTER (WHERE patchstate <> 'NotApplicable') AS applicable,
        min(severity_rank) FILTER (WHERE status = 'NON_COMPLIANT') AS worst_rank,
        array_to_string(
            array_agg(id ORDER BY severity_rank, id) FILTER (WHERE status = 'NON_COMPLIANT'),
            ', '
        ) AS failing_ids
    FROM ranked
    GROUP BY accountid, region, resourceid
),
oldest AS (
    SELECT accountid, region, resourceid, min(first_observed) AS first_failed
    FROM open_patch_items
    GROUP BY accountid, region, resourceid
)
SELECT
    CASE
        WHEN coalesce(n.terminated, false) THEN 'skip'
        WHEN p.failing > 0 THEN 'alarm'
        WHEN p.applicable = 0 THEN 'skip'
        ELSE 'ok'
    END AS status,
    CASE
        WHEN coalesce(n.terminated, false) THEN p.resourceid || ' is terminated'
        WHEN p.failing > 0 THEN p.resourceid || ' has ' || CAST(p.failing AS VARCHAR)
            || CASE WHEN p.failing = 1 THEN ' patch' ELSE ' patches' END
            || ' not compliant (' || p.failing_ids || ')'
        WHEN p.applicable = 0 THEN p.resourceid || ' lists only patches that do not apply to it'
        ELSE p.resourceid || ' has every applicable patch installed'
    END AS reason,
    p.resourceid AS resource,
    p.accountid,
    p.region,
    -- A failure's: what a skipped or passing node has none of.
    CASE WHEN NOT coalesce(n.terminated, false) THEN CASE p.worst_rank
        WHEN 1 THEN 'critical' WHEN 2 THEN 'high' WHEN 3 THEN 'medium' WHEN 4 THEN 'low'
        WHEN 5 THEN 'informational' WHEN 6 THEN 'unspecified'
    END END AS severity,
    CASE WHEN p.failing > 0 AND NOT coalesce(n.terminated, false) THEN o.first_failed END
        AS first_failed
FROM per_node AS p
LEFT JOIN managed_nodes AS n
    ON n.accountid = p.accountid AND n.region = p.region AND n.resourceid = p.resourceid
LEFT JOIN oldest AS o
    ON o.accountid = p.accountid AND o.region = p.region AND o.resourceid = p.resourceid
