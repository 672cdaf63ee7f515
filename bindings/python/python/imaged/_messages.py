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

    __slots__ = ("username", "password", "identity_token")
    _proto = "imaged.v1.AuthConfig"
    username: str
    password: str
    identity_token: str

    def __init__(
        self,
        username: str = "",
        password: str = "",
        identity_token: str = "",
    ) -> None:
        self.username = username
        self.password = password
        self.identity_token = identity_token


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

    __slots__ = ("tags", "dockerfile", "build_args", "target", "labels", "no_cache", "platform", "pull", "dockerfile_content")
    _proto = "imaged.v1.BuildOptions"
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
        tags: Optional[List[str]] = None,
        dockerfile: str = "",
        build_args: Optional[Dict[str, str]] = None,
        target: str = "",
        labels: Optional[Dict[str, str]] = None,
        no_cache: bool = False,
        platform: str = "",
        pull: bool = False,
        dockerfile_content: str = "",
    ) -> None:
        self.tags = [] if tags is None else tags
        self.dockerfile = dockerfile
        self.build_args = {} if build_args is None else build_args
        self.target = target
        self.labels = {} if labels is None else labels
        self.no_cache = no_cache
        self.platform = platform
        self.pull = pull
        self.dockerfile_content = dockerfile_content


class BuildRequest(Message):
    """``imaged.v1.BuildRequest``.

    - ``options``: First message.
    - ``context``: Context tar bytes, in order.
    """

    __slots__ = ("options", "context")
    _proto = "imaged.v1.BuildRequest"
    options: Optional[BuildOptions]
    context: Optional[bytes]

    def __init__(
        self,
        options: Optional[BuildOptions] = None,
        context: Optional[bytes] = None,
    ) -> None:
        self.options = options
        self.context = context


class BuildResponse(Message):
    """``imaged.v1.BuildResponse``.

    - ``log``: A log line (step headers, RUN output, cache hits).
    - ``step``: Progress of a step.
    - ``progress``: Pull progress of a base image.
    - ``result``: Sent once, last.
    """

    __slots__ = ("log", "step", "progress", "result")
    _proto = "imaged.v1.BuildResponse"
    log: Optional[str]
    step: Optional[BuildStep]
    progress: Optional[Progress]
    result: Optional[BuildResult]

    def __init__(
        self,
        log: Optional[str] = None,
        step: Optional[BuildStep] = None,
        progress: Optional[Progress] = None,
        result: Optional[BuildResult] = None,
    ) -> None:
        self.log = log
        self.step = step
        self.progress = progress
        self.result = result


class BuildResult(Message):
    """``imaged.v1.BuildResult``.

    - ``image_id``: Image id of the result.
    - ``tags``: The names given, normalised.
    """

    __slots__ = ("image_id", "tags")
    _proto = "imaged.v1.BuildResult"
    image_id: str
    tags: List[str]

    def __init__(
        self,
        image_id: str = "",
        tags: Optional[List[str]] = None,
    ) -> None:
        self.image_id = image_id
        self.tags = [] if tags is None else tags


class BuildStep(Message):
    """``imaged.v1.BuildStep``.

    - ``number``: 1-based step number.
    - ``total``: Total steps.
    - ``instruction``: The instruction, as written.
    - ``cached``: True when the step was served from the cache.
    """

    __slots__ = ("number", "total", "instruction", "cached")
    _proto = "imaged.v1.BuildStep"
    number: int
    total: int
    instruction: str
    cached: bool

    def __init__(
        self,
        number: int = 0,
        total: int = 0,
        instruction: str = "",
        cached: bool = False,
    ) -> None:
        self.number = number
        self.total = total
        self.instruction = instruction
        self.cached = cached


class CheckRequest(Message):
    """``imaged.v1.CheckRequest``.

    - ``repair``: Remove what is broken: a corrupt or missing blob and the images that need it (they can be pulled or
      loaded again), names that point nowhere; set wrong blob counts right.
    - ``quick``: Presence and counts only: do not re-hash every blob.
    """

    __slots__ = ("repair", "quick")
    _proto = "imaged.v1.CheckRequest"
    repair: bool
    quick: bool

    def __init__(
        self,
        repair: bool = False,
        quick: bool = False,
    ) -> None:
        self.repair = repair
        self.quick = quick


class CheckResponse(Message):
    """``imaged.v1.CheckResponse``.

    - ``orphans``: Blobs nothing references (harmless; `image prune` reclaims them).
    - ``problems``: One line per inconsistency found.
    - ``repaired``: With `repair`: one line per thing done, naming what was lost.
    """

    __slots__ = ("images", "blobs", "orphans", "problems", "repaired")
    _proto = "imaged.v1.CheckResponse"
    images: int
    blobs: int
    orphans: int
    problems: List[str]
    repaired: List[str]

    def __init__(
        self,
        images: int = 0,
        blobs: int = 0,
        orphans: int = 0,
        problems: Optional[List[str]] = None,
        repaired: Optional[List[str]] = None,
    ) -> None:
        self.images = images
        self.blobs = blobs
        self.orphans = orphans
        self.problems = [] if problems is None else problems
        self.repaired = [] if repaired is None else repaired


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

    __slots__ = ("container", "reference", "author", "message", "changes", "pause")
    _proto = "imaged.v1.CommitRequest"
    container: str
    reference: str
    author: str
    message: str
    changes: List[str]
    pause: bool

    def __init__(
        self,
        container: str = "",
        reference: str = "",
        author: str = "",
        message: str = "",
        changes: Optional[List[str]] = None,
        pause: bool = False,
    ) -> None:
        self.container = container
        self.reference = reference
        self.author = author
        self.message = message
        self.changes = [] if changes is None else changes
        self.pause = pause


