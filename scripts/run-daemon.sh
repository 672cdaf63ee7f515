#!/usr/bin/env bash
# Builds and runs the daemon from a checkout: data in ./imaged-data, socket ./imaged-data/imaged.sock.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p imaged-server -p imaged-client
exec ./target/release/imaged --root ./imaged-data "$@"
