-- title: Operating systems
-- description: How many nodes that are not terminated run each platform and version, and
--   which nodes they are.
-- key: platformtype, platformname, platformversion
-- example: ssmq report os-distribution
SELECT
    platformtype,
    platformname,
    platformversion,
    count(*) AS nodes,
    string_agg(resourceid, ', ' ORDER BY resourceid) AS resourceids
FROM managed_nodes
WHERE NOT terminated
GROUP BY platformtype, platformname, platformversion
ORDER BY nodes DESC, platformtype, platformname, platformversion
