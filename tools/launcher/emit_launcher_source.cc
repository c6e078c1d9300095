#include <algorithm>

#include "launcher/emitters.h"
#include "launcher/expression_cpp.h"
#include "matrix/cpp_names.h"

namespace aotc::launcher {
namespace {

std::string str(std::size_t n) { return std::to_string(n); }

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

std::string emit_tables(const FamilyModel& m, const std::string& default_kernel_dir) {
  std::string out =
      "constexpr std::size_t k_variant_count = " + str(m.variants.size()) + ";\n" +
      "constexpr char k_default_kernel_dir[] = " + cpp_string_literal(default_kernel_dir) +
      ";\n\nconst VariantInfo k_variants[k_variant_count] = {\n";
  for (const FamilyVariant& v : m.variants) {
    out += "    {" + cpp_string_literal(v.name) + ", {";
    for (std::size_t a = 0; a < m.axes.size(); ++a) {
      out += (a ? ", " : "") + key_value_cpp(m.axes[a], v.axis_indices[a]);
    }
    out += "}},\n";
  }
  out += "};\n\n// The define macros the launch rule reads, per variant.\nstruct Constants {\n";
  for (const std::string& macro : m.rule.defines) out += "  std::int64_t " + macro + ";\n";
  out += "};\nconst Constants k_constants[k_variant_count] = {\n";
  for (const FamilyVariant& v : m.variants) {
    out += "    {";
    for (std::size_t i = 0; i < v.defines.size(); ++i)
      out += (i ? ", " : "") + cpp_int64_literal(v.defines[i]);
    out += "},\n";
  }
  out +=
      "};\n\n// Code objects, relative to the kernel directory, in groups of one module each (one\n"
      "// group per entry for a Triton kernel, one for all entries otherwise): k_images[\n"
      "// k_first_image[v * k_group_count + g] .. k_first_image[v * k_group_count + g + 1]) are\n"
      "// group g of variant v, in the order of the embedded table.\n"
      "constexpr std::size_t k_group_count = " +
      str(m.group_entries.size()) +
      ";\n"
      "struct ImageFile {\n  const char* target;\n  const char* format;\n  const char* file;\n};\n"
      "const ImageFile k_images[] = {\n";
  std::string first = "const std::uint32_t k_first_image[k_variant_count * k_group_count + 1] = {0";
  std::size_t count = 0, most = 0;
  for (const FamilyVariant& v : m.variants) {
    for (const ImageRef& image : v.images) {
      out += "    {" + cpp_string_literal(image.target) + ", " + cpp_string_literal(image.format) +
             ", " + cpp_string_literal(image.file) + "},\n";
    }
    for (std::size_t size : v.group_sizes) {
      count += size;
      most = std::max(most, size);
      first += ", " + str(count);
    }
  }
  out += "};\n" + first + "};\nconstexpr std::size_t k_max_images = " + str(most) + ";\n";
  out += "// The group (module) holding each step's entry.\nconst std::size_t k_step_group[] = {";
  for (std::size_t s = 0; s < m.step_group.size(); ++s) {
    out += (s ? ", " : "") + str(m.step_group[s]);
  }
  out += "};\n\n";
  if (m.triton) {
    out +=
        "// Per variant and step: the num_warps Triton compiled it for, and the dynamic shared\n"
        "// memory it needs on AMD and on NVIDIA targets (the most over that vendor's objects).\n"
        "struct TritonStep {\n  std::int64_t num_warps;\n  std::int64_t shared_amd;\n"
        "  std::int64_t shared_nvidia;\n};\n"
        "const TritonStep k_triton[k_variant_count][k_step_count] = {\n";
    for (const auto& steps : m.triton_steps) {
      out += "    {";
      for (std::size_t s = 0; s < steps.size(); ++s) {
        out += std::string(s ? ", " : "") + "{" + str(steps[s].num_warps) + ", " +
               str(steps[s].shared_amd) + ", " + str(steps[s].shared_nvidia) + "}";
      }
      out += "},\n";
    }
    out +=
        "};\n\n// Triton's dynamic shared memory for the device's backend; the larger of the two\n"
        "// when the Device does not say.\n"
        "std::int64_t triton_shared(const TritonStep& t, const Device& d) {\n"
        "  if (d.vendor == Vendor::amd) return t.shared_amd;\n"
        "  if (d.vendor == Vendor::nvidia) return t.shared_nvidia;\n"
        "  return t.shared_amd > t.shared_nvidia ? t.shared_amd : t.shared_nvidia;\n}\n\n";
  }
  out += "const char* const k_entries[k_step_count] = {";
  for (std::size_t s = 0; s < m.rule.steps.size(); ++s) {
    out += (s ? ", " : "") + cpp_string_literal(m.rule.steps[s].entry);
  }
  out += "};\n\n";
  for (std::size_t s = 0; s < m.layouts.size(); ++s) {
    if (m.layouts[s].slots.empty()) continue;
    out += "const aotc_arg_layout k_layout_" + str(s) + "[] = {";
    for (std::size_t a = 0; a < m.layouts[s].slots.size(); ++a) {
      out += std::string(a ? ", " : "") + "{" + str(m.layouts[s].slots[a].offset) + ", " +
             str(m.layouts[s].slots[a].size) + "}";
    }
    out += "};\n";
  }
  return out + "\n";
}

std::string emit_lookup(const FamilyModel& m) {
  std::string out;
  std::vector<std::uint64_t> radix;
  for (const KeyAxis& axis : m.axes) {
    const std::string type = key_field_type(axis);
    const std::string param =
        axis.type == AxisType::integer_tuple ? "const " + type + "& v" : type + " v";
    out += "int index_of_" + axis.name + "(" + param + ") {\n";
    if (axis.type == AxisType::string) {
      out += "  const int i = static_cast<int>(v);\n  return i < " + str(axis.values.size()) +
             " ? i : -1;\n}\n\n";
      continue;
    }
    if (axis.type == AxisType::integer) {
      out += "  switch (v) {\n";
      for (std::size_t i = 0; i < axis.values.size(); ++i) {
        out += "    case " + key_value_cpp(axis, i) + ": return " + str(i) + ";\n";
      }
      out += "    default: return -1;\n  }\n}\n\n";
      continue;
    }
    for (std::size_t i = 0; i < axis.values.size(); ++i) {
      out += "  if (v == " + type + key_value_cpp(axis, i) + ") return " + str(i) + ";\n";
    }
    out += "  return -1;\n}\n\n";
  }
  out +=
      "// The variant for a key in constant time: axis indices packed mixed-radix, then a switch.\n"
      "int find_variant(const Key& key) {\n  std::uint64_t packed = 0;\n  int i = 0;\n";
  for (const KeyAxis& axis : m.axes) {
    out += "  if ((i = index_of_" + axis.name + "(key." + axis.name +
           ")) < 0) return -1;\n"
           "  packed = packed * " +
           str(axis.values.size()) + " + static_cast<std::uint64_t>(i);\n";
  }
  out += "  switch (packed) {\n";
  for (std::size_t v = 0; v < m.variants.size(); ++v) {
    std::uint64_t packed = 0;
    for (std::size_t a = 0; a < m.axes.size(); ++a) {
      packed = packed * m.axes[a].values.size() + m.variants[v].axis_indices[a];
    }
    out += "    case " + std::to_string(packed) + "u: return " + str(v) + ";\n";
  }
  out += "    default: return -1;\n  }\n}\n\n";
  out += "int differing_axes(const Key& a, const Key& b) {\n  return 0";
  for (const KeyAxis& axis : m.axes)
    out += " +\n         (a." + axis.name + " != b." + axis.name + " ? 1 : 0)";
  out += ";\n}\n\n";
  out += R"aotc(Status unknown_key(const Key& key) {
  int best = 1 << 30;
  for (const VariantInfo& v : k_variants) best = std::min(best, differing_axes(key, v.key));
  std::string message = ")aotc" +
         m.kernel + R"aotc(: no variant was built for {" + to_string(key) +
                        "}; nearest built keys (" + std::to_string(best) + (best == 1 ? " axis differs):" : " axes differ):");
  int listed = 0;
  for (const VariantInfo& v : k_variants) {
    if (differing_axes(key, v.key) != best) continue;
    if (listed++ == 8) {
      message += "\n  ...";
      break;
    }
    message += "\n  {" + to_string(v.key) + "} (" + v.name + ")";
  }
  return Status(AOTC_ERROR_INVALID_ARGUMENT, message);
}

)aotc";
  return out;
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
  return out + "  return out;\n}\n\nnamespace {\n\n";
}

