//! imaged's shared vocabulary. Everything past the gRPC adapters speaks in these types: a digest is a
//! [`Digest`], a reference a [`Reference`], a platform a [`Platform`], never a bare string.

pub mod content;
mod digest;
mod error;
mod namespace;
pub mod pattern;
mod platform;
mod reference;

pub use content::{Descriptor, Index, Manifest, Node, PlatformPolicy};
pub use digest::{Digest, DigestAlgorithm, DigestError, Sha256Hasher};
pub use error::ErrorKind;
pub use namespace::{Namespace, NamespaceError};
pub use platform::{Platform, PlatformError};
pub use reference::{
    AnyReference, DEFAULT_DOMAIN, DEFAULT_TAG, ImageRef, Reference, ReferenceError, domain_matches, familiar_of_stored,
    is_identifier, parse_name_only, parse_named_canonical, parse_plain,
};

/// OCI and Docker media types imaged writes or reads.
pub mod media_types {
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
    pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}
