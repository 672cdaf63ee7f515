//! Root file systems made from images, shared by containers and builds: snapshots of layers, writable
//! overlay workspaces, their diffs stored as layer blobs, and new images written from a config and layers.

use std::path::{Path, PathBuf};

use imaged_build::{
    diff::diff_upper,
    mount::{OverlayMount, mount_overlay},
    snapshot::remove_all,
};
use imaged_core::{Digest, Namespace, media_types};
use imaged_index::{DescriptorRecord, ImageRecord, LayerRecord};

use crate::{Engine, EngineError, ImageConfigDoc, import::manifest_json, now_nanos};

/// A writable root: an overlay of layer snapshots with a private upper directory, in `dir`; or, without
/// overlayfs, a plain copy of the layers whose changes are found by comparison when it is "unmounted".
pub(crate) struct Workspace {
    pub dir: PathBuf,
    pub mount: Option<OverlayMount>,
    /// Copy mode: the lower directories (topmost first) the copy was made from.
    copied_from: Option<Vec<PathBuf>>,
}

impl Workspace {
    pub fn merged(&self) -> PathBuf {
        self.dir.join("merged")
    }

    pub fn upper(&self) -> PathBuf {
        self.dir.join("upper")
    }

    /// Unmounts the overlay (nothing to do for a copy).
    pub fn unmount(&mut self) -> Result<(), EngineError> {
        if let Some(m) = self.mount.take() {
            m.unmount()?;
        }
        Ok(())
    }

    /// Unmounts and makes sure the upper directory holds the changes, for
    /// [`Engine::store_diff_blocking`]: an overlay wrote it already; for a copy it is computed now by
    /// comparing with a fresh copy of the layers.
    pub fn finish(&mut self) -> Result<(), EngineError> {
        self.unmount()?;
        if let Some(lowers) = &self.copied_from {
            let (base, upper) = (self.dir.join("base"), self.upper());
            remove_all(&base)?;
            remove_all(&upper)?;
            imaged_build::copyfs::materialize(lowers, &base)?;
            let diff = imaged_build::copyfs::naive_diff(&base, &self.merged(), &upper);
            remove_all(&base)?;
            diff?;
        }
        Ok(())
    }

    /// Unmounts and removes everything.
    pub fn discard(mut self) {
        let _ = self.unmount();
        let _ = remove_all(&self.dir);
    }
}

impl Engine {
    /// The OCI runtime (runc or crun) that RUN steps and `container exec` use, with its state under the root.
    pub(crate) fn runtime(&self) -> Result<imaged_build::runtime::Runtime, EngineError> {
        Ok(imaged_build::runtime::Runtime::find(&self.root().join("runc"))?)
    }

    /// Lower directories (topmost first) for `layers` (base first), unpacking any layer not unpacked yet.
    pub(crate) fn lowers_blocking(&self, layers: &[LayerRecord]) -> Result<Vec<PathBuf>, EngineError> {
        let snaps = self.snapshots();
        let mut out = Vec::with_capacity(layers.len() + 1);
        for l in layers.iter().rev() {
            if !snaps.exists(&l.diff_id) {
                let blob = self.store().open_blob(&l.digest)?;
                snaps.unpack(&l.diff_id, std::io::BufReader::new(blob))?;
            }
            out.push(snaps.path(&l.diff_id));
        }
        if out.is_empty() {
            out.push(snaps.empty());
        }
        Ok(out)
    }

    /// Mounts a writable root of `layers` (plus the runtime's mount points when `init`) in a new
    /// workspace directory, or in `dir` when given (a container's, whose upper survives between uses).
    pub(crate) fn workspace_blocking(
        &self,
        layers: &[LayerRecord],
        init: bool,
        dir: Option<&Path>,
    ) -> Result<Workspace, EngineError> {
        let mut lowers = self.lowers_blocking(layers)?;
        if init {
            lowers.insert(0, self.snapshots().init());
        }
        let dir = match dir {
            Some(d) => d.to_owned(),
            None => self.snapshots().temp_dir()?,
        };
        let (upper, work) = (dir.join("upper"), dir.join("work"));
        for d in [&upper, &work] {
            std::fs::create_dir_all(d).map_err(|e| EngineError::Io { path: d.clone(), source: e })?;
        }
        if self.inner.copy_snapshots {
            let merged = dir.join("merged");
            // A container's copy persists between commands; a fresh workspace gets one now.
            if !dir.join("merged.imaged-complete").exists() {
                remove_all(&merged)?;
                imaged_build::copyfs::materialize(&lowers, &merged)?;
                std::fs::write(dir.join("merged.imaged-complete"), b"")
                    .map_err(|e| EngineError::Io { path: dir.clone(), source: e })?;
            }
            return Ok(Workspace { dir, mount: None, copied_from: Some(lowers) });
        }
        let mount = mount_overlay(&lowers, Some((&upper, &work)), &dir.join("merged"));
        match mount {
            Ok(m) => Ok(Workspace { dir, mount: Some(m), copied_from: None }),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores the changes in `upper` as a gzip layer blob.
    pub(crate) fn store_diff_blocking(&self, upper: &Path) -> Result<(LayerRecord, u64), EngineError> {
        let store = self.store();
        let reference = format!("diff-{:032x}", rand::random::<u128>());
        let writer = store.writer(&reference)?;
        let (stats, writer) = match diff_upper(upper, writer) {
            Ok(v) => v,
            Err(e) => {
                let _ = store.abort(&reference);
                return Err(e.into());
            }
        };
        let blob = writer.commit(None, None)?;
        let layer = LayerRecord {
            media_type: media_types::OCI_LAYER_GZIP.into(),
            digest: blob.digest,
            size: blob.size,
            diff_id: stats.diff_id,
        };
        self.measure_later(vec![(layer.digest.clone(), layer.size)]);
        Ok((layer, stats.entries))
    }

    /// Writes config and manifest blobs for `config` and `layers` and records the image under `names`.
    /// The caller holds the GC lock (read) or a lease over the layer blobs.
    pub(crate) fn store_image_blocking(
        &self,
        ns: &Namespace,
        config: &ImageConfigDoc,
        layers: Vec<LayerRecord>,
        names: &[String],
        parent: Option<Digest>,
    ) -> Result<ImageRecord, EngineError> {
        let store = self.store();
        let config_json = serde_json::to_vec(config).expect("config serialises");
        let config_digest = Digest::of(&config_json);
        let config_desc = DescriptorRecord {
            media_type: media_types::OCI_CONFIG.into(),
            digest: config_digest.clone(),
            size: config_json.len() as u64,
        };
        let manifest = manifest_json(&config_desc, &layers)?;
        store.write_blob(&config_json, Some(&config_digest))?;
        let manifest = store.write_blob(&manifest, None)?;
        let manifest_desc = DescriptorRecord {
            media_type: media_types::OCI_MANIFEST.into(),
            digest: manifest.digest,
            size: manifest.size,
        };
        let now = now_nanos();
        let mut record = config.record(manifest_desc, config_desc, layers, now);
        record.parent = parent;
        self.index().touch_namespace(ns, now)?;
        self.index().put_image(ns, &record, &config_json, names, now)?;
        Ok(self.index().get_image(ns, &record.id)?.unwrap_or(record))
    }
}