std::string emit_compute(const FamilyModel& m) {
  const LaunchRule& r = m.rule;
  std::string out = "struct Values {\n";
  for (const LaunchValue& v : r.values) out += "  std::int64_t " + v.name + " = 0;\n";
  out +=
      "};\n\n// Evaluates the launch rule for variant v: values, workspace and each step's shape.\n"
      "Status compute(std::size_t v, const Args& a, const Device& d, Values* x, Plan* p) {\n"
      "  detail::Eval e;\n  const Constants& c = k_constants[v];\n"
      "  (void)a;\n  (void)d;\n  (void)x;\n  (void)c;\n  p->variant = k_variants[v].name;\n";
  for (const LaunchValue& v : r.values) {
    out += "  e.at = \"launch.values." + v.name + "\";\n  x->" + v.name + " = " +
           cpp(v.expression) + ";\n";
  }
  if (r.workspace_bytes) {
    out += "  e.at = \"launch.workspace_bytes\";\n  p->workspace_bytes = e.bytes64(" +
           cpp(*r.workspace_bytes) + ");\n";
  }
  for (std::size_t s = 0; s < r.steps.size(); ++s) {
    const LaunchStep& step = r.steps[s];
    const std::string at = "launch.steps[" + str(s) + "]";
    const std::string ps = "p->steps[" + str(s) + "]";
    out += "  " + ps + ".entry = k_entries[" + str(s) + "];\n";
    if (step.when) {
      out += "  e.at = \"" + at + ".when\";\n  " + ps + ".run = " + cpp(*step.when) + ";\n";
    } else {
      out += "  " + ps + ".run = true;\n";
    }
    out += "  if (" + ps + ".run) {\n";
    for (const char* what : {"grid", "block"}) {
      for (int d = 0; d < 3; ++d) {
        const RuleExpression& e = std::string(what) == "grid" ? step.grid[d] : step.block[d];
        std::string value = cpp(e);
        if (step.triton_block && d == 0 && std::string(what) == "block") {
          value = "e.multiply(k_triton[v][" + str(s) +
                  "].num_warps, static_cast<std::int64_t>(d.warp_size))";
        }
        out += "    e.at = \"" + at + "." + what + "[" + std::to_string(d) + "]\";\n    " + ps +
               "." + what + "[" + std::to_string(d) + "] = e.dimension(" + value + ");\n";
      }
    }
    std::string shared = cpp(step.shared_bytes);
    if (m.triton) shared = "e.add(" + shared + ", triton_shared(k_triton[v][" + str(s) + "], d))";
    out += "    e.at = \"" + at + ".shared_bytes\";\n    " + ps + ".shared_bytes = e.bytes32(" +
           shared + ");\n";
    for (std::size_t a = 0; a < step.args.size(); ++a) {
      const StepArg& arg = step.args[a];
      const bool integer = arg.kind == StepArgKind::value || arg.kind == StepArgKind::define;
      if (!integer || m.layouts[s].slots[a].size != 4) continue;
      out += "    e.at = \"" + at + ".args[" + str(a) + "]\";\n    e.check_int32(" +
             (arg.kind == StepArgKind::value ? "x->" : "c.") + arg.name + ");\n";
    }
    out += "  }\n";
  }
  return out + "  if (e.failed()) return e.status(k_variants[v].name);\n  return Status();\n}\n\n";
}

