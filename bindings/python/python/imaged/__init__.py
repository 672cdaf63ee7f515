"""imaged: container images through the imaged daemon, from Python.

    import imaged
    client = imaged.from_env()                       # IMAGED_HOST, IMAGED_NAMESPACE, IMAGED_TLS_*
    image = client.images.pull("127.0.0.1:5000/team/app", tag="1")
    print(image.short_id, image.tags, image.labels)
    for chunk in image.save():
        ...

Two layers over one connection. docker-py's object layer: ``client.images`` (``list/get/pull/push/build/
load/import_/remove/prune/search``) returning ``Image`` objects whose ``attrs`` is ``docker image inspect``,
plus ``client.login()`` and ``client.df()``. The flat layer: one method per call of the API (``images()``,
``inspect()``, ``pull()``, ``save()``, …) returning the API's messages as typed classes generated from the
protos (``imaged.ImageSummary``, ``imaged.ImageDetails``, …). ``AsyncClient`` is the asyncio twin of both.

``timeout`` (per client or per call) is sent as the call's gRPC deadline and raises ``imaged.Timeout``.
Errors are ``ImagedError`` (alias ``APIError``) subclasses by meaning, with ``code``, ``reason`` and
``metadata``: see ``imaged.errors``. Ctrl-C cancels the running call.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

from . import _imaged, _messages
from ._aio import AsyncClient
from ._client import DEFAULT_HOST, Client, ExecResult, TLSConfig
from ._message import Message
from ._messages import *  # noqa: F401,F403  (the API's messages and enums, generated)
from ._messages import ContainerSummary, DiskUsageResponse, ImageDetails, RemoveImageResponse
from .errors import (
    AlreadyExists,
    APIError,
    BuildError,
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
from .models import AsyncImage, AsyncImageCollection, Image, ImageCollection

_imaged.register(_messages.MESSAGES, _messages.ENUMS)

__version__: str = _imaged.__version__

#: Names earlier versions used for these results.
Container = ContainerSummary
DiskUsage = DiskUsageResponse
RemoveResult = RemoveImageResponse
ImageInfo = ImageDetails

__all__ = [
    "APIError", "AlreadyExists", "AsyncClient", "AsyncImage", "AsyncImageCollection", "BuildError", "Cancelled",
    "Client", "Conflict", "Container", "DEFAULT_HOST", "DiskUsage", "ExecResult", "FailedPrecondition", "Image",
    "ImageCollection", "ImageInfo", "ImageNotFound", "ImagedError", "InvalidArgument", "Message", "NotFound",
    "PermissionDenied", "RemoveResult", "ResourceExhausted", "TLSConfig", "Timeout", "Unauthenticated",
    "Unavailable", "Unimplemented", "from_env",
]
__all__ += _messages.__all__


def _tls_from_env(env: Mapping[str, str]) -> Optional[TLSConfig]:
    ca, cert, key = env.get("IMAGED_TLS_CA"), env.get("IMAGED_TLS_CERT"), env.get("IMAGED_TLS_KEY")
    if not (ca or cert or key):
        return None
    if bool(cert) != bool(key):
        raise ValueError("IMAGED_TLS_CERT and IMAGED_TLS_KEY go together (a client certificate needs its key)")
    return TLSConfig(ca_cert=ca or None, client_cert=(cert, key) if cert and key else None)


def from_env(timeout: Optional[float] = None, environment: Optional[Mapping[str, str]] = None) -> Client:
    """A client configured as ``imagectl`` is, as ``docker.from_env()`` reads ``DOCKER_HOST``:
    ``IMAGED_HOST`` (default the checkout's daemon), ``IMAGED_NAMESPACE`` (default ``default``), and for an
    ``https://`` daemon ``IMAGED_TLS_CA`` and ``IMAGED_TLS_CERT``/``IMAGED_TLS_KEY``."""
    env = os.environ if environment is None else environment
    return Client(env.get("IMAGED_HOST") or DEFAULT_HOST, env.get("IMAGED_NAMESPACE") or None, timeout=timeout,
                  tls=_tls_from_env(env))
