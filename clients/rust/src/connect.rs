use std::path::PathBuf;

use hyper_util::rt::TokioIo;
use tokio::net::UnixStream;
use tonic::transport::{Channel, Endpoint, Uri};
use tower::service_fn;

use crate::ClientError;

/// Where `host` points: a unix socket path, or an http(s) URL.
pub(crate) fn socket_path(host: &str) -> Option<PathBuf> {
    if let Some(rest) = host.strip_prefix("unix://") {
        return Some(PathBuf::from(rest));
    }
    if let Some(rest) = host.strip_prefix("unix:") {
        return Some(PathBuf::from(rest));
    }
    (host.starts_with('/') || host.starts_with('.')).then(|| PathBuf::from(host))
}

/// HTTP/2 windows large enough that a List of thousands of images or a 1 MiB archive chunk arrives without
/// waiting for WINDOW_UPDATE round trips (h2's default is 64 KiB).
fn tuned(e: Endpoint) -> Endpoint {
    e.initial_stream_window_size(4 << 20)
        .initial_connection_window_size(8 << 20)
        .max_frame_size(1 << 20)
        .buffer_size(4096)
        .tcp_nodelay(true)
}

/// PEM files for an `https://` daemon: the CA to trust, and a client certificate and key for mTLS.
#[derive(Debug, Clone, Default)]
pub struct TlsFiles {
    pub ca: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

pub(crate) async fn channel(host: &str) -> Result<Channel, ClientError> {
    channel_tls(host, None).await
}

pub(crate) async fn channel_tls(host: &str, tls: Option<&TlsFiles>) -> Result<Channel, ClientError> {
    let fail = |reason: String| ClientError::Connect { host: host.to_owned(), reason };
    if let Some(path) = socket_path(host) {
        let endpoint = tuned(Endpoint::try_from("http://localhost").map_err(|e| fail(e.to_string()))?);
        return endpoint
            .connect_with_connector(service_fn(move |_: Uri| {
                let path = path.clone();
                async move { UnixStream::connect(path).await.map(TokioIo::new) }
            }))
            .await
            .map_err(|e| {
                fail(format!("{e}: {}", std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default()))
            });
    }
    if !(host.starts_with("http://") || host.starts_with("https://")) {
        return Err(fail("expected unix:///path/to/imaged.sock or http://host:port".into()));
    }
    let mut endpoint = tuned(Endpoint::from_shared(host.to_owned()).map_err(|e| fail(e.to_string()))?);
    if host.starts_with("https://") {
        let read = |p: &PathBuf| std::fs::read(p).map_err(|e| fail(format!("reading {}: {e}", p.display())));
        let mut cfg = tonic::transport::ClientTlsConfig::new();
        if let Some(files) = tls {
            if let Some(ca) = &files.ca {
                cfg = cfg.ca_certificate(tonic::transport::Certificate::from_pem(read(ca)?));
            }
            match (&files.cert, &files.key) {
                (Some(c), Some(k)) => cfg = cfg.identity(tonic::transport::Identity::from_pem(read(c)?, read(k)?)),
                (None, None) => {}
                _ => return Err(fail("a client certificate needs its key (and the key its certificate)".into())),
            }
        }
        endpoint = endpoint.tls_config(cfg).map_err(|e| fail(e.to_string()))?;
    }
    endpoint
        .connect()
        .await
        .map_err(|e| fail(format!("{e}: {}", std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default())))
}
