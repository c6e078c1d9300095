// The HIP runtime functions the runtime uses, one line each (IREE's dynamic symbol table idea);
// expanded by hip_backend.cc into typed pointers and their dlsym slots. No HIP header is used:
// handles are opaque pointers and hipError_t is an int, which is the ABI on every ROCm release.
#pragma once

namespace aotc::runtime {

using HipError = int;
constexpr HipError kHipSuccess = 0;
constexpr HipError kHipErrorNoDevice = 100;
constexpr HipError kHipErrorInvalidDevice = 101;  // what ROCm 5.2's hipInit returns with no GPU

// hipDeviceAttribute_t values, stable from ROCm 5.x to 7.x (REFERENCE.md).
constexpr int kHipAttributeMultiprocessorCount = 63;
constexpr int kHipAttributeMaxSharedMemoryPerBlock = 74;
constexpr int kHipAttributeWarpSize = 87;

// hipDeviceProp_t layouts: ROCm 6+ (hipGetDevicePropertiesR0600) and ROCm 5
// (hipGetDeviceProperties); only gcnArchName (char[256]) is read. The buffer is larger than either
// struct.
constexpr int kHipPropertiesR0600ArchOffset = 1160;
constexpr int kHipPropertiesR0500ArchOffset = 396;
constexpr int kHipArchNameSize = 256;
constexpr int kHipPropertiesBufferSize = 4096;

#define AOTC_HIP_SYMBOLS(REQUIRED, OPTIONAL)                                                     \
  REQUIRED(hipInit, HipError, (unsigned int flags))                                              \
  REQUIRED(hipGetDeviceCount, HipError, (int* count))                                            \
  REQUIRED(hipGetDevice, HipError, (int* device))                                                \
  REQUIRED(hipDeviceGetAttribute, HipError, (int* value, int attribute, int device))             \
  REQUIRED(hipModuleLoadData, HipError, (void** module, const void* image))                      \
  REQUIRED(hipModuleGetFunction, HipError, (void** function, void* module, const char* name))    \
  REQUIRED(hipModuleLaunchKernel, HipError,                                                      \
           (void* function, unsigned grid_x, unsigned grid_y, unsigned grid_z, unsigned block_x, \
            unsigned block_y, unsigned block_z, unsigned shared_bytes, void* stream,             \
            void** params, void** extra))                                                        \
  REQUIRED(hipModuleUnload, HipError, (void* module))                                            \
  REQUIRED(hipGetErrorString, const char*, (HipError error))                                     \
  OPTIONAL(hipGetErrorName, const char*, (HipError error))                                       \
  OPTIONAL(hipGetDevicePropertiesR0600, HipError, (void* properties, int device))                \
  OPTIONAL(hipGetDeviceProperties, HipError, (void* properties, int device))

}  // namespace aotc::runtime
