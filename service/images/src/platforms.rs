//! One platform of an image that came as an index: a view of it for inspect, history and save, and its
//! removal (`rmi --platform`).
use imaged_core::{ImageRef, Namespace, Platform};
use imaged_index::{ChildRecord, DescriptorRecord, ImageRecord, IndexRecord};

use crate::{DeleteItem, EngineError, Images, RemoveOutcome, blocking};

/// The runnable manifest of `index` for `p`.
pub(crate) fn child_for<'a>(index: &'a IndexRecord, p: &Platform) -> Option<&'a ChildRecord> {
    index.children.iter().find(|c| {
        c.attests.is_none()
            && c.platform.as_deref().and_then(|s| Platform::parse(s).ok()).is_some_and(|h| p.matches(&h))
    })
}

/// The platforms of an index stored here, for messages.
pub(crate) fn platforms_here(index: &IndexRecord) -> String {
    let list: Vec<&str> =
        index.children.iter().filter(|c| c.attests.is_none()).filter_map(|c| c.platform.as_deref()).collect();
    if list.is_empty() { "none".into() } else { list.join(", ") }
}

/// The manifest of `index` for `p`, or NOT_FOUND naming the platforms that are here.
pub(crate) fn present_child<'a>(
    index: &'a IndexRecord,
    p: &Platform,
    image: &str,
) -> Result<&'a ChildRecord, EngineError> {
    child_for(index, p).ok_or_else(|| EngineError::PlatformMismatch {
        image: image.to_owned(),
        wanted: p.to_string(),
        have: platforms_here(index),
    })
}

/// A stored manifest's config and layers (`ChildRecord::blobs` is the config, then the layers).
pub(crate) fn config_and_layers(child: &ChildRecord) -> Result<(&DescriptorRecord, &[DescriptorRecord]), EngineError> {
    child.blobs.split_first().ok_or_else(|| EngineError::BadConfig {
        digest: child.manifest.digest.to_string(),
        reason: "a stored manifest without a config".into(),
    })
}

/// The platform an image record's id, size and config describe.
pub(crate) fn in_use(r: &ImageRecord) -> Platform {
    Platform::normalized(&r.os, &r.architecture, r.variant.as_deref())
}

/// `Ok` when `p` is the record's platform in use, else NOT_FOUND naming that one.
pub(crate) fn require_in_use(r: &ImageRecord, p: &Platform, image: &str) -> Result<(), EngineError> {
    let have = in_use(r);
    if p.matches(&have) {
        return Ok(());
    }
    Err(EngineError::PlatformMismatch { image: image.to_owned(), wanted: p.to_string(), have: have.to_string() })
}

fn not_here(r: &ImageRecord, image: &str, p: &Platform) -> EngineError {
    let have = match &r.index {
        Some(index) => platforms_here(index),
        None => in_use(r).to_string(),
    };
    EngineError::PlatformMismatch { image: image.to_owned(), wanted: p.to_string(), have }
}

impl Images {
    /// `r` as seen for platform `p`: itself when `p` is its platform in use, else a view made from the
    /// stored manifest of that platform (its config and layers; names and index as `r`'s).
    pub(crate) fn for_platform(&self, r: ImageRecord, p: &Platform, image: &str) -> Result<ImageRecord, EngineError> {
        if p.matches(&in_use(&r)) {
            return Ok(r);
        }
        let Some(child) = r.index.as_ref().and_then(|i| child_for(i, p)).cloned() else {
            return Err(not_here(&r, image, p));
        };
        let (config_desc, layers) = config_and_layers(&child)?;
        let config = self.config_blocking(&config_desc.digest)?;
        let records = config.layer_records(&config_desc.digest, layers)?;
        let mut view = config.record(child.manifest.clone(), config_desc.clone(), records, r.added);
        view.repo_tags = r.repo_tags;
        view.repo_digests = r.repo_digests;
        view.index = r.index;
        view.last_tag_time = r.last_tag_time;
        Ok(view)
    }

    /// Removes one platform (and the attestations about it) from an image that came as an index.
    pub async fn remove_platform(
        &self,
        ns: &Namespace,
        image: &ImageRef,
        p: &Platform,
    ) -> Result<RemoveOutcome, EngineError> {
        let (this, ns, p) = (self.clone(), ns.clone(), p.clone());
        let (image, shown) = (image.clone(), image.to_string());
        blocking(move || {
            let r = this.resolve_blocking(&ns, &image)?.record;
            let Some(child) = r.index.as_ref().and_then(|i| child_for(i, &p)).cloned() else {
                return Err(not_here(&r, &shown, &p));
            };
            if child.manifest.digest == r.manifest.digest {
                return Err(EngineError::PlatformInUse { image: shown, platform: p.to_string() });
            }
            let gone = child.manifest.digest.clone();
            let freed = this
                .index()
                .drop_children(&ns, &r.id, &|c| c.manifest.digest == gone || c.attests.as_ref() == Some(&gone))?;
            let space_reclaimed = this.collect(&freed)?;
            Ok(RemoveOutcome { items: vec![DeleteItem::Deleted(child.manifest.digest)], space_reclaimed })
        })
        .await
    }
}
