// The CUDA driver functions the runtime uses, one line each; expanded by cuda_backend.cc into
// typed pointers and their dlsym slots. No CUDA header is used: handles are opaque pointers,
// CUresult and CUdevice are ints. Names are the ones cuda.h maps to (`_v2` where it does).
#pragma once

namespace aotc::runtime {

using CuResult = int;
constexpr CuResult kCudaSuccess = 0;
constexpr CuResult kCudaErrorNoDevice = 100;

// CUdevice_attribute values (REFERENCE.md, checked on the H100).
constexpr int kCudaAttributeWarpSize = 10;
constexpr int kCudaAttributeMultiprocessorCount = 16;
constexpr int kCudaAttributeComputeCapabilityMajor = 75;
constexpr int kCudaAttributeComputeCapabilityMinor = 76;
constexpr int kCudaAttributeMaxSharedMemoryPerBlockOptin = 97;
// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: needed when static + dynamic shared memory
// exceeds 48 KiB.
constexpr int kCudaFunctionAttributeMaxDynamicShared = 8;
// CUlaunchAttributeID for programmatic dependent launch (its value: an int, non-zero allows).
constexpr int kCudaLaunchAttributeProgrammaticStreamSerialization = 6;
// CUjit_option values for the PTX JIT's error log.
constexpr int kCudaJitErrorLogBuffer = 5;
constexpr int kCudaJitErrorLogBufferSize = 6;

// cuLaunchKernelEx's configuration: cuda.h's CUlaunchAttribute and CUlaunchConfig (CUDA 12.0+),
// field for field; tests/runtime/cuda_abi_test.cc compares them with cuda.h where it is installed.
struct CuLaunchAttribute {
  int id;
  char pad[4];
  union {
    char bytes[64];
    int programmatic_stream_serialization_allowed;
  } value;
};
struct CuLaunchConfig {
  unsigned grid[3];
  unsigned block[3];
  unsigned shared_bytes;
  void* stream;
  CuLaunchAttribute* attributes;
  unsigned attribute_count;
};

#define AOTC_CUDA_SYMBOLS(REQUIRED, OPTIONAL)                                                    \
  REQUIRED(cuInit, CuResult, (unsigned int flags))                                               \
  REQUIRED(cuDeviceGetCount, CuResult, (int* count))                                             \
  REQUIRED(cuDeviceGet, CuResult, (int* device, int ordinal))                                    \
  REQUIRED(cuDeviceGetAttribute, CuResult, (int* value, int attribute, int device))              \
  REQUIRED(cuDevicePrimaryCtxRetain, CuResult, (void** context, int device))                     \
  REQUIRED(cuCtxGetCurrent, CuResult, (void** context))                                          \
  REQUIRED(cuCtxSetCurrent, CuResult, (void* context))                                           \
  REQUIRED(cuCtxGetDevice, CuResult, (int* device))                                              \
  REQUIRED(cuCtxPushCurrent_v2, CuResult, (void* context))                                       \
  REQUIRED(cuCtxPopCurrent_v2, CuResult, (void** context))                                       \
  REQUIRED(cuModuleLoadDataEx, CuResult,                                                         \
           (void** module, const void* image, unsigned count, int* options, void** values))      \
  REQUIRED(cuModuleGetFunction, CuResult, (void** function, void* module, const char* name))     \
  REQUIRED(cuModuleUnload, CuResult, (void* module))                                             \
  REQUIRED(cuFuncSetAttribute, CuResult, (void* function, int attribute, int value))             \
  REQUIRED(cuLaunchKernel, CuResult,                                                             \
           (void* function, unsigned grid_x, unsigned grid_y, unsigned grid_z, unsigned block_x, \
            unsigned block_y, unsigned block_z, unsigned shared_bytes, void* stream,             \
            void** params, void** extra))                                                        \
  REQUIRED(cuGetErrorName, CuResult, (CuResult error, const char** name))                        \
  REQUIRED(cuGetErrorString, CuResult, (CuResult error, const char** text))                      \
  OPTIONAL(cuLaunchKernelEx, CuResult,                                                           \
           (const CuLaunchConfig* config, void* function, void** params, void** extra))

}  // namespace aotc::runtime
