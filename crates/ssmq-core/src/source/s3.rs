//! S3 sources: `s3://bucket[/prefix]`, read with the credentials, region and endpoint of the
//! standard AWS configuration.
//!
//! In: a bucket, and [`S3Options`] (profile, region, endpoint, limits). Out: an object store
//! for the bucket (object_store's S3 client) that signs every request with credentials from
//! aws-config's default chain (environment, shared config and credentials files with their
//! profiles, SSO, assume-role, `credential_process`, web identity, container and instance
//! metadata), refreshes them before they expire, retries throttling, server errors and
//! timeouts with backoff, and keeps at most `max_concurrency` requests in flight.
//!
//! Nothing here ever formats a secret: credentials only travel inside the signer, and every
//! `Debug` implementation on the way redacts them.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_config::BehaviorVersion;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{Provider as TlsProvider, rustls_provider::CryptoMode};
use object_store::aws::{AmazonS3Builder, AwsCredential, resolve_bucket_region};
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpRequest, HttpResponse, HttpService, ReqwestConnector,
};
use object_store::limit::LimitStore;
use object_store::{BackoffConfig, ClientOptions, CredentialProvider, ObjectStore, RetryConfig};

use crate::error::{Error, Result};

/// Credentials are renewed this long before they expire.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);
/// The region assumed when nothing says otherwise (S3-compatible servers ignore it).
const FALLBACK_REGION: &str = "us-east-1";

/// How to reach a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Options {
    /// A profile of the shared config files; `None` uses `AWS_PROFILE` or `default`.
    pub profile: Option<String>,
    /// The bucket's region; `None` asks the bucket (on AWS) or uses the configured region.
    pub region: Option<String>,
    /// An S3-compatible endpoint (path-style requests), e.g. `http://127.0.0.1:9000`.
    pub endpoint_url: Option<String>,
    /// Allow plain HTTP to an endpoint that is not on loopback.
    pub allow_http: bool,
    /// Send unsigned requests (public buckets) instead of looking for credentials.
    pub no_sign_request: bool,
    /// Requests in flight at most, listings and reads together.
    pub max_concurrency: usize,
    /// Retries of a throttled, failed or timed-out request before giving up.
    pub retries: usize,
}

impl Default for S3Options {
    fn default() -> Self {
        S3Options {
            profile: None,
            region: None,
            endpoint_url: None,
            allow_http: false,
            no_sign_request: false,
            max_concurrency: 256,
            retries: 10,
        }
    }
}

/// HTTP requests sent to S3, counted as they leave (every page of a listing, every retry).
#[derive(Debug, Default)]
pub struct S3Requests {
    list: AtomicU64,
    get: AtomicU64,
    other: AtomicU64,
    throttled: AtomicU64,
    server_errors: AtomicU64,
}

/// A snapshot of [`S3Requests`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct S3RequestCounts {
    /// ListObjectsV2 requests (pages).
    pub list: u64,
    /// GetObject requests.
    pub get: u64,
    /// Other requests (HEAD and so on).
    pub other: u64,
    /// Answers of 503 or 429: throttling, retried with backoff.
    pub throttled: u64,
    /// Other 5xx answers, retried with backoff.
    pub server_errors: u64,
}

impl S3Requests {
    /// The counts so far.
    pub fn counts(&self) -> S3RequestCounts {
        S3RequestCounts {
            list: self.list.load(Ordering::Relaxed),
            get: self.get.load(Ordering::Relaxed),
            other: self.other.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            server_errors: self.server_errors.load(Ordering::Relaxed),
        }
    }
}

/// object_store's HTTP client, counting what it sends and what comes back, with no more
/// requests in flight than the [`RequestWindow`] allows.
#[derive(Debug)]
struct CountingConnector {
    counts: Arc<S3Requests>,
    window: Arc<RequestWindow>,
}

impl HttpConnector for CountingConnector {
    fn connect(&self, options: &ClientOptions) -> object_store::Result<HttpClient> {
        let inner = ReqwestConnector::default().connect(options)?;
        Ok(HttpClient::new(CountingService {
            inner,
            counts: Arc::clone(&self.counts),
            window: Arc::clone(&self.window),
        }))
    }
}

