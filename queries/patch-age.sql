-- title: Patch age
-- description: Every patch compliance item that is not compliant now, with how long it has
--   been: first_observed is when the unbroken run of versions of the node's compliance object
--   in which it was non-compliant began (the ExecutionTime of the patch scan that first found
--   it, else when that version was made), days_open is counted from then to as_of. The run is
--   unbroken while each such version was replaced by the next one, in which the item fails
--   too; a patch fixed and then missing again, or a compliance object gone and back, starts a
--   new run. age_complete is false when the run's first version was already current at the
--   oldest snapshot the cache's history keeps (its true age may be longer; a node that
--   appeared since has its whole age), always so on a source without a cache. Nodes whose status is Terminated are left
--   out unless asked for.
-- param: as_of (timestamp, default now) The moment ages are counted to (with --as-of, that moment)
-- param: include_terminated (boolean, default false) Also list nodes whose status is Terminated
-- key: accountid, region, resourceid, patch_id
-- example: ssmq --as-of 2026-10-31 report patch-age
SELECT
    accountid,
    region,
    resourceid,
    node_name,
    patch_id,
    title,
    severity,
    state,
    first_observed,
    last_observed,
    CAST(floor(
        (date_part('epoch', CAST($as_of AS TIMESTAMP)) - date_part('epoch', first_observed)) / 86400
    ) AS BIGINT) AS days_open,
    age_complete
FROM open_patch_items
WHERE CAST($include_terminated AS BOOLEAN) OR terminated IS NOT TRUE
ORDER BY days_open DESC NULLS LAST, accountid, region, resourceid, patch_id
