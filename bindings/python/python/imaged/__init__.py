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

import atexit as _atexit
import os as _os
from typing import Mapping as _Mapping
from typing import Optional as _Optional

from . import _imaged, _messages
from . import errors as errors
from . import models as models
from ._aio import AsyncClient as AsyncClient
from ._client import DEFAULT_HOST as DEFAULT_HOST
from ._client import Client as Client
from ._client import ExecResult as ExecResult
from ._client import TLSConfig as TLSConfig
from ._message import Message as Message
from ._messages import *  # noqa: F401,F403  (the API's messages and enums, generated)
from ._messages import ContainerSummary, DiskUsageResponse, ImageDetails, RemoveImageResponse
from .errors import APIError as APIError
from .errors import AlreadyExists as AlreadyExists
from .errors import BuildError as BuildError
from .errors import Cancelled as Cancelled
from .errors import Conflict as Conflict
from .errors import FailedPrecondition as FailedPrecondition
from .errors import ImagedError as ImagedError
from .errors import ImageNotFound as ImageNotFound
from .errors import InvalidArgument as InvalidArgument
from .errors import NotFound as NotFound
from .errors import PermissionDenied as PermissionDenied
from .errors import ResourceExhausted as ResourceExhausted
from .errors import Timeout as Timeout
from .errors import Unauthenticated as Unauthenticated
from .errors import Unavailable as Unavailable
from .errors import Unimplemented as Unimplemented
from .models import AsyncImage as AsyncImage
from .models import AsyncImageCollection as AsyncImageCollection
from .models import Image as Image
from .models import ImageCollection as ImageCollection

_imaged.register(_messages.MESSAGES, _messages.ENUMS)
# An awaited result is handed over by a worker thread that needs the GIL once more afterwards; exiting in
# that moment would crash the interpreter. Waits at most 100 ms, and only right after an await.
_atexit.register(_imaged.settle)

__version__: str = _imaged.__version__

# No `__all__`: the public names are the ones above (re-exported with `as`) and every generated message
# class; a literal list would be a hand-kept copy of the protos' message names.

#: Names earlier versions used for these results.
Container = ContainerSummary
DiskUsage = DiskUsageResponse
RemoveResult = RemoveImageResponse
ImageInfo = ImageDetails


def _tls_from_env(env: _Mapping[str, str]) -> _Optional[TLSConfig]:
    ca, cert, key = env.get("IMAGED_TLS_CA"), env.get("IMAGED_TLS_CERT"), env.get("IMAGED_TLS_KEY")
    if not (ca or cert or key):
        return None
    if bool(cert) != bool(key):
        raise ValueError("IMAGED_TLS_CERT and IMAGED_TLS_KEY go together (a client certificate needs its key)")
    return TLSConfig(ca_cert=ca or None, client_cert=(cert, key) if cert and key else None)


def from_env(timeout: _Optional[float] = None, environment: _Optional[_Mapping[str, str]] = None) -> Client:
    """A client configured as ``imagectl`` is, as ``docker.from_env()`` reads ``DOCKER_HOST``:
    ``IMAGED_HOST`` (default the checkout's daemon), ``IMAGED_NAMESPACE`` (default ``default``), and for an
    ``https://`` daemon ``IMAGED_TLS_CA`` and ``IMAGED_TLS_CERT``/``IMAGED_TLS_KEY``."""
    env = _os.environ if environment is None else environment
    return Client(env.get("IMAGED_HOST") or DEFAULT_HOST, env.get("IMAGED_NAMESPACE") or None, timeout=timeout,
                  tls=_tls_from_env(env))
