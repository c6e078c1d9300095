#!/usr/bin/env python3
"""Per-call host overhead of the aotc Python package on the CPU (no GPU needed): plan(),
is_supported(), workspace_bytes(), the argument packing alone, a launch that reaches the runtime
and gets its no-device error, and the C ABI's plan through ctypes with prebuilt structs (the floor).

    python3 bench/python/launch_overhead.py --out OUT [--family pa_decode] [--package python]

OUT is an `aotc build ... --shared-lib` output. Arguments are synthetic: the first built variant's
key, pointers as integers, integer params 1, float params 1.0. --package picks the aotc package
folder to import (compare two checkouts' packages on the same OUT). Prints per-call microseconds:
median and best of --repeat batches of --number calls each. Figures: docs/NOTES.md (issue 14).
"""
from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import timeit
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--family", default=None, help="default: the build's first family")
    parser.add_argument("--package", type=Path, default=Path(__file__).resolve().parents[2] / "python")
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    sys.path.insert(0, str(options.package))
    import aotc  # noqa: E402  (the package the command line names)
    from aotc import _capi

    library = aotc.load(options.out)
    family = library[options.family or next(iter(library))]
    key = family.variants()[0].key
    params = {}
    for number, (name, c_type) in enumerate(family.params):
        params[name] = (0x10000 * (number + 1) if c_type.endswith("*")
                        else 1.0 if c_type in ("float", "double") else 1)
    arguments = dict(key, **params)
    device = aotc.Device(multiprocessor_count=132, warp_size=32, vendor="nvidia")

    def launch_without_gpu() -> None:
        try:
            family(workspace=0x7000000, **arguments)
        except aotc.Error:
            pass
        else:
            raise SystemExit("a launch succeeded: this bench measures the no-device path")

    c_key, c_args = family._convert(arguments, pointers_required=True)  # internal: the floor
    c_device = _capi.GenDevice(132, 32, 0, _capi.VENDORS["nvidia"])
    c_plan = family._Plan()
    by = ctypes.byref

    cases = [
        ("C ABI plan through ctypes, structs prebuilt", lambda: family._plan(by(c_key), by(c_args), by(c_device), by(c_plan))),
        ("is_supported(**key)", lambda: family.is_supported(**key)),
        ("argument packing (key and args structs)", lambda: family._convert(arguments, pointers_required=True)),
        ("plan(device=..., **arguments)", lambda: family.plan(device=device, **arguments)),
        ("workspace_bytes(device=..., **arguments)", lambda: family.workspace_bytes(device=device, **arguments)),
        ("family(workspace=..., **arguments), no GPU: the runtime's error", launch_without_gpu),
    ]
    print(f"aotc package {options.package}; family {family.name}, {len(arguments)} keyword arguments; "
          f"{options.repeat} x {options.number} calls each")
    print("| call | median us | best us |")
    print("|---|---|---|")
    for name, call in cases:
        times = [t / options.number * 1e6 for t in timeit.repeat(call, number=options.number, repeat=options.repeat)]
        print(f"| {name} | {statistics.median(times):.2f} | {min(times):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
