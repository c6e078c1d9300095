#!/usr/bin/env python3
"""Joins FlashInfer's and our timings of the anchor shapes, taken in one device call, into one
side-by-side CSV, and prints the issue's figures (ratio = FlashInfer time / our time).

  side_by_side.py --flashinfer fi1.csv [fi2.csv ...] --ours ours1.csv [ours2.csv ...]
                  --copy-tbps 4.25 --out side_by_side.csv

Each side's time per shape is its best over the passes (and, for FlashInfer, over its paths:
cc and tc), as the FlashInfer anchors file does."""
import argparse
import csv
import math
import statistics

KEY = ("kv", "Hq", "Hkv", "qlen", "page", "B", "ctx")


def read(paths, with_path):
    best = {}
    for path in paths:
        with open(path) as f:
            for row in csv.DictReader(f):
                key = tuple(row[k] for k in KEY)
                us = float(row["us"])
                if key not in best or us < best[key][0]:
                    best[key] = (us, float(row["TBps"]), row["path"] if with_path else row["partitions"])
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flashinfer", nargs="+", required=True)
    ap.add_argument("--ours", nargs="+", required=True)
    ap.add_argument("--copy-tbps", type=float, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    fi = read(args.flashinfer, True)
    ours = read(args.ours, False)
    shared = sorted(set(fi) & set(ours), key=lambda k: (k[0], int(k[3]), int(k[4]), int(k[2]), int(k[6]), int(k[5])))
    missing = sorted(set(fi) ^ set(ours))
    rows = []
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(KEY) + ["fi_us", "fi_path", "fi_TBps", "our_us", "our_TBps", "ratio",
                                "partitions", "copy_TBps"])
        for key in shared:
            (fus, ftb, fpath), (ous, otb, parts) = fi[key], ours[key]
            ratio = fus / ous
            rows.append((key, fus, ous, otb, ratio))
            w.writerow(list(key) + [f"{fus:.2f}", fpath, f"{ftb:.4f}", f"{ous:.2f}", f"{otb:.4f}",
                                    f"{ratio:.3f}", parts, f"{args.copy_tbps:.3f}"])
    if missing:
        print(f"warning: {len(missing)} shapes timed by one side only: {missing[:4]} ...")
    ratios = [r[4] for r in rows]
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"{len(rows)} shapes; copy {args.copy_tbps:.3f} TB/s")
    print(f"geometric mean ratio {geo:.3f}; min {min(ratios):.3f}; "
          f"below 0.95: {sum(r < 0.95 for r in ratios)}; faster than FlashInfer: {sum(r > 1 for r in ratios)}")
    for kv in ("bf16", "fp8"):
        for q in ("1", "4"):
            sel = [r[4] for r in rows if r[0][0] == kv and r[0][3] == q]
            if sel:
                print(f"  {kv} q{q}: median ratio {statistics.median(sel):.3f} "
                      f"[{min(sel):.3f}, {max(sel):.3f}]")
    print("targets:")
    for kv, q, need in (("bf16", "1", 4.2), ("bf16", "4", 4.0), ("fp8", "1", 3.4), ("fp8", "4", 3.0)):
        for hkv in ("4", "8"):
            for page in ("16", "64"):
                sel = [r for r in rows if r[0] == (kv, "64", hkv, q, page, "128", "8192")]
                for r in sel:
                    print(f"  {kv} q{q} Hkv{hkv} page{page} B128 ctx8192: {r[3]:.3f} TB/s "
                          f"(target >= {need}; FlashInfer {r[3] * r[2] / r[1]:.3f}) "
                          f"{'met' if r[3] >= need else 'NOT met'}")
    for page in ("16", "64"):
        sel = [r for r in rows if r[0] == ("bf16", "64", "8", "1", page, "1", "2048")]
        for r in sel:
            print(f"  bf16 q1 Hkv8 page{page} B1 ctx2048: {r[2]:.2f} us (target <= 10; FlashInfer "
                  f"{r[1]:.2f}) {'met' if r[2] <= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
