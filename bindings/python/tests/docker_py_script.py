"""A docker-py user's script, written for docker-py. test_docker_py.py runs it as it is against Docker
Engine, and with only its import line changed (`import imaged as docker`) against imaged, and compares
what the two runs observed. Reads REG (a registry with basic auth), REG_USER, REG_PASSWORD."""

import io
import json
import os
import tarfile

import docker

REG, USER, PASSWORD = os.environ["REG"], os.environ["REG_USER"], os.environ["REG_PASSWORD"]
seen = {}

client = docker.from_env()
seen["ping"] = client.ping()
seen["login"] = client.login(username=USER, password=PASSWORD, registry=REG)["Status"]

image = client.images.pull(f"{REG}/py/busybox", tag="1")
seen["pulled tags"] = image.tags
seen["short id"] = image.short_id == image.id[:19] and image.id.startswith("sha256:")
seen["labels"] = image.labels
seen["attrs"] = sorted(k for k in ("Id", "RepoTags", "RepoDigests", "Config", "RootFS", "Architecture", "Os",
                                   "Size", "Created") if k in image.attrs)
seen["attrs id"] = image.attrs["Id"] == image.id and image.attrs["RootFS"]["Type"] == "layers"
seen["by short id"] = client.images.get(image.short_id).id == image.id

seen["tag"] = image.tag(f"{REG}/py/copy", "2")
image.reload()
seen["tags after reload"] = sorted(image.tags)
seen["list by name"] = [i.id == image.id for i in client.images.list(name=f"{REG}/py/copy")]
seen["in list"] = image in client.images.list()

history = image.history()
seen["history"] = [sorted(h) for h in history]
seen["history sizes"] = [h["Size"] for h in history]

archive = b"".join(image.save(chunk_size=65536, named=True))
with tarfile.open(fileobj=io.BytesIO(archive)) as t:
    manifest = json.load(t.extractfile("manifest.json"))
seen["saved names"] = manifest[0]["RepoTags"] == [image.tags[0]]

client.images.remove(f"{REG}/py/copy:2")
seen["tags after remove"] = sorted(client.images.get(image.id).tags)
seen["prune"] = sorted(client.images.prune())
df = client.df()
seen["df"] = ["LayersSize" in df, any(i["Id"] == image.id for i in df["Images"])]

try:
    client.images.get("does-not-exist:1")
    seen["missing"] = "found"
except docker.errors.ImageNotFound as e:
    seen["missing"] = "ImageNotFound"
    seen["missing is"] = [isinstance(e, docker.errors.NotFound), isinstance(e, docker.errors.APIError),
                          isinstance(e, docker.errors.DockerException)]

client.images.remove(image.id, force=True)
seen["removed"] = image.id not in [i.id for i in client.images.list()]
print(json.dumps(seen, sort_keys=True))
