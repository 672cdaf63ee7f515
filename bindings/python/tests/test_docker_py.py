"""docker-py's object layer on imaged: a script written for docker-py (docker_py_script.py) runs against
Docker Engine with docker-py from PyPI, and against imaged with only its import line changed; both runs must
observe the same things. Also the pieces docker-py users reach for beyond it: TLS from the environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

import imaged
from conftest import PASSWORD, USER

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "docker_py_script.py"


@pytest.fixture(scope="module")
def dockerd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Docker Engine (Debian's docker.io) on a private socket; yields its host."""
    root = tmp_path_factory.mktemp("dockerd")
    sock = root / "docker.sock"
    log = open(root / "dockerd.log", "wb")
    proc = subprocess.Popen(
        ["dockerd", "--data-root", str(root / "data"), "--exec-root", str(root / "exec"), "--pidfile",
         str(root / "docker.pid"), "-H", f"unix://{sock}", "--iptables=false", "--ip-masq=false", "--bridge=none",
         "--storage-driver=vfs"], stdout=subprocess.DEVNULL, stderr=log)
    host = f"unix://{sock}"
    deadline = time.time() + 60
    while subprocess.run(["docker", "-H", host, "version"], capture_output=True).returncode != 0:
        if time.time() > deadline or proc.poll() is not None:
            raise RuntimeError((root / "dockerd.log").read_text())
        time.sleep(0.2)
    yield host
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _run_script(source: str, env: dict) -> dict:
    r = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=300,
                       env={**os.environ, **env})
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_a_docker_py_script_runs_on_imaged_with_only_the_import_changed(daemon, busybox: str, registry: str,
                                                                         dockerd: str) -> None:
    c = imaged.Client(daemon.host)
    c.tag(busybox, f"{registry}/py/busybox:1")
    c.push(f"{registry}/py/busybox:1", auth=(USER, PASSWORD))
    c.remove(f"{registry}/py/busybox:1")
    env = {"REG": registry, "REG_USER": USER, "REG_PASSWORD": PASSWORD}
    source = SCRIPT.read_text()
    assert source.count("import docker\n") == 1
    with_docker = _run_script(source, {**env, "DOCKER_HOST": dockerd})
    with_imaged = _run_script(source.replace("import docker\n", "import imaged as docker\n"),
                              {**env, "IMAGED_HOST": daemon.host, "IMAGED_NAMESPACE": "docker-py",
                               "DOCKER_HOST": "unix:///nonexistent"})
    assert with_imaged == with_docker, f"imaged: {with_imaged}\ndocker: {with_docker}"
    # The observations are the ones a docker-py user relies on, not empty ones.
    assert with_docker["login"] == "Login Succeeded" and with_docker["missing"] == "ImageNotFound"
    assert with_docker["pulled tags"] == [f"{registry}/py/busybox:1"] and with_docker["saved names"] is True
    assert with_docker["tags after remove"] == [f"{registry}/py/busybox:1"] and with_docker["removed"] is True
    assert with_docker["history"] == [["Comment", "Created", "CreatedBy", "Id", "Size", "Tags"]]


def _openssl(cwd: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _certs(d: Path) -> None:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA (v3)."""
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    (d / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    _openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=imaged test CA")
    for name in ("server", "client"):
        _openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/CN={name}")
        _openssl(d, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")


def test_from_env_reaches_a_tls_daemon(tmp_path: Path, monkeypatch) -> None:
    _certs(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from conftest import _bin

    log = open(tmp_path / "imaged.log", "wb")
    proc = subprocess.Popen([_bin("imaged"), "--root", str(tmp_path / "data"), "--socket", str(tmp_path / "s.sock"),
                             "--listen", f"127.0.0.1:{port}", "--tls-cert", str(tmp_path / "server.pem"),
                             "--tls-key", str(tmp_path / "server.key"), "--tls-client-ca", str(tmp_path / "ca.pem")],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, (tmp_path / "imaged.log").read_text()
                time.sleep(0.05)
        monkeypatch.setenv("IMAGED_HOST", f"https://127.0.0.1:{port}")
        monkeypatch.setenv("IMAGED_TLS_CA", str(tmp_path / "ca.pem"))
        monkeypatch.setenv("IMAGED_TLS_CERT", str(tmp_path / "client.pem"))
        monkeypatch.setenv("IMAGED_TLS_KEY", str(tmp_path / "client.key"))
        assert imaged.from_env().images() == []
        # Without the client certificate the daemon (mTLS) refuses; with a half pair from_env says why.
        monkeypatch.delenv("IMAGED_TLS_CERT")
        with pytest.raises(ValueError, match="go together"):
            imaged.from_env()
        monkeypatch.delenv("IMAGED_TLS_KEY")
        with pytest.raises(imaged.ImagedError):
            imaged.from_env(timeout=5).images()
        # The constructor takes the same as docker-py's TLSConfig, and tcp:// like DOCKER_HOST.
        tls = imaged.TLSConfig(ca_cert=tmp_path / "ca.pem",
                               client_cert=(tmp_path / "client.pem", tmp_path / "client.key"))
        assert imaged.Client(f"tcp://127.0.0.1:{port}", tls=tls).images() == []
    finally:
        proc.kill()
        proc.wait()
        log.close()
