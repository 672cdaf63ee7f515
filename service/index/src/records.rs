use std::collections::BTreeMap;

use imaged_core::Digest;
use serde::{Deserialize, Serialize};

use crate::IndexError;

pub(crate) fn decode<T: serde::de::DeserializeOwned>(v: &[u8]) -> Result<T, IndexError> {
    serde_json::from_slice(v).map_err(|e| IndexError::Corrupt(e.to_string()))
}

/// A stored blob as a descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DescriptorRecord {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
}

/// One layer of an image: the blob as stored and the digest of its uncompressed tar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRecord {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    pub diff_id: Digest,
}

/// An image in one namespace: what List needs without reading any blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRecord {
    /// The image id: the config digest.
    pub id: Digest,
    pub manifest: DescriptorRecord,
    pub config: DescriptorRecord,
    /// Base layer first.
    pub layers: Vec<LayerRecord>,
    /// The config's `created`, unix nanos (0 when absent).
    pub created: i64,
    /// Normalised `repo:tag` names, in the order they were given.
    #[serde(default)]
    pub repo_tags: Vec<String>,
    /// Normalised `repo@sha256:…` names.
    #[serde(default)]
    pub repo_digests: Vec<String>,
    /// The image this one was committed or built on, when made locally.
    #[serde(default)]
    pub parent: Option<Digest>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub os: String,
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
    /// When the record was made here, unix nanos.
    pub added: i64,
    /// When a name was last pointed at the image, unix nanos.
    pub last_tag_time: i64,
}

impl ImageRecord {
    /// Manifest, config and each distinct layer blob.
    pub fn blobs(&self) -> Vec<Digest> {
        let mut out = vec![self.manifest.digest.clone(), self.config.digest.clone()];
        for l in &self.layers {
            if !out.contains(&l.digest) {
                out.push(l.digest.clone());
            }
        }
        out
    }

    /// Config plus distinct layers, in bytes: the size users see.
    pub fn size(&self) -> u64 {
        let mut seen = Vec::new();
        let mut total = self.config.size;
        for l in &self.layers {
            if !seen.contains(&&l.digest) {
                seen.push(&l.digest);
                total += l.size;
            }
        }
        total
    }

    pub fn is_dangling(&self) -> bool {
        self.repo_tags.is_empty() && self.repo_digests.is_empty()
    }

    pub(crate) fn add_name(&mut self, name: &str) {
        let list = if name.contains('@') { &mut self.repo_digests } else { &mut self.repo_tags };
        if !list.iter().any(|n| n == name) {
            list.push(name.to_owned());
        }
    }

    pub(crate) fn remove_name(&mut self, name: &str) {
        self.repo_tags.retain(|n| n != name);
        self.repo_digests.retain(|n| n != name);
    }
}

/// A working container (filled in by the containers capability).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerRecord {
    pub id: String,
    pub name: String,
    pub image: String,
    pub image_id: Digest,
    pub created: i64,
    /// The image's layers (diff ids, base first) when the container was made: its root file system.
    #[serde(default)]
    pub diff_ids: Vec<Digest>,
    /// The last command run in it (the history line of a commit).
    #[serde(default)]
    pub last_command: Vec<String>,
}

/// Blobs an in-flight operation holds: GC never deletes them while the lease exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub id: String,
    /// Unix nanos.
    pub created: i64,
    pub blobs: Vec<Digest>,
}
