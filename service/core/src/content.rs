//! The content graph, typed: descriptors, and image manifests and indexes read (with oci-spec) from the
//! exact bytes that were fetched. The bytes stay the truth — these views are never serialised back.
//!
//! ```text
//!   index (OCI image index / Docker manifest list)
//!     ├── manifest linux/amd64 ── config, layers…
//!     ├── manifest linux/arm64 ── config, layers…
//!     └── manifest unknown/unknown  (attestation: vnd.docker.reference.digest = the amd64 manifest)
//! ```

use std::collections::BTreeMap;

use crate::{Digest, Platform, media_types};

/// The annotation BuildKit puts on an attestation manifest's descriptor: what kind of reference it is.
pub const REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// The annotation naming the manifest an attestation is about.
pub const REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";

/// A pointer to content: what it is, its digest and size, and (in an index) the platform it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    pub platform: Option<Platform>,
    pub annotations: BTreeMap<String, String>,
    pub artifact_type: Option<String>,
}

impl Descriptor {
    pub fn new(media_type: impl Into<String>, digest: Digest, size: u64) -> Self {
        Self {
            media_type: media_type.into(),
            digest,
            size,
            platform: None,
            annotations: BTreeMap::new(),
            artifact_type: None,
        }
    }

    /// A BuildKit attestation manifest (SBOM, provenance): the manifest it is about.
    pub fn attests(&self) -> Option<Digest> {
        if self.annotations.get(REFERENCE_TYPE).map(String::as_str) != Some("attestation-manifest") {
            return None;
        }
        self.annotations.get(REFERENCE_DIGEST).and_then(|d| Digest::parse(d).ok())
    }

    /// True for manifests that are images one can run somewhere (not `unknown/unknown` attestations).
    pub fn is_runnable_image(&self) -> bool {
        self.attests().is_none() && self.platform.as_ref().is_none_or(Platform::is_runnable)
    }

    fn from_oci(d: &oci_spec::image::Descriptor) -> Result<Self, ContentError> {
        let digest = Digest::parse(d.digest().as_ref())
            .map_err(|e| ContentError::Invalid(format!("descriptor digest {}: {e}", d.digest())))?;
        let platform = d
            .platform()
            .as_ref()
            .map(|p| Platform::normalized(&p.os().to_string(), &p.architecture().to_string(), p.variant().as_deref()));
        Ok(Self {
            media_type: d.media_type().to_string(),
            digest,
            size: d.size(),
            platform,
            annotations: d.annotations().clone().unwrap_or_default().into_iter().collect(),
            artifact_type: d.artifact_type().as_ref().map(ToString::to_string),
        })
    }
}

/// A manifest or index that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("not a manifest or index: {0}")]
    Invalid(String),
    #[error("unsupported manifest type {0:?} (schema 1 and other non-OCI types are not supported)")]
    Unsupported(String),
}

/// An image manifest: one platform's config and layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub media_type: String,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    pub subject: Option<Descriptor>,
    pub annotations: BTreeMap<String, String>,
}

impl Manifest {
    /// Config and layers: the blobs this manifest needs.
    pub fn blobs(&self) -> impl Iterator<Item = &Descriptor> {
        std::iter::once(&self.config).chain(&self.layers)
    }
}

/// An image index (or Docker manifest list): manifests, per platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub media_type: String,
    pub manifests: Vec<Descriptor>,
    pub annotations: BTreeMap<String, String>,
}

/// A node of the graph that has children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Index(Index),
    Manifest(Box<Manifest>),
}

/// True for the media types of indexes (OCI and Docker).
pub fn is_index_type(media_type: &str) -> bool {
    media_type == media_types::OCI_INDEX || media_type == media_types::DOCKER_MANIFEST_LIST
}

impl Node {
    /// Reads a manifest or index. `media_type` is what the registry or the parent descriptor said; the
    /// document's own `mediaType` (or, without one, its shape) decides when they disagree.
    pub fn parse(media_type: &str, bytes: &[u8]) -> Result<Self, ContentError> {
        #[derive(serde::Deserialize)]
        struct Shape {
            #[serde(rename = "schemaVersion")]
            schema_version: Option<u32>,
            #[serde(rename = "mediaType")]
            media_type: Option<String>,
            manifests: Option<serde::de::IgnoredAny>,
            config: Option<serde::de::IgnoredAny>,
        }
        let shape: Shape = serde_json::from_slice(bytes).map_err(|e| ContentError::Invalid(e.to_string()))?;
        if shape.schema_version == Some(1) {
            return Err(ContentError::Unsupported("schema 1".into()));
        }
        let declared = shape.media_type.clone().unwrap_or_else(|| media_type.to_owned());
        if shape.manifests.is_some() || (shape.config.is_none() && is_index_type(&declared)) {
            let index = oci_spec::image::ImageIndex::from_reader(bytes)
                .map_err(|e| ContentError::Invalid(format!("index: {e}")))?;
            let manifests = index.manifests().iter().map(Descriptor::from_oci).collect::<Result<_, _>>()?;
            let media_type = if declared.is_empty() { media_types::OCI_INDEX.to_owned() } else { declared };
            return Ok(Node::Index(Index {
                media_type,
                manifests,
                annotations: index.annotations().clone().unwrap_or_default().into_iter().collect(),
            }));
        }
        if shape.config.is_none() {
            return Err(ContentError::Invalid("neither a config nor manifests".into()));
        }
        let m = oci_spec::image::ImageManifest::from_reader(bytes)
            .map_err(|e| ContentError::Invalid(format!("manifest: {e}")))?;
        let media_type = if declared.is_empty() { media_types::OCI_MANIFEST.to_owned() } else { declared };
        Ok(Node::Manifest(Box::new(Manifest {
            media_type,
            config: Descriptor::from_oci(m.config())?,
            layers: m.layers().iter().map(Descriptor::from_oci).collect::<Result<_, _>>()?,
            subject: m.subject().as_ref().map(Descriptor::from_oci).transpose()?,
            annotations: m.annotations().clone().unwrap_or_default().into_iter().collect(),
        })))
    }
}

