use imaged_core::{Digest, ImageRef, Namespace, Platform};
use imaged_index::ImageRecord;

use crate::{EngineError, ImageConfigDoc, Images, blocking, config::parse_time};

/// Everything Inspect shows: the index record and the parsed config.
#[derive(Debug, Clone)]
pub struct ImageDetails {
    pub record: ImageRecord,
    pub config: ImageConfigDoc,
    /// Layers unpacked, as Docker shows the size.
    pub size: u64,
    /// The manifests of the image's index (empty for a single manifest).
    pub platforms: Vec<crate::PlatformImage>,
}

/// One row of `docker history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The image whose top this entry is, when it is known locally.
    pub id: Option<Digest>,
    pub created: i64,
    pub created_by: String,
    pub size: u64,
    pub comment: String,
    pub empty_layer: bool,
    pub tags: Vec<String>,
    pub author: String,
}

impl Images {
    /// An image in detail; with `platform`, that platform of an image that came as an index.
    pub async fn inspect(
        &self,
        ns: &Namespace,
        image: &ImageRef,
        platform: Option<&Platform>,
    ) -> Result<ImageDetails, EngineError> {
        let (this, ns, image, platform) = (self.clone(), ns.clone(), image.clone(), platform.cloned());
        blocking(move || {
            let mut record = this.resolve_blocking(&ns, &image)?.record;
            if let Some(p) = &platform {
                record = this.for_platform(record, p, &image.to_string())?;
            }
            let config = this.config_blocking(&record.id)?;
            let size = this.image_size(&record)?;
            let platforms = this.platform_images(&record)?;
            Ok(ImageDetails { record, config, size, platforms })
        })
        .await
    }

    /// History rows, newest first. Rows that are the top of a local parent image carry its id and tags.
    pub async fn history(
        &self,
        ns: &Namespace,
        image: &ImageRef,
        platform: Option<&Platform>,
    ) -> Result<Vec<HistoryRow>, EngineError> {
        let (this, ns, image, platform) = (self.clone(), ns.clone(), image.clone(), platform.cloned());
        blocking(move || this.history_blocking(&ns, &image, platform.as_ref())).await
    }

    fn history_blocking(
        &self,
        ns: &Namespace,
        image: &ImageRef,
        platform: Option<&Platform>,
    ) -> Result<Vec<HistoryRow>, EngineError> {
        let mut record = self.resolve_blocking(ns, image)?.record;
        if let Some(p) = platform {
            record = self.for_platform(record, p, &image.to_string())?;
        }
        let config = self.config_blocking(&record.id)?;
        let mut rows: Vec<HistoryRow> = Vec::new();
        let mut layers = record.layers.iter().peekable();
        if config.history.is_empty() {
            for l in &record.layers {
                rows.push(HistoryRow {
                    id: None,
                    created: record.created,
                    created_by: String::new(),
                    size: self.layer_unpacked_size(&l.digest, l.size)?,
                    comment: String::new(),
                    empty_layer: false,
                    tags: vec![],
                    author: String::new(),
                });
            }
        }
        for h in &config.history {
            let size = match (h.empty_layer, layers.next_if(|_| !h.empty_layer)) {
                (false, Some(l)) => self.layer_unpacked_size(&l.digest, l.size)?,
                _ => 0,
            };
            rows.push(HistoryRow {
                id: None,
                created: h.created.as_deref().map(parse_time).unwrap_or(0),
                created_by: h.created_by.clone().unwrap_or_default(),
                size,
                comment: h.comment.clone().unwrap_or_default(),
                empty_layer: h.empty_layer,
                tags: vec![],
                author: h.author.clone().unwrap_or_default(),
            });
        }
        // Mark the tops of this image and of its local ancestors.
        let mut cur = Some(record);
        let mut guard = 0;
        while let Some(img) = cur.take() {
            let depth = self.config_blocking(&img.id).map(|c| c.history.len().max(img.layers.len())).unwrap_or(0);
            if depth > 0 && depth <= rows.len() {
                let row = &mut rows[depth - 1];
                row.id = Some(img.id.clone());
                row.tags = img.repo_tags.clone();
            }
            guard += 1;
            if guard > 256 {
                break;
            }
            cur = match &img.parent {
                Some(p) => self.index().get_image(ns, p)?,
                None => None,
            };
        }
        rows.reverse();
        Ok(rows)
    }
}
