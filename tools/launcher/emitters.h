// The text of each generated file, from a FamilyModel (family_model.h): only what varies per
// family; the fixed parts are runtime/include/aotc/launcher_{support,family}.h. Generated code is
// C++17 (apps need not be on C++20), compiles warning-free under -Wall -Wextra with g++ and
// clang++, and reaches the GPU only through the runtime's C ABI (runtime/include/aotc/runtime.h).
#pragma once

#include <string>

#include "launcher/family_model.h"

namespace aotc::launcher {

// A count or index as generated text.
inline std::string str(std::size_t n) { return std::to_string(n); }

// aotc/<kernel>_launcher.h: the public API of one family (Key, Args, launch, plan, ...).
std::string emit_launcher_header(const FamilyModel& model, const std::string& matrix_name);

// aotc/<kernel>_launcher.cc: what is particular to the family (variant table, O(1) lookup, rule
// expressions, argument packing) for runtime/include/aotc/launcher_family.h to drive.
std::string emit_launcher_source(const FamilyModel& model);

// aotc/<kernel>_embed.S: every image of the family, .incbin'ed by its path relative to the output
// directory's include/ (found through the -I that compiles the launcher), and the table the
// launcher finds them through.
std::string emit_embed_asm(const FamilyModel& model);

// The C ABI (emit_c_abi.cc): aotc/<kernel>_capi.h (C11 and C++: structs for key, args and plan,
// extern "C" functions; shared types in the runtime's aotc/capi_support.h) and
// aotc/<kernel>_capi.cc (compiled with the launcher; converts and forwards to the C++ API).
std::string emit_c_abi_header(const FamilyModel& model, const std::string& matrix_name);
std::string emit_c_abi_source(const FamilyModel& model);

// Names shared by the emitters.
std::string embedded_table_symbol(const FamilyModel& model);
std::string cpp_string_literal(std::string_view text);
std::string key_field_type(const KeyAxis& axis);  // "std::int64_t", "KvDtype"...
std::string key_value_cpp(const KeyAxis& axis,
                          std::size_t index);  // "KvDtype::bf16", "64", "{{64, 8}}"

}  // namespace aotc::launcher
