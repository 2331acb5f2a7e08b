-- title: Patch compliance by account and region
-- description: For each account and region, how many nodes that are not terminated are
--   patch-compliant, non-compliant, or have reported no patch compliance at all, and which
--   nodes are non-compliant.
-- key: accountid, region
-- example: ssmq report patch-compliance-by-account --output evidence.parquet
WITH nodes AS (
    SELECT accountid, region, resourceid
    FROM managed_nodes
    WHERE NOT terminated
),
patch AS (
    SELECT accountid, region, resourceid, status
    FROM aws_compliancesummary
    WHERE compliancetype = 'Patch'
)
SELECT
    n.accountid,
    n.region,
    count(*) AS nodes,
    count(*) FILTER (WHERE p.status = 'COMPLIANT') AS compliant,
    count(*) FILTER (WHERE p.status = 'NON_COMPLIANT') AS non_compliant,
    count(*) FILTER (WHERE p.status IS NULL) AS unreported,
    coalesce(
        string_agg(CASE WHEN p.status = 'NON_COMPLIANT' THEN n.resourceid END, ', ' ORDER BY n.resourceid),
        ''
    ) AS non_compliant_resourceids
FROM nodes AS n
LEFT JOIN patch AS p
    ON p.accountid = n.accountid AND p.region = n.region AND p.resourceid = n.resourceid
GROUP BY n.accountid, n.region
ORDER BY n.accountid, n.region
