# Generated from the imaged.v1 descriptor set by `cargo run -p imaged-pygen`: do not edit.
# `cargo test -p imaged-pygen` fails when this file no longer matches proto/imaged/v1.
"""The ``imaged.v1`` messages as Python classes (one per proto message, fields in proto order with their proto
names) and enums. ``google.protobuf.Timestamp`` fields are RFC 3339 strings."""

from __future__ import annotations

import enum
from typing import Dict, List, Optional, Type

from ._message import Message

__all__ = [
    "ArchiveFormat",
    "AuthConfig",
    "BuildOptions",
    "BuildRequest",
    "BuildResponse",
    "BuildResult",
    "BuildStep",
    "CheckRequest",
    "CheckResponse",
    "CommitRequest",
    "CommitResponse",
    "ContainerConfig",
    "ContainerSummary",
    "CreateContainerRequest",
    "CreateContainerResponse",
    "DeleteItem",
    "Descriptor",
    "DiskUsageRequest",
    "DiskUsageResponse",
    "ENUMS",
    "ExecRequest",
    "ExecResponse",
    "Filter",
    "Healthcheck",
    "HistoryEntry",
    "HistoryRequest",
    "HistoryResponse",
    "ImageDetails",
    "ImageSummary",
    "ImageUsage",
    "ImportOptions",
    "ImportRequest",
    "ImportResponse",
    "ImportResult",
    "InspectImageRequest",
    "InspectImageResponse",
    "ListContainersRequest",
    "ListContainersResponse",
    "ListImagesRequest",
    "ListImagesResponse",
    "ListRegistriesRequest",
    "ListRegistriesResponse",
    "LoadOptions",
    "LoadRequest",
    "LoadResponse",
    "LoadedImage",
    "LoginRequest",
    "LoginResponse",
    "LogoutRequest",
    "LogoutResponse",
    "MESSAGES",
    "Platform",
    "PlatformImage",
    "Progress",
    "PruneImagesRequest",
    "PruneImagesResponse",
    "PullRequest",
    "PullResponse",
    "PullResult",
    "PushRequest",
    "PushResponse",
    "PushResult",
    "RegistryLogin",
    "RemoveContainerRequest",
    "RemoveContainerResponse",
    "RemoveImageRequest",
    "RemoveImageResponse",
    "SaveRequest",
    "SaveResponse",
    "SearchRequest",
    "SearchResponse",
    "SearchResult",
    "TagRequest",
    "TagResponse",
]


class ArchiveFormat(enum.IntEnum):
    """``imaged.v1.ArchiveFormat``."""

    ARCHIVE_FORMAT_DOCKER = 0
    ARCHIVE_FORMAT_OCI = 1


class AuthConfig(Message):
    """Registry credentials for one call. Never stored by the call itself and never logged.

    - ``username``: User name; empty for anonymous.
    - ``password``: Password or token.
    - ``identity_token``: Bearer identity token, used instead of username/password when set.
    """

    username: str
    password: str
    identity_token: str

    def __init__(
        self,
        username: str = ...,
        password: str = ...,
        identity_token: str = ...,
    ) -> None: ...


class BuildOptions(Message):
    """``imaged.v1.BuildOptions``.

    - ``tags``: Names for the result, `REPO[:TAG]`.
    - ``dockerfile``: Path of the Dockerfile inside the context; default `Dockerfile`.
    - ``build_args``: `--build-arg` values.
    - ``target``: Stop at this stage.
    - ``labels``: Labels added to the result.
    - ``no_cache``: Do not use the build cache.
    - ``platform``: `os/arch[/variant]`.
    - ``pull``: Always pull `FROM` images.
    - ``dockerfile_content``: Dockerfile content given inline instead of from the context.
    """

    tags: List[str]
    dockerfile: str
    build_args: Dict[str, str]
    target: str
    labels: Dict[str, str]
    no_cache: bool
    platform: str
    pull: bool
    dockerfile_content: str

    def __init__(
        self,
        tags: Optional[List[str]] = ...,
        dockerfile: str = ...,
        build_args: Optional[Dict[str, str]] = ...,
        target: str = ...,
        labels: Optional[Dict[str, str]] = ...,
        no_cache: bool = ...,
        platform: str = ...,
        pull: bool = ...,
        dockerfile_content: str = ...,
    ) -> None: ...


class BuildRequest(Message):
    """``imaged.v1.BuildRequest``.

    - ``options``: First message.
    - ``context``: Context tar bytes, in order.
    """

    options: Optional[BuildOptions]
    context: Optional[bytes]

    def __init__(
        self,
        options: Optional[BuildOptions] = ...,
        context: Optional[bytes] = ...,
    ) -> None: ...


class BuildResponse(Message):
    """``imaged.v1.BuildResponse``.

    - ``log``: A log line (step headers, RUN output, cache hits).
    - ``step``: Progress of a step.
    - ``progress``: Pull progress of a base image.
    - ``result``: Sent once, last.
    """

    log: Optional[str]
    step: Optional[BuildStep]
    progress: Optional[Progress]
    result: Optional[BuildResult]

    def __init__(
        self,
        log: Optional[str] = ...,
        step: Optional[BuildStep] = ...,
        progress: Optional[Progress] = ...,
        result: Optional[BuildResult] = ...,
    ) -> None: ...


class BuildResult(Message):
    """``imaged.v1.BuildResult``.

    - ``image_id``: Image id of the result.
    - ``tags``: The names given, normalised.
    """

    image_id: str
    tags: List[str]

    def __init__(
        self,
        image_id: str = ...,
        tags: Optional[List[str]] = ...,
    ) -> None: ...


