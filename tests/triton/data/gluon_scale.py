"""A small Gluon kernel for the Triton frontend's tests: y = alpha * x, one explicit blocked
layout whose threads per warp follow the target (64 on CDNA, 32 on NVIDIA)."""
from triton.experimental import gluon
from triton.experimental.gluon import language as gl


@gluon.jit
def gluon_scale(x_ptr, y_ptr, n, alpha, BLOCK: gl.constexpr, WARP_SIZE: gl.constexpr,
                NUM_WARPS: gl.constexpr):
    layout: gl.constexpr = gl.BlockedLayout(size_per_thread=[BLOCK // (WARP_SIZE * NUM_WARPS)],
                                            threads_per_warp=[WARP_SIZE],
                                            warps_per_cta=[NUM_WARPS], order=[0])
    offsets = gl.program_id(0) * BLOCK + gl.arange(0, BLOCK, layout=layout)
    mask = offsets < n
    x = gl.load(x_ptr + offsets, mask=mask, other=0.0)
    gl.store(y_ptr + offsets, x * alpha, mask=mask)
