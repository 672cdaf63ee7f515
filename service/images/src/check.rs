use std::collections::HashMap;

use imaged_core::Digest;

use crate::{Content, EngineError, blocking};

/// Result of a consistency check of the store against the index.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub images: usize,
    pub blobs: usize,
    /// Blobs on disk that nothing references (harmless; prune reclaims them).
    pub orphans: usize,
    /// Inconsistencies: a missing or corrupt blob, a name pointing nowhere, a wrong count.
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn is_consistent(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Content {
    /// Verifies that every image's manifest, config and layers are present (re-hashing them when
    /// `verify_content`), that every name points at an image, and that blob counts match the images.
    pub async fn check(&self, verify_content: bool) -> Result<CheckReport, EngineError> {
        let this = self.clone();
        blocking(move || {
            let mut report = CheckReport::default();
            let images = this.index().all_images()?;
            report.images = images.len();
            let mut counts: HashMap<Digest, u64> = HashMap::new();
            for (ns, r) in &images {
                for d in r.blobs() {
                    *counts.entry(d.clone()).or_insert(0) += 1;
                    if !this.store().exists(&d) {
                        report.problems.push(format!("{ns}: image {} misses blob {d}", r.id));
                    } else if verify_content && !this.store().verify(&d)? {
                        report.problems.push(format!("{ns}: blob {d} of image {} is corrupt", r.id));
                    }
                }
                for name in r.repo_tags.iter().chain(&r.repo_digests) {
                    if this.index().resolve_name(ns, name)?.as_ref() != Some(&r.id) {
                        report.problems.push(format!("{ns}: image {} lists name {name} that points elsewhere", r.id));
                    }
                }
            }
            for (ns, name, id) in this.index().all_names()? {
                if !images.iter().any(|(n, r)| n.as_str() == ns && r.id.hex() == id) {
                    report.problems.push(format!("{ns}: name {name} points at missing image {id}"));
                }
            }
            for (d, n) in &counts {
                let stored = this.index().blob_refcount(d)?;
                if stored != *n {
                    report.problems.push(format!("blob {d}: count {stored}, but {n} images use it"));
                }
            }
            let blobs = this.store().walk()?;
            report.blobs = blobs.len();
            report.orphans = blobs.iter().filter(|b| !counts.contains_key(&b.digest)).count();
            Ok(report)
        })
        .await
    }
}
