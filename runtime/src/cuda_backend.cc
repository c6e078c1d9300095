// The CUDA backend: the CUDA driver (libcuda.so.1) opened with dlopen, one module per context.
// A thread without a current context gets device 0's primary context, the one the CUDA runtime
// API uses too, so code launched here shares memory and streams with the application's.
#include <array>
#include <string>

#include "backend.h"
#include "core/dynamic_library.h"
#include "cuda_symbols.h"

namespace aotc::runtime {
namespace {

struct CudaFunctions {
  AOTC_CUDA_SYMBOLS(AOTC_SYMBOL_POINTER, AOTC_SYMBOL_POINTER)
};

constexpr std::array<const char*, 1> kCudaLibraries = {"libcuda.so.1"};

class CudaBackend final : public Backend {
 public:
  StatusPtr open() {
    auto library = open_dynamic_library("CUDA driver", "AOTC_CUDA_LIBRARY", kCudaLibraries);
    if (!library) return status_from_error(AOTC_ERROR_NO_DRIVER, library.error());
    library_ = std::move(*library);
    CudaFunctions& fns = fns_;
    const SymbolSlot slots[] = {AOTC_CUDA_SYMBOLS(AOTC_SYMBOL_REQUIRED, AOTC_SYMBOL_OPTIONAL)};
    if (Status resolved = resolve_symbols(library_, slots); !resolved) {
      return status_from_error(AOTC_ERROR_NO_DRIVER, resolved.error());
    }
    CuResult init = fns_.cuInit(0);
    if (init == kCudaErrorNoDevice) {
      no_device_reason_ = describe("cuInit", init);
    } else if (init != kCudaSuccess) {
      return make_status(AOTC_ERROR_NO_DRIVER, describe("cuInit", init));
    }
    return nullptr;
  }

  aotc_backend kind() const override { return AOTC_BACKEND_CUDA; }
  const std::string& library() const override { return library_.path; }

  StatusPtr device_count(int* count) override {
    *count = 0;
    if (!no_device_reason_.empty()) return nullptr;
    return check("cuDeviceGetCount", fns_.cuDeviceGetCount(count));
  }

  StatusPtr current_key(std::uintptr_t* key) override {
    void* context = nullptr;
    fns_.cuCtxGetCurrent(&context);  // a failure leaves it null: the slow path reports it
    *key = reinterpret_cast<std::uintptr_t>(context);
    return nullptr;
  }

  StatusPtr current_device(DeviceSlot* slot) override {
    if (!no_device_reason_.empty()) {
      return make_status(AOTC_ERROR_NO_DEVICE,
                         library_.path + " loaded, but it reports no device: " + no_device_reason_);
    }
    void* context = nullptr;
    if (auto status = check("cuCtxGetCurrent", fns_.cuCtxGetCurrent(&context))) return status;
    if (!context) {
      int count = 0;
      if (auto status = device_count(&count)) return status;
      if (count == 0) {
        return make_status(AOTC_ERROR_NO_DEVICE,
                           library_.path + " loaded, but it reports no device");
      }
      int device = 0;
      if (auto status = check("cuDeviceGet", fns_.cuDeviceGet(&device, 0))) return status;
      // Retained for the life of the process: modules loaded into it must stay valid.
      if (auto status =
              check("cuDevicePrimaryCtxRetain", fns_.cuDevicePrimaryCtxRetain(&context, device))) {
        return status;
      }
      if (auto status = check("cuCtxSetCurrent", fns_.cuCtxSetCurrent(context))) return status;
    }
    int device = 0;
    if (auto status = check("cuCtxGetDevice", fns_.cuCtxGetDevice(&device))) return status;
    *slot = DeviceSlot{device, reinterpret_cast<std::uintptr_t>(context)};
    return nullptr;
  }

  StatusPtr device_properties(int ordinal, DeviceProperties* out) override {
    int device = 0;
    if (auto status = check("cuDeviceGet", fns_.cuDeviceGet(&device, ordinal))) return status;
    int major = 0;
    int minor = 0;
    struct Query {
      int attribute;
      int* value;
    };
    for (Query query :
         {Query{kCudaAttributeComputeCapabilityMajor, &major},
          Query{kCudaAttributeComputeCapabilityMinor, &minor},
          Query{kCudaAttributeMultiprocessorCount, &out->multiprocessor_count},
          Query{kCudaAttributeWarpSize, &out->warp_size},
          Query{kCudaAttributeMaxSharedMemoryPerBlockOptin, &out->max_shared_per_block}}) {
      if (auto status = check("cuDeviceGetAttribute",
                              fns_.cuDeviceGetAttribute(query.value, query.attribute, device))) {
        return status;
      }
    }
    out->arch = "sm_" + std::to_string(major) + std::to_string(minor);
    out->overlaps_launches = major >= 9 && fns_.cuLaunchKernelEx != nullptr;
    return nullptr;
  }

