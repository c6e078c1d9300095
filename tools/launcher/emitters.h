// The text of each generated file, from a FamilyModel (family_model.h). Generated code is C++17
// (apps need not be on C++20), compiles warning-free under -Wall -Wextra with g++ and clang++, and
// reaches the GPU only through the runtime's C ABI (runtime/include/aotc/runtime.h).
#pragma once

#include <string>

#include "launcher/family_model.h"

namespace aotc::launcher {

// aotc/launcher_support.h: Status, Device, StepPlan, Span and the checked arithmetic every
// launcher shares. Identical for all families, so including several launchers is fine.
std::string emit_support_header();

// aotc/<kernel>_launcher.h: the public API of one family (Key, Args, launch, plan, ...).
std::string emit_launcher_header(const FamilyModel& model, const std::string& matrix_name);

// aotc/<kernel>_launcher.cc: variant table, O(1) lookup, rule evaluation, argument packing.
// `default_kernel_dir` is where images are loaded from at run time when none is set and the
// embedded images are not linked in.
std::string emit_launcher_source(const FamilyModel& model, const std::string& default_kernel_dir);

// aotc/<kernel>_embed.S: every image of the family, .incbin'ed from `out_dir` (absolute), and the
// table the launcher finds them through.
std::string emit_embed_asm(const FamilyModel& model, const std::string& out_dir);

// Names shared by the emitters.
std::string embedded_table_symbol(const FamilyModel& model);
std::string cpp_string_literal(std::string_view text);
std::string key_field_type(const KeyAxis& axis);  // "std::int64_t", "KvDtype"...
std::string key_value_cpp(const KeyAxis& axis,
                          std::size_t index);  // "KvDtype::bf16", "64", "{{64, 8}}"

}  // namespace aotc::launcher
