//! The online consistency check (`imagectl system check`, `imaged --check`): every image's blobs present
//! and (optionally) re-hashed, every name pointing at an image, every blob count right; `repair` drops
//! what is broken — a corrupt or missing blob and the images that need it, names that point nowhere, wrong
//! counts — and says what was lost. The daemon keeps serving meanwhile.
use std::collections::{BTreeSet, HashMap};

use imaged_core::{Digest, Namespace};

use crate::{Content, EngineError, blocking};

/// One inconsistency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    MissingBlob {
        ns: Namespace,
        image: Digest,
        blob: Digest,
    },
    CorruptBlob {
        ns: Namespace,
        image: Digest,
        blob: Digest,
    },
    /// A name in the names tree whose image record is gone.
    DanglingName {
        ns: Namespace,
        name: String,
        image: String,
    },
    /// An image record listing a name that points at another image.
    ForeignName {
        ns: Namespace,
        image: Digest,
        name: String,
    },
    WrongCount {
        blob: Digest,
        stored: u64,
        used: u64,
    },
    /// A lease older than a day: the operation that took it is long gone (it pins blobs against GC).
    StaleLease {
        id: String,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingBlob { ns, image, blob } => write!(f, "{ns}: image {image} misses blob {blob}"),
            Self::CorruptBlob { ns, image, blob } => write!(f, "{ns}: blob {blob} of image {image} is corrupt"),
            Self::DanglingName { ns, name, image } => write!(f, "{ns}: name {name} points at missing image {image}"),
            Self::ForeignName { ns, image, name } => {
                write!(f, "{ns}: image {image} lists name {name} that points elsewhere")
            }
            Self::WrongCount { blob, stored, used } => {
                write!(f, "blob {blob}: count {stored}, but {used} images use it")
            }
            Self::StaleLease { id } => write!(f, "lease {id} is more than a day old"),
        }
    }
}

/// How many images (in all namespaces) use each blob: what its stored count must be.
fn users(images: &[(Namespace, imaged_index::ImageRecord)]) -> HashMap<Digest, u64> {
    let mut counts = HashMap::new();
    for (_, r) in images {
        for d in r.blobs() {
            *counts.entry(d).or_insert(0) += 1;
        }
    }
    counts
}

/// Result of a check (and of a repair).
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub images: usize,
    pub blobs: usize,
    /// Blobs on disk that nothing references (harmless; prune reclaims them).
    pub orphans: usize,
    pub problems: Vec<Problem>,
    /// With repair: what was done, one line each (blobs deleted, images removed with their names).
    pub repaired: Vec<String>,
}

