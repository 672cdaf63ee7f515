use imaged_core::{Digest, ImageRef, Namespace, Reference};
use imaged_index::ImageRecord;

use crate::{Engine, EngineError};

/// An image found by what the user typed.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub record: ImageRecord,
    /// The name it was found by; `None` when it was found by id or id prefix.
    pub by_name: Option<Reference>,
}

impl Engine {
    /// Finds an image by reference, full id or unique id prefix, as Docker does: a name first, then an id.
    pub(crate) fn resolve_blocking(&self, ns: &Namespace, image: &ImageRef) -> Result<Resolved, EngineError> {
        let index = self.index();
        if let Some(name) = &image.name
            && let Some(id) = index.resolve_name(ns, &name.to_string())?
            && let Some(record) = index.get_image(ns, &id)?
        {
            return Ok(Resolved { record, by_name: Some(name.clone()) });
        }
        if let Some(prefix) = &image.id_prefix {
            let ids = index.find_id_prefix(ns, prefix)?;
            match ids.len() {
                0 => {}
                1 => {
                    let record =
                        index.get_image(ns, &ids[0])?.ok_or_else(|| EngineError::ImageNotFound(image.to_string()))?;
                    return Ok(Resolved { record, by_name: None });
                }
                n => {
                    return Err(EngineError::AmbiguousId { prefix: prefix.clone(), count: n });
                }
            }
        }
        Err(EngineError::ImageNotFound(image.to_string()))
    }

    /// As [`Engine::resolve_blocking`] for text that did not come through the API's edge (a Dockerfile's
    /// FROM, a filter's value).
    pub(crate) fn resolve_text(&self, ns: &Namespace, input: &str) -> Result<Resolved, EngineError> {
        let image = ImageRef::parse(input).map_err(|e| EngineError::reference(input, e))?;
        self.resolve_blocking(ns, &image)
    }

    /// The parsed config of an image, from the index cache (falling back to the blob).
    pub(crate) fn config_blocking(&self, id: &Digest) -> Result<crate::ImageConfigDoc, EngineError> {
        let bytes = match self.index().config(id)? {
            Some(b) => b,
            None => self.store().read(id)?,
        };
        crate::ImageConfigDoc::parse(&bytes)
            .map_err(|e| EngineError::BadConfig { digest: id.to_string(), reason: e.to_string() })
    }
}
