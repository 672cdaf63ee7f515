"""The asyncio client: the blocking client's methods as coroutines, streams as async iterators. File
objects and iterators given to ``load``/``import_image`` are read in a worker thread, and ``save`` writes
to a file object in one, so the event loop never waits on a disk. Cancelling an awaited call cancels the
RPC: the daemon stops the work (a pull keeps what it downloaded for the next one)."""

from __future__ import annotations

import asyncio
import os
from typing import Any, AsyncIterator, Callable, Dict, List, Mapping, Optional, Sequence, Union

from . import _imaged, _util
from ._client import BuildEvent, ExecResult, PullEvent, PushEvent, TLSConfig, _flag, _native
from ._messages import (
    BuildResult,
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
from .models import AsyncImageCollection


async def _events(stream: Any) -> AsyncIterator[Any]:
    """The events of a native stream; leaving early (an error, ``break``, a cancelled task) cancels it."""
    try:
        while True:
            item = await stream.next_async()
            if item is None:
                return
            yield item
    finally:
        stream.cancel()


async def _read_chunks(source: Any) -> AsyncIterator[bytes]:
    """``source``'s bytes without blocking the loop: file objects and plain iterators are read in a thread."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        for chunk in _util.chunks(source):
            yield chunk
    elif hasattr(source, "__aiter__"):
        async for chunk in source:
            yield bytes(chunk)
    elif hasattr(source, "read"):
        while True:
            chunk = await asyncio.to_thread(source.read, _util.CHUNK)
            if not chunk:
                return
            yield chunk
    else:
        it = iter(source)
        end = object()
        while True:
            chunk = await asyncio.to_thread(next, it, end)  # type: ignore[arg-type]
            if chunk is end:
                return
            yield bytes(chunk)


class AsyncClient:
    """The asyncio twin of ``Client``: the same arguments, methods as coroutines, streams as async
    iterators, ``images`` as an ``AsyncImageCollection``."""

    images: AsyncImageCollection

    def __init__(self, host: Optional[str] = None, namespace: Optional[str] = None,
                 timeout: Optional[float] = None, tls: Union[TLSConfig, bool, None] = None) -> None:
        self._c = _native(host, namespace, timeout, tls)
        self.images = AsyncImageCollection(self)

    def _n(self, timeout: Optional[float]) -> _imaged.Client:
        return self._c if timeout is None else self._c.with_timeout(timeout)

    async def close(self) -> None:
        """Nothing to release (docker-py compatibility)."""

    async def ping(self, *, timeout: Optional[float] = None) -> bool:
        await self._n(timeout).containers_async()
        return True

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    # Images ---------------------------------------------------------------------------------------------
    async def inspect(self, image: str, *, platform: Optional[str] = None,
                      timeout: Optional[float] = None) -> ImageDetails:
        return await self._n(timeout).inspect_async(image, _flag(platform))  # type: ignore[no-any-return]

    async def history(self, image: str, *, timeout: Optional[float] = None) -> List[HistoryEntry]:
        return await self._n(timeout).history_async(image)  # type: ignore[no-any-return]

    async def tag(self, source: str, target: str, *, timeout: Optional[float] = None) -> None:
        await self._n(timeout).tag_async(source, target)

    async def remove(self, image: str, force: bool = False, no_prune: bool = False, *,
                     timeout: Optional[float] = None) -> RemoveImageResponse:
        return await self._n(timeout).remove_async(image, force, no_prune)  # type: ignore[no-any-return]

    async def prune(self, all: bool = False, filters: Filters = None, *,
                    timeout: Optional[float] = None) -> PruneImagesResponse:
        return await self._n(timeout).prune_async(all, _util.filters(filters))  # type: ignore[no-any-return]

    async def disk_usage(self, *, timeout: Optional[float] = None) -> DiskUsageResponse:
        return await self._n(timeout).disk_usage_async()  # type: ignore[no-any-return]

    async def df(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        return _util.docker_df(await self.disk_usage(timeout=timeout))

    async def search(self, term: str, limit: int = 25, filters: Filters = None, *,
                     timeout: Optional[float] = None) -> List[SearchResult]:
        return list((await self._n(timeout).search_async(term, limit, _util.filters(filters))).results)

    # Registries -----------------------------------------------------------------------------------------
    async def pull_stream(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                          all_platforms: bool = False, auth: Auth = None,
                          timeout: Optional[float] = None) -> AsyncIterator[PullEvent]:
        stream = self._n(timeout).pull(reference, all_tags, platform, all_platforms, _util.auth(auth))
        async for _, payload in _events(stream):
            yield payload

    async def pull(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                   all_platforms: bool = False, auth: Auth = None,
                   progress: Optional[Callable[[Progress], Any]] = None, timeout: Optional[float] = None) -> Any:
        results: List[PullResult] = []
        async for ev in self.pull_stream(reference, all_tags=all_tags, platform=platform,
                                         all_platforms=all_platforms, auth=auth, timeout=timeout):
            _util.route(ev, PullResult, results, progress)
        images = [await self.inspect(r.image_id, timeout=timeout) for r in results]
        return images if all_tags else images[0]

    async def push_stream(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                          auth: Auth = None, timeout: Optional[float] = None) -> AsyncIterator[PushEvent]:
        async for _, payload in _events(self._n(timeout).push(reference, all_tags, platform, _util.auth(auth))):
            yield payload

    async def push(self, reference: str, *, all_tags: bool = False, platform: Optional[str] = None,
                   auth: Auth = None, progress: Optional[Callable[[Progress], Any]] = None,
                   timeout: Optional[float] = None) -> List[PushResult]:
        out: List[PushResult] = []
        async for ev in self.push_stream(reference, all_tags=all_tags, platform=platform, auth=auth,
                                         timeout=timeout):
            _util.route(ev, PushResult, out, progress)
        return out

    async def login(self, username: str, password: Optional[str] = None, email: Optional[str] = None,
                    registry: Optional[str] = None, reauth: bool = False, dockercfg_path: Optional[str] = None, *,
                    timeout: Optional[float] = None) -> Dict[str, str]:
        status = await self._n(timeout).login_async(registry or "", username, password or "")
        return {"Status": status}

    async def logout(self, server: str, *, timeout: Optional[float] = None) -> str:
        return await self._n(timeout).logout_async(server)  # type: ignore[no-any-return]

    async def logins(self, *, timeout: Optional[float] = None) -> List[RegistryLogin]:
        return await self._n(timeout).logins_async()  # type: ignore[no-any-return]

    # Archives -------------------------------------------------------------------------------------------
    async def import_image(self, source: Source, reference: Optional[str] = None, *,
                           message: Optional[str] = None, changes: Optional[Sequence[str]] = None,
                           platform: Optional[str] = None, timeout: Optional[float] = None) -> ImportResult:
        c = self._n(timeout)
        args = (reference or "", message or "", list(changes or []), platform or "")
        if _util.is_path(source):
            return await c.import_path_async(os.fspath(source), *args)  # type: ignore[arg-type, no-any-return]
        upload = c.import_stream(*args)
        async for chunk in _read_chunks(source):
            await upload.write_async(chunk)
        return await upload.finish_async()  # type: ignore[no-any-return]

    async def save_stream(self, images: Union[str, Sequence[str]], format: str = "docker", *,
                          timeout: Optional[float] = None) -> AsyncIterator[bytes]:
        names = [images] if isinstance(images, str) else list(images)
        async for kind, payload in _events(self._n(timeout).save(names, format)):
            if kind == "data":
                yield payload

    async def save(self, images: Union[str, Sequence[str]], path_or_fileobj: Union[PathLike, Any],
                   format: str = "docker", *, timeout: Optional[float] = None) -> int:
        names = [images] if isinstance(images, str) else list(images)
        if _util.is_path(path_or_fileobj):
            return await self._n(timeout).save_path_async(names, format, os.fspath(path_or_fileobj))  # type: ignore[no-any-return]
        total = 0
        async for chunk in self.save_stream(names, format, timeout=timeout):
            await asyncio.to_thread(path_or_fileobj.write, chunk)  # type: ignore[union-attr]
            total += len(chunk)
        return total

    async def load(self, path_or_fileobj: Source, *, timeout: Optional[float] = None) -> List[LoadedImage]:
        c = self._n(timeout)
        if _util.is_path(path_or_fileobj):
            return await c.load_path_async(os.fspath(path_or_fileobj))  # type: ignore[arg-type, no-any-return]
        upload = c.load_stream()
        async for chunk in _read_chunks(path_or_fileobj):
            await upload.write_async(chunk)
        return await upload.finish_async()  # type: ignore[no-any-return]

    # Builds ---------------------------------------------------------------------------------------------
    async def build_stream(self, context_dir: PathLike, *, tags: Sequence[str] = (),
                           dockerfile: Optional[PathLike] = None, build_args: Optional[Mapping[str, str]] = None,
                           target: Optional[str] = None, labels: Optional[Mapping[str, str]] = None,
                           no_cache: bool = False, pull: bool = False, platform: Optional[str] = None,
                           timeout: Optional[float] = None) -> AsyncIterator[BuildEvent]:
        stream = self._n(timeout).build(os.fspath(context_dir), list(tags),
                                        os.fspath(dockerfile) if dockerfile else "", dict(build_args or {}),
                                        target or "", dict(labels or {}), no_cache, pull, platform or "")
        lines: List[str] = []
        try:
            async for kind, payload in _events(stream):
                if kind == "log":
                    lines.append(payload)
                yield payload
        except ImagedError as e:
            raise BuildError.wrap(e, lines) from e

    async def build(self, context_dir: PathLike, *, tags: Sequence[str] = (), dockerfile: Optional[PathLike] = None,
                    build_args: Optional[Mapping[str, str]] = None, target: Optional[str] = None,
                    labels: Optional[Mapping[str, str]] = None, no_cache: bool = False, pull: bool = False,
                    platform: Optional[str] = None, log: Optional[Callable[[str], Any]] = None,
                    timeout: Optional[float] = None) -> BuildResult:
        result: Optional[BuildResult] = None
        async for ev in self.build_stream(context_dir, tags=tags, dockerfile=dockerfile, build_args=build_args,
                                          target=target, labels=labels, no_cache=no_cache, pull=pull,
                                          platform=platform, timeout=timeout):
            if isinstance(ev, str):
                if log is not None:
                    log(ev)
            elif isinstance(ev, BuildResult):
                result = ev
        if result is None:
            raise ImagedError("the build stream ended without a result")
        return result

    # Containers -----------------------------------------------------------------------------------------
    async def create_container(self, image: str, name: Optional[str] = None, *,
                               timeout: Optional[float] = None) -> ContainerSummary:
        created = await self._n(timeout).create_container_async(image, name or "")
        return next(c for c in await self.containers(timeout=timeout) if c.id == created.id)

    async def containers(self, *, timeout: Optional[float] = None) -> List[ContainerSummary]:
        return await self._n(timeout).containers_async()  # type: ignore[no-any-return]

    async def exec(self, container: str, cmd: Union[str, Sequence[str]] = (), *,
                   env: Union[Mapping[str, str], Sequence[str], None] = None, workdir: Optional[str] = None,
                   user: Optional[str] = None, output: Optional[Callable[[str, bytes], Any]] = None,
                   timeout: Optional[float] = None) -> ExecResult:
        args = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        out, err, code = bytearray(), bytearray(), -1
        stream = self._n(timeout).exec(container, args, _util.env(env), workdir or "", user or "")
        async for kind, payload in _events(stream):
            if kind == "exit":
                code = payload
                continue
            (out if kind == "stdout" else err).extend(payload)
            if output is not None:
                output(kind, payload)
        return ExecResult(code, bytes(out), bytes(err))

    async def commit(self, container: str, reference: Optional[str] = None, *, author: Optional[str] = None,
                     message: Optional[str] = None, changes: Optional[Sequence[str]] = None, pause: bool = True,
                     timeout: Optional[float] = None) -> str:
        return await self._n(timeout).commit_async(container, reference or "", author or "",  # type: ignore[no-any-return]
                                                   message or "", list(changes or []), pause)

    async def remove_container(self, container: str, force: bool = False, *,
                               timeout: Optional[float] = None) -> str:
        return await self._n(timeout).remove_container_async(container, force)  # type: ignore[no-any-return]