#[derive(Debug)]
struct CountingService {
    inner: HttpClient,
    counts: Arc<S3Requests>,
    window: Arc<RequestWindow>,
}

#[async_trait]
impl HttpService for CountingService {
    async fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let admitted = self.window.admit().await;
        let listing = request
            .uri()
            .query()
            .is_some_and(|q| q.contains("list-type="));
        let counter = match request.method().as_str() {
            "GET" if listing => &self.counts.list,
            "GET" => &self.counts.get,
            _ => &self.counts.other,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let response = self.inner.execute(request).await;
        let status = response.as_ref().map_or(0, |r| r.status().as_u16());
        match status {
            429 | 503 => self.counts.throttled.fetch_add(1, Ordering::Relaxed),
            500..=599 => self.counts.server_errors.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
        self.window.answered(admitted, matches!(status, 429 | 503));
        response
    }
}

/// How many requests may be in flight: at first the most allowed (`--max-concurrency`), halved
/// when S3 answers 503 SlowDown (or 429), then grown back by one for each window's worth of
/// answers that were not throttled: back off, then ramp up again, as AWS's guidance on
/// SlowDown says, with TCP's additive increase and multiplicative decrease. A burst of
/// throttled answers to requests sent before the first cut cuts once.
#[derive(Debug)]
struct RequestWindow {
    permits: tokio::sync::Semaphore,
    state: std::sync::Mutex<WindowState>,
}

#[derive(Debug)]
struct WindowState {
    /// Requests allowed in flight now.
    limit: usize,
    most: usize,
    /// Permits to take out of use as requests give them back (after a cut).
    owed: usize,
    /// Answers since the limit last changed.
    answers: usize,
}

/// The window is never cut below this many requests.
const FEWEST_IN_FLIGHT: usize = 4;

impl RequestWindow {
    fn new(most: usize) -> Self {
        let most = most.max(1);
        RequestWindow {
            permits: tokio::sync::Semaphore::new(most),
            state: std::sync::Mutex::new(WindowState {
                limit: most,
                most,
                owed: 0,
                answers: most,
            }),
        }
    }

    /// Waits until one more request may be in flight.
    async fn admit(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.permits
            .acquire()
            .await
            .expect("the window's semaphore is never closed")
    }

    /// A request's answer came (`throttled` if S3 said to slow down): the window changes, and
    /// the request's permit goes back to it or out of use.
    fn answered(&self, permit: tokio::sync::SemaphorePermit<'_>, throttled: bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.answers += 1;
        if throttled {
            let cut = (state.limit / 2).max(FEWEST_IN_FLIGHT.min(state.most));
            if state.answers >= state.limit && cut < state.limit {
                state.owed += state.limit - cut;
                state.limit = cut;
                state.answers = 0;
            }
        } else if state.answers >= state.limit && state.limit < state.most {
            state.limit += 1;
            state.answers = 0;
            match state.owed {
                0 => self.permits.add_permits(1),
                _ => state.owed -= 1,
            }
        }
        if state.owed > 0 {
            state.owed -= 1;
            permit.forget();
        }
    }

    /// Requests allowed in flight now.
    #[cfg(test)]
    fn limit(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).limit
    }
}

/// What opening a bucket settled, for `-v`: never a secret.
#[derive(Debug, Clone)]
pub struct S3Connection {
    /// The region requests are signed for, and where it came from.
    pub region: String,
    /// `--region` flag, the bucket itself, the AWS configuration, or the fallback.
    pub region_source: &'static str,
    /// Where credentials came from (`unsigned requests` with `--no-sign-request`).
    pub credentials: String,
    /// The endpoint, when not AWS's own.
    pub endpoint: Option<String>,
    /// HTTP requests sent so far.
    pub requests: Arc<S3Requests>,
}