class BuildStep(Message):
    """``imaged.v1.BuildStep``.

    - ``number``: 1-based step number.
    - ``total``: Total steps.
    - ``instruction``: The instruction, as written.
    - ``cached``: True when the step was served from the cache.
    """

    number: int
    total: int
    instruction: str
    cached: bool

    def __init__(
        self,
        number: int = ...,
        total: int = ...,
        instruction: str = ...,
        cached: bool = ...,
    ) -> None: ...


class CheckRequest(Message):
    """``imaged.v1.CheckRequest``.

    - ``repair``: Remove what is broken: a corrupt or missing blob and the images that need it (they can be pulled or
      loaded again), names that point nowhere; set wrong blob counts right.
    - ``quick``: Presence and counts only: do not re-hash every blob.
    """

    repair: bool
    quick: bool

    def __init__(
        self,
        repair: bool = ...,
        quick: bool = ...,
    ) -> None: ...


class CheckResponse(Message):
    """``imaged.v1.CheckResponse``.

    - ``orphans``: Blobs nothing references (harmless; `image prune` reclaims them).
    - ``problems``: One line per inconsistency found.
    - ``repaired``: With `repair`: one line per thing done, naming what was lost.
    """

    images: int
    blobs: int
    orphans: int
    problems: List[str]
    repaired: List[str]

    def __init__(
        self,
        images: int = ...,
        blobs: int = ...,
        orphans: int = ...,
        problems: Optional[List[str]] = ...,
        repaired: Optional[List[str]] = ...,
    ) -> None: ...


class CommitRequest(Message):
    """``imaged.v1.CommitRequest``.

    - ``container``: Container id, unique id prefix or name.
    - ``reference``: Name for the new image, `REPO[:TAG]`; empty = untagged.
    - ``author``: Author recorded in the config, e.g. `Jane <jane@example.com>`.
    - ``message``: Commit message (history comment).
    - ``changes``: Dockerfile instructions applied to the config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER,
      VOLUME, WORKDIR).
    - ``pause``: Pause the container while committing (default true in the CLI).
    """

    container: str
    reference: str
    author: str
    message: str
    changes: List[str]
    pause: bool

    def __init__(
        self,
        container: str = ...,
        reference: str = ...,
        author: str = ...,
        message: str = ...,
        changes: Optional[List[str]] = ...,
        pause: bool = ...,
    ) -> None: ...


class CommitResponse(Message):
    """``imaged.v1.CommitResponse``.

    - ``image_id``: Id of the new image.
    """

    image_id: str

    def __init__(
        self,
        image_id: str = ...,
    ) -> None: ...


class ContainerConfig(Message):
    """The container configuration of an image (the OCI config's `config` object).

    - ``user``: `USER`: `user[:group]` the process runs as; empty = root.
    - ``env``: `ENV`: `KEY=VALUE` entries.
    - ``cmd``: `CMD`: default arguments (exec form).
    - ``entrypoint``: `ENTRYPOINT`: the executable and its first arguments (exec form).
    - ``working_dir``: `WORKDIR`: absolute working directory; empty = `/`.
    - ``labels``: `LABEL`s of the image.
    - ``exposed_ports``: `EXPOSE`: `port/proto` entries, e.g. `80/tcp`.
    - ``volumes``: `VOLUME`: mount points.
    - ``stop_signal``: `STOPSIGNAL`, e.g. `SIGTERM`.
    - ``on_build``: `ONBUILD` triggers, as written.
    - ``cmd_set``: True when `cmd` was set, even to an empty list (Docker distinguishes null and []).
    - ``entrypoint_set``: True when `entrypoint` was set, even to an empty list.
    - ``healthcheck``: `HEALTHCHECK`; unset when the image has none.
    - ``shell``: `SHELL` used by shell-form instructions; empty = `["/bin/sh", "-c"]`.
    """

    user: str
    env: List[str]
    cmd: List[str]
    entrypoint: List[str]
    working_dir: str
    labels: Dict[str, str]
    exposed_ports: List[str]
    volumes: List[str]
    stop_signal: str
    on_build: List[str]
    cmd_set: bool
    entrypoint_set: bool
    healthcheck: Optional[Healthcheck]
    shell: List[str]

    def __init__(
        self,
        user: str = ...,
        env: Optional[List[str]] = ...,
        cmd: Optional[List[str]] = ...,
        entrypoint: Optional[List[str]] = ...,
        working_dir: str = ...,
        labels: Optional[Dict[str, str]] = ...,
        exposed_ports: Optional[List[str]] = ...,
        volumes: Optional[List[str]] = ...,
        stop_signal: str = ...,
        on_build: Optional[List[str]] = ...,
        cmd_set: bool = ...,
        entrypoint_set: bool = ...,
        healthcheck: Optional[Healthcheck] = ...,
        shell: Optional[List[str]] = ...,
    ) -> None: ...


class ContainerSummary(Message):
    """``imaged.v1.ContainerSummary``.

    - ``id``: Container id, 64 hex.
    - ``name``: Unique name.
    - ``image``: Image reference as given at creation.
    - ``image_id``: Id of the image the container was made from.
    - ``created``: When the container was made.
    """

    id: str
    name: str
    image: str
    image_id: str
    created: Optional[str]

    def __init__(
        self,
        id: str = ...,
        name: str = ...,
        image: str = ...,
        image_id: str = ...,
        created: Optional[str] = ...,
    ) -> None: ...


