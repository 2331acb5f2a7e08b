-- title: Node applications
-- description: Every application installed on nodes that are not terminated, one row per
--   node and package, optionally only the applications whose name matches a pattern.
-- param: application (text, optional) Only applications whose name matches this SQL LIKE pattern, case-insensitively (openssl%, %java%)
-- param: include_terminated (boolean, default false) Also list nodes whose status is Terminated
-- key: accountid, region, resourceid, application, version, release, epoch, architecture
-- example: ssmq report instance-applications --param application=openssl% --format csv
SELECT
    a.accountid,
    a.region,
    a.resourceid,
    n.computername,
    a.name AS application,
    a.version,
    a.release,
    a.epoch,
    a.architecture,
    a.publisher,
    a.applicationtype,
    a.installedtime
FROM aws_application AS a
LEFT JOIN managed_nodes AS n
    ON n.accountid = a.accountid AND n.region = a.region AND n.resourceid = a.resourceid
WHERE (CAST($application AS VARCHAR) IS NULL OR lower(a.name) LIKE lower(CAST($application AS VARCHAR)))
    AND (CAST($include_terminated AS BOOLEAN) OR n.terminated IS NOT TRUE)
ORDER BY a.accountid, a.region, a.resourceid, a.name, a.version, a.release, a.epoch, a.architecture
