#!/usr/bin/env bash
# Runs on the CPU machine: everything bench/pa_decode/run_on_device.sh needs on the GPU machine,
# which has nvcc and libcuda but neither clang-22 nor aotc's build dependencies:
#   .device-carry/gpucheck/  the aotc builds of the GPU test (sm_90a, builds.txt), a Release runtime and
#                            Catch2's header (tests/kernels/gpu/prepare_device_run.sh)
#   .device-carry/fibench/   FlashInfer's decode bench, built once from
#                            /work/shared/anchors/flashinfer (several minutes on 2 cores), kept
# Then call the device tool with carry [".device-carry/gpucheck", ".device-carry/fibench"] and
# command `bash bench/pa_decode/run_on_device.sh [seed] [sweep]`.
#   bench/pa_decode/prepare_device_run.sh <aotc> <libaotc_runtime.so> [anchors folder]
set -euo pipefail
cd "$(dirname "$0")/../.."
anchors=${3:-$(realpath ../shared/anchors 2>/dev/null || echo /work/shared/anchors)}
bash tests/kernels/gpu/prepare_device_run.sh "$1" "$2"
bench=.device-carry/fibench/flashinfer_decode_bench
if [ ! -x "$bench" ]; then
  src=$(mktemp -d)
  trap 'rm -rf "$src"' EXIT
  tar -xzf "$anchors/flashinfer/flashinfer-bench-src.tar.gz" -C "$src"
  mkdir -p "$(dirname "$bench")"
  bash "$src/fi-src/build_flashinfer_bench.sh" "$src/fi-src" "$bench"
fi
du -sh .device-carry/gpucheck .device-carry/fibench
