-- title: Stale inventory
-- description: Nodes not known to be terminated whose inventory has not been captured for
--   at least the given number of days (or whose capture time cannot be read), oldest first.
-- param: days (integer, default 7) Days without a new inventory capture
-- param: as_of (timestamp, default now) The moment ages are measured from (2026-11-01 or 2026-11-01T12:00:00Z)
-- key: accountid, region, resourceid
-- example: ssmq report stale-inventory --param days=14 --param as_of=2026-10-31
WITH nodes AS (
    SELECT
        accountid,
        region,
        resourceid,
        computername,
        platformname,
        instancestatus,
        capturetime,
        try_cast(capturetime AS TIMESTAMP) AS captured
    FROM managed_nodes
    WHERE NOT terminated
),
aged AS (
    SELECT
        *,
        CAST(floor(
            (date_part('epoch', CAST($as_of AS TIMESTAMP)) - date_part('epoch', captured)) / 86400
        ) AS BIGINT) AS days_since_capture
    FROM nodes
)
SELECT
    accountid,
    region,
    resourceid,
    computername,
    platformname,
    instancestatus,
    capturetime,
    days_since_capture
FROM aged
WHERE captured IS NULL OR days_since_capture >= CAST($days AS BIGINT)
ORDER BY days_since_capture DESC NULLS FIRST, accountid, region, resourceid
