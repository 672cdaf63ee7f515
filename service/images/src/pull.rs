//! Pull: resolve, choose the platform, fetch config and layers in parallel (bounded), verify every byte
//! as it streams into a resumable ingest, skip blobs already stored, join a download already in flight.

use futures::{StreamExt, TryStreamExt, stream};
use imaged_core::{Descriptor, Digest, Manifest, Namespace, Node, Platform, PlatformPolicy, Reference, media_types};
use imaged_index::{ChildRecord, DescriptorRecord, IndexRecord, Lease};
use imaged_registry::{Credentials, Target};
use tokio::sync::mpsc;

use crate::{EngineError, ImageConfigDoc, Transfers, blocking, download::with_retries, now_nanos};

/// A progress line, as Docker's JSON progress messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressEvent {
    /// Short blob id (12 hex) or empty for the pull as a whole.
    pub id: String,
    pub status: String,
    pub current: u64,
    pub total: u64,
}

pub type ProgressTx = Option<mpsc::Sender<ProgressEvent>>;

pub(crate) async fn report(tx: &ProgressTx, id: &str, status: &str, current: u64, total: u64) {
    if let Some(tx) = tx {
        let _ = tx.send(ProgressEvent { id: id.to_owned(), status: status.to_owned(), current, total }).await;
    }
}

/// Options of a pull.
#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    pub all_tags: bool,
    /// The platforms to take from an index (default: the daemon's); their attestations come with them.
    /// The first is the image's platform in use.
    pub platforms: Vec<Platform>,
    /// Every manifest of an index: all platforms and all attestations.
    pub all_platforms: bool,
    /// Credentials for this call; stored ones are used otherwise.
    pub creds: Option<Credentials>,
}

/// One pulled reference.
#[derive(Debug, Clone)]
pub struct PullOutcome {
    pub reference: Reference,
    pub digest: Digest,
    pub image_id: Digest,
    pub status: String,
}

pub(crate) fn protocol(host: &str, reason: String) -> EngineError {
    EngineError::Registry(imaged_registry::RegistryError::Protocol { host: host.to_owned(), reason })
}

/// A pull's lease, released when the pull ends in any way, also by being dropped.
struct LeaseGuard {
    engine: crate::Engine,
    lease: Option<Lease>,
}

impl LeaseGuard {
    fn disarm(mut self) -> Lease {
        self.lease.take().expect("armed")
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        if let Some(lease) = self.lease.take() {
            // Off the async workers: collecting takes the GC lock, which a long import may hold.
            let engine = self.engine.clone();
            let release = move || {
                let _ = engine.index().delete_lease(&lease.id);
                let _ = engine.collect(&lease.blobs);
            };
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => drop(runtime.spawn_blocking(release)),
                Err(_) => release(),
            }
        }
    }
}

/// Configs larger than this are refused before they are downloaded (configs are read into memory).
const MAX_CONFIG: u64 = 64 << 20;

/// One image manifest being pulled: the bytes fetched, their typed view, and (from an index) the
/// descriptor that named it.
struct Pulled {
    raw: imaged_registry::Manifest,
    doc: Manifest,
    from_index: Option<Descriptor>,
}

impl Transfers {
    /// Pulls a reference (or every tag of its repository).
    pub async fn pull(
        &self,
        ns: &Namespace,
        reference: &Reference,
        opts: PullOptions,
        progress: ProgressTx,
    ) -> Result<Vec<PullOutcome>, EngineError> {
        let creds = match &opts.creds {
            Some(c) => Some(c.clone()),
            None => {
                let (this, ns2, host) = (self.clone(), ns.clone(), reference.domain().to_owned());
                blocking(move || this.stored_credentials(&ns2, &host)).await?
            }
        };
        let policy = if opts.all_platforms {
            PlatformPolicy::All
        } else {
            let mut wanted = opts.platforms.clone();
            if wanted.is_empty() {
                wanted.push(self.platform().clone());
            }
            PlatformPolicy::Only(wanted)
        };
        if !opts.all_tags {
            return Ok(vec![self.pull_one(ns, reference, &policy, creds.as_ref(), &progress).await?]);
        }
        let target = Target { host: reference.domain(), repo: reference.path(), creds: creds.as_ref() };
        let mut tags = self.registry().tags(&target).await?;
        tags.sort();
        let mut out = Vec::new();
        for t in tags {
            out.push(self.pull_one(ns, &reference.with_tag(&t), &policy, creds.as_ref(), &progress).await?);
        }
        Ok(out)
    }

