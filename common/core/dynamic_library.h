// Opening a shared library with dlopen and resolving its functions by name (IREE's dynamic
// symbol tables), for what aotc needs only at times and must not link: the GPU drivers (the
// runtime) and the decompression and hash libraries of compressed offload bundles. Each user
// lists its functions once in an X-macro table that expands both to typed pointers and to the
// SymbolSlot list resolved here (runtime/src/hip_symbols.h is an example).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace aotc {

struct DynamicLibrary {
  void* handle = nullptr;
  std::string path;  // the candidate name that loaded, for messages
};

// Tries each candidate in order and stops at the first that loads; when the environment variable
// `override_variable` is set (AOTC_HIP_LIBRARY, AOTC_ZSTD_LIBRARY, ...), only the path it names
// is tried. On failure the message lists every name tried with its dlerror() text:
// "no CUDA driver library could be loaded; tried: libcuda.so.1 (libcuda.so.1: cannot open ...)".
// Handles are never dlclose'd: the GPU drivers do not support being unloaded and loaded again
// within one process, and the others are cheap to keep.
Result<DynamicLibrary> open_dynamic_library(std::string_view what, const char* override_variable,
                                            std::span<const char* const> candidates);

// One function pointer to fill: `destination` points at the typed pointer, which receives the
// dlsym result (nullptr for a missing optional symbol).
struct SymbolSlot {
  const char* name;
  void* destination;
  bool required;
};

// Resolves every slot; a missing required symbol fails, naming all the missing ones and the
// library.
Status resolve_symbols(const DynamicLibrary& library, std::span<const SymbolSlot> slots);

}  // namespace aotc

// Expansions of an X-macro table TABLE(REQUIRED, OPTIONAL), whose entries read
// `REQUIRED(name, return_type, (parameters))`:
//   struct Functions { TABLE(AOTC_SYMBOL_POINTER, AOTC_SYMBOL_POINTER) };
//   SymbolSlot slots[] = { TABLE(AOTC_SYMBOL_REQUIRED, AOTC_SYMBOL_OPTIONAL) };  // uses `fns`
#define AOTC_SYMBOL_POINTER(name, return_type, parameters) return_type(*name) parameters = nullptr;
#define AOTC_SYMBOL_REQUIRED(name, return_type, parameters) \
  ::aotc::SymbolSlot{#name, &fns.name, true},
#define AOTC_SYMBOL_OPTIONAL(name, return_type, parameters) \
  ::aotc::SymbolSlot{#name, &fns.name, false},
