// One kernel source for AMD (amdgcn, clang -x hip) and NVIDIA (nvptx, clang -x cuda), compiled
// with -nogpuinc -nogpulib / -nocudainc -nocudalib: no ROCm or CUDA header is available, so this
// header supplies the few pieces kernels need, spelled with clang builtins. Parts that are plain
// arithmetic (number-format conversions) are also compiled for the host, so host tests and the
// CPU reference exercise the very code the GPU runs.
//
// Supported device targets: gfx9 CDNA (gfx90a, gfx942, gfx950; wave64) and sm_80+ (warp32).
#pragma once

#include <stdint.h>

#if defined(__AMDGCN__) || defined(__NVPTX__)
#define GPU_DEVICE_PASS 1
#else
#define GPU_DEVICE_PASS 0
#endif

// clang knows these attributes in HIP and CUDA mode; the SDK headers that usually spell them
// are not used. In a plain host compile they vanish so shared helpers compile as ordinary C++.
#if defined(__HIP__) || defined(__CUDA__)
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __host__ __attribute__((host))
#define __shared__ __attribute__((shared))
#define GPU_HD __attribute__((host, device)) inline
#else
#define GPU_HD inline
#endif
#define GPU_INLINE __attribute__((always_inline))

namespace gpu {

// ---------------------------------------------------------------------------------------------
// Number formats (host and device). bf16 and fp16 travel as uint16_t bit patterns; fp8 as uint8_t.

GPU_HD float bf16_to_float(uint16_t bits) {
  return __builtin_bit_cast(float, uint32_t(bits) << 16);
}

// Round to nearest even, NaN kept quiet (the rounding add would otherwise carry NaN into Inf).
GPU_HD uint16_t float_to_bf16(float f) {
  uint32_t u = __builtin_bit_cast(uint32_t, f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}

GPU_HD float fp16_to_float(uint16_t bits) { return float(__builtin_bit_cast(_Float16, bits)); }
GPU_HD uint16_t float_to_fp16(float f) { return __builtin_bit_cast(uint16_t, _Float16(f)); }

// Two floats as one 32-bit register of 16-bit values, low half first: the operand pairs that
// matrix instructions (mma.sync, MFMA) take for fp16 (kFp16) or bf16.
template <bool kFp16>
GPU_HD uint32_t pack_half2(float lo, float hi) {
  if constexpr (kFp16) {
    return uint32_t(float_to_fp16(lo)) | (uint32_t(float_to_fp16(hi)) << 16);
  } else {
    return uint32_t(float_to_bf16(lo)) | (uint32_t(float_to_bf16(hi)) << 16);
  }
}

// fp8 e4m3: 1 sign, 4 exponent, 3 mantissa bits, no infinities.
//   e4m3fn (OCP, NVIDIA, gfx950): bias 7, NaN = S.1111.111, -0 exists.
//   e4m3fnuz (gfx942):            bias 8, NaN = 0x80 (the would-be -0), no -0.
// The exponent and mantissa fields are placed into an fp16 (5-bit exponent, bias 15), which
// represents every e4m3 value exactly, subnormals included, so one fp16->f32 conversion and a
// power-of-two multiply decode it without relying on f32 denormal support.
template <int Bias>
GPU_HD float fp8_e4m3_to_float(uint8_t code) {
  uint16_t h = uint16_t(((code & 0x80u) << 8) | ((code & 0x7fu) << 7));
  return fp16_to_float(h) * float(1 << (15 - Bias));
}

GPU_HD float fp8_e4m3fn_to_float(uint8_t code) {
  return (code & 0x7fu) == 0x7fu ? __builtin_nanf("") : fp8_e4m3_to_float<7>(code);
}

GPU_HD float fp8_e4m3fnuz_to_float(uint8_t code) {
  return code == 0x80u ? __builtin_nanf("") : fp8_e4m3_to_float<8>(code);
}

}  // namespace gpu

#if GPU_DEVICE_PASS
namespace gpu {

// ---------------------------------------------------------------------------------------------
// Work-item ids, barriers, lanes.
#if defined(__AMDGCN__)
#if !defined(__gfx90a__) && !defined(__gfx942__) && !defined(__gfx950__)
#error "gpu_portability.h: only gfx9 CDNA targets (wave64) are supported on AMD"
#endif
constexpr int kWarpSize = 64;
__device__ GPU_INLINE inline unsigned thread_x() { return __builtin_amdgcn_workitem_id_x(); }
__device__ GPU_INLINE inline unsigned block_x() { return __builtin_amdgcn_workgroup_id_x(); }
__device__ GPU_INLINE inline unsigned block_y() { return __builtin_amdgcn_workgroup_id_y(); }
__device__ GPU_INLINE inline unsigned block_z() { return __builtin_amdgcn_workgroup_id_z(); }
__device__ GPU_INLINE inline unsigned block_dim_x() { return __builtin_amdgcn_workgroup_size_x(); }
// HIP's __syncthreads: release fence, s_barrier, acquire fence (LDS and global visibility).
__device__ GPU_INLINE inline void sync_threads() {
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup");
  __builtin_amdgcn_s_barrier();
  __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup");
}
// A wave executes in lockstep; the fence keeps the compiler from reordering LDS accesses.
__device__ GPU_INLINE inline void sync_warp() {
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "wavefront");
  __builtin_amdgcn_wave_barrier();
  __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "wavefront");
}
__device__ GPU_INLINE inline unsigned lane_id() {
  return __builtin_amdgcn_mbcnt_hi(~0u, __builtin_amdgcn_mbcnt_lo(~0u, 0u));
}
__device__ GPU_INLINE inline float shfl_xor(float v, int mask) {
  int src = int(lane_id() ^ unsigned(mask)) << 2;
  return __builtin_bit_cast(float, __builtin_amdgcn_ds_bpermute(src, __builtin_bit_cast(int, v)));
}
#elif defined(__NVPTX__)
constexpr int kWarpSize = 32;
__device__ GPU_INLINE inline unsigned thread_x() { return __nvvm_read_ptx_sreg_tid_x(); }
__device__ GPU_INLINE inline unsigned block_x() { return __nvvm_read_ptx_sreg_ctaid_x(); }
__device__ GPU_INLINE inline unsigned block_y() { return __nvvm_read_ptx_sreg_ctaid_y(); }
__device__ GPU_INLINE inline unsigned block_z() { return __nvvm_read_ptx_sreg_ctaid_z(); }
__device__ GPU_INLINE inline unsigned block_dim_x() { return __nvvm_read_ptx_sreg_ntid_x(); }
__device__ GPU_INLINE inline void sync_threads() { __syncthreads(); }
__device__ GPU_INLINE inline void sync_warp() { __nvvm_bar_warp_sync(0xffffffffu); }
__device__ GPU_INLINE inline unsigned lane_id() { return __nvvm_read_ptx_sreg_laneid(); }
__device__ GPU_INLINE inline float shfl_xor(float v, int mask) {
  return __nvvm_shfl_sync_bfly_f32(0xffffffffu, v, mask, 0x1f);
}
#endif

