#!/usr/bin/env bash
# The GPU acceptance of the aotc package, on the device machine (H200, PyTorch 2.11, Python
# 3.12), from the folder prepare_device_run.sh filled: installs the package with pip offline,
# then runs pa_decode_gpu.py against the carried out/ (log in $OUT/python-gpu.log).
# usage (device tool, from the repository root, carry [.device-carry/python]):
#   bash .device-carry/python/python/tests/gpu/run_on_device.sh [CALLS]
set -uo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
calls=${1:-20000}
log=${OUT:-/tmp}/python-gpu.log
cd "$here"
{
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  python3 -m pip install -q --no-index --no-deps --target /tmp/aotc-site ./python || exit 1
  export PYTHONPATH=/tmp/aotc-site PYTHONUNBUFFERED=1 AOTC_BACKEND=cuda
  export AOTC_RUNTIME_LIBRARY=$here/out/lib/libaotc_runtime.so
  python3 -m aotc inspect out
  python3 python/tests/gpu/pa_decode_gpu.py out --calls "$calls"
} 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
