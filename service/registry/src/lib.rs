//! An OCI distribution client: manifests, blobs (ranged reads for resume), uploads, cross-repository
//! mounts, tags, catalog, and the auth flows (Basic, and Bearer tokens from the challenge's realm).
//! Plain HTTP for loopback registries and those configured insecure, HTTPS otherwise.

mod auth;
mod error;

use std::{collections::HashMap, sync::Mutex};

pub use auth::{Challenge, Credentials, parse_challenge};
pub use error::RegistryError;
use futures::StreamExt;
use imaged_core::{Digest, media_types};
use reqwest::{
    Method, Response, StatusCode,
    header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION, RANGE, WWW_AUTHENTICATE},
};

/// Every manifest type imaged reads: without them a registry converts to schema1 or answers 404.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// A fetched manifest or index.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: Digest,
}

/// Manifests and indexes larger than this are refused (the common registry limit; ORAS uses the same).
pub const MAX_MANIFEST: u64 = 4 << 20;
/// Token answers, tag lists, catalogs and search results larger than this are refused.
const MAX_JSON: u64 = 4 << 20;
/// Error bodies are read this far (for the message), no further.
const MAX_ERROR_BODY: u64 = 16 << 10;

/// Reads a body into memory, refusing one longer than `limit` (by its Content-Length before reading, or
/// as soon as it passes the limit): a hostile registry's endless answer costs at most `limit` bytes.
async fn read_capped(resp: Response, limit: u64, host: &str, what: &str) -> Result<Vec<u8>, RegistryError> {
    let too_large = || RegistryError::TooLarge { host: host.to_owned(), what: what.to_owned(), limit };
    if resp.content_length().is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = resp.bytes_stream();
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| RegistryError::Unreachable {
            host: host.to_owned(),
            reason: format!("reading {what}: {}", error_chain(&e)),
        })?;
        if out.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A JSON body read with [`read_capped`].
async fn read_json(resp: Response, host: &str, what: &str) -> Result<serde_json::Value, RegistryError> {
    let bytes = read_capped(resp, MAX_JSON, host, what).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| RegistryError::Protocol { host: host.to_owned(), reason: format!("{what}: {e}") })
}

/// Bytes to upload, as a stream of chunks.
pub type ByteStream = std::pin::Pin<Box<dyn futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send>>;

/// A blob download under way: whether it resumes from the offset asked for, and its body.
pub struct BlobDownload {
    /// True when the body starts at the offset asked for (206), false when it starts at 0.
    pub partial: bool,
    pub body: std::pin::Pin<Box<dyn futures::Stream<Item = Result<bytes::Bytes, RegistryError>> + Send>>,
}

/// An error and its causes, for messages (reqwest's own text says little: "error decoding response body").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The registry client. Cheap to share; caches bearer tokens per host and scope.
pub struct Registry {
    http: reqwest::Client,
    insecure: Vec<String>,
    tokens: Mutex<HashMap<(String, String), String>>,
}

/// Who to talk to and as whom.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// Registry host as in references (`docker.io`, `127.0.0.1:5000`).
    pub host: &'a str,
    /// Repository path (`library/busybox`).
    pub repo: &'a str,
    pub creds: Option<&'a Credentials>,
}

fn is_loopback(host: &str) -> bool {
    let name =
        host.rsplit_once(':').map_or(host, |(h, p)| if p.chars().all(|c| c.is_ascii_digit()) { h } else { host });
    name == "localhost" || name.starts_with("127.") || name == "[::1]" || name == "::1"
}

impl Registry {
    /// `insecure`: hosts spoken to over plain HTTP besides loopback ones.
    pub fn new(insecure: Vec<String>) -> Self {
        Self::with_read_timeout(insecure, std::time::Duration::from_secs(60))
    }

