-- title: Critical and high patches installed within their SLA
-- description: Every node that reports patch compliance: alarm when a critical or high patch
--   has been missing longer than its SLA allows (critical_days and high_days, 30 by default,
--   as FedRAMP, PCI DSS and CIS give them), counted from when it was first observed missing
--   (patch-age's clock: the scan that found it; a cache's history carries it back past the
--   latest scan); the reason lists the late patches, longest open first. ok otherwise; skip
--   for a terminated node. first_failed is when the first of them fell due.
-- severity: critical
-- frameworks: PCI-DSS-4.0 6.3.3; NIST-800-53-r5 SI-2(3); NIST-800-53-r5 RA-5; CIS-v8 7.4; SOC2 CC7.1
-- param: critical_days (integer, default 30) Days a critical patch may be missing
-- param: high_days (integer, default 30) Days a high patch may be missing
-- param: as_of (timestamp, default now) The moment lateness is judged at (with --as-of, that moment)
-- key: resource
WITH judged AS (
    SELECT
        accountid,
        region,
        resourceid,
        patch_id,
        upper(severity) AS severity,
        first_observed,
        date_part('epoch', CAST($as_of AS TIMESTAMP)) - date_part('epoch', first_observed)
            AS seconds_open,
        CASE upper(severity)
            WHEN 'CRITICAL' THEN CAST($critical_days AS BIGINT)
            WHEN 'HIGH' THEN CAST($high_days AS BIGINT)
        END AS sla_days
    FROM open_patch_items
),
late AS (
    SELECT
        *,
        CAST(floor(seconds_open / 86400) AS BIGINT) AS days_open,
        to_timestamp_seconds(CAST(date_part('epoch', first_observed) AS BIGINT) + sla_days * 86400)
            AS due
    FROM judged
    WHERE sla_days IS NOT NULL AND seconds_open > sla_days * 86400
),
per_node AS (
    SELECT
        accountid,
        region,
        resourceid,
        count(*) AS late,
        array_to_string(
            array_agg(patch_id || ' ' || lower(severity) || ', ' || CAST(days_open AS VARCHAR) || ' days'
                ORDER BY days_open DESC, patch_id),
            '; '
        ) AS late_patches,
        max(CASE severity WHEN 'CRITICAL' THEN 2 ELSE 1 END) AS worst,
        min(due) AS first_due
    FROM late
    GROUP BY accountid, region, resourceid
),
nodes AS (
    SELECT DISTINCT accountid, region, resourceid
    FROM aws_complianceitem
    WHERE compliancetype = 'Patch'
)
SELECT
    CASE
        WHEN coalesce(m.terminated, false) THEN 'skip'
        WHEN p.late > 0 THEN 'alarm'
        ELSE 'ok'
    END AS status,
    CASE
        WHEN coalesce(m.terminated, false) THEN n.resourceid || ' is terminated'
        WHEN p.late > 0 THEN n.resourceid || ' has ' || CAST(p.late AS VARCHAR)
            || CASE WHEN p.late = 1 THEN ' patch' ELSE ' patches' END
            || ' missing past the SLA (' || p.late_patches || ')'
        ELSE n.resourceid || ' has no critical or high patch missing past the SLA'
    END AS reason,
    n.resourceid AS resource,
    n.accountid,
    n.region,
    CASE WHEN p.late > 0 AND NOT coalesce(m.terminated, false) THEN
        CASE p.worst WHEN 2 THEN 'critical' ELSE 'high' END
    END AS severity,
    CASE WHEN p.late > 0 AND NOT coalesce(m.terminated, false) THEN p.first_due END
        AS first_failed
FROM nodes AS n
LEFT JOIN per_node AS p
    ON p.accountid = n.accountid AND p.region = n.region AND p.resourceid = n.resourceid
LEFT JOIN managed_nodes AS m
    ON m.accountid = n.accountid AND m.region = n.region AND m.resourceid = n.resourceid
