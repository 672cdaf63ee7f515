"""List/Inspect round-trip latency from Python: the pyo3 client (`imaged`) beside grpcio stubs generated
here from proto/ by grpcio-tools (bench only), against the same daemon, interleaved, medians and p99.

    pip install grpcio grpcio-tools        # bench only
    python3 bindings/python/bench/bench_latency.py [--images 200] [--calls 2000]

Starts a debug or release `imaged` from target/ on a temp root unless IMAGED_HOST is set.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def generate_stubs(out: Path) -> None:
    from grpc_tools import protoc
    import grpc_tools

    include = Path(grpc_tools.__file__).parent / "_proto"
    protos = [str(p.relative_to(REPO / "proto")) for p in (REPO / "proto/imaged/v1").glob("*.proto")]
    rc = protoc.main(["protoc", f"-I{REPO / 'proto'}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    if rc != 0:
        raise SystemExit("protoc failed")


def percentile(xs: list, p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--root", help="daemon root to use and keep (its images are reused by the next run)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="imaged-pybench-"))
    proc = None
    host = os.environ.get("IMAGED_HOST")
    if not host:
        binary = next(p for p in (REPO / "target/release/imaged", REPO / "target/debug/imaged") if p.exists())
        sock = tmp / "imaged.sock"
        root = Path(args.root) if args.root else tmp / "root"
        proc = subprocess.Popen([str(binary), "--root", str(root), "--socket", str(sock)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not sock.exists():
            time.sleep(0.05)
        host = f"unix://{sock}"
    try:
        import grpc
        import imaged

        generate_stubs(tmp)
        # The generated package is `imaged.v1`: let it live beside the bindings' `imaged` package.
        imaged.__path__.append(str(tmp / "imaged"))  # type: ignore[attr-defined]
        from imaged.v1 import images_pb2, images_pb2_grpc  # type: ignore

        c = imaged.Client(host)
        for i in range(len(c.images()), args.images):
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w") as t:
                data = f"file {i}\n".encode()
                info = tarfile.TarInfo(f"f{i}.txt")
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            c.import_image(buf.getvalue(), f"bench/py:{i}")
            if i and i % 1000 == 0:
                print(f"  {i} images imported", flush=True)
        channel = grpc.insecure_channel(host.replace("unix://", "unix:"), options=[("grpc.default_authority", "localhost")])
        stub = images_pb2_grpc.ImagesStub(channel)
        target = "bench/py:0"

        def timed(fn) -> float:
            t = time.perf_counter()
            fn()
            return (time.perf_counter() - t) * 1e3

        def read(rows) -> None:
            # What a caller does with the rows: every image's id, names, size and creation time.
            for r in rows:
                (r.id, list(r.repo_tags), r.size, r.created)

        cases = {
            "List": (lambda: c.images(), lambda: stub.List(images_pb2.ListImagesRequest())),
            "List+read": (lambda: read(c.images()), lambda: read(stub.List(images_pb2.ListImagesRequest()).images)),
            "Inspect": (lambda: c.inspect(target), lambda: stub.Inspect(images_pb2.InspectImageRequest(image=target))),
        }
        print(f"bench_latency: {args.images} images, {args.calls} calls each, interleaved (ms)")
        print(f"{'call':<10} {'imaged p50':>11} {'grpcio p50':>11} {'ratio':>7} {'imaged p99':>11} {'grpcio p99':>11}")
        for name, (ours, theirs) in cases.items():
            for _ in range(50):
                ours(), theirs()
            a, b = [], []
            for _ in range(args.calls):
                a.append(timed(ours))
                b.append(timed(theirs))
            pa, pb = statistics.median(a), statistics.median(b)
            print(f"{name:<10} {pa:>11.3f} {pb:>11.3f} {pa / pb:>7.2f} {percentile(a, .99):>11.3f} {percentile(b, .99):>11.3f}")
    finally:
        if proc:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
