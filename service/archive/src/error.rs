use std::io;

use imaged_core::ErrorKind;

/// Failures while reading or writing tar streams.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("the input is empty: expected a tar archive (plain, gzip or zstd)")]
    Empty,
    #[error("unsupported compression {0}: send a plain, gzip or zstd tar")]
    UnsupportedCompression(&'static str),
    /// The tar library's own message is kept for `Debug` only: it quotes the input's bytes.
    #[error("not a tar archive (plain, gzip or zstd)")]
    NotTar(io::Error),
    #[error("the archive is truncated: entry {entry:?} has {copied} of its {declared} bytes")]
    Truncated { entry: String, copied: u64, declared: u64 },
    #[error("the compressed input is corrupt or truncated: {0}")]
    Corrupt(#[source] io::Error),
    #[error("unsafe tar entry {entry:?}: {reason}")]
    UnsafeEntry { entry: String, reason: &'static str },
    #[error("invalid image archive{}: {reason}", entry.as_ref().map(|e| format!(" (entry {e:?})")).unwrap_or_default())]
    InvalidArchive { entry: Option<String>, reason: String },
    #[error("failed to store data: {0}")]
    Write(#[source] io::Error),
}

impl ArchiveError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Empty
            | Self::UnsupportedCompression(_)
            | Self::NotTar(_)
            | Self::Truncated { .. }
            | Self::Corrupt(_)
            | Self::UnsafeEntry { .. }
            | Self::InvalidArchive { .. } => ErrorKind::InvalidArgument,
            Self::Write(e) if e.raw_os_error() == Some(28) => ErrorKind::ResourceExhausted,
            Self::Write(_) => ErrorKind::Internal,
        }
    }
}
