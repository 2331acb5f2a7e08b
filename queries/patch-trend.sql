-- title: Patch compliance trend
-- description: For each snapshot the cache keeps (up to the moment asked for), how many nodes
--   that were not terminated then were patch-compliant, non-compliant, or had reported no
--   patch compliance, as the lake stood at the snapshot's time (what `--as-of` that time
--   answers): the last row agrees with the totals of patch-compliance-by-account there. The
--   evidence page draws non_compliant as its trend.
-- needs: history
-- key: snapshot
-- example: ssmq report patch-trend --format html --output trend.html
WITH nodes AS (
    SELECT s.snapshot, i.accountid, i.region, i.resourceid
    FROM history.snapshots AS s
    JOIN history.aws_instanceinformation AS i
        ON i._valid_from <= s.taken_at AND (i._valid_to IS NULL OR i._valid_to > s.taken_at)
    WHERE coalesce(i.instancestatus, '') <> 'Terminated'
),
patch AS (
    SELECT s.snapshot, c.accountid, c.region, c.resourceid, c.status
    FROM history.snapshots AS s
    JOIN history.aws_compliancesummary AS c
        ON c._valid_from <= s.taken_at AND (c._valid_to IS NULL OR c._valid_to > s.taken_at)
    WHERE c.compliancetype = 'Patch'
)
SELECT
    s.snapshot,
    s.taken_at,
    count(n.resourceid) AS nodes,
    count(n.resourceid) FILTER (WHERE p.status = 'COMPLIANT') AS compliant,
    count(n.resourceid) FILTER (WHERE p.status = 'NON_COMPLIANT') AS non_compliant,
    count(n.resourceid) FILTER (WHERE p.status IS NULL) AS unreported
FROM history.snapshots AS s
LEFT JOIN nodes AS n
    ON n.snapshot = s.snapshot
LEFT JOIN patch AS p
    ON p.snapshot = n.snapshot
    AND p.accountid = n.accountid
    AND p.region = n.region
    AND p.resourceid = n.resourceid
GROUP BY s.snapshot, s.taken_at
ORDER BY s.snapshot
