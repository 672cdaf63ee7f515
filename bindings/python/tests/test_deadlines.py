"""Client configuration and the async client done right: timeouts are deadlines (sent with the call,
honoured by the daemon, raised as imaged.Timeout); cancelling an awaited call stops it in the daemon; file
objects are read off the event loop; from_env() reads IMAGED_HOST and IMAGED_NAMESPACE as imagectl does."""

from __future__ import annotations

import asyncio
import io
import socket
import subprocess
import sys
import threading
from typing import Any, Awaitable, Callable
import time

import imaged


def _silent_registry() -> tuple[str, socket.socket]:
    """A TCP server on loopback that accepts connections and never answers (a hung registry)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    _hold_connections(srv)
    return f"127.0.0.1:{srv.getsockname()[1]}", srv


def _hold_connections(srv: socket.socket) -> None:
    """Accepts every connection on `srv` and never answers, until it is closed."""
    srv.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()


def test_a_timeout_is_a_deadline_the_daemon_sees(daemon) -> None:
    addr, srv = _silent_registry()
    try:
        c = imaged.Client(daemon.host, timeout=0.5)
        started = time.monotonic()
        try:
            c.pull(f"{addr}/slow/app:1")
            raise AssertionError("the pull of a silent registry returned")
        except imaged.Timeout as e:
            assert isinstance(e, imaged.ImagedError)
        elapsed = time.monotonic() - started
        assert 0.4 < elapsed < 2.0, f"took {elapsed:.2f} s"
        deadline = time.monotonic() + 5
        log = ""
        while time.monotonic() < deadline:
            log = (daemon.root / "imaged.log").read_text()
            if "the caller's deadline passed" in log:
                break
            time.sleep(0.1)
        assert "the caller set a deadline" in log and "deadline_ms=500" in log, log[-2000:]
        assert "the caller's deadline passed" in log, log[-2000:]
    finally:
        srv.close()


def test_from_env_reads_host_and_namespace(daemon, monkeypatch) -> None:
    monkeypatch.setenv("IMAGED_HOST", daemon.host)
    monkeypatch.setenv("IMAGED_NAMESPACE", "team-env")
    c = imaged.from_env()
    assert c.images() == []
    monkeypatch.setenv("IMAGED_NAMESPACE", "Bad Namespace!")
    try:
        imaged.from_env().images()
        raise AssertionError("a bad IMAGED_NAMESPACE was accepted")
    except imaged.InvalidArgument:
        pass


def test_cancelling_an_awaited_pull_stops_it_in_the_daemon(daemon) -> None:
    addr, srv = _silent_registry()
    stopped = "the client went away; the call stopped"
    before = (daemon.root / "imaged.log").read_text().count(stopped)

    async def main() -> float:
        a = imaged.AsyncClient(daemon.host)
        task = asyncio.create_task(a.pull(f"{addr}/cancel/app:1"))
        await asyncio.sleep(0.5)
        task.cancel()
        started = time.monotonic()
        try:
            await task
            raise AssertionError("the pull of a silent registry returned")
        except asyncio.CancelledError:
            pass
        return time.monotonic() - started

    try:
        assert asyncio.run(main()) < 1.0
        deadline = time.monotonic() + 5
        log = ""
        while time.monotonic() < deadline:
            log = (daemon.root / "imaged.log").read_text()
            if log.count(stopped) > before:
                break
            time.sleep(0.1)
        assert log.count(stopped) > before, log[-2000:]
    finally:
        srv.close()


class _SlowFile(io.BytesIO):
    """A file on a slow disk: every read and write takes 200 ms."""

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        time.sleep(0.2)
        return super().read(n)

    def write(self, data) -> int:  # type: ignore[override]
        time.sleep(0.2)
        return super().write(data)


def _watching_the_loop(work: Callable[[], Awaitable[Any]]) -> tuple[Any, float]:
    """Runs `work` beside a coroutine ticking every 10 ms; returns its result and the longest gap between
    ticks (how long the event loop was blocked)."""

    async def main() -> tuple[Any, float]:
        gaps: list[float] = []
        done = False

        async def heartbeat() -> None:
            last = time.monotonic()
            while not done:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        beat = asyncio.create_task(heartbeat())
        result = await work()
        done = True
        await beat
        return result, max(gaps)

    return asyncio.run(main())


def test_async_load_reads_file_objects_without_blocking_the_loop(daemon, busybox: str) -> None:
    c = imaged.Client(daemon.host)
    archive = b"".join(c.save_stream(busybox))
    loaded, worst = _watching_the_loop(lambda: imaged.AsyncClient(daemon.host).load(_SlowFile(archive)))
    assert [i.image_id for i in loaded] == [c.inspect(busybox).id]
    assert worst < 0.15, f"the event loop stalled for {worst:.2f} s while a file was read"


def test_async_save_writes_file_objects_without_blocking_the_loop(daemon, busybox: str) -> None:
    sink = _SlowFile()
    size, worst = _watching_the_loop(lambda: imaged.AsyncClient(daemon.host).save(busybox, sink))
    assert size == len(sink.getvalue()) > 1_000_000
    assert worst < 0.15, f"the event loop stalled for {worst:.2f} s while a file was written"


def test_async_timeouts_are_deadlines_too(daemon) -> None:
    addr, srv = _silent_registry()

    async def main() -> float:
        a = imaged.AsyncClient(daemon.host, timeout=0.5)
        started = time.monotonic()
        try:
            await a.pull(f"{addr}/slow-async/app:1")
            raise AssertionError("the pull of a silent registry returned")
        except imaged.Timeout:
            pass
        # Per call, on a client without a timeout.
        b = imaged.AsyncClient(daemon.host)
        try:
            await b.pull(f"{addr}/slow-async/app:2", timeout=0.5)
            raise AssertionError("the pull of a silent registry returned")
        except imaged.Timeout:
            pass
        return time.monotonic() - started

    try:
        elapsed = asyncio.run(main())
        assert 0.8 < elapsed < 3.0, f"two 0.5 s deadlines took {elapsed:.2f} s"
    finally:
        srv.close()


def test_a_daemon_that_never_answers_raises_timeout(tmp_path) -> None:
    """A socket that accepts and says nothing (a hung daemon): the call's own deadline ends it, as Timeout."""
    path = tmp_path / "hung.sock"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(path))
    _hold_connections(srv)
    try:
        started = time.monotonic()
        try:
            imaged.Client(f"unix://{path}", timeout=0.5).images()
            raise AssertionError("a call to a hung daemon returned")
        except imaged.Timeout:
            pass
        assert time.monotonic() - started < 2.0

        async def main() -> None:
            try:
                await imaged.AsyncClient(f"unix://{path}").images(timeout=0.5)
                raise AssertionError("an awaited call to a hung daemon returned")
            except imaged.Timeout:
                pass

        asyncio.run(main())
    finally:
        srv.close()


_EXIT_RIGHT_AFTER_AN_AWAIT = """
import asyncio, sys, imaged
host = sys.argv[1]
try:
    imaged.Client(host, timeout=0.3).images()
except imaged.Timeout:
    pass
async def main():
    try:
        await imaged.AsyncClient(host, timeout=0.3).images()
    except imaged.Timeout:
        print("timed out")
asyncio.run(main())
"""


def test_a_script_may_exit_right_after_its_last_await(tmp_path) -> None:
    # The awaited result is handed over by a worker thread that needs the GIL once more; without
    # imaged's atexit hook, exiting in that moment crashed the interpreter (SIGSEGV/SIGABRT) in about one
    # run in three to eight here.
    path = tmp_path / "hung.sock"
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(str(path))
    _hold_connections(srv)
    try:
        for _ in range(10):
            r = subprocess.run([sys.executable, "-c", _EXIT_RIGHT_AFTER_AN_AWAIT, f"unix://{path}"],
                               capture_output=True, text=True, timeout=30)
            assert r.returncode == 0 and r.stdout == "timed out\n", (r.returncode, r.stdout, r.stderr)
    finally:
        srv.close()
