// Opening a GPU driver library with dlopen and resolving its functions by name (IREE's dynamic
// symbol tables): the backends list their functions once in an X-macro table (hip_symbols.h,
// cuda_symbols.h) that expands both to typed pointers and to the SymbolSlot list resolved here.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "status.h"

namespace aotc::runtime {

struct DriverLibrary {
  void* handle = nullptr;
  std::string path;  // the candidate name that loaded, for messages
};

// Tries each candidate in order and stops at the first that loads; when the environment variable
// `override_variable` is set (AOTC_HIP_LIBRARY, AOTC_CUDA_LIBRARY), only the path it names is
// tried, for drivers outside the loader's search path. On failure (code AOTC_ERROR_NO_DRIVER)
// the message lists every name tried with its dlerror() text.
// Handles are never dlclose'd: neither the HIP runtime nor the CUDA driver supports being
// unloaded and loaded again within one process.
StatusPtr open_driver_library(std::string_view what, const char* override_variable,
                              std::span<const char* const> candidates, DriverLibrary* out);

// One function pointer to fill: `destination` points at the typed pointer, which receives the
// dlsym result (nullptr for a missing optional symbol).
struct SymbolSlot {
  const char* name;
  void* destination;
  bool required;
};

// Resolves every slot; a missing required symbol fails (AOTC_ERROR_NO_DRIVER) naming all the
// missing ones and the library.
StatusPtr resolve_symbols(const DriverLibrary& library, std::span<const SymbolSlot> slots);

}  // namespace aotc::runtime

// Expansions of a backend's X-macro table TABLE(REQUIRED, OPTIONAL), whose entries read
// `REQUIRED(name, return_type, (parameters))`:
//   struct Functions { TABLE(AOTC_SYMBOL_POINTER, AOTC_SYMBOL_POINTER) };
//   SymbolSlot slots[] = { TABLE(AOTC_SYMBOL_REQUIRED, AOTC_SYMBOL_OPTIONAL) };  // uses `fns`
#define AOTC_SYMBOL_POINTER(name, return_type, parameters) return_type(*name) parameters = nullptr;
#define AOTC_SYMBOL_REQUIRED(name, return_type, parameters) \
  ::aotc::runtime::SymbolSlot{#name, &fns.name, true},
#define AOTC_SYMBOL_OPTIONAL(name, return_type, parameters) \
  ::aotc::runtime::SymbolSlot{#name, &fns.name, false},
