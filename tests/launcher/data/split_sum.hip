// A two-step kernel family for the launcher tests (tests/launcher): split_sum_partial sums x in
// `num_partitions` slices (thread 0 of each block, SPLIT_ITEMS elements per iteration), straight
// into out when there is one slice, else into a workspace of partial sums that split_sum_reduce
// adds up. Its params cover the kinds argument packing must place: pointers, float, int64, int32.
// Self-contained (the matrix may only name paths inside its own folder): clang builtins instead
// of kernels/gpu_portability.h.
#include <stdint.h>

#if defined(__AMDGCN__)
#define THREAD_X() __builtin_amdgcn_workitem_id_x()
#define BLOCK_X() __builtin_amdgcn_workgroup_id_x()
#else
#define THREAD_X() __nvvm_read_ptx_sreg_tid_x()
#define BLOCK_X() __nvvm_read_ptx_sreg_ctaid_x()
#endif
#define KERNEL extern "C" __attribute__((global))

#if SPLIT_ACC == SPLIT_ACC_F64
typedef double acc_t;
#else
typedef float acc_t;
#endif

KERNEL void split_sum_partial(float* out, const float* x, acc_t* partials, int64_t n, float scale,
                              int32_t num_partitions) {
  if (THREAD_X() != 0) return;
  const int64_t p = BLOCK_X();
  const int64_t per = (n + num_partitions - 1) / num_partitions;
  const int64_t end = (p + 1) * per < n ? (p + 1) * per : n;
  acc_t sum = 0;
  for (int64_t base = p * per; base < end; base += SPLIT_ITEMS) {
#pragma unroll
    for (int64_t i = base; i < base + SPLIT_ITEMS; ++i) sum += i < end ? acc_t(x[i]) : acc_t(0);
  }
  if (num_partitions == 1) {
    out[0] = float(sum * acc_t(scale));
  } else {
    partials[p] = sum * acc_t(scale);
  }
}

KERNEL void split_sum_reduce(float* out, const acc_t* partials, int32_t num_partitions) {
#if defined(__NVPTX__) && __CUDA_ARCH__ >= 900
  // Tests launch this step with "overlap_previous": the partials are read only after the wait.
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
  if (THREAD_X() != 0) return;
  acc_t sum = 0;
  for (int32_t i = 0; i < num_partitions; ++i) sum += partials[i];
  out[0] = float(sum);
}
