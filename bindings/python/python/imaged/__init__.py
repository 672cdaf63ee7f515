"""imaged: container images through the imaged daemon, from Python.

    import imaged
    c = imaged.Client("unix:///var/lib/imaged/imaged.sock")
    c.pull("127.0.0.1:5000/team/app:1", progress=print)
    for image in c.images():
        print(image.id, image.repo_tags)

Every call has an ``AsyncClient`` twin (``await c.images()``, ``async for ev in c.pull_stream(...)``).
Errors are ``ImagedError`` subclasses named after the gRPC code (``NotFound``, ``InvalidArgument``, …) with
``code``, ``reason`` (e.g. ``IMAGE_NOT_FOUND``) and ``metadata``. Ctrl-C cancels the running call.
"""

from __future__ import annotations

import json
import os
from typing import (
    Any,
    AsyncIterator,
    BinaryIO,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _imaged
from ._imaged import (
    AlreadyExists,
    Cancelled,
    Conflict,
    FailedPrecondition,
    ImagedError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Timeout,
    Unavailable,
    Unimplemented,
)
from ._types import (
    BuildResult,
    BuildStep,
    Container,
    DiskUsage,
    ExecResult,
    HistoryEntry,
    Image,
    ImageSummary,
    ImportResult,
    LoadedImage,
    Progress,
    PullResult,
    PushResult,
    Record,
    RegistryLogin,
    RemoveResult,
    SearchResult,
)

__version__ = _imaged.__version__

__all__ = [
    "AlreadyExists", "AsyncClient", "BuildResult", "BuildStep", "Cancelled", "Client", "Conflict", "Container",
    "DiskUsage", "ExecResult", "FailedPrecondition", "HistoryEntry", "Image", "ImageSummary", "ImagedError",
    "ImportResult", "InvalidArgument", "LoadedImage", "NotFound", "PermissionDenied", "Progress", "PullResult",
    "PushResult", "Record", "RegistryLogin", "RemoveResult", "ResourceExhausted", "SearchResult",
    "Timeout", "Unauthenticated", "Unavailable", "Unimplemented", "from_env",
]

PathLike = Union[str, "os.PathLike[str]"]
Auth = Union[Tuple[str, str], Mapping[str, str], None]
Filters = Union[Mapping[str, Union[str, Sequence[str]]], Sequence[Tuple[str, str]], None]
Source = Union[PathLike, bytes, BinaryIO, Iterable[bytes]]
CHUNK = 1 << 20


def _filters(filters: Filters) -> List[Tuple[str, str]]:
    if not filters:
        return []
    if isinstance(filters, Mapping):
        out: List[Tuple[str, str]] = []
        for key, value in filters.items():
            values = [value] if isinstance(value, (str, bool, int)) else list(value)
            out.extend((key, str(v).lower() if isinstance(v, bool) else str(v)) for v in values)
        return out
    return [(k, v) for k, v in filters]


def _auth(auth: Auth) -> Optional[Tuple[str, str]]:
    if auth is None:
        return None
    if isinstance(auth, Mapping):
        return (auth["username"], auth["password"])
    return (auth[0], auth[1])


def _env(env: Union[Mapping[str, str], Sequence[str], None]) -> List[str]:
    if not env:
        return []
    if isinstance(env, Mapping):
        return [f"{k}={v}" for k, v in env.items()]
    return list(env)


def _is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


def _chunks(source: Any) -> Iterator[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        for i in range(0, len(data), CHUNK):
            yield data[i:i + CHUNK]
    elif hasattr(source, "read"):
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                return
            yield chunk
    else:
        for chunk in source:
            yield bytes(chunk)


def _pull_event(kind: str, payload: Any) -> Union[Progress, PullResult]:
    return Progress.from_json(payload) if kind == "progress" else PullResult.from_json(payload)  # type: ignore[return-value]


def _push_event(kind: str, payload: Any) -> Union[Progress, PushResult]:
    return Progress.from_json(payload) if kind == "progress" else PushResult.from_json(payload)  # type: ignore[return-value]


def _build_event(kind: str, payload: Any) -> Union[str, BuildStep, BuildResult]:
    if kind == "log":
        return payload
    if kind == "step":
        return BuildStep.from_json(payload)  # type: ignore[return-value]
    return BuildResult.from_json(payload)  # type: ignore[return-value]


class Client:
    """A blocking client. ``host``: ``unix:///path/imaged.sock``, a socket path, or ``http://host:port``;
    ``namespace``: the namespace to work in (default ``default``); ``timeout``: seconds per call."""

    def __init__(self, host: str = "unix:///var/lib/imaged/imaged.sock", namespace: Optional[str] = None,
                 timeout: Optional[float] = None) -> None:
        self._c = _imaged.Client(host, namespace, timeout)

    # Images ---------------------------------------------------------------------------------------------
    def images(self, all: bool = False, filters: Filters = None) -> List[ImageSummary]:
        """Images, newest first (``docker image ls``); ``filters`` e.g. ``{"dangling": True}``."""
        return [ImageSummary(d) for d in self._c.images(all, _filters(filters))]

    def inspect(self, image: str) -> Image:
        return Image(json.loads(self._c.inspect(image)))

    def history(self, image: str) -> List[HistoryEntry]:
        return [HistoryEntry(d) for d in json.loads(self._c.history(image))]

    def tag(self, source: str, target: str) -> None:
        self._c.tag(source, target)

    def remove(self, image: str, force: bool = False, no_prune: bool = False) -> RemoveResult:
        return RemoveResult(json.loads(self._c.remove(image, force, no_prune)))

    def prune(self, all: bool = False, filters: Filters = None) -> RemoveResult:
        return RemoveResult(json.loads(self._c.prune(all, _filters(filters))))

    def disk_usage(self) -> DiskUsage:
        return DiskUsage(json.loads(self._c.disk_usage()))

    def search(self, term: str, limit: int = 25, filters: Filters = None) -> List[SearchResult]:
        answer = json.loads(self._c.search(term, limit, _filters(filters)))
        return [SearchResult(d) for d in answer["results"]]

    # Registries -----------------------------------------------------------------------------------------
    def pull_stream(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                    auth: Auth = None) -> Iterator[Union[Progress, PullResult]]:
        """Progress events while the pull runs, then one ``PullResult`` per pulled tag."""
        for kind, payload in self._c.pull(reference, all_tags, platform, _auth(auth)):
            yield _pull_event(kind, payload)

    def pull(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None, auth: Auth = None,
             progress: Optional[Callable[[Progress], Any]] = None) -> Any:
        """Pulls and returns the image (a list of images with ``all_tags``)."""
        results: List[PullResult] = []
        for ev in self.pull_stream(reference, all_tags=all_tags, platform=platform, auth=auth):
            if isinstance(ev, Progress):
                if progress is not None:
                    progress(ev)
            else:
                results.append(ev)
        images = [self.inspect(r.image_id) for r in results]
        return images if all_tags else images[0]

    def push_stream(self, reference: str, *, all_tags: bool = False,
                    auth: Auth = None) -> Iterator[Union[Progress, PushResult]]:
        for kind, payload in self._c.push(reference, all_tags, _auth(auth)):
            yield _push_event(kind, payload)

    def push(self, reference: str, *, all_tags: bool = False, auth: Auth = None,
             progress: Optional[Callable[[Progress], Any]] = None) -> List[PushResult]:
        """Pushes; returns one result per tag with the manifest digest the registry stored."""
        out: List[PushResult] = []
        for ev in self.push_stream(reference, all_tags=all_tags, auth=auth):
            if isinstance(ev, Progress):
                if progress is not None:
                    progress(ev)
            else:
                out.append(ev)
        return out

    def login(self, server: str, username: str, password: str) -> str:
        return self._c.login(server, username, password)

    def logout(self, server: str) -> str:
        return self._c.logout(server)

    def logins(self) -> List[RegistryLogin]:
        return [RegistryLogin(d) for d in json.loads(self._c.logins())]

    # Archives -------------------------------------------------------------------------------------------
    def import_image(self, source: Source, reference: Optional[str] = None, *, message: Optional[str] = None,
                     changes: Optional[Sequence[str]] = None, platform: Optional[str] = None) -> ImportResult:
        """A root filesystem tar (path, bytes, binary file object or iterator of bytes) as a new image."""
        args = (reference or "", message or "", list(changes or []), platform or "")
        if _is_path(source):
            return ImportResult(json.loads(self._c.import_path(os.fspath(source), *args)))  # type: ignore[arg-type]
        upload = self._c.import_stream(*args)
        for chunk in _chunks(source):
            upload.write(chunk)
        return ImportResult(json.loads(upload.finish()))

    def save(self, images: Union[str, Sequence[str]], path_or_fileobj: Union[PathLike, BinaryIO],
             format: str = "docker") -> int:
        """Writes an archive of ``images`` (Docker 25+ layout, or ``format="oci"``); returns its size."""
        names = [images] if isinstance(images, str) else list(images)
        if _is_path(path_or_fileobj):
            return int(self._c.save_path(names, format, os.fspath(path_or_fileobj)))  # type: ignore[arg-type]
        total = 0
        for kind, payload in self._c.save(names, format):
            if kind == "data":
                path_or_fileobj.write(payload)  # type: ignore[union-attr]
                total += len(payload)
        return total

    def load(self, path_or_fileobj: Source) -> List[LoadedImage]:
        """Loads an image archive (docker save, OCI, skopeo; plain/gzip/zstd)."""
        if _is_path(path_or_fileobj):
            return [LoadedImage(d) for d in json.loads(self._c.load_path(os.fspath(path_or_fileobj)))]  # type: ignore[arg-type]
        upload = self._c.load_stream()
        for chunk in _chunks(path_or_fileobj):
            upload.write(chunk)
        return [LoadedImage(d) for d in json.loads(upload.finish())]

    # Builds ---------------------------------------------------------------------------------------------
    def build_stream(self, context_dir: PathLike, *, tags: Sequence[str] = (), dockerfile: Optional[PathLike] = None,
                     build_args: Optional[Mapping[str, str]] = None, target: Optional[str] = None,
                     labels: Optional[Mapping[str, str]] = None, no_cache: bool = False, pull: bool = False,
                     platform: Optional[str] = None) -> Iterator[Union[str, BuildStep, BuildResult]]:
        """Log lines (str) and steps while the build runs, then the ``BuildResult``."""
        stream = self._c.build(os.fspath(context_dir), list(tags), os.fspath(dockerfile) if dockerfile else "",
                               dict(build_args or {}), target or "", dict(labels or {}), no_cache, pull, platform or "")
        for kind, payload in stream:
            yield _build_event(kind, payload)

    def build(self, context_dir: PathLike, *, tags: Sequence[str] = (), dockerfile: Optional[PathLike] = None,
              build_args: Optional[Mapping[str, str]] = None, target: Optional[str] = None,
              labels: Optional[Mapping[str, str]] = None, no_cache: bool = False, pull: bool = False,
              platform: Optional[str] = None, log: Optional[Callable[[str], Any]] = None) -> BuildResult:
        """Builds the Dockerfile of ``context_dir`` (``.dockerignore`` honoured); ``log`` sees each line."""
        result = None
        for ev in self.build_stream(context_dir, tags=tags, dockerfile=dockerfile, build_args=build_args,
                                    target=target, labels=labels, no_cache=no_cache, pull=pull, platform=platform):
            if isinstance(ev, str):
                if log is not None:
                    log(ev)
            elif isinstance(ev, BuildResult):
                result = ev
        assert result is not None
        return result

    # Containers -----------------------------------------------------------------------------------------
    def create_container(self, image: str, name: Optional[str] = None) -> Container:
        d = json.loads(self._c.create_container(image, name or ""))
        return next(c for c in self.containers() if c.id == d["id"])

    def containers(self) -> List[Container]:
        return [Container(d) for d in json.loads(self._c.containers())]

    def exec(self, container: str, cmd: Union[str, Sequence[str]] = (), *,
             env: Union[Mapping[str, str], Sequence[str], None] = None, workdir: Optional[str] = None,
             user: Optional[str] = None, output: Optional[Callable[[str, bytes], Any]] = None) -> ExecResult:
        """Runs ``cmd`` (a list, or a string run by ``/bin/sh -c``) in the container; ``output(stream,
        data)`` sees stdout/stderr as they come."""
        args = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        out, err, code = bytearray(), bytearray(), -1
        for kind, payload in self._c.exec(container, args, _env(env), workdir or "", user or ""):
            if kind == "exit":
                code = payload
                continue
            (out if kind == "stdout" else err).extend(payload)
            if output is not None:
                output(kind, payload)
        return ExecResult({"exit_code": code, "stdout": bytes(out), "stderr": bytes(err)})

    def commit(self, container: str, reference: Optional[str] = None, *, author: Optional[str] = None,
               message: Optional[str] = None, changes: Optional[Sequence[str]] = None, pause: bool = True) -> str:
        """The container's changes as a new image; returns its id."""
        return self._c.commit(container, reference or "", author or "", message or "", list(changes or []), pause)

    def remove_container(self, container: str, force: bool = False) -> str:
        return self._c.remove_container(container, force)


class AsyncClient:
    """The asyncio twin of ``Client``: the same methods as coroutines, streams as async iterators."""

    def __init__(self, host: str = "unix:///var/lib/imaged/imaged.sock", namespace: Optional[str] = None,
                 timeout: Optional[float] = None) -> None:
        self._c = _imaged.Client(host, namespace, timeout)

    @staticmethod
    async def _events(stream: Any) -> AsyncIterator[Tuple[str, Any]]:
        while True:
            item = await stream.next_async()
            if item is None:
                return
            yield item

    async def images(self, all: bool = False, filters: Filters = None) -> List[ImageSummary]:
        return [ImageSummary(d) for d in await self._c.images_async(all, _filters(filters))]

    async def inspect(self, image: str) -> Image:
        return Image(json.loads(await self._c.inspect_async(image)))

    async def history(self, image: str) -> List[HistoryEntry]:
        return [HistoryEntry(d) for d in json.loads(await self._c.history_async(image))]

    async def tag(self, source: str, target: str) -> None:
        await self._c.tag_async(source, target)

    async def remove(self, image: str, force: bool = False, no_prune: bool = False) -> RemoveResult:
        return RemoveResult(json.loads(await self._c.remove_async(image, force, no_prune)))

    async def prune(self, all: bool = False, filters: Filters = None) -> RemoveResult:
        return RemoveResult(json.loads(await self._c.prune_async(all, _filters(filters))))

    async def disk_usage(self) -> DiskUsage:
        return DiskUsage(json.loads(await self._c.disk_usage_async()))

    async def search(self, term: str, limit: int = 25, filters: Filters = None) -> List[SearchResult]:
        answer = json.loads(await self._c.search_async(term, limit, _filters(filters)))
        return [SearchResult(d) for d in answer["results"]]

    async def pull_stream(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                          auth: Auth = None) -> AsyncIterator[Union[Progress, PullResult]]:
        async for kind, payload in self._events(self._c.pull(reference, all_tags, platform, _auth(auth))):
            yield _pull_event(kind, payload)

    async def pull(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                   auth: Auth = None, progress: Optional[Callable[[Progress], Any]] = None) -> Any:
        results: List[PullResult] = []
        async for ev in self.pull_stream(reference, all_tags=all_tags, platform=platform, auth=auth):
            if isinstance(ev, Progress):
                if progress is not None:
                    progress(ev)
            else:
                results.append(ev)
        images = [await self.inspect(r.image_id) for r in results]
        return images if all_tags else images[0]

    async def push_stream(self, reference: str, *, all_tags: bool = False,
                          auth: Auth = None) -> AsyncIterator[Union[Progress, PushResult]]:
        async for kind, payload in self._events(self._c.push(reference, all_tags, _auth(auth))):
            yield _push_event(kind, payload)

    async def push(self, reference: str, *, all_tags: bool = False, auth: Auth = None,
                   progress: Optional[Callable[[Progress], Any]] = None) -> List[PushResult]:
        out: List[PushResult] = []
        async for ev in self.push_stream(reference, all_tags=all_tags, auth=auth):
            if isinstance(ev, Progress):
                if progress is not None:
                    progress(ev)
            else:
                out.append(ev)
        return out

    async def login(self, server: str, username: str, password: str) -> str:
        return await self._c.login_async(server, username, password)

    async def logout(self, server: str) -> str:
        return await self._c.logout_async(server)

    async def logins(self) -> List[RegistryLogin]:
        return [RegistryLogin(d) for d in json.loads(await self._c.logins_async())]

    async def import_image(self, source: Source, reference: Optional[str] = None, *, message: Optional[str] = None,
                           changes: Optional[Sequence[str]] = None, platform: Optional[str] = None) -> ImportResult:
        args = (reference or "", message or "", list(changes or []), platform or "")
        if _is_path(source):
            return ImportResult(json.loads(await self._c.import_path_async(os.fspath(source), *args)))  # type: ignore[arg-type]
        upload = self._c.import_stream(*args)
        for chunk in _chunks(source):
            await upload.write_async(chunk)
        return ImportResult(json.loads(await upload.finish_async()))

    async def save(self, images: Union[str, Sequence[str]], path_or_fileobj: Union[PathLike, BinaryIO],
                   format: str = "docker") -> int:
        names = [images] if isinstance(images, str) else list(images)
        if _is_path(path_or_fileobj):
            return int(await self._c.save_path_async(names, format, os.fspath(path_or_fileobj)))  # type: ignore[arg-type]
        total = 0
        async for kind, payload in self._events(self._c.save(names, format)):
            if kind == "data":
                path_or_fileobj.write(payload)  # type: ignore[union-attr]
                total += len(payload)
        return total

    async def load(self, path_or_fileobj: Source) -> List[LoadedImage]:
        if _is_path(path_or_fileobj):
            text = await self._c.load_path_async(os.fspath(path_or_fileobj))  # type: ignore[arg-type]
            return [LoadedImage(d) for d in json.loads(text)]
        upload = self._c.load_stream()
        for chunk in _chunks(path_or_fileobj):
            await upload.write_async(chunk)
        return [LoadedImage(d) for d in json.loads(await upload.finish_async())]

    async def build_stream(self, context_dir: PathLike, *, tags: Sequence[str] = (),
                           dockerfile: Optional[PathLike] = None, build_args: Optional[Mapping[str, str]] = None,
                           target: Optional[str] = None, labels: Optional[Mapping[str, str]] = None,
                           no_cache: bool = False, pull: bool = False,
                           platform: Optional[str] = None) -> AsyncIterator[Union[str, BuildStep, BuildResult]]:
        stream = self._c.build(os.fspath(context_dir), list(tags), os.fspath(dockerfile) if dockerfile else "",
                               dict(build_args or {}), target or "", dict(labels or {}), no_cache, pull, platform or "")
        async for kind, payload in self._events(stream):
            yield _build_event(kind, payload)

    async def build(self, context_dir: PathLike, *, tags: Sequence[str] = (), dockerfile: Optional[PathLike] = None,
                    build_args: Optional[Mapping[str, str]] = None, target: Optional[str] = None,
                    labels: Optional[Mapping[str, str]] = None, no_cache: bool = False, pull: bool = False,
                    platform: Optional[str] = None, log: Optional[Callable[[str], Any]] = None) -> BuildResult:
        result = None
        async for ev in self.build_stream(context_dir, tags=tags, dockerfile=dockerfile, build_args=build_args,
                                          target=target, labels=labels, no_cache=no_cache, pull=pull,
                                          platform=platform):
            if isinstance(ev, str):
                if log is not None:
                    log(ev)
            elif isinstance(ev, BuildResult):
                result = ev
        assert result is not None
        return result

    async def create_container(self, image: str, name: Optional[str] = None) -> Container:
        d = json.loads(await self._c.create_container_async(image, name or ""))
        return next(c for c in await self.containers() if c.id == d["id"])

    async def containers(self) -> List[Container]:
        return [Container(d) for d in json.loads(await self._c.containers_async())]

    async def exec(self, container: str, cmd: Union[str, Sequence[str]] = (), *,
                   env: Union[Mapping[str, str], Sequence[str], None] = None, workdir: Optional[str] = None,
                   user: Optional[str] = None, output: Optional[Callable[[str, bytes], Any]] = None) -> ExecResult:
        args = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        out, err, code = bytearray(), bytearray(), -1
        async for kind, payload in self._events(self._c.exec(container, args, _env(env), workdir or "", user or "")):
            if kind == "exit":
                code = payload
                continue
            (out if kind == "stdout" else err).extend(payload)
            if output is not None:
                output(kind, payload)
        return ExecResult({"exit_code": code, "stdout": bytes(out), "stderr": bytes(err)})

    async def commit(self, container: str, reference: Optional[str] = None, *, author: Optional[str] = None,
                     message: Optional[str] = None, changes: Optional[Sequence[str]] = None, pause: bool = True) -> str:
        return await self._c.commit_async(container, reference or "", author or "", message or "",
                                          list(changes or []), pause)

    async def remove_container(self, container: str, force: bool = False) -> str:
        return await self._c.remove_container_async(container, force)


#: Where ``from_env`` connects without ``IMAGED_HOST``: the daemon of a checkout (``scripts/run-daemon.sh``), as
#: ``imagectl`` does.
DEFAULT_HOST = "unix://./imaged-data/imaged.sock"


def from_env(timeout: Optional[float] = None) -> Client:
    """A client configured as ``imagectl`` is: ``IMAGED_HOST`` (default the checkout's daemon) and
    ``IMAGED_NAMESPACE`` (default ``default``), as ``docker.from_env()`` reads ``DOCKER_HOST``."""
    return Client(os.environ.get("IMAGED_HOST") or DEFAULT_HOST, os.environ.get("IMAGED_NAMESPACE") or None,
                  timeout=timeout)