class CommitResponse(Message):
    """``imaged.v1.CommitResponse``.

    - ``image_id``: Id of the new image.
    """

    __slots__ = ("image_id",)
    _proto = "imaged.v1.CommitResponse"
    image_id: str

    def __init__(
        self,
        image_id: str = "",
    ) -> None:
        self.image_id = image_id


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

    __slots__ = ("user", "env", "cmd", "entrypoint", "working_dir", "labels", "exposed_ports", "volumes", "stop_signal", "on_build", "cmd_set", "entrypoint_set", "healthcheck", "shell")
    _proto = "imaged.v1.ContainerConfig"
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
        user: str = "",
        env: Optional[List[str]] = None,
        cmd: Optional[List[str]] = None,
        entrypoint: Optional[List[str]] = None,
        working_dir: str = "",
        labels: Optional[Dict[str, str]] = None,
        exposed_ports: Optional[List[str]] = None,
        volumes: Optional[List[str]] = None,
        stop_signal: str = "",
        on_build: Optional[List[str]] = None,
        cmd_set: bool = False,
        entrypoint_set: bool = False,
        healthcheck: Optional[Healthcheck] = None,
        shell: Optional[List[str]] = None,
    ) -> None:
        self.user = user
        self.env = [] if env is None else env
        self.cmd = [] if cmd is None else cmd
        self.entrypoint = [] if entrypoint is None else entrypoint
        self.working_dir = working_dir
        self.labels = {} if labels is None else labels
        self.exposed_ports = [] if exposed_ports is None else exposed_ports
        self.volumes = [] if volumes is None else volumes
        self.stop_signal = stop_signal
        self.on_build = [] if on_build is None else on_build
        self.cmd_set = cmd_set
        self.entrypoint_set = entrypoint_set
        self.healthcheck = healthcheck
        self.shell = [] if shell is None else shell


class ContainerSummary(Message):
    """``imaged.v1.ContainerSummary``.

    - ``id``: Container id, 64 hex.
    - ``name``: Unique name.
    - ``image``: Image reference as given at creation.
    - ``image_id``: Id of the image the container was made from.
    - ``created``: When the container was made.
    """

    __slots__ = ("id", "name", "image", "image_id", "created")
    _proto = "imaged.v1.ContainerSummary"
    id: str
    name: str
    image: str
    image_id: str
    created: Optional[str]

    def __init__(
        self,
        id: str = "",
        name: str = "",
        image: str = "",
        image_id: str = "",
        created: Optional[str] = None,
    ) -> None:
        self.id = id
        self.name = name
        self.image = image
        self.image_id = image_id
        self.created = created


class CreateContainerRequest(Message):
    """``imaged.v1.CreateContainerRequest``.

    - ``image``: Image reference, id or unique id prefix.
    - ``name``: Optional unique name.
    - ``platform``: The platform to run (`os/arch[/variant]`); it must be the image's platform in use, which runs here.
    """

    __slots__ = ("image", "name", "platform")
    _proto = "imaged.v1.CreateContainerRequest"
    image: str
    name: str
    platform: str

    def __init__(
        self,
        image: str = "",
        name: str = "",
        platform: str = "",
    ) -> None:
        self.image = image
        self.name = name
        self.platform = platform


class CreateContainerResponse(Message):
    """``imaged.v1.CreateContainerResponse``.

    - ``id``: Container id, 64 hex.
    - ``name``: The name given, or a generated one.
    """

    __slots__ = ("id", "name")
    _proto = "imaged.v1.CreateContainerResponse"
    id: str
    name: str

    def __init__(
        self,
        id: str = "",
        name: str = "",
    ) -> None:
        self.id = id
        self.name = name


class DeleteItem(Message):
    """An item removed or untagged by Remove or Prune, as Docker reports it.

    - ``untagged``: Set when a reference was removed: the reference in familiar form (`busybox:latest`).
    - ``deleted``: Set when an image was deleted: its id, `sha256:<hex>`.
    """

    __slots__ = ("untagged", "deleted")
    _proto = "imaged.v1.DeleteItem"
    untagged: str
    deleted: str

    def __init__(
        self,
        untagged: str = "",
        deleted: str = "",
    ) -> None:
        self.untagged = untagged
        self.deleted = deleted


class Descriptor(Message):
    """A content descriptor as in the OCI image specification.

    - ``media_type``: IANA media type, e.g. `application/vnd.oci.image.manifest.v1+json`.
    - ``digest``: Content digest, `sha256:<64 hex>`.
    - ``size``: Size of the content in bytes.
    - ``annotations``: OCI annotations of the descriptor.
    - ``platform``: Platform, for descriptors inside an index.
    """

    __slots__ = ("media_type", "digest", "size", "annotations", "platform")
    _proto = "imaged.v1.Descriptor"
    media_type: str
    digest: str
    size: int
    annotations: Dict[str, str]
    platform: Optional[Platform]

    def __init__(
        self,
        media_type: str = "",
        digest: str = "",
        size: int = 0,
        annotations: Optional[Dict[str, str]] = None,
        platform: Optional[Platform] = None,
    ) -> None:
        self.media_type = media_type
        self.digest = digest
        self.size = size
        self.annotations = {} if annotations is None else annotations
        self.platform = platform


class DiskUsageRequest(Message):
    """``imaged.v1.DiskUsageRequest``."""

    __slots__ = ()
    _proto = "imaged.v1.DiskUsageRequest"
    def __init__(self) -> None:
        pass


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

    __slots__ = ("images", "logical_size", "physical_size", "reclaimable", "blob_count", "image_count", "active_images")
    _proto = "imaged.v1.DiskUsageResponse"
    images: List[ImageUsage]
    logical_size: int
    physical_size: int
    reclaimable: int
    blob_count: int
    image_count: int
    active_images: int

    def __init__(
        self,
        images: Optional[List[ImageUsage]] = None,
        logical_size: int = 0,
        physical_size: int = 0,
        reclaimable: int = 0,
        blob_count: int = 0,
        image_count: int = 0,
        active_images: int = 0,
    ) -> None:
        self.images = [] if images is None else images
        self.logical_size = logical_size
        self.physical_size = physical_size
        self.reclaimable = reclaimable
        self.blob_count = blob_count
        self.image_count = image_count
        self.active_images = active_images


class ExecRequest(Message):
    """``imaged.v1.ExecRequest``.

    - ``container``: Container id, unique id prefix or name.
    - ``args``: Command and arguments.
    - ``env``: Extra environment, `KEY=VALUE`.
    - ``working_dir``: Working directory; default the image's.
    - ``user``: `user[:group]`; default the image's.
    """

    __slots__ = ("container", "args", "env", "working_dir", "user")
    _proto = "imaged.v1.ExecRequest"
    container: str
    args: List[str]
    env: List[str]
    working_dir: str
    user: str

    def __init__(
        self,
        container: str = "",
        args: Optional[List[str]] = None,
        env: Optional[List[str]] = None,
        working_dir: str = "",
        user: str = "",
    ) -> None:
        self.container = container
        self.args = [] if args is None else args
        self.env = [] if env is None else env
        self.working_dir = working_dir
        self.user = user


