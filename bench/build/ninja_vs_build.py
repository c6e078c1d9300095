#!/usr/bin/env python3
"""Cold build through the Ninja route (`aotc build --emit-ninja` + `ninja -j N`, which ends with
`aotc package`) against `aotc build -j N`, on the same cores, from empty output folders (and no
launcher, so both compile everything).

Usage:
  bench/build/ninja_vs_build.py --aotc build/bin/aotc                  # the repo's build-matrix.json
  bench/build/ninja_vs_build.py --aotc build/bin/aotc --matrix axpy    # 128 outputs of the test kernel
"""
import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_with_xargs import axpy_matrix  # noqa: E402


def timed(argv, cwd=None):
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stdout[-4000:]}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aotc", required=True)
    parser.add_argument("--matrix", default=os.path.join(os.path.dirname(__file__), "../../build-matrix.json"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--clang", default="clang-22")
    args = parser.parse_args()
    aotc = os.path.abspath(args.aotc)
    scratch = tempfile.mkdtemp(prefix="aotc-ninja-bench-")
    try:
        matrix = axpy_matrix(scratch) if args.matrix == "axpy" else os.path.abspath(args.matrix)
        out = os.path.join(scratch, "out")
        ninja_file = os.path.join(scratch, "build.ninja")
        aotc_runs, ninja_runs = [], []
        for _ in range(args.repeat):
            shutil.rmtree(out, ignore_errors=True)
            aotc_runs.append(timed([aotc, "build", matrix, "-o", out, "-j", str(args.jobs), "--clang", args.clang]))
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(os.path.join(scratch, "aotc-objects"), ignore_errors=True)
            for name in (".ninja_log", ".ninja_deps"):
                if os.path.exists(os.path.join(scratch, name)):
                    os.remove(os.path.join(scratch, name))
            emit = timed([aotc, "build", matrix, "-o", out, "-j", str(args.jobs), "--clang", args.clang,
                          "--emit-ninja", ninja_file])
            # In the scratch folder: ninja writes its .ninja_log and .ninja_deps where it runs.
            ninja_runs.append(emit + timed(["ninja", "-f", ninja_file, "-j", str(args.jobs)], cwd=scratch))
        load = os.getloadavg()
        print(f"aotc build vs the Ninja route, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
        print(f"machine: {platform.node()}, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print(f"matrix: {args.matrix}, -j {args.jobs}")
        print()
        print(f"| {'cold build (median of %d)' % args.repeat:48} | {'seconds':>8} |")
        print(f"|{'-' * 50}|{'-' * 10}|")
        print(f"| {'aotc build -j %d' % args.jobs:48} | {statistics.median(aotc_runs):8.2f} |")
        print(f"| {'aotc build --emit-ninja + ninja -j %d' % args.jobs:48} | {statistics.median(ninja_runs):8.2f} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
