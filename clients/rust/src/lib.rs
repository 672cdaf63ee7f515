//! `imaged-client`: a typed async client for the imaged gRPC API.
//!
//! ```no_run
//! # async fn demo() -> Result<(), imaged_client::ClientError> {
//! let client = imaged_client::Client::connect("unix:///var/lib/imaged/imaged.sock").await?;
//! for image in client.list(false, vec![]).await? {
//!     println!("{} {:?}", image.id, image.repo_tags);
//! }
//! # Ok(()) }
//! ```

mod builds;
mod connect;
mod containers;
pub mod docker;
mod error;
mod raw;
pub mod timestamp;

use std::path::Path;

pub use builds::{BuildEvent, context_files};
pub use connect::TlsFiles;
pub use containers::Output;
pub use error::ClientError;
/// The descriptor set of the API (what the daemon serves by reflection).
pub use imaged_proto::FILE_DESCRIPTOR_SET;
pub use imaged_proto::v1 as pb;
use pb::{
    archives_client::ArchivesClient, builds_client::BuildsClient, containers_client::ContainersClient,
    images_client::ImagesClient, registries_client::RegistriesClient,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
pub use tonic::Code;
use tonic::{Request, metadata::MetadataValue, transport::Channel};

/// Chunk size of client streams (archive and context bytes).
pub const CHUNK: usize = 1 << 20;

/// A connection to one imaged, in one namespace. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    channel: Channel,
    namespace: Option<MetadataValue<tonic::metadata::Ascii>>,
    /// The daemon's unix socket, when it is one: a build never sends the directory that holds it.
    socket: Option<std::path::PathBuf>,
    /// Sent with every call as its gRPC deadline (`grpc-timeout`), which the daemon honours.
    deadline: Option<std::time::Duration>,
}

/// A client stream: `first`, then `reader`'s bytes in chunks of at most [`CHUNK`], each wrapped by `wrap`.
/// The feeding task stops when the server stops reading.
fn upload<T: Send + 'static, R: AsyncRead + Send + Unpin + 'static>(
    first: T,
    mut reader: R,
    wrap: fn(Vec<u8>) -> T,
) -> (tokio_stream::wrappers::ReceiverStream<T>, tokio::task::JoinHandle<std::io::Result<()>>) {
    let (tx, rx) = tokio::sync::mpsc::channel::<T>(4);
    let feeder = tokio::spawn(async move {
        if tx.send(first).await.is_err() {
            return Ok(());
        }
        loop {
            let mut buf = vec![0u8; CHUNK];
            let n = reader.read(&mut buf).await?;
            if n == 0 {
                return Ok(());
            }
            buf.truncate(n);
            if tx.send(wrap(buf)).await.is_err() {
                return Ok(());
            }
        }
    });
    (tokio_stream::wrappers::ReceiverStream::new(rx), feeder)
}

/// A read error on the client's side beats whatever the server answered.
async fn finish_upload(feeder: tokio::task::JoinHandle<std::io::Result<()>>) -> Result<(), ClientError> {
    match feeder.await {
        Ok(Err(e)) => Err(ClientError::Io(e)),
        Err(e) => Err(ClientError::Protocol(e.to_string())),
        Ok(Ok(())) => Ok(()),
    }
}

fn pairs(filters: Vec<(String, String)>) -> Vec<pb::Filter> {
    filters.into_iter().map(|(key, value)| pb::Filter { key, value }).collect()
}

impl Client {
    /// Connects to `unix:///path`, `unix:path`, a bare socket path, or `http://host:port`.
    pub async fn connect(host: &str) -> Result<Self, ClientError> {
        Ok(Self {
            channel: connect::channel(host).await?,
            namespace: None,
            socket: connect::socket_path(host),
            deadline: None,
        })
    }

    /// Connects to an `https://host:port` daemon trusting `tls.ca`, presenting `tls.cert`/`tls.key` when
    /// the daemon asks for a client certificate (mTLS). Other hosts connect as [`Client::connect`].
    pub async fn connect_tls(host: &str, tls: &TlsFiles) -> Result<Self, ClientError> {
        Ok(Self {
            channel: connect::channel_tls(host, Some(tls)).await?,
            namespace: None,
            socket: connect::socket_path(host),
            deadline: None,
        })
    }

    /// The same connection, working in another namespace (header `imaged-namespace`).
    pub fn with_namespace(&self, namespace: &str) -> Result<Self, ClientError> {
        let value = namespace
            .parse()
            .map_err(|_| ClientError::InvalidInput(format!("namespace {namespace:?} is not ASCII")))?;
        Ok(Self { namespace: Some(value), ..self.clone() })
    }