class ExecResponse(Message):
    """``imaged.v1.ExecResponse``.

    - ``stdout``: Bytes the command wrote to stdout.
    - ``stderr``: Bytes the command wrote to stderr.
    - ``exit_code``: Sent once, last.
    """

    __slots__ = ("stdout", "stderr", "exit_code")
    _proto = "imaged.v1.ExecResponse"
    stdout: Optional[bytes]
    stderr: Optional[bytes]
    exit_code: Optional[int]

    def __init__(
        self,
        stdout: Optional[bytes] = None,
        stderr: Optional[bytes] = None,
        exit_code: Optional[int] = None,
    ) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.exit_code = exit_code


class Filter(Message):
    """A key/value filter as used by `docker image ls --filter key=value`.

    - ``key``: Filter name: `dangling`, `label`, `before`, `since`, `reference`, `until`, `stars`, `is-official`.
    - ``value``: Filter value, e.g. `true`, `maintainer=me`, `busybox:*`, `24h`.
    """

    __slots__ = ("key", "value")
    _proto = "imaged.v1.Filter"
    key: str
    value: str

    def __init__(
        self,
        key: str = "",
        value: str = "",
    ) -> None:
        self.key = key
        self.value = value


class Healthcheck(Message):
    """``imaged.v1.Healthcheck``.

    - ``test``: `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`.
    - ``interval_ns``: Time between checks, nanoseconds; 0 = default (30 s).
    - ``timeout_ns``: Time a check may take, nanoseconds; 0 = default (30 s).
    - ``start_period_ns``: Grace period after start, nanoseconds.
    - ``retries``: Failures in a row before unhealthy; 0 = default (3).
    """

    __slots__ = ("test", "interval_ns", "timeout_ns", "start_period_ns", "retries")
    _proto = "imaged.v1.Healthcheck"
    test: List[str]
    interval_ns: int
    timeout_ns: int
    start_period_ns: int
    retries: int

    def __init__(
        self,
        test: Optional[List[str]] = None,
        interval_ns: int = 0,
        timeout_ns: int = 0,
        start_period_ns: int = 0,
        retries: int = 0,
    ) -> None:
        self.test = [] if test is None else test
        self.interval_ns = interval_ns
        self.timeout_ns = timeout_ns
        self.start_period_ns = start_period_ns
        self.retries = retries


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

    __slots__ = ("id", "created", "created_by", "size", "comment", "empty_layer", "tags", "author")
    _proto = "imaged.v1.HistoryEntry"
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
        id: str = "",
        created: Optional[str] = None,
        created_by: str = "",
        size: int = 0,
        comment: str = "",
        empty_layer: bool = False,
        tags: Optional[List[str]] = None,
        author: str = "",
    ) -> None:
        self.id = id
        self.created = created
        self.created_by = created_by
        self.size = size
        self.comment = comment
        self.empty_layer = empty_layer
        self.tags = [] if tags is None else tags
        self.author = author


class HistoryRequest(Message):
    """``imaged.v1.HistoryRequest``.

    - ``image``: Image reference, id or unique id prefix.
    - ``platform``: For an image that came as an index: this platform's history instead of the one in use.
    """

    __slots__ = ("image", "platform")
    _proto = "imaged.v1.HistoryRequest"
    image: str
    platform: str

    def __init__(
        self,
        image: str = "",
        platform: str = "",
    ) -> None:
        self.image = image
        self.platform = platform


class HistoryResponse(Message):
    """``imaged.v1.HistoryResponse``.

    - ``entries``: Newest first, as `docker history` prints.
    """

    __slots__ = ("entries",)
    _proto = "imaged.v1.HistoryResponse"
    entries: List[HistoryEntry]

    def __init__(
        self,
        entries: Optional[List[HistoryEntry]] = None,
    ) -> None:
        self.entries = [] if entries is None else entries


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

    __slots__ = ("id", "repo_tags", "repo_digests", "parent", "comment", "created", "author", "config", "architecture", "variant", "os", "size", "diff_ids", "manifest", "config_descriptor", "layers", "last_tag_time", "docker_version", "history", "content_size", "index_digest", "platforms")
    _proto = "imaged.v1.ImageDetails"
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
        id: str = "",
        repo_tags: Optional[List[str]] = None,
        repo_digests: Optional[List[str]] = None,
        parent: str = "",
        comment: str = "",
        created: Optional[str] = None,
        author: str = "",
        config: Optional[ContainerConfig] = None,
        architecture: str = "",
        variant: str = "",
        os: str = "",
        size: int = 0,
        diff_ids: Optional[List[str]] = None,
        manifest: Optional[Descriptor] = None,
        config_descriptor: Optional[Descriptor] = None,
        layers: Optional[List[Descriptor]] = None,
        last_tag_time: Optional[str] = None,
        docker_version: str = "",
        history: Optional[List[HistoryEntry]] = None,
        content_size: int = 0,
        index_digest: str = "",
        platforms: Optional[List[PlatformImage]] = None,
    ) -> None:
        self.id = id
        self.repo_tags = [] if repo_tags is None else repo_tags
        self.repo_digests = [] if repo_digests is None else repo_digests
        self.parent = parent
        self.comment = comment
        self.created = created
        self.author = author
        self.config = config
        self.architecture = architecture
        self.variant = variant
        self.os = os
        self.size = size
        self.diff_ids = [] if diff_ids is None else diff_ids
        self.manifest = manifest
        self.config_descriptor = config_descriptor
        self.layers = [] if layers is None else layers
        self.last_tag_time = last_tag_time
        self.docker_version = docker_version
        self.history = [] if history is None else history
        self.content_size = content_size
        self.index_digest = index_digest
        self.platforms = [] if platforms is None else platforms


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

    __slots__ = ("id", "parent_id", "repo_tags", "repo_digests", "created", "size", "shared_size", "labels", "containers", "manifest_digest", "content_size", "index_digest", "platforms")
    _proto = "imaged.v1.ImageSummary"
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
        id: str = "",
        parent_id: str = "",
        repo_tags: Optional[List[str]] = None,
        repo_digests: Optional[List[str]] = None,
        created: Optional[str] = None,
        size: int = 0,
        shared_size: int = 0,
        labels: Optional[Dict[str, str]] = None,
        containers: int = 0,
        manifest_digest: str = "",
        content_size: int = 0,
        index_digest: str = "",
        platforms: Optional[List[PlatformImage]] = None,
    ) -> None:
        self.id = id
        self.parent_id = parent_id
        self.repo_tags = [] if repo_tags is None else repo_tags
        self.repo_digests = [] if repo_digests is None else repo_digests
        self.created = created
        self.size = size
        self.shared_size = shared_size
        self.labels = {} if labels is None else labels
        self.containers = containers
        self.manifest_digest = manifest_digest
        self.content_size = content_size
        self.index_digest = index_digest
        self.platforms = [] if platforms is None else platforms


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

    __slots__ = ("id", "repo_tags", "created", "size", "shared_size", "unique_size", "containers")
    _proto = "imaged.v1.ImageUsage"
    id: str
    repo_tags: List[str]
    created: Optional[str]
    size: int
    shared_size: int
    unique_size: int
    containers: int

    def __init__(
        self,
        id: str = "",
        repo_tags: Optional[List[str]] = None,
        created: Optional[str] = None,
        size: int = 0,
        shared_size: int = 0,
        unique_size: int = 0,
        containers: int = 0,
    ) -> None:
        self.id = id
        self.repo_tags = [] if repo_tags is None else repo_tags
        self.created = created
        self.size = size
        self.shared_size = shared_size
        self.unique_size = unique_size
        self.containers = containers


