#!/usr/bin/env python3
"""Writes a copy of an aotc build matrix that builds the same kernels from another place.

The copy's "root" is the original's source root made absolute (docs/MATRIX.md), so its relative
`source` and `include_dirs` still resolve wherever the copy lives; each --flag is appended to every
kernel's extra_flags (the GPU test forces the generic path with -DPA_FORCE_GENERIC=1). Key order is
kept: axis order decides variant names.

    derive_matrix.py <matrix.json> <copy.json> [--flag=FLAG]...
"""
import argparse
import json
import os


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("matrix")
    parser.add_argument("copy")
    parser.add_argument("--flag", action="append", default=[])
    a = parser.parse_args()
    with open(a.matrix) as f:
        matrix = json.load(f)  # dicts keep the file's key order
    here = os.path.dirname(os.path.abspath(a.matrix))
    matrix["root"] = os.path.normpath(os.path.join(here, matrix.get("root", ".")))
    for kernel in matrix["kernels"]:
        kernel["extra_flags"] = kernel.get("extra_flags", []) + a.flag
    tmp = a.copy + ".tmp"
    with open(tmp, "w") as f:
        json.dump(matrix, f, indent=1)
        f.write("\n")
    os.replace(tmp, a.copy)


if __name__ == "__main__":
    main()
