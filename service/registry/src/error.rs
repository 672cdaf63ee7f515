use imaged_core::ErrorKind;

/// Failures talking to a registry. Never carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("unauthorized: authentication required by {host}{}", hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Unauthorized { host: String, hint: Option<String> },
    #[error("denied: {host} refused access to {what}")]
    Denied { host: String, what: String },
    #[error("{what} not found on {host}")]
    NotFound { host: String, what: String },
    #[error("{host} is rate limiting requests, try again later")]
    TooManyRequests { host: String },
    #[error("cannot reach registry {host}: {reason}")]
    Unreachable { host: String, reason: String },
    #[error("registry {host} answered {status} to {what}: {body}")]
    Status { host: String, what: String, status: u16, body: String },
    #[error("registry {host} sent something unexpected: {reason}")]
    Protocol { host: String, reason: String },
}

impl RegistryError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Unauthorized { .. } => ErrorKind::Unauthenticated,
            Self::Denied { .. } => ErrorKind::PermissionDenied,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::TooManyRequests { .. } => ErrorKind::ResourceExhausted,
            Self::Unreachable { .. } | Self::Status { .. } | Self::Protocol { .. } => ErrorKind::Unavailable,
        }
    }
}