class CreateContainerRequest(Message):
    """``imaged.v1.CreateContainerRequest``.

    - ``image``: Image reference, id or unique id prefix.
    - ``name``: Optional unique name.
    - ``platform``: The platform to run (`os/arch[/variant]`); it must be the image's platform in use, which runs here.
    """

    image: str
    name: str
    platform: str

    def __init__(
        self,
        image: str = ...,
        name: str = ...,
        platform: str = ...,
    ) -> None: ...


class CreateContainerResponse(Message):
    """``imaged.v1.CreateContainerResponse``.

    - ``id``: Container id, 64 hex.
    - ``name``: The name given, or a generated one.
    """

    id: str
    name: str

    def __init__(
        self,
        id: str = ...,
        name: str = ...,
    ) -> None: ...


class DeleteItem(Message):
    """An item removed or untagged by Remove or Prune, as Docker reports it.

    - ``untagged``: Set when a reference was removed: the reference in familiar form (`busybox:latest`).
    - ``deleted``: Set when an image was deleted: its id, `sha256:<hex>`.
    """

    untagged: str
    deleted: str

    def __init__(
        self,
        untagged: str = ...,
        deleted: str = ...,
    ) -> None: ...


class Descriptor(Message):
    """A content descriptor as in the OCI image specification.

    - ``media_type``: IANA media type, e.g. `application/vnd.oci.image.manifest.v1+json`.
    - ``digest``: Content digest, `sha256:<64 hex>`.
    - ``size``: Size of the content in bytes.
    - ``annotations``: OCI annotations of the descriptor.
    - ``platform``: Platform, for descriptors inside an index.
    """

    media_type: str
    digest: str
    size: int
    annotations: Dict[str, str]
    platform: Optional[Platform]

    def __init__(
        self,
        media_type: str = ...,
        digest: str = ...,
        size: int = ...,
        annotations: Optional[Dict[str, str]] = ...,
        platform: Optional[Platform] = ...,
    ) -> None: ...


class DiskUsageRequest(Message):
    """``imaged.v1.DiskUsageRequest``."""

    def __init__(self) -> None: ...


class DiskUsageResponse(Message):
    """``imaged.v1.DiskUsageResponse``.

    - ``images``: Per image, newest first.
    - ``logical_size``: Sum of every image's size: shared layers counted once per image.
    - ``physical_size``: Bytes of blobs on disk: every blob counted once.
    - ``reclaimable``: Bytes freed if every image that no container uses were removed.
    - ``blob_count``: Number of blobs on disk.
    - ``image_count``: Number of images (distinct ids).
    - ``active_images``: Images in use by containers.
    """

    images: List[ImageUsage]
    logical_size: int
    physical_size: int
    reclaimable: int
    blob_count: int
    image_count: int
    active_images: int

    def __init__(
        self,
        images: Optional[List[ImageUsage]] = ...,
        logical_size: int = ...,
        physical_size: int = ...,
        reclaimable: int = ...,
        blob_count: int = ...,
        image_count: int = ...,
        active_images: int = ...,
    ) -> None: ...


class ExecRequest(Message):
    """``imaged.v1.ExecRequest``.

    - ``container``: Container id, unique id prefix or name.
    - ``args``: Command and arguments.
    - ``env``: Extra environment, `KEY=VALUE`.
    - ``working_dir``: Working directory; default the image's.
    - ``user``: `user[:group]`; default the image's.
    """

    container: str
    args: List[str]
    env: List[str]
    working_dir: str
    user: str

    def __init__(
        self,
        container: str = ...,
        args: Optional[List[str]] = ...,
        env: Optional[List[str]] = ...,
        working_dir: str = ...,
        user: str = ...,
    ) -> None: ...


class ExecResponse(Message):
    """``imaged.v1.ExecResponse``.

    - ``stdout``: Bytes the command wrote to stdout.
    - ``stderr``: Bytes the command wrote to stderr.
    - ``exit_code``: Sent once, last.
    """

    stdout: Optional[bytes]
    stderr: Optional[bytes]
    exit_code: Optional[int]

    def __init__(
        self,
        stdout: Optional[bytes] = ...,
        stderr: Optional[bytes] = ...,
        exit_code: Optional[int] = ...,
    ) -> None: ...


class Filter(Message):
    """A key/value filter as used by `docker image ls --filter key=value`.

    - ``key``: Filter name: `dangling`, `label`, `before`, `since`, `reference`, `until`, `stars`, `is-official`.
    - ``value``: Filter value, e.g. `true`, `maintainer=me`, `busybox:*`, `24h`.
    """

    key: str
    value: str

    def __init__(
        self,
        key: str = ...,
        value: str = ...,
    ) -> None: ...


class Healthcheck(Message):
    """``imaged.v1.Healthcheck``.

    - ``test``: `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`.
    - ``interval_ns``: Time between checks, nanoseconds; 0 = default (30 s).
    - ``timeout_ns``: Time a check may take, nanoseconds; 0 = default (30 s).
    - ``start_period_ns``: Grace period after start, nanoseconds.
    - ``retries``: Failures in a row before unhealthy; 0 = default (3).
    """

    test: List[str]
    interval_ns: int
    timeout_ns: int
    start_period_ns: int
    retries: int

    def __init__(
        self,
        test: Optional[List[str]] = ...,
        interval_ns: int = ...,
        timeout_ns: int = ...,
        start_period_ns: int = ...,
        retries: int = ...,
    ) -> None: ...


