//! ssmq against a real S3-compatible server (moto) on loopback: the same answers as on disk,
//! credentials from the standard places, pruning proven by the requests the server received,
//! retries, failing and denied objects, and versioned buckets.

use std::path::Path as FsPath;
use std::sync::Arc;

use assert_cmd::Command;
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use predicates::prelude::*;
use ssmq_core::sql::reports::{ParamDefault, builtin_reports};

use crate::common::proxy::{Fault, FaultProxy, Seen};
use crate::common::s3::{S3Server, upload};
use crate::common::{one_moment_reports, repo};

const PREFIX: &str = "ResourceDataSync";
const ACCESS_KEY: &str = "AKIASSMQTESTEXAMPLE";
const SECRET_KEY: &str = "ssmq-test-secret-never-printed";

/// The bucket, straight (not through ssmq), for setting tests up.
pub(crate) fn bucket_store(bucket: &str) -> Arc<dyn ObjectStore> {
    Arc::new(
        AmazonS3Builder::new()
            .with_endpoint(&S3Server::get().endpoint)
            .with_allow_http(true)
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(bucket)
            .with_region("us-east-1")
            .with_access_key_id("setup")
            .with_secret_access_key("setup")
            .build()
            .expect("an S3 client"),
    )
}

/// A bucket holding the sample lake under [`PREFIX`].
async fn sample_bucket(purpose: &str) -> String {
    let bucket = S3Server::get().bucket(purpose);
    upload(
        &bucket_store(&bucket),
        &repo().join("fixtures/sample"),
        PREFIX,
    )
    .await;
    bucket
}

/// `ssmq` with a clean environment: no AWS variables or files of the machine running the tests.
fn ssmq(home: &FsPath) -> Command {
    let mut cmd = Command::cargo_bin("ssmq").unwrap();
    cmd.env_clear()
        .current_dir(repo())
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"));
    cmd
}

pub(crate) fn output_text(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(SECRET_KEY), "a secret was printed: {text}");
    assert!(
        !text.contains(ACCESS_KEY),
        "an access key was printed: {text}"
    );
}

/// `ssmq` signed with credentials from the environment, reading `source` through `endpoint`.
pub(crate) fn ssmq_s3(home: &FsPath, source: &str, endpoint: &str) -> Command {
    let mut cmd = ssmq(home);
    cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .args(["--source", source, "--endpoint-url", endpoint]);
    cmd
}

/// stdout of a successful run.
fn stdout_of(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    let (stdout, stderr) = output_text(&output);
    assert!(output.status.success(), "{stderr}");
    stdout
}

#[tokio::test]
async fn every_report_and_query_answers_exactly_as_on_disk() {
    let bucket = sample_bucket("same-answers").await;
    let home = tempfile::tempdir().unwrap();
    let endpoint = &S3Server::get().endpoint;
    let source = format!("s3://{bucket}/{PREFIX}");
    let mut commands: Vec<Vec<String>> = vec![
        vec!["tables".into()],
        vec![
            "sql".into(),
            "SELECT table_name, column_name FROM information_schema.columns \
             WHERE table_schema = 'ssm_global_resource_sync' ORDER BY 1, 2"
                .into(),
        ],
    ];
    for report in one_moment_reports() {
        let mut command = vec!["report".to_owned(), report.name.clone()];
        if report.name == "stale-inventory" {
            command.extend(["--param".to_owned(), "as_of=2026-11-01".to_owned()]);
        }
        commands.push(command);
    }
    for sql in [
        "SELECT count(*) FROM aws_application",
        "SELECT accountid, region, count(*) FROM aws_complianceitem GROUP BY 1, 2 ORDER BY 1, 2",
        "SELECT resourceid, costcenter, contacts, ports FROM custom_nodeinfo ORDER BY resourceid",
        "SELECT resourceid, url FROM aws_application WHERE url IS NOT NULL ORDER BY 1, 2",
        "SELECT packageid FROM aws_application WHERE packageid IS NOT NULL",
        "SELECT count(*) FROM aws_tag WHERE accountid = '444455556666'",
        "SELECT keypath FROM aws_windowsregistry ORDER BY 1",
    ] {
        commands.push(vec!["sql".into(), sql.into()]);
    }
    for command in commands {
        let on_disk = stdout_of(
            ssmq(home.path())
                .args(["--source", "fixtures/sample", "--format", "csv"])
                .args(&command),
        );
        let on_s3 = stdout_of(
            ssmq_s3(home.path(), &source, endpoint)
                .args(["--format", "csv"])
                .args(&command),
        );
        assert!(on_disk.lines().count() > 1, "{command:?} has rows");
        assert_eq!(on_s3, on_disk, "{command:?}");
    }
}

