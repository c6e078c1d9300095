#include <algorithm>

#include "launcher/emitters.h"
#include "launcher/expression_cpp.h"
#include "matrix/cpp_names.h"

// The generated source holds only what varies per family: the key lookup, the tables, the rule's
// expressions and the argument packing, gathered in a struct Family that
// aotc/launcher_family.h's Launcher<Family> drives (device, evaluation, loading, launching and
// every error message are written once there, as C++ the repository compiles and tests).
namespace aotc::launcher {
namespace {

// How rule symbols read inside compute(): a = Args, x = Values*, c = Constants, d = Device.
std::string symbol_cpp(const Symbol& s) {
  switch (s.kind) {
    case SymbolKind::param:
      return "static_cast<std::int64_t>(a." + s.name + ")";
    case SymbolKind::value:
      return "x->" + s.name;
    case SymbolKind::define:
      return "c." + s.name;
    case SymbolKind::device:
      return "static_cast<std::int64_t>(d." + s.name + ")";
  }
  return s.name;
}

std::string cpp(const Expression& e) { return expression_to_cpp(e, symbol_cpp); }

// One expression, or a choice on the device's vendor; a vendor without an expression evaluates
// to an error (the rule leaves out vendors the kernel is not built for).
std::string cpp(const RuleExpression& e) {
  if (!e.per_vendor()) return cpp(*e.common);
  std::string out = "(";
  for (Vendor vendor : k_vendors) {
    const Expression* chosen = e.for_vendor(vendor);
    if (chosen == nullptr) continue;
    out += "d.vendor == Vendor::" + std::string(vendor_name(vendor)) + " ? " + cpp(*chosen) + " : ";
  }
  return out + "e.no_expression_for(d.vendor))";
}

template <class T, class F>
std::string joined(const std::vector<T>& items, F format) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + format(items[i], i);
  return out;
}

std::string emit_tables(const FamilyModel& m) {
  std::string out = "const VariantInfo k_variants[] = {\n";
  for (const FamilyVariant& v : m.variants) {
    out += "    {" + cpp_string_literal(v.name) + ", {" +
           joined(m.axes, [&](const KeyAxis& a,
                              std::size_t i) { return key_value_cpp(a, v.axis_indices[i]); }) +
           "}},\n";
  }
  out += "};\n\n// The define macros the launch rule reads, per variant.\nstruct Constants {\n";
  for (const std::string& macro : m.rule.defines) out += "  std::int64_t " + macro + ";\n";
  out += "};\nconst Constants k_constants[] = {\n";
  for (const FamilyVariant& v : m.variants) {
    out += "    {" +
           joined(v.defines, [](std::int64_t d, std::size_t) { return cpp_int64_literal(d); }) +
           "},\n";
  }
  out += "};\n\nconst detail::ImageFile k_images[] = {\n";
  std::string first = "const std::uint32_t k_first_image[] = {0";
  std::size_t count = 0;
  for (const FamilyVariant& v : m.variants) {
    for (const ImageRef& image : v.images) {
      out += "    {" + cpp_string_literal(image.target) + ", " + cpp_string_literal(image.format) +
             ", " + cpp_string_literal(image.file) + "},\n";
    }
    for (std::size_t size : v.group_sizes) first += ", " + str(count += size);
  }
  out += "};\n" + first + "};\n\n";
  if (m.triton) {
    out +=
        "// Per variant and step: the num_warps Triton compiled it for, and the dynamic shared\n"
        "// memory it needs on AMD and on NVIDIA targets (the most over that vendor's objects).\n"
        "struct TritonStep {\n  std::int64_t num_warps, shared_amd, shared_nvidia;\n};\n"
        "const TritonStep k_triton[][k_step_count] = {\n";
    for (const auto& steps : m.triton_steps) {
      out += "    {" +
             joined(steps,
                    [](const TritonStepFacts& t, std::size_t) {
                      return "{" + str(t.num_warps) + ", " + str(t.shared_amd) + ", " +
                             str(t.shared_nvidia) + "}";
                    }) +
             "},\n";
    }
    out += "};\n\n";
  }
  for (std::size_t s = 0; s < m.layouts.size(); ++s) {
    if (m.layouts[s].slots.empty()) continue;
    out += "const aotc_arg_layout k_layout_" + str(s) + "[] = {" +
           joined(m.layouts[s].slots,
                  [](const ArgSlot& a, std::size_t) {
                    return "{" + str(a.offset) + ", " + str(a.size) + "}";
                  }) +
           "};\n";
  }
  out += "const detail::StepTable k_steps[] = {\n";
  for (std::size_t s = 0; s < m.rule.steps.size(); ++s) {
    const StepLayout& layout = m.layouts[s];
    const bool none = layout.slots.empty();
    out += "    {" + cpp_string_literal(m.rule.steps[s].entry) + ", " + str(m.step_group[s]) +
           ", " + (none ? "nullptr" : "k_layout_" + str(s)) + ", " + str(layout.slots.size()) +
           ", " + str(layout.buffer_size) + ", " +
           (m.rule.steps[s].overlap_previous ? "AOTC_LAUNCH_OVERLAP_PREVIOUS" : "0") + "},\n";
  }
  return out + "};\n\n";
}

// Each axis value -> its index by a switch, indices packed mixed-radix, one switch over the key.
std::string emit_lookup(const FamilyModel& m) {
  std::string out;
  for (const KeyAxis& axis : m.axes) {
    const std::string type = key_field_type(axis);
    const std::string param =
        axis.type == AxisType::integer_tuple ? "const " + type + "& v" : type + " v";
    out += "int index_of_" + axis.name + "(" + param + ") {\n";
    if (axis.type == AxisType::string) {
      out += "  const int i = static_cast<int>(v);\n  return i < " + str(axis.values.size()) +
             " ? i : -1;\n}\n\n";
    } else if (axis.type == AxisType::integer) {
      out += "  switch (v) {\n";
      for (std::size_t i = 0; i < axis.values.size(); ++i) {
        out += "    case " + key_value_cpp(axis, i) + ": return " + str(i) + ";\n";
      }
      out += "    default: return -1;\n  }\n}\n\n";
    } else {
      for (std::size_t i = 0; i < axis.values.size(); ++i) {
        out += "  if (v == " + type + key_value_cpp(axis, i) + ") return " + str(i) + ";\n";
      }
      out += "  return -1;\n}\n\n";
    }
  }
  out += "int find_variant(const Key& key) {\n  std::uint64_t packed = 0;\n  int i = 0;\n";
  for (const KeyAxis& axis : m.axes) {
    out += "  if ((i = index_of_" + axis.name + "(key." + axis.name + ")) < 0) return -1;\n" +
           "  packed = packed * " + str(axis.values.size()) + " + static_cast<std::uint64_t>(i);\n";
  }
  out += "  switch (packed) {\n";
  for (std::size_t v = 0; v < m.variants.size(); ++v) {
    std::uint64_t packed = 0;
    for (std::size_t a = 0; a < m.axes.size(); ++a) {
      packed = packed * m.axes[a].values.size() + m.variants[v].axis_indices[a];
    }
    out += "    case " + std::to_string(packed) + "u: return " + str(v) + ";\n";
  }
  return out + "    default: return -1;\n  }\n}\n\n";
}

std::string emit_to_string(const FamilyModel& m) {
  std::string out = "}  // namespace\n\n";
  for (const KeyAxis& axis : m.axes) {
    if (axis.type != AxisType::string) continue;
    out += "const char* to_string(" + axis.enum_name + " value) {\n  switch (value) {\n";
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      out += "    case " + axis.enum_name + "::" + axis.enumerators[i] + ": return " +
             cpp_string_literal(axis.values[i].get<std::string>()) + ";\n";
    }
    out += "  }\n  return \"?\";\n}\n\n";
  }
  out += "std::string to_string(const Key& key) {\n  std::string out;\n";
  for (std::size_t a = 0; a < m.axes.size(); ++a) {
    const KeyAxis& axis = m.axes[a];
    out += "  out += \"" + std::string(a ? " " : "") + axis.name + "=\";\n";
    if (axis.type == AxisType::string) {
      out += "  out += to_string(key." + axis.name + ");\n";
    } else if (axis.type == AxisType::integer) {
      out += "  out += std::to_string(key." + axis.name + ");\n";
    } else {
      for (std::size_t i = 0; i < axis.arity; ++i) {
        out += std::string(i ? "  out += \"x\";\n" : "") + "  out += std::to_string(key." +
               axis.name + "[" + str(i) + "]);\n";
      }
    }
  }
  return out + "  return out;\n}\n\n";
}

