"""Typed results. Each is built from the daemon's answer (proto field names) and keeps it: attributes for
every field, ``to_dict()`` for the whole answer, and a short ``repr``."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional


class Record:
    """A result object: attributes from a dict, ``to_dict()``, equality by content."""

    _repr_fields: tuple = ()

    __slots__ = ("_data",)

    def __init__(self, data: Dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        # Fields are read from the answer on access: building thousands of rows stays cheap.
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    @classmethod
    def from_json(cls, text: str) -> "Record":
        return cls(json.loads(text))

    def to_dict(self) -> Dict[str, Any]:
        data = self._data if isinstance(self._data, dict) else {k: self._data[k] for k in self._data.keys()}
        return json.loads(json.dumps(data))

    def _plain(self) -> Dict[str, Any]:
        return self._data if isinstance(self._data, dict) else {k: self._data[k] for k in self._data.keys()}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._plain() == self._plain()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(json.dumps(self._plain(), sort_keys=True))

    def __repr__(self) -> str:
        fields = self._repr_fields or tuple(self._data.keys())[:3]
        inner = ", ".join(f"{f}={self._data[f]!r}" for f in fields if f in self._data)
        return f"{type(self).__name__}({inner})"


def short(image_id: str) -> str:
    return image_id.split(":", 1)[-1][:12]


class ImageSummary(Record):
    """One row of ``images()``."""

    id: str
    parent_id: str
    repo_tags: List[str]
    repo_digests: List[str]
    created: Optional[str]
    size: int
    shared_size: int
    labels: Dict[str, str]
    containers: int
    manifest_digest: str
    _repr_fields = ("id", "repo_tags", "size")


class HistoryEntry(Record):
    id: str
    created: Optional[str]
    created_by: str
    size: int
    comment: str
    empty_layer: bool
    tags: List[str]
    author: str
    _repr_fields = ("created_by", "size", "comment")


class Image(Record):
    """``inspect()``: the image's details (id, names, config, layers, history)."""

    id: str
    repo_tags: List[str]
    repo_digests: List[str]
    parent: str
    comment: str
    created: Optional[str]
    author: str
    config: Dict[str, Any]
    architecture: str
    variant: str
    os: str
    size: int
    diff_ids: List[str]
    manifest: Dict[str, Any]
    config_descriptor: Dict[str, Any]
    layers: List[Dict[str, Any]]
    last_tag_time: Optional[str]
    docker_version: str
    history: List[Dict[str, Any]]
    _repr_fields = ("id", "repo_tags", "architecture")


class RemoveResult(Record):
    """``remove()`` and ``prune()``: ``items`` of ``{"untagged": …}`` / ``{"deleted": …}``."""

    items: List[Dict[str, str]]
    space_reclaimed: int
    _repr_fields = ("items", "space_reclaimed")

    @property
    def untagged(self) -> List[str]:
        return [i["untagged"] for i in self.items if i.get("untagged")]

    @property
    def deleted(self) -> List[str]:
        return [i["deleted"] for i in self.items if i.get("deleted")]


class SearchResult(Record):
    name: str
    description: str
    star_count: int
    is_official: bool
    is_automated: bool
    _repr_fields = ("name", "star_count", "is_official")


class DiskUsage(Record):
    images: List[Dict[str, Any]]
    logical_size: int
    physical_size: int
    reclaimable: int
    blob_count: int
    image_count: int
    active_images: int
    _repr_fields = ("image_count", "physical_size", "reclaimable")


class Progress(Record):
    """A progress event of pull/push: blob ``id``, Docker-like ``status``, ``current``/``total`` bytes."""

    id: str
    status: str
    current: int
    total: int
    _repr_fields = ("id", "status", "current", "total")


class PullResult(Record):
    reference: str
    digest: str
    image_id: str
    status: str
    _repr_fields = ("reference", "digest", "status")


class PushResult(Record):
    reference: str
    digest: str
    size: int
    _repr_fields = ("reference", "digest", "size")


class BuildStep(Record):
    number: int
    total: int
    instruction: str
    cached: bool
    _repr_fields = ("number", "total", "instruction", "cached")


class BuildResult(Record):
    image_id: str
    tags: List[str]
    _repr_fields = ("image_id", "tags")


class Container(Record):
    id: str
    name: str
    image: str
    image_id: str
    created: Optional[str]
    _repr_fields = ("id", "name", "image")


class ExecResult(Record):
    """What a command in a container did: ``exit_code``, and its ``stdout``/``stderr`` bytes."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    _repr_fields = ("exit_code",)

    def to_dict(self) -> Dict[str, Any]:
        return dict(self._data)


class LoadedImage(Record):
    reference: str
    image_id: str
    status: str
    _repr_fields = ("reference", "image_id")


class ImportResult(Record):
    image_id: str
    reference: str
    layer: Dict[str, Any]
    diff_id: str
    tar_size: int
    _repr_fields = ("image_id", "reference")


class RegistryLogin(Record):
    server: str
    username: str
    _repr_fields = ("server", "username")
