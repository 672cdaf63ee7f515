//! The metadata index, kept in sled under `ROOT/index/`.
//!
//! # Schema (version 1)
//!
//! ```text
//! tree        key                                value
//! meta        "schema_version"                   "1"
//! namespaces  <ns>                               unix nanos when first used
//! images      <ns> 0x00 <image id hex>           ImageRecord (JSON)
//! names       <ns> 0x00 <normalised reference>   <image id hex>   (tags `repo:tag` and digests `repo@sha256:…`)
//! configs     <config digest>                    raw config JSON, a copy of the blob so that List, Inspect and
//!                                                History never read blob files (shared between namespaces)
//! blob_refs   <blob digest>                      u64 big endian: how many image records (in all namespaces)
//!                                                reference the blob (manifest, config and each distinct layer)
//! containers  <ns> 0x00 <container id>           ContainerRecord (JSON)
//! leases      <lease id>                         Lease (JSON): blobs an in-flight operation holds against GC
//! layer_sizes <layer blob digest>                  u64 big endian: the layer's unpacked size as Docker counts it
//!                                                (file contents and symlink targets), computed once
//! build_cache <step cache key hex>               the build state after a Dockerfile step (JSON: config and
//!                                                layers); holds no blob: a hit whose blobs are gone is a miss
//! ```
//!
//! Every change that touches more than one tree runs in one sled transaction, and is flushed before the
//! call returns. A blob whose count reaches zero is reported to the caller, which deletes it from the store
//! *after* the transaction (a crash in between leaves an orphan blob, never a dangling reference).

mod error;
mod records;

use std::collections::BTreeSet;

pub use error::IndexError;
use imaged_core::{Digest, Namespace};
pub use records::{
    ChildRecord, ContainerRecord, DescriptorRecord, ImageRecord, IndexEntry, IndexRecord, LayerRecord, Lease,
};
use sled::{
    Transactional,
    transaction::{ConflictableTransactionError, TransactionError, TransactionalTree},
};

pub const SCHEMA_VERSION: &str = "1";
const SEP: u8 = 0;

/// The index. Cheap to clone; every method is blocking.
#[derive(Clone)]
pub struct Index {
    db: sled::Db,
    meta: sled::Tree,
    namespaces: sled::Tree,
    images: sled::Tree,
    names: sled::Tree,
    configs: sled::Tree,
    blob_refs: sled::Tree,
    containers: sled::Tree,
    leases: sled::Tree,
    build_cache: sled::Tree,
    layer_sizes: sled::Tree,
}

/// What changed when an image was stored or named.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    /// True when the image record did not exist before.
    pub created: bool,
    /// Images that lost a name to this one, with the name.
    pub moved: Vec<(Digest, String)>,
}

fn ns_key(ns: &Namespace, rest: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(ns.as_str().len() + 1 + rest.len());
    k.extend_from_slice(ns.as_str().as_bytes());
    k.push(SEP);
    k.extend_from_slice(rest.as_bytes());
    k
}

fn ns_prefix(ns: &Namespace) -> Vec<u8> {
    ns_key(ns, "")
}

type TxResult<T> = Result<T, ConflictableTransactionError<IndexError>>;

fn abort<T>(e: IndexError) -> TxResult<T> {
    Err(ConflictableTransactionError::Abort(e))
}

fn tx_get_json<T: serde::de::DeserializeOwned>(t: &TransactionalTree, key: &[u8]) -> TxResult<Option<T>> {
    match t.get(key)? {
        Some(v) => serde_json::from_slice(&v).map(Some).or_else(|e| abort(IndexError::Corrupt(e.to_string()))),
        None => Ok(None),
    }
}

fn tx_put_json<T: serde::Serialize>(t: &TransactionalTree, key: &[u8], value: &T) -> TxResult<()> {
    let bytes = serde_json::to_vec(value).expect("records serialise");
    t.insert(key, bytes)?;
    Ok(())
}

fn tx_add_ref(t: &TransactionalTree, digest: &Digest, delta: i64) -> TxResult<u64> {
    let key = digest.to_string();
    let cur = t.get(key.as_bytes())?.map(|v| decode_u64(&v)).unwrap_or(0);
    let next = (cur as i64 + delta).max(0) as u64;
    if next == 0 {
        t.remove(key.as_bytes())?;
    } else {
        t.insert(key.as_bytes(), &next.to_be_bytes())?;
    }
    Ok(next)
}

