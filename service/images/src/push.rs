//! Push: blobs the registry has are skipped, blobs known in another repository of the same registry are
//! mounted, the rest uploaded in one PUT each; then the manifest is PUT by tag.
use imaged_core::{Descriptor, Digest, ImageRef, Namespace, Node, Platform, Reference};
use imaged_index::{DescriptorRecord, ImageRecord};
use imaged_registry::{Credentials, Target};

use crate::{
    EngineError, Transfers, blocking, now_nanos,
    pull::{ProgressTx, report},
};

/// One pushed tag.
#[derive(Debug, Clone)]
pub struct PushOutcome {
    pub reference: Reference,
    pub digest: Digest,
    pub size: u64,
}

impl Transfers {
    /// Pushes `reference` (or, with `all_tags`, every local tag of its repository).
    pub async fn push(
        &self,
        ns: &Namespace,
        reference: &Reference,
        all_tags: bool,
        platform: Option<Platform>,
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
            out.push(self.push_one(ns, &n, platform.as_ref(), creds.as_ref(), &progress).await?);
        }
        Ok(out)
    }

    async fn push_one(
        &self,
        ns: &Namespace,
        r: &Reference,
        platform: Option<&Platform>,
        creds: Option<&Credentials>,
        progress: &ProgressTx,
    ) -> Result<PushOutcome, EngineError> {
        let record = {
            let (this, ns2, image) =
                (self.clone(), ns.clone(), ImageRef { name: Some(r.clone()), id_prefix: None, input: r.to_string() });
            blocking(move || this.resolve_blocking(&ns2, &image).map(|x| x.record)).await?
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
        let plan = self.push_plan(&record, platform, &target).await?;
        for (manifest, blobs) in &plan.manifests {
            for b in blobs {
                self.push_blob(&target, b, &mount_from, progress).await?;
            }
            if plan.top.is_some() {
                // A manifest of the index goes up by digest, before the index that names it.
                let bytes = self.read_blob(&manifest.digest).await?;
                self.registry()
                    .put_manifest(&target, &manifest.digest.to_string(), &bytes, &manifest.media_type)
                    .await?;
            }
        }
        let top = plan.top.as_ref().unwrap_or(&plan.manifests[0].0);
        let bytes = self.read_blob(&top.digest).await?;
        let digest = self.registry().put_manifest(&target, &tag, &bytes, &top.media_type).await?;
        report(progress, "", &format!("{tag}: digest: {digest} size: {}", bytes.len()), 0, 0).await;
        let (this, ns2, id, name) =
            (self.clone(), ns.clone(), record.id.clone(), r.repository().with_digest(digest.clone()).to_string());
        blocking(move || Ok(this.index().tag(&ns2, &id, &name, now_nanos())?)).await?;
        Ok(PushOutcome { reference: r.clone(), digest, size: bytes.len() as u64 })
    }

    async fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>, EngineError> {
        let (store, d) = (self.store().clone(), digest.clone());
        blocking(move || Ok(store.read(&d)?)).await
    }

    /// What to push: an image that came as an index goes up as that index (byte for byte) when every
    /// manifest it names is here or already in the target repository; with `platform`, only that
    /// platform's manifest goes up. Never an index that names content the registry lacks.
    async fn push_plan(
        &self,
        record: &ImageRecord,
        platform: Option<&Platform>,
        target: &Target<'_>,
    ) -> Result<PushPlan, EngineError> {
        let single = |manifest: &DescriptorRecord, blobs: Vec<DescriptorRecord>| PushPlan {
            top: None,
            manifests: vec![(manifest.clone(), blobs)],
        };
        let Some(index) = &record.index else {
            if let Some(p) = platform {
                crate::platforms::require_in_use(record, p, record.id.short())?;
            }
            let mut blobs: Vec<DescriptorRecord> = record
                .layers
                .iter()
                .map(|l| DescriptorRecord { media_type: l.media_type.clone(), digest: l.digest.clone(), size: l.size })
                .collect();
            blobs.push(record.config.clone());
            return Ok(single(&record.manifest, blobs));
        };
        if let Some(p) = platform {
            let child = crate::platforms::present_child(index, p, record.id.short())?;
            return Ok(single(&child.manifest, child.blobs.clone()));
        }
        let bytes = self.read_blob(&index.descriptor.digest).await?;
        let Node::Index(doc) = Node::parse(&index.descriptor.media_type, &bytes).map_err(|e| {
            EngineError::BadConfig { digest: index.descriptor.digest.to_string(), reason: e.to_string() }
        })?
        else {
            return Err(EngineError::BadConfig {
                digest: index.descriptor.digest.to_string(),
                reason: "the stored index is not an index".into(),
            });
        };
        let mut missing = Vec::new();
        for d in &doc.manifests {
            if index.children.iter().any(|c| c.manifest.digest == d.digest) {
                continue;
            }
            if self.registry().get_manifest(target, &d.digest.to_string()).await.is_err() {
                missing.push(describe(d));
            }
        }
        if !missing.is_empty() {
            return Err(EngineError::IncompleteIndex {
                index: index.descriptor.digest.to_string(),
                missing: missing.join(", "),
                present: crate::platforms::platforms_here(index),
            });
        }
        Ok(PushPlan {
            top: Some(index.descriptor.clone()),
            manifests: index.children.iter().map(|c| (c.manifest.clone(), c.blobs.clone())).collect(),
        })
    }

    /// Puts one blob in the target repository: skipped when it is there, mounted from another
    /// repository of the same registry when possible, uploaded otherwise.
    async fn push_blob(
        &self,
        target: &Target<'_>,
        blob: &DescriptorRecord,
        mount_from: &[String],
        progress: &ProgressTx,
    ) -> Result<(), EngineError> {
        let (digest, size) = (&blob.digest, blob.size);
        let short = digest.short().to_owned();
        if self.registry().blob_exists(target, digest).await? {
            report(progress, &short, "Layer already exists", 0, 0).await;
            return Ok(());
        }
        for from in mount_from {
            if self.registry().mount_blob(target, digest, from).await? {
                report(progress, &short, &format!("Mounted from {from}"), 0, 0).await;
                return Ok(());
            }
        }
        report(progress, &short, "Pushing", 0, size).await;
        // A failed upload starts again (a new session) with backoff, as a failed download does.
        crate::download::with_retries(progress, &short, || self.upload(target, digest, size)).await?;
        report(progress, &short, "Pushed", size, size).await;
        Ok(())
    }

    /// One upload of a stored blob: in one request, or in chunks when the daemon is configured so.
    async fn upload(&self, target: &Target<'_>, digest: &Digest, size: u64) -> Result<(), EngineError> {
        let path = self.store().path(digest);
        match self.inner.options.push_chunk_size {
            Some(chunk) if size > chunk => {
                self.registry().upload_blob_chunked(target, digest, &path, chunk).await?;
            }
            _ => {
                let file = tokio::fs::File::open(&path)
                    .await
                    .map_err(|source| EngineError::Io { path: path.clone(), source })?;
                let body = Box::pin(tokio_util::io::ReaderStream::with_capacity(file, 1 << 20));
                self.registry().upload_blob(target, digest, size, body).await?;
            }
        }
        Ok(())
    }
}

/// Manifests to put (each with its config and layers), and the index over them when there is one.
struct PushPlan {
    top: Option<DescriptorRecord>,
    manifests: Vec<(DescriptorRecord, Vec<DescriptorRecord>)>,
}

/// `linux/arm64` for a platform manifest, `attestation for sha256:…` for an attestation.
fn describe(d: &Descriptor) -> String {
    match (d.attests(), &d.platform) {
        (Some(about), _) => format!("attestation for {}", about.short()),
        (None, Some(p)) => p.to_string(),
        (None, None) => d.digest.short().to_owned(),
    }
}
