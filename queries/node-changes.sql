-- title: Node changes
-- description: Managed nodes that appeared, went away, became terminated, or changed SSM Agent
--   version or platform between since and until, one row per node and change. A node is
--   there at a moment when a version of its AWS:InstanceInformation object is current then, as
--   the cache's history keeps it. change is `appeared` (after: its platform), `went away`
--   (before: its platform; seen: when its object was seen gone), `terminated` (its status
--   became Terminated), `agent version` or `platform` (name and version), with before and
--   after the values at the two moments; seen is the earliest version after since that holds
--   the new value.
-- needs: history
-- param: since (timestamp, default 7d) The earlier moment (7d: a week before until's default)
-- param: until (timestamp, default now) The later moment (with --as-of, that moment)
-- key: accountid, region, resourceid, change
-- example: ssmq report node-changes --param since=30d
WITH versions AS (
    SELECT
        accountid,
        region,
        resourceid,
        coalesce(instancestatus, '') AS status,
        agentversion,
        trim(concat(platformname, ' ', platformversion)) AS platform,
        _valid_from,
        _valid_to
    FROM history.aws_instanceinformation
),
at_since AS (
    SELECT * FROM versions
    WHERE _valid_from <= $since AND (_valid_to IS NULL OR _valid_to > $since)
),
at_until AS (
    SELECT * FROM versions
    WHERE _valid_from <= $until AND (_valid_to IS NULL OR _valid_to > $until)
),
names AS (
    -- Name tags, by version (a node that went away keeps the name it had at since).
    SELECT accountid, region, resourceid, value, _valid_from, _valid_to
    FROM history.aws_tag
    WHERE key = 'Name'
),
between_moments AS (
    -- Versions made between the two moments.
    SELECT * FROM versions WHERE _valid_from > $since AND _valid_from <= $until
),
both_moments AS (
    SELECT
        u.accountid,
        u.region,
        u.resourceid,
        s.status AS status_before,
        u.status AS status_after,
        s.agentversion AS agent_before,
        u.agentversion AS agent_after,
        s.platform AS platform_before,
        u.platform AS platform_after
    FROM at_until AS u
    JOIN at_since AS s
        ON s.accountid = u.accountid AND s.region = u.region AND s.resourceid = u.resourceid
),
changes AS (
    SELECT u.accountid, u.region, u.resourceid, 'appeared' AS change,
        CAST(NULL AS VARCHAR) AS before, u.platform AS after,
        (SELECT min(b._valid_from) FROM between_moments AS b
            WHERE b.accountid = u.accountid AND b.region = u.region AND b.resourceid = u.resourceid) AS seen
    FROM at_until AS u
    LEFT JOIN at_since AS s
        ON s.accountid = u.accountid AND s.region = u.region AND s.resourceid = u.resourceid
    WHERE s.resourceid IS NULL
    UNION ALL
    SELECT s.accountid, s.region, s.resourceid, 'went away', s.platform, CAST(NULL AS VARCHAR),
        (SELECT max(v._valid_to) FROM versions AS v
            WHERE v.accountid = s.accountid AND v.region = s.region AND v.resourceid = s.resourceid
                AND v._valid_to <= $until) AS seen
    FROM at_since AS s
    LEFT JOIN at_until AS u
        ON u.accountid = s.accountid AND u.region = s.region AND u.resourceid = s.resourceid
    WHERE u.resourceid IS NULL
    UNION ALL
    SELECT c.accountid, c.region, c.resourceid, 'terminated', c.status_before, c.status_after,
        (SELECT min(b._valid_from) FROM between_moments AS b
            WHERE b.accountid = c.accountid AND b.region = c.region AND b.resourceid = c.resourceid
                AND b.status = 'Terminated')
    FROM both_moments AS c
    WHERE c.status_after = 'Terminated' AND c.status_before <> 'Terminated'
    UNION ALL
    SELECT c.accountid, c.region, c.resourceid, 'agent version', c.agent_before, c.agent_after,
        (SELECT min(b._valid_from) FROM between_moments AS b
            WHERE b.accountid = c.accountid AND b.region = c.region AND b.resourceid = c.resourceid
                AND b.agentversion = c.agent_after)
    FROM both_moments AS c
    WHERE c.agent_before IS DISTINCT FROM c.agent_after
    UNION ALL
    SELECT c.accountid, c.region, c.resourceid, 'platform', c.platform_before, c.platform_after,
        (SELECT min(b._valid_from) FROM between_moments AS b
            WHERE b.accountid = c.accountid AND b.region = c.region AND b.resourceid = c.resourceid
                AND b.platform = c.platform_after)
    FROM both_moments AS c
    WHERE c.platform_before IS DISTINCT FROM c.platform_after
)
SELECT
    c.accountid,
    c.region,
    c.resourceid,
    c.change,
    c.before,
    c.after,
    c.seen,
    coalesce(n_until.value, n_since.value) AS node_name
FROM changes AS c
LEFT JOIN names AS n_until
    ON n_until.accountid = c.accountid AND n_until.region = c.region AND n_until.resourceid = c.resourceid
    AND n_until._valid_from <= $until AND (n_until._valid_to IS NULL OR n_until._valid_to > $until)
LEFT JOIN names AS n_since
    ON n_since.accountid = c.accountid AND n_since.region = c.region AND n_since.resourceid = c.resourceid
    AND n_since._valid_from <= $since AND (n_since._valid_to IS NULL OR n_since._valid_to > $since)
ORDER BY c.accountid, c.region, c.resourceid, c.change
