"""Split-K matrix-vector product, y = alpha * (A @ x), in two Triton kernels: the example of a
Triton kernel family that aotc builds (configs/triton-splitk-gemv.json).

  splitk_gemv_partial  grid (ceil(M / BLOCK_M), num_splits): each program multiplies BLOCK_M rows
                       of A by one K-slice of x, in float32, into partial[split, rows]
  splitk_gemv_reduce   grid (ceil(M / BLOCK_M)): sums the num_splits partials of its rows, scales
                       by alpha and stores y in A's dtype

A is row-major [M, K] with row stride stride_am (elements); x is [K]; partial is the caller's
float32 workspace [num_splits, M]; k_per_split is a multiple of BLOCK_K.
"""
import triton
import triton.language as tl


@triton.jit
def splitk_gemv_partial(a_ptr, x_ptr, partial_ptr, M, K, stride_am, k_per_split,
                        BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    split = tl.program_id(1)
    k_begin = split * k_per_split
    k_end = tl.minimum(k_begin + k_per_split, K)
    acc = tl.zeros((BLOCK_M,), dtype=tl.float32)
    for k0 in range(k_begin, k_end, BLOCK_K):
        cols = k0 + tl.arange(0, BLOCK_K)
        in_k = cols < k_end
        a = tl.load(a_ptr + rows[:, None] * stride_am + cols[None, :],
                    mask=(rows[:, None] < M) & in_k[None, :], other=0.0)
        x = tl.load(x_ptr + cols, mask=in_k, other=0.0)
        acc += tl.sum(a.to(tl.float32) * x.to(tl.float32)[None, :], axis=1)
    tl.store(partial_ptr + split * M + rows, acc, mask=rows < M)


@triton.jit
def splitk_gemv_reduce(partial_ptr, y_ptr, M, num_splits, alpha, BLOCK_M: tl.constexpr):
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    mask = rows < M
    acc = tl.zeros((BLOCK_M,), dtype=tl.float32)
    for s in range(0, num_splits):
        acc += tl.load(partial_ptr + s * M + rows, mask=mask, other=0.0)
    tl.store(y_ptr + rows, (acc * alpha).to(y_ptr.dtype.element_ty), mask=mask)