// Family::compute: the rule's values, workspace and each step's shape for variant v.
std::string emit_compute(const FamilyModel& m) {
  const LaunchRule& r = m.rule;
  std::string out =
      "  static void compute(std::size_t v, const Args& a, const Device& d, Values* x, Plan* p,\n"
      "                      detail::Eval& e) {\n"
      "    const Constants& c = k_constants[v];\n"
      "    (void)a;\n    (void)d;\n    (void)x;\n    (void)c;\n";
  for (const LaunchValue& v : r.values) {
    out += "    e.at = \"launch.values." + v.name + "\";\n    x->" + v.name + " = " +
           cpp(v.expression) + ";\n";
  }
  if (r.workspace_bytes) {
    out += "    e.at = \"launch.workspace_bytes\";\n    p->workspace_bytes = e.bytes64(" +
           cpp(*r.workspace_bytes) + ");\n";
  }
  for (std::size_t s = 0; s < r.steps.size(); ++s) {
    const LaunchStep& step = r.steps[s];
    const std::string at = "launch.steps[" + str(s) + "]";
    const std::string ps = "p->steps[" + str(s) + "]";
    out += "    " + ps + ".entry = k_steps[" + str(s) + "].entry;\n";
    if (step.when) {
      out += "    e.at = \"" + at + ".when\";\n    " + ps + ".run = " + cpp(*step.when) + ";\n";
    } else {
      out += "    " + ps + ".run = true;\n";
    }
    out += "    if (" + ps + ".run) {\n";
    for (const char* what : {"grid", "block"}) {
      const bool grid = std::string(what) == "grid";
      for (int d = 0; d < 3; ++d) {
        std::string value = cpp(grid ? step.grid[d] : step.block[d]);
        if (step.triton_block && d == 0 && !grid) {
          value = "e.multiply(k_triton[v][" + str(s) +
                  "].num_warps, static_cast<std::int64_t>(d.warp_size))";
        }
        const std::string field = std::string(what) + "[" + std::to_string(d) + "]";
        out += "      e.at = \"" + at + "." + field + "\";\n      " + ps + "." + field +
               " = e.dimension(" + value + ");\n";
      }
    }
    std::string shared = cpp(step.shared_bytes);
    if (m.triton) {
      const std::string t = "k_triton[v][" + str(s) + "]";
      shared = "e.add(" + shared + ", detail::per_vendor(" + t + ".shared_amd, " + t +
               ".shared_nvidia, d.vendor))";
    }
    out += "      e.at = \"" + at + ".shared_bytes\";\n      " + ps + ".shared_bytes = e.bytes32(" +
           shared + ");\n";
    for (std::size_t a = 0; a < step.args.size(); ++a) {
      const StepArg& arg = step.args[a];
      const bool integer = arg.kind == StepArgKind::value || arg.kind == StepArgKind::define;
      if (!integer || m.layouts[s].slots[a].size != 4) continue;
      out += "      e.at = \"" + at + ".args[" + str(a) + "]\";\n      e.check_int32(" +
             (arg.kind == StepArgKind::value ? "x->" : "c.") + arg.name + ");\n";
    }
    out += "    }\n";
  }
  return out + "  }\n\n";
}

