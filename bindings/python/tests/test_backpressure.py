"""Backpressure: a save into a file object that is slower than the daemon finishes, with bounded memory
(the sink waits for room in the channel instead of losing its wake-up and hanging)."""

from __future__ import annotations

import asyncio
import os
import tarfile
import threading
import time
from pathlib import Path

import pytest

import imaged

MB = 1 << 20
SIZE = 300 * MB


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class SlowSink:
    """A file object whose every write takes 10 ms (a slow disk, a throttled upload)."""

    def __init__(self) -> None:
        self.total = 0

    def write(self, data: bytes) -> int:
        time.sleep(0.01)
        self.total += len(data)
        return len(data)


class PeakRss:
    """Samples this process's resident size while running."""

    def __init__(self) -> None:
        self.base = _rss_mb()
        self.peak = self.base
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.02)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def grown(self) -> float:
        return self.peak - self.base


@pytest.fixture(scope="module")
def big_image(daemon, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A 300 MB image (one layer of random bytes, written to disk in pieces)."""
    tar = tmp_path_factory.mktemp("big") / "rootfs.tar"
    with tarfile.open(tar, "w") as t:
        info = tarfile.TarInfo("big.bin")
        info.size = SIZE

        class Random:
            def __init__(self) -> None:
                self.left = SIZE

            def read(self, n: int = -1) -> bytes:
                n = self.left if n < 0 else min(n, self.left)
                self.left -= n
                return os.urandom(n)

        t.addfile(info, Random())  # type: ignore[arg-type]
    imaged.Client(daemon.host).import_image(tar, "py/slow:1")
    tar.unlink()
    return "py/slow:1"


def test_save_into_a_slow_file_object_finishes_with_bounded_memory(daemon, big_image: str) -> None:
    c = imaged.Client(daemon.host)
    sink = SlowSink()
    result: dict = {}

    def run() -> None:
        result["n"] = c.save(big_image, sink)  # type: ignore[arg-type]

    with PeakRss() as rss:
        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        worker.join(timeout=180)
    assert not worker.is_alive(), "save() into a slow file object never finished"
    assert result["n"] == sink.total and sink.total > SIZE
    print(f"peak RSS growth {rss.grown:.0f} MB")
    assert rss.grown < 100, f"peak RSS grew by {rss.grown:.0f} MB"


def test_async_save_into_a_slow_file_object_finishes(daemon, big_image: str) -> None:
    async def main() -> int:
        a = imaged.AsyncClient(daemon.host)
        return await asyncio.wait_for(a.save(big_image, SlowSink()), timeout=180)  # type: ignore[arg-type]

    with PeakRss() as rss:
        n = asyncio.run(main())
    assert n > SIZE
    print(f"peak RSS growth {rss.grown:.0f} MB")
    assert rss.grown < 100, f"peak RSS grew by {rss.grown:.0f} MB"