class ImportOptions(Message):
    """``imaged.v1.ImportOptions``.

    - ``reference``: Name for the new image, `REPO[:TAG]`; empty leaves it untagged (dangling), as `docker import`.
    - ``message``: Commit message, stored as the history comment (default `Imported from -`).
    - ``changes``: Dockerfile instructions applied to the config: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER,
      VOLUME, WORKDIR, STOPSIGNAL. E.g. `CMD ["sh"]`, `ENV A=b`.
    - ``platform``: `os/arch[/variant]` recorded in the config; empty = the daemon's platform.
    - ``path``: When set, read the tar from this path on the daemon's side; no data messages follow.
    """

    __slots__ = ("reference", "message", "changes", "platform", "path")
    _proto = "imaged.v1.ImportOptions"
    reference: str
    message: str
    changes: List[str]
    platform: str
    path: str

    def __init__(
        self,
        reference: str = "",
        message: str = "",
        changes: Optional[List[str]] = None,
        platform: str = "",
        path: str = "",
    ) -> None:
        self.reference = reference
        self.message = message
        self.changes = [] if changes is None else changes
        self.platform = platform
        self.path = path


class ImportRequest(Message):
    """``imaged.v1.ImportRequest``.

    - ``options``: First message.
    - ``data``: Tar bytes, in order.
    """

    __slots__ = ("options", "data")
    _proto = "imaged.v1.ImportRequest"
    options: Optional[ImportOptions]
    data: Optional[bytes]

    def __init__(
        self,
        options: Optional[ImportOptions] = None,
        data: Optional[bytes] = None,
    ) -> None:
        self.options = options
        self.data = data


class ImportResponse(Message):
    """``imaged.v1.ImportResponse``.

    - ``progress``: Progress of one item.
    - ``result``: Sent once, last.
    """

    __slots__ = ("progress", "result")
    _proto = "imaged.v1.ImportResponse"
    progress: Optional[Progress]
    result: Optional[ImportResult]

    def __init__(
        self,
        progress: Optional[Progress] = None,
        result: Optional[ImportResult] = None,
    ) -> None:
        self.progress = progress
        self.result = result


class ImportResult(Message):
    """``imaged.v1.ImportResult``.

    - ``image_id``: Image id of the new image, `sha256:<hex>`.
    - ``reference``: The name given, normalised; empty when untagged.
    - ``layer``: The layer blob stored (gzip).
    - ``diff_id``: Uncompressed digest of the layer.
    - ``tar_size``: Bytes of tar received (uncompressed).
    """

    __slots__ = ("image_id", "reference", "layer", "diff_id", "tar_size")
    _proto = "imaged.v1.ImportResult"
    image_id: str
    reference: str
    layer: Optional[Descriptor]
    diff_id: str
    tar_size: int

    def __init__(
        self,
        image_id: str = "",
        reference: str = "",
        layer: Optional[Descriptor] = None,
        diff_id: str = "",
        tar_size: int = 0,
    ) -> None:
        self.image_id = image_id
        self.reference = reference
        self.layer = layer
        self.diff_id = diff_id
        self.tar_size = tar_size


class InspectImageRequest(Message):
    """``imaged.v1.InspectImageRequest``.

    - ``image``: Image reference, id (`sha256:<hex>`) or unique id prefix (at least one hex digit).
    - ``fields``: Top-level fields to fill (`config`, `history`, `rootfs`, `manifest`); empty = all.
    - ``platform``: For an image that came as an index: show this platform (`os/arch[/variant]`) instead of the one in
      use. NOT_FOUND (naming the platforms present) when it is not here.
    """

    __slots__ = ("image", "fields", "platform")
    _proto = "imaged.v1.InspectImageRequest"
    image: str
    fields: List[str]
    platform: str

    def __init__(
        self,
        image: str = "",
        fields: Optional[List[str]] = None,
        platform: str = "",
    ) -> None:
        self.image = image
        self.fields = [] if fields is None else fields
        self.platform = platform


class InspectImageResponse(Message):
    """``imaged.v1.InspectImageResponse``.

    - ``image``: The image.
    """

    __slots__ = ("image",)
    _proto = "imaged.v1.InspectImageResponse"
    image: Optional[ImageDetails]

    def __init__(
        self,
        image: Optional[ImageDetails] = None,
    ) -> None:
        self.image = image


class ListContainersRequest(Message):
    """``imaged.v1.ListContainersRequest``."""

    __slots__ = ()
    _proto = "imaged.v1.ListContainersRequest"
    def __init__(self) -> None:
        pass


class ListContainersResponse(Message):
    """``imaged.v1.ListContainersResponse``.

    - ``containers``: Containers of the namespace, newest first.
    """

    __slots__ = ("containers",)
    _proto = "imaged.v1.ListContainersResponse"
    containers: List[ContainerSummary]

    def __init__(
        self,
        containers: Optional[List[ContainerSummary]] = None,
    ) -> None:
        self.containers = [] if containers is None else containers


