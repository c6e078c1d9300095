#!/usr/bin/env bash
# Runs on the CPU machine: everything the GPU test needs on the GPU machine (which has g++, cmake,
# nvcc and libcuda but neither clang-22 nor aotc's build dependencies), into .device-carry/gpucheck/:
#   outputs.tar.gz      the aotc build outputs (sm_90a) of every build the test runs (builds.txt)
#   libaotc_runtime.so  a Release runtime built here; lib/ has copies of the libraries it links
#                       (zlib, zstd, libcrypto), used there only where the machine lacks them
#   include/catch2/     Debian's Catch2 v2 header (the test is a Catch2 program)
# Then, there: tests/kernels/gpu/run_on_device.sh.
#   tests/kernels/gpu/prepare_device_run.sh <aotc> <libaotc_runtime.so>
set -euo pipefail
cd "$(dirname "$0")/../../.."
aotc=$(realpath "$1")
runtime=$(realpath "$2")
here=tests/kernels/gpu
work=$PWD/build-gpucheck-outputs   # kept between runs: aotc's cache makes a rerun cheap
carry=.device-carry/gpucheck
mkdir -p "$work" "$carry/lib" "$carry/include/catch2"

# builds.txt: name, matrix, flag ("-" for none), loading mode -- shared with CMakeLists.txt.
while read -r name matrix flag _mode; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  flags=()
  [[ "$flag" != - ]] && flags=(--flag="$flag")
  python3 "$here/../../../cmake/derive_matrix.py" "$matrix" "$work/$name.json" "${flags[@]}"
  "$aotc" build "$work/$name.json" --targets sm_90a -o "$work/$name" --cache-dir "$work/.cache"
done < "$here/builds.txt"

names=$(grep -v '^#' "$here/builds.txt" | awk 'NF {print $1}')
# Outputs only: the cache, lock and stamps stay here.
tar -C "$work" -czf "$carry/outputs.tar.gz" --exclude=.cache --exclude=.lock --exclude=.outputs $names
cp "$runtime" "$carry/libaotc_runtime.so"
for lib in $(ldd "$runtime" | awk '/libz\.|libzstd|libcrypto/ {print $3}'); do cp -L "$lib" "$carry/lib/"; done
cp /usr/include/catch2/catch.hpp "$carry/include/catch2/"
du -sh "$carry"