impl CheckReport {
    pub fn is_consistent(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Content {
    /// Checks the store against the index (re-hashing every blob when `verify_content`); with `repair`,
    /// removes what is broken and reports it.
    pub async fn check(&self, verify_content: bool) -> Result<CheckReport, EngineError> {
        self.check_and_repair(verify_content, false).await
    }

    pub async fn check_and_repair(&self, verify_content: bool, repair: bool) -> Result<CheckReport, EngineError> {
        let this = self.clone();
        blocking(move || {
            let mut report = this.inspect_all(verify_content)?;
            if repair && !report.problems.is_empty() {
                report.repaired = this.repair(&report.problems)?;
            }
            Ok(report)
        })
        .await
    }

    fn inspect_all(&self, verify_content: bool) -> Result<CheckReport, EngineError> {
        let mut report = CheckReport::default();
        let images = self.index().all_images()?;
        report.images = images.len();
        let counts = users(&images);
        for (ns, r) in &images {
            for d in r.blobs() {
                let (ns, image, blob) = (ns.clone(), r.id.clone(), d.clone());
                if !self.store().exists(&d) {
                    report.problems.push(Problem::MissingBlob { ns, image, blob });
                } else if verify_content && !self.store().verify(&d)? {
                    report.problems.push(Problem::CorruptBlob { ns, image, blob });
                }
            }
            for name in r.repo_tags.iter().chain(&r.repo_digests) {
                if self.index().resolve_name(ns, name)?.as_ref() != Some(&r.id) {
                    report.problems.push(Problem::ForeignName {
                        ns: ns.clone(),
                        image: r.id.clone(),
                        name: name.clone(),
                    });
                }
            }
        }
        for (ns, name, id) in self.index().all_names()? {
            if !images.iter().any(|(n, r)| n.as_str() == ns && r.id.hex() == id) {
                let ns = Namespace::parse(&ns)?;
                report.problems.push(Problem::DanglingName { ns, name, image: id });
            }
        }
        for (d, n) in &counts {
            let stored = self.index().blob_refcount(d)?;
            if stored != *n {
                report.problems.push(Problem::WrongCount { blob: d.clone(), stored, used: *n });
            }
        }
        let day_ago = crate::now_nanos() - 86_400 * 1_000_000_000;
        for lease in self.index().leases()? {
            if lease.created < day_ago {
                report.problems.push(Problem::StaleLease { id: lease.id });
            }
        }
        let blobs = self.store().walk()?;
        report.blobs = blobs.len();
        report.orphans = blobs.iter().filter(|b| !counts.contains_key(&b.digest)).count();
        Ok(report)
    }

    fn repair(&self, problems: &[Problem]) -> Result<Vec<String>, EngineError> {
        let mut done = Vec::new();
        let mut broken: BTreeSet<(String, Digest)> = BTreeSet::new();
        for p in problems {
            match p {
                Problem::CorruptBlob { ns, image, blob } => {
                    let _gc = self.inner.gc.write().expect("gc lock poisoned");
                    if self.store().delete(blob)?.is_some() {
                        done.push(format!("deleted corrupt blob {blob}"));
                    }
                    broken.insert((ns.to_string(), image.clone()));
                }
                Problem::MissingBlob { ns, image, .. } => {
                    broken.insert((ns.to_string(), image.clone()));
                }
                Problem::DanglingName { ns, name, .. } => {
                    self.index().remove_name(ns, name)?;
                    done.push(format!("{ns}: removed name {name}"));
                }
                Problem::ForeignName { ns, image, name } => {
                    if self.index().get_image(ns, image)?.is_some() {
                        self.index().drop_listed_name(ns, image, name)?;
                        done.push(format!("{ns}: image {} no longer lists {name}", image.short()));
                    }
                }
                Problem::WrongCount { .. } => {}
                Problem::StaleLease { id } => {
                    self.index().delete_lease(id)?;
                    done.push(format!("released lease {id}"));
                }
            }
        }
        for (ns, image) in broken {
            let ns = Namespace::parse(&ns)?;
            let Some(record) = self.index().get_image(&ns, &image)? else { continue };
            let names: Vec<String> = record.repo_tags.iter().chain(&record.repo_digests).cloned().collect();
            let freed = self.index().delete_image(&ns, &image)?;
            self.collect(&freed)?;
            let shown = if names.is_empty() { String::new() } else { format!(" ({})", names.join(", ")) };
            done.push(format!(
                "{ns}: removed image {}{shown}: its content was broken; pull or load it again",
                image.short()
            ));
        }
        // Counts last: the removals above changed them.
        for (blob, used) in self.recount()? {
            done.push(format!("blob {blob}: count set to {used}"));
        }
        let snapshots = self.sweep_snapshots()?;
        if snapshots > 0 {
            done.push(format!("removed {snapshots} unpacked layers no image or container uses"));
        }
        Ok(done)
    }

    /// Sets every blob count to the number of images that use the blob; returns the counts changed.
    fn recount(&self) -> Result<Vec<(Digest, u64)>, EngineError> {
        let counts = users(&self.index().all_images()?);
        let mut changed = Vec::new();
        for (d, n) in counts {
            if self.index().blob_refcount(&d)? != n {
                self.index().set_refcount(&d, n)?;
                changed.push((d, n));
            }
        }
        Ok(changed)
    }
}
