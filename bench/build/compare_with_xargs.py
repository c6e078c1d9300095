#!/usr/bin/env python3
"""Cold `aotc build` against a naive `xargs -P <cores> clang ...` loop, plus a no-op rebuild.

Both sides run the same variant x target commands with the same flags: the naive loop's commands
are exactly what `aotc build --dry-run` prints (clang, then ptxas for NVIDIA cubins, chained with
&&), run by `xargs -P <jobs>` through `sh -c`. aotc additionally hashes, caches, reads metadata,
writes bundles and the manifest. Targets (issue 2): cold build within 1.05x of the naive loop;
no-op rebuild of >= 100 outputs in <= 0.1 s.

Usage:
  bench/build/compare_with_xargs.py --aotc build/bin/aotc                 # the repo's build-matrix.json
  bench/build/compare_with_xargs.py --aotc build/bin/aotc --matrix axpy   # 128 outputs of the test kernel
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def axpy_matrix(scratch):
    """A >= 100-output matrix over the build tests' kernel (copied: matrix paths stay inside)."""
    shutil.copytree(os.path.join(REPO, "tests/build/data/kernels"), os.path.join(scratch, "kernels"))
    matrix = {
        "schema": 1,
        "targets": ["gfx942", "gfx90a", "gfx1100", "sm_90a"],
        "kernels": [{
            "name": "axpy", "source": "kernels/axpy.hip", "include_dirs": ["kernels"], "entries": ["axpy"],
            "axes": {
                "width": {"type": "integer", "values": list(range(1, 17)), "label": "w{0}",
                          "defines": {"AXPY_WIDTH": "{0}"}},
                "scaled": {"type": "integer", "values": [0, 1], "label": "s{0}",
                           "defines": {"AXPY_SCALED": "{0}"}},
            },
        }],
    }
    path = os.path.join(scratch, "axpy-bench.json")
    with open(path, "w") as f:
        json.dump(matrix, f, indent=2)
    return path


def timed(argv, **kwargs):
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stdout[-4000:]}")
    return seconds, result.stdout


def naive_jobs(aotc, matrix, out, jobs, extra):
    """One shell line per variant x target, from aotc's own dry run (same flags, same outputs)."""
    _, text = timed([aotc, "build", matrix, "-o", out, "-j", str(jobs), "--dry-run"] + extra)
    lines = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "ptxas" in line.split()[0]:
            lines[-1] += " && " + line
        else:
            lines.append(line)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aotc", required=True, help="path to the aotc binary (a Release build)")
    parser.add_argument("--matrix", default=os.path.join(REPO, "build-matrix.json"),
                        help="matrix file, or 'axpy' for a 128-output matrix over the test kernel")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--repeat", type=int, default=1, help="cold build pairs to run (alternating)")
    parser.add_argument("--noop-runs", type=int, default=10)
    parser.add_argument("--clang", default="clang-22")
    args = parser.parse_args()
    aotc = os.path.abspath(args.aotc)
    extra = ["--clang", args.clang]

    scratch = tempfile.mkdtemp(prefix="aotc-bench-")
    try:
        matrix = axpy_matrix(scratch) if args.matrix == "axpy" else os.path.abspath(args.matrix)
        naive_out = os.path.join(scratch, "out-naive")
        aotc_out = os.path.join(scratch, "out-aotc")
        commands = naive_jobs(aotc, matrix, naive_out, args.jobs, extra)
        commands_file = os.path.join(scratch, "commands.txt")
        with open(commands_file, "w") as f:
            f.write("\n".join(commands) + "\n")

        cold_aotc, cold_naive = [], []
        for _ in range(args.repeat):
            shutil.rmtree(naive_out, ignore_errors=True)
            for line in commands:  # the naive loop needs its output folders to exist
                out_file = line.split(" -o ")[1].split()[0]
                os.makedirs(os.path.dirname(out_file), exist_ok=True)
            seconds, _ = timed(["xargs", "-P", str(args.jobs), "-d", "\n", "-I{}", "sh", "-c", "{}"],
                               stdin=open(commands_file))
            cold_naive.append(seconds)
            shutil.rmtree(aotc_out, ignore_errors=True)
            seconds, _ = timed([aotc, "build", matrix, "-o", aotc_out, "-j", str(args.jobs)] + extra)
            cold_aotc.append(seconds)

        noop = []
        for _ in range(args.noop_runs):
            seconds, text = timed([aotc, "build", matrix, "-o", aotc_out, "-j", str(args.jobs)] + extra)
            noop.append(seconds)
        with open(os.path.join(aotc_out, "manifest.json")) as f:
            summary = json.load(f)["summary"]
        outputs = summary["compiled"] + summary["cached"]

        clang_version = subprocess.run([args.clang, "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines()[0]
        load = os.getloadavg()
        ratio = statistics.median(cold_aotc) / statistics.median(cold_naive)
        print(f"aotc build benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
        print(f"machine: {platform.node()}, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print(f"matrix: {args.matrix} ({outputs} objects, {len(commands)} compile jobs), -j {args.jobs}, {clang_version}")
        print()
        print(f"| {'measurement':42} | {'seconds':>9} | target |")
        print(f"|{'-' * 44}|{'-' * 11}|--------|")
        print(f"| {'naive xargs -P %d clang (median of %d)' % (args.jobs, len(cold_naive)):42} | {statistics.median(cold_naive):9.2f} |        |")
        print(f"| {'cold aotc build (median of %d)' % len(cold_aotc):42} | {statistics.median(cold_aotc):9.2f} |        |")
        print(f"| {'cold ratio aotc / xargs':42} | {ratio:8.3f}x | <= 1.05x {'ok' if ratio <= 1.05 else 'MISSED'} |")
        print(f"| {'no-op rebuild (median of %d)' % len(noop):42} | {statistics.median(noop):9.3f} | <= 0.1 s {'ok' if statistics.median(noop) <= 0.1 else 'MISSED'} |")
        print(f"| {'no-op rebuild (best of %d)' % len(noop):42} | {min(noop):9.3f} |        |")
        print(f"\nall cold runs: xargs {['%.2f' % s for s in cold_naive]}, aotc {['%.2f' % s for s in cold_aotc]}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
