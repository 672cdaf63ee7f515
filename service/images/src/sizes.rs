//! Image sizes as Docker shows them: a layer's unpacked size (its files' bytes, computed once from the
//! blob and kept in the index and in memory) summed over an image's distinct layers. The stored
//! (compressed) size is the "content size" beside it.
use std::collections::HashSet;

use imaged_core::Digest;
use imaged_index::ImageRecord;

use crate::{Engine, EngineError};

impl Engine {
    /// The unpacked size of one layer blob. A blob that cannot be read as a layer counts its stored size
    /// (and is reported by `system check`).
    pub(crate) fn layer_unpacked_size(&self, blob: &Digest, stored: u64) -> Result<u64, EngineError> {
        if let Some(s) = self.inner.unpacked.lock().expect("size cache poisoned").get(blob) {
            return Ok(*s);
        }
        let size = match self.index().layer_size(blob)? {
            Some(s) => s,
            None => {
                let measured = self
                    .store()
                    .open_blob(blob)
                    .map_err(EngineError::from)
                    .and_then(|f| imaged_archive::unpacked_size(f).map_err(EngineError::from));
                match measured {
                    Ok(s) => {
                        self.index().put_layer_size(blob, s)?;
                        s
                    }
                    Err(e) => {
                        tracing::warn!(blob = %blob, error = %e, "cannot measure a layer; showing its stored size");
                        return Ok(stored);
                    }
                }
            }
        };
        self.inner.unpacked.lock().expect("size cache poisoned").insert(blob.clone(), size);
        Ok(size)
    }

    /// What Docker shows as an image's size: the unpacked size of its distinct layers.
    pub(crate) fn image_size(&self, r: &ImageRecord) -> Result<u64, EngineError> {
        self.layers_size(r.layers.iter().map(|l| (&l.digest, l.size)))
    }

    /// The unpacked size of distinct layers given as (blob, stored size).
    fn layers_size<'a>(&self, layers: impl Iterator<Item = (&'a Digest, u64)>) -> Result<u64, EngineError> {
        let mut seen = HashSet::new();
        let mut total = 0;
        for (digest, stored) in layers {
            if seen.insert(digest) {
                total += self.layer_unpacked_size(digest, stored)?;
            }
        }
        Ok(total)
    }

    /// Measures layers in the background, so that the first listing after a pull or load finds them
    /// measured; the transfer itself never waits for it.
    pub(crate) fn measure_later(&self, layers: Vec<(Digest, u64)>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let this = self.clone();
        runtime.spawn_blocking(move || {
            for (d, stored) in layers {
                let _ = this.layer_unpacked_size(&d, stored);
            }
        });
    }
}

/// One manifest of an image's index, as `images --tree` and `inspect` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformImage {
    /// `os/arch[/variant]`, `unknown/unknown` for attestations.
    pub platform: String,
    pub manifest: Digest,
    /// Its layers unpacked (0 when absent or not an image).
    pub size: u64,
    /// Its config and layers as stored (0 when absent).
    pub content_size: u64,
    pub attests: Option<Digest>,
    pub present: bool,
    /// The platform the image's id, size and config describe.
    pub in_use: bool,
}

impl Engine {
    /// Every manifest of the image's index, present or not; empty for a single-manifest image.
    pub(crate) fn platform_images(&self, r: &ImageRecord) -> Result<Vec<PlatformImage>, EngineError> {
        let Some(index) = &r.index else { return Ok(vec![]) };
        let entries: Vec<imaged_index::IndexEntry> = if index.entries.is_empty() {
            index
                .children
                .iter()
                .map(|c| imaged_index::IndexEntry {
                    digest: c.manifest.digest.clone(),
                    platform: c.platform.clone(),
                    attests: c.attests.clone(),
                })
                .collect()
        } else {
            index.entries.clone()
        };
        let mut out = Vec::new();
        for e in entries {
            let child = index.children.iter().find(|c| c.manifest.digest == e.digest);
            let platform = e.platform.clone().unwrap_or_else(|| "unknown/unknown".into());
            let runnable = e.attests.is_none() && !platform.starts_with("unknown/");
            let (mut size, mut content_size) = (0, 0);
            if let Some(c) = child {
                content_size = c.blobs.iter().map(|b| b.size).sum();
                if runnable {
                    size = self.layers_size(c.blobs.iter().skip(1).map(|l| (&l.digest, l.size)))?;
                }
            }
            out.push(PlatformImage {
                in_use: e.digest == r.manifest.digest,
                platform,
                manifest: e.digest,
                size,
                content_size,
                attests: e.attests,
                present: child.is_some(),
            });
        }
        Ok(out)
    }
}
