-- title: State Manager association compliance per node
-- description: Every node that reports association compliance: alarm when any association
--   is not compliant (the reason names them), ok when all are compliant, skip for a
--   terminated node (FSBP SSM.3).
-- severity: low
-- frameworks: NIST-800-53-r5 CM-2; NIST-800-53-r5 CM-6; CIS-v8 4.1; SOC2 CC7.1; AWS-FSBP SSM.3
-- key: resource
WITH per_node AS (
    SELECT
        accountid,
        region,
        resourceid,
        count(*) FILTER (WHERE status = 'NON_COMPLIANT') AS failing,
        array_to_string(
            array_agg(coalesce(title, id) ORDER BY coalesce(title, id))
                FILTER (WHERE status = 'NON_COMPLIANT'),
            ', '
        ) AS failing_names
    FROM aws_complianceitem
    WHERE compliancetype = 'Association'
    GROUP BY accountid, region, resourceid
)
SELECT
    CASE
        WHEN coalesce(n.terminated, false) THEN 'skip'
        WHEN p.failing > 0 THEN 'alarm'
        ELSE 'ok'
    END AS status,
    CASE
        WHEN coalesce(n.terminated, false) THEN p.resourceid || ' is terminated'
        WHEN p.failing > 0 THEN p.resourceid || ' has ' || CAST(p.failing AS VARCHAR)
            || CASE WHEN p.failing = 1 THEN ' association' ELSE ' associations' END
            || ' not compliant (' || p.failing_names || ')'
        ELSE p.resourceid || ' is compliant with every association'
    END AS reason,
    p.resourceid AS resource,
    p.accountid,
    p.region,
    CASE WHEN p.failing > 0 AND NOT coalesce(n.terminated, false) THEN 'low' END AS severity,
    CAST(NULL AS TIMESTAMP) AS first_failed
FROM per_node AS p
LEFT JOIN managed_nodes AS n
    ON n.accountid = p.accountid AND n.region = p.region AND n.resourceid = p.resourceid