class HistoryEntry(Message):
    """``imaged.v1.HistoryEntry``.

    - ``id``: Image id when the entry is the top of a locally known image, `<missing>` otherwise.
    - ``created``: When the step ran.
    - ``created_by``: The instruction that made the entry, e.g. `/bin/sh -c #(nop)  CMD ["sh"]`.
    - ``size``: Size of the layer this entry made (bytes as stored), 0 for empty layers.
    - ``comment``: Commit or import message.
    - ``empty_layer``: True when the entry made no layer (ENV, CMD…).
    - ``tags``: Tags of the image whose top this entry is.
    - ``author``: Author of the step.
    """

    id: str
    created: Optional[str]
    created_by: str
    size: int
    comment: str
    empty_layer: bool
    tags: List[str]
    author: str

    def __init__(
        self,
        id: str = ...,
        created: Optional[str] = ...,
        created_by: str = ...,
        size: int = ...,
        comment: str = ...,
        empty_layer: bool = ...,
        tags: Optional[List[str]] = ...,
        author: str = ...,
    ) -> None: ...


class HistoryRequest(Message):
    """``imaged.v1.HistoryRequest``.

    - ``image``: Image reference, id or unique id prefix.
    - ``platform``: For an image that came as an index: this platform's history instead of the one in use.
    """

    image: str
    platform: str

    def __init__(
        self,
        image: str = ...,
        platform: str = ...,
    ) -> None: ...


class HistoryResponse(Message):
    """``imaged.v1.HistoryResponse``.

    - ``entries``: Newest first, as `docker history` prints.
    """

    entries: List[HistoryEntry]

    def __init__(
        self,
        entries: Optional[List[HistoryEntry]] = ...,
    ) -> None: ...


class ImageDetails(Message):
    """``imaged.v1.ImageDetails``.

    - ``id``: Image id, `sha256:<hex>` of the config.
    - ``repo_tags``: Names in familiar form, `busybox:latest`.
    - ``repo_digests``: Repository digests, `busybox@sha256:…`.
    - ``parent``: Parent image id for images committed or built here; empty otherwise.
    - ``comment``: Comment of the last history entry (the import or commit message).
    - ``created``: The config's `created`.
    - ``author``: The config's `author`.
    - ``config``: The container configuration; unset when `fields` left it out.
    - ``architecture``: CPU architecture, e.g. `amd64`.
    - ``variant``: Architecture variant, e.g. `v8`; empty when none.
    - ``os``: Operating system, e.g. `linux`.
    - ``size``: Size as Docker shows it: the layers unpacked, in bytes.
    - ``diff_ids``: Digests of the uncompressed layers (`rootfs.diff_ids`), base first.
    - ``manifest``: Manifest the image was stored from.
    - ``config_descriptor``: The config blob.
    - ``layers``: Layer blobs, base first.
    - ``last_tag_time``: When the image was last tagged or stored locally.
    - ``docker_version``: `docker_version` of the config, when the image was made by Docker.
    - ``history``: History entries, oldest first, as in the config.
    - ``content_size``: Config plus layers as stored (compressed), in bytes.
    - ``index_digest``: The index the image came as; empty for a single manifest.
    - ``platforms``: Every manifest of that index, present here or not.
    """

    id: str
    repo_tags: List[str]
    repo_digests: List[str]
    parent: str
    comment: str
    created: Optional[str]
    author: str
    config: Optional[ContainerConfig]
    architecture: str
    variant: str
    os: str
    size: int
    diff_ids: List[str]
    manifest: Optional[Descriptor]
    config_descriptor: Optional[Descriptor]
    layers: List[Descriptor]
    last_tag_time: Optional[str]
    docker_version: str
    history: List[HistoryEntry]
    content_size: int
    index_digest: str
    platforms: List[PlatformImage]

    def __init__(
        self,
        id: str = ...,
        repo_tags: Optional[List[str]] = ...,
        repo_digests: Optional[List[str]] = ...,
        parent: str = ...,
        comment: str = ...,
        created: Optional[str] = ...,
        author: str = ...,
        config: Optional[ContainerConfig] = ...,
        architecture: str = ...,
        variant: str = ...,
        os: str = ...,
        size: int = ...,
        diff_ids: Optional[List[str]] = ...,
        manifest: Optional[Descriptor] = ...,
        config_descriptor: Optional[Descriptor] = ...,
        layers: Optional[List[Descriptor]] = ...,
        last_tag_time: Optional[str] = ...,
        docker_version: str = ...,
        history: Optional[List[HistoryEntry]] = ...,
        content_size: int = ...,
        index_digest: str = ...,
        platforms: Optional[List[PlatformImage]] = ...,
    ) -> None: ...


class ImageSummary(Message):
    """One image as `docker image ls` sees it.

    - ``id``: Image id: the config digest, `sha256:<hex>`.
    - ``parent_id``: Parent image id for images made locally by commit or build; empty otherwise.
    - ``repo_tags``: Names in familiar form, `busybox:latest`, `127.0.0.1:5000/app:1`.
    - ``repo_digests``: Repository digests, `busybox@sha256:…`.
    - ``created``: When the image was created (the config's `created`).
    - ``size``: Size of the image as Docker shows it: its layers unpacked (file contents and symlink targets), in bytes.
    - ``shared_size``: Bytes (unpacked) of this image that other images share.
    - ``labels``: Labels of the image config.
    - ``containers``: Number of containers using the image.
    - ``manifest_digest``: Digest of the manifest the image was stored from.
    - ``content_size``: Config plus layers as stored (compressed), in bytes: Docker 25's "content size".
    - ``index_digest``: The index the image came as (OCI index or Docker manifest list); empty for a single manifest.
    - ``platforms``: Every manifest of that index (platforms and attestations), present here or not.
    """

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
    content_size: int
    index_digest: str
    platforms: List[PlatformImage]

    def __init__(
        self,
        id: str = ...,
        parent_id: str = ...,
        repo_tags: Optional[List[str]] = ...,
        repo_digests: Optional[List[str]] = ...,
        created: Optional[str] = ...,
        size: int = ...,
        shared_size: int = ...,
        labels: Optional[Dict[str, str]] = ...,
        containers: int = ...,
        manifest_digest: str = ...,
        content_size: int = ...,
        index_digest: str = ...,
        platforms: Optional[List[PlatformImage]] = ...,
    ) -> None: ...