/// Splits `s3://bucket/prefix` into the bucket and the prefix (without slashes at its ends).
pub fn parse_s3_url(text: &str) -> Result<(String, String)> {
    let problem = |problem: &str| Error::Source {
        source_text: text.to_owned(),
        problem: problem.to_owned(),
    };
    let rest = text
        .strip_prefix("s3://")
        .ok_or_else(|| problem("is not an s3:// URL"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let valid_bucket = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if !valid_bucket {
        return Err(problem(
            "does not name a valid bucket (3 to 63 lowercase letters, digits, `-` or `.`)",
        ));
    }
    Ok((bucket.to_owned(), prefix.trim_matches('/').to_owned()))
}

/// Opens `bucket` with `options`.
pub async fn open_bucket(
    bucket: &str,
    options: &S3Options,
) -> Result<(Arc<dyn ObjectStore>, S3Connection)> {
    let endpoint = options
        .endpoint_url
        .as_deref()
        .map(|e| check_endpoint(e, options.allow_http))
        .transpose()?;

    let config = config_loader(options).load().await;

    let client_options = ClientOptions::new()
        .with_allow_http(endpoint.as_ref().is_some_and(|e| e.starts_with("http://")))
        .with_timeout(Duration::from_secs(120))
        .with_connect_timeout(Duration::from_secs(10));

    let (region, region_source) = match (&options.region, &endpoint) {
        (Some(region), _) => (region.clone(), "the region given"),
        // AWS itself: ask the bucket, so requests are signed for the region it lives in.
        (None, None) => match resolve_bucket_region(bucket, &client_options).await {
            Ok(region) => (region, "the bucket"),
            Err(e @ object_store::Error::Generic { .. }) if e.to_string().contains("not found") => {
                return Err(Error::BucketNotFound {
                    bucket: bucket.to_owned(),
                });
            }
            Err(_) => configured_region(&config),
        },
        (None, Some(_)) => configured_region(&config),
    };

    let requests = Arc::new(S3Requests::default());
    let mut builder = AmazonS3Builder::new()
        .with_http_connector(CountingConnector {
            counts: Arc::clone(&requests),
            window: Arc::new(RequestWindow::new(options.max_concurrency)),
        })
        .with_bucket_name(bucket)
        .with_region(&region)
        .with_client_options(client_options)
        .with_retry(RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: options.retries,
            retry_timeout: Duration::from_secs(5 * 60),
        });
    if let Some(endpoint) = &endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_virtual_hosted_style_request(false);
    }
    let credentials = if options.no_sign_request {
        builder = builder.with_skip_signature(true);
        "none: unsigned requests".to_owned()
    } else {
        let (provider, described) = credentials(&config, options.profile.as_deref()).await?;
        builder = builder.with_credentials(provider);
        described
    };
    let store = builder.build().map_err(|e| Error::Source {
        source_text: format!("s3://{bucket}"),
        problem: format!("cannot be opened: {e}"),
    })?;
    let store = LimitStore::new(store, options.max_concurrency.max(1));
    Ok((
        Arc::new(store),
        S3Connection {
            region,
            region_source,
            credentials,
            endpoint,
            requests,
        },
    ))
}

/// The standard AWS configuration (with the profile of `options`), over rustls with ring.
pub(crate) fn config_loader(options: &S3Options) -> aws_config::ConfigLoader {
    let loader = aws_config::defaults(BehaviorVersion::latest()).http_client(
        aws_smithy_http_client::Builder::new()
            .tls_provider(TlsProvider::Rustls(CryptoMode::Ring))
            .build_https(),
    );
    match &options.profile {
        Some(profile) => loader.profile_name(profile),
        None => loader,
    }
}

fn configured_region(config: &aws_config::SdkConfig) -> (String, &'static str) {
    match config.region() {
        Some(region) => (region.to_string(), "the AWS configuration"),
        None => (FALLBACK_REGION.to_owned(), "the default"),
    }
}