// Family::pack: step s's arguments at the code object's offsets (integers as the kernel's 4 or
// 8 bytes, range-checked by compute).
std::string emit_pack(const FamilyModel& m) {
  std::string out =
      "  static void pack(std::size_t v, std::size_t step, const Args& a, const Values& x,\n"
      "                   unsigned char* b) {\n"
      "    (void)v;\n    (void)a;\n    (void)x;\n    (void)b;\n    switch (step) {\n";
  for (std::size_t s = 0; s < m.rule.steps.size(); ++s) {
    const LaunchStep& step = m.rule.steps[s];
    out += "      case " + str(s) + ":\n";
    for (std::size_t i = 0; i < step.args.size(); ++i) {
      const StepArg& arg = step.args[i];
      const ArgSlot& slot = m.layouts[s].slots[i];
      std::string type, source;
      switch (arg.kind) {
        case StepArgKind::param:
          type = "decltype(a." + arg.name + ")";
          source = "a." + arg.name;
          break;
        case StepArgKind::workspace:
          type = "void*";
          source = "a.workspace";
          break;
        case StepArgKind::value:
        case StepArgKind::define:
          type = slot.size == 4 ? "std::int32_t" : "std::int64_t";
          source = (arg.kind == StepArgKind::value ? "x." : "k_constants[v].") + arg.name;
          break;
      }
      out += "        detail::put<" + type + ">(b + " + str(slot.offset) + ", " + source + ");\n";
    }
    out += "        return;\n";
  }
  return out + "    }\n  }\n";
}