    /// The same connection, sending `deadline` with every call (the daemon stops the call when it passes
    /// and answers DEADLINE_EXCEEDED).
    pub fn with_deadline(&self, deadline: Option<std::time::Duration>) -> Self {
        Self { deadline, ..self.clone() }
    }

    pub(crate) fn req<T>(&self, msg: T) -> Request<T> {
        let mut r = Request::new(msg);
        if let Some(ns) = &self.namespace {
            r.metadata_mut().insert(imaged_proto::NAMESPACE_HEADER, ns.clone());
        }
        if let Some(d) = self.deadline {
            r.set_timeout(d);
        }
        r
    }

    pub fn images(&self) -> ImagesClient<Channel> {
        ImagesClient::new(self.channel.clone()).max_decoding_message_size(64 << 20)
    }

    pub fn archives(&self) -> ArchivesClient<Channel> {
        ArchivesClient::new(self.channel.clone())
    }

    pub fn builds(&self) -> BuildsClient<Channel> {
        BuildsClient::new(self.channel.clone())
    }

    pub fn containers(&self) -> ContainersClient<Channel> {
        ContainersClient::new(self.channel.clone())
    }

    pub fn registries(&self) -> RegistriesClient<Channel> {
        RegistriesClient::new(self.channel.clone())
    }

    /// Images, newest first (`docker image ls`).
    pub async fn list(&self, all: bool, filters: Vec<(String, String)>) -> Result<Vec<pb::ImageSummary>, ClientError> {
        let r = self.images().list(self.req(pb::ListImagesRequest { all, filters: pairs(filters) })).await?;
        Ok(r.into_inner().images)
    }

    /// One image in detail; `fields` limits the heavy parts (empty = all).
    pub async fn inspect(&self, image: &str, fields: Vec<String>) -> Result<pb::ImageDetails, ClientError> {
        self.inspect_platform(image, fields, "").await
    }

    /// As [`Client::inspect`], for one platform of an image that came as an index ("" = the one in use).
    pub async fn inspect_platform(
        &self,
        image: &str,
        fields: Vec<String>,
        platform: &str,
    ) -> Result<pb::ImageDetails, ClientError> {
        let req = pb::InspectImageRequest { image: image.into(), fields, platform: platform.into() };
        let r = self.images().inspect(self.req(req)).await?;
        r.into_inner().image.ok_or_else(|| ClientError::Protocol("Inspect answered without an image".into()))
    }

    /// History rows, newest first.
    pub async fn history(&self, image: &str) -> Result<Vec<pb::HistoryEntry>, ClientError> {
        self.history_platform(image, "").await
    }

    /// As [`Client::history`], for one platform of an image that came as an index.
    pub async fn history_platform(&self, image: &str, platform: &str) -> Result<Vec<pb::HistoryEntry>, ClientError> {
        let req = pb::HistoryRequest { image: image.into(), platform: platform.into() };
        Ok(self.images().history(self.req(req)).await?.into_inner().entries)
    }

    pub async fn tag(&self, source: &str, target: &str) -> Result<pb::TagResponse, ClientError> {
        Ok(self
            .images()
            .tag(self.req(pb::TagRequest { source: source.into(), target: target.into() }))
            .await?
            .into_inner())
    }

    pub async fn remove(
        &self,
        image: &str,
        force: bool,
        no_prune: bool,
    ) -> Result<pb::RemoveImageResponse, ClientError> {
        self.remove_platform(image, force, no_prune, "").await
    }

    /// As [`Client::remove`]; with a platform, removes only that platform of an image that came as an index.
    pub async fn remove_platform(
        &self,
        image: &str,
        force: bool,
        no_prune: bool,
        platform: &str,
    ) -> Result<pb::RemoveImageResponse, ClientError> {
        let req = pb::RemoveImageRequest { image: image.into(), force, no_prune, platform: platform.into() };
        Ok(self.images().remove(self.req(req)).await?.into_inner())
    }

    pub async fn prune(
        &self,
        all: bool,
        filters: Vec<(String, String)>,
    ) -> Result<pb::PruneImagesResponse, ClientError> {
        Ok(self.images().prune(self.req(pb::PruneImagesRequest { all, filters: pairs(filters) })).await?.into_inner())
    }

