use std::{future::Future, net::SocketAddr, os::unix::fs::PermissionsExt, path::PathBuf, time::Duration};

use anyhow::{Context, bail};
use imaged_images::Engine;
use imaged_proto::v1::{
    archives_server::ArchivesServer, builds_server::BuildsServer, containers_server::ContainersServer,
    images_server::ImagesServer, registries_server::RegistriesServer,
};
use tokio::net::{TcpListener, UnixListener};
use tokio_stream::wrappers::{TcpListenerStream, UnixListenerStream};
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};

use crate::{
    archives::ArchivesService, builds::BuildsService, containers::ContainersService, images::ImagesService,
    registries::RegistriesService,
};

/// How the daemon listens.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub socket: PathBuf,
    /// Group (name or gid) that owns the socket; its members may use imaged (as Docker's `docker` group).
    pub socket_group: Option<String>,
    pub listen: Option<SocketAddr>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_client_ca: Option<PathBuf>,
    /// Requests served at once per connection.
    pub max_concurrent_requests: usize,
    /// Default deadline of unary calls that carry no `grpc-timeout`.
    pub request_timeout: Duration,
    /// Largest gRPC message accepted, bytes.
    pub max_message_size: usize,
}

fn tls_config(o: &ServeOptions) -> anyhow::Result<Option<ServerTlsConfig>> {
    match (&o.tls_cert, &o.tls_key) {
        (None, None) => Ok(None),
        (Some(cert), Some(key)) => {
            let identity = Identity::from_pem(
                std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?,
                std::fs::read(key).with_context(|| format!("reading {}", key.display()))?,
            );
            let mut tls = ServerTlsConfig::new().identity(identity);
            if let Some(ca) = &o.tls_client_ca {
                tls = tls.client_ca_root(Certificate::from_pem(
                    std::fs::read(ca).with_context(|| format!("reading {}", ca.display()))?,
                ));
            }
            Ok(Some(tls))
        }
        _ => bail!("--tls-cert and --tls-key go together"),
    }
}

/// A group name or number → gid, from `/etc/group`.
fn group_id(group: &str) -> anyhow::Result<u32> {
    if let Ok(gid) = group.parse::<u32>() {
        return Ok(gid);
    }
    let text = std::fs::read_to_string("/etc/group").context("reading /etc/group")?;
    text.lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 3 && f[0] == group)
        .and_then(|f| f[2].parse().ok())
        .with_context(|| format!("no group {group:?} in /etc/group"))
}

async fn bind_unix(path: &PathBuf, group: Option<&str>) -> anyhow::Result<UnixListener> {
    if path.exists() {
        if tokio::net::UnixStream::connect(path).await.is_ok() {
            bail!("another imaged is already listening on {}", path.display());
        }
        std::fs::remove_file(path).with_context(|| format!("removing stale socket {}", path.display()))?;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let listener = UnixListener::bind(path).with_context(|| format!("binding {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))?;
    if let Some(g) = group {
        let gid = group_id(g)?;
        std::os::unix::fs::chown(path, None, Some(gid))
            .with_context(|| format!("giving {} to group {g}", path.display()))?;
    }
    Ok(listener)
}

/// Serves every service, reflection (v1 and v1alpha) and health until `shutdown` resolves; in-flight
/// calls finish first.
pub async fn serve(
    engine: Engine,
    o: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let tls = tls_config(&o)?;
    if let Some(addr) = o.listen
        && tls.is_none()
        && !addr.ip().is_loopback()
    {
        bail!("refusing to listen on {addr} without TLS: use a loopback address or give --tls-cert/--tls-key");
    }

    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(imaged_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET);
    let reflection_v1 = reflection.build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(imaged_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<ImagesServer<ImagesService>>().await;
    health.set_serving::<ArchivesServer<ArchivesService>>().await;
    health.set_serving::<BuildsServer<BuildsService>>().await;
    health.set_serving::<ContainersServer<ContainersService>>().await;
    health.set_serving::<RegistriesServer<RegistriesService>>().await;

    let max = o.max_message_size;
    let router = |tls: Option<ServerTlsConfig>| -> anyhow::Result<_> {
        let mut b = Server::builder();
        if let Some(tls) = tls {
            b = b.tls_config(tls)?;
        }
        // Windows of 4/8 MiB: uploads of 1 MiB chunks (import, load, build contexts) do not stall on
        // WINDOW_UPDATE round trips as they would with h2's 64 KiB default.
        Ok(b.initial_stream_window_size(4 << 20)
            .max_frame_size(1 << 20)
            .initial_connection_window_size(8 << 20)
            .tcp_nodelay(true)
            .concurrency_limit_per_connection(o.max_concurrent_requests)
            .timeout(o.request_timeout)
            .trace_fn(|req| tracing::info_span!("grpc", method = %req.uri().path()))
            .add_service(
                ImagesServer::new(ImagesService {
                    images: engine.images(),
                    transfers: engine.transfers(),
                    content: engine.content(),
                })
                .max_decoding_message_size(max),
            )
            .add_service(
                ArchivesServer::new(ArchivesService { images: engine.images() }).max_decoding_message_size(max),
            )
            .add_service(BuildsServer::new(BuildsService { builds: engine.builds() }).max_decoding_message_size(max))
            .add_service(ContainersServer::new(ContainersService { containers: engine.containers() }))
            .add_service(RegistriesServer::new(RegistriesService { transfers: engine.transfers() }))
            .add_service(reflection_v1.clone())
            .add_service(reflection_v1alpha.clone())
            .add_service(health_service.clone()))
    };

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };

    let unix = bind_unix(&o.socket, o.socket_group.as_deref()).await?;
    tracing::info!(socket = %o.socket.display(), "listening");
    let unix_server = router(None)?.serve_with_incoming_shutdown(UnixListenerStream::new(unix), wait(stop_rx.clone()));
    let result = if let Some(addr) = o.listen {
        let tcp = TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
        tracing::info!(address = %tcp.local_addr()?, tls = tls.is_some(), "listening");
        let tcp_server = router(tls)?.serve_with_incoming_shutdown(TcpListenerStream::new(tcp), wait(stop_rx.clone()));
        tokio::try_join!(unix_server, tcp_server).map(|_| ())
    } else {
        unix_server.await
    };
    let _ = std::fs::remove_file(&o.socket);
    result.context("serving gRPC")
}
