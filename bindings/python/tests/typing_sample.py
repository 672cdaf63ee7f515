"""Every public method of the package, as a user would call it, for `mypy --strict` (test_typing.py checks
that this file type-checks and that it calls each public method). Never run: the functions only need to
type-check."""

from __future__ import annotations

import io
from typing import Any, Dict, List

import imaged
from imaged import errors


def flat(c: imaged.Client) -> None:
    rows: List[imaged.ImageSummary] = c.images(all=True, filters={"dangling": False}, timeout=5)
    for row in rows:
        print(row.id, row.repo_tags, row.size, row.created, row.labels, row.to_dict(), row["id"], row.get("size"))
    details: imaged.ImageDetails = c.inspect("app:1", platform="linux/amd64")
    print(details.config.env if details.config else [], details.diff_ids, details.platforms)
    history: List[imaged.HistoryEntry] = c.history("app:1")
    print([h.created_by for h in history])
    c.tag("app:1", "app:2")
    removed: imaged.RemoveImageResponse = c.remove("app:2", force=False, no_prune=False)
    print([i.untagged or i.deleted for i in removed.items])
    pruned: imaged.PruneImagesResponse = c.prune(all=True, filters={"until": "24h"})
    print(pruned.space_reclaimed)
    usage: imaged.DiskUsageResponse = c.disk_usage()
    print(usage.physical_size, c.df()["LayersSize"])
    found: List[imaged.SearchResult] = c.search("127.0.0.1:5000/team", limit=10)
    print([r.name for r in found])
    for ev in c.pull_stream("127.0.0.1:5000/team/app:1", platform="linux/arm64", auth=("u", "p")):
        if isinstance(ev, imaged.Progress):
            print(ev.status, ev.current, ev.total)
        else:
            print(ev.digest, ev.image_id)
    pulled: imaged.ImageDetails = c.pull("127.0.0.1:5000/team/app:1", all_platforms=True,
                                         auth={"identitytoken": "t"}, progress=print, timeout=60)
    print(pulled.id)
    for pev in c.push_stream("127.0.0.1:5000/team/app:1", all_tags=False):
        print(pev)
    pushed: List[imaged.PushResult] = c.push("127.0.0.1:5000/team/app:1", platform="linux/amd64", progress=print)
    print([p.digest for p in pushed])
    status: Dict[str, str] = c.login("me", "secret", registry="127.0.0.1:5000")
    print(status["Status"], c.logout("127.0.0.1:5000"), [x.server for x in c.logins()])
    imported: imaged.ImportResult = c.import_image(b"tar bytes", "app:9", message="m", changes=["ENV A=b"])
    print(imported.image_id)
    size: int = c.save(["app:1"], io.BytesIO(), format="oci")
    chunks = b"".join(c.save_stream("app:1"))
    loaded: List[imaged.LoadedImage] = c.load(io.BytesIO(chunks))
    print(size, [x.reference for x in loaded])
    for bev in c.build_stream("./ctx", tags=["app:3"]):
        print(bev)
    built: imaged.BuildResult = c.build("./ctx", tags=["app:3"], build_args={"V": "1"}, target="final",
                                        labels={"k": "v"}, no_cache=True, pull=False, platform="linux/amd64",
                                        log=print, timeout=600)
    print(built.image_id)
    ct: imaged.ContainerSummary = c.create_container("app:1", "work")
    print(ct.id, [x.name for x in c.containers()])
    r: imaged.ExecResult = c.exec("work", "echo hi", env={"A": "b"}, workdir="/", user="root",
                                  output=lambda stream, data: print(stream, data))
    print(r.exit_code, r.stdout, r.stderr)
    new_id: str = c.commit("work", "app:4", author="me", message="m", changes=["CMD [\"sh\"]"], pause=True)
    print(new_id, c.remove_container("work", force=True))
    with imaged.Client("unix:///run/imaged.sock") as other:
        assert other.ping(timeout=1)
        other.close()