class ListImagesRequest(Message):
    """``imaged.v1.ListImagesRequest``.

    - ``all``: Include intermediate images (untagged parents of other images), as `docker images -a`.
    - ``filters``: Filters: `dangling=true|false`, `label=KEY` or `label=KEY=VALUE`, `before=IMAGE`, `since=IMAGE`,
      `reference=PATTERN` (glob on the familiar name, optionally with `:TAG`). Several filters of the same
      key are ORed, different keys are ANDed, as in Docker.
    """

    __slots__ = ("all", "filters")
    _proto = "imaged.v1.ListImagesRequest"
    all: bool
    filters: List[Filter]

    def __init__(
        self,
        all: bool = False,
        filters: Optional[List[Filter]] = None,
    ) -> None:
        self.all = all
        self.filters = [] if filters is None else filters


class ListImagesResponse(Message):
    """``imaged.v1.ListImagesResponse``.

    - ``images``: Images, newest first.
    """

    __slots__ = ("images",)
    _proto = "imaged.v1.ListImagesResponse"
    images: List[ImageSummary]

    def __init__(
        self,
        images: Optional[List[ImageSummary]] = None,
    ) -> None:
        self.images = [] if images is None else images


class ListRegistriesRequest(Message):
    """``imaged.v1.ListRegistriesRequest``."""

    __slots__ = ()
    _proto = "imaged.v1.ListRegistriesRequest"
    def __init__(self) -> None:
        pass


class ListRegistriesResponse(Message):
    """``imaged.v1.ListRegistriesResponse``.

    - ``registries``: One per registry with stored credentials.
    """

    __slots__ = ("registries",)
    _proto = "imaged.v1.ListRegistriesResponse"
    registries: List[RegistryLogin]

    def __init__(
        self,
        registries: Optional[List[RegistryLogin]] = None,
    ) -> None:
        self.registries = [] if registries is None else registries


class LoadOptions(Message):
    """``imaged.v1.LoadOptions``.

    - ``path``: When set, read the archive from this path on the daemon's side; no data messages follow.
    - ``quiet``: Send no progress messages, only the results.
    """

    __slots__ = ("path", "quiet")
    _proto = "imaged.v1.LoadOptions"
    path: str
    quiet: bool

    def __init__(
        self,
        path: str = "",
        quiet: bool = False,
    ) -> None:
        self.path = path
        self.quiet = quiet


class LoadRequest(Message):
    """``imaged.v1.LoadRequest``.

    - ``options``: First message.
    - ``data``: Archive bytes, in order.
    """

    __slots__ = ("options", "data")
    _proto = "imaged.v1.LoadRequest"
    options: Optional[LoadOptions]
    data: Optional[bytes]

    def __init__(
        self,
        options: Optional[LoadOptions] = None,
        data: Optional[bytes] = None,
    ) -> None:
        self.options = options
        self.data = data


class LoadResponse(Message):
    """``imaged.v1.LoadResponse``.

    - ``progress``: Progress of one item.
    - ``loaded``: One per image loaded.
    """

    __slots__ = ("progress", "loaded")
    _proto = "imaged.v1.LoadResponse"
    progress: Optional[Progress]
    loaded: Optional[LoadedImage]

    def __init__(
        self,
        progress: Optional[Progress] = None,
        loaded: Optional[LoadedImage] = None,
    ) -> None:
        self.progress = progress
        self.loaded = loaded


class LoadedImage(Message):
    """``imaged.v1.LoadedImage``.

    - ``reference``: Name restored from the archive, familiar form; empty when the archive names none.
    - ``image_id``: Image id.
    - ``status``: Docker's line: `Loaded image: busybox:latest` or `Loaded image ID: sha256:…`.
    """

    __slots__ = ("reference", "image_id", "status")
    _proto = "imaged.v1.LoadedImage"
    reference: str
    image_id: str
    status: str

    def __init__(
        self,
        reference: str = "",
        image_id: str = "",
        status: str = "",
    ) -> None:
        self.reference = reference
        self.image_id = image_id
        self.status = status


class LoginRequest(Message):
    """``imaged.v1.LoginRequest``.

    - ``server``: Registry host[:port]; empty = docker.io.
    - ``username``: User name.
    - ``password``: Password or access token; stored with mode 0600, never logged or returned.
    """

    __slots__ = ("server", "username", "password")
    _proto = "imaged.v1.LoginRequest"
    server: str
    username: str
    password: str

    def __init__(
        self,
        server: str = "",
        username: str = "",
        password: str = "",
    ) -> None:
        self.server = server
        self.username = username
        self.password = password


class LoginResponse(Message):
    """``imaged.v1.LoginResponse``.

    - ``status``: `Login Succeeded`.
    """

    __slots__ = ("status",)
    _proto = "imaged.v1.LoginResponse"
    status: str

    def __init__(
        self,
        status: str = "",
    ) -> None:
        self.status = status


class LogoutRequest(Message):
    """``imaged.v1.LogoutRequest``.

    - ``server``: Registry host[:port]; empty = docker.io.
    """

    __slots__ = ("server",)
    _proto = "imaged.v1.LogoutRequest"
    server: str

    def __init__(
        self,
        server: str = "",
    ) -> None:
        self.server = server


class LogoutResponse(Message):
    """``imaged.v1.LogoutResponse``.

    - ``status``: `Removing login credentials for SERVER`.
    """

    __slots__ = ("status",)
    _proto = "imaged.v1.LogoutResponse"
    status: str

    def __init__(
        self,
        status: str = "",
    ) -> None:
        self.status = status


class Platform(Message):
    """An OCI platform.

    - ``os``: Operating system, e.g. `linux`.
    - ``architecture``: CPU architecture, e.g. `amd64`, `arm64`.
    - ``variant``: Architecture variant, e.g. `v8`; empty when none.
    - ``os_version``: OS version (Windows images); empty when none.
    """

    __slots__ = ("os", "architecture", "variant", "os_version")
    _proto = "imaged.v1.Platform"
    os: str
    architecture: str
    variant: str
    os_version: str

    def __init__(
        self,
        os: str = "",
        architecture: str = "",
        variant: str = "",
        os_version: str = "",
    ) -> None:
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.os_version = os_version


