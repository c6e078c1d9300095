/* aotc runtime: loads aotc-built code objects and launches them on AMD (HIP) or NVIDIA (CUDA
 * driver) GPUs. C ABI, callable from C, C++ and Python ctypes. No link-time dependency on either
 * SDK: the driver library is dlopen'ed at first use.
 *
 * Contract for every function returning aotc_status: NULL means success; otherwise the status is
 * owned by the caller (release with aotc_status_free) and its message names what failed — kernel,
 * variant, device — and carries the driver's own error string. No function calls exit() or
 * abort(). All functions are thread-safe unless stated otherwise.
 */
#ifndef AOTC_RUNTIME_H
#define AOTC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aotc_status_s* aotc_status;

typedef enum aotc_status_code {
  AOTC_OK = 0,
  AOTC_ERROR_NO_DRIVER = 1,      /* no HIP runtime / CUDA driver library could be loaded */
  AOTC_ERROR_NO_DEVICE = 2,      /* the driver loaded but reports no usable device */
  AOTC_ERROR_NO_CODE_OBJECT = 3, /* no image of the module fits the device */
  AOTC_ERROR_INVALID_ARGUMENT = 4,
  AOTC_ERROR_DRIVER = 5,    /* a driver call failed; message has the driver's string */
  AOTC_ERROR_BAD_IMAGE = 6, /* an image is malformed or its metadata disagrees */
} aotc_status_code;

aotc_status_code aotc_status_get_code(aotc_status status);
/* Valid until aotc_status_free(status). Never NULL for a non-NULL status. */
const char* aotc_status_message(aotc_status status);
void aotc_status_free(aotc_status status);
/* A status for errors found outside the runtime (the generated launchers' C ABI reports key and
 * argument errors with it, so callers handle one error type). NULL for AOTC_OK; never NULL
 * otherwise, even when memory runs out (then a shared "out of memory" status, which
 * aotc_status_free ignores). */
aotc_status aotc_status_create(aotc_status_code code, const char* message);

typedef enum aotc_backend {
  AOTC_BACKEND_AUTO =
      0, /* try HIP, then CUDA; AOTC_BACKEND=hip|cuda in the environment overrides */
  AOTC_BACKEND_HIP = 1,
  AOTC_BACKEND_CUDA = 2,
} aotc_backend;

typedef struct aotc_runtime_s aotc_runtime;

/* Opens a runtime on the given backend: loads the driver library and resolves its functions.
 * Does not require a device (aotc_device_count then reports 0). */
aotc_status aotc_runtime_open(aotc_backend backend, aotc_runtime** out);
/* The process-wide runtime on AOTC_BACKEND_AUTO, opened at first call; never freed. */
aotc_status aotc_runtime_default(aotc_runtime** out);
/* Unloads every module loaded through this runtime. Not thread-safe with launches on it. */
void aotc_runtime_close(aotc_runtime* runtime);
aotc_backend aotc_runtime_backend(const aotc_runtime* runtime);

typedef struct aotc_device_info {
  int ordinal;
  char arch[64]; /* "gfx942:sramecc+:xnack-" (HIP gcnArchName) or "sm_90a" */
  int multiprocessor_count;
  int warp_size;
  int max_shared_per_block; /* bytes, opt-in maximum where the driver has one */
} aotc_device_info;

aotc_status aotc_device_count(aotc_runtime* runtime, int* count);
/* The calling thread's current device (HIP: hipGetDevice; CUDA: the current context's device,
 * making device 0's primary context current if the thread has none). Cached per device. */
aotc_status aotc_current_device(aotc_runtime* runtime, aotc_device_info* out);

/* One code-object image of a module. Either data/size (memory owned by the caller, e.g.
 * embedded in the app binary, that must outlive the module) or path (read at first load).
 * target: "gfx942", "gfx9-4-generic", "sm_90a"...; NULL for an offload bundle, whose entries
 * carry their own target ids. PTX images are NUL-terminated text, format "ptx". */
typedef struct aotc_image {
  const char* target;
  const char* format; /* "hsaco", "bundle", "cubin", "ptx" */
  const void* data;
  size_t size;
  const char* path;
} aotc_image;

typedef struct aotc_module_s aotc_module;
typedef struct aotc_kernel_s aotc_kernel;

/* Creates a module for one variant from its images (copied descriptors, not bytes). Loads
 * nothing yet: each device loads the best-fitting image at its first launch, once, even when
 * many threads launch first at the same time. */
aotc_status aotc_module_create(aotc_runtime* runtime, const char* variant_name,
                               const aotc_image* images, size_t image_count, aotc_module** out);
void aotc_module_destroy(aotc_module* module);
/* How many times the module's code has been loaded into a device (HIP) or context (CUDA): one per
 * device or context it launched on. For diagnostics and tests of the load-once guarantee. */
size_t aotc_module_load_count(aotc_module* module);

/* A handle to an entry point of the module; valid until the module is destroyed. What is checked
 * when: here, `entry` against every image given as bytes (data/size; each device entry of a
 * bundle), whose metadata is readable without a device or any I/O: an image without that kernel
 * is AOTC_ERROR_INVALID_ARGUMENT naming the image and the kernels it has, an unreadable one
 * AOTC_ERROR_BAD_IMAGE. Images given by path are read only at the module's first load on a
 * device; the first aotc_launch on that device checks the entry against the image chosen there,
 * and the argument layout too. */
aotc_status aotc_module_get_kernel(aotc_module* module, const char* entry, aotc_kernel** out);

/* Explicit (non-hidden) kernel argument placement within the packed argument buffer. */
typedef struct aotc_arg_layout {
  uint32_t offset;
  uint32_t size;
} aotc_arg_layout;

typedef struct aotc_launch_config {
  uint32_t grid[3];
  uint32_t block[3];
  uint32_t shared_bytes; /* dynamic shared / LDS bytes */
  void* stream;          /* hipStream_t / CUstream; NULL = default stream */
} aotc_launch_config;

/* Launches on the current device. `args` holds the explicit arguments packed per `layout`; the
 * layout is checked against the kernel's own metadata (argument count, offsets, sizes) read from
 * the loaded code object before the first launch on each device. */
aotc_status aotc_launch(aotc_kernel* kernel, const aotc_launch_config* config, const void* args,
                        const aotc_arg_layout* layout, size_t arg_count);

/* Launch flags (aotc_launch_with_flags), OR-ed. */
typedef enum aotc_launch_flag {
  /* The kernel may start before the kernel launched before it on the stream has finished, and
   * waits for it in-kernel before reading what it wrote (PTX griddepcontrol.wait; CUDA's
   * cudaGridDependencySynchronize). NVIDIA compute capability 9.0 and later with a driver that has
   * cuLaunchKernelEx: programmatic dependent launch (the earlier kernel lets it start with
   * griddepcontrol.launch_dependents, or at its end). Elsewhere a plain launch, which stream order
   * serialises; the kernel's wait is then a no-op. */
  AOTC_LAUNCH_OVERLAP_PREVIOUS = 1u << 0,
} aotc_launch_flag;

/* aotc_launch with flags; an unknown flag bit is AOTC_ERROR_INVALID_ARGUMENT. */
aotc_status aotc_launch_with_flags(aotc_kernel* kernel, const aotc_launch_config* config,
                                   uint32_t flags, const void* args, const aotc_arg_layout* layout,
                                   size_t arg_count);

#ifdef __cplusplus
}
#endif

#endif /* AOTC_RUNTIME_H */
