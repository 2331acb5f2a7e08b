-- title: Patch changes
-- description: Patches that became missing or failed, and patches that were fixed, between
--   since and until, node by node. change is `newly missing` or `newly failed` (the item is
--   not compliant at until in that state, and was compliant, in another state or not listed at
--   since: a new node's missing patches are new findings), `newly not compliant` for other
--   failing states, or `fixed` (not compliant at since; compliant or no longer listed at until
--   on a node that still reports patch compliance). state_before and state_after are its
--   PatchState at the two moments (NULL where not listed); seen is the earliest version of the
--   node's compliance object after since in which the new state held. A node's items at a
--   moment are those of the version of its compliance object current then, as the cache's
--   history keeps it; nodes that went away are node-changes' to report. Nodes whose status is
--   Terminated are left out unless asked for.
-- needs: history
-- param: since (timestamp, default 7d) The earlier moment (7d: a week before until's default)
-- param: until (timestamp, default now) The later moment (with --as-of, that moment)
-- param: include_terminated (boolean, default false) Also list nodes whose status is Terminated
-- key: accountid, region, resourceid, patch_id
-- example: ssmq report patch-changes --param since=2026-10-01 --param until=2026-10-31
WITH patch_items AS (
    SELECT accountid, region, resourceid, id, title, severity, status, patchstate, _valid_from, _valid_to
    FROM history.aws_complianceitem
    WHERE compliancetype = 'Patch'
),
at_since AS (
    SELECT * FROM patch_items
    WHERE _valid_from <= $since AND (_valid_to IS NULL OR _valid_to > $since)
),
at_until AS (
    SELECT * FROM patch_items
    WHERE _valid_from <= $until AND (_valid_to IS NULL OR _valid_to > $until)
),
reporting_at_until AS (
    -- Nodes with a version of their compliance object current at until.
    SELECT DISTINCT accountid, region, resourceid FROM at_until
),
newly_failing AS (
    SELECT
        u.accountid,
        u.region,
        u.resourceid,
        u.id,
        u.title,
        u.severity,
        CASE u.patchstate
            WHEN 'Missing' THEN 'newly missing'
            WHEN 'Failed' THEN 'newly failed'
            ELSE 'newly not compliant'
        END AS change,
        s.patchstate AS state_before,
        u.patchstate AS state_after
    FROM at_until AS u
    LEFT JOIN at_since AS s
        ON s.accountid = u.accountid AND s.region = u.region AND s.resourceid = u.resourceid AND s.id = u.id
    WHERE u.status = 'NON_COMPLIANT'
        AND (s.id IS NULL OR s.status <> 'NON_COMPLIANT' OR s.patchstate IS DISTINCT FROM u.patchstate)
),
fixed AS (
    SELECT
        s.accountid,
        s.region,
        s.resourceid,
        s.id,
        coalesce(u.title, s.title) AS title,
        coalesce(u.severity, s.severity) AS severity,
        'fixed' AS change,
        s.patchstate AS state_before,
        u.patchstate AS state_after
    FROM at_since AS s
    JOIN reporting_at_until AS r
        ON r.accountid = s.accountid AND r.region = s.region AND r.resourceid = s.resourceid
    LEFT JOIN at_until AS u
        ON u.accountid = s.accountid AND u.region = s.region AND u.resourceid = s.resourceid AND u.id = s.id
    WHERE s.status = 'NON_COMPLIANT' AND (u.id IS NULL OR u.status <> 'NON_COMPLIANT')
),
changed AS (
    SELECT * FROM newly_failing
    UNION ALL
    SELECT * FROM fixed
),
node_versions AS (
    -- Every version of a node's compliance object made between the two moments.
    SELECT DISTINCT accountid, region, resourceid, _valid_from
    FROM patch_items
    WHERE _valid_from > $since AND _valid_from <= $until
),
held AS (
    -- Per change, the versions in which its new state held.
    SELECT c.accountid, c.region, c.resourceid, c.id, v._valid_from
    FROM changed AS c
    JOIN node_versions AS v
        ON v.accountid = c.accountid AND v.region = c.region AND v.resourceid = c.resourceid
    LEFT JOIN patch_items AS p
        ON p.accountid = c.accountid
        AND p.region = c.region
        AND p.resourceid = c.resourceid
        AND p.id = c.id
        AND p._valid_from = v._valid_from
    WHERE CASE c.change
        WHEN 'fixed' THEN p.id IS NULL OR p.status <> 'NON_COMPLIANT'
        ELSE p.status = 'NON_COMPLIANT' AND p.patchstate = c.state_after
    END
),
first_held AS (
    SELECT accountid, region, resourceid, id, min(_valid_from) AS seen
    FROM held
    GROUP BY accountid, region, resourceid, id
)
SELECT
    c.accountid,
    c.region,
    c.resourceid,
    c.change,
    c.id AS patch_id,
    c.state_before,
    c.state_after,
    c.severity,
    f.seen,
    n.node_name,
    c.title
FROM changed AS c
LEFT JOIN first_held AS f
    ON f.accountid = c.accountid AND f.region = c.region AND f.resourceid = c.resourceid AND f.id = c.id
LEFT JOIN managed_nodes AS n
    ON n.accountid = c.accountid AND n.region = c.region AND n.resourceid = c.resourceid
WHERE CAST($include_terminated AS BOOLEAN) OR n.terminated IS NOT TRUE
ORDER BY c.accountid, c.region, c.resourceid, c.id