    /// As [`Registry::new`]; a registry that sends nothing for `read_timeout` (a stalled body) fails the
    /// request as unreachable.
    pub fn with_read_timeout(insecure: Vec<String>, read_timeout: std::time::Duration) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("imaged/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(std::time::Duration::from_secs(15))
            .read_timeout(read_timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .expect("http client");
        Self { http, insecure, tokens: Mutex::default() }
    }

    fn base(&self, host: &str) -> String {
        let api = if host == imaged_core::DEFAULT_DOMAIN { "registry-1.docker.io" } else { host };
        let scheme = if is_loopback(host) || self.insecure.iter().any(|h| h == host) { "http" } else { "https" };
        format!("{scheme}://{api}")
    }

    fn unreachable(host: &str, e: reqwest::Error) -> RegistryError {
        let mut reason = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            reason = format!("{reason}: {s}");
            src = s.source();
        }
        RegistryError::Unreachable { host: host.to_owned(), reason }
    }

    async fn fetch_token(
        &self,
        host: &str,
        creds: Option<&Credentials>,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<String, RegistryError> {
        let encode = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
        };
        let mut params: Vec<(&str, &str)> = service.map(|s| ("service", s)).into_iter().collect();
        let req = match creds.filter(|c| !c.identity_token.is_empty()) {
            Some(c) => {
                // The OAuth2 flow of Docker's token spec: the identity token is a refresh token, sent in a
                // form (scope as one space-separated field), never as a password.
                params.extend([
                    ("grant_type", "refresh_token"),
                    ("refresh_token", c.identity_token.as_str()),
                    ("client_id", "imaged"),
                ]);
                if !scope.is_empty() {
                    params.push(("scope", scope));
                }
                self.http
                    .post(realm)
                    .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(encode(&params))
            }
            None => {
                params.extend(scope.split(' ').filter(|s| !s.is_empty()).map(|s| ("scope", s)));
                let url = if params.is_empty() {
                    realm.to_owned()
                } else {
                    let sep = if realm.contains('?') { '&' } else { '?' };
                    format!("{realm}{sep}{}", encode(&params))
                };
                let req = self.http.get(url);
                match creds.filter(|c| c.has_basic()) {
                    Some(c) => req.header(AUTHORIZATION, c.basic_header()),
                    None => req,
                }
            }
        };
        let resp = req.send().await.map_err(|e| Self::unreachable(host, e))?;
        match resp.status() {
            s if s.is_success() => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(RegistryError::Unauthorized {
                    host: host.to_owned(),
                    hint: Some("the token service refused the credentials".into()),
                });
            }
            s => {
                return Err(RegistryError::Status {
                    host: host.to_owned(),
                    what: "token request".into(),
                    status: s.as_u16(),
                    body: String::new(),
                });
            }
        }
        let v = read_json(resp, host, "token answer").await?;
        v["token"].as_str().or(v["access_token"].as_str()).map(str::to_owned).ok_or_else(|| RegistryError::Protocol {
            host: host.to_owned(),
            reason: "token answer has no token".into(),
        })
    }

    /// Sends a request (built fresh for each try), answering one auth challenge.
    async fn send<F>(
        &self,
        host: &str,
        creds: Option<&Credentials>,
        scope: &str,
        build: F,
    ) -> Result<Response, RegistryError>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let key = (host.to_owned(), scope.to_owned());
        let cached = self.tokens.lock().expect("token cache").get(&key).cloned();
        let mut req = build(&self.http);
        if let Some(t) = &cached {
            req = req.header(AUTHORIZATION, format!("Bearer {t}"));
        } else if let Some(c) = creds.filter(|c| c.has_basic()) {
            req = req.header(AUTHORIZATION, c.basic_header());
        }
        let resp = req.send().await.map_err(|e| Self::unreachable(host, e))?;
        if resp.status() != StatusCode::UNAUTHORIZED {
            return Ok(resp);
        }
        let challenge = resp.headers().get(WWW_AUTHENTICATE).and_then(|h| h.to_str().ok()).and_then(parse_challenge);
        let header = match challenge {
            Some(Challenge::Bearer { realm, service, scope: challenge_scope }) => {
                let scope = if scope.is_empty() { challenge_scope.unwrap_or_default() } else { scope.to_owned() };
                let token = self.fetch_token(host, creds, &realm, service.as_deref(), &scope).await?;
                self.tokens.lock().expect("token cache").insert(key, token.clone());
                format!("Bearer {token}")
            }
            Some(Challenge::Basic) if creds.is_some_and(Credentials::has_basic) && cached.is_some() => {
                creds.expect("checked").basic_header()
            }
            _ => {
                let hint =
                    if creds.is_some() { "the credentials were refused" } else { "log in first: imagectl login" };
                return Err(RegistryError::Unauthorized { host: host.to_owned(), hint: Some(hint.into()) });
            }
        };
        let resp =
            build(&self.http).header(AUTHORIZATION, header).send().await.map_err(|e| Self::unreachable(host, e))?;
        if resp.status() == StatusCode::UNAUTHORIZED {
            let hint = if creds.is_some() { "the credentials were refused" } else { "log in first: imagectl login" };
            return Err(RegistryError::Unauthorized { host: host.to_owned(), hint: Some(hint.into()) });
        }
        Ok(resp)
    }

    async fn check(host: &str, what: &str, resp: Response) -> Result<Response, RegistryError> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let (host, what) = (host.to_owned(), what.to_owned());
        Err(match status {
            StatusCode::NOT_FOUND => RegistryError::NotFound { host, what },
            StatusCode::FORBIDDEN => RegistryError::Denied { host, what },
            StatusCode::UNAUTHORIZED => RegistryError::Unauthorized { host, hint: None },
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                RegistryError::TooManyRequests { host, retry_after }
            }
            s => {
                let body = match read_capped(resp, MAX_ERROR_BODY, &host, "error body").await {
                    Ok(b) => String::from_utf8_lossy(&b).chars().take(300).collect(),
                    Err(_) => "(an error body too long to show)".to_owned(),
                };
                RegistryError::Status { host, what, status: s.as_u16(), body }
            }
        })
    }

    /// Checks credentials against `/v2/` (and the token service when the registry uses one).
    pub async fn login(&self, host: &str, creds: &Credentials) -> Result<(), RegistryError> {
        let url = format!("{}/v2/", self.base(host));
        let resp = self.send(host, Some(creds), "", |c| c.get(&url)).await?;
        Self::check(host, "/v2/", resp).await.map(|_| ())
    }

    /// Fetches a manifest or index by tag or digest; a digest reference is verified.
    pub async fn get_manifest(&self, t: &Target<'_>, reference: &str) -> Result<Manifest, RegistryError> {
        let url = format!("{}/v2/{}/manifests/{reference}", self.base(t.host), t.repo);
        let scope = format!("repository:{}:pull", t.repo);
        let resp = self.send(t.host, t.creds, &scope, |c| c.get(&url).header(ACCEPT, MANIFEST_ACCEPT)).await?;
        let resp = Self::check(t.host, &format!("manifest {}:{reference}", t.repo), resp).await?;
        let header_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.split(';').next().unwrap_or(s).trim().to_owned());
        let bytes = read_capped(resp, MAX_MANIFEST, t.host, &format!("manifest {}:{reference}", t.repo)).await?;
        let digest = Digest::of(&bytes);
        if let Ok(expected) = Digest::parse(reference)
            && expected != digest
        {
            return Err(RegistryError::Protocol {
                host: t.host.to_owned(),
                reason: format!("manifest {reference} has digest {digest}"),
            });
        }
        let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| RegistryError::Protocol {
            host: t.host.to_owned(),
            reason: format!("manifest is not JSON: {e}"),
        })?;
        let media_type = doc["mediaType"].as_str().map(str::to_owned).or(header_type).unwrap_or_else(|| {
            if doc.get("manifests").is_some() {
                media_types::OCI_INDEX.into()
            } else {
                media_types::OCI_MANIFEST.into()
            }
        });
        Ok(Manifest { bytes, media_type, digest })
    }

    /// Starts a blob download at `offset`. When the registry does not honour the range the download
    /// starts at 0 (`partial` false); a partial answer whose `Content-Range` does not start at `offset` is
    /// refused. The body comes as a stream of chunks that fails (never ends early) when the connection
    /// breaks.
    pub async fn get_blob(&self, t: &Target<'_>, digest: &Digest, offset: u64) -> Result<BlobDownload, RegistryError> {
        let url = format!("{}/v2/{}/blobs/{digest}", self.base(t.host), t.repo);
        let scope = format!("repository:{}:pull", t.repo);
        let resp = self
            .send(t.host, t.creds, &scope, |c| {
                let r = c.get(&url);
                if offset > 0 { r.header(RANGE, format!("bytes={offset}-")) } else { r }
            })
            .await?;
        let partial = resp.status() == StatusCode::PARTIAL_CONTENT;
        let resp = Self::check(t.host, &format!("blob {digest}"), resp).await?;
        if partial && let Some(range) = resp.headers().get(reqwest::header::CONTENT_RANGE) {
            let start = range
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("bytes "))
                .and_then(|v| v.split('-').next())
                .and_then(|v| v.trim().parse::<u64>().ok());
            if start != Some(offset) {
                return Err(RegistryError::Protocol {
                    host: t.host.to_owned(),
                    reason: format!(
                        "blob {digest}: asked for bytes from {offset}, got a Content-Range starting at {start:?}"
                    ),
                });
            }
        }
        let host = t.host.to_owned();
        let what = digest.to_string();
        let body = resp.bytes_stream().map(move |chunk| {
            chunk.map_err(|e| RegistryError::Unreachable {
                host: host.clone(),
                reason: format!("download of {what} broke off: {}", error_chain(&e)),
            })
        });
        Ok(BlobDownload { partial, body: Box::pin(body) })
    }

    /// True when the repository has the blob.
    pub async fn blob_exists(&self, t: &Target<'_>, digest: &Digest) -> Result<bool, RegistryError> {
        let url = format!("{}/v2/{}/blobs/{digest}", self.base(t.host), t.repo);
        let scope = format!("repository:{}:pull,push", t.repo);
        let resp = self.send(t.host, t.creds, &scope, |c| c.head(&url)).await?;
        match resp.status() {
            StatusCode::NOT_FOUND => Ok(false),
            _ => Self::check(t.host, &format!("blob {digest}"), resp).await.map(|_| true),
        }
    }

    /// Tries a cross-repository mount; `Ok(false)` when the registry started an upload instead.
    pub async fn mount_blob(&self, t: &Target<'_>, digest: &Digest, from: &str) -> Result<bool, RegistryError> {
        let url = format!("{}/v2/{}/blobs/uploads/?mount={digest}&from={from}", self.base(t.host), t.repo);
        let scope = format!("repository:{}:pull,push repository:{from}:pull", t.repo);
        let resp = self.send(t.host, t.creds, &scope, |c| c.post(&url)).await?;
        let status = resp.status();
        Self::check(t.host, &format!("mount of {digest}"), resp).await?;
        Ok(status == StatusCode::CREATED)
    }

    /// Opens an upload session (POST to `/blobs/uploads/`): the base URL, the push scope and the
    /// session's location.
    async fn start_upload(&self, t: &Target<'_>) -> Result<(String, String, String), RegistryError> {
        let base = self.base(t.host);
        let url = format!("{base}/v2/{}/blobs/uploads/", t.repo);
        let scope = format!("repository:{}:pull,push", t.repo);
        let resp = self.send(t.host, t.creds, &scope, |c| c.post(&url)).await?;
        let resp = Self::check(t.host, "upload start", resp).await?;
        let location = location(t.host, &base, resp.headers())?;
        Ok((base, scope, location))
    }

    /// Uploads a blob in one PUT (POST for a location, then PUT with the digest).
    pub async fn upload_blob(
        &self,
        t: &Target<'_>,
        digest: &Digest,
        size: u64,
        body: ByteStream,
    ) -> Result<(), RegistryError> {
        let (_, scope, location) = self.start_upload(t).await?;
        let put_url = with_digest(&location, digest);
        let token = self.tokens.lock().expect("token cache").get(&(t.host.to_owned(), scope.clone())).cloned();
        let mut req = self
            .http
            .put(&put_url)
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(reqwest::header::CONTENT_LENGTH, size)
            .body(reqwest::Body::wrap_stream(body));
        if let Some(tok) = token {
            req = req.header(AUTHORIZATION, format!("Bearer {tok}"));
        } else if let Some(c) = t.creds.filter(|c| c.has_basic()) {
            req = req.header(AUTHORIZATION, c.basic_header());
        }
        let resp = req.send().await.map_err(|e| Self::unreachable(t.host, e))?;
        Self::check(t.host, &format!("upload of {digest}"), resp).await.map(|_| ())
    }

    /// Uploads a blob in chunks of `chunk` bytes read from `path` (POST, then one PATCH per chunk with
    /// `Content-Range`, then PUT with the digest), as the distribution spec's chunked upload; for blobs too
    /// big to send in one request through proxies that limit request bodies.
    pub async fn upload_blob_chunked(
        &self,
        t: &Target<'_>,
        digest: &Digest,
        path: &std::path::Path,
        chunk: u64,
    ) -> Result<(), RegistryError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let (base, scope, mut location) = self.start_upload(t).await?;
        let io = |e: std::io::Error| RegistryError::Protocol {
            host: t.host.to_owned(),
            reason: format!("reading {}: {e}", path.display()),
        };
        let mut file = tokio::fs::File::open(path).await.map_err(io)?;
        let size = file.metadata().await.map_err(io)?.len();
        let mut offset = 0u64;
        while offset < size {
            let n = chunk.min(size - offset);
            let mut buf = vec![0u8; n as usize];
            file.seek(std::io::SeekFrom::Start(offset)).await.map_err(io)?;
            file.read_exact(&mut buf).await.map_err(io)?;
            let range = format!("{}-{}", offset, offset + n - 1);
            let resp = self
                .send(t.host, t.creds, &scope, |c| {
                    c.patch(&location)
                        .header(CONTENT_TYPE, "application/octet-stream")
                        .header(reqwest::header::CONTENT_LENGTH, n)
                        .header("Content-Range", range.clone())
                        .body(buf.clone())
                })
                .await?;
            let resp = Self::check(t.host, &format!("upload chunk {range} of {digest}"), resp).await?;
            location = location_or(t.host, &base, resp.headers(), &location)?;
            offset += n;
        }
        let put_url = with_digest(&location, digest);
        let resp =
            self.send(t.host, t.creds, &scope, |c| c.put(&put_url).header(reqwest::header::CONTENT_LENGTH, 0)).await?;
        Self::check(t.host, &format!("upload of {digest}"), resp).await.map(|_| ())
    }

    /// PUTs a manifest under a tag; returns the digest the registry reports (or computes).
    pub async fn put_manifest(
        &self,
        t: &Target<'_>,
        tag: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<Digest, RegistryError> {
        let url = format!("{}/v2/{}/manifests/{tag}", self.base(t.host), t.repo);
        let scope = format!("repository:{}:pull,push", t.repo);
        let body = bytes.to_vec();
        let resp = self
            .send(t.host, t.creds, &scope, |c| {
                c.request(Method::PUT, &url).header(CONTENT_TYPE, media_type).body(body.clone())
            })
            .await?;
        let resp = Self::check(t.host, &format!("manifest {}:{tag}", t.repo), resp).await?;
        let ours = Digest::of(bytes);
        if let Some(theirs) = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Digest::parse(v).ok())
            && theirs != ours
        {
            return Err(RegistryError::Protocol {
                host: t.host.to_owned(),
                reason: format!("stored manifest as {theirs}, expected {ours}"),
            });
        }
        Ok(ours)
    }

    /// Every tag of a repository, following `Link` pagination.
    pub async fn tags(&self, t: &Target<'_>) -> Result<Vec<String>, RegistryError> {
        let base = self.base(t.host);
        let mut url = format!("{base}/v2/{}/tags/list", t.repo);
        let scope = format!("repository:{}:pull", t.repo);
        let mut out = Vec::new();
        for _ in 0..1000 {
            let u = url.clone();
            let resp = self.send(t.host, t.creds, &scope, |c| c.get(&u)).await?;
            let resp = Self::check(t.host, &format!("tags of {}", t.repo), resp).await?;
            let next = next_link(&base, resp.headers());
            let v = read_json(resp, t.host, "tag list").await?;
            out.extend(v["tags"].as_array().into_iter().flatten().filter_map(|t| t.as_str().map(str::to_owned)));
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        Ok(out)
    }

    /// Docker Hub's search API (`/v1/search`); `Ok(None)` when the registry has none.
    pub async fn v1_search(
        &self,
        host: &str,
        term: &str,
        limit: usize,
    ) -> Result<Option<Vec<serde_json::Value>>, RegistryError> {
        let base =
            if host == imaged_core::DEFAULT_DOMAIN { "https://index.docker.io".to_owned() } else { self.base(host) };
        let url = format!("{base}/v1/search?q={}&n={limit}", urlencode(term));
        let resp = self.http.get(&url).send().await.map_err(|e| Self::unreachable(host, e))?;
        if matches!(resp.status(), StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED | StatusCode::UNAUTHORIZED) {
            return Ok(None);
        }
        let resp = Self::check(host, "search", resp).await?;
        let v = read_json(resp, host, "search results").await?;
        Ok(Some(v["results"].as_array().cloned().unwrap_or_default()))
    }

    /// Every repository of a registry (`/v2/_catalog`, paginated).
    pub async fn catalog(&self, host: &str, creds: Option<&Credentials>) -> Result<Vec<String>, RegistryError> {
        let base = self.base(host);
        let mut url = format!("{base}/v2/_catalog?n=1000");
        let mut out = Vec::new();
        for _ in 0..1000 {
            let u = url.clone();
            let resp = self.send(host, creds, "registry:catalog:*", |c| c.get(&u)).await?;
            let resp = Self::check(host, "catalog", resp).await?;
            let next = next_link(&base, resp.headers());
            let v = read_json(resp, host, "catalog").await?;
            out.extend(
                v["repositories"].as_array().into_iter().flatten().filter_map(|t| t.as_str().map(str::to_owned)),
            );
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
        Ok(out)
    }
}

fn location(host: &str, base: &str, headers: &HeaderMap) -> Result<String, RegistryError> {
    let loc = headers.get(LOCATION).and_then(|v| v.to_str().ok()).ok_or_else(|| RegistryError::Protocol {
        host: host.to_owned(),
        reason: "upload answer has no Location".into(),
    })?;
    Ok(if loc.starts_with("http://") || loc.starts_with("https://") { loc.to_owned() } else { format!("{base}{loc}") })
}

/// An upload location with the `digest` query parameter that completes it.
fn with_digest(location: &str, digest: &Digest) -> String {
    let sep = if location.contains('?') { '&' } else { '?' };
    format!("{location}{sep}digest={digest}")
}

/// The `Location` of a chunk answer, or the previous one when the registry sent none.
fn location_or(host: &str, base: &str, headers: &HeaderMap, previous: &str) -> Result<String, RegistryError> {
    if headers.contains_key(LOCATION) { location(host, base, headers) } else { Ok(previous.to_owned()) }
}

/// `Link: </v2/…?n=…&last=…>; rel="next"`.
fn next_link(base: &str, headers: &HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    let start = link.find('<')? + 1;
    let end = link.find('>')?;
    let target = &link[start..end];
    Some(if target.starts_with("http") { target.to_owned() } else { format!("{base}{target}") })
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_links() {
        let r = Registry::new(vec!["myreg:5000".into()]);
        assert_eq!(r.base("127.0.0.1:5000"), "http://127.0.0.1:5000");
        assert_eq!(r.base("localhost"), "http://localhost");
        assert_eq!(r.base("myreg:5000"), "http://myreg:5000");
        assert_eq!(r.base("docker.io"), "https://registry-1.docker.io");
        assert_eq!(r.base("quay.io"), "https://quay.io");
        let mut h = HeaderMap::new();
        h.insert("link", r#"</v2/_catalog?last=b&n=2>; rel="next""#.parse().unwrap());
        assert_eq!(next_link("http://x", &h).unwrap(), "http://x/v2/_catalog?last=b&n=2");
        assert_eq!(urlencode("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull");
    }
}
