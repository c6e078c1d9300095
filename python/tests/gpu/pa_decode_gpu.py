"""GPU acceptance of the aotc package (run on the device machine by run_on_device.sh):

1. pa_decode through aotc.load(out).pa_decode on PyTorch tensors, for every variant of the build
   (the default matrix's sm_90a variants), on a few shapes, against a float64 PyTorch reference;
   the same through examples/torch_op's custom operator, eagerly and under torch.compile.
2. Launch overhead: host time per call of the family from Python (workspace from PyTorch's
   caching allocator, and caller-provided), of the bare C ABI call through ctypes, and of a plain
   PyTorch elementwise op (torch.add into a preallocated tensor); medians of N calls each.

usage: pa_decode_gpu.py OUT_DIR [--calls N]   (prints a table per part; exit 1 on any mismatch)
"""
from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import time
from pathlib import Path

import torch

import aotc

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[3] / "examples" / "torch_op"))
import pa_decode_op  # noqa: E402

DTYPES = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp8": torch.float8_e4m3fn}
TOLERANCE = {"fp16": 2e-3, "bf16": 1e-2, "fp8": 1e-2}  # relative L2 error
SHAPES = [[1], [77, 1, 513], [2048, 300, 5, 1000]]  # context lengths per sequence


def make_problem(key: dict, contexts, generator: torch.Generator):
    kv = key["kv_dtype"]
    bs, qlen, (hq, hkv), d = key["block_size"], key["query_len"], key["heads"], key["head_dim"]
    num_seqs = len(contexts)
    io = torch.float16 if kv == "fp16" else torch.bfloat16
    x = 16 // (1 if kv == "fp8" else 2)
    blocks_per_seq = [(c + bs - 1) // bs for c in contexts]
    max_blocks = max(blocks_per_seq)
    num_blocks = sum(blocks_per_seq) + 3
    dev = "cuda"
    query = torch.randn(num_seqs * qlen, hq, d, generator=generator, device=dev).to(io)
    key_cache = (torch.randn(num_blocks, hkv, d // x, bs, x, generator=generator, device=dev) * 0.5).to(DTYPES[kv])
    value_cache = torch.randn(num_blocks, hkv, d, bs, generator=generator, device=dev).to(DTYPES[kv])
    perm = torch.randperm(num_blocks, generator=generator, device=dev).to(torch.int32)
    block_tables = torch.zeros(num_seqs, max_blocks, dtype=torch.int32, device=dev)
    used = 0
    for s, n in enumerate(blocks_per_seq):
        block_tables[s, :n] = perm[used:used + n]
        used += n
    context_lens = torch.tensor(contexts, dtype=torch.int32, device=dev)
    k_scale = torch.tensor([0.75], device=dev)
    v_scale = torch.tensor([1.25], device=dev)
    return dict(query=query, key_cache=key_cache, value_cache=value_cache, block_tables=block_tables,
                context_lens=context_lens, k_scale=k_scale, v_scale=v_scale, kv_scale_mode=0,
                scale=d ** -0.5, num_seqs=num_seqs, max_blocks_per_seq=max_blocks,
                max_context_len=max(contexts))


def reference(key: dict, p: dict) -> torch.Tensor:
    """float64 attention over the dequantised paged cache (kernels/pa_decode/README.md)."""
    kv = key["kv_dtype"]
    qlen, (hq, hkv), d = key["query_len"], key["heads"], key["head_dim"]
    group = hq // hkv
    ks = float(p["k_scale"][0]) if kv == "fp8" else 1.0
    vs = float(p["v_scale"][0]) if kv == "fp8" else 1.0
    kc = p["key_cache"].to(torch.float64)  # [nb, hkv, d/x, bs, x]
    kc = kc.permute(0, 1, 3, 2, 4).reshape(kc.shape[0], hkv, kc.shape[3], d) * ks  # [nb, hkv, bs, d]
    vc = p["value_cache"].to(torch.float64).permute(0, 1, 3, 2) * vs  # [nb, hkv, bs, d]
    q = p["query"].to(torch.float64)
    out = torch.zeros_like(q)
    bs = key["block_size"]
    for s, length in enumerate(p["context_lens"].tolist()):
        tokens = torch.arange(length, device=q.device)
        blocks = p["block_tables"][s].long()[tokens // bs]
        keys = kc[blocks, :, tokens % bs]  # [L, hkv, d]
        values = vc[blocks, :, tokens % bs]
        for i in range(qlen):
            visible = length - qlen + i + 1
            if visible <= 0:
                continue
            qi = q[s * qlen + i].view(hkv, group, d)
            scores = torch.einsum("hgd,thd->hgt", qi, keys[:visible]) * p["scale"]
            out[s * qlen + i] = torch.einsum("hgt,thd->hgd", scores.softmax(-1), values[:visible]).reshape(hq, d)
    return out


def relative_error(out: torch.Tensor, ref: torch.Tensor) -> float:
    out = out.to(torch.float64)
    if not torch.isfinite(out).all():
        return float("inf")
    return float((out - ref).norm() / ref.norm())


def check_variants(family: aotc.Family) -> int:
    generator = torch.Generator(device="cuda").manual_seed(20261130)
    failures, worst = 0, {}
    variants = family.variants()
    print(f"== pa_decode through the aotc package: {len(variants)} variants x {len(SHAPES)} shapes")
    for v in variants:
        for contexts in SHAPES:
            p = make_problem(v.key, contexts, generator)
            out = torch.full_like(p["query"], float("nan"))
            family(**v.key, out=out, **p)
            torch.cuda.synchronize()
            err = relative_error(out, reference(v.key, p))
            kv = v.key["kv_dtype"]
            worst[kv] = max(worst.get(kv, 0.0), err)
            if not err <= TOLERANCE[kv]:
                failures += 1
                print(f"FAIL {v.name} contexts={contexts}: relative error {err:.3g} > {TOLERANCE[kv]}")
    print(f"{len(variants) * len(SHAPES)} cases, {failures} failures; largest relative error: "
          + ", ".join(f"{k} {e:.2e}" for k, e in sorted(worst.items())))
    return failures


def check_custom_op(family: aotc.Family) -> int:
    pa_decode_op._family = family
    generator = torch.Generator(device="cuda").manual_seed(7)
    key = {"kv_dtype": "bf16", "block_size": 16, "query_len": 1, "heads": (64, 8), "head_dim": 128}
    p = make_problem(key, [1, 77, 513, 2048], generator)
    args = (p["query"], p["key_cache"], p["value_cache"], p["block_tables"], p["context_lens"], p["k_scale"],
            p["v_scale"], 0, p["scale"], p["max_context_len"])

    def step(*a):
        return torch.ops.aotc.pa_decode(*a) * 2.0

    ref = reference(key, p) * 2.0
    eager = relative_error(step(*args), ref)
    compiled_fn = torch.compile(step, fullgraph=True)
    started = time.perf_counter()
    try:
        compiled = relative_error(compiled_fn(*args), ref)
    except Exception as e:  # reported, not fatal: the eager figures above still stand
        print(f"torch.compile of the custom operator failed: {type(e).__name__}: {e}")
        compiled = float("inf")
    print(f"== torch.ops.aotc.pa_decode (examples/torch_op): eager error {eager:.2e}, torch.compile(fullgraph) "
          f"error {compiled:.2e} (compile + first call {time.perf_counter() - started:.1f} s)")
    return int(not (eager <= TOLERANCE["bf16"] and compiled <= TOLERANCE["bf16"]))


def per_call_ns(fn, calls: int) -> list:
    """Host time of each call; the GPU is drained every 256 calls (outside the timings) so the
    launch queue never fills and blocks a call."""
    times = []
    for start in range(0, calls, 256):
        torch.cuda.synchronize()
        for _ in range(min(256, calls - start)):
            t0 = time.perf_counter_ns()
            fn()
            times.append(time.perf_counter_ns() - t0)
    torch.cuda.synchronize()
    return times


def overhead(family: aotc.Family, calls: int) -> None:
    key = {"kv_dtype": "bf16", "block_size": 16, "query_len": 1, "heads": (64, 8), "head_dim": 128}
    p = make_problem(key, [16], torch.Generator(device="cuda").manual_seed(1))
    out = torch.empty_like(p["query"])
    nbytes = family.workspace_bytes(**key, **{k: v for k, v in p.items() if not torch.is_tensor(v)})
    workspace = torch.empty(max(nbytes, 1), dtype=torch.uint8, device="cuda")
    a = torch.randn(1024, device="cuda")
    b = torch.randn(1024, device="cuda")
    c = torch.empty_like(a)
    # The bare C ABI call, structs built once: the floor under the package's own conversions.
    c_key = family._make_key(key)
    c_args = family._make_args(dict(out=out, **p))
    c_args.workspace = workspace.data_ptr()
    stream = torch.cuda.current_stream().cuda_stream
    launch = family._launch
    key_ref, args_ref = ctypes.byref(c_key), ctypes.byref(c_args)
    methods = {
        "torch.add(a, b, out=c), 1024 floats": lambda: torch.add(a, b, out=c),
        "aotc family(...), workspace from torch's allocator": lambda: family(**key, out=out, **p),
        "aotc family(..., workspace=tensor)": lambda: family(**key, out=out, workspace=workspace, **p),
        "C ABI aotc_pa_decode_launch via ctypes, structs prebuilt": lambda: launch(stream, key_ref, args_ref),
    }
    for fn in methods.values():  # warm-up: module loads, allocator pools, first-launch checks
        for _ in range(100):
            fn()
    results = {name: [] for name in methods}
    for _ in range(4):  # interleaved rounds, so drift affects every method alike
        for name, fn in methods.items():
            results[name] += per_call_ns(fn, calls // 4)
    print(f"== launch overhead, host time per call (us), {calls} calls each "
          f"(pa_decode bf16 bs16 q1 h64x8 d128, 1 sequence of 16 tokens)")
    print(f"{'method':58} {'median':>8} {'p10':>8} {'p90':>8}")
    for name, t in results.items():
        t = sorted(t)
        print(f"{name:58} {statistics.median(t) / 1e3:8.2f} {t[len(t) // 10] / 1e3:8.2f} "
              f"{t[9 * len(t) // 10] / 1e3:8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name()}, python {sys.version.split()[0]}")
    family = aotc.load(args.out_dir).pa_decode
    torch.cuda.init()
    failures = check_variants(family)
    overhead(family, args.calls)
    failures += check_custom_op(family)  # last: torch.compile's first call takes the longest
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
