//! Garbage collection, shared by every room: blobs whose count reached zero, orphans left by crashes,
//! unused layer snapshots. A blob is never deleted while a lease holds it or an image references it.
use std::collections::HashSet;

use imaged_core::Digest;

use crate::{Engine, EngineError};

impl Engine {
    /// Deletes blobs whose count reached zero, unless an operation re-referenced them meanwhile or a lease
    /// holds them. Returns the bytes freed.
    pub(crate) fn collect(&self, candidates: &[Digest]) -> Result<u64, EngineError> {
        if candidates.is_empty() {
            return Ok(0);
        }
        let _gc = self.inner.gc.write().expect("gc lock poisoned");
        let leased: HashSet<Digest> = self.index().leases()?.into_iter().flat_map(|l| l.blobs).collect();
        let mut freed = 0;
        for d in candidates {
            if self.index().blob_refcount(d)? == 0 && !leased.contains(d) {
                freed += self.store().delete(d)?.unwrap_or(0);
            }
        }
        Ok(freed)
    }

    /// Deletes blobs on disk that no image references and no lease holds (left by crashes or failed
    /// operations). Returns the bytes freed.
    pub(crate) fn sweep_orphans(&self) -> Result<u64, EngineError> {
        let referenced = self.index().referenced_blobs()?;
        let orphans: Vec<Digest> = self
            .store()
            .walk()?
            .into_iter()
            .map(|b| b.digest)
            .filter(|d| !referenced.contains(&d.to_string()))
            .collect();
        self.collect(&orphans)
    }

    /// Removes unpacked layers no image (in any namespace) or container uses. Snapshots touched in the last
    /// ten minutes stay: a running build may have just made one that no image names yet (and a build finds
    /// a missing snapshot again by unpacking its blob, which its lease holds).
    pub(crate) fn sweep_snapshots(&self) -> Result<usize, EngineError> {
        let mut keep: HashSet<String> = HashSet::new();
        for (_, r) in self.index().all_images()? {
            keep.extend(r.layers.iter().map(|l| l.diff_id.hex().to_owned()));
        }
        for c in self.index().all_containers()? {
            keep.extend(c.diff_ids.iter().map(|d| d.hex().to_owned()));
        }
        Ok(self.snapshots().retain(&keep, std::time::Duration::from_secs(600))?)
    }
}
