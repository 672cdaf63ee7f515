use imaged_core::{Digest, Namespace, Reference};

use crate::{EngineError, Images, blocking, now_nanos};

impl Images {
    /// Points `target` (`REPO[:TAG]`) at the image `source` names. Returns the normalised name and the id.
    pub async fn tag(&self, ns: &Namespace, source: &str, target: &str) -> Result<(Reference, Digest), EngineError> {
        let (this, ns, source, target) = (self.clone(), ns.clone(), source.to_owned(), target.to_owned());
        blocking(move || {
            let name = Reference::parse_docker(&target).map_err(|e| EngineError::reference(&target, e))?;
            if name.digest().is_some() {
                return Err(EngineError::TagWithDigest(target));
            }
            let record = this.resolve_blocking(&ns, &source)?.record;
            let now = now_nanos();
            this.index().touch_namespace(&ns, now)?;
            this.index().tag(&ns, &record.id, &name.to_string(), now)?;
            Ok((name, record.id))
        })
        .await
    }
}