fn decode_u64(v: &[u8]) -> u64 {
    v.try_into().map(u64::from_be_bytes).unwrap_or(0)
}

fn unwrap_tx<T>(r: Result<T, TransactionError<IndexError>>) -> Result<T, IndexError> {
    r.map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => IndexError::Sled(e),
    })
}

impl Index {
    /// Opens (creating) the index in `dir` and checks the schema version. A lock held by another process
    /// (a daemon still exiting after a kill) is waited for up to five seconds.
    pub fn open(dir: &std::path::Path) -> Result<Self, IndexError> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut logged = false;
        let db = loop {
            match sled::Config::new().path(dir).open() {
                // sled wraps the lock failure in an `Other` error that names it.
                Err(sled::Error::Io(e))
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.to_string().contains("could not acquire lock") =>
                {
                    if std::time::Instant::now() >= deadline {
                        return Err(IndexError::Locked(dir.to_owned()));
                    }
                    if !logged {
                        tracing::warn!(index = %dir.display(), "the index is locked by another process; waiting up to 5 s");
                        logged = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => break other?,
            }
        };
        let tree = |n: &str| db.open_tree(n);
        let idx = Self {
            meta: tree("meta")?,
            namespaces: tree("namespaces")?,
            images: tree("images")?,
            names: tree("names")?,
            configs: tree("configs")?,
            blob_refs: tree("blob_refs")?,
            containers: tree("containers")?,
            leases: tree("leases")?,
            build_cache: tree("build_cache")?,
            layer_sizes: tree("layer_sizes")?,
            db,
        };
        match idx.meta.get("schema_version")? {
            None => {
                idx.meta.insert("schema_version", SCHEMA_VERSION)?;
                idx.db.flush()?;
            }
            Some(v) if v.as_ref() == SCHEMA_VERSION.as_bytes() => {}
            Some(v) => return Err(IndexError::Schema(String::from_utf8_lossy(&v).into_owned())),
        }
        Ok(idx)
    }

    fn flush(&self) -> Result<(), IndexError> {
        self.db.flush()?;
        Ok(())
    }

    /// Records that a namespace is in use.
    pub fn touch_namespace(&self, ns: &Namespace, now: i64) -> Result<(), IndexError> {
        if !self.namespaces.contains_key(ns.as_str())? {
            self.namespaces.insert(ns.as_str(), &now.to_be_bytes())?;
        }
        Ok(())
    }

    pub fn namespaces(&self) -> Result<Vec<Namespace>, IndexError> {
        let mut out = Vec::new();
        for kv in self.namespaces.iter() {
            let (k, _) = kv?;
            if let Ok(ns) = Namespace::parse(&String::from_utf8_lossy(&k)) {
                out.push(ns);
            }
        }
        Ok(out)
    }

    pub fn get_image(&self, ns: &Namespace, id: &Digest) -> Result<Option<ImageRecord>, IndexError> {
        self.images.get(ns_key(ns, id.hex()))?.map(|v| records::decode(&v)).transpose()
    }

    /// Every image of a namespace, ordered by id.
    pub fn list_images(&self, ns: &Namespace) -> Result<Vec<ImageRecord>, IndexError> {
        self.images.scan_prefix(ns_prefix(ns)).values().map(|v| records::decode(&v?)).collect()
    }

    /// Ids in a namespace that start with `hex_prefix`.
    pub fn find_id_prefix(&self, ns: &Namespace, hex_prefix: &str) -> Result<Vec<Digest>, IndexError> {
        let mut out = Vec::new();
        for k in self.images.scan_prefix(ns_key(ns, hex_prefix)).keys() {
            let k = k?;
            let hex = String::from_utf8_lossy(&k[ns.as_str().len() + 1..]).into_owned();
            out.push(Digest::sha256_hex(&hex).map_err(|e| IndexError::Corrupt(e.to_string()))?);
        }
        Ok(out)
    }

    /// The image a name (`repo:tag` or `repo@digest`, normalised) points at.
    pub fn resolve_name(&self, ns: &Namespace, name: &str) -> Result<Option<Digest>, IndexError> {
        self.names
            .get(ns_key(ns, name))?
            .map(|v| Digest::sha256_hex(&String::from_utf8_lossy(&v)).map_err(|e| IndexError::Corrupt(e.to_string())))
            .transpose()
    }

    /// The cached config JSON of an image.
    pub fn config(&self, digest: &Digest) -> Result<Option<Vec<u8>>, IndexError> {
        Ok(self.configs.get(digest.to_string())?.map(|v| v.to_vec()))
    }

    pub fn blob_refcount(&self, digest: &Digest) -> Result<u64, IndexError> {
        Ok(self.blob_refs.get(digest.to_string())?.map(|v| decode_u64(&v)).unwrap_or(0))
    }

    /// Every blob with a non-zero count.
    pub fn referenced_blobs(&self) -> Result<BTreeSet<String>, IndexError> {
        self.blob_refs.iter().keys().map(|k| Ok(String::from_utf8_lossy(&k?).into_owned())).collect()
    }

    /// Stores an image (or merges into the existing record with the same id) and points `names` at it.
    /// Names that pointed at another image are moved, as `docker tag` does: the other image keeps its record
    /// (it may become dangling). `config_json` is cached for Inspect and History.
    pub fn put_image(
        &self,
        ns: &Namespace,
        record: &ImageRecord,
        config_json: &[u8],
        names: &[String],
        now: i64,
    ) -> Result<PutOutcome, IndexError> {
        let out = unwrap_tx((&self.images, &self.names, &self.configs, &self.blob_refs).transaction(
            |(images, names_t, configs, refs)| {
                let key = ns_key(ns, record.id.hex());
                let mut outcome = PutOutcome::default();
                let mut rec: ImageRecord = match tx_get_json::<ImageRecord>(images, &key)? {
                    // The same image again, perhaps with more platforms of its index: count the new blobs.
                    Some(mut existing) => {
                        let before = existing.blobs();
                        match (&mut existing.index, &record.index) {
                            (Some(have), Some(new)) if have.descriptor.digest == new.descriptor.digest => {
                                have.merge(new)
                            }
                            (None, Some(new)) => existing.index = Some(new.clone()),
                            _ => {}
                        }
                        for d in existing.blobs() {
                            if !before.contains(&d) {
                                tx_add_ref(refs, &d, 1)?;
                            }
                        }
                        existing
                    }
                    None => {
                        outcome.created = true;
                        for d in record.blobs() {
                            tx_add_ref(refs, &d, 1)?;
                        }
                        if configs.get(record.config.digest.to_string().as_bytes())?.is_none() {
                            configs.insert(record.config.digest.to_string().as_bytes(), config_json)?;
                        }
                        let mut fresh = record.clone();
                        fresh.repo_tags.clear();
                        fresh.repo_digests.clear();
                        fresh
                    }
                };
                for name in names {
                    Self::tx_point_name(images, names_t, ns, name, &mut rec, &mut outcome)?;
                }
                if !names.is_empty() {
                    rec.last_tag_time = now;
                }
                tx_put_json(images, &key, &rec)?;
                Ok(outcome)
            },
        ))?;
        self.flush()?;
        Ok(out)
    }

    fn tx_point_name(
        images: &TransactionalTree,
        names_t: &TransactionalTree,
        ns: &Namespace,
        name: &str,
        rec: &mut ImageRecord,
        outcome: &mut PutOutcome,
    ) -> TxResult<()> {
        let nkey = ns_key(ns, name);
        if let Some(old) = names_t.get(&nkey)? {
            let old_hex = String::from_utf8_lossy(&old).into_owned();
            if old_hex != rec.id.hex() {
                let okey = ns_key(ns, &old_hex);
                if let Some(mut other) = tx_get_json::<ImageRecord>(images, &okey)? {
                    other.remove_name(name);
                    tx_put_json(images, &okey, &other)?;
                    outcome.moved.push((other.id.clone(), name.to_owned()));
                }
            }
        }
        names_t.insert(nkey, rec.id.hex().as_bytes())?;
        rec.add_name(name);
        Ok(())
    }

    /// A layer's unpacked size, when it was computed before.
    pub fn layer_size(&self, blob: &Digest) -> Result<Option<u64>, IndexError> {
        Ok(self.layer_sizes.get(blob.to_string().as_bytes())?.map(|v| decode_u64(&v)))
    }

    /// Remembers a layer's unpacked size (content-addressed: never changes, so no flush is needed).
    pub fn put_layer_size(&self, blob: &Digest, size: u64) -> Result<(), IndexError> {
        self.layer_sizes.insert(blob.to_string().as_bytes(), &size.to_be_bytes())?;
        Ok(())
    }

    /// Points `name` at an existing image.
    pub fn tag(&self, ns: &Namespace, id: &Digest, name: &str, now: i64) -> Result<PutOutcome, IndexError> {
        let out = unwrap_tx((&self.images, &self.names).transaction(|(images, names_t)| {
            let key = ns_key(ns, id.hex());
            let Some(mut rec) = tx_get_json::<ImageRecord>(images, &key)? else {
                return abort(IndexError::NoImage(id.clone()));
            };
            let mut outcome = PutOutcome::default();
            Self::tx_point_name(images, names_t, ns, name, &mut rec, &mut outcome)?;
            rec.last_tag_time = now;
            tx_put_json(images, &key, &rec)?;
            Ok(outcome)
        }))?;
        self.flush()?;
        Ok(out)
    }

    /// Removes names from an image; the record stays even when it has no names left.
    pub fn untag(&self, ns: &Namespace, id: &Digest, names: &[String]) -> Result<ImageRecord, IndexError> {
        let out = unwrap_tx((&self.images, &self.names).transaction(|(images, names_t)| {
            let key = ns_key(ns, id.hex());
            let Some(mut rec) = tx_get_json::<ImageRecord>(images, &key)? else {
                return abort(IndexError::NoImage(id.clone()));
            };
            for name in names {
                let nkey = ns_key(ns, name);
                if names_t.get(&nkey)?.is_some_and(|v| v.as_ref() == id.hex().as_bytes()) {
                    names_t.remove(nkey)?;
                }
                rec.remove_name(name);
            }
            tx_put_json(images, &key, &rec)?;
            Ok(rec)
        }))?;
        self.flush()?;
        Ok(out)
    }

    /// Deletes an image record with all its names. Returns the blobs whose count reached zero: the caller
    /// deletes them from the store unless a lease holds them.
    pub fn delete_image(&self, ns: &Namespace, id: &Digest) -> Result<Vec<Digest>, IndexError> {
        let out = unwrap_tx((&self.images, &self.names, &self.configs, &self.blob_refs).transaction(
            |(images, names_t, configs, refs)| {
                let key = ns_key(ns, id.hex());
                let Some(rec) = tx_get_json::<ImageRecord>(images, &key)? else {
                    return abort(IndexError::NoImage(id.clone()));
                };
                for name in rec.repo_tags.iter().chain(&rec.repo_digests) {
                    let nkey = ns_key(ns, name);
                    if names_t.get(&nkey)?.is_some_and(|v| v.as_ref() == id.hex().as_bytes()) {
                        names_t.remove(nkey)?;
                    }
                }
                images.remove(key)?;
                let mut freed = Vec::new();
                for d in rec.blobs() {
                    if tx_add_ref(refs, &d, -1)? == 0 {
                        if d == rec.config.digest {
                            configs.remove(d.to_string().as_bytes())?;
                        }
                        freed.push(d);
                    }
                }
                Ok(freed)
            },
        ))?;
        self.flush()?;
        Ok(out)
    }

    /// Drops manifests (`drop` picks them) from an image's index record; returns the blobs no image
    /// references any more, for the caller to delete.
    pub fn drop_children(
        &self,
        ns: &Namespace,
        id: &Digest,
        drop: &dyn Fn(&crate::ChildRecord) -> bool,
    ) -> Result<Vec<Digest>, IndexError> {
        let out = unwrap_tx((&self.images, &self.blob_refs).transaction(|(images, refs)| {
            let key = ns_key(ns, id.hex());
            let Some(mut rec) = tx_get_json::<ImageRecord>(images, &key)? else {
                return abort(IndexError::NoImage(id.clone()));
            };
            let before = rec.blobs();
            if let Some(index) = &mut rec.index {
                index.children.retain(|c| !drop(c));
            }
            let after = rec.blobs();
            let mut freed = Vec::new();
            for d in before.into_iter().filter(|d| !after.contains(d)) {
                if tx_add_ref(refs, &d, -1)? == 0 {
                    freed.push(d);
                }
            }
            tx_put_json(images, &key, &rec)?;
            Ok(freed)
        }))?;
        self.flush()?;
        Ok(out)
    }

    /// Saves a lease (blobs an in-flight operation holds).
    pub fn put_lease(&self, lease: &Lease) -> Result<(), IndexError> {
        self.leases.insert(lease.id.as_bytes(), serde_json::to_vec(lease).expect("lease serialises"))?;
        Ok(())
    }

    pub fn delete_lease(&self, id: &str) -> Result<(), IndexError> {
        self.leases.remove(id.as_bytes())?;
        Ok(())
    }

    pub fn leases(&self) -> Result<Vec<Lease>, IndexError> {
        self.leases.iter().values().map(|v| records::decode(&v?)).collect()
    }

    /// Saves a container record (create, or after an exec/commit changed it) and flushes.
    pub fn put_container(&self, ns: &Namespace, c: &ContainerRecord) -> Result<(), IndexError> {
        self.containers.insert(ns_key(ns, &c.id), serde_json::to_vec(c).expect("container serialises"))?;
        self.containers.flush()?;
        Ok(())
    }

    pub fn delete_container(&self, ns: &Namespace, id: &str) -> Result<(), IndexError> {
        self.containers.remove(ns_key(ns, id))?;
        self.containers.flush()?;
        Ok(())
    }

    /// A build cache entry.
    pub fn cache_get(&self, key: &str) -> Result<Option<Vec<u8>>, IndexError> {
        Ok(self.build_cache.get(key)?.map(|v| v.to_vec()))
    }

    pub fn cache_put(&self, key: &str, value: &[u8]) -> Result<(), IndexError> {
        self.build_cache.insert(key, value)?;
        Ok(())
    }

    /// Drops every build cache entry; returns how many there were.
    pub fn cache_clear(&self) -> Result<usize, IndexError> {
        let n = self.build_cache.len();
        self.build_cache.clear()?;
        self.flush()?;
        Ok(n)
    }

    pub fn list_containers(&self, ns: &Namespace) -> Result<Vec<ContainerRecord>, IndexError> {
        self.containers.scan_prefix(ns_prefix(ns)).values().map(|v| records::decode(&v?)).collect()
    }

    /// Containers of every namespace (GC needs them all: blobs are shared).
    pub fn all_containers(&self) -> Result<Vec<ContainerRecord>, IndexError> {
        self.containers.iter().values().map(|v| records::decode(&v?)).collect()
    }

    /// Every image record of every namespace, with its namespace.
    pub fn all_images(&self) -> Result<Vec<(Namespace, ImageRecord)>, IndexError> {
        let mut out = Vec::new();
        for kv in self.images.iter() {
            let (k, v) = kv?;
            let sep = k.iter().position(|b| *b == SEP).ok_or_else(|| IndexError::Corrupt("image key".into()))?;
            let ns = Namespace::parse(&String::from_utf8_lossy(&k[..sep]))
                .map_err(|e| IndexError::Corrupt(e.to_string()))?;
            out.push((ns, records::decode(&v)?));
        }
        Ok(out)
    }

    /// Every name entry `(namespace, name, image id hex)`, for consistency checks.
    /// Removes a name key whatever it points at (repairing a name whose image is gone).
    pub fn remove_name(&self, ns: &Namespace, name: &str) -> Result<(), IndexError> {
        self.names.remove(ns_key(ns, name))?;
        self.flush()
    }

    /// Takes `name` off an image record's lists without touching the names tree (where it points at
    /// another image).
    pub fn drop_listed_name(&self, ns: &Namespace, id: &Digest, name: &str) -> Result<(), IndexError> {
        let key = ns_key(ns, id.hex());
        if let Some(v) = self.images.get(&key)? {
            let mut rec: ImageRecord = records::decode(&v)?;
            rec.remove_name(name);
            self.images.insert(key, serde_json::to_vec(&rec).expect("records serialise"))?;
        }
        self.flush()
    }

    /// Sets a blob's count (repairing a count that disagrees with the images).
    pub fn set_refcount(&self, blob: &Digest, count: u64) -> Result<(), IndexError> {
        let key = blob.to_string();
        if count == 0 {
            self.blob_refs.remove(key.as_bytes())?;
        } else {
            self.blob_refs.insert(key.as_bytes(), &count.to_be_bytes())?;
        }
        self.flush()
    }

    pub fn all_names(&self) -> Result<Vec<(String, String, String)>, IndexError> {
        let mut out = Vec::new();
        for kv in self.names.iter() {
            let (k, v) = kv?;
            let sep = k.iter().position(|b| *b == SEP).ok_or_else(|| IndexError::Corrupt("name key".into()))?;
            out.push((
                String::from_utf8_lossy(&k[..sep]).into_owned(),
                String::from_utf8_lossy(&k[sep + 1..]).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