// Programmatic dependent launch (Hopper): a kernel launched with programmatic stream
// serialization may start while the kernel before it in the stream still runs; it must call
// wait_for_prior_grid() before touching what that kernel writes (the call returns once the prior
// grid has completed and its writes are visible). allow_dependent_launch() lets the next kernel
// start early. Both are no-ops in a plain launch and on targets without the feature, where stream
// order alone serialises kernels.
__device__ GPU_INLINE inline void wait_for_prior_grid() {
#if defined(__NVPTX__) && defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}
__device__ GPU_INLINE inline void allow_dependent_launch() {
#if defined(__NVPTX__) && defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

// Asks the L2 for the 128-byte line holding p (NVIDIA; a no-op elsewhere so far): for data a later
// load needs whose address is known before the load can be issued.
__device__ GPU_INLINE inline void prefetch_l2(const void* p) {
#if defined(__NVPTX__)
  asm volatile("prefetch.global.L2 [%0];" ::"l"(p));
#else
  (void)p;
#endif
}

// Butterfly reductions over lanes [0, Width) groups; every lane of a group gets the result.
template <int Width = kWarpSize>
__device__ GPU_INLINE inline float warp_max(float v) {
#pragma unroll
  for (int m = Width / 2; m > 0; m /= 2) v = __builtin_fmaxf(v, shfl_xor(v, m));
  return v;
}
template <int Width = kWarpSize>
__device__ GPU_INLINE inline float warp_sum(float v) {
#pragma unroll
  for (int m = Width / 2; m > 0; m /= 2) v += shfl_xor(v, m);
  return v;
}

// LLVM < 20 cannot lower exp2 on f32 for NVPTX ("no libcall available for fexp2"); LLVM >= 20
// lowers it to ex2.approx.f32, the instruction the NVVM builtin names, so both compilers give
// the same PTX instruction (and the newer one keeps its generic form, free to fold constants).
#if defined(__NVPTX__) && __clang_major__ < 20
__device__ GPU_INLINE inline float exp2(float x) { return __nvvm_ex2_approx_f(x); }
#else
__device__ GPU_INLINE inline float exp2(float x) { return __builtin_exp2f(x); }
#endif

// ---------------------------------------------------------------------------------------------
// 16-byte vector memory access: global_load_dwordx4 on AMD, ld.global.v4.u32 on NVIDIA. The
// address must be 16-byte aligned.
//
// Copy an element into a scalar before __builtin_bit_cast: clang 22 bit-casts an element lvalue
// (v[i]) from element 0 whatever i (KERNEL_NOTES, run 21).
typedef uint32_t u32x4 __attribute__((ext_vector_type(4)));

__device__ GPU_INLINE inline u32x4 load16(const void* p) { return *static_cast<const u32x4*>(p); }
__device__ GPU_INLINE inline void store16(void* p, u32x4 v) { *static_cast<u32x4*>(p) = v; }

// Word w of a 16-byte vector. A select chain rather than v[w]: with a run-time w, indexing a
// vector register sends it to local memory on NVIDIA; with a constant w both fold to one move.
__device__ GPU_INLINE inline uint32_t word_of(u32x4 v, int w) {
  return w == 0 ? v[0] : w == 1 ? v[1] : w == 2 ? v[2] : v[3];
}
// Element e (of 16-bit ones) and byte e of a 16-byte vector.
__device__ GPU_INLINE inline uint16_t half_of(u32x4 v, int e) {
  return uint16_t(word_of(v, e >> 1) >> ((e & 1) * 16));
}
__device__ GPU_INLINE inline uint8_t byte_of(u32x4 v, int e) {
  return uint8_t(word_of(v, e >> 2) >> ((e & 3) * 8));
}

}  // namespace gpu
#endif  // GPU_DEVICE_PASS
