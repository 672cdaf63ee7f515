use std::collections::HashMap;

use tonic_types::StatusExt;

/// A failed call: the gRPC status with its `google.rpc.ErrorInfo`, or a local problem.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{message}")]
    Status {
        code: tonic::Code,
        message: String,
        /// ErrorInfo reason, e.g. `IMAGE_NOT_FOUND`.
        reason: Option<String>,
        metadata: HashMap<String, String>,
    },
    #[error("cannot connect to imaged at {host}: {reason}")]
    Connect { host: String, reason: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("unexpected answer from imaged: {0}")]
    Protocol(String),
}

impl From<tonic::Status> for ClientError {
    fn from(s: tonic::Status) -> Self {
        let info = s.get_details_error_info();
        Self::Status {
            code: s.code(),
            message: s.message().to_owned(),
            reason: info.as_ref().map(|i| i.reason.clone()),
            metadata: info.map(|i| i.metadata).unwrap_or_default(),
        }
    }
}

impl ClientError {
    /// The gRPC code, `Unavailable` for connection failures, `Unknown` for local ones.
    pub fn code(&self) -> tonic::Code {
        match self {
            Self::Status { code, .. } => *code,
            Self::Connect { .. } => tonic::Code::Unavailable,
            Self::InvalidInput(_) => tonic::Code::InvalidArgument,
            Self::Io(_) | Self::Protocol(_) => tonic::Code::Unknown,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Status { reason, .. } => reason.as_deref(),
            _ => None,
        }
    }
}
