// Modules and kernels: creation, lazy per-device loading and resolving kernels on a device.
#include <algorithm>

#include "runtime_internal.h"

using aotc::runtime::DeviceSlot;
using aotc::runtime::KernelOnDevice;
using aotc::runtime::LoadedModule;
using aotc::runtime::make_status;
using aotc::runtime::StatusPtr;
using aotc::runtime::with_context;

namespace {

std::string describe_device(int ordinal, const std::string& arch) {
  return "device " + std::to_string(ordinal) + " (" + arch + ")";
}

}  // namespace

StatusPtr aotc_module_s::ensure_loaded(const DeviceSlot& slot, LoadedModule** out) {
  LoadedModule* entry = nullptr;
  {
    std::lock_guard lock(mutex);
    auto it = std::find_if(loaded.begin(), loaded.end(),
                           [&](const LoadedModule& m) { return m.slot.key == slot.key; });
    entry = it != loaded.end() ? &*it : &loaded.emplace_back();
    entry->slot = slot;
  }
  std::lock_guard lock(entry->mutex);
  if (!entry->loaded) {
    std::string context = "variant " + variant + ", device " + std::to_string(slot.ordinal);
    const aotc::runtime::DeviceProperties* properties = nullptr;
    if (auto status = runtime->device_properties(slot.ordinal, &properties)) {
      return with_context(std::move(status), context);
    }
    context = "variant " + variant + ", " + describe_device(slot.ordinal, properties->arch);
    aotc::runtime::SelectedImage image;
    if (auto status = aotc::runtime::select_image(runtime->backend->kind(), properties->arch,
                                                  images, &image)) {
      return with_context(std::move(status), context);
    }
    aotc::runtime::ArgumentLayouts arguments;
    if (auto status = aotc::runtime::read_argument_layouts(image.bytes, image.format, &arguments)) {
      return with_context(std::move(status), context + ", " + image.description);
    }
    void* handle = nullptr;
    if (auto status = runtime->backend->load_module(slot, image.bytes, &handle)) {
      return with_context(std::move(status), context + ", " + image.description);
    }
    ++load_count;
    entry->handle = handle;
    entry->device = describe_device(slot.ordinal, properties->arch);
    entry->overlaps_launches = properties->overlaps_launches;
    entry->image = std::move(image.description);
    entry->bytes = std::move(image.bytes);
    entry->arguments = std::move(arguments);
    entry->loaded = true;
  }
  *out = entry;
  return nullptr;
}

void aotc_module_s::unload_all() {
  std::lock_guard lock(mutex);
  for (LoadedModule& entry : loaded) {
    if (entry.loaded) runtime->backend->unload_module(entry.slot, entry.handle);
  }
  loaded.clear();
}

aotc_module_s::~aotc_module_s() { unload_all(); }

StatusPtr aotc_kernel_s::prepare(KernelOnDevice** out) {
  DeviceSlot slot;
  std::string context = "kernel " + entry + ", variant " + module->variant;
  if (auto status = module->runtime->backend->current_device(&slot)) {
    return with_context(std::move(status), context);
  }
  if ((*out = find(slot.key))) return nullptr;  // another thread finished first
  LoadedModule* loaded = nullptr;
  if (auto status = module->ensure_loaded(slot, &loaded)) {
    return with_context(std::move(status), "kernel " + entry);
  }
  std::lock_guard lock(mutex);
  if ((*out = find(slot.key))) return nullptr;
  context += ", " + loaded->device;
  auto arguments = loaded->arguments.find(entry);
  if (arguments == loaded->arguments.end()) {
    std::string names;
    for (const auto& [name, layout] : loaded->arguments)
      names += (names.empty() ? "" : ", ") + name;
    return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                       context + ": " + loaded->image + " has no kernel " + entry +
                           "; it has: " + (names.empty() ? "none" : names));
  }
  void* function = nullptr;
  if (auto status =
          module->runtime->backend->get_function(loaded->handle, entry.c_str(), &function)) {
    return with_context(std::move(status), context);
  }
  auto device = std::make_unique<KernelOnDevice>();
  device->key = slot.key;
  device->function = function;
  device->expected = arguments->second;
  device->where = std::move(context);
  device->overlaps_launches = loaded->overlaps_launches;
  device->next = devices.load(std::memory_order_relaxed);
  *out = device.get();
  devices.store(device.release(), std::memory_order_release);
  return nullptr;
}

aotc_kernel_s::~aotc_kernel_s() {
  for (KernelOnDevice* device = devices.load(); device;) {
    delete std::exchange(device, device->next);
  }
}

extern "C" {

aotc_status aotc_module_create(aotc_runtime* runtime, const char* variant_name,
                               const aotc_image* images, size_t image_count, aotc_module** out) {
  if (!runtime || !out || (!images && image_count > 0)) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                       "aotc_module_create: runtime, images and out must not be NULL")
        .release();
  }
  std::string variant = variant_name ? variant_name : "";
  auto module = std::make_unique<aotc_module_s>();
  module->runtime = runtime;
  module->variant = variant;
  if (image_count == 0) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT, "variant " + variant + ": no images").release();
  }
  module->images.resize(image_count);
  for (size_t i = 0; i < image_count; ++i) {
    if (auto status = aotc::runtime::copy_image_source(images[i], i, &module->images[i])) {
      return with_context(std::move(status), "variant " + variant).release();
    }
  }
  std::lock_guard lock(runtime->mutex);
  runtime->modules.insert(module.get());
  *out = module.release();
  return nullptr;
}

void aotc_module_destroy(aotc_module* module) {
  if (!module) return;
  {
    std::lock_guard lock(module->runtime->mutex);
    module->runtime->modules.erase(module);
  }
  delete module;
}

size_t aotc_module_load_count(aotc_module* module) {
  return module ? module->load_count.load() : 0;
}

aotc_status aotc_module_get_kernel(aotc_module* module, const char* entry, aotc_kernel** out) {
  if (!module || !entry || !*entry || !out) {
    return make_status(AOTC_ERROR_INVALID_ARGUMENT,
                       "aotc_module_get_kernel: module, entry and out must be given")
        .release();
  }
  std::lock_guard lock(module->mutex);
  auto& kernel = module->kernels[entry];
  if (!kernel) {
    if (auto status = aotc::runtime::check_entry_in_memory_images(module->images, entry)) {
      module->kernels.erase(std::string(entry));
      return with_context(std::move(status),
                          "kernel " + std::string(entry) + ", variant " + module->variant)
          .release();
    }
    kernel = std::make_unique<aotc_kernel_s>();
    kernel->module = module;
    kernel->entry = entry;
  }
  *out = kernel.get();
  return nullptr;
}

}  // extern "C"
