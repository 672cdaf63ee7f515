"""The blocking client: every call of the API as a method (the flat layer), plus ``images`` (a collection
of ``Image`` objects, as docker-py's ``client.images``), ``login`` and ``df`` in docker-py's shape."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _imaged, _util
from ._messages import (
    BuildResult,
    BuildStep,
    ContainerSummary,
    DiskUsageResponse,
    HistoryEntry,
    ImageDetails,
    ImportResult,
    LoadedImage,
    Progress,
    PruneImagesResponse,
    PullResult,
    PushResult,
    RegistryLogin,
    RemoveImageResponse,
    SearchResult,
)
from ._util import Auth, Filters, PathLike, Source
from .errors import BuildError, ImagedError
from .models import ImageCollection

#: Where a client connects without a host: the daemon of a checkout (``scripts/run-daemon.sh``), as
#: ``imagectl`` does.
DEFAULT_HOST = "unix://./imaged-data/imaged.sock"

PullEvent = Union[Progress, PullResult]
PushEvent = Union[Progress, PushResult]
BuildEvent = Union[str, BuildStep, BuildResult]


@dataclass(frozen=True)
class TLSConfig:
    """TLS for an ``https://`` daemon: the CA to trust, and a client certificate and key for a daemon that
    asks for one (mTLS). As docker-py's ``TLSConfig(ca_cert=…, client_cert=(cert, key))``."""

    ca_cert: Optional[PathLike] = None
    client_cert: Optional[Tuple[PathLike, PathLike]] = None


@dataclass(frozen=True)
class ExecResult:
    """What a command in a container did: ``exit_code``, and its ``stdout``/``stderr`` bytes."""

    exit_code: int
    stdout: bytes
    stderr: bytes


def _native(host: Optional[str], namespace: Optional[str], timeout: Optional[float],
            tls: Union[TLSConfig, bool, None]) -> _imaged.Client:
    host = host or DEFAULT_HOST
    files: Tuple[Optional[str], Optional[str], Optional[str]] = (None, None, None)
    if isinstance(tls, TLSConfig):
        cert, key = tls.client_cert or (None, None)
        files = tuple(os.fspath(p) if p is not None else None for p in (tls.ca_cert, cert, key))  # type: ignore[assignment]
        host = host.replace("tcp://", "https://").replace("http://", "https://")
    elif tls:
        host = host.replace("tcp://", "https://").replace("http://", "https://")
    else:
        host = host.replace("tcp://", "http://")
    return _imaged.Client(host, namespace, timeout, *files)


def _flag(value: Optional[str]) -> str:
    return value or ""


