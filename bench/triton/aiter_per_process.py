"""The per-process baseline for aotc's Triton frontend: aiter's own AOT compile scripts
(csrc/cpp_itfs/gluon_aot_tools/compile_gluon.py and compile.py), one Python process per variant
and target as aiter's prebuild runs them, N processes at a time.

  python3 aiter_per_process.py REQUESTS.jsonl AITER_ROOT HELPER JOBS [STUBS]

REQUESTS.jsonl is `aotc build --dry-run` of the same matrix (one helper request per object); the
objects of one variant and target (attention + reduce) are compiled in one process, which imports
the kernel file and calls aiter's compile_gluon_kernel / compile_kernel in turn, exactly what
aiter's pa_decode_gluon_aot.compile() does per variant. STUBS (comma-separated, default
"aiter,csrc") are installed with aotc's own stub finder (HELPER) so the kernel file imports
without a built aiter package. Prints the wall time and per-variant figures; aiter's scripts are
read from AITER_ROOT, nothing of them is copied.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

DTYPE_SHORT = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32",
               "float8e4b8": "fp8e4b8", "float8e4nv": "fp8e4nv"}


def signature_text(signature):
    parts = []
    for arg in signature:
        if "type" in arg:
            parts.append(arg["type"] + (":%d" % arg["hint"] if arg.get("hint") else ""))
        elif arg["constexpr"] == "dtype":
            parts.append(DTYPE_SHORT[arg["value"]])
        else:
            parts.append(arg["value"])
    return ",".join(parts)


def run_one(requests, aiter_root, helper, stubs):
    """In the child: compile one variant's objects for one target through aiter's scripts."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("aotc_helper", helper)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.meta_path.insert(0, module.StubFinder([s for s in stubs.split(",") if s]))
    tools = os.path.join(aiter_root, "csrc", "cpp_itfs", "gluon_aot_tools")
    sys.path.insert(0, tools)
    import compile as aiter_compile
    import compile_gluon
    from pathlib import Path
    out = tempfile.mkdtemp()
    for request in requests:
        target = "hip:%s:64" % request["target"]
        options = request["options"]
        common = dict(path=request["source"], kernel_name=request["entry"],
                      signature=signature_text(request["signature"]), grid="1,1,1",
                      target=target, num_warps=options["num_warps"],
                      num_stages=options["num_stages"],
                      out_path=Path(out) / request["entry"], out_name=request["entry"])
        if "waves_per_eu" in options:
            compile_gluon.compile_gluon_kernel(compile_gluon.CompileGluonArgs(
                waves_per_eu=options["waves_per_eu"], num_ctas=options.get("num_ctas", 1),
                kpack=options.get("kpack", 1), **common))
        else:
            aiter_compile.compile_kernel(aiter_compile.CompileArgs(**common))


def main(argv):
    if argv[1] == "--one":
        run_one(json.loads(argv[2]), argv[3], argv[4], argv[5])
        return 0
    requests_file, aiter_root, helper, jobs = argv[1], argv[2], argv[3], int(argv[4])
    stubs = argv[5] if len(argv) > 5 else "aiter,csrc"
    groups = collections.OrderedDict()
    with open(requests_file) as f:
        for line in f:
            if not line.strip():
                continue
            request = json.loads(line)
            stem = os.path.basename(request["outputs"]["triton.json"])
            variant = stem[: stem.rindex("." + request["entry"])]
            groups.setdefault((variant, request["target"]), []).append(request)
    pending = list(groups.items())
    running, failures, durations = [], 0, []
    started = time.monotonic()
    while pending or running:
        while pending and len(running) < jobs:
            (variant, target), requests = pending.pop(0)
            child = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--one", json.dumps(requests),
                 aiter_root, helper, stubs],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            running.append((child, variant, target, time.monotonic()))
        time.sleep(0.02)
        for entry in list(running):
            child, variant, target, t0 = entry
            if child.poll() is None:
                continue
            running.remove(entry)
            output = child.stdout.read().decode(errors="replace")
            durations.append(time.monotonic() - t0)
            if child.returncode != 0:
                failures += 1
                print("FAILED %s [%s]: %s" % (variant, target, output[-800:]), flush=True)
    wall = time.monotonic() - started
    objects = sum(len(r) for r in groups.values())
    print("per-process baseline: %d processes (variant x target), %d objects, %d failed, jobs %d"
          % (len(groups), objects, failures, jobs))
    print("wall %.1f s; per process: mean %.2f s, min %.2f s, max %.2f s; %.3f s of wall per object"
          % (wall, sum(durations) / max(1, len(durations)), min(durations or [0]),
             max(durations or [0]), wall / max(1, objects)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