/// An endpoint URL that is well formed, and plain HTTP only to loopback or when allowed.
fn check_endpoint(url: &str, allow_http: bool) -> Result<String> {
    let problem = |problem: String| Error::Endpoint {
        endpoint: url.to_owned(),
        problem,
    };
    let parsed = url::Url::parse(url).map_err(|e| problem(format!("is not a URL ({e})")))?;
    match parsed.scheme() {
        "https" => {}
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if !loopback && !allow_http {
                return Err(Error::PlainHttp {
                    endpoint: url.to_owned(),
                });
            }
        }
        other => {
            return Err(problem(format!(
                "has scheme `{other}`; use https:// (or http:// on loopback)"
            )));
        }
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// The default credentials chain, checked now so that a missing credential is a clear error
/// before any request, and bridged into object_store.
async fn credentials(
    config: &aws_config::SdkConfig,
    profile: Option<&str>,
) -> Result<(
    Arc<dyn CredentialProvider<Credential = AwsCredential>>,
    String,
)> {
    let profile_name = profile
        .map(str::to_owned)
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".to_owned());
    let Some(provider) = config.credentials_provider() else {
        return Err(no_credentials(&profile_name));
    };
    let first = provider.provide_credentials().await.map_err(|e| match e {
        CredentialsError::CredentialsNotLoaded(_) => no_credentials(&profile_name),
        other => Error::Credentials {
            profile: profile_name.clone(),
            message: error_chain(&other),
        },
    })?;
    let described = credential_source(&profile_name);
    let bridge = SdkCredentials {
        provider,
        cached: tokio::sync::Mutex::new(Some(Cached::from(first))),
    };
    Ok((Arc::new(bridge), described))
}

fn no_credentials(profile: &str) -> Error {
    let config_file =
        std::env::var("AWS_CONFIG_FILE").unwrap_or_else(|_| "~/.aws/config".to_owned());
    let credentials_file = std::env::var("AWS_SHARED_CREDENTIALS_FILE")
        .unwrap_or_else(|_| "~/.aws/credentials".to_owned());
    Error::NoCredentials {
        looked: vec![
            "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)"
                .to_owned(),
            format!(
                "profile `{profile}` in `{config_file}` and `{credentials_file}` (keys, SSO, assume-role, credential_process)"
            ),
            "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)".to_owned(),
            "container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI)"
                .to_owned(),
            "EC2 instance metadata (unless AWS_EC2_METADATA_DISABLED=true)".to_owned(),
        ],
    }
}

/// Where the chain most likely found credentials, from the configuration alone (the chain
/// does not say), for `-v`.
fn credential_source(profile: &str) -> String {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("AWS_ACCESS_KEY_ID") {
        "the environment (AWS_ACCESS_KEY_ID)".to_owned()
    } else if set("AWS_WEB_IDENTITY_TOKEN_FILE") {
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)".to_owned()
    } else {
        format!("the AWS credentials chain, profile `{profile}`")
    }
}

/// An error and its causes on one line; the SDK's top-level message alone is often generic.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(cause) = current {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        current = cause.source();
    }
    text
}

/// aws-config's credentials, as object_store asks for them, renewed before they expire.
struct SdkCredentials {
    provider: SharedCredentialsProvider,
    cached: tokio::sync::Mutex<Option<Cached>>,
}

struct Cached {
    credential: Arc<AwsCredential>,
    expires: Option<SystemTime>,
}

impl From<aws_credential_types::Credentials> for Cached {
    fn from(c: aws_credential_types::Credentials) -> Self {
        Cached {
            credential: Arc::new(AwsCredential {
                key_id: c.access_key_id().to_owned(),
                secret_key: c.secret_access_key().to_owned(),
                token: c.session_token().map(str::to_owned),
            }),
            expires: c.expiry(),
        }
    }
}

impl fmt::Debug for SdkCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SdkCredentials(** redacted **)")
    }
}

