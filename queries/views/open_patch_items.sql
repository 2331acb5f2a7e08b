-- description: One row per patch compliance item that is not compliant now, with
--   first_observed (the start of its unbroken run of failing observations: the ExecutionTime
--   of the scan that found it, else when that version of the node's compliance object was
--   made), last_observed, age_complete (false when the run reaches back to the node's oldest
--   observation kept and that observation is as old as the oldest snapshot, so the item may
--   have failed before; always false on a source without a cache) and the node's
--   terminated flag. An observation is a version of the node's compliance object that history
--   keeps. `patch-age` and `patch-sla` read it; ad-hoc SQL can too.
WITH observations AS (
    -- Each version of a node's compliance object, numbered oldest first. Without a cache,
    -- the one version there is.
    SELECT
        accountid,
        region,
        resourceid,
        observed,
        row_number() OVER (PARTITION BY accountid, region, resourceid ORDER BY observed) AS n
    FROM (
        SELECT DISTINCT
            accountid,
            region,
            resourceid,
            coalesce(_valid_from, TIMESTAMP '1970-01-01 00:00:00') AS observed
        FROM history.aws_complianceitem
    ) AS versions
),
failing AS (
    -- The patch items found not compliant, per observation.
    SELECT
        h.accountid,
        h.region,
        h.resourceid,
        h.id,
        h.title,
        h.severity,
        h.patchstate,
        h.executiontime,
        h._valid_from,
        h._valid_to,
        h._snapshot_from,
        o.n
    FROM history.aws_complianceitem AS h
    JOIN observations AS o
        ON o.accountid = h.accountid
        AND o.region = h.region
        AND o.resourceid = h.resourceid
        AND o.observed = coalesce(h._valid_from, TIMESTAMP '1970-01-01 00:00:00')
    WHERE h.compliancetype = 'Patch' AND h.status = 'NON_COMPLIANT'
),
runs AS (
    -- Consecutive observations of an item failing share n minus its rank among them.
    SELECT
        *,
        n - row_number() OVER (PARTITION BY accountid, region, resourceid, id ORDER BY n) AS run
    FROM failing
),
open_items AS (
    SELECT * FROM runs WHERE _valid_to IS NULL
),
run_starts AS (
    SELECT r.accountid, r.region, r.resourceid, r.id, min(r.n) AS first_n
    FROM runs AS r
    JOIN open_items AS o
        ON o.accountid = r.accountid
        AND o.region = r.region
        AND o.resourceid = r.resourceid
        AND o.id = r.id
        AND o.run = r.run
    GROUP BY r.accountid, r.region, r.resourceid, r.id
),
aged AS (
    SELECT
        o.accountid,
        o.region,
        o.resourceid,
        o.id,
        o.title,
        o.severity,
        o.patchstate,
        coalesce(try(from_iso8601_timestamp(f.executiontime)), f._valid_from) AS first_observed,
        coalesce(try(from_iso8601_timestamp(o.executiontime)), o._valid_from) AS last_observed,
        -- Known whole when the run began after the node's first observation, or when that
        -- first observation came after the oldest snapshot (the node appeared since).
        s.first_n > 1
            OR coalesce(f._snapshot_from > (SELECT min(snapshot) FROM history.snapshots), false)
            AS age_complete
    FROM open_items AS o
    JOIN run_starts AS s
        ON s.accountid = o.accountid
        AND s.region = o.region
        AND s.resourceid = o.resourceid
        AND s.id = o.id
    JOIN runs AS f
        ON f.accountid = o.accountid
        AND f.region = o.region
        AND f.resourceid = o.resourceid
        AND f.id = o.id
        AND f.n = s.first_n
)
SELECT
    a.accountid,
    a.region,
    a.resourceid,
    n.node_name,
    a.id AS patch_id,
    a.title,
    a.severity,
    a.patchstate AS state,
    a.first_observed,
    a.last_observed,
    a.age_complete,
    n.terminated
FROM aged AS a
LEFT JOIN managed_nodes AS n
    ON n.accountid = a.accountid AND n.region = a.region AND n.resourceid = a.resourceid
