"""The Python bindings against a real daemon: every method, errors, streams, async, cancellation."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import threading
import time
from pathlib import Path

import pytest

import imaged

from conftest import PASSWORD, USER, busybox_tar


@pytest.fixture()
def c(daemon) -> imaged.Client:
    return imaged.Client(daemon.host)


def test_images_inspect_history_tag_remove(c: imaged.Client, busybox: str) -> None:
    res = c.import_image(busybox_tar(), "py/one:1", message="from python", changes=["ENV A=b"])
    assert res.image_id.startswith("sha256:") and res.reference == "docker.io/py/one:1"
    ids = [i.id for i in c.images()]
    assert res.image_id in ids
    summary = next(i for i in c.images() if i.id == res.image_id)
    assert summary.repo_tags == ["py/one:1"] and summary.size > 0
    assert "py/one:1" in repr(summary)
    assert summary.to_dict()["repo_tags"] == ["py/one:1"]
    img = c.inspect("py/one:1")
    assert isinstance(img, imaged.ImageDetails)
    assert img.id == res.image_id and img.config is not None and "A=b" in img.config.env
    assert "A=b" in img["config"]["env"], "key access, as the dicts of earlier versions"
    assert [h.comment for h in c.history("py/one:1")] == ["from python"]
    c.tag("py/one:1", "py/one:2")
    assert sorted(c.inspect(res.image_id).repo_tags) == ["py/one:1", "py/one:2"]
    assert [i.id for i in c.images(filters={"reference": "py/one:2"})] == [res.image_id]
    out = c.remove("py/one:2")
    assert [i.untagged for i in out.items] == ["py/one:2"]
    out = c.remove("py/one:1")
    assert [i.untagged for i in out.items if i.untagged] == ["py/one:1"]
    assert res.image_id in [i.deleted for i in out.items]
    assert res.image_id not in [i.id for i in c.images()]


def test_errors_map_to_exceptions(c: imaged.Client) -> None:
    with pytest.raises(imaged.NotFound) as e:
        c.inspect("does-not-exist:1")
    assert e.value.code == "NotFound" and e.value.reason == "IMAGE_NOT_FOUND"
    assert "No such image" in str(e.value)
    assert isinstance(e.value, imaged.ImagedError)
    with pytest.raises(imaged.InvalidArgument) as e:
        c.pull("UpperCase:1")
    assert e.value.reason == "INVALID_REFERENCE"
    with pytest.raises(imaged.InvalidArgument) as e:
        c.images(filters={"bogus": "x"})
    assert e.value.reason == "INVALID_FILTER"
    with pytest.raises(imaged.InvalidArgument):
        c.import_image(b"this is not a tar archive at all" * 40, "py/bad:1")
    with pytest.raises(imaged.Unavailable):
        imaged.Client("unix:///nonexistent/imaged.sock").images()


def test_prune_and_disk_usage(c: imaged.Client, busybox: str) -> None:
    rootfs = busybox_tar() + b""
    dangling = c.import_image(io.BytesIO(rootfs), message="dangling one").image_id
    du = c.disk_usage()
    assert du.image_count >= 2 and du.physical_size > 0
    pruned = c.prune()
    assert dangling in [i.deleted for i in pruned.items] and pruned.space_reclaimed > 0
    assert busybox in [t for i in c.images() for t in i.repo_tags]


def test_save_and_load_through_file_objects_and_paths(c: imaged.Client, busybox: str, tmp_path: Path) -> None:
    buf = io.BytesIO()
    n = c.save(busybox, buf)
    assert n == len(buf.getvalue()) > 1_000_000
    path = tmp_path / "bb.tar"
    assert c.save([busybox], path, format="oci") > 0
    c.tag(busybox, "py/saved:1")
    buf2 = io.BytesIO()
    c.save("py/saved:1", buf2)
    c.remove("py/saved:1")
    buf2.seek(0)
    loaded = c.load(buf2)
    assert [l.reference for l in loaded] == ["py/saved:1"]
    assert c.load(path)[0].image_id == c.inspect(busybox).id


def test_large_save_load_memory_is_bounded(c: imaged.Client, tmp_path: Path) -> None:
    """A 64 MB random layer goes out and back through files without the process growing by its size."""
    import resource

    big = io.BytesIO()
    import tarfile

    payload = os.urandom(64 << 20)
    with tarfile.open(fileobj=big, mode="w") as t:
        info = tarfile.TarInfo("big.bin")
        info.size = len(payload)
        t.addfile(info, io.BytesIO(payload))
    rootfs = tmp_path / "big-rootfs.tar"
    rootfs.write_bytes(big.getvalue())
    del payload, big
    c.import_image(rootfs, "py/big:1")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = tmp_path / "big.tar"
    with open(out, "wb") as f:
        c.save("py/big:1", f)
    c.remove("py/big:1")
    with open(out, "rb") as f:
        assert c.load(f)[0].reference == "py/big:1"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert out.stat().st_size > 60 << 20
    assert grown_mb < 40, f"peak RSS grew by {grown_mb:.0f} MB"
    c.remove("py/big:1")


def test_registry_workflow(c: imaged.Client, busybox: str, registry: str) -> None:
    target = f"{registry}/py/busybox:1"
    c.tag(busybox, target)
    with pytest.raises(imaged.Unauthenticated):
        c.push(target)
    with pytest.raises(imaged.Unauthenticated):
        c.login(USER, "wrong", registry=registry)
    assert c.login(USER, PASSWORD, registry=registry) == {"Status": "Login Succeeded"}
    assert [l.username for l in c.logins() if l.server == registry] == [USER]
    events = []
    pushed = c.push(target, progress=events.append)
    assert pushed[0].digest.startswith("sha256:")
    assert any(e.status for e in events)
    hits = c.search(f"{registry}/py")
    assert any(h.name.endswith("py/busybox") for h in hits)
    c.remove(target)
    seen = []
    img = c.pull(target, progress=seen.append)
    assert isinstance(img, imaged.ImageDetails) and target in img.repo_tags
    assert seen and all(isinstance(p, imaged.Progress) for p in seen)
    stream = list(c.pull_stream(target))
    assert isinstance(stream[-1], imaged.PullResult) and "up to date" in stream[-1].status
    c.logout(registry)
    assert registry not in [l.server for l in c.logins()]
    # Per-call credentials work without a stored login.
    assert c.pull(target, auth=(USER, PASSWORD)).id == img.id


def test_containers_commit_build(c: imaged.Client, busybox: str, tmp_path: Path) -> None:
    ct = c.create_container(busybox, "pyctr")
    assert ct.name == "pyctr" and ct in c.containers()
    chunks = []
    r = c.exec("pyctr", "echo hi > /test.txt; echo out; echo err >&2; exit 4", output=lambda s, d: chunks.append(s))
    assert (r.exit_code, r.stdout, r.stderr) == (4, b"out\n", b"err\n")
    assert set(chunks) == {"stdout", "stderr"}
    assert c.exec("pyctr", ["sh", "-c", "echo $X; id -u"], env={"X": "y"}, user="app").stdout == b"y\n1000\n"
    new_id = c.commit("pyctr", "py/committed:1", author="py", message="added", changes=["CMD [\"cat\", \"/test.txt\"]"])
    img = c.inspect("py/committed:1")
    assert img.id == new_id and img.author == "py" and img.comment == "added"
    with pytest.raises(imaged.Conflict) as conflict:
        c.remove(ct.image_id)
    assert isinstance(conflict.value, imaged.FailedPrecondition)
    conflicts = ("IMAGE_IN_USE", "IMAGE_HAS_CHILDREN", "IMAGE_REFERENCED_BY_MULTIPLE_REPOSITORIES")
    assert conflict.value.reason in conflicts, conflict.value.reason
    assert c.remove_container("pyctr") == ct.id
    with pytest.raises(imaged.NotFound):
        c.remove_container("pyctr")

    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "hello.txt").write_text("hello\n")
    (ctx / "Dockerfile").write_text("FROM busybox\nCOPY hello.txt /\nRUN cat /hello.txt\nCMD [\"cat\", \"/hello.txt\"]\n")
    lines = []
    res = c.build(ctx, tags=["py/built:1"], log=lines.append)
    assert res.image_id.startswith("sha256:") and res.tags == ["py/built:1"]
    assert "hello" in lines and any(l.startswith("Step 1/4") for l in lines)
    events = list(c.build_stream(ctx, tags=["py/built:1"]))
    steps = [e for e in events if isinstance(e, imaged.BuildStep)]
    assert len(steps) == 4 and all(s.cached for s in steps[1:])
    assert events[-1] == res
    (ctx / "Dockerfile").write_text("FROM busybox\nRUN echo before-the-failure\nRUN exit 5\n")
    with pytest.raises(imaged.BuildError) as e:
        c.build(ctx)
    assert isinstance(e.value, imaged.FailedPrecondition) and e.value.reason == "BUILD_STEP_FAILED"
    assert "non-zero code: 5" in str(e.value) and "non-zero code: 5" in e.value.msg
    assert {"stream": "before-the-failure\n"} in e.value.build_log, e.value.build_log
    assert not isinstance(e.value, imaged.Conflict), "a failed build step is not a conflict"


def test_async_client(daemon, busybox: str, tmp_path: Path) -> None:
    async def main() -> None:
        a = imaged.AsyncClient(daemon.host)
        images = await a.images()
        assert busybox in [t for i in images for t in i.repo_tags]
        assert (await a.inspect(busybox)).id == images[[busybox in i.repo_tags for i in images].index(True)].id
        assert len(await a.history(busybox)) == 1
        await a.tag(busybox, "py/async:1")
        # Concurrent calls on one runtime.
        results = await asyncio.gather(*(a.inspect("py/async:1") for _ in range(8)))
        assert len({r.id for r in results}) == 1
        ct = await a.create_container("py/async:1")
        r = await a.exec(ct.id, ["echo", "async"])
        assert r.stdout == b"async\n"
        await a.remove_container(ct.id)
        buf = io.BytesIO()
        assert await a.save("py/async:1", buf) > 0
        await a.remove("py/async:1")
        buf.seek(0)
        assert (await a.load(buf))[0].reference == "py/async:1"
        with pytest.raises(imaged.NotFound):
            await a.inspect("py/nothing:1")
        ctx = tmp_path / "actx"
        ctx.mkdir()
        (ctx / "Dockerfile").write_text("FROM busybox\nLABEL a=b\n")
        kinds = [type(e).__name__ async for e in a.build_stream(ctx, tags=["py/async:2"])]
        assert kinds[-1] == "BuildResult" and "BuildStep" in kinds
        assert (await a.prune()).space_reclaimed >= 0
        assert (await a.disk_usage()).image_count > 0

    asyncio.run(main())


def test_ctrl_c_cancels_a_long_call(c: imaged.Client, busybox: str) -> None:
    c.create_container(busybox, "sleeper")
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.time()
    with pytest.raises(KeyboardInterrupt):
        c.exec("sleeper", ["sh", "-c", "sleep 30"])
    assert time.time() - started < 10
    # The daemon is fine and the container usable again once the cancelled command is gone.
    deadline = time.time() + 20
    while True:
        try:
            assert c.exec("sleeper", ["echo", "back"]).stdout == b"back\n"
            break
        except imaged.ImagedError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)
    c.remove_container("sleeper", force=True)


def test_timeout(daemon, busybox: str) -> None:
    slow = imaged.Client(daemon.host, timeout=0.5)
    slow.create_container(busybox, "slow")
    with pytest.raises(imaged.Timeout):
        slow.exec("slow", ["sleep", "5"])
    imaged.Client(daemon.host).remove_container("slow", force=True)


def test_namespaces_are_separate(daemon, busybox: str) -> None:
    other = imaged.Client(daemon.host, namespace="team-b")
    assert other.images() == []
    with pytest.raises(imaged.InvalidArgument):
        imaged.Client(daemon.host, namespace="Bad Namespace!").images()
