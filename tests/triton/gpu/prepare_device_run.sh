#!/bin/bash
# Fills CARRY (e.g. /work/main/.device-carry/triton, git-ignored) with what run_on_device.sh needs
# on the GPU machine: this build's aotc, its Triton helper and the runtime library, the sources
# the run reads, and the files of an aiter checkout the seed matrix builds (aiter's code is
# carried for the run, never committed).
#   prepare_device_run.sh BUILD_DIR AITER_CHECKOUT CARRY
set -euo pipefail
build=$(realpath "$1"); aiter=$(realpath "$2"); carry=$3
repo=$(cd "$(dirname "$0")/../../.." && pwd)
rm -rf "$carry" && mkdir -p "$carry"/{bin,lib,repo,aiter}
cp "$build/bin/aotc" "$build/bin/aotc_triton_helper.py" "$carry/bin/"
cp "$build/runtime/libaotc_runtime.so" "$carry/lib/"
strip --strip-debug "$carry/bin/aotc" "$carry/lib/libaotc_runtime.so"  # the carry is size-limited
(cd "$repo" && tar cf - configs/triton-splitk-gemv.json configs/aiter-pa-decode-gluon.json \
   kernels/triton tests/triton/gpu tests/kernels/pa_reference.h tests/kernels/pa_reference.cc \
   examples/decode_step/device_memory.h examples/decode_step/device_memory.cc runtime/include \
   bench/triton) | tar xf - -C "$carry/repo"
if [ -d "$aiter/.git" ] || [ -f "$aiter/HEAD" ]; then
  git -C "$aiter" archive HEAD aiter/ops/triton/gluon/pa_decode_gluon.py \
    csrc/cpp_itfs/gluon_aot_tools | tar xf - -C "$carry/aiter"
else
  (cd "$aiter" && tar cf - aiter/ops/triton/gluon/pa_decode_gluon.py csrc/cpp_itfs/gluon_aot_tools) |
    tar xf - -C "$carry/aiter"
fi
du -sh "$carry"
