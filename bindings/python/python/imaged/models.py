"""docker-py's object layer over the client: ``client.images`` (an ``ImageCollection``) and ``Image``
objects, with the same names, arguments and result shapes as ``docker.models.images``. ``attrs`` is the
image as ``docker image inspect`` prints it. The async twins (``AsyncImageCollection``, ``AsyncImage``) are
``AsyncClient.images`` and what it returns.

Calling the collection (``client.images()``) is the flat call of earlier versions: ``ImageSummary`` rows."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Dict,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _util, errors
from ._messages import BuildResult, ImageSummary, LoadedImage, PullResult
from ._util import Auth, Filters, PathLike, Source

if TYPE_CHECKING:
    from ._aio import AsyncClient
    from ._client import Client

#: docker-py's default chunk size of ``Image.save``.
DEFAULT_CHUNK = 2 * 1024 * 1024


class _ImageFields:
    """What sync and async images share: identity and the fields read from ``attrs`` (or the list row the
    image came from, before ``attrs`` is fetched)."""

    def __init__(self, attrs: Optional[Dict[str, Any]] = None, summary: Optional[ImageSummary] = None) -> None:
        self._attrs = attrs
        self._summary = summary

    @property
    def id(self) -> str:
        """``sha256:<hex>``: the config digest."""
        if self._attrs is not None:
            return str(self._attrs["Id"])
        assert self._summary is not None
        return self._summary.id

    @property
    def short_id(self) -> str:
        """The id cut to 12 hex digits, keeping ``sha256:`` (as docker-py)."""
        return self.id[:19] if self.id.startswith("sha256:") else self.id[:12]

    @property
    def tags(self) -> List[str]:
        tags = self._attrs.get("RepoTags") if self._attrs is not None else self._summary.repo_tags  # type: ignore[union-attr]
        return [t for t in tags or [] if t != "<none>:<none>"]

    @property
    def labels(self) -> Dict[str, str]:
        if self._attrs is not None:
            return dict((self._attrs.get("Config") or {}).get("Labels") or {})
        assert self._summary is not None
        return dict(self._summary.labels)

    def _save_name(self, named: Union[str, bool]) -> str:
        """What ``save(named=…)`` saves: one of the tags (the first with ``True``), else the id."""
        if isinstance(named, str):
            if named not in self.tags:
                raise errors.InvalidArgument(f"{named} is not a valid tag for this image (its tags: {self.tags})")
            return named
        return self.tags[0] if named and self.tags else self.id

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: '{', '.join(self.tags)}'>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ImageFields) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class Image(_ImageFields):
    """An image, as docker-py's ``Image``: ``id``, ``short_id``, ``tags``, ``labels``, ``attrs``;
    ``reload()``, ``tag()``, ``history()``, ``save()``."""

    def __init__(self, client: "Client", attrs: Optional[Dict[str, Any]] = None,
                 summary: Optional[ImageSummary] = None) -> None:
        super().__init__(attrs, summary)
        self.client = client

    @property
    def attrs(self) -> Dict[str, Any]:
        """The image as ``docker image inspect`` prints it (fetched on first use)."""
        if self._attrs is None:
            self.reload()
        assert self._attrs is not None
        return self._attrs

    def reload(self) -> None:
        """Reads ``attrs`` from the daemon again."""
        self._attrs = json.loads(self.client._c.inspect_docker(self.id, ""))

    def tag(self, repository: str, tag: Optional[str] = None, **kwargs: Any) -> bool:
        """Names the image ``repository:tag`` (``latest`` by default); returns True."""
        self.client.tag(self.id, _util.with_tag(repository, tag))
        return True

    def history(self) -> List[Dict[str, Any]]:
        """``[{"Id", "Created", "CreatedBy", "Tags", "Size", "Comment"}]``, newest first."""
        return _util.docker_history(self.client.history(self.id))

    def save(self, chunk_size: int = DEFAULT_CHUNK, named: Union[str, bool] = False) -> Iterator[bytes]:
        """The image as a ``docker save`` archive, in chunks; ``named`` (True, or one of its tags) keeps
        a name in the archive, else it is saved by id."""
        target = self._save_name(named)
        return _util.rechunk(self.client.save_stream(target), chunk_size)


class ImageCollection:
    """``client.images``: docker-py's image manager. Calling it is the flat ``images()`` call."""

    def __init__(self, client: "Client") -> None:
        self.client = client

    def __call__(self, all: bool = False, filters: Filters = None, *,
                 timeout: Optional[float] = None) -> List[ImageSummary]:
        """Images, newest first (``docker image ls``); ``filters`` e.g. ``{"dangling": True}``."""
        return self.client._n(timeout).images(all, _util.filters(filters))

    def list(self, name: Optional[str] = None, all: bool = False, filters: Filters = None) -> List[Image]:
        """Images, as ``Image`` objects; ``name`` limits them to a repository (or ``repo:tag``)."""
        rows = self.client._c.images(all, _util.list_filters(name, filters))
        return [Image(self.client, summary=row) for row in rows]

    def get(self, name: str) -> Image:
        """One image by name, id or id prefix; ``ImageNotFound`` when there is none."""
        return Image(self.client, attrs=json.loads(self.client._c.inspect_docker(name, "")))

    def pull(self, repository: str, tag: Optional[str] = None, all_tags: bool = False, *,
             platform: Optional[str] = None, auth_config: Auth = None, **kwargs: Any) -> Union[Image, List[Image]]:
        """Pulls ``repository:tag`` (``latest`` by default) and returns the image; with ``all_tags``, every
        tag of the repository, as a list."""
        reference = _util.pull_target(repository, tag, all_tags)
        results = [ev for ev in self.client.pull_stream(reference, all_tags=all_tags, platform=platform,
                                                         auth=auth_config) if isinstance(ev, PullResult)]
        images = [self.get(r.image_id) for r in results]
        return images if all_tags else images[0]

    def push(self, repository: str, tag: Optional[str] = None, stream: bool = False, decode: bool = False,
             auth_config: Auth = None, **kwargs: Any) -> Any:
        """Pushes; returns Docker's JSON progress lines as one string, or with ``stream`` an iterator of
        them (dicts with ``decode``)."""
        reference, all_tags = _util.push_target(repository, tag)
        events = self.client.push_stream(reference, all_tags=all_tags, auth=auth_config)
        lines = (_util.docker_progress(ev) for ev in events)
        if stream:
            return lines if decode else (json.dumps(line) + "\r\n" for line in lines)
        return "".join(json.dumps(line) + "\r\n" for line in lines)

    def build(self, path: Optional[PathLike] = None, tag: Optional[str] = None, dockerfile: Optional[str] = None,
              buildargs: Optional[Dict[str, str]] = None, target: Optional[str] = None,
              labels: Optional[Dict[str, str]] = None, nocache: bool = False, pull: bool = False,
              platform: Optional[str] = None, fileobj: Any = None,
              **kwargs: Any) -> Tuple[Image, Iterator[Dict[str, Any]]]:
        """Builds ``path`` (``dockerfile`` relative to it) or a Dockerfile given as ``fileobj``; returns the
        image and the build's log as ``{"stream": line}`` dicts. ``BuildError`` when a step fails."""
        with _context(path, fileobj) as context:
            events = list(self.client.build_stream(
                context, tags=[tag] if tag else [], dockerfile=_dockerfile(context, dockerfile),
                build_args=buildargs, target=target, labels=labels, no_cache=nocache, pull=pull, platform=platform))
        result = next(ev for ev in events if isinstance(ev, BuildResult))
        return self.get(result.image_id), iter(_build_log(events))

    def load(self, data: Source) -> List[Image]:
        """Loads a ``docker save`` (or OCI) archive: bytes, a file object or a path; returns its images."""
        return [self.get(i) for i in _distinct(self.client.load(data))]

    def import_(self, source: Source, repository: Optional[str] = None, tag: Optional[str] = None,
                changes: Optional[Sequence[str]] = None, message: Optional[str] = None,
                platform: Optional[str] = None) -> Image:
        """A root filesystem tar as a new image (``docker import``)."""
        reference = _util.with_tag(repository, tag) if repository else None
        result = self.client.import_image(source, reference, changes=changes, message=message, platform=platform)
        return self.get(result.image_id)

    def remove(self, image: str, force: bool = False, noprune: bool = False) -> List[Dict[str, str]]:
        """``[{"Untagged": …}, {"Deleted": …}]``, as docker-py."""
        return _util.docker_deleted(self.client.remove(image, force, noprune))

    def prune(self, filters: Filters = None) -> Dict[str, Any]:
        """Removes dangling images (all unused ones with ``{"dangling": False}``)."""
        return _util.docker_prune(self.client.prune(False, filters))

    def search(self, term: str, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        return [r.to_dict() for r in self.client.search(term, limit or 25)]


class AsyncImage(_ImageFields):
    """The asyncio twin of ``Image``: ``attrs`` is filled when the image is fetched; ``reload()``,
    ``tag()``, ``history()`` are coroutines and ``save()`` an async iterator."""

    def __init__(self, client: "AsyncClient", attrs: Dict[str, Any]) -> None:
        super().__init__(attrs, None)
        self.client = client

    @property
    def attrs(self) -> Dict[str, Any]:
        assert self._attrs is not None
        return self._attrs

    async def reload(self) -> None:
        self._attrs = json.loads(await self.client._c.inspect_docker_async(self.id, ""))

    async def tag(self, repository: str, tag: Optional[str] = None, **kwargs: Any) -> bool:
        await self.client.tag(self.id, _util.with_tag(repository, tag))
        return True

    async def history(self) -> List[Dict[str, Any]]:
        return _util.docker_history(await self.client.history(self.id))

    async def save(self, chunk_size: int = DEFAULT_CHUNK, named: Union[str, bool] = False) -> AsyncIterator[bytes]:
        target = self._save_name(named)
        r = _util.Rechunker(chunk_size)
        async for piece in self.client.save_stream(target):
            for chunk in r.feed(piece):
                yield chunk
        for chunk in r.rest():
            yield chunk


class AsyncImageCollection:
    """``AsyncClient.images``: the coroutine twin of ``ImageCollection``."""

    def __init__(self, client: "AsyncClient") -> None:
        self.client = client

    async def __call__(self, all: bool = False, filters: Filters = None, *,
                       timeout: Optional[float] = None) -> List[ImageSummary]:
        return await self.client._n(timeout).images_async(all, _util.filters(filters))

    async def list(self, name: Optional[str] = None, all: bool = False, filters: Filters = None) -> List[AsyncImage]:
        rows = await self.client._c.images_async(all, _util.list_filters(name, filters))
        return list(await asyncio.gather(*(self.get(r.id) for r in rows)))

    async def get(self, name: str) -> AsyncImage:
        return AsyncImage(self.client, json.loads(await self.client._c.inspect_docker_async(name, "")))

    async def pull(self, repository: str, tag: Optional[str] = None, all_tags: bool = False, *,
                   platform: Optional[str] = None, auth_config: Auth = None,
                   **kwargs: Any) -> Union[AsyncImage, List[AsyncImage]]:
        reference = _util.pull_target(repository, tag, all_tags)
        results = [ev async for ev in self.client.pull_stream(reference, all_tags=all_tags, platform=platform,
                                                              auth=auth_config) if isinstance(ev, PullResult)]
        images = [await self.get(r.image_id) for r in results]
        return images if all_tags else images[0]

    async def push(self, repository: str, tag: Optional[str] = None, auth_config: Auth = None,
                   **kwargs: Any) -> List[Dict[str, Any]]:
        """Pushes; returns Docker's JSON progress lines as dicts."""
        reference, all_tags = _util.push_target(repository, tag)
        return [_util.docker_progress(ev) async for ev in self.client.push_stream(reference, all_tags=all_tags,
                                                                                   auth=auth_config)]

    async def build(self, path: Optional[PathLike] = None, tag: Optional[str] = None,
                    dockerfile: Optional[str] = None, buildargs: Optional[Dict[str, str]] = None,
                    target: Optional[str] = None, labels: Optional[Dict[str, str]] = None, nocache: bool = False,
                    pull: bool = False, platform: Optional[str] = None, fileobj: Any = None,
                    **kwargs: Any) -> Tuple[AsyncImage, Iterator[Dict[str, Any]]]:
        with _context(path, fileobj) as context:
            events = [ev async for ev in self.client.build_stream(
                context, tags=[tag] if tag else [], dockerfile=_dockerfile(context, dockerfile),
                build_args=buildargs, target=target, labels=labels, no_cache=nocache, pull=pull, platform=platform)]
        result = next(ev for ev in events if isinstance(ev, BuildResult))
        return await self.get(result.image_id), iter(_build_log(events))

    async def load(self, data: Source) -> List[AsyncImage]:
        return [await self.get(i) for i in _distinct(await self.client.load(data))]

    async def import_(self, source: Source, repository: Optional[str] = None, tag: Optional[str] = None,
                      changes: Optional[Sequence[str]] = None, message: Optional[str] = None,
                      platform: Optional[str] = None) -> AsyncImage:
        reference = _util.with_tag(repository, tag) if repository else None
        result = await self.client.import_image(source, reference, changes=changes, message=message,
                                                platform=platform)
        return await self.get(result.image_id)

    async def remove(self, image: str, force: bool = False, noprune: bool = False) -> List[Dict[str, str]]:
        return _util.docker_deleted(await self.client.remove(image, force, noprune))

    async def prune(self, filters: Filters = None) -> Dict[str, Any]:
        return _util.docker_prune(await self.client.prune(False, filters))

    async def search(self, term: str, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        return [r.to_dict() for r in await self.client.search(term, limit or 25)]


class _context:
    """The build context directory: ``path``, or a temporary one holding ``fileobj`` as its Dockerfile."""

    def __init__(self, path: Optional[PathLike], fileobj: Any) -> None:
        if path is None and fileobj is None:
            raise TypeError("build needs path or fileobj")
        self._path, self._fileobj = path, fileobj
        self._tmp: Optional[tempfile.TemporaryDirectory[str]] = None

    def __enter__(self) -> str:
        if self._path is not None:
            return os.fspath(self._path)
        self._tmp = tempfile.TemporaryDirectory(prefix="imaged-build-")
        data = self._fileobj.read()
        with open(os.path.join(self._tmp.name, "Dockerfile"), "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return self._tmp.name

    def __exit__(self, *exc: Any) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()


def _dockerfile(context: str, dockerfile: Optional[str]) -> Optional[str]:
    """docker-py's ``dockerfile`` is relative to the context."""
    return os.path.join(context, dockerfile) if dockerfile else None


def _build_log(events: List[Any]) -> List[Dict[str, Any]]:
    log: List[Dict[str, Any]] = [{"stream": ev + "\n"} for ev in events if isinstance(ev, str)]
    for ev in events:
        if isinstance(ev, BuildResult):
            log.append({"aux": {"ID": ev.image_id}})
    return log


def _distinct(loaded: List[LoadedImage]) -> List[str]:
    seen: List[str] = []
    for li in loaded:
        if li.image_id not in seen:
            seen.append(li.image_id)
    return seen