  StatusPtr load_module(const DeviceSlot&, std::span<const std::uint8_t> image,
                        void** module) override {
    // The JIT's log is the only place a PTX compile error is explained.
    std::array<char, 4096> log{};
    int options[] = {kCudaJitErrorLogBuffer, kCudaJitErrorLogBufferSize};
    void* values[] = {log.data(), reinterpret_cast<void*>(static_cast<std::uintptr_t>(log.size()))};
    CuResult error = fns_.cuModuleLoadDataEx(module, image.data(), 2, options, values);
    if (error == kCudaSuccess) return nullptr;
    std::string message = describe("cuModuleLoadDataEx", error);
    log.back() = '\0';
    if (log[0]) message += "; JIT log: " + std::string(log.data());
    return make_status(AOTC_ERROR_DRIVER, message);
  }

  void unload_module(const DeviceSlot& slot, void* module) override {
    // cuModuleUnload acts on the module's own context, which must be current.
    if (fns_.cuCtxPushCurrent_v2(reinterpret_cast<void*>(slot.key)) != kCudaSuccess) return;
    fns_.cuModuleUnload(module);
    void* popped = nullptr;
    fns_.cuCtxPopCurrent_v2(&popped);
  }

  StatusPtr get_function(void* module, const char* entry, void** function) override {
    return check("cuModuleGetFunction", fns_.cuModuleGetFunction(function, module, entry));
  }

  // The default limit counts static and dynamic shared memory together, so a kernel with static
  // shared memory needs the opt-in below 48 KiB of dynamic shared memory too: always opt in.
  StatusPtr allow_dynamic_shared(void* function, std::uint32_t bytes) override {
    return check("cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)",
                 fns_.cuFuncSetAttribute(function, kCudaFunctionAttributeMaxDynamicShared,
                                         static_cast<int>(bytes)));
  }

  StatusPtr launch(void* function, const aotc_launch_config& c, void** params,
                   bool overlap_previous) override {
    if (overlap_previous) {
      CuLaunchAttribute overlap{};
      overlap.id = kCudaLaunchAttributeProgrammaticStreamSerialization;
      overlap.value.programmatic_stream_serialization_allowed = 1;
      const CuLaunchConfig config{{c.grid[0], c.grid[1], c.grid[2]},
                                  {c.block[0], c.block[1], c.block[2]},
                                  c.shared_bytes,
                                  c.stream,
                                  &overlap,
                                  1};
      return check("cuLaunchKernelEx", fns_.cuLaunchKernelEx(&config, function, params, nullptr));
    }
    return check("cuLaunchKernel", fns_.cuLaunchKernel(function, c.grid[0], c.grid[1], c.grid[2],
                                                       c.block[0], c.block[1], c.block[2],
                                                       c.shared_bytes, c.stream, params, nullptr));
  }

 private:
  // "cuLaunchKernel: CUDA_ERROR_INVALID_VALUE (1): invalid argument"
  std::string describe(const char* function, CuResult error) const {
    const char* name = nullptr;
    const char* text = nullptr;
    fns_.cuGetErrorName(error, &name);
    fns_.cuGetErrorString(error, &text);
    std::string message = std::string(function) + ": " + (name ? name : "CUresult") + " (" +
                          std::to_string(error) + ")";
    if (text) message += std::string(": ") + text;
    return message;
  }

  StatusPtr check(const char* function, CuResult error) const {
    if (error == kCudaSuccess) return nullptr;
    return make_status(AOTC_ERROR_DRIVER, describe(function, error));
  }

  DynamicLibrary library_;
  CudaFunctions fns_;
  std::string no_device_reason_;  // set when cuInit reported no device
};

}  // namespace

StatusPtr open_cuda_backend(std::unique_ptr<Backend>* out) {
  auto backend = std::make_unique<CudaBackend>();
  if (auto status = backend->open()) return status;
  *out = std::move(backend);
  return nullptr;
}

}  // namespace aotc::runtime