std::string emit_loading(const FamilyModel& m) {
  const std::string table = embedded_table_symbol(m);
  std::string out =
      R"aotc(// A variant's module and kernels, created at its first launch and kept for the process's
// life (the runtime loads the code object once per device underneath).
struct Loaded {
  std::atomic<bool> ready{false};
  aotc_module* modules[k_group_count] = {};
  aotc_kernel* kernels[k_step_count] = {};
  // Must outlive the modules: the runtime reads them lazily.
  std::string paths[k_group_count][k_max_images];
};
Loaded g_loaded[k_variant_count];
std::mutex g_load_mutex;

Status create_group(std::size_t v, std::size_t g, aotc_runtime* runtime, Loaded& l) {
  const std::uint32_t first = k_first_image[v * k_group_count + g];
  const std::uint32_t count = k_first_image[v * k_group_count + g + 1] - first;
  const bool from_binary = )aotc" +
      table + R"aotc( != nullptr;
  const std::string dir = from_binary ? std::string() : detail::kernel_dir(k_default_kernel_dir);
  aotc_image images[k_max_images] = {};
  for (std::uint32_t i = 0; i < count; ++i) {
    const ImageFile& f = k_images[first + i];
    images[i].target = f.target;
    images[i].format = f.format;
    if (from_binary) {
      images[i].data = )aotc" +
      table + R"aotc([first + i].data;
      images[i].size = static_cast<std::size_t>()aotc" +
      table + R"aotc([first + i].size);
    } else {
      l.paths[g][i] = dir + "/" + f.file;
      images[i].path = l.paths[g][i].c_str();
    }
  }
  return Status::adopt(aotc_module_create(runtime, k_variants[v].name, images, count, &l.modules[g]));
}