class PlatformImage(Message):
    """One manifest of an image's index.

    - ``platform``: `os/arch[/variant]`; `unknown/unknown` for attestations.
    - ``size``: Its layers unpacked, in bytes (0 when not present).
    - ``content_size``: Its config and layers as stored, in bytes (0 when not present).
    - ``attests``: For an attestation manifest (SBOM, provenance): the manifest it is about.
    - ``present``: Its content is stored here.
    - ``in_use``: The platform that `id`, `size` and the config describe.
    """

    __slots__ = ("platform", "manifest_digest", "size", "content_size", "attests", "present", "in_use")
    _proto = "imaged.v1.PlatformImage"
    platform: str
    manifest_digest: str
    size: int
    content_size: int
    attests: str
    present: bool
    in_use: bool

    def __init__(
        self,
        platform: str = "",
        manifest_digest: str = "",
        size: int = 0,
        content_size: int = 0,
        attests: str = "",
        present: bool = False,
        in_use: bool = False,
    ) -> None:
        self.platform = platform
        self.manifest_digest = manifest_digest
        self.size = size
        self.content_size = content_size
        self.attests = attests
        self.present = present
        self.in_use = in_use


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

    __slots__ = ("id", "status", "current", "total")
    _proto = "imaged.v1.Progress"
    id: str
    status: str
    current: int
    total: int

    def __init__(
        self,
        id: str = "",
        status: str = "",
        current: int = 0,
        total: int = 0,
    ) -> None:
        self.id = id
        self.status = status
        self.current = current
        self.total = total


class PruneImagesRequest(Message):
    """``imaged.v1.PruneImagesRequest``.

    - ``all``: Remove every image that no container uses, not only dangling ones (`docker image prune -a`).
    - ``filters``: `until=TIMESTAMP|DURATION` (e.g. `24h`, `2026-01-02T15:04:05`), `label=KEY[=VALUE]`, `label!=…`.
    """

    __slots__ = ("all", "filters")
    _proto = "imaged.v1.PruneImagesRequest"
    all: bool
    filters: List[Filter]

    def __init__(
        self,
        all: bool = False,
        filters: Optional[List[Filter]] = None,
    ) -> None:
        self.all = all
        self.filters = [] if filters is None else filters


class PruneImagesResponse(Message):
    """``imaged.v1.PruneImagesResponse``.

    - ``items``: What was untagged and deleted.
    - ``space_reclaimed``: Bytes freed on disk.
    """

    __slots__ = ("items", "space_reclaimed")
    _proto = "imaged.v1.PruneImagesResponse"
    items: List[DeleteItem]
    space_reclaimed: int

    def __init__(
        self,
        items: Optional[List[DeleteItem]] = None,
        space_reclaimed: int = 0,
    ) -> None:
        self.items = [] if items is None else items
        self.space_reclaimed = space_reclaimed


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

    __slots__ = ("reference", "all_tags", "platform", "all_platforms", "auth")
    _proto = "imaged.v1.PullRequest"
    reference: str
    all_tags: bool
    platform: str
    all_platforms: bool
    auth: Optional[AuthConfig]

    def __init__(
        self,
        reference: str = "",
        all_tags: bool = False,
        platform: str = "",
        all_platforms: bool = False,
        auth: Optional[AuthConfig] = None,
    ) -> None:
        self.reference = reference
        self.all_tags = all_tags
        self.platform = platform
        self.all_platforms = all_platforms
        self.auth = auth


class PullResponse(Message):
    """``imaged.v1.PullResponse``.

    - ``progress``: Progress of one blob.
      Progress of one item.
    - ``result``: Sent once, last.
    """

    __slots__ = ("progress", "result")
    _proto = "imaged.v1.PullResponse"
    progress: Optional[Progress]
    result: Optional[PullResult]

    def __init__(
        self,
        progress: Optional[Progress] = None,
        result: Optional[PullResult] = None,
    ) -> None:
        self.progress = progress
        self.result = result


class PullResult(Message):
    """``imaged.v1.PullResult``.

    - ``reference``: The reference that was pulled, normalised (`docker.io/library/busybox:latest`).
    - ``digest``: Digest of the manifest (or index) that the reference resolved to.
    - ``image_id``: Image id (config digest) of the image stored.
    - ``status``: Docker's closing line: `Downloaded newer image for …` or `Image is up to date for …`.
    """

    __slots__ = ("reference", "digest", "image_id", "status")
    _proto = "imaged.v1.PullResult"
    reference: str
    digest: str
    image_id: str
    status: str

    def __init__(
        self,
        reference: str = "",
        digest: str = "",
        image_id: str = "",
        status: str = "",
    ) -> None:
        self.reference = reference
        self.digest = digest
        self.image_id = image_id
        self.status = status


class PushRequest(Message):
    """``imaged.v1.PushRequest``.

    - ``reference``: Image reference to push; the registry is taken from it.
    - ``all_tags``: Push every tag of the repository (`docker push -a`).
    - ``auth``: Credentials for this call only; when unset, stored credentials are used.
    - ``platform``: Push only this platform's manifest (`os/arch[/variant]`) of an image that came as an index. Without it
      such an image goes up as its index, byte for byte, which needs every manifest it names here or in
      the registry (FAILED_PRECONDITION, reason INDEX_INCOMPLETE, otherwise).
    """

    __slots__ = ("reference", "all_tags", "auth", "platform")
    _proto = "imaged.v1.PushRequest"
    reference: str
    all_tags: bool
    auth: Optional[AuthConfig]
    platform: str

    def __init__(
        self,
        reference: str = "",
        all_tags: bool = False,
        auth: Optional[AuthConfig] = None,
        platform: str = "",
    ) -> None:
        self.reference = reference
        self.all_tags = all_tags
        self.auth = auth
        self.platform = platform


class PushResponse(Message):
    """``imaged.v1.PushResponse``.

    - ``progress``: Progress of one item.
    - ``result``: Sent once per pushed tag.
    """

    __slots__ = ("progress", "result")
    _proto = "imaged.v1.PushResponse"
    progress: Optional[Progress]
    result: Optional[PushResult]

    def __init__(
        self,
        progress: Optional[Progress] = None,
        result: Optional[PushResult] = None,
    ) -> None:
        self.progress = progress
        self.result = result


