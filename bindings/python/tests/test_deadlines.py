"""Client configuration: timeouts are deadlines (sent with the call, honoured by the daemon, raised as
imaged.Timeout), and from_env() reads IMAGED_HOST and IMAGED_NAMESPACE as imagectl does."""

from __future__ import annotations

import socket
import threading
import time

import imaged


def _silent_registry() -> tuple[str, socket.socket]:
    """A TCP server on loopback that accepts connections and never answers (a hung registry)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
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
    return f"127.0.0.1:{srv.getsockname()[1]}", srv


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