Status create_module(std::size_t v, aotc_runtime* runtime, Loaded& l) {
  Status s;
  for (std::size_t g = 0; g < k_group_count && s; ++g) s = create_group(v, g, runtime, l);
  for (std::size_t step = 0; step < k_step_count && s; ++step) {
    s = Status::adopt(
        aotc_module_get_kernel(l.modules[k_step_group[step]], k_entries[step], &l.kernels[step]));
  }
  if (!s) {
    for (aotc_module*& module : l.modules) {
      aotc_module_destroy(module);
      module = nullptr;
    }
  }
  return s;
}

Status load(std::size_t v, aotc_runtime* runtime, const Loaded** out) {
  Loaded& l = g_loaded[v];
  if (!l.ready.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(g_load_mutex);
    if (!l.ready.load(std::memory_order_relaxed)) {
      Status s = create_module(v, runtime, l);
      if (!s) return s;
      l.ready.store(true, std::memory_order_release);
    }
  }
  *out = &l;
  return Status();
}

aotc_launch_config launch_config(const StepPlan& step, void* stream) {
  aotc_launch_config config{};
  for (int i = 0; i < 3; ++i) {
    config.grid[i] = step.grid[i];
    config.block[i] = step.block[i];
  }
  config.shared_bytes = step.shared_bytes;
  config.stream = stream;
  return config;
}

)aotc";
  return out;
}

// Packs step s's arguments at the code object's offsets and launches it.
std::string emit_step_launch(const FamilyModel& m, std::size_t s) {
  const LaunchStep& step = m.rule.steps[s];
  const StepLayout& layout = m.layouts[s];
  const std::string ps = "p.steps[" + str(s) + "]";
  std::string out = "  if (" + ps + ".run) {  // " + step.entry + "\n";
  std::string args = "nullptr", layout_name = "nullptr";
  if (!layout.slots.empty()) {
    out += "    alignas(16) unsigned char buffer[" + str(layout.buffer_size) + "] = {};\n";
    for (std::size_t a = 0; a < step.args.size(); ++a) {
      const StepArg& arg = step.args[a];
      const ArgSlot& slot = layout.slots[a];
      const std::string at = "    std::memcpy(buffer + " + str(slot.offset) + ", &";
      switch (arg.kind) {
        case StepArgKind::param:
          out += at + "args." + arg.name;
          break;
        case StepArgKind::workspace:
          out += at + "args.workspace";
          break;
        case StepArgKind::value:
        case StepArgKind::define: {
          const std::string type = slot.size == 4 ? "std::int32_t" : "std::int64_t";
          const std::string source =
              arg.kind == StepArgKind::value ? "values." + arg.name : "k_constants[v]." + arg.name;
          out += "    const " + type + " arg" + str(a) + " = static_cast<" + type + ">(" + source +
                 ");\n" + at + "arg" + str(a);
          break;
        }
      }
      out += ", " + str(slot.size) + ");\n";
    }
    args = "buffer";
    layout_name = "k_layout_" + str(s);
  }
  out += "    const aotc_launch_config config = launch_config(" + ps + ", stream);\n" +
         "    s = Status::adopt(aotc_launch(l->kernels[" + str(s) + "], &config, " + args + ", " +
         layout_name + ", " + str(layout.slots.size()) + "));\n    if (!s) return s;\n  }\n";
  return out;
}

// What launch() asks the driver: the vendor always (the runtime's backend, no driver call), the
// current device's attributes only when the rule reads device.* (a driver query per launch).
std::string emit_launch_device(const FamilyModel& m) {
  std::string out =
      "// The device launches run on, as far as the rule needs it.\n"
      "Status launch_device(aotc_runtime** runtime, Device* device) {\n"
      "  Status s = Status::adopt(aotc_runtime_default(runtime));\n  if (!s) return s;\n"
      "  device->vendor = detail::vendor_of(*runtime);\n";
  if (m.rule.reads_device()) {
    out +=
        "  aotc_device_info info{};\n"
        "  s = Status::adopt(aotc_current_device(*runtime, &info));\n  if (!s) return s;\n"
        "  device->multiprocessor_count = info.multiprocessor_count;\n"
        "  device->warp_size = info.warp_size;\n"
        "  device->max_shared_per_block = info.max_shared_per_block;\n";
  } else {
    out += "  // The rule reads no device.* attribute: no need to ask the driver for them.\n";
  }
  return out + "  return Status();\n}\n\n";
}

