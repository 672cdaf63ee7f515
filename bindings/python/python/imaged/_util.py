"""Argument shapes shared by the blocking and the asyncio client, and Docker's JSON shapes of results."""

from __future__ import annotations

import datetime
import os
from typing import (
    Any,
    AsyncIterable,
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

from ._messages import DiskUsageResponse, HistoryEntry, Progress, PruneImagesResponse, PushResult, RemoveImageResponse

PathLike = Union[str, "os.PathLike[str]"]
#: Registry credentials for one call: ``(username, password)``, or a mapping as docker-py's ``auth_config``
#: (``username``/``password``, or ``identitytoken``).
Auth = Union[Tuple[str, str], Mapping[str, str], None]
Filters = Union[Mapping[str, Union[str, bool, int, Sequence[str]]], Sequence[Tuple[str, str]], None]
#: What ``load``/``import_image`` read: a path, bytes, a binary file object, or an iterable of bytes (an
#: async iterable too, for ``AsyncClient``).
Source = Union[PathLike, bytes, BinaryIO, Iterable[bytes], AsyncIterable[bytes]]
CHUNK = 1 << 20


def filters(value: Filters) -> List[Tuple[str, str]]:
    if not value:
        return []
    if isinstance(value, Mapping):
        out: List[Tuple[str, str]] = []
        for key, v in value.items():
            values = [v] if isinstance(v, (str, bool, int)) else list(v)
            out.extend((key, str(x).lower() if isinstance(x, bool) else str(x)) for x in values)
        return out
    return [(k, v) for k, v in value]


def auth(value: Auth) -> Optional[Tuple[str, str, str]]:
    """``(username, password, identity_token)``."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        lower = {k.lower().replace("_", ""): v for k, v in value.items()}
        token = lower.get("identitytoken") or ""
        user, password = lower.get("username") or "", lower.get("password") or ""
        if not token and not (user and password):
            raise ValueError("auth needs username and password, or identitytoken")
        return (user, password, token)
    return (value[0], value[1], "")


def env(value: Union[Mapping[str, str], Sequence[str], None]) -> List[str]:
    if not value:
        return []
    if isinstance(value, Mapping):
        return [f"{k}={v}" for k, v in value.items()]
    return list(value)


def is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


def chunks(source: Any) -> Iterator[bytes]:
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


class Rechunker:
    """Pieces of any size in, chunks of ``size`` bytes out (the last may be shorter), for the sync and
    the async ``Image.save``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.buf = bytearray()

    def feed(self, piece: bytes) -> List[bytes]:
        self.buf.extend(piece)
        out = []
        while len(self.buf) >= self.size:
            out.append(bytes(self.buf[:self.size]))
            del self.buf[:self.size]
        return out

    def rest(self) -> List[bytes]:
        return [bytes(self.buf)] if self.buf else []


def rechunk(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """``pieces`` as chunks of ``size`` bytes."""
    r = Rechunker(size)
    for p in pieces:
        yield from r.feed(p)
    yield from r.rest()


def with_tag(repository: str, tag: Optional[str]) -> str:
    """docker-py's ``repository`` + ``tag``: ``latest`` when neither names one, ``@`` for a digest."""
    if tag:
        return f"{repository}@{tag}" if tag.startswith("sha256:") else f"{repository}:{tag}"
    last = repository.rsplit("/", 1)[-1]
    return repository if (":" in last or "@" in repository) else f"{repository}:latest"


def route(ev: Any, result_type: type, results: List[Any], progress: Optional[Callable[[Any], Any]]) -> None:
    """One event of a pull or push: a result is kept, progress goes to the caller's callback."""
    if isinstance(ev, result_type):
        results.append(ev)
    elif progress is not None:
        progress(ev)


def pull_target(repository: str, tag: Optional[str], all_tags: bool) -> str:
    """docker-py's ``images.pull`` arguments as one reference: every tag of the repository, or one."""
    return repository if all_tags and not tag else with_tag(repository, tag)


def push_target(repository: str, tag: Optional[str]) -> Tuple[str, bool]:
    """docker-py's ``images.push`` arguments: the reference, and whether every tag goes (no tag named)."""
    if tag:
        return with_tag(repository, tag), False
    return repository, ":" not in repository.rsplit("/", 1)[-1]


def list_filters(name: Optional[str], value: Filters) -> List[Tuple[str, str]]:
    """docker-py's ``images.list(name=…, filters=…)`` as the API's filters."""
    return filters(value) + ([("reference", name)] if name else [])


def unix_time(ts: Optional[str]) -> int:
    """An RFC 3339 timestamp as Unix seconds (0 when unset), as Docker's list and history APIs give."""
    if not ts:
        return 0
    main = ts.rstrip("Z").split(".")[0].split("+")[0]
    t = datetime.datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp())


def docker_history(entries: Sequence[HistoryEntry]) -> List[Dict[str, Any]]:
    """``GET /images/{name}/history``."""
    return [
        {"Id": e.id or "<missing>", "Created": unix_time(e.created), "CreatedBy": e.created_by,
         "Tags": list(e.tags) or None, "Size": e.size, "Comment": e.comment}
        for e in entries
    ]


def docker_deleted(r: Union[RemoveImageResponse, PruneImagesResponse]) -> List[Dict[str, str]]:
    """``DELETE /images/{name}``: ``[{"Untagged": …}, {"Deleted": …}]``."""
    return [{"Untagged": i.untagged} if i.untagged else {"Deleted": i.deleted} for i in r.items]


def docker_prune(r: PruneImagesResponse) -> Dict[str, Any]:
    """``POST /images/prune``."""
    return {"ImagesDeleted": docker_deleted(r) or None, "SpaceReclaimed": r.space_reclaimed}


def docker_df(d: DiskUsageResponse) -> Dict[str, Any]:
    """``GET /system/df``; imaged has no volumes or build cache, so those lists are empty."""
    return {
        "LayersSize": d.physical_size,
        "Images": [
            {"Id": i.id, "RepoTags": list(i.repo_tags), "Created": unix_time(i.created), "Size": i.size,
             "SharedSize": i.shared_size, "VirtualSize": i.size, "Containers": i.containers, "Labels": None,
             "ParentId": "", "RepoDigests": []}
            for i in d.images
        ],
        "Containers": [],
        "Volumes": [],
        "BuildCache": [],
    }


def docker_progress(ev: Any) -> Dict[str, Any]:
    """A pull/push event as a line of Docker's JSON progress stream."""
    if isinstance(ev, Progress):
        line: Dict[str, Any] = {"status": ev.status}
        if ev.id:
            line["id"] = ev.id
        if ev.total or ev.current:
            line["progressDetail"] = {"current": ev.current, "total": ev.total}
        return line
    if isinstance(ev, PushResult):
        tag = ev.reference.rsplit(":", 1)[-1] if ":" in ev.reference.rsplit("/", 1)[-1] else ""
        return {"status": f"{tag}: digest: {ev.digest} size: {ev.size}",
                "aux": {"Tag": tag, "Digest": ev.digest, "Size": ev.size}}
    return {"status": f"Digest: {ev.digest}"}
