#!/bin/bash
# Builds and runs the runtime GPU test on the GPU machine (runtime/README.md, "GPU test").
# Expects, carried from the CPU machine in .device-carry/runtime/: libaotc_runtime.so (Release),
# saxpy.sm_90a.cubin and saxpy.sm_90a.ptx (clang-22 + ptxas), and lib/ with the .so files the
# runtime links (zlib, zstd, libcrypto), used only where the GPU machine lacks them.
# Usage: tests/runtime/gpu/run_on_device.sh [launches]   (logs under $OUT when set)
set -uo pipefail
carry=$PWD/.device-carry/runtime
out=${OUT:-/tmp/aotc-runtime-gpu}
launches=${1:-20000}
mkdir -p "$out"
{
  date -u
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  if ldd "$carry/libaotc_runtime.so" | grep -q "not found"; then
    echo "using carried libraries for: $(ldd "$carry/libaotc_runtime.so" | grep 'not found')"
    export LD_LIBRARY_PATH=$carry/lib
  fi
  cmake -S tests/runtime/gpu -B /tmp/aotc-runtime-gpu-build -DCMAKE_BUILD_TYPE=Release \
    -DAOTC_RUNTIME_LIBRARY="$carry/libaotc_runtime.so" >/dev/null &&
    cmake --build /tmp/aotc-runtime-gpu-build -j8 || exit 1
  status=0
  for run in 1 2 3; do
    echo "=== run $run"
    /tmp/aotc-runtime-gpu-build/runtime_gpu_test "$carry" "$launches" || status=1
  done
  exit $status
} 2>&1 | tee "$out/runtime_gpu_log.txt"