class Client:
    """A blocking client.

    ``host``: ``unix:///path/imaged.sock``, a socket path, ``http://host:port`` or ``https://host:port``
    (default: the checkout's daemon, as ``imagectl``); ``namespace``: the namespace to work in (default
    ``default``); ``timeout``: seconds per call, sent as the call's gRPC deadline (the daemon stops the work
    when it passes; ``imaged.Timeout`` is raised); ``tls``: a ``TLSConfig`` (or ``True``) for ``https://``.
    Every method also takes ``timeout=`` for that call alone."""

    images: ImageCollection

    def __init__(self, host: Optional[str] = None, namespace: Optional[str] = None,
                 timeout: Optional[float] = None, tls: Union[TLSConfig, bool, None] = None) -> None:
        self._c = _native(host, namespace, timeout, tls)
        self.images = ImageCollection(self)

    def _n(self, timeout: Optional[float]) -> _imaged.Client:
        return self._c if timeout is None else self._c.with_timeout(timeout)

    def close(self) -> None:
        """Nothing to release: connections close when the client is dropped (docker-py compatibility)."""

    def ping(self, *, timeout: Optional[float] = None) -> bool:
        """True when the daemon answers (docker-py's ``ping``); raises ``Unavailable`` when it does not."""
        self._n(timeout).containers()
        return True

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # Images ---------------------------------------------------------------------------------------------
    def inspect(self, image: str, *, platform: Optional[str] = None, timeout: Optional[float] = None) -> ImageDetails:
        """``docker image inspect``; ``platform`` picks one platform of a multi-platform image."""
        return self._n(timeout).inspect(image, _flag(platform))  # type: ignore[no-any-return]

    def history(self, image: str, *, timeout: Optional[float] = None) -> List[HistoryEntry]:
        return self._n(timeout).history(image)  # type: ignore[no-any-return]

    def tag(self, source: str, target: str, *, timeout: Optional[float] = None) -> None:
        self._n(timeout).tag(source, target)

    def remove(self, image: str, force: bool = False, no_prune: bool = False, *,
               timeout: Optional[float] = None) -> RemoveImageResponse:
        return self._n(timeout).remove(image, force, no_prune)  # type: ignore[no-any-return]

    def prune(self, all: bool = False, filters: Filters = None, *,
              timeout: Optional[float] = None) -> PruneImagesResponse:
        return self._n(timeout).prune(all, _util.filters(filters))  # type: ignore[no-any-return]

    def disk_usage(self, *, timeout: Optional[float] = None) -> DiskUsageResponse:
        return self._n(timeout).disk_usage()  # type: ignore[no-any-return]

    def df(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """Disk usage in the shape of docker-py's ``client.df()``."""
        return _util.docker_df(self.disk_usage(timeout=timeout))

    def search(self, term: str, limit: int = 25, filters: Filters = None, *,
               timeout: Optional[float] = None) -> List[SearchResult]:
        return list(self._n(timeout).search(term, limit, _util.filters(filters)).results)

    # Registries -----------------------------------------------------------------------------------------
    def pull_stream(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                    all_platforms: bool = False, auth: Auth = None,
                    timeout: Optional[float] = None) -> Iterator[PullEvent]:
        """Progress events while the pull runs, then one ``PullResult`` per pulled tag. ``platform``
        (``os/arch[/variant]``, or several joined by ``,``) or ``all_platforms`` choose what of a
        multi-platform image is fetched (default: this machine's platform)."""
        stream = self._n(timeout).pull(reference, all_tags, platform, all_platforms, _util.auth(auth))
        for _, payload in stream:
            yield payload

    def pull(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
             all_platforms: bool = False, auth: Auth = None, progress: Optional[Callable[[Progress], Any]] = None,
             timeout: Optional[float] = None) -> Any:
        """Pulls and returns the image's details (a list with ``all_tags``)."""
        results: List[PullResult] = []
        for ev in self.pull_stream(reference, all_tags=all_tags, platform=platform, all_platforms=all_platforms,
                                   auth=auth, timeout=timeout):
            _util.route(ev, PullResult, results, progress)
        images = [self.inspect(r.image_id, timeout=timeout) for r in results]
        return images if all_tags else images[0]

    def push_stream(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                    auth: Auth = None, timeout: Optional[float] = None) -> Iterator[PushEvent]:
        for _, payload in self._n(timeout).push(reference, all_tags, platform, _util.auth(auth)):
            yield payload

    def push(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None, auth: Auth = None,
             progress: Optional[Callable[[Progress], Any]] = None,
             timeout: Optional[float] = None) -> List[PushResult]:
        """Pushes; returns one result per tag with the manifest digest the registry stored."""
        out: List[PushResult] = []
        for ev in self.push_stream(reference, all_tags=all_tags, platform=platform, auth=auth, timeout=timeout):
            _util.route(ev, PushResult, out, progress)
        return out

    def login(self, username: str, password: Optional[str] = None, email: Optional[str] = None,
              registry: Optional[str] = None, reauth: bool = False, dockercfg_path: Optional[str] = None, *,
              timeout: Optional[float] = None) -> Dict[str, str]:
        """Checks the credentials with ``registry`` (default Docker Hub) and stores them in the daemon, as
        docker-py's ``login``; returns ``{"Status": "Login Succeeded"}``. ``email``, ``reauth`` and
        ``dockercfg_path`` are accepted for compatibility and not used."""
        status = self._n(timeout).login(registry or "", username, password or "")
        return {"Status": status}

    def logout(self, server: str, *, timeout: Optional[float] = None) -> str:
        return self._n(timeout).logout(server)  # type: ignore[no-any-return]

    def logins(self, *, timeout: Optional[float] = None) -> List[RegistryLogin]:
        return self._n(timeout).logins()  # type: ignore[no-any-return]

    # Archives -------------------------------------------------------------------------------------------
    def import_image(self, source: Source, reference: Optional[str] = None, *, message: Optional[str] = None,
                     changes: Optional[Sequence[str]] = None, platform: Optional[str] = None,
                     timeout: Optional[float] = None) -> ImportResult:
        """A root filesystem tar (path, bytes, binary file object or iterable of bytes) as a new image."""
        c = self._n(timeout)
        args = (reference or "", message or "", list(changes or []), platform or "")
        if _util.is_path(source):
            return c.import_path(os.fspath(source), *args)  # type: ignore[arg-type, no-any-return]
        upload = c.import_stream(*args)
        for chunk in _util.chunks(source):
            upload.write(chunk)
        return upload.finish()  # type: ignore[no-any-return]

    def save_stream(self, images: Union[str, Sequence[str]], format: str = "docker", *,
                    timeout: Optional[float] = None) -> Iterator[bytes]:
        """The archive of ``images`` as chunks of bytes."""
        names = [images] if isinstance(images, str) else list(images)
        for kind, payload in self._n(timeout).save(names, format):
            if kind == "data":
                yield payload

    def save(self, images: Union[str, Sequence[str]], path_or_fileobj: Union[PathLike, Any],
             format: str = "docker", *, timeout: Optional[float] = None) -> int:
        """Writes an archive of ``images`` (Docker 25+ layout, or ``format="oci"``); returns its size."""
        names = [images] if isinstance(images, str) else list(images)
        if _util.is_path(path_or_fileobj):
            return self._n(timeout).save_path(names, format, os.fspath(path_or_fileobj))  # type: ignore[no-any-return]
        total = 0
        for chunk in self.save_stream(names, format, timeout=timeout):
            path_or_fileobj.write(chunk)  # type: ignore[union-attr]
            total += len(chunk)
        return total

    def load(self, path_or_fileobj: Source, *, timeout: Optional[float] = None) -> List[LoadedImage]:
        """Loads an image archive (docker save, OCI, skopeo; plain/gzip/zstd)."""
        c = self._n(timeout)
        if _util.is_path(path_or_fileobj):
            return c.load_path(os.fspath(path_or_fileobj))  # type: ignore[arg-type, no-any-return]
        upload = c.load_stream()
        for chunk in _util.chunks(path_or_fileobj):
            upload.write(chunk)
        return upload.finish()  # type: ignore[no-any-return]

    # Builds ---------------------------------------------------------------------------------------------
    def build_stream(self, context_dir: PathLike, *, tags: Sequence[str] = (), dockerfile: Optional[PathLike] = None,
                     build_args: Optional[Mapping[str, str]] = None, target: Optional[str] = None,
                     labels: Optional[Mapping[str, str]] = None, no_cache: bool = False, pull: bool = False,
                     platform: Optional[str] = None, timeout: Optional[float] = None) -> Iterator[BuildEvent]:
        """Log lines (str) and steps while the build runs, then the ``BuildResult``. A failed build raises
        ``BuildError`` carrying the log."""
        stream = self._n(timeout).build(os.fspath(context_dir), list(tags),
                                        os.fspath(dockerfile) if dockerfile else "", dict(build_args or {}),
                                        target or "", dict(labels or {}), no_cache, pull, platform or "")
        lines: List[str] = []
        try:
            for kind, payload in stream:
                if kind == "log":
                    lines.append(payload)
                yield payload
        except ImagedError as e:
            raise BuildError.wrap(e, lines) from e

    def build(self, context_dir: PathLike, *, tags: Sequence[str] = (), dockerfile: Optional[PathLike] = None,
              build_args: Optional[Mapping[str, str]] = None, target: Optional[str] = None,
              labels: Optional[Mapping[str, str]] = None, no_cache: bool = False, pull: bool = False,
              platform: Optional[str] = None, log: Optional[Callable[[str], Any]] = None,
              timeout: Optional[float] = None) -> BuildResult:
        """Builds the Dockerfile of ``context_dir`` (``.dockerignore`` honoured); ``log`` sees each line."""
        result: Optional[BuildResult] = None
        for ev in self.build_stream(context_dir, tags=tags, dockerfile=dockerfile, build_args=build_args,
                                    target=target, labels=labels, no_cache=no_cache, pull=pull, platform=platform,
                                    timeout=timeout):
            if isinstance(ev, str):
                if log is not None:
                    log(ev)
            elif isinstance(ev, BuildResult):
                result = ev
        if result is None:
            raise ImagedError("the build stream ended without a result")
        return result

    # Containers -----------------------------------------------------------------------------------------
    def create_container(self, image: str, name: Optional[str] = None, *,
                         timeout: Optional[float] = None) -> ContainerSummary:
        created = self._n(timeout).create_container(image, name or "")
        return next(c for c in self.containers(timeout=timeout) if c.id == created.id)

    def containers(self, *, timeout: Optional[float] = None) -> List[ContainerSummary]:
        return self._n(timeout).containers()  # type: ignore[no-any-return]

    def exec(self, container: str, cmd: Union[str, Sequence[str]] = (), *,
             env: Union[Mapping[str, str], Sequence[str], None] = None, workdir: Optional[str] = None,
             user: Optional[str] = None, output: Optional[Callable[[str, bytes], Any]] = None,
             timeout: Optional[float] = None) -> ExecResult:
        """Runs ``cmd`` (a list, or a string run by ``/bin/sh -c``) in the container; ``output(stream,
        data)`` sees stdout/stderr as they come."""
        args = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        out, err, code = bytearray(), bytearray(), -1
        for kind, payload in self._n(timeout).exec(container, args, _util.env(env), workdir or "", user or ""):
            if kind == "exit":
                code = payload
                continue
            (out if kind == "stdout" else err).extend(payload)
            if output is not None:
                output(kind, payload)
        return ExecResult(code, bytes(out), bytes(err))

    def commit(self, container: str, reference: Optional[str] = None, *, author: Optional[str] = None,
               message: Optional[str] = None, changes: Optional[Sequence[str]] = None, pause: bool = True,
               timeout: Optional[float] = None) -> str:
        """The container's changes as a new image; returns its id."""
        return self._n(timeout).commit(container, reference or "", author or "", message or "",  # type: ignore[no-any-return]
                                       list(changes or []), pause)

    def remove_container(self, container: str, force: bool = False, *, timeout: Optional[float] = None) -> str:
        return self._n(timeout).remove_container(container, force)  # type: ignore[no-any-return]
