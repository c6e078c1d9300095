// aotc_launch: the hot path. After the first launch on a device it costs one driver query for
// the current device/context, a short list walk, a memcmp of the caller's layout against the
// code object's, and the driver's launch call.
#include <array>
#include <cstdio>
#include <vector>

#include "runtime_internal.h"

using aotc::runtime::KernelOnDevice;
using aotc::runtime::make_status;
using aotc::runtime::StatusPtr;
using aotc::runtime::with_context;

namespace {

// Enough for any real kernel; longer lists take a heap buffer.
constexpr size_t kInlineParams = 64;

std::string hex(std::uint32_t value) {
  char text[9];
  std::snprintf(text, sizeof text, "%x", value);
  return text;
}

StatusPtr check_config(const aotc_kernel* kernel, const aotc_launch_config& config) {
  for (const uint32_t* dims : {config.grid, config.block}) {
    if (dims[0] == 0 || dims[1] == 0 || dims[2] == 0) {
      const char* what = dims == config.grid ? "grid" : "block";
      return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                         "kernel " + kernel->entry + ", variant " + kernel->module->variant + ": " +
                             what + " [" + std::to_string(dims[0]) + ", " +
                             std::to_string(dims[1]) + ", " + std::to_string(dims[2]) +
                             "] has a zero dimension");
    }
  }
  return nullptr;
}

StatusPtr launch(aotc_kernel* kernel, const aotc_launch_config& config, std::uint32_t flags,
                 const void* args, const aotc_arg_layout* layout, size_t arg_count) {
  if (auto status = check_config(kernel, config)) return status;
  if (flags & ~std::uint32_t(AOTC_LAUNCH_OVERLAP_PREVIOUS)) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT, "kernel " + kernel->entry + ", variant " +
                                                        kernel->module->variant +
                                                        ": unknown launch flags 0x" + hex(flags));
  }
  auto& backend = *kernel->module->runtime->backend;
  std::uintptr_t key = 0;
  if (auto status = backend.current_key(&key)) return status;
  KernelOnDevice* device = kernel->find(key);
  if (!device) {
    if (auto status = kernel->prepare(&device)) return status;
  }
  if (auto status = aotc::runtime::check_argument_layout(device->expected, {layout, arg_count})) {
    return with_context(std::move(status), device->where);
  }
  if (config.shared_bytes > device->shared_allowed.load(std::memory_order_relaxed)) {
    if (auto status = backend.allow_dynamic_shared(device->function, config.shared_bytes)) {
      return with_context(std::move(status), device->where);
    }
    device->shared_allowed.store(config.shared_bytes, std::memory_order_relaxed);
  }
  // kernelParams: one pointer per explicit argument, into the caller's packed buffer.
  std::array<void*, kInlineParams> inline_params;
  std::vector<void*> heap_params;
  void** params = inline_params.data();
  if (arg_count > kInlineParams) {
    heap_params.resize(arg_count);
    params = heap_params.data();
  }
  auto* base = static_cast<char*>(const_cast<void*>(args));
  for (size_t i = 0; i < arg_count; ++i) params[i] = base + layout[i].offset;
  const bool overlap = (flags & AOTC_LAUNCH_OVERLAP_PREVIOUS) && device->overlaps_launches;
  if (auto status = backend.launch(device->function, config, params, overlap)) {
    return with_context(std::move(status), device->where);
  }
  return nullptr;
}

}  // namespace

extern "C" aotc_status aotc_launch_with_flags(aotc_kernel* kernel, const aotc_launch_config* config,
                                              uint32_t flags, const void* args,
                                              const aotc_arg_layout* layout, size_t arg_count) {
  if (!kernel || !config || (arg_count > 0 && (!args || !layout))) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                       "aotc_launch: kernel, config, and args/layout (when arg_count > 0) must "
                       "not be NULL")
        .release();
  }
  return launch(kernel, *config, flags, args, layout, arg_count).release();
}

extern "C" aotc_status aotc_launch(aotc_kernel* kernel, const aotc_launch_config* config,
                                   const void* args, const aotc_arg_layout* layout,
                                   size_t arg_count) {
  return aotc_launch_with_flags(kernel, config, 0, args, layout, arg_count);
}