class PushResult(Message):
    """``imaged.v1.PushResult``.

    - ``reference``: The reference that was pushed.
    - ``digest``: Digest of the manifest in the registry.
    - ``size``: Size of the manifest in bytes.
    """

    __slots__ = ("reference", "digest", "size")
    _proto = "imaged.v1.PushResult"
    reference: str
    digest: str
    size: int

    def __init__(
        self,
        reference: str = "",
        digest: str = "",
        size: int = 0,
    ) -> None:
        self.reference = reference
        self.digest = digest
        self.size = size


class RegistryLogin(Message):
    """``imaged.v1.RegistryLogin``.

    - ``server``: Registry host[:port].
    - ``username``: The stored user name (never the password).
    """

    __slots__ = ("server", "username")
    _proto = "imaged.v1.RegistryLogin"
    server: str
    username: str

    def __init__(
        self,
        server: str = "",
        username: str = "",
    ) -> None:
        self.server = server
        self.username = username


class RemoveContainerRequest(Message):
    """``imaged.v1.RemoveContainerRequest``.

    - ``container``: Container id, unique id prefix or name.
    - ``force``: Remove even while a command runs in it.
    """

    __slots__ = ("container", "force")
    _proto = "imaged.v1.RemoveContainerRequest"
    container: str
    force: bool

    def __init__(
        self,
        container: str = "",
        force: bool = False,
    ) -> None:
        self.container = container
        self.force = force


class RemoveContainerResponse(Message):
    """``imaged.v1.RemoveContainerResponse``.

    - ``id``: Id of the removed container.
    """

    __slots__ = ("id",)
    _proto = "imaged.v1.RemoveContainerResponse"
    id: str

    def __init__(
        self,
        id: str = "",
    ) -> None:
        self.id = id


class RemoveImageRequest(Message):
    """``imaged.v1.RemoveImageRequest``.

    - ``image``: Reference, id or unique id prefix.
    - ``force``: Remove even when several repositories reference the image or a stopped container uses it.
    - ``no_prune``: Do not delete untagged parents.
    - ``platform``: Remove only this platform (and the attestations about it) from an image that came as an index; the
      image and its names stay. The platform in use cannot be removed this way: remove the image.
    """

    __slots__ = ("image", "force", "no_prune", "platform")
    _proto = "imaged.v1.RemoveImageRequest"
    image: str
    force: bool
    no_prune: bool
    platform: str

    def __init__(
        self,
        image: str = "",
        force: bool = False,
        no_prune: bool = False,
        platform: str = "",
    ) -> None:
        self.image = image
        self.force = force
        self.no_prune = no_prune
        self.platform = platform


class RemoveImageResponse(Message):
    """``imaged.v1.RemoveImageResponse``.

    - ``items``: What was untagged and deleted, in Docker's order.
    - ``space_reclaimed``: Bytes freed on disk by blobs that no image references any more.
    """

    __slots__ = ("items", "space_reclaimed")
    _proto = "imaged.v1.RemoveImageResponse"
    items: List[DeleteItem]
    space_reclaimed: int

    def __init__(
        self,
        items: Optional[List[DeleteItem]] = None,
        space_reclaimed: int = 0,
    ) -> None:
        self.items = [] if items is None else items
        self.space_reclaimed = space_reclaimed


class SaveRequest(Message):
    """``imaged.v1.SaveRequest``.

    - ``images``: Images to save: references, ids or unique id prefixes. Shared blobs are written once.
    - ``format``: Layout of the archive; default the Docker 25+ hybrid.
    - ``platform``: `os/arch[/variant]` to keep from multi-platform images; empty = the stored platform.
    - ``path``: When set, write the archive to this path on the daemon's side instead of streaming it.
    """

    __slots__ = ("images", "format", "platform", "path")
    _proto = "imaged.v1.SaveRequest"
    images: List[str]
    format: ArchiveFormat
    platform: str
    path: str

    def __init__(
        self,
        images: Optional[List[str]] = None,
        format: ArchiveFormat = ArchiveFormat.ARCHIVE_FORMAT_DOCKER,
        platform: str = "",
        path: str = "",
    ) -> None:
        self.images = [] if images is None else images
        self.format = format
        self.platform = platform
        self.path = path


class SaveResponse(Message):
    """``imaged.v1.SaveResponse``.

    - ``data``: Archive bytes starting at `offset`, at most 1 MiB.
    - ``offset``: Offset of `data` in the archive.
    - ``total_size``: Set on the last message: total size of the archive.
    """

    __slots__ = ("data", "offset", "total_size")
    _proto = "imaged.v1.SaveResponse"
    data: bytes
    offset: int
    total_size: int

    def __init__(
        self,
        data: bytes = b"",
        offset: int = 0,
        total_size: int = 0,
    ) -> None:
        self.data = data
        self.offset = offset
        self.total_size = total_size


class SearchRequest(Message):
    """``imaged.v1.SearchRequest``.

    - ``term``: Search term. A registry host may prefix it (`127.0.0.1:5000/busy`); default registry is docker.io.
    - ``limit``: Maximum number of results; 0 = 25.
    - ``filters``: `stars=N`, `is-official=true|false`, `is-automated=…`.
    - ``auth``: Credentials for this call only.
    """

    __slots__ = ("term", "limit", "filters", "auth")
    _proto = "imaged.v1.SearchRequest"
    term: str
    limit: int
    filters: List[Filter]
    auth: Optional[AuthConfig]

    def __init__(
        self,
        term: str = "",
        limit: int = 0,
        filters: Optional[List[Filter]] = None,
        auth: Optional[AuthConfig] = None,
    ) -> None:
        self.term = term
        self.limit = limit
        self.filters = [] if filters is None else filters
        self.auth = auth


class SearchResponse(Message):
    """``imaged.v1.SearchResponse``.

    - ``results``: Matches, best first.
    - ``source``: How the registry was searched: `v1-search` (the Docker Hub search API) or `catalog` (a match over
      `/v2/_catalog` for registries without a search API; no stars or descriptions then).
    """

    __slots__ = ("results", "source")
    _proto = "imaged.v1.SearchResponse"
    results: List[SearchResult]
    source: str

    def __init__(
        self,
        results: Optional[List[SearchResult]] = None,
        source: str = "",
    ) -> None:
        self.results = [] if results is None else results
        self.source = source