std::string emit_api(const FamilyModel& m) {
  const std::string table = embedded_table_symbol(m);
  const std::string workspace_device =
      m.rule.reads_device() || m.rule.per_vendor()
          ? "  aotc_runtime* runtime = nullptr;\n  Device device;\n"
            "  Status s = launch_device(&runtime, &device);\n  if (!s) return s;\n"
            "  return workspace_bytes(key, args, device, bytes);\n"
          : "  // The rule reads no device attribute and is the same for every vendor: no driver\n"
            "  // is needed.\n  return workspace_bytes(key, args, Device{}, bytes);\n";
  std::string out = R"aotc(}  // namespace

Span<VariantInfo> variants() { return Span<VariantInfo>(k_variants, k_variant_count); }

bool is_supported(const Key& key) { return find_variant(key) >= 0; }

bool embedded() { return )aotc" +
                    table + R"aotc( != nullptr; }

Status plan(const Key& key, const Args& args, const Device& device, Plan* out) {
  const int found = find_variant(key);
  if (found < 0) return unknown_key(key);
  Values values;
  return compute(static_cast<std::size_t>(found), args, device, &values, out);
}

Status workspace_bytes(const Key& key, const Args& args, const Device& device,
                       std::uint64_t* bytes) {
  Plan p;
  Status s = plan(key, args, device, &p);
  if (!s) return s;
  *bytes = p.workspace_bytes;
  return Status();
}

Status workspace_bytes(const Key& key, const Args& args, std::uint64_t* bytes) {
  if (find_variant(key) < 0) return unknown_key(key);
)aotc" + workspace_device +
                    R"aotc(}

Status launch(void* stream, const Key& key, const Args& args) {
  const int found = find_variant(key);
  if (found < 0) return unknown_key(key);
  const auto v = static_cast<std::size_t>(found);
  aotc_runtime* runtime = nullptr;
  Device device;
  Status s = launch_device(&runtime, &device);
  if (!s) return s;
  Values values;
  Plan p;
  s = compute(v, args, device, &values, &p);
  if (!s) return s;
)aotc";
  if (m.rule.passes_workspace) {
    out += R"aotc(  if (p.workspace_bytes > 0 && args.workspace == nullptr) {
    return Status(AOTC_ERROR_INVALID_ARGUMENT, std::string(p.variant) + ": Args::workspace is null but the launch needs " +
                                                   std::to_string(p.workspace_bytes) + " bytes (see workspace_bytes())");
  }
)aotc";
  }
  out += "  const Loaded* l = nullptr;\n  s = load(v, runtime, &l);\n  if (!s) return s;\n";
  for (std::size_t s = 0; s < m.rule.steps.size(); ++s) out += emit_step_launch(m, s);
  return out + "  return Status();\n}\n\n";
}

}  // namespace

std::string emit_launcher_source(const FamilyModel& m, const std::string& default_kernel_dir) {
  const std::string table = embedded_table_symbol(m);
  return "// Generated by aotc (kernel " + m.kernel +
         "). Do not edit. See docs/LAUNCHERS.md.\n"
         "#include <aotc/" +
         m.kernel +
         "_launcher.h>\n\n#include <algorithm>\n#include <atomic>\n"
         "#include <cstring>\n#include <mutex>\n#include <string>\n\n"
         "// Defined by " +
         m.kernel +
         "_embed.S when it is linked in. Weak: without it the table is\n"
         "// null and code objects are read from the kernel directory instead.\n"
         "extern \"C\" const aotc::gen::detail::EmbeddedImage " +
         table +
         "[] __attribute__((weak));\n\n"
         "namespace aotc::gen::" +
         m.kernel + " {\nnamespace {\n\n" + emit_tables(m, default_kernel_dir) + emit_lookup(m) +
         emit_to_string(m) + emit_compute(m) + emit_loading(m) + emit_launch_device(m) +
         emit_api(m) + "}  // namespace aotc::gen::" + m.kernel + "\n";
}

}  // namespace aotc::launcher
