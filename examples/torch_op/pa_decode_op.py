"""pa_decode as a PyTorch custom operator (torch.library), callable eagerly and inside
torch.compile'd code (fullgraph), launched through the aotc package on PyTorch's current stream
with its workspace from PyTorch's caching allocator.

    import pa_decode_op                       # registers torch.ops.aotc.pa_decode
    pa_decode_op.register("out")              # an `aotc build --shared-lib` output folder
    out = torch.ops.aotc.pa_decode(query, key_cache, value_cache, block_tables, context_lens,
                                   k_scale, v_scale, kv_scale_mode, scale, max_context_len)

Layouts are the kernel's (kernels/pa_decode/README.md): query [num_seqs * query_len, Hq, D],
key_cache [num_blocks, Hkv, D / x, block_size, x], value_cache [num_blocks, Hkv, D, block_size],
block_tables [num_seqs, max_blocks_per_seq] int32, context_lens [num_seqs] int32. The variant's
key comes from the tensors' dtypes and shapes, so every call picks its variant the way the
launcher does, and an unbuilt shape raises aotc.Error listing the nearest built keys.
"""
from __future__ import annotations

import os
from typing import Optional

import torch

import aotc

_family: Optional[aotc.Family] = None

_KV_DTYPES = {torch.float16: "fp16", torch.bfloat16: "bf16", torch.float8_e4m3fn: "fp8",
              torch.float8_e4m3fnuz: "fp8"}


def register(out_dir: Optional[str] = None) -> aotc.Family:
    """Loads the pa_decode family from `out_dir` (default: $AOTC_OUT, else ./out)."""
    global _family
    _family = aotc.load(out_dir or os.environ.get("AOTC_OUT", "out")).pa_decode
    return _family


def key_of(query: torch.Tensor, key_cache: torch.Tensor, context_lens: torch.Tensor) -> dict:
    """The variant key a call needs, from dtypes and shapes."""
    if key_cache.dtype not in _KV_DTYPES:
        raise aotc.Error(f"pa_decode: key_cache dtype {key_cache.dtype} is not fp16, bf16 or fp8")
    num_seqs = context_lens.shape[0]
    return {"kv_dtype": _KV_DTYPES[key_cache.dtype], "block_size": key_cache.shape[3],
            "query_len": query.shape[0] // num_seqs, "heads": (query.shape[1], key_cache.shape[1]),
            "head_dim": query.shape[2]}


@torch.library.custom_op("aotc::pa_decode", mutates_args=())
def pa_decode(query: torch.Tensor, key_cache: torch.Tensor, value_cache: torch.Tensor,
              block_tables: torch.Tensor, context_lens: torch.Tensor, k_scale: torch.Tensor,
              v_scale: torch.Tensor, kv_scale_mode: int, scale: float, max_context_len: int) -> torch.Tensor:
    """Paged-attention decode; returns the attention output shaped like `query`."""
    if _family is None:
        register()
    out = torch.empty_like(query)
    _family(**key_of(query, key_cache, context_lens), out=out, query=query, key_cache=key_cache,
            value_cache=value_cache, block_tables=block_tables, context_lens=context_lens,
            k_scale=k_scale, v_scale=v_scale, kv_scale_mode=kv_scale_mode, scale=scale,
            num_seqs=context_lens.shape[0], max_blocks_per_seq=block_tables.shape[1],
            max_context_len=max_context_len)
    return out


@pa_decode.register_fake
def _(query, key_cache, value_cache, block_tables, context_lens, k_scale, v_scale, kv_scale_mode,
      scale, max_context_len):
    # What torch.compile traces with: the output's shape and dtype, no launch.
    return torch.empty_like(query)
