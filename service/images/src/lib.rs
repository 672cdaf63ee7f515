//! The imaged engine: every image operation, over the blob store and the index.
//!
//! All methods are async and move blocking work (sled, files, hashing, compression) to blocking threads.
//! GC safety: creating an image (commit blobs, then one index transaction) holds `gc` for reading; deleting
//! blobs whose count reached zero holds it for writing and re-checks the count and the leases first. So a
//! blob is never deleted between an operation committing it and the index referencing it.

mod archive;
mod build;
mod changes;
mod check;
mod config;
mod containers;
mod credentials;
mod download;
mod error;
mod filters;
mod gc;
mod import;
mod inspect;
mod list;
mod platforms;
mod pull;
mod push;
mod remove;
mod resolve;
mod rooms;
mod rootfs;
mod search;
mod sizes;
mod tag;
mod usage;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, RwLock},
    time::{SystemTime, UNIX_EPOCH},
};

pub use archive::{ChunkWriter, LoadedImage};
pub use build::{BuildEvent, BuildOptions, BuildOutcome};
pub use changes::{Change, parse_change};
pub use check::{CheckReport, Problem};
pub use config::{ContainerConfigDoc, HealthcheckDoc, HistoryDoc, ImageConfigDoc};
pub use containers::{CommitOptions, ContainerInfo, ExecOptions};
pub use error::EngineError;
pub use imaged_archive::SaveFormat;
use imaged_core::Platform;
use imaged_index::Index;
pub use imaged_index::{ImageRecord, LayerRecord};
pub use imaged_registry::{Credentials, Registry};
use imaged_store::BlobStore;
pub use import::{Chunk, ChunkReader, ImportOptions, ImportOutcome, ImportSource, StreamBroken};
pub use inspect::{HistoryRow, ImageDetails};
pub use list::{ImageSummary, ListOptions};
pub use pull::{ProgressEvent, PullOptions, PullOutcome};
pub use push::PushOutcome;
pub use remove::{DeleteItem, RemoveOptions, RemoveOutcome};
pub use rooms::{Builds, Containers, Content, Images, Transfers};
pub use search::{SearchHit, SearchSource};
pub use sizes::PlatformImage;
pub use usage::{DiskUsage, ImageUsage};

/// Registry settings of the daemon's config file.
#[derive(Debug, Clone, Default)]
pub struct RegistryConfig {
    /// Hosts spoken to over plain HTTP (loopback ones always are).
    pub insecure: Vec<String>,
    /// Registry host → mirror endpoints (`http://host:port` for plain HTTP, or `host:port`).
    pub mirrors: std::collections::HashMap<String, Vec<String>>,
    /// Blobs downloaded at once per pull (default 4).
    pub max_concurrent_downloads: Option<usize>,
    /// Per registry host: blobs downloaded at once (overrides `max_concurrent_downloads`).
    pub concurrency: std::collections::HashMap<String, usize>,
    /// A registry silent this long mid-request fails it (default 60 s).
    pub read_timeout: Option<std::time::Duration>,
    /// Push blobs larger than this in chunks of this size (default: one request per blob).
    pub push_chunk_size: Option<u64>,
    /// Use the copying snapshotter even where overlayfs works (it is chosen anyway where it does not).
    pub force_copy_snapshots: bool,
}

/// Registry behaviour the engine applies per call.
#[derive(Debug, Clone, Default)]
pub(crate) struct RegistryOptions {
    pub max_concurrent_downloads: Option<usize>,
    pub concurrency: std::collections::HashMap<String, usize>,
    pub push_chunk_size: Option<u64>,
}

impl RegistryOptions {
    /// Blobs to download at once from `host`.
    pub fn downloads_for(&self, host: &str) -> usize {
        self.concurrency.get(host).copied().or(self.max_concurrent_downloads).unwrap_or(4).max(1)
    }
}

