use std::{io, path::PathBuf};

use imaged_archive::ArchiveError;
use imaged_core::{ErrorKind, NamespaceError, PlatformError, ReferenceError};
use imaged_index::IndexError;
use imaged_store::StoreError;

/// Failures of engine operations. Each variant says which object and why.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Registry(#[from] imaged_registry::RegistryError),
    #[error("invalid reference format {input:?}: {source}")]
    Reference {
        input: String,
        #[source]
        source: ReferenceError,
    },
    #[error(transparent)]
    Namespace(#[from] NamespaceError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
    #[error("No such image: {0}")]
    ImageNotFound(String),
    #[error("ambiguous image id prefix {prefix:?}: it matches {count} images, give more characters")]
    AmbiguousId { prefix: String, count: usize },
    #[error("image {image} has no {wanted} (it has: {have})")]
    PlatformMismatch { image: String, wanted: String, have: String },
    #[error("refusing to create a tag with a digest reference: {0}")]
    TagWithDigest(String),
    #[error("conflict: unable to delete {id} (must be forced) - image is referenced in multiple repositories")]
    MultipleRepositories { id: String },
    #[error("conflict: unable to delete {id} (cannot be forced) - image has dependent child images")]
    HasChildren { id: String },
    #[error("conflict: unable to delete {id} (must be forced) - image is being used by container {container}")]
    UsedByContainer { id: String, container: String },
    #[error(
        "conflict: unable to remove repository reference \"{reference}\" (must force) - container {container} is using its referenced image {id}"
    )]
    ReferenceUsedByContainer { reference: String, container: String, id: String },
    #[error("invalid filter {0:?}: {1}")]
    InvalidFilter(String, String),
    #[error("invalid change {change:?}: {reason}")]
    InvalidChange { change: String, reason: String },
    #[error("the client broke off the stream")]
    Cancelled,
    #[error("stored image config {digest} is unreadable: {reason}")]
    BadConfig { digest: String, reason: String },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("internal task failed: {0}")]
    Task(String),
    #[error(transparent)]
    Build(#[from] imaged_build::BuildError),
    #[error("No such container: {0}")]
    ContainerNotFound(String),
    #[error("Conflict. The container name {0:?} is already in use")]
    ContainerNameInUse(String),
    #[error("invalid container name {0:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")]
    BadContainerName(String),
    #[error("container {0} is running a command: wait for it or remove with force")]
    ContainerBusy(String),
    #[error("{message}")]
    StepFailed { message: String },
    #[error("invalid build context: {0}")]
    BadContext(String),
    #[error(
        "the index {index} names content that is neither here nor in the registry: {missing} (here: {present}); \
         pull it with --all-platforms (or --platform), or push one platform with --platform"
    )]
    IncompleteIndex { index: String, missing: String, present: String },
    #[error("{what} {digest} claims {size} bytes, more than the {limit} imaged accepts for it")]
    ClaimsTooMuch { what: &'static str, digest: String, size: u64, limit: u64 },
    #[error("not enough disk space under the root for {needed} bytes of blobs ({available} bytes free)")]
    NoSpaceFor { needed: u64, available: u64 },
    #[error("{platform} is the platform in use of {image}: remove the image instead, or pull another platform first")]
    PlatformInUse { image: String, platform: String },
}

