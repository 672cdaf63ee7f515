"""The types users see are true: `mypy.stubtest` checks the stubs (`_imaged.pyi`, the generated
`_messages.pyi`) and the inline-typed modules against the installed package, and `mypy --strict` passes on
a sample calling every public method (and the sample really does call each one)."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import imaged

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "typing_sample.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    # Outside the source tree, so the installed package (what users get) is what gets checked.
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd="/")


def test_stubtest_passes() -> None:
    r = _run("mypy.stubtest", "imaged")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict_passes_on_the_sample() -> None:
    r = _run("mypy", "--strict", "--no-incremental", str(SAMPLE))
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_package_itself_passes_mypy_strict() -> None:
    r = _run("mypy", "--strict", "--no-incremental", "-p", "imaged")
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_sample_calls_every_public_method() -> None:
    text = SAMPLE.read_text()
    classes = [imaged.Client, imaged.AsyncClient, imaged.ImageCollection, imaged.AsyncImageCollection,
               imaged.Image, imaged.AsyncImage]
    missing = []
    for cls in classes:
        for name, member in inspect.getmembers(cls):
            if name.startswith("_") or not callable(member):
                continue
            if f".{name}(" not in text:
                missing.append(f"{cls.__name__}.{name}")
    assert not missing, f"typing_sample.py does not call {missing}"


def test_generated_classes_follow_the_descriptor_set() -> None:
    # Every message class has its proto fields as slots, in proto order; the native module built these
    # objects from the same descriptor set (a stale _messages.py fails `cargo test -p imaged-pygen`).
    assert imaged.ImageSummary.__slots__[:3] == ("id", "parent_id", "repo_tags")
    assert imaged.MESSAGES["imaged.v1.ImageSummary"] is imaged.ImageSummary
    row = imaged.ImageSummary(id="sha256:x", repo_tags=["a:1"])
    assert row.labels == {} and row.created is None and row == imaged.ImageSummary(id="sha256:x", repo_tags=["a:1"])
    assert row.to_dict()["repo_tags"] == ["a:1"] and "a:1" in repr(row)
