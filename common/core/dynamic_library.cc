#include "core/dynamic_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

namespace aotc {

Result<DynamicLibrary> open_dynamic_library(std::string_view what, const char* override_variable,
                                            std::span<const char* const> candidates) {
  const char* chosen = override_variable ? std::getenv(override_variable) : nullptr;
  if (chosen && *chosen) candidates = std::span<const char* const>(&chosen, 1);
  std::string tried;
  for (const char* name : candidates) {
    // RTLD_LOCAL keeps the library's symbols out of the global namespace the application sees.
    void* handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle) return DynamicLibrary{handle, name};
    const char* reason = dlerror();
    if (!tried.empty()) tried += "; ";
    tried += std::string(name) + " (" + (reason ? reason : "unknown dlopen failure") + ")";
  }
  return make_error("no " + std::string(what) + " library could be loaded; tried: " + tried);
}

Status resolve_symbols(const DynamicLibrary& library, std::span<const SymbolSlot> slots) {
  std::string missing;
  for (const SymbolSlot& slot : slots) {
    void* address = dlsym(library.handle, slot.name);
    // Function pointers and void* have the same size on every platform dlsym exists on; memcpy
    // stores the address into the typed pointer without a pointer-type pun.
    std::memcpy(slot.destination, &address, sizeof address);
    if (!address && slot.required) {
      if (!missing.empty()) missing += ", ";
      missing += slot.name;
    }
  }
  if (!missing.empty()) {
    return make_error(library.path + ": missing required functions: " + missing);
  }
  return Status::success();
}

}  // namespace aotc