/// Which manifests of an index to take: every one, or those for some platforms — plus, either way, the
/// attestation manifests about the ones taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformPolicy {
    All,
    Only(Vec<Platform>),
}

impl PlatformPolicy {
    /// The manifests of `index` this policy takes, in index order: for `Only`, the first manifest matching
    /// each platform; then the attestations that reference a manifest taken.
    pub fn select<'a>(&self, index: &'a Index) -> Vec<&'a Descriptor> {
        let mut taken: Vec<&Descriptor> = match self {
            PlatformPolicy::All => index.manifests.iter().filter(|d| d.attests().is_none()).collect(),
            PlatformPolicy::Only(platforms) => {
                let mut out: Vec<&Descriptor> = Vec::new();
                for want in platforms {
                    let hit = index
                        .manifests
                        .iter()
                        .find(|d| d.is_runnable_image() && d.platform.as_ref().is_some_and(|p| want.matches(p)));
                    if let Some(d) = hit
                        && !out.iter().any(|o| o.digest == d.digest)
                    {
                        out.push(d);
                    }
                }
                out
            }
        };
        let attestations: Vec<&Descriptor> = index
            .manifests
            .iter()
            .filter(|d| d.attests().is_some_and(|about| taken.iter().any(|t| t.digest == about)))
            .collect();
        taken.extend(attestations);
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"{
      "schemaVersion": 2,
      "mediaType": "application/vnd.oci.image.index.v1+json",
      "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 10,
         "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
         "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 11,
         "digest": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
         "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 12,
         "digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333",
         "platform": {"architecture": "unknown", "os": "unknown"},
         "annotations": {"vnd.docker.reference.type": "attestation-manifest",
           "vnd.docker.reference.digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111"}}
      ],
      "annotations": {"x-unknown-field-kept-in-bytes": "1"}
    }"#;

    fn index() -> Index {
        match Node::parse("", INDEX.as_bytes()).unwrap() {
            Node::Index(i) => i,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_an_index_with_platforms_and_attestations() {
        let i = index();
        assert_eq!(i.manifests.len(), 3);
        assert_eq!(i.manifests[1].platform.as_ref().unwrap().to_string(), "linux/arm64");
        assert!(i.manifests[0].is_runnable_image());
        assert!(!i.manifests[2].is_runnable_image());
        assert_eq!(i.manifests[2].attests(), Some(i.manifests[0].digest.clone()));
    }

    #[test]
    fn policies_take_platforms_and_the_attestations_about_them() {
        let i = index();
        let digests = |p: &PlatformPolicy| p.select(&i).iter().map(|d| d.size).collect::<Vec<_>>();
        let amd64 = Platform::parse("linux/amd64").unwrap();
        let arm64 = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(digests(&PlatformPolicy::Only(vec![amd64.clone()])), [10, 12]);
        assert_eq!(digests(&PlatformPolicy::Only(vec![arm64.clone()])), [11]);
        assert_eq!(digests(&PlatformPolicy::Only(vec![arm64, amd64])), [11, 10, 12]);
        assert_eq!(digests(&PlatformPolicy::All), [10, 11, 12]);
        let unknown = Platform::parse("unknown/unknown").unwrap();
        assert!(digests(&PlatformPolicy::Only(vec![unknown])).is_empty(), "attestations are never runnable");
    }

    #[test]
    fn reads_docker_schema2_and_refuses_schema1() {
        let m = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
          "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":5,
            "digest":"sha256:4444444444444444444444444444444444444444444444444444444444444444"},
          "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":7,
            "digest":"sha256:5555555555555555555555555555555555555555555555555555555555555555"}]}"#;
        let Node::Manifest(m) = Node::parse("", m.as_bytes()).unwrap() else { panic!() };
        assert_eq!(m.media_type, media_types::DOCKER_MANIFEST);
        assert_eq!(m.blobs().map(|d| d.size).collect::<Vec<_>>(), [5, 7]);
        assert!(matches!(Node::parse("", br#"{"schemaVersion":1,"fsLayers":[]}"#), Err(ContentError::Unsupported(_))));
        assert!(Node::parse("", b"not json").is_err());
    }
}