def docker_shaped(client: imaged.Client) -> None:
    image: imaged.Image = client.images.get("app:1")
    print(image.id, image.short_id, image.tags, image.labels, image.attrs["Config"])
    image.reload()
    ok: bool = image.tag("app", "copy")
    rows: List[Dict[str, Any]] = image.history()
    data = b"".join(image.save(chunk_size=1 << 20, named=True))
    print(ok, rows, len(data))
    listed: List[imaged.Image] = client.images.list(name="app", all=False, filters={"dangling": False})
    pulled = client.images.pull("127.0.0.1:5000/team/app", tag="1", platform="linux/amd64",
                                auth_config={"username": "me", "password": "secret"})
    print(listed, pulled)
    print(client.images.push("127.0.0.1:5000/team/app", tag="1", stream=False))
    built, log = client.images.build(path="./ctx", tag="app:5", buildargs={"V": "1"}, nocache=True)
    print(built.id, [line.get("stream") for line in log])
    print(client.images.load(data), client.images.import_(b"tar", repository="app", tag="6"))
    print(client.images.remove("app:5", force=True, noprune=False), client.images.prune(filters={"dangling": True}))
    print(client.images.search("127.0.0.1:5000/team", limit=5))
    print(client.login(username="me", password="secret", registry="127.0.0.1:5000"), client.df())
    tls = imaged.Client("https://build-host:7443", tls=imaged.TLSConfig(ca_cert="ca.pem",
                                                                        client_cert=("c.pem", "c.key")))
    print(tls, imaged.from_env(timeout=5, environment={"IMAGED_HOST": "unix:///run/imaged.sock"}))


def errors_by_meaning(c: imaged.Client) -> None:
    try:
        c.inspect("nope")
    except imaged.ImageNotFound as e:
        print(e.code, e.reason, e.metadata)
    except imaged.Conflict as e:
        print(e.reason)
    except imaged.BuildError as e:
        print(e.msg, e.build_log)
    except imaged.Timeout:
        pass
    except errors.APIError as e:
        print(e.code)
    except errors.DockerException:
        pass


async def asynchronous() -> None:
    async with imaged.AsyncClient("unix:///run/imaged.sock", timeout=10) as a:
        assert await a.ping()
        rows: List[imaged.ImageSummary] = await a.images(filters={"dangling": False})
        print(rows, await a.inspect("app:1"), await a.history("app:1"))
        await a.tag("app:1", "app:2")
        print(await a.remove("app:2"), await a.prune(all=True), await a.disk_usage(), await a.df())
        print(await a.search("127.0.0.1:5000/team"))
        async for ev in a.pull_stream("127.0.0.1:5000/team/app:1"):
            print(ev)
        print(await a.pull("127.0.0.1:5000/team/app:1", platform="linux/amd64"))
        async for pev in a.push_stream("127.0.0.1:5000/team/app:1"):
            print(pev)
        print(await a.push("127.0.0.1:5000/team/app:1"))
        print(await a.login("me", "secret", registry="127.0.0.1:5000"), await a.logout("127.0.0.1:5000"),
              await a.logins())
        print(await a.import_image(io.BytesIO(b"tar"), "app:7"))
        async for chunk in a.save_stream("app:1"):
            print(len(chunk))
        print(await a.save("app:1", io.BytesIO()), await a.load(io.BytesIO(b"archive")))
        async for bev in a.build_stream("./ctx"):
            print(bev)
        print(await a.build("./ctx", tags=["app:8"], log=print))
        ct = await a.create_container("app:1", "w")
        print(ct, await a.containers(), await a.exec("w", ["true"]))
        print(await a.commit("w", "app:9"), await a.remove_container("w", force=True))
        image: imaged.AsyncImage = await a.images.get("app:1")
        await image.reload()
        print(image.short_id, image.attrs, await image.tag("app", "x"), await image.history())
        async for piece in image.save(named=True):
            print(len(piece))
        print(await a.images.list(name="app"), await a.images.pull("127.0.0.1:5000/team/app", tag="1"))
        print(await a.images.push("127.0.0.1:5000/team/app", tag="1"))
        built, log = await a.images.build(path="./ctx", tag="app:10")
        print(built, list(log), await a.images.load(b"archive"), await a.images.import_(b"tar", "app", "11"))
        print(await a.images.remove("app:10"), await a.images.prune(), await a.images.search("team"))

