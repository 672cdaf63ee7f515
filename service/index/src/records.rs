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

/// One manifest of an index that is stored here, with the blobs it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildRecord {
    pub manifest: DescriptorRecord,
    /// `os/arch[/variant]` from the index; `unknown/unknown` for attestations.
    #[serde(default)]
    pub platform: Option<String>,
    /// For an attestation manifest: the manifest it is about.
    #[serde(default)]
    pub attests: Option<Digest>,
    /// The config and layers.
    pub blobs: Vec<DescriptorRecord>,
}

/// The index an image was pulled (or loaded) as: its descriptor and the manifests of it present here.
/// The index blob lists every platform; `children` are those whose blobs are all stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexRecord {
    pub descriptor: DescriptorRecord,
    pub children: Vec<ChildRecord>,
    /// Every manifest the index names, present or not (so listings never read the index blob).
    #[serde(default)]
    pub entries: Vec<IndexEntry>,
}

/// One manifest an index names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub digest: Digest,
    pub platform: Option<String>,
    #[serde(default)]
    pub attests: Option<Digest>,
}

impl IndexEntry {
    pub fn of(d: &imaged_core::Descriptor) -> Self {
        Self { digest: d.digest.clone(), platform: d.platform.as_ref().map(ToString::to_string), attests: d.attests() }
    }
}

impl From<&imaged_core::Descriptor> for DescriptorRecord {
    fn from(d: &imaged_core::Descriptor) -> Self {
        Self { media_type: d.media_type.clone(), digest: d.digest.clone(), size: d.size }
    }
}

impl IndexRecord {
    /// Adds the children of `other` (the same index) that are not here yet.
    pub fn merge(&mut self, other: &IndexRecord) {
        for c in &other.children {
            if !self.children.iter().any(|m| m.manifest.digest == c.manifest.digest) {
                self.children.push(c.clone());
            }
        }
    }
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
    /// The index this image came as, when it came as one (manifest/config/layers above are the platform in
    /// use: the host's, or the first one asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexRecord>,
}

impl ImageRecord {
    /// Manifest, config and each distinct layer blob; with an index, the index and every blob of the
    /// manifests of it present here.
    pub fn blobs(&self) -> Vec<Digest> {
        let mut out = vec![self.manifest.digest.clone(), self.config.digest.clone()];
        let mut add = |d: &Digest| {
            if !out.contains(d) {
                out.push(d.clone());
            }
        };
        for l in &self.layers {
            add(&l.digest);
        }
        if let Some(index) = &self.index {
            add(&index.descriptor.digest);
            for c in &index.children {
                add(&c.manifest.digest);
                for b in &c.blobs {
                    add(&b.digest);
                }
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
