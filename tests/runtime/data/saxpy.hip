// One source for AMD (clang -x hip) and NVIDIA (clang -x cuda), with no GPU headers: the runtime
// tests compile it for several targets and check the layouts the runtime reads from the results.
#if defined(__AMDGCN__)
#define THREAD_ID __builtin_amdgcn_workitem_id_x()
#define BLOCK_ID __builtin_amdgcn_workgroup_id_x()
#define BLOCK_DIM __builtin_amdgcn_workgroup_size_x()
#else
#define THREAD_ID __nvvm_read_ptx_sreg_tid_x()
#define BLOCK_ID __nvvm_read_ptx_sreg_ctaid_x()
#define BLOCK_DIM __nvvm_read_ptx_sreg_ntid_x()
#endif
#define KERNEL extern "C" __attribute__((global))

// y = a * x + y; the float scalar must arrive as a 4-byte float.
KERNEL void saxpy(float* y, const float* x, float a, int n) {
  int i = BLOCK_ID * BLOCK_DIM + THREAD_ID;
  if (i < n) y[i] = a * x[i] + y[i];
}

// Mixed sizes and padding: out at 0, tag at 8 (1 byte), value at 16, n at 24.
KERNEL void fill(double* out, char tag, double value, int n) {
  int i = BLOCK_ID * BLOCK_DIM + THREAD_ID;
  if (i < n) out[i] = value + tag;
}
