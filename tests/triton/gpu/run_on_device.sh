#!/bin/bash
# The Triton frontend's acceptance run on the GPU machine (Triton there, no clang needed), from a
# folder prepared by prepare_device_run.sh:
#   1. the example matrix (configs/triton-splitk-gemv.json) for gfx942, gfx950 and sm_90a, cold
#      (fresh Triton cache) and again (aotc's cache);
#   2. its sm_90a objects through the generated launcher and the aotc runtime against a CPU
#      reference (splitk_gemv_gpu.cc);
#   3. the seed matrix (configs/aiter-pa-decode-gluon.json) for gfx942 and gfx950 built by aotc,
#      again from scratch with only the first build's compile times kept (the compile order),
#      then the same objects by aiter's own scripts, one process per variant and target
#      (bench/triton/aiter_per_process.py), on the same cores, each with a fresh Triton cache.
# Logs go to OUT/triton_device.log (the seed's aotc builds in full to OUT/pa_build.log);
# OUT/pa_objects.tgz holds the seed's manifest and code objects. With a third argument "seed"
# only step 3 runs; with "seed-aotc", only aotc's part of it.
#   run_on_device.sh CARRY OUT [seed | seed-aotc]
set -u
carry=$(realpath "$1"); out=$2
repo=$carry/repo; aotc=$carry/bin/aotc; jobs=$(nproc)
export LD_LIBRARY_PATH=$carry/lib PYTHONUNBUFFERED=1 AITER_ROOT=$carry/aiter
exec > >(tee "$out/triton_device.log") 2>&1
cd "$repo"
start=$SECONDS
step() { echo; echo "== $* (t=$((SECONDS - start)) s)"; }
TIMEFORMAT="wall %R s"

only=${3:-all}
step "environment"
date -u; nvidia-smi -L; echo "cores: $jobs"; python3 --version
"$aotc" targets | grep -A1 -E "^triton" || true

if [ "$only" = all ]; then
step "example matrix, cold: aotc build configs/triton-splitk-gemv.json -j $jobs"
export TRITON_CACHE_DIR=/tmp/triton-cache-example
time "$aotc" build configs/triton-splitk-gemv.json -o /tmp/out-ex -j "$jobs" | tail -3
step "example matrix again (aotc cache)"
time "$aotc" build configs/triton-splitk-gemv.json -o /tmp/out-ex -j "$jobs" | tail -1

step "sm_90a through the generated launcher and the runtime"
g++ -std=c++20 -O2 -I /tmp/out-ex/include -I runtime/include -I examples/decode_step -I tests/kernels \
  tests/triton/gpu/splitk_gemv_gpu.cc /tmp/out-ex/include/aotc/splitk_gemv_launcher.cc \
  examples/decode_step/device_memory.cc tests/kernels/pa_reference.cc \
  -L "$carry/lib" -laotc_runtime -ldl -o /tmp/splitk_gemv_gpu && AOTC_BACKEND=cuda /tmp/splitk_gemv_gpu
echo "gpu test exit status $?"
fi

step "seed matrix: aotc build configs/aiter-pa-decode-gluon.json -j $jobs (fresh Triton cache)"
"$aotc" build configs/aiter-pa-decode-gluon.json -o /tmp/out-pa --dry-run > /tmp/pa-requests.jsonl
echo "$(wc -l < /tmp/pa-requests.jsonl) objects"
export TRITON_CACHE_DIR=/tmp/triton-cache-aotc
time "$aotc" build configs/aiter-pa-decode-gluon.json -o /tmp/out-pa -j "$jobs" --timings > "$out/pa_build.log" 2>&1
grep -v '^\[' "$out/pa_build.log" | tail -40
step "seed matrix again (aotc cache)"
time "$aotc" build configs/aiter-pa-decode-gluon.json -o /tmp/out-pa -j "$jobs" | tail -1

step "seed matrix cold again, ordered by the first build's compile times (new out/, cache and Triton cache; only compile_seconds.tsv kept)"
mkdir -p /tmp/cache-history && cp /tmp/out-pa/.cache/compile_seconds.tsv /tmp/cache-history/
export TRITON_CACHE_DIR=/tmp/triton-cache-history
time "$aotc" build configs/aiter-pa-decode-gluon.json -o /tmp/out-pa-history --cache-dir /tmp/cache-history --timings \
  -j "$jobs" > "$out/pa_build_history.log" 2>&1
tail -3 "$out/pa_build_history.log"

if [ "$only" != seed-aotc ]; then
step "baseline: aiter's compile_gluon.py / compile.py, one process per variant and target, $jobs at a time (fresh Triton cache; stubs aiter,csrc: real torch as aiter's prebuild imports it)"
export TRITON_CACHE_DIR=/tmp/triton-cache-baseline
time python3 bench/triton/aiter_per_process.py /tmp/pa-requests.jsonl "$AITER_ROOT" \
  "$carry/bin/aotc_triton_helper.py" "$jobs" aiter,csrc
fi
# (Stubbing torch in the baseline too is not possible: aiter's scripts ask Triton's runtime
# driver for C type names after compiling, and Triton finds its NVIDIA driver through torch.)

step "collect"
(cd /tmp/out-pa && tar czf "$out/pa_objects.tgz" manifest.json gfx942 gfx950)
[ -d /tmp/out-ex ] && (cd /tmp/out-ex && tar czf "$out/example_outputs.tgz" manifest.json include sm_90a)
ls -la "$out"
