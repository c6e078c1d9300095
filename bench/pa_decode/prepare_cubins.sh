#!/usr/bin/env bash
# Runs on the CPU machine: compiles the sm_90a cubins of build-matrix.json and
# configs/pa_decode_small_heads.json (GQA (8,1), (16,1), (32,8), head dim 64) twice with `aotc build`
# — the matrix path, and the generic path forced (-DPA_FORCE_GENERIC=1 added to the kernel's
# extra_flags in a derived matrix) — into .device-carry/kernel/{mma,generic}/, which the device
# run carries (the GPU machine has no clang-22).
#   bench/pa_decode/prepare_cubins.sh [path/to/aotc]
set -euo pipefail
cd "$(dirname "$0")/../.."
aotc=${1:-build/bin/aotc}
carry=.device-carry/kernel
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -rf "$carry/mma" "$carry/generic"
mkdir -p "$carry/mma" "$carry/generic"
for matrix in build-matrix.json configs/pa_decode_small_heads.json; do
  tag=$(basename "$matrix" .json)
  # Derived copies with absolute paths (aotc resolves sources against the matrix's directory and
  # refuses ones outside it, which configs/ matrices need), the generic one with the flag added.
  python3 - "$matrix" "$work/$tag-mma.json" "$work/$tag-generic.json" <<'PY'
import json, os, sys
src, mma, generic = sys.argv[1:4]
base = os.path.dirname(os.path.abspath(src))
m = json.load(open(src))
for k in m["kernels"]:
    k["source"] = os.path.normpath(os.path.join(base, k["source"]))
    k["include_dirs"] = [os.path.normpath(os.path.join(base, d)) for d in k.get("include_dirs", [])]
json.dump(m, open(mma, "w"), indent=1)
for k in m["kernels"]:
    k["extra_flags"] = k.get("extra_flags", []) + ["-DPA_FORCE_GENERIC=1"]
json.dump(m, open(generic, "w"), indent=1)
PY
  "$aotc" build "$work/$tag-mma.json" --targets sm_90a -o "$work/$tag-mma"
  "$aotc" build "$work/$tag-generic.json" --targets sm_90a -o "$work/$tag-generic"
  cp "$work/$tag-mma"/sm_90a/*.cubin "$carry/mma/"
  cp "$work/$tag-generic"/sm_90a/*.cubin "$carry/generic/"
  cp "$work/$tag-mma/manifest.json" "$carry/manifest-$tag-mma.json"
done
echo "$(ls "$carry/mma" | wc -l) + $(ls "$carry/generic" | wc -l) cubins in $carry"
