use std::collections::{HashMap, HashSet};

use imaged_core::{Namespace, Reference};
use imaged_index::ImageRecord;

use crate::{
    EngineError, Images, blocking,
    filters::{Filters, glob},
};

/// Options of List.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Show intermediate images too.
    pub all: bool,
    /// `key=value` filters.
    pub filters: Vec<(String, String)>,
}

/// One image in a listing.
#[derive(Debug, Clone)]
pub struct ImageSummary {
    pub record: ImageRecord,
    /// Tags shown (all of them, or those a reference filter matched), normalised.
    pub repo_tags: Vec<String>,
    /// Layers unpacked, as Docker shows the size.
    pub size: u64,
    /// Bytes (unpacked) shared with other images of the namespace.
    pub shared_size: u64,
    pub containers: u64,
    /// The manifests of the image's index (empty for a single manifest).
    pub platforms: Vec<crate::PlatformImage>,
}

/// How many images of `records` use each blob (config and layers).
pub(crate) fn blob_users(records: &[ImageRecord]) -> HashMap<String, u64> {
    let mut users = HashMap::new();
    for r in records {
        let mut seen = HashSet::new();
        for l in &r.layers {
            if seen.insert(l.digest.to_string()) {
                *users.entry(l.digest.to_string()).or_insert(0) += 1;
            }
        }
        *users.entry(r.config.digest.to_string()).or_insert(0) += 1;
    }
    users
}

/// Unpacked bytes of `r`'s layers that other images of the namespace use too.
pub(crate) fn shared_size(
    r: &ImageRecord,
    users: &HashMap<String, u64>,
    size_of: &dyn Fn(&imaged_index::LayerRecord) -> Result<u64, EngineError>,
) -> Result<u64, EngineError> {
    let mut seen = HashSet::new();
    let mut shared = 0;
    for l in &r.layers {
        if seen.insert(&l.digest) && users.get(&l.digest.to_string()).copied().unwrap_or(0) > 1 {
            shared += size_of(l)?;
        }
    }
    Ok(shared)
}

fn reference_matches(pattern: &str, stored: &str) -> bool {
    let Ok(r) = Reference::parse_normalized(stored) else {
        return false;
    };
    glob(pattern, &r.familiar()) || glob(pattern, &r.familiar_name())
}

impl Images {
    /// Lists images, newest first, as `docker image ls`.
    pub async fn list(&self, ns: &Namespace, opts: ListOptions) -> Result<Vec<ImageSummary>, EngineError> {
        let (this, ns) = (self.clone(), ns.clone());
        blocking(move || this.list_blocking(&ns, &opts)).await
    }

    fn list_blocking(&self, ns: &Namespace, opts: &ListOptions) -> Result<Vec<ImageSummary>, EngineError> {
        let filters = Filters::parse(&opts.filters, &["dangling", "label", "label!", "before", "since", "reference"])?;
        let bound = |inputs: &[String]| -> Result<Option<i64>, EngineError> {
            inputs.iter().map(|i| self.resolve_text(ns, i).map(|r| r.record.created)).try_fold(
                None,
                |acc: Option<i64>, c| {
                    let c = c?;
                    Ok(Some(acc.map_or(c, |a| a.min(c))))
                },
            )
        };
        let before = bound(&filters.before)?;
        let since = filters
            .since
            .iter()
            .map(|i| self.resolve_text(ns, i).map(|r| r.record.created))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .max();
        let records = self.index().list_images(ns)?;
        let containers = self.container_counts(ns)?;
        let parents: HashSet<String> =
            records.iter().filter_map(|r| r.parent.as_ref().map(|p| p.to_string())).collect();
        let users = blob_users(&records);
        let mut out = Vec::new();
        for r in &records {
            let dangling = r.repo_tags.is_empty();
            let intermediate = dangling && parents.contains(&r.id.to_string());
            if intermediate && !opts.all && filters.dangling.is_none() {
                continue;
            }
            if filters.dangling.is_some_and(|d| d != (dangling && !intermediate)) {
                continue;
            }
            if !filters.labels.iter().all(|l| l.matches(&r.labels)) {
                continue;
            }
            if before.is_some_and(|b| r.created >= b) || since.is_some_and(|s| r.created <= s) {
                continue;
            }
            let mut tags = r.repo_tags.clone();
            if !filters.references.is_empty() {
                let keep = |name: &String| filters.references.iter().any(|p| reference_matches(p, name));
                tags.retain(keep);
                if tags.is_empty() && !r.repo_digests.iter().any(keep) {
                    continue;
                }
            }
            let size_of = |l: &imaged_index::LayerRecord| self.layer_unpacked_size(&l.digest, l.size);
            out.push(ImageSummary {
                record: r.clone(),
                repo_tags: tags,
                size: self.image_size(r)?,
                shared_size: shared_size(r, &users, &size_of)?,
                containers: containers.get(&r.id.to_string()).copied().unwrap_or(0),
                platforms: self.platform_images(r)?,
            });
        }
        out.sort_by(|a, b| b.record.created.cmp(&a.record.created).then_with(|| a.record.id.cmp(&b.record.id)));
        Ok(out)
    }

    /// How many containers of a namespace use each image id.
    pub(crate) fn container_counts(&self, ns: &Namespace) -> Result<HashMap<String, u64>, EngineError> {
        let mut counts = HashMap::new();
        for c in self.index().list_containers(ns)? {
            *counts.entry(c.image_id.to_string()).or_insert(0) += 1;
        }
        Ok(counts)
    }
}
