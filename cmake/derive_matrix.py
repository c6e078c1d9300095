#!/usr/bin/env python3
"""Writes a copy of an aotc build matrix that builds the same kernels from another place.

The copy's "root" is the original's source root made absolute (docs/MATRIX.md), so its relative
`source` and `include_dirs` still resolve wherever the copy lives; each --flag is appended to every
kernel's extra_flags (the GPU test forces the generic path with -DPA_FORCE_GENERIC=1); each
--axis=NAME=V1,V2 keeps only those values of that axis (a compare build of the bench builds only the
variants it times). Key order is kept: axis order decides variant names.

    derive_matrix.py <matrix.json> <copy.json> [--flag=FLAG]... [--axis=NAME=V1,V2]...
"""
import argparse
import json
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("matrix")
    parser.add_argument("copy")
    parser.add_argument("--flag", action="append", default=[])
    parser.add_argument("--axis", action="append", default=[])
    a = parser.parse_args()
    keep = {}
    for spec in a.axis:
        name, _, values = spec.partition("=")
        keep[name] = values.split(",")
    with open(a.matrix) as f:
        matrix = json.load(f)  # dicts keep the file's key order
    here = os.path.dirname(os.path.abspath(a.matrix))
    matrix["root"] = os.path.normpath(os.path.join(here, matrix.get("root", ".")))
    for kernel in matrix["kernels"]:
        kernel["extra_flags"] = kernel.get("extra_flags", []) + a.flag
        for name, values in keep.items():
            axis = kernel["axes"].get(name)
            if axis is None:
                raise SystemExit(f"{a.matrix}: kernel {kernel['name']} has no axis {name}")
            # Values compare as text, so string and integer axes can be cut (tuple axes cannot).
            kept = [v for v in axis["values"] if str(v) in values]
            if not kept:
                raise SystemExit(f"{a.matrix}: axis {name} has none of {values}")
            axis["values"] = kept
    tmp = a.copy + ".tmp"
    with open(tmp, "w") as f:
        json.dump(matrix, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.copy)


if __name__ == "__main__":
    main()
