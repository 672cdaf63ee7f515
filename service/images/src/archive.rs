//! Save and load of image archives, over the store and the index.
use std::{
    collections::HashSet,
    io::{self, Read, Write},
};

use bytes::Bytes;
use imaged_archive::{BlobSink, BlobSource, PlannedImage, SaveFormat, SaveImage, plan, read_archive, write_archive};
use imaged_core::{Digest, ImageRef, Namespace, Reference, media_types};
use imaged_index::{DescriptorRecord, LayerRecord, Lease};
use tokio::sync::mpsc;

use crate::{Engine, EngineError, ImageConfigDoc, Images, ImportSource, blocking, import::manifest_json, now_nanos};

/// A blocking writer that sends its bytes as chunks of at most `chunk` bytes; fails once the receiver is gone.
pub struct ChunkWriter {
    tx: mpsc::Sender<Bytes>,
    buf: Vec<u8>,
    chunk: usize,
}

impl ChunkWriter {
    pub fn new(tx: mpsc::Sender<Bytes>, chunk: usize) -> Self {
        Self { tx, buf: Vec::with_capacity(chunk), chunk }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let data = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(self.chunk)));
        self.tx.blocking_send(data).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(self.chunk - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == self.chunk {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// What to write for one image: its whole index (the manifests of it present here), or with `platform`
/// that platform's manifest alone.
fn save_image(
    r: &imaged_index::ImageRecord,
    platform: Option<&imaged_core::Platform>,
    input: &str,
) -> Result<SaveImage, EngineError> {
    let descriptor =
        |d: &DescriptorRecord| imaged_core::Descriptor::new(d.media_type.clone(), d.digest.clone(), d.size);
    let own = SaveImage {
        names: vec![],
        top: descriptor(&r.manifest),
        blobs: vec![],
        config: r.id.clone(),
        layers: r.layers.iter().map(|l| l.digest.clone()).collect(),
    };
    match (&r.index, platform) {
        (None, None) => Ok(own),
        (None, Some(p)) => {
            crate::platforms::require_in_use(r, p, input)?;
            Ok(own)
        }
        (Some(index), None) => Ok(SaveImage {
            top: descriptor(&index.descriptor),
            blobs: index
                .children
                .iter()
                .flat_map(|c| {
                    std::iter::once(c.manifest.digest.clone()).chain(c.blobs.iter().map(|b| b.digest.clone()))
                })
                .collect(),
            ..own
        }),
        (Some(index), Some(p)) => {
            let child = crate::platforms::present_child(index, p, input)?;
            let (config, layers) = crate::platforms::config_and_layers(child)?;
            Ok(SaveImage {
                names: vec![],
                top: descriptor(&child.manifest),
                blobs: vec![],
                config: config.digest.clone(),
                layers: layers.iter().map(|l| l.digest.clone()).collect(),
            })
        }
    }
}

/// An image the load stored.
#[derive(Debug, Clone)]
pub struct LoadedImage {
    pub id: Digest,
    pub names: Vec<Reference>,
}

struct StoreSource<'a>(&'a Engine);

impl BlobSource for StoreSource<'_> {
    fn open(&self, digest: &Digest) -> io::Result<(Box<dyn Read + '_>, u64)> {
        let f = self.0.store().open_blob(digest).map_err(|e| io::Error::new(io::ErrorKind::NotFound, e.to_string()))?;
        let size = f.metadata()?.len();
        Ok((Box::new(io::BufReader::with_capacity(1 << 20, f)), size))
    }
}

/// Stores archive files as blobs, holding each under the load's lease.
struct StoreSink<'a> {
    engine: &'a Engine,
    lease: Lease,
    n: usize,
}

impl StoreSink<'_> {
    fn hold(&mut self, digest: &Digest) -> io::Result<()> {
        if !self.lease.blobs.contains(digest) {
            self.lease.blobs.push(digest.clone());
            self.engine.index().put_lease(&self.lease).map_err(io::Error::other)?;
        }
        Ok(())
    }
}

impl BlobSink for StoreSink<'_> {
    fn store(&mut self, data: &mut dyn Read) -> io::Result<Digest> {
        self.n += 1;
        let reference = format!("{}-{}", self.lease.id, self.n);
        let mut w = self.engine.store().writer(&reference).map_err(io::Error::other)?;
        if let Err(e) = io::copy(data, &mut w) {
            drop(w);
            let _ = self.engine.store().abort(&reference);
            return Err(e);
        }
        let _gc = self.engine.inner.gc.read().expect("gc lock poisoned");
        let committed = w.commit(None, None).map_err(io::Error::other)?;
        self.hold(&committed.digest)?;
        Ok(committed.digest)
    }
}

