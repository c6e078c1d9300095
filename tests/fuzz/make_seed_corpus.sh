#!/bin/sh
# Regenerates the seed corpus in tests/fuzz/corpus/ from one tiny kernel, with clang-22, ptxas and
# a built aotc (for the bundles clang does not write: zlib, CCOB v2), and the text seeds from the
# repository's matrices (matrix/) and the default launch rule's expressions (launch_expression/).
# Usage:
#   tests/fuzz/make_seed_corpus.sh path/to/aotc
# Regression files found by fuzzing live beside the seeds and are never regenerated.
set -eu
aotc=$1
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/k.hip" <<'SRC'
extern "C" __attribute__((global)) void k(float* out, int n) {
#ifdef __AMDGCN__
  int i = __builtin_amdgcn_workitem_id_x() + __builtin_amdgcn_workgroup_size_x();
#else
  int i = __nvvm_read_ptx_sreg_tid_x();
#endif
  if (i < n) out[i] = 1.0f;
}
SRC
hip() { clang-22 -x hip -nogpuinc -nogpulib --offload-device-only -O3 "$@"; }
hip --offload-arch=gfx942 --no-gpu-bundle-output "$work/k.hip" -o "$work/gfx942.hsaco"
hip --offload-arch=gfx90a:xnack+ -mcode-object-version=5 --no-gpu-bundle-output "$work/k.hip" -o "$work/gfx90a.hsaco"
hip --offload-arch=gfx942 --offload-arch=gfx950 --offload-compress -c "$work/k.hip" -o "$work/clang-ccob3.hipfb"
clang-22 -x cuda --cuda-gpu-arch=sm_90a -nocudainc -nocudalib --cuda-device-only -O3 -S "$work/k.hip" -o "$work/k.ptx" 2>/dev/null
ptxas -arch=sm_90a "$work/k.ptx" -o "$work/k.cubin"
"$aotc" bundle -o "$work/plain.hipfb" --target-id gfx942="$work/gfx942.hsaco"
"$aotc" bundle -o "$work/zlib-v2.hipfb" --target-id gfx942="$work/gfx942.hsaco" --compress zlib --ccob-version 2
"$aotc" bundle -o "$work/zstd-v2.hipfb" --target-id gfx942="$work/gfx942.hsaco" --target-id gfx90a:xnack+="$work/gfx90a.hsaco" --compress zstd --ccob-version 2
# The msgpack seed is the metadata note's payload: skip the 12-byte note header and the name.
python3 - "$work/gfx942.hsaco" "$work/metadata.msgpack" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
start = data.index(b'AMDGPU\0') - 12
namesz, descsz, _ = struct.unpack_from('<III', data, start)
desc = start + 12 + (namesz + 3) // 4 * 4
open(sys.argv[2], 'wb').write(data[desc:desc + descsz])
PY
mkdir -p "$corpus/elf" "$corpus/amdgpu_metadata" "$corpus/msgpack" "$corpus/bundle" "$corpus/cubin_ptx"
cp "$work/gfx942.hsaco" "$work/k.cubin" "$corpus/elf/"
cp "$work/gfx942.hsaco" "$work/gfx90a.hsaco" "$corpus/amdgpu_metadata/"
cp "$work/metadata.msgpack" "$corpus/msgpack/"
cp "$work/plain.hipfb" "$work/zlib-v2.hipfb" "$work/zstd-v2.hipfb" "$work/clang-ccob3.hipfb" "$corpus/bundle/"
cp "$work/k.cubin" "$work/k.ptx" "$corpus/cubin_ptx/"
mkdir -p "$corpus/matrix" "$corpus/launch_expression"
root=$here/../..
cp "$root/build-matrix.json" "$root/configs/pa_decode_small_heads.json" \
   "$root/configs/examples/scale-matrix.json" "$root/configs/examples/minimal-matrix.json" \
   "$root/tests/build/data/nvidia.json" "$corpus/matrix/"
python3 - "$root/build-matrix.json" "$corpus/launch_expression" <<'PY'
import json, sys
rule = json.load(open(sys.argv[1]))["kernels"][0]["launch"]
texts = list(rule.get("values", {}).values()) + [rule.get("workspace_bytes", "")]
for step in rule["steps"]:
    texts += [t for t in step.get("grid", []) + step.get("block", []) if isinstance(t, str)]
    texts += [step[k] for k in ("shared_bytes", "when") if isinstance(step.get(k), str)]
for i, text in enumerate(sorted(set(t for t in texts if t))):
    open(f"{sys.argv[2]}/rule-{i:02d}.txt", "w").write(text)
PY
