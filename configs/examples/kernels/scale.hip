// y[i] = alpha * x[i] for i < n: the example kernel of configs/examples. One source for AMD and
// NVIDIA, compiled without GPU headers (-nogpuinc / -nocudainc), so it names the thread and block
// registers through clang builtins. The matrix chooses the element type (SCALE_DTYPE), the threads
// per block (SCALE_BLOCK_SIZE) and the consecutive elements per thread (SCALE_ITEMS).
#define SCALE_DTYPE_F32 1
#define SCALE_DTYPE_F16 2

#if !defined(SCALE_DTYPE) || !defined(SCALE_BLOCK_SIZE) || !defined(SCALE_ITEMS)
#error "build through the matrix: SCALE_DTYPE, SCALE_BLOCK_SIZE and SCALE_ITEMS come from its axes"
#endif

#if SCALE_DTYPE == SCALE_DTYPE_F32
typedef float scale_t;
#elif SCALE_DTYPE == SCALE_DTYPE_F16
typedef _Float16 scale_t;
#else
#error "SCALE_DTYPE must be SCALE_DTYPE_F32 or SCALE_DTYPE_F16"
#endif

#if defined(__AMDGCN__)
#define SCALE_THREAD_ID() __builtin_amdgcn_workitem_id_x()
#define SCALE_BLOCK_ID() __builtin_amdgcn_workgroup_id_x()
#elif defined(__NVPTX__)
#define SCALE_THREAD_ID() __nvvm_read_ptx_sreg_tid_x()
#define SCALE_BLOCK_ID() __nvvm_read_ptx_sreg_ctaid_x()
#endif

extern "C" __attribute__((global))
__attribute__((launch_bounds(SCALE_BLOCK_SIZE))) void scale(scale_t* y, const scale_t* x,
                                                            float alpha, int n) {
#if defined(__AMDGCN__) || defined(__NVPTX__)
  int base = ((int)SCALE_BLOCK_ID() * SCALE_BLOCK_SIZE + (int)SCALE_THREAD_ID()) * SCALE_ITEMS;
#pragma unroll
  for (int k = 0; k < SCALE_ITEMS; ++k) {
    int i = base + k;
    if (i < n) y[i] = (scale_t)(alpha * (float)x[i]);
  }
#endif
}
