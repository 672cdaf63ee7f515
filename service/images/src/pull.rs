//! Pull: resolve, choose the platform, fetch config and layers in parallel (bounded), verify every byte
//! as it streams into a resumable ingest, skip blobs already stored, join a download already in flight.
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt, stream};
use imaged_core::{Digest, Namespace, Platform, Reference, media_types};
use imaged_index::{DescriptorRecord, LayerRecord, Lease};
use imaged_registry::{Credentials, Target};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::{ChunkReader, Engine, EngineError, ImageConfigDoc, blocking, now_nanos};

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
    pub platform: Option<Platform>,
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

fn protocol(host: &str, reason: String) -> EngineError {
    EngineError::Registry(imaged_registry::RegistryError::Protocol { host: host.to_owned(), reason })
}

fn descriptor(host: &str, v: &Value) -> Result<(Digest, u64, String), EngineError> {
    let digest = v["digest"]
        .as_str()
        .and_then(|d| Digest::parse(d).ok())
        .ok_or_else(|| protocol(host, "a descriptor has no valid digest".into()))?;
    let size = v["size"].as_u64().ok_or_else(|| protocol(host, format!("descriptor {digest} has no size")))?;
    Ok((digest, size, v["mediaType"].as_str().unwrap_or_default().to_owned()))
}

