//! Push: blobs the registry has are skipped, blobs known in another repository of the same registry are
//! mounted, the rest uploaded in one PUT each; then the manifest is PUT by tag.
use imaged_core::{Digest, Namespace, Reference};
use imaged_registry::{Credentials, Target};

use crate::{
    Engine, EngineError, blocking, now_nanos,
    pull::{ProgressTx, report},
};

/// One pushed tag.
#[derive(Debug, Clone)]
pub struct PushOutcome {
    pub reference: Reference,
    pub digest: Digest,
    pub size: u64,
}

impl Engine {
    /// Pushes `reference` (or, with `all_tags`, every local tag of its repository).
    pub async fn push(
        &self,
        ns: &Namespace,
        reference: &Reference,
        all_tags: bool,
        creds: Option<Credentials>,
        progress: ProgressTx,
    ) -> Result<Vec<PushOutcome>, EngineError> {
        let creds = match creds {
            Some(c) => Some(c),
            None => {
                let (this, ns2, host) = (self.clone(), ns.clone(), reference.domain().to_owned());
                blocking(move || this.stored_credentials(&ns2, &host)).await?
            }
        };
        let names: Vec<Reference> = if all_tags {
            let repo = reference.repository().to_string();
            let mut tags: Vec<Reference> = self
                .index()
                .list_images(ns)?
                .iter()
                .flat_map(|r| r.repo_tags.clone())
                .filter_map(|t| Reference::parse_normalized(&t).ok())
                .filter(|t| t.repository().to_string() == repo)
                .collect();
            tags.sort();
            if tags.is_empty() {
                return Err(EngineError::ImageNotFound(reference.familiar_name()));
            }
            tags
        } else {
            vec![reference.clone()]
        };
        let mut out = Vec::new();
        for n in names {
            out.push(self.push_one(ns, &n, creds.as_ref(), &progress).await?);
        }
        Ok(out)
    }

    async fn push_one(
        &self,
        ns: &Namespace,
        r: &Reference,
        creds: Option<&Credentials>,
        progress: &ProgressTx,
    ) -> Result<PushOutcome, EngineError> {
        let record = {
            let (this, ns2, name) = (self.clone(), ns.clone(), r.to_string());
            blocking(move || this.resolve_blocking(&ns2, &name).map(|x| x.record)).await?
        };
        let tag = r.tag().unwrap_or("latest").to_owned();
        report(progress, "", &format!("The push refers to repository [{}]", r.name()), 0, 0).await;
        let target = Target { host: r.domain(), repo: r.path(), creds };
        // Other repositories of the same registry that hold this image: mount sources.
        let mount_from: Vec<String> = record
            .repo_digests
            .iter()
            .chain(&record.repo_tags)
            .filter_map(|n| Reference::parse_normalized(n).ok())
            .filter(|n| n.domain() == r.domain() && n.path() != r.path())
            .map(|n| n.path().to_owned())
            .collect();
        let blobs: Vec<(Digest, u64)> = record
            .layers
            .iter()
            .map(|l| (l.digest.clone(), l.size))
            .chain(std::iter::once((record.config.digest.clone(), record.config.size)))
            .collect();
        for (digest, size) in blobs {
            let short = digest.short().to_owned();
            if self.registry().blob_exists(&target, &digest).await? {
                report(progress, &short, "Layer already exists", 0, 0).await;
                continue;
            }
            let mut mounted = false;
            for from in &mount_from {
                if self.registry().mount_blob(&target, &digest, from).await? {
                    report(progress, &short, &format!("Mounted from {from}"), 0, 0).await;
                    mounted = true;
                    break;
                }
            }
            if mounted {
                continue;
            }
            report(progress, &short, "Pushing", 0, size).await;
            let path = self.store().path(&digest);
            match self.inner.options.push_chunk_size {
                Some(chunk) if size > chunk => {
                    self.registry().upload_blob_chunked(&target, &digest, &path, chunk).await?;
                }
                _ => {
                    let file = tokio::fs::File::open(&path)
                        .await
                        .map_err(|source| EngineError::Io { path: path.clone(), source })?;
                    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(file, 1 << 20));
                    self.registry().upload_blob(&target, &digest, size, body).await?;
                }
            }
            report(progress, &short, "Pushed", size, size).await;
        }
        let manifest = {
            let (store, d) = (self.store().clone(), record.manifest.digest.clone());
            blocking(move || Ok(store.read(&d)?)).await?
        };
        let digest = self.registry().put_manifest(&target, &tag, &manifest, &record.manifest.media_type).await?;
        report(progress, "", &format!("{tag}: digest: {digest} size: {}", manifest.len()), 0, 0).await;
        let (this, ns2, id, name) =
            (self.clone(), ns.clone(), record.id.clone(), r.repository().with_digest(digest.clone()).to_string());
        blocking(move || Ok(this.index().tag(&ns2, &id, &name, now_nanos())?)).await?;
        Ok(PushOutcome { reference: r.clone(), digest, size: manifest.len() as u64 })
    }
}