class ImageUsage(Message):
    """``imaged.v1.ImageUsage``.

    - ``id``: Image id.
    - ``repo_tags``: Names in familiar form.
    - ``created``: The config's `created`.
    - ``size``: Size of the image.
    - ``shared_size``: Bytes shared with other images.
    - ``unique_size``: Bytes only this image holds.
    - ``containers``: Containers using the image.
    """

    id: str
    repo_tags: List[str]
    created: Optional[str]
    size: int
    shared_size: int
    unique_size: int
    containers: int

    def __init__(
        self,
        id: str = ...,
        repo_tags: Optional[List[str]] = ...,
        created: Optional[str] = ...,
        size: int = ...,
        shared_size: int = ...,
        unique_size: int = ...,
        containers: int = ...,
    ) -> None: ...


class ImportOptions(Message):
    """``imaged.v1.ImportOptions``.

    - ``reference``: Name for the new image, `REPO[:TAG]`; empty leaves it untagged (dangling), as `docker import`.
    - ``message``: Commit message, stored as the history comment (default `Imported from -`).
    - ``changes``: Dockerfile instructions applied to the config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER,
      VOLUME, WORKDIR, STOPSIGNAL. E.g. `CMD ["sh"]`, `ENV A=b`.
    - ``platform``: `os/arch[/variant]` recorded in the config; empty = the daemon's platform.
    - ``path``: When set, read the tar from this path on the daemon's side; no data messages follow.
    """

    reference: str
    message: str
    changes: List[str]
    platform: str
    path: str

    def __init__(
        self,
        reference: str = ...,
        message: str = ...,
        changes: Optional[List[str]] = ...,
        platform: str = ...,
        path: str = ...,
    ) -> None: ...


class ImportRequest(Message):
    """``imaged.v1.ImportRequest``.

    - ``options``: First message.
    - ``data``: Tar bytes, in order.
    """

    options: Optional[ImportOptions]
    data: Optional[bytes]

    def __init__(
        self,
        options: Optional[ImportOptions] = ...,
        data: Optional[bytes] = ...,
    ) -> None: ...


class ImportResponse(Message):
    """``imaged.v1.ImportResponse``.

    - ``progress``: Progress of one item.
    - ``result``: Sent once, last.
    """

    progress: Optional[Progress]
    result: Optional[ImportResult]

    def __init__(
        self,
        progress: Optional[Progress] = ...,
        result: Optional[ImportResult] = ...,
    ) -> None: ...


class ImportResult(Message):
    """``imaged.v1.ImportResult``.

    - ``image_id``: Image id of the new image, `sha256:<hex>`.
    - ``reference``: The name given, normalised; empty when untagged.
    - ``layer``: The layer blob stored (gzip).
    - ``diff_id``: Uncompressed digest of the layer.
    - ``tar_size``: Bytes of tar received (uncompressed).
    """

    image_id: str
    reference: str
    layer: Optional[Descriptor]
    diff_id: str
    tar_size: int

    def __init__(
        self,
        image_id: str = ...,
        reference: str = ...,
        layer: Optional[Descriptor] = ...,
        diff_id: str = ...,
        tar_size: int = ...,
    ) -> None: ...


class InspectImageRequest(Message):
    """``imaged.v1.InspectImageRequest``.

    - ``image``: Image reference, id (`sha256:<hex>`) or unique id prefix (at least one hex digit).
    - ``fields``: Top-level fields to fill (`config`, `history`, `rootfs`, `manifest`); empty = all.
    - ``platform``: For an image that came as an index: show this platform (`os/arch[/variant]`) instead of the one in
      use. NOT_FOUND (naming the platforms present) when it is not here.
    """

    image: str
    fields: List[str]
    platform: str

    def __init__(
        self,
        image: str = ...,
        fields: Optional[List[str]] = ...,
        platform: str = ...,
    ) -> None: ...


class InspectImageResponse(Message):
    """``imaged.v1.InspectImageResponse``.

    - ``image``: The image.
    """

    image: Optional[ImageDetails]

    def __init__(
        self,
        image: Optional[ImageDetails] = ...,
    ) -> None: ...


class ListContainersRequest(Message):
    """``imaged.v1.ListContainersRequest``."""

    def __init__(self) -> None: ...


class ListContainersResponse(Message):
    """``imaged.v1.ListContainersResponse``.

    - ``containers``: Containers of the namespace, newest first.
    """

    containers: List[ContainerSummary]

    def __init__(
        self,
        containers: Optional[List[ContainerSummary]] = ...,
    ) -> None: ...


