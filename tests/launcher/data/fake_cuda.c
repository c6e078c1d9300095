/* A stand-in for libcuda.so.1 with one sm_90 device (132 multiprocessors), for running generated
 * launchers through the runtime's real CUDA backend without a GPU (tests/launcher). It prints
 * every cuFuncSetAttribute, cuLaunchKernel and cuLaunchKernelEx call on stdout, one line each, and
 * enforces the driver's rule that matters to launch rules: more than 48 KiB of dynamic shared
 * memory needs CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (8) set to at least that much on
 * the function, else the launch fails with CUDA_ERROR_INVALID_VALUE (1), as the real driver does.
 * Built with -DFAKE_CUDA_NO_LAUNCH_EX it is a driver older than CUDA 12.0, without
 * cuLaunchKernelEx. */
#include <stdio.h>
#include <string.h>

enum { kInvalidValue = 1, kMaxFunctions = 64 };

static int context_current;
static int max_dynamic_shared[kMaxFunctions]; /* per function handle (1-based index) */
static int function_count;

int cuInit(unsigned flags) {
  (void)flags;
  return 0;
}
int cuDeviceGetCount(int* count) {
  *count = 1;
  return 0;
}
int cuDeviceGet(int* device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? 0 : kInvalidValue;
}
int cuDeviceGetAttribute(int* value, int attribute, int device) {
  (void)device;
  switch (attribute) {
    case 10:
      *value = 32;
      return 0; /* warp size */
    case 16:
      *value = 132;
      return 0; /* multiprocessors */
    case 75:
      *value = 9;
      return 0; /* compute capability */
    case 76:
      *value = 0;
      return 0;
    case 97:
      *value = 232448;
      return 0; /* shared per block, opt-in */
    default:
      return kInvalidValue;
  }
}
int cuDevicePrimaryCtxRetain(void** context, int device) {
  (void)device;
  *context = (void*)0x100;
  return 0;
}
int cuCtxGetCurrent(void** context) {
  *context = context_current ? (void*)0x100 : NULL;
  return 0;
}
int cuCtxSetCurrent(void* context) {
  context_current = context != NULL;
  return 0;
}
int cuCtxGetDevice(int* device) {
  *device = 0;
  return 0;
}
int cuCtxPushCurrent_v2(void* context) {
  (void)context;
  return 0;
}
int cuCtxPopCurrent_v2(void** context) {
  *context = (void*)0x100;
  return 0;
}
int cuModuleLoadDataEx(void** module, const void* image, unsigned count, int* options,
                       void** values) {
  (void)count, (void)options, (void)values;
  if (memcmp(image,
             "\x7f"
             "ELF",
             4) != 0 &&
      strstr((const char*)image, ".version") == NULL) {
    return 200; /* CUDA_ERROR_INVALID_IMAGE */
  }
  *module = (void*)0x200;
  return 0;
}
int cuModuleGetFunction(void** function, void* module, const char* name) {
  (void)module, (void)name;
  if (function_count == kMaxFunctions) return kInvalidValue;
  *function = (void*)(size_t)(++function_count);
  return 0;
}
int cuModuleUnload(void* module) {
  (void)module;
  return 0;
}
int cuFuncSetAttribute(void* function, int attribute, int value) {
  const size_t f = (size_t)function;
  printf("fake_cuda: cuFuncSetAttribute(function %zu, attribute %d, %d)\n", f, attribute, value);
  fflush(stdout);
  if (f == 0 || f > kMaxFunctions || attribute != 8 || value > 232448) return kInvalidValue;
  max_dynamic_shared[f - 1] = value;
  return 0;
}
int cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                   unsigned bz, unsigned shared, void* stream, void** params, void** extra) {
  const size_t f = (size_t)function;
  (void)stream, (void)params, (void)extra;
  printf("fake_cuda: cuLaunchKernel(function %zu, grid %u,%u,%u, block %u,%u,%u, shared %u)\n", f,
         gx, gy, gz, bx, by, bz, shared);
  fflush(stdout);
  if (f == 0 || f > kMaxFunctions) return kInvalidValue;
  if (shared > 48 * 1024 && (int)shared > max_dynamic_shared[f - 1]) return kInvalidValue;
  return 0;
}
#ifndef FAKE_CUDA_NO_LAUNCH_EX
/* cuda.h's CUlaunchAttribute and CUlaunchConfig (CUDA 12.0+). */
typedef struct {
  int id;
  char pad[4];
  union {
    char bytes[64];
    int programmatic_stream_serialization_allowed;
  } value;
} FakeLaunchAttribute;
typedef struct {
  unsigned grid[3], block[3], shared;
  void* stream;
  FakeLaunchAttribute* attrs;
  unsigned num_attrs;
} FakeLaunchConfig;

/* Prints each attribute as "attribute <id>=<int value>". */
int cuLaunchKernelEx(const FakeLaunchConfig* c, void* function, void** params, void** extra) {
  const size_t f = (size_t)function;
  (void)params, (void)extra;
  printf("fake_cuda: cuLaunchKernelEx(function %zu, grid %u,%u,%u, block %u,%u,%u, shared %u", f,
         c->grid[0], c->grid[1], c->grid[2], c->block[0], c->block[1], c->block[2], c->shared);
  for (unsigned i = 0; i < c->num_attrs; ++i)
    printf(", attribute %d=%d", c->attrs[i].id,
           c->attrs[i].value.programmatic_stream_serialization_allowed);
  printf(")\n");
  fflush(stdout);
  if (f == 0 || f > kMaxFunctions) return kInvalidValue;
  if (c->shared > 48 * 1024 && (int)c->shared > max_dynamic_shared[f - 1]) return kInvalidValue;
  return 0;
}
#endif
int cuGetErrorName(int error, const char** name) {
  *name = error == kInvalidValue ? "CUDA_ERROR_INVALID_VALUE" : "CUDA_ERROR_UNKNOWN";
  return 0;
}
int cuGetErrorString(int error, const char** text) {
  *text = error == kInvalidValue ? "invalid argument" : "unknown error";
  return 0;
}
