"""Fixtures: a real imaged (the workspace's debug build) on a temp socket, a real docker-registry with
htpasswd auth, and a busybox root filesystem tar made here from Debian's busybox-static."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[3]
USER, PASSWORD = "tester", "s3cret-pass"


def _bin(name: str) -> str:
    target = os.environ.get("CARGO_TARGET_DIR", str(REPO / "target"))
    for profile in ("debug", "release"):
        p = Path(target) / profile / name
        if p.exists():
            return str(p)
    raise RuntimeError(f"{name} is not built: run cargo build --bins first")


def _wait_port(host: str, port: int, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port}")


class Daemon:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "imaged.sock"
        self.log = open(root / "imaged.log", "wb")
        self.proc = subprocess.Popen([_bin("imaged"), "--root", str(root / "data"), "--socket", str(self.socket)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while not self.socket.exists():
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError((root / "imaged.log").read_text())
            time.sleep(0.05)
        self.host = f"unix://{self.socket}"

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    d = Daemon(tmp_path_factory.mktemp("imaged"))
    yield d
    d.stop()


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A docker-registry on 127.0.0.1 with htpasswd basic auth; yields host:port."""
    root = tmp_path_factory.mktemp("registry")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(["htpasswd", "-Bbc", str(root / "htpasswd"), USER, PASSWORD], check=True, capture_output=True)
    (root / "config.yml").write_text(
        f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\nauth:\n  htpasswd:\n    realm: imaged-test\n    path: {root / 'htpasswd'}\n"
    )
    log = open(root / "registry.log", "wb")
    proc = subprocess.Popen(["docker-registry", "serve", str(root / "config.yml")], stdout=log, stderr=log)
    _wait_port("127.0.0.1", port)
    yield f"127.0.0.1:{port}"
    proc.kill()
    proc.wait()
    log.close()


def busybox_tar() -> bytes:
    busybox = shutil.which("busybox") or "/bin/busybox"
    data = Path(busybox).read_bytes()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        for d, mode in (("bin", 0o755), ("etc", 0o755), ("tmp", 0o1777)):
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, mode
            t.addfile(info)
        info = tarfile.TarInfo("bin/busybox")
        info.size, info.mode = len(data), 0o755
        t.addfile(info, io.BytesIO(data))
        passwd = b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"
        info = tarfile.TarInfo("etc/passwd")
        info.size, info.mode = len(passwd), 0o644
        t.addfile(info, io.BytesIO(passwd))
        for name in ("sh", "echo", "cat", "ls", "id", "rm", "test", "true", "sleep"):
            info = tarfile.TarInfo(f"bin/{name}")
            info.type, info.linkname = tarfile.SYMTYPE, "/bin/busybox"
            t.addfile(info)
    return out.getvalue()


@pytest.fixture(scope="session")
def busybox(daemon: Daemon) -> str:
    import imaged

    c = imaged.Client(daemon.host)
    c.import_image(busybox_tar(), "busybox:latest")
    return "busybox:latest"
