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
        // tonic reports the call's own deadline passing on the client side (a daemon that never answers)
        // as CANCELLED "Timeout expired"; it is the deadline, as when the daemon reports it.
        if s.code() == tonic::Code::Cancelled && s.message() == tonic::TimeoutExpired(()).to_string() {
            return Self::Status {
                code: tonic::Code::DeadlineExceeded,
                message: "the call's deadline passed before imaged answered".into(),
                reason: Some("DEADLINE_EXCEEDED".into()),
                metadata: HashMap::new(),
            };
        }
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

#[cfg(test)]
mod deadline_tests {
    use super::ClientError;

    #[test]
    fn the_client_side_deadline_is_deadline_exceeded_not_cancelled() {
        let timed_out = ClientError::from(tonic::Status::cancelled(tonic::TimeoutExpired(()).to_string()));
        assert_eq!(timed_out.code(), tonic::Code::DeadlineExceeded);
        assert_eq!(timed_out.reason(), Some("DEADLINE_EXCEEDED"));
        let cancelled = ClientError::from(tonic::Status::cancelled("the pull was cancelled"));
        assert_eq!(cancelled.code(), tonic::Code::Cancelled);
    }
}
