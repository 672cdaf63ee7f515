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
    #[error("no such image: {0}")]
    NoImage(Digest),
}

impl IndexError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NoImage(_) => ErrorKind::NotFound,
            Self::Sled(sled::Error::Io(e)) if e.raw_os_error() == Some(28) => ErrorKind::ResourceExhausted,
            Self::Sled(_) | Self::Corrupt(_) | Self::Schema(_) => ErrorKind::Internal,
        }
    }
}