/// The engine. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    root: PathBuf,
    store: BlobStore,
    index: Index,
    gc: RwLock<()>,
    platform: Platform,
    registry: Registry,
    /// Pull mirrors per registry host, tried in order before the registry itself.
    mirrors: std::collections::HashMap<String, Vec<String>>,
    options: RegistryOptions,
    /// One lock per blob being downloaded: a second pull of the same blob waits and then finds it stored.
    inflight: std::sync::Mutex<std::collections::HashMap<imaged_core::Digest, Arc<tokio::sync::Mutex<()>>>>,
    /// Unpacked layers, shared by containers and builds.
    snapshots: imaged_build::snapshot::Snapshots,
    /// No overlayfs here (or disabled): workspaces are copies, diffs found by comparison.
    copy_snapshots: bool,
    /// One lock per container: commands in a container run one at a time.
    container_locks: std::sync::Mutex<std::collections::HashMap<String, Arc<std::sync::Mutex<()>>>>,
    /// Unpacked layer sizes seen so far (the index keeps them across restarts).
    unpacked: std::sync::Mutex<std::collections::HashMap<imaged_core::Digest, u64>>,
}

pub(crate) fn now_nanos() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}

/// Runs blocking work on the blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, EngineError>
where
    F: FnOnce() -> Result<T, EngineError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| EngineError::Task(e.to_string()))?
}

impl Engine {
    /// Opens the engine on `root` (creating `blobs/`, `ingest/`, `index/`, `tmp/`). Ingests of local
    /// operations that cannot resume (imports) and leases of a previous run are dropped.
    pub fn open(root: &Path) -> Result<Self, EngineError> {
        Self::open_with(root, Vec::new())
    }

    /// Opens the engine; `insecure` registries are spoken to over plain HTTP (loopback ones always are).
    pub fn open_with(root: &Path, insecure: Vec<String>) -> Result<Self, EngineError> {
        Self::open_configured(root, RegistryConfig { insecure, ..Default::default() })
    }

    /// Opens the engine with registry settings: insecure (plain HTTP) registries and pull mirrors.
    pub fn open_configured(root: &Path, config: RegistryConfig) -> Result<Self, EngineError> {
        let RegistryConfig {
            mut insecure,
            mirrors,
            max_concurrent_downloads,
            concurrency,
            read_timeout,
            push_chunk_size,
            force_copy_snapshots,
        } = config;
        let options = RegistryOptions { max_concurrent_downloads, concurrency, push_chunk_size };
        let mut mirror_hosts = std::collections::HashMap::new();
        for (registry, list) in mirrors {
            let mut hosts = Vec::new();
            for m in list {
                let plain = m.starts_with("http://");
                let host =
                    m.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/').to_owned();
                if plain {
                    insecure.push(host.clone());
                }
                hosts.push(host);
            }
            mirror_hosts.insert(registry, hosts);
        }
        std::fs::create_dir_all(root).map_err(|e| EngineError::Io { path: root.to_owned(), source: e })?;
        // Every path handed to runc, mount or the store is absolute: runc resolves a relative root inside the
        // bundle directory.
        let root = &root.canonicalize().map_err(|e| EngineError::Io { path: root.to_owned(), source: e })?;
        let store = BlobStore::open(root)?;
        let index = Index::open(&root.join("index"))?;
        for ingest in store.list_ingests()? {
            if !ingest.reference.starts_with("pull-") {
                store.abort(&ingest.reference)?;
            }
        }
        for lease in index.leases()? {
            index.delete_lease(&lease.id)?;
        }
        containers::unmount_leftovers(root);
        let snapshots = imaged_build::snapshot::Snapshots::open(&root.join("snapshots"))?;
        let copy_snapshots = force_copy_snapshots || !imaged_build::mount::overlay_supported(&root.join("snapshots"));
        if copy_snapshots {
            tracing::warn!("overlayfs unavailable or disabled: containers and builds copy their layers (slower)");
        }
        Ok(Self {
            inner: Arc::new(Inner {
                root: root.to_owned(),
                store,
                index,
                gc: RwLock::new(()),
                platform: Platform::current(),
                registry: Registry::with_read_timeout(
                    insecure,
                    read_timeout.unwrap_or(std::time::Duration::from_secs(60)),
                ),
                mirrors: mirror_hosts,
                options,
                inflight: Default::default(),
                snapshots,
                copy_snapshots,
                container_locks: Default::default(),
                unpacked: Default::default(),
            }),
        })
    }

    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    pub fn store(&self) -> &BlobStore {
        &self.inner.store
    }

    pub fn index(&self) -> &Index {
        &self.inner.index
    }

    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    pub(crate) fn snapshots(&self) -> &imaged_build::snapshot::Snapshots {
        &self.inner.snapshots
    }

    /// The platform images are made for by default.
    pub fn platform(&self) -> &Platform {
        &self.inner.platform
    }
}