#[async_trait]
impl CredentialProvider for SdkCredentials {
    type Credential = AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<AwsCredential>> {
        let mut cached = self.cached.lock().await;
        if let Some(current) = cached.as_ref() {
            let fresh = current
                .expires
                .is_none_or(|expires| expires > SystemTime::now() + REFRESH_BEFORE_EXPIRY);
            if fresh {
                return Ok(Arc::clone(&current.credential));
            }
        }
        let renewed = self.provider.provide_credentials().await.map_err(|e| {
            object_store::Error::Generic {
                store: "S3",
                source: error_chain(&e).into(),
            }
        })?;
        let renewed = Cached::from(renewed);
        let credential = Arc::clone(&renewed.credential);
        *cached = Some(renewed);
        Ok(credential)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_split_into_bucket_and_prefix() {
        assert_eq!(
            parse_s3_url("s3://audit-sync").unwrap(),
            ("audit-sync".into(), "".into())
        );
        assert_eq!(
            parse_s3_url("s3://audit-sync/").unwrap(),
            ("audit-sync".into(), "".into())
        );
        assert_eq!(
            parse_s3_url("s3://audit.sync-1/ResourceDataSync/ssm/").unwrap(),
            ("audit.sync-1".into(), "ResourceDataSync/ssm".into())
        );
        for bad in ["s3://", "s3://ab", "s3://Audit", "s3://a_b/x", "file:///x"] {
            assert!(parse_s3_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        assert_eq!(
            check_endpoint("http://127.0.0.1:9000/", false).unwrap(),
            "http://127.0.0.1:9000"
        );
        assert!(check_endpoint("http://localhost:9000", false).is_ok());
        assert!(check_endpoint("http://[::1]:9000", false).is_ok());
        assert!(check_endpoint("https://minio.corp.example:9000", false).is_ok());
        let refused = check_endpoint("http://minio.corp.example:9000", false).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("plain HTTP to a host that is not on loopback"),
            "{refused}"
        );
        assert!(check_endpoint("http://minio.corp.example:9000", true).is_ok());
        assert!(check_endpoint("ftp://x", true).is_err());
        assert!(check_endpoint("not a url", true).is_err());
    }

    #[test]
    fn the_credentials_bridge_never_prints_a_secret() {
        let provider = SharedCredentialsProvider::new(aws_credential_types::Credentials::new(
            "AKIDEXAMPLE",
            "very-secret-key",
            Some("session-token".into()),
            None,
            "test",
        ));
        let bridge = SdkCredentials {
            provider,
            cached: tokio::sync::Mutex::new(None),
        };
        let shown = format!("{bridge:?}");
        assert!(!shown.contains("secret") && !shown.contains("AKID") && !shown.contains("token"));
    }

    /// Admits as many requests as the window allows now, and answers them all.
    async fn round(window: &RequestWindow, throttled: bool) {
        let limit = window.permits.available_permits();
        let admitted = futures::future::join_all((0..limit).map(|_| window.admit())).await;
        for permit in admitted {
            window.answered(permit, throttled);
        }
    }

    #[tokio::test]
    async fn the_request_window_halves_on_slowdown_and_grows_back() {
        let window = RequestWindow::new(8);
        let mut admitted = futures::future::join_all((0..8).map(|_| window.admit())).await;
        assert_eq!(window.permits.available_permits(), 0);
        window.answered(admitted.pop().expect("admitted"), true);
        assert_eq!(window.limit(), 4, "the first SlowDown halves the window");
        window.answered(admitted.pop().expect("admitted"), true);
        assert_eq!(
            window.limit(),
            4,
            "the rest of one burst does not cut again"
        );
        for permit in admitted {
            window.answered(permit, false);
        }
        // Four answers after the cut grew it by one; no request is in flight.
        assert_eq!(window.limit(), 5);
        assert_eq!(window.permits.available_permits(), 5);

        for _ in 0..3 {
            round(&window, true).await;
        }
        assert_eq!(
            window.limit(),
            FEWEST_IN_FLIGHT,
            "never cut below the floor"
        );
        assert_eq!(window.permits.available_permits(), FEWEST_IN_FLIGHT);
        for _ in 0..20 {
            round(&window, false).await;
        }
        assert_eq!(
            window.limit(),
            8,
            "grown back to the most allowed, and no further"
        );
        assert_eq!(window.permits.available_permits(), 8);
    }

    #[tokio::test]
    async fn credentials_are_renewed_before_they_expire() {
        let soon = SystemTime::now() + Duration::from_secs(60);
        let later = SystemTime::now() + Duration::from_secs(3600);
        let provider = SharedCredentialsProvider::new(aws_credential_types::Credentials::new(
            "AKIDNEW",
            "new-secret",
            None,
            Some(later),
            "test",
        ));
        let expiring = aws_credential_types::Credentials::new(
            "AKIDOLD",
            "old-secret",
            None,
            Some(soon),
            "test",
        );
        let bridge = SdkCredentials {
            provider,
            cached: tokio::sync::Mutex::new(Some(Cached::from(expiring))),
        };
        assert_eq!(bridge.get_credential().await.unwrap().key_id, "AKIDNEW");
        assert_eq!(bridge.get_credential().await.unwrap().key_id, "AKIDNEW");
    }
}
