use std::{
    fs::{self, File, OpenOptions},
    io::{self, BufWriter, Read, Seek, SeekFrom, Write},
    path::PathBuf,
    time::SystemTime,
};

use imaged_core::{Digest, Sha256Hasher};

use crate::{BlobStore, Committed, StoreError, io_err, sync_dir};

/// An ingest that survived in `ingest/`, e.g. after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestStatus {
    /// The ref the ingest was opened with.
    pub reference: String,
    /// Bytes written so far; a resumed writer continues here.
    pub offset: u64,
    pub updated: SystemTime,
}

/// Writes one blob. Bytes are hashed as they are written; [`IngestWriter::commit`] makes the blob visible.
/// Dropping a writer without committing keeps the partial data for a later resume.
pub struct IngestWriter {
    store: BlobStore,
    reference: String,
    dir: PathBuf,
    file: BufWriter<File>,
    hasher: Sha256Hasher,
    offset: u64,
}

fn ref_dir_name(reference: &str) -> String {
    Digest::of(reference.as_bytes()).hex().to_owned()
}

impl BlobStore {
    /// Opens the ingest for `reference`, resuming at the bytes already written (they are re-hashed).
    /// Only one writer per ref at a time: a second one gets [`StoreError::Locked`].
    pub fn writer(&self, reference: &str) -> Result<IngestWriter, StoreError> {
        {
            let mut active = self.inner.active.lock().expect("ingest lock poisoned");
            if !active.insert(reference.to_owned()) {
                return Err(StoreError::Locked(reference.to_owned()));
            }
        }
        let unlock = |e| {
            self.inner.active.lock().expect("ingest lock poisoned").remove(reference);
            e
        };
        self.open_writer(reference).map_err(unlock)
    }

    fn open_writer(&self, reference: &str) -> Result<IngestWriter, StoreError> {
        let dir = self.inner.ingest.join(ref_dir_name(reference));
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let ref_file = dir.join("ref");
        if !ref_file.exists() {
            fs::write(&ref_file, reference).map_err(io_err(&ref_file))?;
        }
        let data = dir.join("data");
        let mut file = OpenOptions::new().create(true).read(true).append(true).open(&data).map_err(io_err(&data))?;
        let mut hasher = Sha256Hasher::new();
        let mut offset = 0u64;
        let mut buf = vec![0u8; 1 << 20];
        file.seek(SeekFrom::Start(0)).map_err(io_err(&data))?;
        loop {
            let n = file.read(&mut buf).map_err(io_err(&data))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            offset += n as u64;
        }
        Ok(IngestWriter {
            store: self.clone(),
            reference: reference.to_owned(),
            dir,
            file: BufWriter::with_capacity(1 << 20, file),
            hasher,
            offset,
        })
    }

    /// The status of a stored ingest, if any.
    pub fn ingest_status(&self, reference: &str) -> Result<Option<IngestStatus>, StoreError> {
        let data = self.inner.ingest.join(ref_dir_name(reference)).join("data");
        match fs::metadata(&data) {
            Ok(m) => Ok(Some(IngestStatus {
                reference: reference.to_owned(),
                offset: m.len(),
                updated: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            })),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::from_io(&data, e)),
        }
    }

    /// Every ingest on disk.
    pub fn list_ingests(&self) -> Result<Vec<IngestStatus>, StoreError> {
        let root = &self.inner.ingest;
        let mut out = Vec::new();
        for entry in fs::read_dir(root).map_err(io_err(root))? {
            let dir = entry.map_err(io_err(root))?.path();
            let Ok(reference) = fs::read_to_string(dir.join("ref")) else {
                continue;
            };
            if let Some(s) = self.ingest_status(&reference)? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Drops an ingest and its partial data. Refused while a writer holds it.
    pub fn abort(&self, reference: &str) -> Result<(), StoreError> {
        if self.inner.active.lock().expect("ingest lock poisoned").contains(reference) {
            return Err(StoreError::Locked(reference.to_owned()));
        }
        let dir = self.inner.ingest.join(ref_dir_name(reference));
        match fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::from_io(&dir, e)),
        }
    }
}

impl IngestWriter {
    /// Bytes written so far, including those of an earlier session.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// Discards the bytes written so far and starts over.
    pub fn truncate(&mut self) -> Result<(), StoreError> {
        let data = self.dir.join("data");
        self.file.flush().map_err(io_err(&data))?;
        self.file.get_ref().set_len(0).map_err(io_err(&data))?;
        self.hasher = Sha256Hasher::new();
        self.offset = 0;
        Ok(())
    }

    /// fsyncs, verifies size and digest when expected values are given, and moves the data into
    /// `blobs/sha256/<hex>`. On a mismatch the ingest is discarded and nothing becomes visible.
    pub fn commit(mut self, expected_size: Option<u64>, expected: Option<&Digest>) -> Result<Committed, StoreError> {
        let data = self.dir.join("data");
        self.file.flush().map_err(io_err(&data))?;
        self.file.get_ref().sync_all().map_err(io_err(&data))?;
        let digest = std::mem::take(&mut self.hasher).finish();
        let size = self.offset;
        let mismatch = if let Some(e) = expected
            && e != &digest
        {
            Some(StoreError::DigestMismatch { expected: e.clone(), actual: digest.clone() })
        } else if let Some(s) = expected_size
            && s != size
        {
            Some(StoreError::SizeMismatch { digest: digest.clone(), expected: s, actual: size })
        } else {
            None
        };
        if let Some(err) = mismatch {
            let _ = fs::remove_dir_all(&self.dir);
            return Err(err);
        }
        let target = self.store.path(&digest);
        let existed = target.exists();
        if !existed {
            let blobs = target.parent().expect("blob path has a parent").to_owned();
            let mut perms = self.file.get_ref().metadata().map_err(io_err(&data))?.permissions();
            perms.set_readonly(true);
            fs::set_permissions(&data, perms).map_err(io_err(&data))?;
            fs::rename(&data, &target).map_err(io_err(&target))?;
            sync_dir(&blobs)?;
        }
        fs::remove_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        Ok(Committed { digest, size, existed })
    }
}

impl Write for IngestWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.offset += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for IngestWriter {
    fn drop(&mut self) {
        let _ = self.file.flush();
        self.store.inner.active.lock().expect("ingest lock poisoned").remove(&self.reference);
    }
}
