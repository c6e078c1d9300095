#!/bin/bash
# On the GPU machine: the runtime GPU test (correctness, 8 racing threads, two contexts or two
# GPUs) and the launch-overhead table (split_sum and pa_decode, generated launch() vs raw
# cuLaunchKernel vs aotc_launch) for the current runtime and the baseline's Release and Debug
# builds. Carry .device-carry/overhead (tests/runtime/gpu/prepare_overhead_carry.sh).
# Usage: tests/runtime/gpu/run_overhead_on_device.sh [launches] [runs]   (log under $OUT)
set -uo pipefail
carry=$PWD/.device-carry/overhead
out=${OUT:-/tmp/aotc-overhead}
launches=${1:-20480}
runs=${2:-3}
mkdir -p "$out"
export AOTC_BACKEND=cuda
{
  date -u
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  status=0
  with() {  # with <lib dir> <command...>: the runtime from <lib dir>, system libraries as fallback
    local lib=$1
    shift
    LD_LIBRARY_PATH=$carry/$lib:$carry/sys "$@"
  }
  echo "=== runtime GPU test (runtime from lib-new)"
  with lib-new "$carry/runtime_gpu_test" "$carry" "$launches" || status=1
  for run in $(seq "$runs"); do
    for lib in lib-new lib-old-release lib-old-debug; do
      echo "=== run $run, $lib: split_sum"
      with $lib "$carry/launch_overhead_bench" "$carry/split_sum.f32.b64.t1x32.cubin" "$launches"
      echo "    exit $?"
      echo "=== run $run, $lib: pa_decode"
      with $lib "$carry/pa_decode_overhead_bench" "$carry/pa_decode.kv-bf16.bs16.q1.h64x8.d128.cubin" "$launches"
      echo "    exit $?"
    done
  done
  date -u
  exit $status
} 2>&1 | tee "$out/overhead_log.txt"
