use std::{
    io,
    path::{Path, PathBuf},
};

use imaged_core::{Digest, ErrorKind};

/// Failures of the blob store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("blob {0} not found")]
    NotFound(Digest),
    #[error("digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch { expected: Digest, actual: Digest },
    #[error("size mismatch for {digest}: expected {expected} bytes, got {actual}")]
    SizeMismatch { digest: Digest, expected: u64, actual: u64 },
    #[error("only sha256 blobs are stored, not {0}")]
    UnsupportedAlgorithm(Digest),
    #[error("ingest {0:?} is in use by another operation")]
    Locked(String),
    #[error("no space left on device while writing {path}")]
    DiskFull { path: PathBuf },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl StoreError {
    pub(crate) fn from_io(path: &Path, source: io::Error) -> Self {
        if source.raw_os_error() == Some(libc::ENOSPC) || source.raw_os_error() == Some(libc::EDQUOT) {
            Self::DiskFull { path: path.to_owned() }
        } else {
            Self::Io { path: path.to_owned(), source }
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NotFound(_) => ErrorKind::NotFound,
            Self::DigestMismatch { .. } | Self::SizeMismatch { .. } => ErrorKind::FailedPrecondition,
            Self::UnsupportedAlgorithm(_) => ErrorKind::InvalidArgument,
            Self::Locked(_) => ErrorKind::Unavailable,
            Self::DiskFull { .. } => ErrorKind::ResourceExhausted,
            Self::Io { .. } => ErrorKind::Internal,
        }
    }
}