    pub async fn disk_usage(&self) -> Result<pb::DiskUsageResponse, ClientError> {
        Ok(self.images().disk_usage(self.req(pb::DiskUsageRequest {})).await?.into_inner())
    }

    /// Imports a root filesystem tar (plain, gzip or zstd) read from `reader`, streamed in 1 MiB chunks.
    pub async fn import<R: AsyncRead + Send + Unpin + 'static>(
        &self,
        options: pb::ImportOptions,
        reader: R,
    ) -> Result<pb::ImportResult, ClientError> {
        let first = pb::ImportRequest { part: Some(pb::import_request::Part::Options(options)) };
        let (stream, feeder) =
            upload(first, reader, |data| pb::ImportRequest { part: Some(pb::import_request::Part::Data(data)) });
        let result = self.collect_import(self.archives().import(self.req(stream)).await).await;
        finish_upload(feeder).await?;
        result
    }

    /// Imports a tar that is a file on the daemon's side (no bytes cross the connection).
    pub async fn import_path(
        &self,
        mut options: pb::ImportOptions,
        path: &Path,
    ) -> Result<pb::ImportResult, ClientError> {
        options.path = path.to_string_lossy().into_owned();
        let first = pb::ImportRequest { part: Some(pb::import_request::Part::Options(options)) };
        let stream = tokio_stream::iter(vec![first]);
        self.collect_import(self.archives().import(self.req(stream)).await).await
    }

    /// Saves images into one archive written to `out` as it streams; returns the archive size.
    pub async fn save<W: AsyncWrite + Unpin>(
        &self,
        images: Vec<String>,
        format: pb::ArchiveFormat,
        platform: Option<String>,
        out: &mut W,
    ) -> Result<u64, ClientError> {
        let req = pb::SaveRequest {
            images,
            format: format as i32,
            platform: platform.unwrap_or_default(),
            ..Default::default()
        };
        let mut stream = self.archives().save(self.req(req)).await?.into_inner();
        let mut written = 0u64;
        while let Some(msg) = stream.message().await? {
            if msg.offset as u64 != written && !msg.data.is_empty() {
                return Err(ClientError::Protocol(format!(
                    "save chunk at offset {} after {written} bytes",
                    msg.offset
                )));
            }
            out.write_all(&msg.data).await?;
            written += msg.data.len() as u64;
        }
        out.flush().await?;
        Ok(written)
    }

    /// Saves images into an archive the daemon writes at `path` on its side; returns the archive size.
    pub async fn save_path(
        &self,
        images: Vec<String>,
        format: pb::ArchiveFormat,
        path: &Path,
    ) -> Result<u64, ClientError> {
        let req = pb::SaveRequest {
            images,
            format: format as i32,
            path: path.to_string_lossy().into_owned(),
            ..Default::default()
        };
        let mut stream = self.archives().save(self.req(req)).await?.into_inner();
        let mut total = 0;
        while let Some(msg) = stream.message().await? {
            total = msg.total_size as u64;
        }
        Ok(total)
    }

    /// Loads an archive read from `reader` (any format `docker load` reads, plain, gzip or zstd).
    pub async fn load<R: AsyncRead + Send + Unpin + 'static>(
        &self,
        reader: R,
    ) -> Result<Vec<pb::LoadedImage>, ClientError> {
        let first = pb::LoadRequest { part: Some(pb::load_request::Part::Options(pb::LoadOptions::default())) };
        let (stream, feeder) =
            upload(first, reader, |data| pb::LoadRequest { part: Some(pb::load_request::Part::Data(data)) });
        let result = self.collect_load(self.archives().load(self.req(stream)).await).await;
        finish_upload(feeder).await?;
        result
    }

    /// Loads an archive that is a file on the daemon's side.
    pub async fn load_path(&self, path: &Path) -> Result<Vec<pb::LoadedImage>, ClientError> {
        let options = pb::LoadOptions { path: path.to_string_lossy().into_owned(), quiet: false };
        let stream = tokio_stream::iter(vec![pb::LoadRequest { part: Some(pb::load_request::Part::Options(options)) }]);
        self.collect_load(self.archives().load(self.req(stream)).await).await
    }

    async fn collect_load(
        &self,
        resp: Result<tonic::Response<tonic::Streaming<pb::LoadResponse>>, tonic::Status>,
    ) -> Result<Vec<pb::LoadedImage>, ClientError> {
        let mut stream = resp?.into_inner();
        let mut out = Vec::new();
        while let Some(msg) = stream.message().await? {
            if let Some(pb::load_response::Event::Loaded(l)) = msg.event {
                out.push(l);
            }
        }
        Ok(out)
    }

    /// Pulls a reference; `on_progress` sees every progress event. Returns one result per pulled tag.
    pub async fn pull(
        &self,
        reference: &str,
        all_tags: bool,
        platform: Option<String>,
        auth: Option<pb::AuthConfig>,
        on_progress: impl FnMut(&pb::Progress),
    ) -> Result<Vec<pb::PullResult>, ClientError> {
        let req = pb::PullRequest {
            reference: reference.into(),
            all_tags,
            platform: platform.unwrap_or_default(),
            all_platforms: false,
            auth,
        };
        self.pull_with(req, on_progress).await
    }

    /// Pulls with every option of the request (`all_platforms`, …).
    pub async fn pull_with(
        &self,
        req: pb::PullRequest,
        mut on_progress: impl FnMut(&pb::Progress),
    ) -> Result<Vec<pb::PullResult>, ClientError> {
        let mut stream = self.images().pull(self.req(req)).await?.into_inner();
        let mut out = Vec::new();
        while let Some(msg) = stream.message().await? {
            match msg.event {
                Some(pb::pull_response::Event::Progress(p)) => on_progress(&p),
                Some(pb::pull_response::Event::Result(r)) => out.push(r),
                None => {}
            }
        }
        Ok(out)
    }

    /// Verifies the daemon's store against its index; with `repair`, removes what is broken.
    pub async fn check(&self, repair: bool, quick: bool) -> Result<pb::CheckResponse, ClientError> {
        Ok(self.images().check(self.req(pb::CheckRequest { repair, quick })).await?.into_inner())
    }

    /// Pushes a reference (or every local tag of its repository).
    pub async fn push(
        &self,
        reference: &str,
        all_tags: bool,
        auth: Option<pb::AuthConfig>,
        on_progress: impl FnMut(&pb::Progress),
    ) -> Result<Vec<pb::PushResult>, ClientError> {
        let req = pb::PushRequest { reference: reference.into(), all_tags, auth, platform: String::new() };
        self.push_with(req, on_progress).await
    }

    /// Pushes with every option of the request (`platform`, …).
    pub async fn push_with(
        &self,
        req: pb::PushRequest,
        mut on_progress: impl FnMut(&pb::Progress),
    ) -> Result<Vec<pb::PushResult>, ClientError> {
        let mut stream = self.images().push(self.req(req)).await?.into_inner();
        let mut out = Vec::new();
        while let Some(msg) = stream.message().await? {
            match msg.event {
                Some(pb::push_response::Event::Progress(p)) => on_progress(&p),
                Some(pb::push_response::Event::Result(r)) => out.push(r),
                None => {}
            }
        }
        Ok(out)
    }

    /// Searches a registry (`host/term`, or Docker Hub). The response says which API was used.
    pub async fn search(
        &self,
        term: &str,
        limit: i32,
        filters: Vec<(String, String)>,
    ) -> Result<pb::SearchResponse, ClientError> {
        let req = pb::SearchRequest { term: term.into(), limit, filters: pairs(filters), auth: None };
        Ok(self.images().search(self.req(req)).await?.into_inner())
    }

    /// Checks credentials against the registry and stores them in the daemon.
    pub async fn login(&self, server: &str, username: &str, password: &str) -> Result<String, ClientError> {
        let req = pb::LoginRequest { server: server.into(), username: username.into(), password: password.into() };
        Ok(self.registries().login(self.req(req)).await?.into_inner().status)
    }

    pub async fn logout(&self, server: &str) -> Result<String, ClientError> {
        Ok(self.registries().logout(self.req(pb::LogoutRequest { server: server.into() })).await?.into_inner().status)
    }

    /// Registries with stored credentials (user names only).
    pub async fn logins(&self) -> Result<Vec<pb::RegistryLogin>, ClientError> {
        Ok(self.registries().list(self.req(pb::ListRegistriesRequest {})).await?.into_inner().registries)
    }

    async fn collect_import(
        &self,
        resp: Result<tonic::Response<tonic::Streaming<pb::ImportResponse>>, tonic::Status>,
    ) -> Result<pb::ImportResult, ClientError> {
        let mut stream = resp?.into_inner();
        while let Some(msg) = stream.message().await? {
            if let Some(pb::import_response::Event::Result(r)) = msg.event {
                return Ok(r);
            }
        }
        Err(ClientError::Protocol("Import ended without a result".into()))
    }
}
