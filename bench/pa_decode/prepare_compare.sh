#!/usr/bin/env bash
# Runs on the CPU machine: one compare build for the device call, into .device-carry/compare/<name>/
# (run_on_device.sh times every aotc output folder there on the anchor shapes beside the tree's
# build; run_compare_on_device.sh checks them first). build-matrix.json with extra flags (a kernel
# knob, e.g. -DPA_NV_L2_PREFETCH=256), sm_90a only, cut to the query lengths the anchors time (1 and
# 4: 24 of 48 variants). Every KV dtype stays: pa_bench's key mapping names each enumerator (run
# 15's first call could not build it against a build without fp16).
#   bench/pa_decode/prepare_compare.sh <aotc> <name> <flag>...
set -euo pipefail
cd "$(dirname "$0")/../.."
aotc=$(realpath "$1")
name=$2
shift 2
work=$PWD/build-compare  # kept between runs: aotc's cache makes a rerun cheap
dest=.device-carry/compare/$name
mkdir -p "$work" .device-carry/compare
flags=()
for flag in "$@"; do flags+=(--flag="$flag"); done
python3 cmake/derive_matrix.py build-matrix.json "$work/$name.json" "${flags[@]}" \
  --axis=query_len=1,4
"$aotc" build "$work/$name.json" --targets sm_90a -o "$work/$name" --cache-dir "$work/.cache"
rm -rf "$dest"
cp -r "$work/$name" "$dest"
rm -rf "$dest"/.[!.]*  # aotc's bookkeeping (lock, state, stamps), not outputs
du -sh "$dest"
