use std::{io, path::PathBuf};

use imaged_core::ErrorKind;

/// Failures of the build machinery: Dockerfile syntax, file system work, the runtime.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("Dockerfile:{line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Archive(#[from] imaged_archive::ArchiveError),
    #[error("layer {layer} does not match its diff id: got {actual}")]
    DiffIdMismatch { layer: String, actual: String },
    #[error("overlayfs is not available here ({0}); imaged needs it for containers and RUN steps")]
    NoOverlay(String),
    #[error("the OCI runtime failed: {0}")]
    Runtime(String),
}

impl BuildError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Syntax { .. } | Self::Invalid(_) => ErrorKind::InvalidArgument,
            Self::Archive(e) => e.kind(),
            Self::DiffIdMismatch { .. } => ErrorKind::FailedPrecondition,
            Self::NoOverlay(_) => ErrorKind::FailedPrecondition,
            Self::Io { source, .. } if source.raw_os_error() == Some(28) => ErrorKind::ResourceExhausted,
            Self::Io { .. } | Self::Runtime(_) => ErrorKind::Internal,
        }
    }
}

/// `map_err` helper naming the path.
pub(crate) fn io_at(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> BuildError {
    let path = path.into();
    move |source| BuildError::Io { path, source }
}
