/// What kind of failure an error is, independent of transport. Every crate's error enum maps each of its
/// variants to one kind; the server maps kinds to gRPC codes in exactly one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The named object (image, blob, container, credentials) does not exist.
    NotFound,
    /// The object to create exists already.
    AlreadyExists,
    /// The caller's input is malformed: a bad reference, archive, Dockerfile, filter.
    InvalidArgument,
    /// The request is well formed but the state forbids it (rmi conflicts, digest mismatch).
    FailedPrecondition,
    /// The registry refused the credentials (401).
    Unauthenticated,
    /// The registry refused access (403).
    PermissionDenied,
    /// A peer (registry, runtime) cannot be reached.
    Unavailable,
    /// Out of disk, rate limited, or another quota.
    ResourceExhausted,
    /// The caller cancelled.
    Cancelled,
    /// The caller's deadline passed.
    DeadlineExceeded,
    /// The capability is not built yet.
    Unimplemented,
    /// A bug or an unexpected I/O failure of the host.
    Internal,
}