std::string emit_family(const FamilyModel& m) {
  const LaunchRule& r = m.rule;
  std::size_t max_buffer = 0;
  for (const StepLayout& layout : m.layouts)
    max_buffer = std::max<std::size_t>(max_buffer, layout.buffer_size);
  std::size_t max_images = 1;
  for (const FamilyVariant& v : m.variants) {
    for (std::size_t size : v.group_sizes) max_images = std::max(max_images, size);
  }
  std::string differing = "0";
  for (const KeyAxis& a : m.axes) differing += " + (a." + a.name + " != b." + a.name + ")";
  std::string out = "namespace {\n\nstruct Values {\n";
  for (const LaunchValue& v : r.values) out += "  std::int64_t " + v.name + " = 0;\n";
  out += "};\n\n";
  // Fully qualified: inside the kernel's namespace a plain `<kernel>::` would find a member of the
  // same name first (a kernel called Plan has a struct Plan).
  const std::string ns = "::aotc::gen::" + m.kernel + "::";
  out +=
      "// This family, as aotc/launcher_family.h's Launcher reads it.\nstruct Family {\n"
      "  using Key = " +
      ns + "Key;\n  using Args = " + ns + "Args;\n  using Plan = " + ns +
      "Plan;\n  using Values = " + ns + "Values;\n  using VariantInfo = " + ns + "VariantInfo;\n" +
      "  static constexpr const char* k_kernel = " + cpp_string_literal(m.kernel) + ";\n" +
      "  static constexpr std::size_t k_variant_count = " + str(m.variants.size()) + ";\n" +
      "  static constexpr std::size_t k_group_count = " + str(m.group_entries.size()) + ";\n" +
      "  static constexpr std::size_t k_step_count = " + ns + "k_step_count;\n" +
      "  static constexpr std::size_t k_max_images = " + str(max_images) + ";\n" +
      "  static constexpr std::size_t k_max_buffer = " + str(max_buffer) + ";\n" +
      "  static constexpr bool k_reads_device = " + (r.reads_device() ? "true" : "false") +
      ";\n  static constexpr bool k_per_vendor = " + (r.per_vendor() ? "true" : "false") + ";\n" +
      "  static constexpr const VariantInfo (&k_variants)[k_variant_count] = " + ns +
      "k_variants;\n" + "  static constexpr const detail::ImageFile* k_images = " + ns +
      "k_images;\n" + "  static constexpr const std::uint32_t* k_first_image = " + ns +
      "k_first_image;\n" + "  static constexpr const detail::StepTable* k_steps = " + ns +
      "k_steps;\n\n" + "  static int find(const Key& key) { return find_variant(key); }\n" +
      "  static int differing(const Key& a, const Key& b) {\n    return " + differing + ";\n  }\n" +
      "  static std::string key_string(const Key& key) { return to_string(key); }\n" +
      "  static const detail::EmbeddedImage* embedded() { return " + embedded_table_symbol(m) +
      "; }\n" + "  static const void* workspace(const Args& a) {\n" +
      (r.passes_workspace ? "    return a.workspace;\n" : "    (void)a;\n    return nullptr;\n") +
      "  }\n\n";
  return out + emit_compute(m) + emit_pack(m) + "};\n\nusing L = detail::Launcher<Family>;\n\n" +
         "}  // namespace\n\n";
}

std::string emit_api(const FamilyModel& m) {
  return R"aotc(Span<VariantInfo> variants() {
  return Span<VariantInfo>(k_variants, Family::k_variant_count);
}
bool is_supported(const Key& key) { return find_variant(key) >= 0; }
bool embedded() { return Family::embedded() != nullptr; }
Status plan(const Key& key, const Args& args, const Device& device, Plan* out) {
  return L::plan(key, args, device, out);
}
Status workspace_bytes(const Key& key, const Args& args, const Device& device,
                       std::uint64_t* bytes) {
  return L::workspace_bytes(key, args, device, bytes);
}
Status workspace_bytes(const Key& key, const Args& args, std::uint64_t* bytes) {
  return L::workspace_bytes(key, args, bytes);
}
Status launch(void* stream, const Key& key, const Args& args) {
  return L::launch(stream, key, args);
}

}  // namespace aotc::gen::)aotc" +
         m.kernel + "\n";
}

}  // namespace

std::string emit_launcher_source(const FamilyModel& m) {
  return "// Generated by aotc (kernel " + m.kernel +
         "): what is particular to this family; the rest is aotc/launcher_family.h.\n"
         "// Do not edit. See docs/LAUNCHERS.md.\n#include <aotc/" +
         m.kernel +
         "_launcher.h>\n#include <aotc/launcher_family.h>\n\n"
         "#if AOTC_LAUNCHER_SUPPORT_VERSION != 2\n"
         "#error \"generated for aotc/launcher_support.h version 2: use the runtime headers of the "
         "aotc that generated it\"\n#endif\n\n"
         "// Defined by " +
         m.kernel +
         "_embed.S when it is linked in. Weak: without it the table is null and code\n"
         "// objects are read from the kernel directory instead.\n"
         "extern \"C\" const aotc::gen::detail::EmbeddedImage " +
         embedded_table_symbol(m) +
         "[] __attribute__((weak));\n\nnamespace aotc::gen::" + m.kernel + " {\nnamespace {\n\n" +
         emit_tables(m) + emit_lookup(m) + emit_to_string(m) + emit_family(m) + emit_api(m);
}

}  // namespace aotc::launcher