#[tokio::test]
async fn the_bucket_root_and_a_type_folder_work_as_sources_too() {
    let bucket = sample_bucket("roots").await;
    let home = tempfile::tempdir().unwrap();
    let endpoint = &S3Server::get().endpoint;
    let count = [
        "sql",
        "SELECT count(*) AS n FROM aws_tag",
        "--format",
        "csv",
    ];
    for source in [
        format!("s3://{bucket}"),
        format!("s3://{bucket}/{PREFIX}/AWS:Tag/"),
    ] {
        assert_eq!(
            stdout_of(ssmq_s3(home.path(), &source, endpoint).args(count)),
            "n\n46\n",
            "{source}"
        );
    }
    let output = ssmq_s3(home.path(), &format!("s3://{bucket}"), endpoint)
        .args(["-v", "tables", "--format", "csv"])
        .output()
        .unwrap();
    let (_, stderr) = output_text(&output);
    assert!(
        stderr.contains(&format!("Found 17 type folders under `{PREFIX}/`")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("`{PREFIX}/AWS:InstanceInformation/accountid=012345678901/test.json`: the sync's probe object")), "{stderr}");
}

#[tokio::test]
async fn the_cli_report_over_s3_is_the_report_over_disk_signed_with_env_credentials() {
    let bucket = sample_bucket("cli").await;
    let proxy = FaultProxy::start(&S3Server::get().endpoint, Vec::new());
    let home = tempfile::tempdir().unwrap();
    let on_disk = ssmq(home.path())
        .args([
            "--source",
            "fixtures/sample",
            "report",
            "noncompliant-patches",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let on_s3 = ssmq(home.path())
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .args([
            "--source",
            &format!("s3://{bucket}/{PREFIX}"),
            "--endpoint-url",
            &proxy.endpoint,
        ])
        .args(["-v", "report", "noncompliant-patches", "--format", "csv"])
        .output()
        .unwrap();
    let (stdout, stderr) = output_text(&on_s3);
    assert!(on_s3.status.success(), "{stderr}");
    assert_eq!(stdout, String::from_utf8(on_disk.stdout).unwrap());
    assert!(stderr.contains("S3: region us-east-1 (from the default), credentials from the environment (AWS_ACCESS_KEY_ID)"), "{stderr}");
    assert!(stderr.contains("reads ("), "{stderr}");
    assert_no_secret(&stdout);
    assert_no_secret(&stderr);
    let seen = proxy.seen();
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .all(|s| s.access_key.as_deref() == Some(ACCESS_KEY)),
        "every request is signed with the key"
    );
    assert!(
        seen.iter()
            .any(|s| s.method == "GET" && s.target.contains("/AWS:ComplianceItem/accountid=")),
        "keys keep their colon through URL encoding: {:?}",
        &seen[..3]
    );
}

#[tokio::test]
async fn credentials_come_from_a_profile_of_the_shared_files() {
    let bucket = sample_bucket("profile").await;
    let proxy = FaultProxy::start(&S3Server::get().endpoint, Vec::new());
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("aws-config"),
        "[default]\nregion = eu-west-1\n\n[profile audit]\nregion = us-east-1\n",
    )
    .unwrap();
    std::fs::write(
        home.path().join("aws-credentials"),
        format!(
            "[audit]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ),
    )
    .unwrap();
    for selected in [vec!["--profile", "audit"], vec![]] {
        let mut cmd = ssmq(home.path());
        if selected.is_empty() {
            cmd.env("AWS_PROFILE", "audit");
        }
        let output = cmd
            .args([
                "--source",
                &format!("s3://{bucket}/{PREFIX}"),
                "--endpoint-url",
                &proxy.endpoint,
            ])
            .args(&selected)
            .args([
                "-v",
                "sql",
                "SELECT count(*) AS n FROM aws_tag",
                "--format",
                "csv",
            ])
            .output()
            .unwrap();
        let (stdout, stderr) = output_text(&output);
        assert!(output.status.success(), "{stderr}");
        assert_eq!(stdout, "n\n46\n");
        assert!(
            stderr.contains("credentials from the AWS credentials chain, profile `audit`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("S3: region us-east-1 (from the AWS configuration)"),
            "{stderr}"
        );
        assert_no_secret(&stdout);
        assert_no_secret(&stderr);
    }
    assert!(
        proxy
            .seen()
            .iter()
            .all(|s| s.access_key.as_deref() == Some(ACCESS_KEY))
    );

    // A profile that does not exist is an error naming it.
    let output = ssmq(home.path())
        .args([
            "--source",
            &format!("s3://{bucket}"),
            "--endpoint-url",
            &proxy.endpoint,
        ])
        .args(["--profile", "nosuch", "tables"])
        .output()
        .unwrap();
    let (_, stderr) = output_text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("profile `nosuch`"), "{stderr}");
}

#[tokio::test]
async fn an_assume_role_profile_signs_with_the_role_s_temporary_credentials() {
    let bucket = sample_bucket("assume-role").await;
    let proxy = FaultProxy::start(&S3Server::get().endpoint, Vec::new());
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("aws-config"),
        "[profile base]\nregion = us-east-1\n\n\
         [profile auditor]\nrole_arn = arn:aws:iam::123456789012:role/ssm-audit\nsource_profile = base\nregion = us-east-1\n",
    )
    .unwrap();
    std::fs::write(
        home.path().join("aws-credentials"),
        format!("[base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"),
    )
    .unwrap();
    let output = ssmq(home.path())
        // STS is the test server too (through the proxy, which logs the AssumeRole call).
        .env("AWS_ENDPOINT_URL_STS", &proxy.endpoint)
        .args([
            "--source",
            &format!("s3://{bucket}/{PREFIX}"),
            "--endpoint-url",
            &proxy.endpoint,
        ])
        .args([
            "--profile",
            "auditor",
            "sql",
            "SELECT count(*) AS n FROM aws_tag",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = output_text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "n\n46\n");
    let seen = proxy.seen();
    let assume_role = seen
        .iter()
        .position(|s| s.method == "POST")
        .expect("an AssumeRole call");
    assert_eq!(
        seen[assume_role].access_key.as_deref(),
        Some(ACCESS_KEY),
        "signed by the source profile"
    );
    let s3: Vec<&Seen> = seen.iter().filter(|s| s.method == "GET").collect();
    assert!(!s3.is_empty());
    for request in s3 {
        let key = request.access_key.as_deref().expect("signed");
        assert_ne!(
            key, ACCESS_KEY,
            "S3 is read with the role's credentials, not the source profile's"
        );
    }
}

#[tokio::test]
async fn missing_credentials_are_an_error_that_says_where_ssmq_looked() {
    let bucket = sample_bucket("nocreds").await;
    let proxy = FaultProxy::start(&S3Server::get().endpoint, Vec::new());
    let home = tempfile::tempdir().unwrap();
    let output = ssmq(home.path())
        .args([
            "--source",
            &format!("s3://{bucket}"),
            "--endpoint-url",
            &proxy.endpoint,
            "tables",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = output_text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout, "");
    assert!(
        stderr.contains(
            "No AWS credentials found; ssmq looked in: the environment (AWS_ACCESS_KEY_ID"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("profile `default` in `"), "{stderr}");
    assert!(stderr.contains("EC2 instance metadata"), "{stderr}");
    assert!(
        stderr.contains("hint: ") && stderr.contains("--no-sign-request"),
        "{stderr}"
    );
    assert!(
        proxy.seen().is_empty(),
        "no unsigned request was sent instead: {:?}",
        proxy.seen()
    );

    // Asked for, unsigned requests read a public bucket.
    let public = S3Server::get().bucket("public");
    let key = "AWS:Tag/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory/i-1.json";
    let body = r#"{"Key":"Name","Value":"web","resourceId":"i-1","captureTime":"2026-10-01T00:00:00Z","schemaVersion":"1.0"}"#;
    S3Server::get().put_public(&public, key, body.as_bytes());
    let proxy = FaultProxy::start(&S3Server::get().endpoint, Vec::new());
    let output = ssmq(home.path())
        .args([
            "--source",
            &format!("s3://{public}"),
            "--endpoint-url",
            &proxy.endpoint,
        ])
        .args([
            "--no-sign-request",
            "sql",
            "SELECT key, value FROM aws_tag",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output_text(&output).0,
        "key,value\nName,web\n",
        "{}",
        output_text(&output).1
    );
    assert!(!proxy.seen().is_empty() && proxy.seen().iter().all(|s| s.access_key.is_none()));
}

#[tokio::test]
async fn plain_http_is_refused_off_loopback() {
    let home = tempfile::tempdir().unwrap();
    ssmq(home.path())
        .args([
            "--source",
            "s3://some-bucket",
            "--endpoint-url",
            "http://minio.example.com:9000",
            "--no-sign-request",
            "tables",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "plain HTTP to a host that is not on loopback",
        ))
        .stderr(predicate::str::contains(
            "hint: use https://, or pass --allow-http if you mean it",
        ));
}

/// Targets of the listings and reads the server received.
fn requests(seen: &[Seen]) -> Vec<String> {
    seen.iter()
        .map(|s| format!("{} {}", s.method, s.target))
        .collect()
}

#[tokio::test]
async fn partitions_outside_the_filters_are_never_listed_or_read_on_s3() {
    let bucket = sample_bucket("pruning").await;
    let home = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["--account", "444455556666"],
            "SELECT count(*) FROM aws_complianceitem",
            "accountid=",
        ),
        (
            &["--region", "ap-southeast-2"],
            "SELECT count(*) FROM aws_complianceitem",
            "region=",
        ),
        (
            &[],
            "SELECT count(*) FROM aws_complianceitem WHERE accountid = '444455556666'",
            "accountid=",
        ),
    ];
    for (flags, sql, partition) in cases {
        let proxy = FaultProxy::start(&S3Server::get().endpoint, Vec::new());
        let output = ssmq_s3(
            home.path(),
            &format!("s3://{bucket}/{PREFIX}"),
            &proxy.endpoint,
        )
        .args(flags)
        .args(["sql", sql, "--format", "csv"])
        .output()
        .unwrap();
        assert!(output.status.success(), "{}", output_text(&output).1);
        let allowed = match partition {
            "accountid=" => "accountid=444455556666",
            _ => "region=ap-southeast-2",
        };
        let seen = requests(&proxy.seen());
        assert!(
            seen.iter()
                .any(|r| r.starts_with("GET /") && r.contains(allowed)),
            "{seen:#?}"
        );
        for request in &seen {
            if request.contains(partition) {
                assert!(
                    request.contains(allowed),
                    "{flags:?} {sql}: {request} is outside the filter"
                );
            }
        }
    }
}

#[tokio::test]
async fn throttling_is_retried_and_a_failing_object_names_its_bucket_and_key() {
    let bucket = sample_bucket("faults").await;
    let home = tempfile::tempdir().unwrap();
    let object = "AWS:Tag/accountid=444455556666/region=us-east-1/resourcetype=ManagedInstanceInventory/i-0ab67c32d17228877.json";
    let throttled = Fault {
        method: "GET",
        target_contains: "/AWS:Tag/accountid=".into(),
        status: 503,
        code: "SlowDown",
        message: "Please reduce your request rate.".into(),
        times: Some(6),
    };
    let proxy = FaultProxy::start(&S3Server::get().endpoint, vec![throttled]);
    let run = |proxy: &FaultProxy, extra: &[&str]| {
        ssmq_s3(
            home.path(),
            &format!("s3://{bucket}/{PREFIX}"),
            &proxy.endpoint,
        )
        .args(["--retries", "3"])
        .args(extra)
        .args([
            "sql",
            "SELECT count(*) AS n FROM aws_tag",
            "--format",
            "csv",
        ])
        .output()
        .unwrap()
    };
    let output = run(&proxy, &["-v"]);
    let (stdout, stderr) = output_text(&output);
    assert_eq!(stdout, "n\n46\n", "{stderr}");
    let seen = proxy.seen();
    let faulted = seen.iter().filter(|s| s.faulted).count();
    assert_eq!(
        faulted, 6,
        "every throttled request was answered with 503, then retried"
    );
    // -v counts the HTTP requests S3 received, retries and listing pages included.
    let lists = seen
        .iter()
        .filter(|s| s.target.contains("list-type=2"))
        .count();
    let gets = seen.iter().filter(|s| s.method == "GET").count() - lists;
    assert!(
        stderr.contains(&format!(
            "S3 requests sent: {lists} LIST, {gets} GET, 0 other; 6 throttled and 0 server errors, retried"
        )),
        "{stderr}"
    );
    // Objects fetched from S3 are kept for the session: learning the columns and the scan
    // fetch each object once (throttled attempts aside).
    let mut answered: std::collections::BTreeMap<&str, usize> = Default::default();
    for s in seen
        .iter()
        .filter(|s| s.method == "GET" && !s.faulted && !s.target.contains("list-type=2"))
    {
        *answered.entry(s.target.as_str()).or_default() += 1;
    }
    assert!(answered.len() > 1, "{answered:?}");
    assert!(answered.values().all(|&n| n == 1), "{answered:?}");

    let failing = Fault {
        method: "GET",
        target_contains: object.into(),
        status: 500,
        code: "InternalError",
        message: "We encountered an internal error. Please try again.".into(),
        times: None,
    };
    let proxy = FaultProxy::start(&S3Server::get().endpoint, vec![failing]);
    let output = run(&proxy, &[]);
    let (stdout, stderr) = output_text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains(&format!("Failed to read `s3://{bucket}/{PREFIX}/{object}`")),
        "{stderr}"
    );
    assert!(stderr.contains("hint: pass --skip-unreadable"), "{stderr}");
    let attempts = proxy
        .seen()
        .iter()
        .filter(|s| s.target.contains(object))
        .count();
    assert_eq!(attempts, 4, "one try and 3 retries");

    let output = run(&proxy, &["--skip-unreadable"]);
    let (stdout, stderr) = output_text(&output);
    assert!(output.status.success(), "{stderr}");
    let tags_of_skipped_object = 4; // the Name, Environment, Owner and CostCenter tags of node 8
    assert_eq!(stdout, format!("n\n{}\n", 46 - tags_of_skipped_object));
    assert!(
        stderr.contains("warning: Skipped 1 object that could not be read (--skip-unreadable):"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("`s3://{bucket}/{PREFIX}/{object}`")),
        "{stderr}"
    );
}

#[tokio::test]
async fn denied_access_hints_at_the_missing_permission() {
    let bucket = sample_bucket("denied").await;
    let home = tempfile::tempdir().unwrap();
    let kms = Fault {
        method: "GET",
        target_contains: "/AWS:InstanceInformation/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory/i-0a2de503781daca43.json".into(),
        status: 403,
        code: "AccessDenied",
        message: "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: kms:Decrypt".into(),
        times: None,
    };
    let list = Fault {
        method: "GET",
        target_contains: "list-type=2".into(),
        status: 403,
        code: "AccessDenied",
        message: "Access Denied".into(),
        times: None,
    };
    for (fault, hint) in [
        (kms, "s3:GetObject on `s3://"),
        (list, "the credentials need s3:ListBucket on `"),
    ] {
        let proxy = FaultProxy::start(&S3Server::get().endpoint, vec![fault]);
        let output = ssmq_s3(
            home.path(),
            &format!("s3://{bucket}/{PREFIX}"),
            &proxy.endpoint,
        )
        .args(["report", "instance-list"])
        .output()
        .unwrap();
        let (_, stderr) = output_text(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(hint), "{stderr}");
        if hint.contains("GetObject") {
            assert!(stderr.contains("kms:Decrypt on the KMS key"), "{stderr}");
        } else {
            assert!(
                stderr.contains(&format!("s3:ListBucket on `{bucket}`")),
                "{stderr}"
            );
        }
    }
}

#[tokio::test]
async fn a_versioned_bucket_is_read_at_its_current_versions() {
    let server = S3Server::get();
    let bucket = server.bucket("versions");
    server.enable_versioning(&bucket);
    let store = bucket_store(&bucket);
    let key = |node: &str| {
        Path::from(format!(
            "AWS:Tag/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory/{node}.json"
        ))
    };
    let line = |node: &str, k: &str| {
        format!(
            "{{\"Key\":\"{k}\",\"Value\":\"v\",\"resourceId\":\"{node}\",\"captureTime\":\"2026-10-01T00:00:00Z\",\"schemaVersion\":\"1.0\"}}\n"
        )
    };
    // i-1: three tags, then rewritten with one (the sync overwrites in place).
    store
        .put(
            &key("i-1"),
            PutPayload::from(line("i-1", "A") + &line("i-1", "B") + &line("i-1", "Old")),
        )
        .await
        .unwrap();
    store
        .put(&key("i-1"), PutPayload::from(line("i-1", "A")))
        .await
        .unwrap();
    // i-2: written, then deleted (a delete marker hides it).
    store
        .put(&key("i-2"), PutPayload::from(line("i-2", "Gone")))
        .await
        .unwrap();
    store.delete(&key("i-2")).await.unwrap();
    // The server does hold the old versions.
    assert_eq!(
        server.request("GET", &format!("/{bucket}?versions"), b""),
        200
    );

    let home = tempfile::tempdir().unwrap();
    let answer = stdout_of(
        ssmq_s3(home.path(), &format!("s3://{bucket}"), &server.endpoint).args([
            "sql",
            "SELECT resourceid, key FROM aws_tag ORDER BY 1, 2",
            "--format",
            "csv",
        ]),
    );
    assert_eq!(answer, "resourceid,key\ni-1,A\n");
    let listed: Vec<_> = bucket_store(&bucket)
        .list(None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "listing shows current versions only");
}

#[tokio::test]
async fn a_terminal_shows_progress_and_pipes_do_not() {
    let bucket = sample_bucket("progress").await;
    // Listing goes type -> account -> region, each level after the one before: with every
    // request delayed, the command outlasts the progress line's delay (400 ms) by far.
    let proxy = FaultProxy::start(&S3Server::get().endpoint, Vec::new())
        .slow(std::time::Duration::from_millis(200));
    let home = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("ssmq");
    let args = format!(
        "{} --source s3://{bucket}/{PREFIX} --endpoint-url {} sql 'SELECT count(*) AS n FROM aws_complianceitem' --format csv",
        bin.display(),
        proxy.endpoint
    );
    // `script` runs the command on a pseudo-terminal and copies what it shows.
    let on_terminal = std::process::Command::new("script")
        .args(["-qec", &args, "/dev/null"])
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .output()
        .expect("script(1) runs");
    let shown = String::from_utf8_lossy(&on_terminal.stdout);
    assert!(on_terminal.status.success(), "{shown}");
    assert!(
        shown.contains("listed ") && shown.contains(" objects, "),
        "a progress line: {shown:?}"
    );
    assert!(shown.contains("n\r\n132\r\n"), "then the result: {shown:?}");

    let piped = ssmq_s3(
        home.path(),
        &format!("s3://{bucket}/{PREFIX}"),
        &proxy.endpoint,
    )
    .args([
        "sql",
        "SELECT count(*) AS n FROM aws_complianceitem",
        "--format",
        "csv",
    ])
    .output()
    .unwrap();
    assert_eq!(
        output_text(&piped),
        ("n\n132\n".to_owned(), String::new()),
        "nothing but data in pipes"
    );
}

#[tokio::test]
async fn an_export_to_an_s3_prefix_reads_back_and_replaces_the_previous_one() {
    let bucket = S3Server::get().bucket("export");
    let home = tempfile::tempdir().unwrap();
    let endpoint = &S3Server::get().endpoint;
    let out = format!("s3://{bucket}/exports/nightly");
    let export = |tables: &str| {
        let output = ssmq(home.path())
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .arg("--source")
            .arg(repo().join("fixtures/sample"))
            .args(["--endpoint-url", endpoint, "export", "--out", &out])
            .args(["--tables", tables])
            .output()
            .unwrap();
        let (_, stderr) = output_text(&output);
        assert!(output.status.success(), "{stderr}");
        assert_no_secret(&stderr);
        stderr
    };
    let stderr = export("aws_tag,aws_complianceitem");
    assert!(
        stderr.contains(&format!("{out}/_SUCCESS.json names every file")),
        "{stderr}"
    );

    let store = bucket_store(&bucket);
    let read = |key: String| {
        let store = Arc::clone(&store);
        async move {
            store
                .get(&Path::from(key))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        }
    };
    let marker: serde_json::Value =
        serde_json::from_slice(&read("exports/nightly/_SUCCESS.json".into()).await).unwrap();
    let mut rows = 0;
    for file in marker["tables"]["aws_complianceitem"]["files"]
        .as_array()
        .unwrap()
    {
        let bytes = read(format!(
            "exports/nightly/{}",
            file["path"].as_str().unwrap()
        ))
        .await;
        let batches: Vec<arrow::array::RecordBatch> =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes)
                .unwrap()
                .build()
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        rows += batches.iter().map(|b| b.num_rows()).sum::<usize>();
    }
    assert_eq!(
        rows, 132,
        "every compliance item, read back from the bucket"
    );

    let keys = |prefix: &'static str| {
        let store = Arc::clone(&store);
        async move {
            let mut keys: Vec<String> = store
                .list(Some(&Path::from(prefix)))
                .map_ok(|meta| meta.location.to_string())
                .try_collect()
                .await
                .unwrap();
            keys.sort();
            keys
        }
    };
    let first_tags = keys("exports/nightly/aws_tag").await;
    assert_eq!(first_tags.len(), 6);
    export("aws_tag");
    let second_tags = keys("exports/nightly/aws_tag").await;
    assert_eq!(second_tags.len(), 6);
    assert!(
        second_tags.iter().all(|k| !first_tags.contains(k)),
        "the previous files are removed once the new marker is written"
    );
    assert_eq!(keys("exports/nightly/aws_complianceitem").await.len(), 6);
}

