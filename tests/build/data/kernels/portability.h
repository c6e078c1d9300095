// The few builtins the test kernels need, for both vendors' device compiles (no GPU headers:
// aotc compiles with -nogpuinc / -nocudainc).
#pragma once

#define TEST_GLOBAL extern "C" __attribute__((global))
#define TEST_DEVICE __attribute__((device)) static inline

#if defined(__AMDGCN__)
TEST_DEVICE int thread_index() { return __builtin_amdgcn_workitem_id_x(); }
#elif defined(__NVPTX__)
TEST_DEVICE int thread_index() { return __nvvm_read_ptx_sreg_tid_x(); }
#else
TEST_DEVICE int thread_index() { return 0; }
#endif