class SearchResult(Message):
    """``imaged.v1.SearchResult``.

    - ``name``: Repository name, e.g. `library/busybox`.
    - ``description``: Short description from the registry; may be empty.
    - ``star_count``: Stars on the registry; 0 where the registry has none.
    - ``is_official``: True for official images.
    - ``is_automated``: True for automated builds (legacy Docker Hub flag).
    """

    __slots__ = ("name", "description", "star_count", "is_official", "is_automated")
    _proto = "imaged.v1.SearchResult"
    name: str
    description: str
    star_count: int
    is_official: bool
    is_automated: bool

    def __init__(
        self,
        name: str = "",
        description: str = "",
        star_count: int = 0,
        is_official: bool = False,
        is_automated: bool = False,
    ) -> None:
        self.name = name
        self.description = description
        self.star_count = star_count
        self.is_official = is_official
        self.is_automated = is_automated


class TagRequest(Message):
    """``imaged.v1.TagRequest``.

    - ``source``: The image to name: reference, id or unique id prefix.
    - ``target``: The new name, `REPO[:TAG]` (tag defaults to `latest`).
    """

    __slots__ = ("source", "target")
    _proto = "imaged.v1.TagRequest"
    source: str
    target: str

    def __init__(
        self,
        source: str = "",
        target: str = "",
    ) -> None:
        self.source = source
        self.target = target


class TagResponse(Message):
    """``imaged.v1.TagResponse``.

    - ``reference``: The new name, normalised (`docker.io/library/busybox:1`).
    - ``image_id``: Image id it points at.
    """

    __slots__ = ("reference", "image_id")
    _proto = "imaged.v1.TagResponse"
    reference: str
    image_id: str

    def __init__(
        self,
        reference: str = "",
        image_id: str = "",
    ) -> None:
        self.reference = reference
        self.image_id = image_id


#: Every message class by its full proto name: the native module builds results from it.
MESSAGES: Dict[str, Type[Message]] = {
    "imaged.v1.AuthConfig": AuthConfig,
    "imaged.v1.BuildOptions": BuildOptions,
    "imaged.v1.BuildRequest": BuildRequest,
    "imaged.v1.BuildResponse": BuildResponse,
    "imaged.v1.BuildResult": BuildResult,
    "imaged.v1.BuildStep": BuildStep,
    "imaged.v1.CheckRequest": CheckRequest,
    "imaged.v1.CheckResponse": CheckResponse,
    "imaged.v1.CommitRequest": CommitRequest,
    "imaged.v1.CommitResponse": CommitResponse,
    "imaged.v1.ContainerConfig": ContainerConfig,
    "imaged.v1.ContainerSummary": ContainerSummary,
    "imaged.v1.CreateContainerRequest": CreateContainerRequest,
    "imaged.v1.CreateContainerResponse": CreateContainerResponse,
    "imaged.v1.DeleteItem": DeleteItem,
    "imaged.v1.Descriptor": Descriptor,
    "imaged.v1.DiskUsageRequest": DiskUsageRequest,
    "imaged.v1.DiskUsageResponse": DiskUsageResponse,
    "imaged.v1.ExecRequest": ExecRequest,
    "imaged.v1.ExecResponse": ExecResponse,
    "imaged.v1.Filter": Filter,
    "imaged.v1.Healthcheck": Healthcheck,
    "imaged.v1.HistoryEntry": HistoryEntry,
    "imaged.v1.HistoryRequest": HistoryRequest,
    "imaged.v1.HistoryResponse": HistoryResponse,
    "imaged.v1.ImageDetails": ImageDetails,
    "imaged.v1.ImageSummary": ImageSummary,
    "imaged.v1.ImageUsage": ImageUsage,
    "imaged.v1.ImportOptions": ImportOptions,
    "imaged.v1.ImportRequest": ImportRequest,
    "imaged.v1.ImportResponse": ImportResponse,
    "imaged.v1.ImportResult": ImportResult,
    "imaged.v1.InspectImageRequest": InspectImageRequest,
    "imaged.v1.InspectImageResponse": InspectImageResponse,
    "imaged.v1.ListContainersRequest": ListContainersRequest,
    "imaged.v1.ListContainersResponse": ListContainersResponse,
    "imaged.v1.ListImagesRequest": ListImagesRequest,
    "imaged.v1.ListImagesResponse": ListImagesResponse,
    "imaged.v1.ListRegistriesRequest": ListRegistriesRequest,
    "imaged.v1.ListRegistriesResponse": ListRegistriesResponse,
    "imaged.v1.LoadOptions": LoadOptions,
    "imaged.v1.LoadRequest": LoadRequest,
    "imaged.v1.LoadResponse": LoadResponse,
    "imaged.v1.LoadedImage": LoadedImage,
    "imaged.v1.LoginRequest": LoginRequest,
    "imaged.v1.LoginResponse": LoginResponse,
    "imaged.v1.LogoutRequest": LogoutRequest,
    "imaged.v1.LogoutResponse": LogoutResponse,
    "imaged.v1.Platform": Platform,
    "imaged.v1.PlatformImage": PlatformImage,
    "imaged.v1.Progress": Progress,
    "imaged.v1.PruneImagesRequest": PruneImagesRequest,
    "imaged.v1.PruneImagesResponse": PruneImagesResponse,
    "imaged.v1.PullRequest": PullRequest,
    "imaged.v1.PullResponse": PullResponse,
    "imaged.v1.PullResult": PullResult,
    "imaged.v1.PushRequest": PushRequest,
    "imaged.v1.PushResponse": PushResponse,
    "imaged.v1.PushResult": PushResult,
    "imaged.v1.RegistryLogin": RegistryLogin,
    "imaged.v1.RemoveContainerRequest": RemoveContainerRequest,
    "imaged.v1.RemoveContainerResponse": RemoveContainerResponse,
    "imaged.v1.RemoveImageRequest": RemoveImageRequest,
    "imaged.v1.RemoveImageResponse": RemoveImageResponse,
    "imaged.v1.SaveRequest": SaveRequest,
    "imaged.v1.SaveResponse": SaveResponse,
    "imaged.v1.SearchRequest": SearchRequest,
    "imaged.v1.SearchResponse": SearchResponse,
    "imaged.v1.SearchResult": SearchResult,
    "imaged.v1.TagRequest": TagRequest,
    "imaged.v1.TagResponse": TagResponse,
}
#: Every enum by its full proto name.
ENUMS: Dict[str, Type[enum.IntEnum]] = {
    "imaged.v1.ArchiveFormat": ArchiveFormat,
}
