#!/usr/bin/env bash
# Runs on the CPU machine: compiles the sm_90a cubins of build-matrix.json twice with `aotc build`
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

python3 - build-matrix.json "$work/generic-matrix.json" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
base = os.path.dirname(os.path.abspath(src))
m = json.load(open(src))
for k in m["kernels"]:
    k["source"] = os.path.join(base, k["source"])
    k["include_dirs"] = [os.path.join(base, d) for d in k.get("include_dirs", [])]
    k["extra_flags"] = k.get("extra_flags", []) + ["-DPA_FORCE_GENERIC=1"]
json.dump(m, open(dst, "w"), indent=1)
PY

"$aotc" build build-matrix.json --targets sm_90a -o "$work/mma"
"$aotc" build "$work/generic-matrix.json" --targets sm_90a -o "$work/generic"
rm -rf "$carry/mma" "$carry/generic"
mkdir -p "$carry/mma" "$carry/generic"
cp "$work"/mma/sm_90a/*.cubin "$carry/mma/"
cp "$work"/generic/sm_90a/*.cubin "$carry/generic/"
cp "$work/mma/manifest.json" "$carry/manifest-mma.json"
echo "$(ls "$carry/mma" | wc -l) + $(ls "$carry/generic" | wc -l) cubins in $carry"
