-- title: Patch SLA
-- description: Every patch compliance item that is not compliant now (as patch-age), with the
--   days a policy allows for its severity, when it was due and whether it is breached at
--   as_of. Policies: fedramp (critical and high 30 days, medium 90, low 180), pci (critical
--   and high 30; others none), cis (30 for all); critical_days, high_days, medium_days and
--   low_days override the policy for their severity (informational and unspecified items
--   follow low). The clock is time since first observed missing (FedRAMP's), not since the
--   patch's release (PCI's): the lake has no release dates. An item without an SLA is listed
--   with sla_days, due and breached NULL.
-- param: policy (text, default fedramp, one of fedramp|pci|cis) The SLA policy
-- param: critical_days (integer, optional) Days allowed for critical items, instead of the policy's
-- param: high_days (integer, optional) Days allowed for high items
-- param: medium_days (integer, optional) Days allowed for medium items
-- param: low_days (integer, optional) Days allowed for low, informational and unspecified items
-- param: as_of (timestamp, default now) The moment breaches are judged at (with --as-of, that moment)
-- param: include_terminated (boolean, default false) Also list nodes whose status is Terminated
-- key: accountid, region, resourceid, patch_id
-- example: ssmq report patch-sla --param policy=pci --param medium_days=60
WITH judged AS (
    SELECT
        *,
        CASE upper(severity)
            WHEN 'CRITICAL' THEN coalesce(
                CAST($critical_days AS BIGINT),
                CASE lower(CAST($policy AS VARCHAR)) WHEN 'fedramp' THEN 30 WHEN 'pci' THEN 30 WHEN 'cis' THEN 30 END
            )
            WHEN 'HIGH' THEN coalesce(
                CAST($high_days AS BIGINT),
                CASE lower(CAST($policy AS VARCHAR)) WHEN 'fedramp' THEN 30 WHEN 'pci' THEN 30 WHEN 'cis' THEN 30 END
            )
            WHEN 'MEDIUM' THEN coalesce(
                CAST($medium_days AS BIGINT),
                CASE lower(CAST($policy AS VARCHAR)) WHEN 'fedramp' THEN 90 WHEN 'cis' THEN 30 END
            )
            ELSE coalesce(
                CAST($low_days AS BIGINT),
                CASE lower(CAST($policy AS VARCHAR)) WHEN 'fedramp' THEN 180 WHEN 'cis' THEN 30 END
            )
        END AS sla_days
    FROM open_patch_items
    WHERE CAST($include_terminated AS BOOLEAN) OR terminated IS NOT TRUE
)
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
    age_complete,
    sla_days,
    date_add('day', sla_days, first_observed) AS due,
    date_add('day', sla_days, first_observed) < CAST($as_of AS TIMESTAMP) AS breached
FROM judged
ORDER BY due NULLS LAST, accountid, region, resourceid, patch_id
