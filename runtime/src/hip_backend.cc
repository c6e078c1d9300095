// The HIP backend: the HIP runtime (libamdhip64) opened with dlopen, one module per device
// ordinal. Hidden kernel arguments (code object v5+) are filled by the HIP runtime itself when a
// kernel is launched through kernelParams, so only the explicit arguments are passed.
#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "backend.h"
#include "core/dynamic_library.h"
#include "hip_symbols.h"

namespace aotc::runtime {
namespace {

struct HipFunctions {
  AOTC_HIP_SYMBOLS(AOTC_SYMBOL_POINTER, AOTC_SYMBOL_POINTER)
};

constexpr std::array<const char*, 4> kHipLibraries = {"libamdhip64.so", "libamdhip64.so.7",
                                                      "libamdhip64.so.6", "libamdhip64.so.5"};

class HipBackend final : public Backend {
 public:
  StatusPtr open() {
    auto library = open_dynamic_library("HIP runtime", "AOTC_HIP_LIBRARY", kHipLibraries);
    if (!library) return status_from_error(AOTC_ERROR_NO_DRIVER, library.error());
    library_ = std::move(*library);
    HipFunctions& fns = fns_;
    const SymbolSlot slots[] = {AOTC_HIP_SYMBOLS(AOTC_SYMBOL_REQUIRED, AOTC_SYMBOL_OPTIONAL)};
    if (Status resolved = resolve_symbols(library_, slots); !resolved) {
      return status_from_error(AOTC_ERROR_NO_DRIVER, resolved.error());
    }
    if (!fns_.hipGetDevicePropertiesR0600 && !fns_.hipGetDeviceProperties) {
      return make_status(AOTC_ERROR_NO_DRIVER, library_.path +
                                                   ": has neither hipGetDevicePropertiesR0600 nor "
                                                   "hipGetDeviceProperties");
    }
    // Without a GPU (no /dev/kfd), ROCm 5.2's hipInit quietly returns hipErrorInvalidDevice;
    // newer runtimes return hipErrorNoDevice. Both mean "driver present, no device": the runtime
    // still opens and reports 0 devices. Any other failure means the driver is unusable.
    HipError init = fns_.hipInit(0);
    if (init == kHipErrorNoDevice || init == kHipErrorInvalidDevice) {
      no_device_reason_ = describe("hipInit", init);
    } else if (init != kHipSuccess) {
      return make_status(AOTC_ERROR_NO_DRIVER, describe("hipInit", init));
    }
    return nullptr;
  }

  aotc_backend kind() const override { return AOTC_BACKEND_HIP; }
  const std::string& library() const override { return library_.path; }

  StatusPtr device_count(int* count) override {
    *count = 0;
    if (!no_device_reason_.empty()) return nullptr;
    HipError error = fns_.hipGetDeviceCount(count);
    if (error == kHipErrorNoDevice) {
      *count = 0;
      return nullptr;
    }
    return check("hipGetDeviceCount", error);
  }

  StatusPtr current_key(std::uintptr_t* key) override {
    int device = 0;
    if (fns_.hipGetDevice(&device) != kHipSuccess) {
      *key = 0;  // no slot matches 0: the caller takes the slow path, which reports the error
      return nullptr;
    }
    *key = static_cast<std::uintptr_t>(device) + 1;
    return nullptr;
  }

  StatusPtr current_device(DeviceSlot* slot) override {
    if (!no_device_reason_.empty()) {
      return make_status(AOTC_ERROR_NO_DEVICE,
                         library_.path + " loaded, but it reports no device: " + no_device_reason_);
    }
    int device = 0;
    HipError error = fns_.hipGetDevice(&device);
    if (error == kHipErrorNoDevice || error == kHipErrorInvalidDevice) {
      return make_status(
          AOTC_ERROR_NO_DEVICE,
          library_.path + " loaded, but it reports no device: " + describe("hipGetDevice", error));
    }
    if (auto status = check("hipGetDevice", error)) return status;
    *slot = DeviceSlot{device, static_cast<std::uintptr_t>(device) + 1};
    return nullptr;
  }