impl EngineError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Store(e) => e.kind(),
            Self::Index(e) => e.kind(),
            Self::Archive(e) => e.kind(),
            Self::Registry(e) => e.kind(),
            Self::Reference { .. }
            | Self::Namespace(_)
            | Self::Platform(_)
            | Self::AmbiguousId { .. }
            | Self::TagWithDigest(_)
            | Self::InvalidFilter(..)
            | Self::InvalidChange { .. }
            | Self::BadContext(_)
            | Self::ClaimsTooMuch { .. } => ErrorKind::InvalidArgument,
            Self::NoSpaceFor { .. } => ErrorKind::ResourceExhausted,
            Self::ImageNotFound(_) | Self::PlatformMismatch { .. } => ErrorKind::NotFound,
            Self::MultipleRepositories { .. }
            | Self::HasChildren { .. }
            | Self::UsedByContainer { .. }
            | Self::ReferenceUsedByContainer { .. } => ErrorKind::FailedPrecondition,
            Self::Cancelled => ErrorKind::Cancelled,
            Self::Io { source, .. } if source.raw_os_error() == Some(28) => ErrorKind::ResourceExhausted,
            Self::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => ErrorKind::NotFound,
            Self::Io { source, .. } if source.kind() == io::ErrorKind::PermissionDenied => ErrorKind::PermissionDenied,
            Self::BadConfig { .. } | Self::Io { .. } | Self::Task(_) => ErrorKind::Internal,
            Self::Build(e) => e.kind(),
            Self::ContainerNotFound(_) => ErrorKind::NotFound,
            Self::ContainerNameInUse(_) => ErrorKind::AlreadyExists,
            Self::BadContainerName(_) => ErrorKind::InvalidArgument,
            Self::ContainerBusy(_)
            | Self::StepFailed { .. }
            | Self::IncompleteIndex { .. }
            | Self::PlatformInUse { .. } => ErrorKind::FailedPrecondition,
        }
    }

    /// A stable machine-readable reason for `google.rpc.ErrorInfo`.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Store(StoreError::NotFound(_)) => "BLOB_NOT_FOUND",
            Self::Store(StoreError::DigestMismatch { .. } | StoreError::SizeMismatch { .. }) => "DIGEST_MISMATCH",
            Self::Store(StoreError::DiskFull { .. }) => "DISK_FULL",
            Self::Store(_) => "STORE_ERROR",
            Self::Index(_) => "INDEX_ERROR",
            Self::Archive(ArchiveError::UnsafeEntry { .. }) => "UNSAFE_TAR_ENTRY",
            Self::Archive(ArchiveError::Write(_)) => "WRITE_FAILED",
            Self::Archive(_) => "INVALID_ARCHIVE",
            Self::Registry(imaged_registry::RegistryError::Unauthorized { .. }) => "REGISTRY_UNAUTHORIZED",
            Self::Registry(imaged_registry::RegistryError::Denied { .. }) => "REGISTRY_DENIED",
            Self::Registry(imaged_registry::RegistryError::NotFound { .. }) => "REGISTRY_NOT_FOUND",
            Self::Registry(imaged_registry::RegistryError::TooManyRequests { .. }) => "REGISTRY_RATE_LIMITED",
            Self::Registry(imaged_registry::RegistryError::TooLarge { .. }) => "REGISTRY_CONTENT_TOO_LARGE",
            Self::Registry(_) => "REGISTRY_UNAVAILABLE",
            Self::Reference { .. } => "INVALID_REFERENCE",
            Self::Namespace(_) => "INVALID_NAMESPACE",
            Self::Platform(_) => "INVALID_PLATFORM",
            Self::ImageNotFound(_) => "IMAGE_NOT_FOUND",
            Self::AmbiguousId { .. } => "AMBIGUOUS_ID",
            Self::PlatformMismatch { .. } => "PLATFORM_NOT_FOUND",
            Self::TagWithDigest(_) => "TAG_WITH_DIGEST",
            Self::MultipleRepositories { .. } => "IMAGE_REFERENCED_BY_MULTIPLE_REPOSITORIES",
            Self::HasChildren { .. } => "IMAGE_HAS_CHILDREN",
            Self::UsedByContainer { .. } | Self::ReferenceUsedByContainer { .. } => "IMAGE_IN_USE",
            Self::InvalidFilter(..) => "INVALID_FILTER",
            Self::InvalidChange { .. } => "INVALID_CHANGE",
            Self::Cancelled => "CANCELLED",
            Self::BadConfig { .. } => "BAD_CONFIG",
            Self::Io { .. } => "IO_ERROR",
            Self::Task(_) => "INTERNAL",
            Self::Build(imaged_build::BuildError::Syntax { .. }) => "DOCKERFILE_SYNTAX",
            Self::Build(imaged_build::BuildError::NoOverlay(_)) => "NO_OVERLAYFS",
            Self::Build(imaged_build::BuildError::Runtime(_)) => "RUNTIME_FAILED",
            Self::Build(_) => "BUILD_FAILED",
            Self::ContainerNotFound(_) => "CONTAINER_NOT_FOUND",
            Self::ContainerNameInUse(_) => "CONTAINER_NAME_IN_USE",
            Self::BadContainerName(_) => "INVALID_CONTAINER_NAME",
            Self::ContainerBusy(_) => "CONTAINER_BUSY",
            Self::StepFailed { .. } => "BUILD_STEP_FAILED",
            Self::BadContext(_) => "INVALID_BUILD_CONTEXT",
            Self::IncompleteIndex { .. } => "INDEX_INCOMPLETE",
            Self::PlatformInUse { .. } => "PLATFORM_IN_USE",
            Self::ClaimsTooMuch { .. } => "REGISTRY_CONTENT_TOO_LARGE",
            Self::NoSpaceFor { .. } => "DISK_FULL",
        }
    }

    pub fn reference(input: &str, source: ReferenceError) -> Self {
        Self::Reference { input: input.to_owned(), source }
    }
}
