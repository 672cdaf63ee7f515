use std::{
    io::{self, Read},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use bytes::Bytes;
use imaged_archive::layer_from_rootfs;
use imaged_core::{Digest, Namespace, Platform, Reference, media_types};
use imaged_index::{DescriptorRecord, LayerRecord};
use oci_spec::image::{DescriptorBuilder, ImageManifestBuilder, MediaType};
use tokio::sync::mpsc;

use crate::{
    Change, ContainerConfigDoc, EngineError, HistoryDoc, ImageConfigDoc, Images, blocking,
    config::{RootFsDoc, format_time},
    now_nanos,
};

/// Options of an import (`docker import`).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Name for the image; `None` leaves it dangling.
    pub reference: Option<Reference>,
    /// History comment; default `Imported from -`.
    pub message: Option<String>,
    pub changes: Vec<Change>,
    /// Platform recorded in the config; default the daemon's.
    pub platform: Option<Platform>,
}

/// The image an import made.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub image_id: Digest,
    pub reference: Option<Reference>,
    pub layer: LayerRecord,
    pub tar_size: u64,
}

/// Why a chunk stream ended early. Sent as the last item: the reader fails instead of seeing an end of
/// input (never an in-band sentinel that `std::io::copy` could take for a retryable `Interrupted`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct StreamBroken(pub String);

/// One item of a chunk stream: data, or the reason the stream broke off.
pub type Chunk = Result<Bytes, StreamBroken>;

/// A blocking reader over a channel of byte chunks (the client's stream, a download). An `Err` item means
/// the producer broke off: reading fails with `ConnectionAborted` and the caller reports `Cancelled` or
/// keeps its partial data. Dropping every sender after the last chunk is the end of input.
pub struct ChunkReader {
    rx: mpsc::Receiver<Chunk>,
    cur: Bytes,
    cancelled: Arc<AtomicBool>,
}

impl ChunkReader {
    /// Returns the reader and the sender that feeds it.
    pub fn channel(depth: usize) -> (mpsc::Sender<Chunk>, Self) {
        let (tx, rx) = mpsc::channel(depth);
        (tx, Self { rx, cur: Bytes::new(), cancelled: Arc::default() })
    }

    fn cancelled_flag(&self) -> Arc<AtomicBool> {
        self.cancelled.clone()
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.cur.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.cur = b,
                Some(Err(broken)) => {
                    self.cancelled.store(true, Ordering::SeqCst);
                    return Err(io::Error::new(io::ErrorKind::ConnectionAborted, broken));
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len());
        buf[..n].copy_from_slice(&self.cur.split_to(n));
        Ok(n)
    }
}

/// Input of an import or load: the client's stream, or a file on the daemon's side.
pub enum ImportSource {
    Stream(ChunkReader),
    File(std::fs::File),
}

impl ImportSource {
    /// A reader, and the flag that tells a client cancellation from bad input.
    pub(crate) fn into_reader(self) -> (Box<dyn Read>, Option<Arc<AtomicBool>>) {
        match self {
            Self::Stream(r) => {
                let flag = r.cancelled_flag();
                (Box::new(r), Some(flag))
            }
            Self::File(f) => (Box::new(f), None),
        }
    }
}

impl Images {
    /// Turns a root filesystem tar into a one-layer image (gzip layer, OCI config and manifest).
    pub async fn import(
        &self,
        ns: &Namespace,
        opts: ImportOptions,
        source: ImportSource,
    ) -> Result<ImportOutcome, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        blocking(move || this.import_blocking(&ns, opts, source)).await
    }

    fn import_blocking(
        &self,
        ns: &Namespace,
        opts: ImportOptions,
        source: ImportSource,
    ) -> Result<ImportOutcome, EngineError> {
        let store = self.store();
        let ingest_ref = format!("import-{:032x}", rand::random::<u128>());
        let writer = store.writer(&ingest_ref)?;
        let (reader, cancelled) = source.into_reader();
        let result = layer_from_rootfs(reader, writer);
        let (stats, writer) = match result {
            Ok(v) => v,
            Err(e) => {
                let _ = store.abort(&ingest_ref);
                if cancelled.is_some_and(|c| c.load(Ordering::SeqCst)) {
                    return Err(EngineError::Cancelled);
                }
                return Err(e.into());
            }
        };

        let now = now_nanos();
        let created = format_time(now);
        let platform = opts.platform.clone().unwrap_or_else(|| self.platform().clone());
        let mut container = ContainerConfigDoc::default();
        for c in &opts.changes {
            c.apply(&mut container);
        }
        let config = ImageConfigDoc {
            created: Some(created.clone()),
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            variant: platform.variant.clone(),
            config: Some(container),
            rootfs: RootFsDoc { kind: "layers".into(), diff_ids: vec![stats.diff_id.to_string()] },
            history: vec![HistoryDoc {
                created: Some(created),
                comment: Some(opts.message.clone().unwrap_or_else(|| "Imported from -".into())),
                ..Default::default()
            }],
            ..Default::default()
        };
        let _gc = self.inner.gc.read().expect("gc lock poisoned");
        let layer = writer.commit(None, None)?;
        let layer = LayerRecord {
            media_type: media_types::OCI_LAYER_GZIP.into(),
            digest: layer.digest,
            size: layer.size,
            diff_id: stats.diff_id,
        };
        self.index().put_layer_size(&layer.digest, stats.unpacked_size)?;
        let names: Vec<String> = opts.reference.iter().map(|r| r.to_string()).collect();
        let record = self.store_image_blocking(ns, &config, vec![layer.clone()], &names, None)?;
        let config_digest = record.id;
        tracing::info!(namespace = %ns, image = %config_digest, bytes = stats.tar_size, "imported image");
        Ok(ImportOutcome { image_id: config_digest, reference: opts.reference, layer, tar_size: stats.tar_size })
    }
}

/// An OCI image manifest for a config and layers.
pub(crate) fn manifest_json(config: &DescriptorRecord, layers: &[LayerRecord]) -> Result<Vec<u8>, EngineError> {
    let desc = |media: MediaType, digest: &Digest, size: u64| {
        DescriptorBuilder::default()
            .media_type(media)
            .digest(digest.to_string().parse::<oci_spec::image::Digest>().expect("valid digest"))
            .size(size)
            .build()
            .expect("descriptor fields set")
    };
    let manifest = ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageManifest)
        .config(desc(MediaType::ImageConfig, &config.digest, config.size))
        .layers(
            layers.iter().map(|l| desc(MediaType::from(l.media_type.as_str()), &l.digest, l.size)).collect::<Vec<_>>(),
        )
        .build()
        .expect("manifest fields set");
    Ok(serde_json::to_vec(&manifest).expect("manifest serialises"))
}