    async fn pull_one(
        &self,
        ns: &Namespace,
        r: &Reference,
        policy: &PlatformPolicy,
        creds: Option<&Credentials>,
        progress: &ProgressTx,
    ) -> Result<PullOutcome, EngineError> {
        let wanted =
            r.digest().map(|d| d.to_string()).or_else(|| r.tag().map(str::to_owned)).unwrap_or_else(|| "latest".into());
        report(progress, "", &format!("Pulling from {}", r.path()), 0, 0).await;
        // Mirrors first (without the origin's credentials), then the origin; blobs come from whichever
        // endpoint resolved the reference.
        let mut endpoints: Vec<String> = self.inner.mirrors.get(r.domain()).cloned().unwrap_or_default();
        endpoints.push(r.domain().to_owned());
        let mut resolved = None;
        for (i, ep) in endpoints.iter().enumerate() {
            let is_origin = i + 1 == endpoints.len();
            let t = Target { host: ep, repo: r.path(), creds: if is_origin { creds } else { None } };
            let fetched = if is_origin {
                with_retries(progress, "", || async { Ok(self.registry().get_manifest(&t, &wanted).await?) }).await
            } else {
                self.registry().get_manifest(&t, &wanted).await.map_err(EngineError::from)
            };
            match fetched {
                Ok(m) => {
                    resolved = Some((ep.clone(), m));
                    break;
                }
                Err(e) if !is_origin => {
                    tracing::warn!(mirror = %ep, error = %e, "mirror failed, trying the next endpoint")
                }
                Err(e) => return Err(e),
            }
        }
        let (endpoint, top) = resolved.expect("the origin either resolved or returned");
        let host = endpoint.as_str();
        let target = Target { host, repo: r.path(), creds: if host == r.domain() { creds } else { None } };
        let unreadable =
            |digest: &Digest, e: imaged_core::content::ContentError| protocol(host, format!("{digest}: {e}"));
        let (index, images) = match Node::parse(&top.media_type, &top.bytes).map_err(|e| unreadable(&top.digest, e))? {
            Node::Manifest(doc) => (None, vec![Pulled { raw: top.clone(), doc: *doc, from_index: None }]),
            Node::Index(index) => {
                let chosen: Vec<Descriptor> = policy.select(&index).into_iter().cloned().collect();
                if !chosen.iter().any(Descriptor::is_runnable_image) {
                    let have: Vec<String> = index
                        .manifests
                        .iter()
                        .filter(|d| d.is_runnable_image())
                        .filter_map(|d| d.platform.as_ref().map(ToString::to_string))
                        .collect();
                    let wanted = match policy {
                        PlatformPolicy::All => "any platform".to_owned(),
                        PlatformPolicy::Only(p) => p.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                    };
                    return Err(EngineError::PlatformMismatch {
                        image: r.familiar(),
                        wanted,
                        have: if have.is_empty() { "no platform".into() } else { have.join(", ") },
                    });
                }
                let mut images = Vec::new();
                for d in chosen {
                    let reference = d.digest.to_string();
                    let raw = with_retries(progress, "", || async {
                        Ok(self.registry().get_manifest(&target, &reference).await?)
                    })
                    .await?;
                    match Node::parse(&d.media_type, &raw.bytes).map_err(|e| unreadable(&d.digest, e))? {
                        Node::Manifest(doc) => images.push(Pulled { raw, doc: *doc, from_index: Some(d) }),
                        Node::Index(_) => {
                            return Err(protocol(
                                host,
                                format!("{}: an index inside an index is not supported", d.digest),
                            ));
                        }
                    }
                }
                (Some(index), images)
            }
        };

        let mut held: Vec<Digest> = vec![top.digest.clone()];
        for p in &images {
            held.push(p.raw.digest.clone());
            held.extend(p.doc.blobs().map(|b| b.digest.clone()));
        }
        let lease =
            Lease { id: format!("pull-lease-{:032x}", rand::random::<u128>()), created: now_nanos(), blobs: held };
        self.index().put_lease(&lease)?;
        // Dropped with the pull (a client that went away): the lease goes, and so do the blobs it held that
        // no image uses.
        let guard = LeaseGuard { engine: (**self).clone(), lease: Some(lease) };
        let prefer = match policy {
            PlatformPolicy::Only(p) if !p.is_empty() => p[0].clone(),
            _ => self.platform().clone(),
        };
        let result = self.pull_blobs(ns, r, &target, &top, index.as_ref(), &images, &prefer, progress).await;
        let lease = guard.disarm();
        self.index().delete_lease(&lease.id)?;
        if result.is_err() {
            // Blobs this failed pull stored and no image uses go again; partial downloads stay in ingest/.
            let this = self.clone();
            blocking(move || this.collect(&lease.blobs)).await?;
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    async fn pull_blobs(
        &self,
        ns: &Namespace,
        r: &Reference,
        target: &Target<'_>,
        top: &imaged_registry::Manifest,
        index_doc: Option<&imaged_core::Index>,
        images: &[Pulled],
        prefer: &Platform,
        progress: &ProgressTx,
    ) -> Result<PullOutcome, EngineError> {
        // The image in use: the one for `prefer` (the host's, or the platform asked for), else the first
        // runnable one.
        let runnable = |p: &&Pulled| p.from_index.as_ref().is_none_or(Descriptor::is_runnable_image);
        let primary = images
            .iter()
            .filter(runnable)
            .find(|p| p.from_index.as_ref().and_then(|d| d.platform.as_ref()).is_none_or(|pl| prefer.matches(pl)))
            .or_else(|| images.iter().find(runnable))
            .expect("a runnable manifest was chosen");
        let config = &primary.doc.config;
        self.check_claims(images)?;
        let mut downloaded = self.fetch_blob(target, &config.digest, config.size, &None).await?;
        let mut wanted: Vec<(Digest, u64)> = Vec::new();
        for p in images {
            for b in p.doc.blobs() {
                if !wanted.iter().any(|(d, _)| *d == b.digest) && b.digest != config.digest {
                    wanted.push((b.digest.clone(), b.size));
                }
            }
        }
        let owned = (target.host.to_owned(), target.repo.to_owned(), target.creds.cloned());
        let futs: Vec<_> = wanted
            .into_iter()
            .map(|(d, s)| {
                let (this, (host, repo, creds), p) = (self.clone(), owned.clone(), progress.clone());
                async move {
                    let t = Target { host: &host, repo: &repo, creds: creds.as_ref() };
                    this.fetch_blob(&t, &d, s, &p).await
                }
            })
            .collect();
        let parallel = self.inner.options.downloads_for(target.host);
        let downloads: Vec<bool> = stream::iter(futs).buffer_unordered(parallel).try_collect().await?;
        downloaded |= downloads.iter().any(|d| *d);
        report(progress, "", &format!("Digest: {}", top.digest), 0, 0).await;

        let index = index_doc.map(|doc| IndexRecord {
            entries: doc.manifests.iter().map(imaged_index::IndexEntry::of).collect(),
            descriptor: DescriptorRecord {
                media_type: top.media_type.clone(),
                digest: top.digest.clone(),
                size: top.bytes.len() as u64,
            },
            children: images
                .iter()
                .map(|p| ChildRecord {
                    manifest: DescriptorRecord {
                        media_type: p.raw.media_type.clone(),
                        digest: p.raw.digest.clone(),
                        size: p.raw.bytes.len() as u64,
                    },
                    platform: p.from_index.as_ref().and_then(|d| d.platform.as_ref()).map(ToString::to_string),
                    attests: p.from_index.as_ref().and_then(Descriptor::attests),
                    blobs: p.doc.blobs().map(DescriptorRecord::from).collect(),
                })
                .collect(),
        });
        let is_index = index.is_some();
        let manifests: Vec<(Digest, Vec<u8>)> = std::iter::once((top.digest.clone(), top.bytes.clone()))
            .filter(|_| is_index)
            .chain(images.iter().map(|p| (p.raw.digest.clone(), p.raw.bytes.clone())))
            .collect();
        let measure: Vec<(Digest, u64)> = primary.doc.layers.iter().map(|l| (l.digest.clone(), l.size)).collect();
        let (this, ns2, r2, top_digest) = (self.clone(), ns.clone(), r.clone(), top.digest.clone());
        let manifest_desc = DescriptorRecord {
            media_type: primary.raw.media_type.clone(),
            digest: primary.raw.digest.clone(),
            size: primary.raw.bytes.len() as u64,
        };
        let (cfg_digest, cfg_media) = (config.digest.clone(), config.media_type.clone());
        let layers: Vec<DescriptorRecord> = primary.doc.layers.iter().map(DescriptorRecord::from).collect();
        let outcome = blocking(move || {
            let store = this.store();
            let config_bytes = store.read(&cfg_digest)?;
            let config = ImageConfigDoc::parse(&config_bytes)
                .map_err(|e| EngineError::BadConfig { digest: cfg_digest.to_string(), reason: e.to_string() })?;
            let records = config.layer_records(&cfg_digest, &layers)?;
            // Manifests and the index are stored as the exact bytes fetched (verified against their digests).
            for (digest, bytes) in &manifests {
                store.write_blob(bytes, Some(digest))?;
            }
            let tag_name = r2.tag().map(|t| r2.with_tag(t).to_string());
            let before = match &tag_name {
                Some(n) => this.index().resolve_name(&ns2, n)?,
                None => None,
            };
            let now = now_nanos();
            let config_desc = DescriptorRecord {
                media_type: if cfg_media.is_empty() { media_types::OCI_CONFIG.into() } else { cfg_media },
                digest: cfg_digest.clone(),
                size: config_bytes.len() as u64,
            };
            let mut names: Vec<String> = tag_name.iter().cloned().collect();
            let digest_name = r2.repository().with_digest(top_digest.clone()).to_string();
            names.push(digest_name.clone());
            // Another platform of the index a name already stands for joins that image: the tag is not
            // re-pointed.
            let same_index = |id: &Digest| -> Result<Option<imaged_index::ImageRecord>, EngineError> {
                let rec = this.index().get_image(&ns2, id)?;
                Ok(rec.filter(|rec| rec.index.as_ref().is_some_and(|i| i.descriptor.digest == top_digest)))
            };
            let existing = match (&before, index.is_some()) {
                (Some(id), true) => same_index(id)?,
                (None, true) => match this.index().resolve_name(&ns2, &digest_name)? {
                    Some(id) => same_index(&id)?,
                    None => None,
                },
                _ => None,
            };
            let record = match existing {
                Some(mut rec) => {
                    rec.index = index;
                    rec
                }
                None => {
                    let mut record = config.record(manifest_desc, config_desc, records, now);
                    record.index = index;
                    record
                }
            };
            let image_id = record.id.clone();
            this.index().touch_namespace(&ns2, now)?;
            let _gc = this.inner.gc.read().expect("gc lock poisoned");
            this.index().put_image(&ns2, &record, &config_bytes, &names, now)?;
            let up_to_date = !downloaded && before.as_ref() == Some(&image_id);
            let shown = r2.familiar();
            let status = if up_to_date {
                format!("Image is up to date for {shown}")
            } else {
                format!("Downloaded newer image for {shown}")
            };
            Ok(PullOutcome { reference: r2, digest: top_digest, image_id, status })
        })
        .await;
        if outcome.is_ok() {
            self.measure_later(measure);
        }
        outcome
    }

    /// Refuses, before a byte is downloaded, what the manifests claim and imaged will not take: a config
    /// over 64 MiB, or more blob bytes than the disk under the root has free.
    fn check_claims(&self, images: &[Pulled]) -> Result<(), EngineError> {
        let mut needed = 0u64;
        let mut seen = std::collections::HashSet::new();
        for p in images {
            if p.doc.config.size > MAX_CONFIG {
                return Err(EngineError::ClaimsTooMuch {
                    what: "config",
                    digest: p.doc.config.digest.to_string(),
                    size: p.doc.config.size,
                    limit: MAX_CONFIG,
                });
            }
            for b in p.doc.blobs() {
                if seen.insert(&b.digest) && !self.store().exists(&b.digest) {
                    needed = needed.saturating_add(b.size);
                }
            }
        }
        if let Ok(available) = fs2::available_space(self.root())
            && needed > available
        {
            return Err(EngineError::NoSpaceFor { needed, available });
        }
        Ok(())
    }
}
