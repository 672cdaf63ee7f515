//! The only place where errors become gRPC statuses.
use std::collections::HashMap;

use imaged_core::ErrorKind;
use imaged_images::EngineError;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

pub const DOMAIN: &str = "imaged.dev";

fn code(kind: ErrorKind) -> Code {
    match kind {
        ErrorKind::NotFound => Code::NotFound,
        ErrorKind::AlreadyExists => Code::AlreadyExists,
        ErrorKind::InvalidArgument => Code::InvalidArgument,
        ErrorKind::FailedPrecondition => Code::FailedPrecondition,
        ErrorKind::Unauthenticated => Code::Unauthenticated,
        ErrorKind::PermissionDenied => Code::PermissionDenied,
        ErrorKind::Unavailable => Code::Unavailable,
        ErrorKind::ResourceExhausted => Code::ResourceExhausted,
        ErrorKind::Cancelled => Code::Cancelled,
        ErrorKind::DeadlineExceeded => Code::DeadlineExceeded,
        ErrorKind::Unimplemented => Code::Unimplemented,
        ErrorKind::Internal => Code::Internal,
    }
}

/// A status with a `google.rpc.ErrorInfo` detail.
pub fn status_with_info(kind: ErrorKind, message: String, reason: &str, metadata: HashMap<String, String>) -> Status {
    Status::with_error_details(code(kind), message, ErrorDetails::with_error_info(reason, DOMAIN, metadata))
}

/// Maps an engine error to its status. The message is the error's whole chain, meant for people.
pub fn to_status(e: EngineError) -> Status {
    let kind = e.kind();
    if kind == ErrorKind::Internal {
        tracing::error!(error = %e, "internal error");
    }
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    status_with_info(kind, message, e.reason(), HashMap::new())
}
