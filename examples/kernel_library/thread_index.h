// Thread and block indices from clang builtins (no ROCm or CUDA headers needed).
#pragma once
#include <stdint.h>

#if defined(__AMDGCN__)
#define THREAD_X() __builtin_amdgcn_workitem_id_x()
#define BLOCK_X() __builtin_amdgcn_workgroup_id_x()
#else
#define THREAD_X() __nvvm_read_ptx_sreg_tid_x()
#define BLOCK_X() __nvvm_read_ptx_sreg_ctaid_x()
#endif