impl Engine {
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
        let platform = opts.platform.clone().unwrap_or_else(|| self.platform().clone());
        if !opts.all_tags {
            return Ok(vec![self.pull_one(ns, reference, &platform, creds.as_ref(), &progress).await?]);
        }
        let target = Target { host: reference.domain(), repo: reference.path(), creds: creds.as_ref() };
        let mut tags = self.registry().tags(&target).await?;
        tags.sort();
        let mut out = Vec::new();
        for t in tags {
            out.push(self.pull_one(ns, &reference.with_tag(&t), &platform, creds.as_ref(), &progress).await?);
        }
        Ok(out)
    }

    async fn pull_one(
        &self,
        ns: &Namespace,
        r: &Reference,
        platform: &Platform,
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
            match self.registry().get_manifest(&t, &wanted).await {
                Ok(m) => {
                    resolved = Some((ep.clone(), m));
                    break;
                }
                Err(e) if !is_origin => {
                    tracing::warn!(mirror = %ep, error = %e, "mirror failed, trying the next endpoint")
                }
                Err(e) => return Err(e.into()),
            }
        }
        let (endpoint, top) = resolved.expect("the origin either resolved or returned");
        let host = endpoint.as_str();
        let target = Target { host, repo: r.path(), creds: if host == r.domain() { creds } else { None } };
        let mut manifest = top.clone();
        let doc: Value = serde_json::from_slice(&top.bytes).map_err(|e| protocol(host, e.to_string()))?;
        if doc.get("manifests").is_some() {
            let entries = doc["manifests"].as_array().cloned().unwrap_or_default();
            let chosen = entries
                .iter()
                .find(|e| {
                    let p = &e["platform"];
                    p["os"].as_str().is_some_and(|os| {
                        Platform::normalized(os, p["architecture"].as_str().unwrap_or(""), p["variant"].as_str())
                            .matches(platform)
                    })
                })
                .ok_or_else(|| EngineError::PlatformMismatch {
                    image: r.familiar(),
                    wanted: platform.to_string(),
                    have: "no matching manifest in the index".into(),
                })?;
            let (d, _, _) = descriptor(host, chosen)?;
            manifest = self.registry().get_manifest(&target, &d.to_string()).await?;
        }
        let mdoc: Value = serde_json::from_slice(&manifest.bytes).map_err(|e| protocol(host, e.to_string()))?;
        if mdoc.get("config").is_none() {
            return Err(protocol(
                host,
                format!("{} is not an image manifest ({})", manifest.digest, manifest.media_type),
            ));
        }
        let (cfg_digest, cfg_size, cfg_media) = descriptor(host, &mdoc["config"])?;
        let mut layers = Vec::new();
        for l in mdoc["layers"].as_array().cloned().unwrap_or_default() {
            layers.push(descriptor(host, &l)?);
        }

        let lease = Lease {
            id: format!("pull-lease-{:032x}", rand::random::<u128>()),
            created: now_nanos(),
            blobs: std::iter::once(manifest.digest.clone())
                .chain(std::iter::once(cfg_digest.clone()))
                .chain(layers.iter().map(|l| l.0.clone()))
                .collect(),
        };
        self.index().put_lease(&lease)?;
        let result = self
            .pull_blobs(ns, r, &target, &top, &manifest, (&cfg_digest, cfg_size, &cfg_media), &layers, progress)
            .await;
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
        manifest: &imaged_registry::Manifest,
        config: (&Digest, u64, &str),
        layers: &[(Digest, u64, String)],
        progress: &ProgressTx,
    ) -> Result<PullOutcome, EngineError> {
        let (cfg_digest, cfg_size, cfg_media) = config;
        let mut downloaded = self.fetch_blob(target, cfg_digest, cfg_size, &None).await?;
        let owned = (target.host.to_owned(), target.repo.to_owned(), target.creds.cloned());
        let futs: Vec<_> = layers
            .iter()
            .map(|(d, s, _)| {
                let (this, (host, repo, creds), d, s, p) =
                    (self.clone(), owned.clone(), d.clone(), *s, progress.clone());
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

        let (this, ns2, r2, top_digest, mbytes, mmedia) = (
            self.clone(),
            ns.clone(),
            r.clone(),
            top.digest.clone(),
            manifest.bytes.clone(),
            manifest.media_type.clone(),
        );
        let (cfg_digest, cfg_media) = (cfg_digest.clone(), cfg_media.to_owned());
        let layers = layers.to_vec();
        blocking(move || {
            let store = this.store();
            let config_bytes = store.read(&cfg_digest)?;
            let config = ImageConfigDoc::parse(&config_bytes)
                .map_err(|e| EngineError::BadConfig { digest: cfg_digest.to_string(), reason: e.to_string() })?;
            if config.rootfs.diff_ids.len() != layers.len() {
                return Err(EngineError::BadConfig {
                    digest: cfg_digest.to_string(),
                    reason: format!("{} diff ids for {} layers", config.rootfs.diff_ids.len(), layers.len()),
                });
            }
            let mut records = Vec::new();
            for ((d, s, m), diff) in layers.iter().zip(&config.rootfs.diff_ids) {
                let diff_id = Digest::parse(diff)
                    .map_err(|e| EngineError::BadConfig { digest: cfg_digest.to_string(), reason: e.to_string() })?;
                let media_type = if m.is_empty() { media_types::OCI_LAYER_GZIP.to_owned() } else { m.clone() };
                records.push(LayerRecord { media_type, digest: d.clone(), size: *s, diff_id });
            }
            let m = store.write_blob(&mbytes, Some(&Digest::of(&mbytes)))?;
            let tag_name = r2.tag().map(|t| r2.with_tag(t).to_string());
            let before = match &tag_name {
                Some(n) => this.index().resolve_name(&ns2, n)?,
                None => None,
            };
            let now = now_nanos();
            let manifest_desc = DescriptorRecord { media_type: mmedia, digest: m.digest, size: m.size };
            let config_desc = DescriptorRecord {
                media_type: if cfg_media.is_empty() { media_types::OCI_CONFIG.into() } else { cfg_media },
                digest: cfg_digest.clone(),
                size: config_bytes.len() as u64,
            };
            let record = config.record(manifest_desc, config_desc, records, now);
            let mut names: Vec<String> = tag_name.iter().cloned().collect();
            names.push(r2.repository().with_digest(top_digest.clone()).to_string());
            this.index().touch_namespace(&ns2, now)?;
            let _gc = this.inner.gc.read().expect("gc lock poisoned");
            this.index().put_image(&ns2, &record, &config_bytes, &names, now)?;
            let up_to_date = !downloaded && before.as_ref() == Some(&cfg_digest);
            let shown = r2.familiar();
            let status = if up_to_date {
                format!("Image is up to date for {shown}")
            } else {
                format!("Downloaded newer image for {shown}")
            };
            Ok(PullOutcome { reference: r2, digest: top_digest, image_id: cfg_digest, status })
        })
        .await
    }

    /// Downloads one blob into the store unless it is there. Concurrent calls for the same digest wait for
    /// the first; a partial download left by a crash or a cut connection resumes with a Range request.
    /// Returns whether bytes were downloaded.
    async fn fetch_blob(
        &self,
        target: &Target<'_>,
        digest: &Digest,
        size: u64,
        progress: &ProgressTx,
    ) -> Result<bool, EngineError> {
        let short = digest.short().to_owned();
        let lock = {
            let mut map = self.inner.inflight.lock().expect("inflight lock");
            map.entry(digest.clone()).or_insert_with(|| Arc::new(tokio::sync::Mutex::new(()))).clone()
        };
        let _guard = lock.lock().await;
        if self.store().exists(digest) {
            report(progress, &short, "Already exists", 0, 0).await;
            return Ok(false);
        }
        report(progress, &short, "Waiting", 0, size).await;
        let store = self.store().clone();
        let ingest = format!("pull-{digest}");
        let mut writer = blocking(move || Ok(store.writer(&ingest)?)).await?;
        let mut offset = writer.offset();
        if offset >= size {
            offset = 0;
        }
        let (resp, partial) = self.registry().get_blob(target, digest, offset).await?;
        if offset > 0 && !partial {
            offset = 0;
        }
        if offset == 0 && writer.offset() > 0 {
            writer = blocking(move || {
                writer.truncate()?;
                Ok(writer)
            })
            .await?;
        } else if offset > 0 {
            tracing::info!(blob = %digest, offset, "resuming download");
        }
        let (tx, reader) = ChunkReader::channel(8);
        let (expected, d2) = (size, digest.clone());
        let job = tokio::task::spawn_blocking(move || -> Result<imaged_store::Committed, EngineError> {
            let mut reader = reader;
            let mut w = writer;
            std::io::copy(&mut reader, &mut w).map_err(|source| EngineError::Io { path: "download".into(), source })?;
            Ok(w.commit(Some(expected), Some(&d2))?)
        });
        let mut body = resp.bytes_stream();
        let mut current = offset;
        let mut failure = None;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(c) => {
                    current += c.len() as u64;
                    if current > size {
                        failure = Some(protocol(target.host, format!("blob {digest} is longer than its {size} bytes")));
                        let _ = tx.send(None).await;
                        break;
                    }
                    if tx.send(Some(c)).await.is_err() {
                        break;
                    }
                    report(progress, &short, "Downloading", current, size).await;
                }
                Err(e) => {
                    failure = Some(EngineError::Registry(imaged_registry::RegistryError::Unreachable {
                        host: target.host.to_owned(),
                        reason: format!("download of {digest} broke off: {e}"),
                    }));
                    let _ = tx.send(None).await;
                    break;
                }
            }
        }
        drop(tx);
        let committed = job.await.map_err(|e| EngineError::Task(e.to_string()))?;
        if let Some(f) = failure {
            if current > size {
                let _ = self.store().abort(&format!("pull-{digest}"));
            }
            return Err(f);
        }
        if let Err(e) = committed {
            // A full disk cannot resume later in a useful way: give the space back now.
            if e.kind() == imaged_core::ErrorKind::ResourceExhausted {
                let _ = self.store().abort(&format!("pull-{digest}"));
            }
            return Err(e);
        }
        report(progress, &short, "Download complete", size, size).await;
        report(progress, &short, "Pull complete", size, size).await;
        Ok(true)
    }
}