#[tokio::test]
async fn a_cache_of_a_bucket_reads_only_changed_objects_and_answers_as_the_bucket() {
    let bucket = sample_bucket("cache").await;
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let endpoint = &S3Server::get().endpoint;
    let source = format!("s3://{bucket}/{PREFIX}");
    let run = |args: &[&str]| {
        let output = ssmq_s3(home.path(), &source, endpoint)
            .arg("--cache-dir")
            .arg(cache.path())
            .args(args)
            .output()
            .unwrap();
        let (stdout, stderr) = output_text(&output);
        assert!(output.status.success(), "{stderr}");
        assert_no_secret(&stderr);
        (stdout, stderr)
    };
    let (_, first) = run(&["sync"]);
    assert!(
        first.contains("Synced 175 objects: 175 new or changed read"),
        "{first}"
    );
    // A parameter that defaults to now is given, so answers seconds apart compare.
    let report_args = |name: &str| {
        let report = builtin_reports().iter().find(|r| r.name == name).unwrap();
        let mut args = vec![
            "report".to_owned(),
            name.to_owned(),
            "--format".into(),
            "csv".into(),
        ];
        for param in report
            .params
            .iter()
            .filter(|p| p.default == ParamDefault::Now)
        {
            args.extend([
                "--param".into(),
                format!("{}=2026-11-01T00:00:00Z", param.name),
            ]);
        }
        args
    };
    let before: Vec<String> = one_moment_reports()
        .map(|report| {
            let args = report_args(&report.name);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&[&["--no-cache"][..], &args[..]].concat()).0
        })
        .collect();

    // One object changes, one goes.
    let store = bucket_store(&bucket);
    let changed = format!(
        "{PREFIX}/AWS:Tag/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory/i-0a2de503781daca43.json"
    );
    let gone = format!(
        "{PREFIX}/AWS:ComplianceItem/accountid=111122223333/region=us-east-1/resourcetype=ManagedInstanceInventory/i-0a2de503781daca43.json"
    );
    let tags = store
        .get(&Path::from(changed.as_str()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let tags = String::from_utf8(tags.to_vec()).unwrap().replacen(
        "\"Value\":\"",
        "\"Value\":\"renamed-",
        1,
    );
    store
        .put(
            &Path::from(changed.as_str()),
            PutPayload::from(tags.into_bytes()),
        )
        .await
        .unwrap();
    store.delete(&Path::from(gone.as_str())).await.unwrap();

    let (_, second) = run(&["sync"]);
    assert!(
        second.contains("Synced 174 objects: 1 new or changed read")
            && second.contains("1 dropped")
            && second.contains(", 1 reads;"),
        "one GET, by ETag: {second}"
    );
    for report in one_moment_reports() {
        let args = ["report", report.name.as_str(), "--format", "csv"];
        let (cached, _) = run(&[&["--offline"][..], &args[..]].concat());
        let (raw, _) = run(&[&["--no-cache"][..], &args[..]].concat());
        assert_eq!(cached, raw, "report {}", report.name);
    }
    let query =
        "SELECT value FROM aws_tag WHERE resourceid = 'i-0a2de503781daca43' AND key = 'Name'";
    let (answer, _) = run(&["--offline", "sql", query, "--format", "csv"]);
    assert!(answer.contains("renamed-"), "{answer}");

    // History: the bucket as it stood at the first sync, whole and per table.
    for (report, before) in one_moment_reports().zip(&before) {
        let args = report_args(&report.name);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (then, said) = run(&[&["--offline", "--as-of", "snapshot:1"][..], &args[..]].concat());
        assert_eq!(&then, before, "report {} as of snapshot 1", report.name);
        assert!(said.contains("as of snapshot 1, taken "), "{said}");
    }
    let then = query.replace("FROM aws_tag", "FROM aws_tag FOR VERSION AS OF 1");
    let (answer, _) = run(&["--offline", "sql", &then, "--format", "csv"]);
    assert!(
        !answer.contains("renamed-") && answer.lines().count() == 2,
        "{answer}"
    );
}
