-- title: Inventory collected recently
-- description: Every managed node: alarm when its inventory was last captured at least `days`
--   days before as_of (or its capture time cannot be read), so the other controls judge it
--   on old data; ok otherwise; skip for a terminated node.
-- severity: medium
-- frameworks: NIST-800-53-r5 CM-8; CIS-v8 1.1; PCI-DSS-4.0 12.5.1; SOC2 CC6.1; AWS-FSBP SSM.1
-- param: days (integer, default 7) Days without a new inventory capture that raise an alarm
-- param: as_of (timestamp, default now) The moment ages are measured from
-- key: resource
WITH aged AS (
    SELECT
        *,
        try_cast(capturetime AS TIMESTAMP) AS captured,
        CAST(floor(
            (date_part('epoch', CAST($as_of AS TIMESTAMP))
                - date_part('epoch', try_cast(capturetime AS TIMESTAMP))) / 86400
        ) AS BIGINT) AS age
    FROM managed_nodes
)
SELECT
    CASE
        WHEN terminated THEN 'skip'
        WHEN captured IS NULL OR age >= CAST($days AS BIGINT) THEN 'alarm'
        ELSE 'ok'
    END AS status,
    CASE
        WHEN terminated THEN resourceid || ' is terminated'
        WHEN captured IS NULL THEN resourceid || ' has no readable inventory capture time'
        WHEN age >= CAST($days AS BIGINT) THEN resourceid || ' last sent inventory '
            || CAST(age AS VARCHAR) || ' days ago (' || capturetime || ')'
        ELSE resourceid || ' sent inventory ' || CAST(age AS VARCHAR) || ' days ago'
    END AS reason,
    resourceid AS resource,
    accountid,
    region,
    CASE WHEN NOT terminated AND (captured IS NULL OR age >= CAST($days AS BIGINT)) THEN 'medium' END
        AS severity,
    -- It started failing `days` days after the last capture.
    CASE WHEN NOT terminated AND age >= CAST($days AS BIGINT) THEN to_timestamp_seconds(
        CAST(date_part('epoch', captured) AS BIGINT) + CAST($days AS BIGINT) * 86400
    ) END AS first_failed
FROM aged
