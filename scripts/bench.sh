#!/usr/bin/env bash
# Every benchmark, side by side with the peers in the same run (release build). The figures go to stdout;
# BENCHMARKS.md records one run. Needs what scripts/test.sh installs (docker-registry, skopeo, docker.io),
# and containerd for the ctr column; grpcio-tools for the Python row (installed here, bench only).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins
python3 -m maturin build -q --release -m bindings/python/Cargo.toml -o target/wheels-release
python3 -m pip install -q --force-reinstall --no-deps target/wheels-release/imaged-*.whl
python3 -m pip install -q grpcio grpcio-tools
for b in imaged-bench imaged-bench-archive imaged-bench-pull imaged-bench-build imaged-load imaged-soak; do
  echo "== $b"
  "./target/release/$b"
done
echo "== python bench_latency"
python3 bindings/python/bench/bench_latency.py
python3 bindings/python/bench/bench_latency.py --images 10000 --calls 200
