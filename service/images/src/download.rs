//! Blob downloads that survive the network: each blob streams into a resumable ingest while its digest is
//! computed; a download that breaks (reset, cut, stall, 5xx, 429) is retried inside the same pull from the
//! bytes already on disk (`Range`), with backoff and a bounded number of attempts. Only a verified commit,
//! a digest mismatch or an over-long body ends an ingest; anything else keeps it for the next try.
use std::{sync::Arc, time::Duration};

use futures::StreamExt;
use imaged_core::Digest;
use imaged_registry::Target;

use crate::{
    ChunkReader, EngineError, StreamBroken, Transfers, blocking,
    pull::{ProgressTx, protocol, report},
};

/// Attempts per blob (Docker's `maxDownloadAttempts`).
const DOWNLOAD_ATTEMPTS: u32 = 5;

/// True for failures another attempt may cure.
fn is_transient(e: &EngineError) -> bool {
    matches!(e, EngineError::Registry(r) if r.is_transient())
}

/// Exponential backoff (1, 2, 4, 8 s), or the registry's `Retry-After` (at most a minute).
fn retry_delay(e: &EngineError, attempt: u32) -> Duration {
    let asked = match e {
        EngineError::Registry(r) => r.retry_after(),
        _ => None,
    };
    asked.map(|d| d.min(Duration::from_secs(60))).unwrap_or_else(|| Duration::from_secs(1 << (attempt - 1).min(5)))
}

/// Runs `op` until it succeeds, fails for good, or has failed `DOWNLOAD_ATTEMPTS` times; each retry is
/// announced on `progress` as Docker announces it ("Retrying in 2 seconds").
pub(crate) async fn with_retries<T, F, Fut>(progress: &ProgressTx, id: &str, mut op: F) -> Result<T, EngineError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, EngineError>>,
{
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if attempt < DOWNLOAD_ATTEMPTS && is_transient(&e) => {
                let delay = retry_delay(&e, attempt);
                let secs = delay.as_secs().max(1);
                tracing::warn!(item = id, attempt, error = %e, "transfer failed; retrying in {secs} s");
                let plural = if secs == 1 { "" } else { "s" };
                report(progress, id, &format!("Retrying in {secs} second{plural}"), 0, 0).await;
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

impl Transfers {
    /// Downloads one blob into the store unless it is there. Concurrent calls for the same digest wait for
    /// the first. Returns whether bytes were downloaded.
    pub(crate) async fn fetch_blob(
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
        with_retries(progress, &short, || self.download(target, digest, size, progress)).await?;
        report(progress, &short, "Download complete", size, size).await;
        report(progress, &short, "Pull complete", size, size).await;
        Ok(true)
    }

    /// The ingest's writer. A pull that was cancelled lets go of the blob's turn as soon as its task is
    /// dropped, but the thread writing its bytes lets go of the ingest only when it has seen the end of
    /// the stream: a waiting pull that takes over in that moment waits for it (briefly) instead of
    /// failing with "in use".
    async fn take_ingest(&self, ingest: &str) -> Result<imaged_store::IngestWriter, EngineError> {
        let started = tokio::time::Instant::now();
        loop {
            let (store, name) = (self.store().clone(), ingest.to_owned());
            match blocking(move || Ok(store.writer(&name)?)).await {
                Err(EngineError::Store(imaged_store::StoreError::Locked(_)))
                    if started.elapsed() < std::time::Duration::from_secs(5) =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                other => return other,
            }
        }
    }

    /// One attempt: asks for the bytes after those already in the ingest, streams them in and commits
    /// when the blob is complete and verified.
    async fn download(
        &self,
        target: &Target<'_>,
        digest: &Digest,
        size: u64,
        progress: &ProgressTx,
    ) -> Result<(), EngineError> {
        let short = digest.short().to_owned();
        let ingest = format!("pull-{digest}");
        let mut writer = self.take_ingest(&ingest).await?;
        let mut offset = writer.offset();
        if offset >= size {
            offset = 0;
        }
        let download = self.registry().get_blob(target, digest, offset).await?;
        if offset > 0 && !download.partial {
            // The registry ignored the range: start the blob again from its first byte.
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
            if w.offset() < expected {
                // The producer went away (a cancelled pull, a sibling's failure) without saying why: a short
                // blob is never committed, so the bytes stay in the ingest for the next pull.
                return Err(EngineError::Cancelled);
            }
            Ok(w.commit(Some(expected), Some(&d2))?)
        });
        let mut body = download.body;
        let mut current = offset;
        let mut failure = None;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(c) => {
                    current += c.len() as u64;
                    if current > size {
                        failure = Some(protocol(target.host, format!("blob {digest} is longer than its {size} bytes")));
                        let _ = tx.send(Err(StreamBroken("the blob is longer than its descriptor".into()))).await;
                        break;
                    }
                    if tx.send(Ok(c)).await.is_err() {
                        break;
                    }
                    report(progress, &short, "Downloading", current, size).await;
                }
                Err(e) => {
                    // The bytes so far stay in the ingest: the next attempt resumes after them.
                    failure = Some(EngineError::Registry(e));
                    let _ = tx.send(Err(StreamBroken("the download broke off".into()))).await;
                    break;
                }
            }
        }
        drop(tx);
        let committed = job.await.map_err(|e| EngineError::Task(e.to_string()))?;
        if let Some(f) = failure {
            if current > size {
                let _ = self.store().abort(&ingest);
            }
            return Err(f);
        }
        if let Err(e) = committed {
            // A full disk cannot resume later in a useful way: give the space back now.
            if e.kind() == imaged_core::ErrorKind::ResourceExhausted {
                let _ = self.store().abort(&ingest);
            }
            return Err(e);
        }
        Ok(())
    }
}
