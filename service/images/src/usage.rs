use std::collections::{HashMap, HashSet};

use imaged_core::{Digest, Namespace};

use crate::{
    EngineError, Images, blocking,
    list::{blob_users, shared_size},
};

/// Disk usage of one image.
#[derive(Debug, Clone)]
pub struct ImageUsage {
    pub id: Digest,
    pub repo_tags: Vec<String>,
    pub created: i64,
    pub size: u64,
    pub shared_size: u64,
    pub unique_size: u64,
    pub containers: u64,
}

/// `docker system df` for images.
#[derive(Debug, Clone, Default)]
pub struct DiskUsage {
    pub images: Vec<ImageUsage>,
    /// Sum of image sizes, unpacked (shared layers counted once per image).
    pub logical_size: u64,
    /// Distinct blobs of this namespace's images as stored (each counted once).
    pub physical_size: u64,
    /// Bytes freed if every image no container uses were removed (blobs other namespaces also use stay).
    pub reclaimable: u64,
    pub blob_count: u64,
    pub active_images: u64,
}

impl Images {
    pub async fn disk_usage(&self, ns: &Namespace) -> Result<DiskUsage, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        blocking(move || {
            let records = this.index().list_images(&ns)?;
            let users = blob_users(&records);
            let counts = this.container_counts(&ns)?;
            let mut du = DiskUsage::default();
            let mut physical: HashMap<Digest, u64> = HashMap::new();
            let mut active_blobs: HashSet<Digest> = HashSet::new();
            for r in &records {
                let size = this.image_size(r)?;
                let size_of = |l: &imaged_index::LayerRecord| this.layer_unpacked_size(&l.digest, l.size);
                let shared = shared_size(r, &users, &size_of)?;
                let containers = counts.get(&r.id.to_string()).copied().unwrap_or(0);
                physical.insert(r.config.digest.clone(), r.config.size);
                for l in &r.layers {
                    physical.insert(l.digest.clone(), l.size);
                }
                if containers > 0 {
                    du.active_images += 1;
                    active_blobs.extend(r.blobs());
                }
                du.logical_size += size;
                du.images.push(ImageUsage {
                    id: r.id.clone(),
                    repo_tags: r.repo_tags.clone(),
                    created: r.created,
                    size,
                    shared_size: shared,
                    unique_size: size - shared,
                    containers,
                });
            }
            du.physical_size = physical.values().sum();
            du.blob_count = physical.len() as u64;
            let ns_refs: HashMap<Digest, u64> =
                physical.keys().map(|d| (d.clone(), users.get(&d.to_string()).copied().unwrap_or(0))).collect();
            for (d, size) in &physical {
                // Reclaimable when no active image uses it and no other namespace holds it.
                let global = this.index().blob_refcount(d)?;
                if !active_blobs.contains(d) && global <= ns_refs[d] {
                    du.reclaimable += size;
                }
            }
            du.images.sort_by_key(|i| std::cmp::Reverse(i.created));
            Ok(du)
        })
        .await
    }
}