class ListImagesRequest(Message):
    """``imaged.v1.ListImagesRequest``.

    - ``all``: Include intermediate images (untagged parents of other images), as `docker images -a`.
    - ``filters``: Filters: `dangling=true|false`, `label=KEY` or `label=KEY=VALUE`, `before=IMAGE`, `since=IMAGE`,
      `reference=PATTERN` (glob on the familiar name, optionally with `:TAG`). Several filters of the same
      key are ORed, different keys are ANDed, as in Docker.
    """

    all: bool
    filters: List[Filter]

    def __init__(
        self,
        all: bool = ...,
        filters: Optional[List[Filter]] = ...,
    ) -> None: ...


class ListImagesResponse(Message):
    """``imaged.v1.ListImagesResponse``.

    - ``images``: Images, newest first.
    """

    images: List[ImageSummary]

    def __init__(
        self,
        images: Optional[List[ImageSummary]] = ...,
    ) -> None: ...


class ListRegistriesRequest(Message):
    """``imaged.v1.ListRegistriesRequest``."""

    def __init__(self) -> None: ...


class ListRegistriesResponse(Message):
    """``imaged.v1.ListRegistriesResponse``.

    - ``registries``: One per registry with stored credentials.
    """

    registries: List[RegistryLogin]

    def __init__(
        self,
        registries: Optional[List[RegistryLogin]] = ...,
    ) -> None: ...


class LoadOptions(Message):
    """``imaged.v1.LoadOptions``.

    - ``path``: When set, read the archive from this path on the daemon's side; no data messages follow.
    - ``quiet``: Send no progress messages, only the results.
    """

    path: str
    quiet: bool

    def __init__(
        self,
        path: str = ...,
        quiet: bool = ...,
    ) -> None: ...


class LoadRequest(Message):
    """``imaged.v1.LoadRequest``.

    - ``options``: First message.
    - ``data``: Archive bytes, in order.
    """

    options: Optional[LoadOptions]
    data: Optional[bytes]

    def __init__(
        self,
        options: Optional[LoadOptions] = ...,
        data: Optional[bytes] = ...,
    ) -> None: ...


class LoadResponse(Message):
    """``imaged.v1.LoadResponse``.

    - ``progress``: Progress of one item.
    - ``loaded``: One per image loaded.
    """

    progress: Optional[Progress]
    loaded: Optional[LoadedImage]

    def __init__(
        self,
        progress: Optional[Progress] = ...,
        loaded: Optional[LoadedImage] = ...,
    ) -> None: ...


class LoadedImage(Message):
    """``imaged.v1.LoadedImage``.

    - ``reference``: Name restored from the archive, familiar form; empty when the archive names none.
    - ``image_id``: Image id.
    - ``status``: Docker's line: `Loaded image: busybox:latest` or `Loaded image ID: sha256:…`.
    """

    reference: str
    image_id: str
    status: str

    def __init__(
        self,
        reference: str = ...,
        image_id: str = ...,
        status: str = ...,
    ) -> None: ...


class LoginRequest(Message):
    """``imaged.v1.LoginRequest``.

    - ``server``: Registry host[:port]; empty = docker.io.
    - ``username``: User name.
    - ``password``: Password or access token; stored with mode 0600, never logged or returned.
    """

    server: str
    username: str
    password: str

    def __init__(
        self,
        server: str = ...,
        username: str = ...,
        password: str = ...,
    ) -> None: ...


class LoginResponse(Message):
    """``imaged.v1.LoginResponse``.

    - ``status``: `Login Succeeded`.
    """

    status: str

    def __init__(
        self,
        status: str = ...,
    ) -> None: ...


class LogoutRequest(Message):
    """``imaged.v1.LogoutRequest``.

    - ``server``: Registry host[:port]; empty = docker.io.
    """

    server: str

    def __init__(
        self,
        server: str = ...,
    ) -> None: ...


class LogoutResponse(Message):
    """``imaged.v1.LogoutResponse``.

    - ``status``: `Removing login credentials for SERVER`.
    """

    status: str

    def __init__(
        self,
        status: str = ...,
    ) -> None: ...


class Platform(Message):
    """An OCI platform.

    - ``os``: Operating system, e.g. `linux`.
    - ``architecture``: CPU architecture, e.g. `amd64`, `arm64`.
    - ``variant``: Architecture variant, e.g. `v8`; empty when none.
    - ``os_version``: OS version (Windows images); empty when none.
    """

    os: str
    architecture: str
    variant: str
    os_version: str

    def __init__(
        self,
        os: str = ...,
        architecture: str = ...,
        variant: str = ...,
        os_version: str = ...,
    ) -> None: ...


class PlatformImage(Message):
    """One manifest of an image's index.

    - ``platform``: `os/arch[/variant]`; `unknown/unknown` for attestations.
    - ``size``: Its layers unpacked, in bytes (0 when not present).
    - ``content_size``: Its config and layers as stored, in bytes (0 when not present).
    - ``attests``: For an attestation manifest (SBOM, provenance): the manifest it is about.
    - ``present``: Its content is stored here.
    - ``in_use``: The platform that `id`, `size` and the config describe.
    """

    platform: str
    manifest_digest: str
    size: int
    content_size: int
    attests: str
    present: bool
    in_use: bool

    def __init__(
        self,
        platform: str = ...,
        manifest_digest: str = ...,
        size: int = ...,
        content_size: int = ...,
        attests: str = ...,
        present: bool = ...,
        in_use: bool = ...,
    ) -> None: ...


