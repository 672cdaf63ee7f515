use imaged_core::{Digest, ImageRef, Namespace, Reference};

use crate::{EngineError, Images, blocking, now_nanos};

impl Images {
    /// Points `target` (`REPO[:TAG]`, no digest) at the image `source` names. Returns the id.
    pub async fn tag(&self, ns: &Namespace, source: &ImageRef, target: &Reference) -> Result<Digest, EngineError> {
        let (this, ns, source, name) = (self.clone(), ns.clone(), source.clone(), target.clone());
        blocking(move || {
            if name.digest().is_some() {
                return Err(EngineError::TagWithDigest(name.to_string()));
            }
            let record = this.resolve_blocking(&ns, &source)?.record;
            let now = now_nanos();
            this.index().touch_namespace(&ns, now)?;
            this.index().tag(&ns, &record.id, &name.to_string(), now)?;
            Ok(record.id)
        })
        .await
    }
}
