//! The content-addressed blob store under `ROOT/blobs/sha256/<hex>`.
//!
//! Lifecycle of a blob (as containerd's content store):
//! 1. [`BlobStore::writer`] opens (or resumes) an ingest under `ROOT/ingest/<sha256 of ref>/data`. Nothing is
//!    visible to readers yet. After a restart the same ref resumes at the bytes already written
//!    ([`BlobStore::ingest_status`]).
//! 2. [`IngestWriter::commit`] fsyncs the data, compares size and digest with what the caller expected,
//!    then renames it into `blobs/sha256/<hex>` and fsyncs the directory. Only then is the blob visible, and
//!    it is immutable from then on. A blob that exists already is reported with `existed = true`.
//! 3. [`BlobStore::delete`] removes a blob; callers (the engine's GC) decide when that is safe.
//!
//! A crash at any point leaves either no blob or a complete, verified one: partial data only ever lives
//! in `ingest/`.

mod error;
mod ingest;

use std::{
    fs::{self, File},
    io::{self, Read},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

pub use error::StoreError;
use imaged_core::{Digest, DigestAlgorithm, Sha256Hasher};
pub use ingest::{IngestStatus, IngestWriter};

/// Size and digest of a committed blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    pub digest: Digest,
    pub size: u64,
}

/// What a commit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub digest: Digest,
    pub size: u64,
    /// True when the blob was already in the store and the ingest was dropped.
    pub existed: bool,
}

/// The blob store. Cheap to clone; all methods are blocking (call them from blocking threads).
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<Inner>,
}

struct Inner {
    blobs: PathBuf,
    ingest: PathBuf,
    tmp: PathBuf,
    /// Refs with an open writer in this process: one writer per ref.
    active: Mutex<std::collections::HashSet<String>>,
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::from_io(path, source)
}

impl BlobStore {
    /// Opens (creating) the store under `root`. Clears `tmp/`; keeps `ingest/` for resumption.
    pub fn open(root: &Path) -> Result<Self, StoreError> {
        let blobs = root.join("blobs").join("sha256");
        let ingest = root.join("ingest");
        let tmp = root.join("tmp");
        for dir in [&blobs, &ingest] {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
        }
        fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
        Ok(Self { inner: Arc::new(Inner { blobs, ingest, tmp, active: Mutex::default() }) })
    }

    /// A directory for scratch files, emptied at every start.
    pub fn tmp_dir(&self) -> &Path {
        &self.inner.tmp
    }

    /// Where a committed blob lives.
    pub fn path(&self, digest: &Digest) -> PathBuf {
        self.inner.blobs.join(digest.hex())
    }

    fn check_alg(digest: &Digest) -> Result<(), StoreError> {
        if digest.algorithm() == DigestAlgorithm::Sha256 {
            Ok(())
        } else {
            Err(StoreError::UnsupportedAlgorithm(digest.clone()))
        }
    }

    pub fn exists(&self, digest: &Digest) -> bool {
        digest.algorithm() == DigestAlgorithm::Sha256 && self.path(digest).is_file()
    }

    pub fn info(&self, digest: &Digest) -> Result<BlobInfo, StoreError> {
        Self::check_alg(digest)?;
        let path = self.path(digest);
        match fs::metadata(&path) {
            Ok(m) => Ok(BlobInfo { digest: digest.clone(), size: m.len() }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::NotFound(digest.clone())),
            Err(e) => Err(StoreError::from_io(&path, e)),
        }
    }

    /// Opens a committed blob for reading.
    pub fn open_blob(&self, digest: &Digest) -> Result<File, StoreError> {
        Self::check_alg(digest)?;
        let path = self.path(digest);
        File::open(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => StoreError::NotFound(digest.clone()),
            _ => StoreError::from_io(&path, e),
        })
    }

    /// Reads a whole (small) blob.
    pub fn read(&self, digest: &Digest) -> Result<Vec<u8>, StoreError> {
        let mut buf = Vec::new();
        let path = self.path(digest);
        self.open_blob(digest)?.read_to_end(&mut buf).map_err(io_err(&path))?;
        Ok(buf)
    }

    /// Re-hashes a blob and reports whether it still matches its name.
    pub fn verify(&self, digest: &Digest) -> Result<bool, StoreError> {
        let path = self.path(digest);
        let mut f = self.open_blob(digest)?;
        let mut h = Sha256Hasher::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf).map_err(io_err(&path))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        Ok(&h.finish() == digest)
    }

    /// Stores a small blob given whole (manifests, configs), verified against `expected` when given.
    pub fn write_blob(&self, data: &[u8], expected: Option<&Digest>) -> Result<Committed, StoreError> {
        let digest = Digest::of(data);
        if let Some(e) = expected
            && e != &digest
        {
            return Err(StoreError::DigestMismatch { expected: e.clone(), actual: digest });
        }
        if self.exists(&digest) {
            return Ok(Committed { size: data.len() as u64, digest, existed: true });
        }
        // A ref of its own per call: two operations storing the same small blob must not lock each other.
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut w = self.writer(&format!("write-{digest}-{}-{seq}", std::process::id()))?;
        if w.offset() != 0 {
            w.truncate()?;
        }
        io::Write::write_all(&mut w, data).map_err(io_err(&self.inner.ingest))?;
        w.commit(Some(data.len() as u64), Some(&digest))
    }

    /// Deletes a blob. Returns its size, or `None` when it was not there.
    pub fn delete(&self, digest: &Digest) -> Result<Option<u64>, StoreError> {
        Self::check_alg(digest)?;
        let path = self.path(digest);
        let size = match fs::metadata(&path) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::from_io(&path, e)),
        };
        match fs::remove_file(&path) {
            Ok(()) => Ok(Some(size)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::from_io(&path, e)),
        }
    }

    /// Every committed blob. Files whose names are not sha256 hex are skipped.
    pub fn walk(&self) -> Result<Vec<BlobInfo>, StoreError> {
        let dir = &self.inner.blobs;
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).map_err(io_err(dir))? {
            let entry = entry.map_err(io_err(dir))?;
            let name = entry.file_name();
            let Some(digest) = name.to_str().and_then(|n| Digest::sha256_hex(n).ok()) else {
                continue;
            };
            let size = entry.metadata().map_err(io_err(&entry.path()))?.len();
            out.push(BlobInfo { digest, size });
        }
        Ok(out)
    }

    /// Total bytes of committed blobs.
    pub fn total_size(&self) -> Result<u64, StoreError> {
        Ok(self.walk()?.iter().map(|b| b.size).sum())
    }
}

/// fsync a directory so a rename into it survives a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

#[cfg(test)]
mod tests;