class Progress(Message):
    """Progress of one piece of a long operation (pull, push, load, save, build, import).
    Shaped like Docker's JSON progress messages so clients can render them the same way.

    - ``id``: What the progress line is about: a short blob id (12 hex), an image reference, or empty for the
      operation as a whole.
    - ``status``: Docker-like status text: `Waiting`, `Downloading`, `Verifying Checksum`, `Download complete`,
      `Already exists`, `Pull complete`, `Pushing`, `Pushed`, `Layer already exists`, `Loading layer`…
    - ``current``: Bytes done so far for this item.
    - ``total``: Total bytes of this item; 0 when unknown.
    """

    id: str
    status: str
    current: int
    total: int

    def __init__(
        self,
        id: str = ...,
        status: str = ...,
        current: int = ...,
        total: int = ...,
    ) -> None: ...


class PruneImagesRequest(Message):
    """``imaged.v1.PruneImagesRequest``.

    - ``all``: Remove every image that no container uses, not only dangling ones (`docker image prune -a`).
    - ``filters``: `until=TIMESTAMP|DURATION` (e.g. `24h`, `2026-01-02T15:04:05`), `label=KEY[=VALUE]`, `label!=…`.
    """

    all: bool
    filters: List[Filter]

    def __init__(
        self,
        all: bool = ...,
        filters: Optional[List[Filter]] = ...,
    ) -> None: ...


class PruneImagesResponse(Message):
    """``imaged.v1.PruneImagesResponse``.

    - ``items``: What was untagged and deleted.
    - ``space_reclaimed``: Bytes freed on disk.
    """

    items: List[DeleteItem]
    space_reclaimed: int

    def __init__(
        self,
        items: Optional[List[DeleteItem]] = ...,
        space_reclaimed: int = ...,
    ) -> None: ...


class PullRequest(Message):
    """``imaged.v1.PullRequest``.

    - ``reference``: Image reference, e.g. `busybox`, `127.0.0.1:5000/team/app:1.2`, `alpine@sha256:…`.
    - ``all_tags``: Pull every tag of the repository (`docker pull -a`); `reference` must then carry no tag or digest.
    - ``platform``: Platform to choose from an index, `os/arch[/variant]`, or several separated by commas (the first is
      the one in use); empty = the daemon's platform.
    - ``all_platforms``: Keep every manifest of an index (all platforms and their attestations) instead of choosing one.
      Without it, the host platform (or `platform`) and the attestations about it are kept, and a later
      pull of another platform adds it to the same image.
    - ``auth``: Credentials for this call only; when unset, stored credentials for the registry are used.
    """

    reference: str
    all_tags: bool
    platform: str
    all_platforms: bool
    auth: Optional[AuthConfig]

    def __init__(
        self,
        reference: str = ...,
        all_tags: bool = ...,
        platform: str = ...,
        all_platforms: bool = ...,
        auth: Optional[AuthConfig] = ...,
    ) -> None: ...


class PullResponse(Message):
    """``imaged.v1.PullResponse``.

    - ``progress``: Progress of one blob.
      Progress of one item.
    - ``result``: Sent once, last.
    """

    progress: Optional[Progress]
    result: Optional[PullResult]

    def __init__(
        self,
        progress: Optional[Progress] = ...,
        result: Optional[PullResult] = ...,
    ) -> None: ...


class PullResult(Message):
    """``imaged.v1.PullResult``.

    - ``reference``: The reference that was pulled, normalised (`docker.io/library/busybox:latest`).
    - ``digest``: Digest of the manifest (or index) that the reference resolved to.
    - ``image_id``: Image id (config digest) of the image stored.
    - ``status``: Docker's closing line: `Downloaded newer image for …` or `Image is up to date for …`.
    """

    reference: str
    digest: str
    image_id: str
    status: str

    def __init__(
        self,
        reference: str = ...,
        digest: str = ...,
        image_id: str = ...,
        status: str = ...,
    ) -> None: ...


class PushRequest(Message):
    """``imaged.v1.PushRequest``.

    - ``reference``: Image reference to push; the registry is taken from it.
    - ``all_tags``: Push every tag of the repository (`docker push -a`).
    - ``auth``: Credentials for this call only; when unset, stored credentials are used.
    - ``platform``: Push only this platform's manifest (`os/arch[/variant]`) of an image that came as an index. Without it
      such an image goes up as its index, byte for byte, which needs every manifest it names here or in
      the registry (FAILED_PRECONDITION, reason INDEX_INCOMPLETE, otherwise).
    """

    reference: str
    all_tags: bool
    auth: Optional[AuthConfig]
    platform: str

    def __init__(
        self,
        reference: str = ...,
        all_tags: bool = ...,
        auth: Optional[AuthConfig] = ...,
        platform: str = ...,
    ) -> None: ...


class PushResponse(Message):
    """``imaged.v1.PushResponse``.

    - ``progress``: Progress of one item.
    - ``result``: Sent once per pushed tag.
    """

    progress: Optional[Progress]
    result: Optional[PushResult]

    def __init__(
        self,
        progress: Optional[Progress] = ...,
        result: Optional[PushResult] = ...,
    ) -> None: ...


class PushResult(Message):
    """``imaged.v1.PushResult``.

    - ``reference``: The reference that was pushed.
    - ``digest``: Digest of the manifest in the registry.
    - ``size``: Size of the manifest in bytes.
    """

    reference: str
    digest: str
    size: int

    def __init__(
        self,
        reference: str = ...,
        digest: str = ...,
        size: int = ...,
    ) -> None: ...


class RegistryLogin(Message):
    """``imaged.v1.RegistryLogin``.

    - ``server``: Registry host[:port].
    - ``username``: The stored user name (never the password).
    """

    server: str
    username: str

    def __init__(
        self,
        server: str = ...,
        username: str = ...,
    ) -> None: ...


