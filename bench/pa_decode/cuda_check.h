// CUDA driver API calls with their error checked: a failure prints the call, the driver's own
// error name and string, and where, then exits (this is a bench program, not library code).
#pragma once

#include <cuda.h>

#include <cstdio>
#include <cstdlib>

#define CU_CHECK(call)                                                                        \
  do {                                                                                        \
    CUresult cu_check_rc = (call);                                                            \
    if (cu_check_rc != CUDA_SUCCESS) {                                                        \
      const char* cu_name = "?";                                                              \
      const char* cu_text = "?";                                                              \
      cuGetErrorName(cu_check_rc, &cu_name);                                                  \
      cuGetErrorString(cu_check_rc, &cu_text);                                                \
      std::fprintf(stderr, "%s:%d: %s failed: %s (%s)\n", __FILE__, __LINE__, #call, cu_name, \
                   cu_text);                                                                  \
      std::exit(2);                                                                           \
    }                                                                                         \
  } while (0)
