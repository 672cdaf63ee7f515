"""Exceptions, by meaning. Every error the daemon reports is an ``ImagedError`` (alias ``APIError``, as in
docker-py) with ``code`` (the gRPC code's name), ``reason`` (e.g. ``IMAGE_NOT_FOUND``) and ``metadata``;
its class follows the code, narrowed where a reason says more (``ImageNotFound``, ``Conflict``,
``BuildError``). A call whose timeout passed raises ``Timeout``. ``APIError`` and ``DockerException`` are
docker-py's names for the base, so ``except docker.errors.…`` lines keep working under ``import imaged as
docker``."""

from __future__ import annotations

from typing import Any, Dict, List

from ._imaged import (
    AlreadyExists,
    Cancelled,
    Conflict,
    FailedPrecondition,
    ImagedError,
    ImageNotFound,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Timeout,
    Unauthenticated,
    Unavailable,
    Unimplemented,
)

#: docker-py's names for the base class (``docker.errors.APIError``, ``docker.errors.DockerException``).
APIError = ImagedError
DockerException = ImagedError

__all__ = [
    "APIError", "AlreadyExists", "BuildError", "DockerException", "Cancelled", "Conflict", "FailedPrecondition", "ImageNotFound",
    "ImagedError", "InvalidArgument", "NotFound", "PermissionDenied", "ResourceExhausted", "Timeout",
    "Unauthenticated", "Unavailable", "Unimplemented",
]

#: Reasons of a build that ran and failed (a step's command, or the runtime), not of a bad request.
BUILD_FAILURES = frozenset({"BUILD_STEP_FAILED", "BUILD_FAILED", "RUNTIME_FAILED"})


class BuildError(FailedPrecondition):
    """A build that failed while running (a ``FailedPrecondition``, as earlier versions raised): ``msg``
    says why, ``build_log`` holds what it printed up to the failure as docker-py gives it (``{"stream":
    line}`` dicts)."""

    code: str
    reason: str
    metadata: Dict[str, str]

    def __init__(self, cause: ImagedError, lines: List[str]) -> None:
        super().__init__(str(cause))
        self.msg = str(cause)
        self.code = getattr(cause, "code", "FailedPrecondition")
        self.reason = getattr(cause, "reason", "")
        self.metadata = dict(getattr(cause, "metadata", {}))
        self.build_log: List[Dict[str, Any]] = [{"stream": line + "\n"} for line in lines]

    @classmethod
    def wrap(cls, e: ImagedError, lines: List[str]) -> ImagedError:
        """``e`` as a BuildError when it reports a failed build, else ``e`` itself."""
        return cls(e, lines) if getattr(e, "reason", "") in BUILD_FAILURES else e