  StatusPtr device_properties(int ordinal, DeviceProperties* out) override {
    // Generously sized and zeroed: whichever layout the library fills, gcnArchName lies inside
    // and an unexpectedly short struct leaves an empty (not garbage) name.
    std::vector<char> buffer(kHipPropertiesBufferSize, 0);
    HipError error;
    int offset;
    const char* function;
    if (fns_.hipGetDevicePropertiesR0600) {
      function = "hipGetDevicePropertiesR0600";
      error = fns_.hipGetDevicePropertiesR0600(buffer.data(), ordinal);
      offset = kHipPropertiesR0600ArchOffset;
    } else {
      function = "hipGetDeviceProperties";
      error = fns_.hipGetDeviceProperties(buffer.data(), ordinal);
      offset = kHipPropertiesR0500ArchOffset;
    }
    if (auto status = check(function, error)) return status;
    const char* name = buffer.data() + offset;
    out->arch.assign(name, strnlen(name, kHipArchNameSize));
    if (out->arch.empty()) {
      return make_status(AOTC_ERROR_DRIVER, std::string(function) + " gave device " +
                                                std::to_string(ordinal) + " an empty gcnArchName");
    }
    struct Query {
      int attribute;
      int* value;
    };
    for (Query query : {Query{kHipAttributeMultiprocessorCount, &out->multiprocessor_count},
                        Query{kHipAttributeWarpSize, &out->warp_size},
                        Query{kHipAttributeMaxSharedMemoryPerBlock, &out->max_shared_per_block}}) {
      if (auto status = check("hipDeviceGetAttribute",
                              fns_.hipDeviceGetAttribute(query.value, query.attribute, ordinal))) {
        return status;
      }
    }
    return nullptr;
  }

  StatusPtr load_module(const DeviceSlot&, std::span<const std::uint8_t> image,
                        void** module) override {
    return check("hipModuleLoadData", fns_.hipModuleLoadData(module, image.data()));
  }

  void unload_module(const DeviceSlot&, void* module) override { fns_.hipModuleUnload(module); }

  StatusPtr get_function(void* module, const char* entry, void** function) override {
    return check("hipModuleGetFunction", fns_.hipModuleGetFunction(function, module, entry));
  }

  StatusPtr allow_dynamic_shared(void*, std::uint32_t) override { return nullptr; }

  // HIP has no programmatic dependent launch: DeviceProperties::overlaps_launches stays false.
  StatusPtr launch(void* function, const aotc_launch_config& c, void** params, bool) override {
    return check("hipModuleLaunchKernel",
                 fns_.hipModuleLaunchKernel(function, c.grid[0], c.grid[1], c.grid[2], c.block[0],
                                            c.block[1], c.block[2], c.shared_bytes, c.stream,
                                            params, nullptr));
  }

 private:
  // "hipModuleLoadData: hipErrorInvalidImage (200): invalid kernel image"
  std::string describe(const char* function, HipError error) const {
    std::string text = fns_.hipGetErrorString(error) ? fns_.hipGetErrorString(error) : "";
    std::string name = fns_.hipGetErrorName && fns_.hipGetErrorName(error)
                           ? fns_.hipGetErrorName(error)
                           : "hipError";
    std::string message = std::string(function) + ": " + name + " (" + std::to_string(error) + ")";
    if (!text.empty() && text != name) message += ": " + text;
    return message;
  }

  StatusPtr check(const char* function, HipError error) const {
    if (error == kHipSuccess) return nullptr;
    return make_status(AOTC_ERROR_DRIVER, describe(function, error));
  }

  DynamicLibrary library_;
  HipFunctions fns_;
  std::string no_device_reason_;  // set when hipInit reported no device
};

}  // namespace

StatusPtr open_hip_backend(std::unique_ptr<Backend>* out) {
  auto backend = std::make_unique<HipBackend>();
  if (auto status = backend->open()) return status;
  *out = std::move(backend);
  return nullptr;
}

}  // namespace aotc::runtime
