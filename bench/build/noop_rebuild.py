#!/usr/bin/env python3
"""No-op rebuilds at Ninja's level (issue 11): a build of 144 objects (the default matrix's count)
and one of >= 10,000, each rebuilt with nothing to do.

A no-op reads out/.aotc_state and stats the files it lists (tools/build/build_state.h). The table
shows the wall time of the whole `aotc build` process (exec and dynamic linking included), the
time of `aotc --version` for that floor, and how many files the no-op opened and stat'ed (strace,
when installed). Targets: <= 10 ms at 144 objects, <= 0.1 s at >= 10,000.

The synthetic builds compile with a stand-in clang (a shell script that copies one real gfx942
code object of the test kernel and writes the dependency file clang would), so their cold builds
cost process starts, not compiles; their no-ops are the real thing: what a no-op costs depends on
the number of files the state lists, not on what is in them. With --default-out DIR (an output
directory of build-matrix.json built by this aotc) the default matrix's own no-op is measured too.

Usage:
  bench/build/noop_rebuild.py --aotc build/bin/aotc [--sizes 144,10000] [--runs 20]
                              [--default-out DIR]
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

FAKE_CLANG = """#!/bin/sh
# Stand-in clang: compiles by copying one real code object; anything else goes to clang-22.
out= dep= src= prev=
for arg in "$@"; do
  case "$prev" in -o) out=$arg ;; -MF) dep=$arg ;; esac
  case "$arg" in *.hip) src=$arg ;; esac
  prev=$arg
done
if [ -z "$out" ]; then exec clang-22 "$@"; fi
cp "@HSACO@" "$out" && printf '%s: %s\\n' "$out" "$src" > "$dep"
"""


def run(argv, **kwargs):
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stdout[-4000:]}")
    return result.stdout


def timings(argv, runs):
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        output = run(argv)
        seconds.append(time.perf_counter() - start)
    return seconds, output


def file_calls(argv):
    """(files opened, files stat'ed) by one run, from strace; None without strace."""
    if not shutil.which("strace"):
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as log:
        run(["strace", "-f", "-qq", "-o", log.name, "-e", "trace=openat,open,stat,newfstatat,statx,lstat"] + argv)
        lines = log.read().splitlines()
    opened = [l for l in lines if "open" in l.split("(")[0] and "ENOENT" not in l]
    # Files the C library and the dynamic loader open are the same for every command.
    opened = [l for l in opened if "/lib/" not in l and "/etc/" not in l and "/proc/" not in l]
    stats = [l for l in lines if "stat" in l.split("(")[0]]
    return len(opened), len(stats)


def age(dir_path):
    """Files an hour old, as in a checkout (a file modified just before a build gets no stamp)."""
    hour_ago = time.time() - 3600
    for root, dirs, files in os.walk(dir_path):
        for name in dirs + files:
            os.utime(os.path.join(root, name), (hour_ago, hour_ago))


def synthetic(aotc, scratch, objects):
    """A matrix of `objects` axpy variants for gfx942, built with the stand-in clang."""
    shutil.copytree(os.path.join(REPO, "tests/build/data/kernels"), os.path.join(scratch, "kernels"))
    one = {"schema": 1, "targets": ["gfx942"], "options": {"opt_level": "2"},
           "kernels": [{"name": "axpy", "source": "kernels/axpy.hip", "include_dirs": ["kernels"],
                        "entries": ["axpy"],
                        "axes": {"width": {"type": "integer", "values": [1], "label": "w{0}",
                                           "defines": {"AXPY_WIDTH": "{0}"}}}}]}
    with open(os.path.join(scratch, "one.json"), "w") as f:
        json.dump(one, f)
    run([aotc, "build", os.path.join(scratch, "one.json"), "-o", os.path.join(scratch, "one"), "--clang", "clang-22"])
    fake = os.path.join(scratch, "fake-clang")
    with open(fake, "w") as f:
        f.write(FAKE_CLANG.replace("@HSACO@", os.path.join(scratch, "one/gfx942/axpy.w1.hsaco")))
    os.chmod(fake, 0o755)
    many = dict(one)
    many["options"] = {"opt_level": "2", "max_variants": objects}
    many["kernels"] = [dict(one["kernels"][0])]
    many["kernels"][0]["axes"] = {"width": {"type": "integer", "values": list(range(1, objects + 1)),
                                            "label": "w{0}", "defines": {"AXPY_WIDTH": "{0}"}}}
    matrix = os.path.join(scratch, "many.json")
    with open(matrix, "w") as f:
        json.dump(many, f)
    age(scratch)
    return matrix, ["--clang", fake]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aotc", required=True, help="path to the aotc binary")
    parser.add_argument("--sizes", default="144,10000", help="object counts of the synthetic builds")
    parser.add_argument("--default-out", help="an output directory of build-matrix.json built by this aotc")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    aotc = os.path.abspath(args.aotc)

    scratch = tempfile.mkdtemp(prefix="aotc-noop-")
    rows = []
    try:
        floor, _ = timings([aotc, "--version"], args.runs)
        rows.append(("aotc --version (process floor)", "", statistics.median(floor), min(floor), None, ""))

        if args.default_out:
            default = [aotc, "build", os.path.join(REPO, "build-matrix.json"), "-o", args.default_out,
                       "-j", str(args.jobs)]
            run(default)  # brings the state up to date
            seconds, text = timings(default, args.runs)
            manifest = json.load(open(os.path.join(args.default_out, "manifest.json")))
            objects = sum(len(v["objects"]) for v in manifest["variants"])
            rows.append((f"no-op, build-matrix.json ({objects} objects)", text.strip().splitlines()[-1],
                         statistics.median(seconds), min(seconds), file_calls(default), "<= 0.010 s"))

        for size in [int(n) for n in args.sizes.split(",")]:
            work = os.path.join(scratch, f"n{size}")
            os.makedirs(work)
            matrix, extra = synthetic(aotc, work, size)
            build = [aotc, "build", matrix, "-o", os.path.join(work, "out"), "-j", str(args.jobs)] + extra
            start = time.perf_counter()
            run(build)
            cold = time.perf_counter() - start
            runs = args.runs if size < 1000 else max(3, args.runs // 4)
            seconds, text = timings(build, runs)
            target = "<= 0.010 s" if size <= 144 else "<= 0.100 s"
            rows.append((f"no-op, synthetic ({size} objects; cold {cold:.0f} s)", text.strip().splitlines()[-1],
                         statistics.median(seconds), min(seconds), file_calls(build), target))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    load = os.getloadavg()
    print(f"aotc no-op rebuild benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print()
    print(f"| {'run':52} | {'median s':>9} | {'best s':>8} | {'opened':>6} | {'stat':>6} | target |")
    print(f"|{'-' * 54}|{'-' * 11}|{'-' * 10}|{'-' * 8}|{'-' * 8}|--------|")
    for name, _, median, best, calls, target in rows:
        opened, stats = calls if calls else ("", "")
        print(f"| {name:52} | {median:9.4f} | {best:8.4f} | {opened:>6} | {stats:>6} | {target} |")
    print()
    for name, summary, *_ in rows:
        if summary:
            print(f"{name}: {summary}")


if __name__ == "__main__":
    main()
