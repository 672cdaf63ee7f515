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
    TooManyRequests {
        host: String,
        /// The registry's `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
    #[error("cannot reach registry {host}: {reason}")]
    Unreachable { host: String, reason: String },
    #[error("registry {host} answered {status} to {what}: {body}")]
    Status { host: String, what: String, status: u16, body: String },
    #[error("registry {host} sent something unexpected: {reason}")]
    Protocol { host: String, reason: String },
    #[error("registry {host} sent a {what} larger than {limit} bytes: refused")]
    TooLarge { host: String, what: String, limit: u64 },
}

impl RegistryError {
    /// Worth another try: the connection broke or timed out, the registry is overloaded (5xx) or rate
    /// limiting (429).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::TooManyRequests { .. } => true,
            Self::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// How long the registry asked us to wait (`Retry-After`).
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::TooManyRequests { retry_after: Some(s), .. } => Some(std::time::Duration::from_secs(*s)),
            _ => None,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Unauthorized { .. } => ErrorKind::Unauthenticated,
            Self::Denied { .. } => ErrorKind::PermissionDenied,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::TooManyRequests { .. } => ErrorKind::ResourceExhausted,
            Self::Unreachable { .. } | Self::Status { .. } | Self::Protocol { .. } => ErrorKind::Unavailable,
            Self::TooLarge { .. } => ErrorKind::InvalidArgument,
        }
    }
}