class RemoveContainerRequest(Message):
    """``imaged.v1.RemoveContainerRequest``.

    - ``container``: Container id, unique id prefix or name.
    - ``force``: Remove even while a command runs in it.
    """

    container: str
    force: bool

    def __init__(
        self,
        container: str = ...,
        force: bool = ...,
    ) -> None: ...


class RemoveContainerResponse(Message):
    """``imaged.v1.RemoveContainerResponse``.

    - ``id``: Id of the removed container.
    """

    id: str

    def __init__(
        self,
        id: str = ...,
    ) -> None: ...


class RemoveImageRequest(Message):
    """``imaged.v1.RemoveImageRequest``.

    - ``image``: Reference, id or unique id prefix.
    - ``force``: Remove even when several repositories reference the image or a stopped container uses it.
    - ``no_prune``: Do not delete untagged parents.
    - ``platform``: Remove only this platform (and the attestations about it) from an image that came as an index; the
      image and its names stay. The platform in use cannot be removed this way: remove the image.
    """

    image: str
    force: bool
    no_prune: bool
    platform: str

    def __init__(
        self,
        image: str = ...,
        force: bool = ...,
        no_prune: bool = ...,
        platform: str = ...,
    ) -> None: ...


class RemoveImageResponse(Message):
    """``imaged.v1.RemoveImageResponse``.

    - ``items``: What was untagged and deleted, in Docker's order.
    - ``space_reclaimed``: Bytes freed on disk by blobs that no image references any more.
    """

    items: List[DeleteItem]
    space_reclaimed: int

    def __init__(
        self,
        items: Optional[List[DeleteItem]] = ...,
        space_reclaimed: int = ...,
    ) -> None: ...


class SaveRequest(Message):
    """``imaged.v1.SaveRequest``.

    - ``images``: Images to save: references, ids or unique id prefixes. Shared blobs are written once.
    - ``format``: Layout of the archive; default the Docker 25+ hybrid.
    - ``platform``: `os/arch[/variant]` to keep from multi-platform images; empty = the stored platform.
    - ``path``: When set, write the archive to this path on the daemon's side instead of streaming it.
    """

    images: List[str]
    format: ArchiveFormat
    platform: str
    path: str

    def __init__(
        self,
        images: Optional[List[str]] = ...,
        format: ArchiveFormat = ...,
        platform: str = ...,
        path: str = ...,
    ) -> None: ...


class SaveResponse(Message):
    """``imaged.v1.SaveResponse``.

    - ``data``: Archive bytes starting at `offset`, at most 1 MiB.
    - ``offset``: Offset of `data` in the archive.
    - ``total_size``: Set on the last message: total size of the archive.
    """

    data: bytes
    offset: int
    total_size: int

    def __init__(
        self,
        data: bytes = ...,
        offset: int = ...,
        total_size: int = ...,
    ) -> None: ...


class SearchRequest(Message):
    """``imaged.v1.SearchRequest``.

    - ``term``: Search term. A registry host may prefix it (`127.0.0.1:5000/busy`); default registry is docker.io.
    - ``limit``: Maximum number of results; 0 = 25.
    - ``filters``: `stars=N`, `is-official=true|false`, `is-automated=…`.
    - ``auth``: Credentials for this call only.
    """

    term: str
    limit: int
    filters: List[Filter]
    auth: Optional[AuthConfig]

    def __init__(
        self,
        term: str = ...,
        limit: int = ...,
        filters: Optional[List[Filter]] = ...,
        auth: Optional[AuthConfig] = ...,
    ) -> None: ...


class SearchResponse(Message):
    """``imaged.v1.SearchResponse``.

    - ``results``: Matches, best first.
    - ``source``: How the registry was searched: `v1-search` (the Docker Hub search API) or `catalog` (a match over
      `/v2/_catalog` for registries without a search API; no stars or descriptions then).
    """

    results: List[SearchResult]
    source: str

    def __init__(
        self,
        results: Optional[List[SearchResult]] = ...,
        source: str = ...,
    ) -> None: ...


class SearchResult(Message):
    """``imaged.v1.SearchResult``.

    - ``name``: Repository name, e.g. `library/busybox`.
    - ``description``: Short description from the registry; may be empty.
    - ``star_count``: Stars on the registry; 0 where the registry has none.
    - ``is_official``: True for official images.
    - ``is_automated``: True for automated builds (legacy Docker Hub flag).
    """

    name: str
    description: str
    star_count: int
    is_official: bool
    is_automated: bool

    def __init__(
        self,
        name: str = ...,
        description: str = ...,
        star_count: int = ...,
        is_official: bool = ...,
        is_automated: bool = ...,
    ) -> None: ...


class TagRequest(Message):
    """``imaged.v1.TagRequest``.

    - ``source``: The image to name: reference, id or unique id prefix.
    - ``target``: The new name, `REPO[:TAG]` (tag defaults to `latest`).
    """

    source: str
    target: str

    def __init__(
        self,
        source: str = ...,
        target: str = ...,
    ) -> None: ...


class TagResponse(Message):
    """``imaged.v1.TagResponse``.

    - ``reference``: The new name, normalised (`docker.io/library/busybox:1`).
    - ``image_id``: Image id it points at.
    """

    reference: str
    image_id: str

    def __init__(
        self,
        reference: str = ...,
        image_id: str = ...,
    ) -> None: ...


#: Every message class by its full proto name: the native module builds results from it.
MESSAGES: Dict[str, Type[Message]]
#: Every enum by its full proto name.
ENUMS: Dict[str, Type[enum.IntEnum]]
