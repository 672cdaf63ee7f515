use imaged_core::{Digest, ErrorKind};

/// Failures of the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index storage error: {0}")]
    Sled(#[from] sled::Error),
    #[error("index record is corrupt: {0}")]
    Corrupt(String),
    #[error("index schema version {0} is not supported by this imaged (expects {SCHEMA})", SCHEMA = crate::SCHEMA_VERSION)]
    Schema(String),
    #[error(
        "the index in {} is in use by another process: is imaged already running with this --root? \
         Stop it first, or check a running daemon with `imagectl system check`",
        .0.display()
    )]
    Locked(std::path::PathBuf),
    #[error("no such image: {0}")]
    NoImage(Digest),
}

impl IndexError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NoImage(_) => ErrorKind::NotFound,
            Self::Sled(sled::Error::Io(e)) if e.raw_os_error() == Some(28) => ErrorKind::ResourceExhausted,
            Self::Locked(_) => ErrorKind::FailedPrecondition,
            Self::Sled(_) | Self::Corrupt(_) | Self::Schema(_) => ErrorKind::Internal,
        }
    }
}
