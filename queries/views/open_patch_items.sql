-- description: One row per patch compliance item that is not compliant now, with
--   first_observed (the start of its unbroken run of failing versions: the ExecutionTime
--   of the scan that found it, else when that version of the node's compliance object was
--   made), last_observed, age_complete (false when the run's first version was already
--   current at the oldest snapshot kept, so the item may have failed before; always false on
--   a source without a cache) and the node's terminated flag. A run is unbroken while each
--   failing version of the node's compliance object was replaced by the next one in which
--   the item fails too; a version in which it passes, or the object's going away, ends it.
--   `patch-age` and `patch-sla` read it; ad-hoc SQL can too.
WITH failing AS (
    -- The patch items found not compliant, in every version history keeps.
    SELECT
        accountid,
        region,
        resourceid,
        id,
        title,
        severity,
        patchstate,
        executiontime,
        _valid_from,
        _valid_to,
        _snapshot_from
    FROM history.aws_complianceitem
    WHERE compliancetype = 'Patch' AND status = 'NON_COMPLIANT'
),
starts AS (
    -- An item's failing version continues its run when the one before it (in one global
    -- order, so no per-item partition) is the same item's, and was replaced by this one (a
    -- replaced version is valid until its successor's modification time) or is this very
    -- version (a line repeated in an object).
    SELECT
        *,
        CASE
            WHEN lag(accountid) OVER w = accountid
                AND lag(region) OVER w = region
                AND lag(resourceid) OVER w = resourceid
                AND lag(id) OVER w = id
                AND (lag(_valid_to) OVER w = _valid_from OR lag(_valid_from) OVER w = _valid_from)
            THEN 0
            ELSE 1
        END AS starts_run
    FROM failing
    WINDOW w AS (ORDER BY accountid, region, resourceid, id, _valid_from)
),
runs AS (
    -- Each run numbered: the count of run starts so far, in the same order.
    SELECT
        *,
        sum(starts_run) OVER (
            ORDER BY accountid, region, resourceid, id, _valid_from ROWS UNBOUNDED PRECEDING
        ) AS run
    FROM starts
),
aged AS (
    -- The runs that reach the current version (valid_to NULL): their first version's scan,
    -- and the current version's values.
    SELECT
        accountid,
        region,
        resourceid,
        id,
        max(CASE WHEN _valid_to IS NULL THEN title END) AS title,
        max(CASE WHEN _valid_to IS NULL THEN severity END) AS severity,
        max(CASE WHEN _valid_to IS NULL THEN patchstate END) AS patchstate,
        coalesce(
            try(from_iso8601_timestamp(max(CASE WHEN starts_run = 1 THEN executiontime END))),
            min(_valid_from)
        ) AS first_observed,
        coalesce(
            try(from_iso8601_timestamp(max(CASE WHEN _valid_to IS NULL THEN executiontime END))),
            max(_valid_from)
        ) AS last_observed,
        -- Known whole when the run's first version was first seen after the oldest snapshot.
        coalesce(
            max(CASE WHEN starts_run = 1 THEN _snapshot_from END)
                > (SELECT min(snapshot) FROM history.snapshots),
            false
        ) AS age_complete
    FROM runs
    GROUP BY accountid, region, resourceid, id, run
    HAVING count(CASE WHEN _valid_to IS NULL THEN 1 END) > 0
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