impl Images {
    /// Writes `images` (references, ids or prefixes) as one archive into `out`. Blobs are held by a lease
    /// while they are copied.
    pub async fn save<W: Write + Send + 'static>(
        &self,
        ns: &Namespace,
        images: Vec<ImageRef>,
        format: SaveFormat,
        platform: Option<imaged_core::Platform>,
        out: W,
    ) -> Result<W, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        blocking(move || {
            let mut list: Vec<SaveImage> = Vec::new();
            for input in &images {
                let resolved = this.resolve_blocking(&ns, input)?;
                let r = resolved.record;
                let image = save_image(&r, platform.as_ref(), &input.to_string())?;
                let names: Vec<Reference> = match resolved.by_name {
                    Some(n) => vec![n],
                    None => r.repo_tags.iter().filter_map(|t| Reference::parse_normalized(t).ok()).collect(),
                };
                match list.iter_mut().find(|s| s.top.digest == image.top.digest) {
                    Some(s) => {
                        for n in names {
                            if !s.names.contains(&n) {
                                s.names.push(n);
                            }
                        }
                    }
                    None => list.push(SaveImage { names, ..image }),
                }
            }
            let lease = Lease {
                id: format!("save-{:032x}", rand::random::<u128>()),
                created: now_nanos(),
                blobs: list
                    .iter()
                    .flat_map(|s| {
                        [s.top.digest.clone(), s.config.clone()]
                            .into_iter()
                            .chain(s.blobs.clone())
                            .chain(s.layers.clone())
                    })
                    .collect(),
            };
            this.index().put_lease(&lease)?;
            let result = write_archive(out, &list, &StoreSource(&this), format);
            this.index().delete_lease(&lease.id)?;
            let mut out = result.map_err(|source| EngineError::Io { path: "archive".into(), source })?;
            out.flush().map_err(|source| EngineError::Io { path: "archive".into(), source })?;
            Ok(out)
        })
        .await
    }

    /// Loads an archive (docker save legacy or 25+, OCI layout, skopeo; plain, gzip or zstd). Nothing becomes
    /// visible unless every image of the archive checks out.
    pub async fn load(&self, ns: &Namespace, source: ImportSource) -> Result<Vec<LoadedImage>, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        blocking(move || {
            let lease =
                Lease { id: format!("load-{:032x}", rand::random::<u128>()), created: now_nanos(), blobs: vec![] };
            let mut sink = StoreSink { engine: &this, lease, n: 0 };
            let (reader, cancelled) = source.into_reader();
            let result = read_archive(reader, &mut sink)
                .map_err(|e| {
                    if cancelled.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst)) {
                        EngineError::Cancelled
                    } else {
                        e.into()
                    }
                })
                .and_then(|contents| Ok(plan(&contents, this.platform())?))
                .and_then(|planned| this.store_planned(&ns, planned, &mut sink));
            let held = sink.lease.blobs.clone();
            this.index().delete_lease(&sink.lease.id)?;
            // Whatever the archive held that no image uses (or everything, on failure) goes again.
            this.collect(&held)?;
            result
        })
        .await
    }

    fn store_planned(
        &self,
        ns: &Namespace,
        planned: Vec<PlannedImage>,
        sink: &mut StoreSink<'_>,
    ) -> Result<Vec<LoadedImage>, EngineError> {
        let invalid =
            |reason: String| EngineError::Archive(imaged_archive::ArchiveError::InvalidArchive { entry: None, reason });
        let mut records = Vec::new();
        for p in planned {
            let config = ImageConfigDoc::parse(&p.config_bytes)
                .map_err(|e| invalid(format!("config {} is not an image config: {e}", p.config)))?;
            if config.rootfs.diff_ids.len() != p.layers.len() {
                return Err(invalid(format!(
                    "image {} lists {} diff ids for {} layers",
                    p.config,
                    config.rootfs.diff_ids.len(),
                    p.layers.len()
                )));
            }
            let mut layers = Vec::new();
            for (l, diff) in p.layers.iter().zip(&config.rootfs.diff_ids) {
                let diff_id = Digest::parse(diff).map_err(|e| invalid(format!("diff id {diff:?}: {e}")))?;
                if l.media_type.ends_with(".tar") && l.digest != diff_id {
                    return Err(invalid(format!(
                        "layer {} does not match diff id {diff_id} of config {}",
                        l.digest, p.config
                    )));
                }
                layers.push(LayerRecord {
                    media_type: l.media_type.clone(),
                    digest: l.digest.clone(),
                    size: l.size,
                    diff_id,
                });
            }
            let docker = p.manifest.as_ref().is_some_and(|m| m.media_type == media_types::DOCKER_MANIFEST);
            let config_desc = DescriptorRecord {
                media_type: if docker { media_types::DOCKER_CONFIG } else { media_types::OCI_CONFIG }.into(),
                digest: p.config.clone(),
                size: p.config_size,
            };
            let manifest = match &p.manifest {
                Some(m) => DescriptorRecord::from(m),
                None => {
                    let bytes = manifest_json(&config_desc, &layers)?;
                    let _gc = self.inner.gc.read().expect("gc lock poisoned");
                    let c = self.store().write_blob(&bytes, None)?;
                    sink.hold(&c.digest).map_err(|source| EngineError::Io { path: "lease".into(), source })?;
                    DescriptorRecord { media_type: media_types::OCI_MANIFEST.into(), digest: c.digest, size: c.size }
                }
            };
            let now = now_nanos();
            let mut record = config.record(manifest, config_desc, layers, now);
            record.index = p.index.map(|i| imaged_index::IndexRecord {
                entries: i.entries.iter().map(imaged_index::IndexEntry::of).collect(),
                descriptor: DescriptorRecord::from(&i.descriptor),
                children: i
                    .children
                    .iter()
                    .map(|c| imaged_index::ChildRecord {
                        manifest: DescriptorRecord {
                            media_type: c.manifest_media_type.clone(),
                            digest: c.descriptor.digest.clone(),
                            size: c.descriptor.size,
                        },
                        platform: c.descriptor.platform.as_ref().map(ToString::to_string),
                        attests: c.descriptor.attests(),
                        blobs: c.blobs.iter().map(DescriptorRecord::from).collect(),
                    })
                    .collect(),
            });
            records.push((record, p.config_bytes, p.names));
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (record, config_bytes, names) in records {
            let strings: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            let now = now_nanos();
            self.index().touch_namespace(ns, now)?;
            self.index().put_image(ns, &record, &config_bytes, &strings, now)?;
            self.measure_later(record.layers.iter().map(|l| (l.digest.clone(), l.size)).collect());
            if seen.insert(record.id.clone()) {
                out.push(LoadedImage { id: record.id, names });
            }
        }
        Ok(out)
    }
}
