#!/usr/bin/env bash
# Prepares the GPU acceptance run of the aotc package (pa_decode_gpu.py) on this machine, where
# clang-22 is: builds the default matrix for sm_90a with --shared-lib and copies into CARRY
# (default /work/main/.device-carry/python, git-ignored) what the device machine needs: the
# package source (python/, installed there with pip), the test script, the torch_op example,
# out/manifest.json and out/lib/ (the family library embeds its code objects; libaotc_runtime.so
# beside it). Then run_on_device.sh runs there with `carry: [.device-carry/python]`.
# usage: prepare_device_run.sh BUILD_DIR [CARRY] [CACHE_DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(cd "$1" && pwd)
carry=${2:-/work/main/.device-carry/python}
cache=${3:-$build/aotc-cache}
out=$build/python-gpu-out
"$build/bin/aotc" build "$repo/build-matrix.json" -o "$out" --targets sm_90a --shared-lib \
  --cache-dir "$cache"
rm -rf "$carry"
mkdir -p "$carry/out/lib" "$carry/python/tests/gpu" "$carry/examples/torch_op"
cp "$out/manifest.json" "$carry/out/"
cp "$out/lib/libpa_decode_aotc.so" "$build/runtime/libaotc_runtime.so" "$carry/out/lib/"
cp -r "$repo/python/aotc" "$repo/python/_build" "$repo/python/pyproject.toml" "$carry/python/"
cp "$repo/python/tests/gpu/pa_decode_gpu.py" "$repo/python/tests/gpu/run_on_device.sh" \
  "$carry/python/tests/gpu/"
cp "$repo/examples/torch_op/pa_decode_op.py" "$carry/examples/torch_op/"
find "$carry" -name __pycache__ -prune -exec rm -rf {} +
du -sh "$carry"
