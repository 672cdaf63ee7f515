"""The package users install: the wheel in target/wheels, and `pip install ./bindings/python` (maturin builds
it), each into a fresh virtual environment with nothing else in it, then used against a running daemon.
Offline: maturin (the build backend) comes from .tools/wheels, which scripts/test.sh fills."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
USE = (
    "import sys, imaged\n"
    "c = imaged.Client(sys.argv[1])\n"
    "rows = c.images()\n"
    "print(imaged.__file__, len(rows), type(rows[0]).__name__ if rows else None)\n"
)


def _venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(path)
    return path / "bin" / "python"


def _run(cmd: list, **kw) -> str:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900, **kw)
    assert r.returncode == 0, f"{cmd}\n{r.stdout}\n{r.stderr}"
    return r.stdout


def test_the_built_wheel_installs_into_a_fresh_venv(tmp_path: Path, daemon, busybox: str) -> None:
    wheels = sorted((REPO / "target/wheels").glob("imaged-*.whl"))
    assert wheels, "no wheel in target/wheels: scripts/test.sh builds it (python3 -m maturin build …)"
    py = _venv(tmp_path / "venv")
    _run([py, "-m", "pip", "install", "-q", "--no-index", wheels[-1]])
    out = _run([py, "-c", USE, daemon.host], cwd=tmp_path)
    assert str(tmp_path / "venv") in out and "ImageSummary" in out, out


def test_pip_install_of_the_source_directory_works_in_a_fresh_venv(tmp_path: Path, daemon, busybox: str) -> None:
    find_links = REPO / ".tools/wheels"
    assert list(find_links.glob("maturin-*.whl")), "scripts/test.sh downloads maturin into .tools/wheels"
    py = _venv(tmp_path / "venv")
    # As the README prints it; the dev profile reuses the workspace's build instead of a release build.
    env = {**os.environ, "MATURIN_PEP517_ARGS": "--profile dev", "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": str(find_links)}
    _run([py, "-m", "pip", "install", "-q", "./bindings/python"], cwd=REPO, env=env)
    out = _run([py, "-c", USE, daemon.host], cwd=tmp_path)
    assert str(tmp_path / "venv") in out and "ImageSummary" in out, out
    assert sys.prefix not in out.split()[0]
