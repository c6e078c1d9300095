// The C ABI of a family (docs/LAUNCHERS.md, "C ABI"): plain C structs mirroring Key, Args and Plan,
// and extern "C" functions that convert and call the C++ launcher. Nothing about variants, rules
// or packing is decided here: every function forwards to the C++ API, so the two cannot disagree.
#include <cctype>

#include "launcher/emitters.h"

namespace aotc::launcher {
namespace {

std::string upper(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string prefix(const FamilyModel& m) { return "aotc_" + m.kernel; }
std::string macro_prefix(const FamilyModel& m) { return "AOTC_" + upper(m.kernel); }

// The C enum constant of a string axis value: AOTC_PA_DECODE_KV_DTYPE_bf16 (the C++ enumerator
// keeps its case, so values differing only in case stay distinct).
std::string enum_constant(const FamilyModel& m, const KeyAxis& axis, std::size_t i) {
  return macro_prefix(m) + "_" + upper(axis.name) + "_" + axis.enumerators[i];
}

std::string key_field_c(const KeyAxis& axis) {
  switch (axis.type) {
    case AxisType::string:
      return "int32_t " + axis.name;
    case AxisType::integer_tuple:
      return "int64_t " + axis.name + "[" + str(axis.arity) + "]";
    case AxisType::integer:
      break;
  }
  return "int64_t " + axis.name;
}

const char* field_kind(const CType& type) {
  switch (type.kind) {
    case CTypeKind::pointer:
      return "AOTC_GEN_FIELD_POINTER";
    case CTypeKind::signed_integer:
      return "AOTC_GEN_FIELD_INT";
    case CTypeKind::unsigned_integer:
      return "AOTC_GEN_FIELD_UINT";
    case CTypeKind::floating:
      return "AOTC_GEN_FIELD_FLOAT";
  }
  return "AOTC_GEN_FIELD_POINTER";
}

std::string emit_c_types(const FamilyModel& m) {
  const std::string p = prefix(m);
  std::string out;
  for (const KeyAxis& axis : m.axes) {
    if (axis.type != AxisType::string) continue;
    out += "/* Values of the key's " + axis.name + " axis, in matrix order. */\ntypedef enum " + p +
           "_" + axis.name + "_value {\n";
    for (std::size_t i = 0; i < axis.enumerators.size(); ++i) {
      out += "  " + enum_constant(m, axis, i) + " = " + str(i) + ", /* " +
             cpp_string_literal(axis.values[i].get<std::string>()) + " */\n";
    }
    out += "} " + p + "_" + axis.name + "_value;\n\n";
  }
  out +=
      "/* Selects a variant: one field per axis of the matrix, in matrix order. */\ntypedef "
      "struct " +
      p + "_key {\n";
  for (const KeyAxis& axis : m.axes) {
    std::string values;
    for (std::size_t i = 0; i < axis.values.size(); ++i)
      values += (i ? " " : "") + axis.values[i].dump();
    out += "  " + key_field_c(axis) + "; /* " +
           (axis.type == AxisType::string ? p + "_" + axis.name + "_value; " : std::string()) +
           "built: " + values + " */\n";
  }
  if (m.axes.empty()) out += "  char unused; /* a family without axes: C has no empty structs */\n";
  out += "} " + p + "_key;\n\n";
  out +=
      "/* The arguments of launch(); scalars keep the C type the launch rule declares. */\n"
      "typedef struct " +
      p + "_args {\n";
  for (const LaunchParam& param : m.rule.params)
    out += "  " + param.type.spelling + " " + param.name + ";\n";
  if (m.rule.passes_workspace) {
    out +=
        "  void* workspace; /* device memory of at least workspace_bytes() bytes, owned by the "
        "caller */\n";
  }
  if (m.rule.params.empty() && !m.rule.passes_workspace) out += "  char unused;\n";
  out += "} " + p + "_args;\n\n";
  out += "#define " + macro_prefix(m) + "_STEP_COUNT " + str(m.rule.steps.size()) +
         "\n\n/* What launch() would do: the variant, its workspace, each step's launch shape. */\n"
         "typedef struct " +
         p +
         "_launch_plan {\n  const char* variant;\n  uint64_t workspace_bytes;\n"
         "  aotc_gen_step_plan steps[" +
         macro_prefix(m) + "_STEP_COUNT];\n} " + p + "_launch_plan;\n\n";
  return out;
}

std::string emit_c_functions(const FamilyModel& m) {
  const std::string p = prefix(m);
  const std::string key = "const " + p + "_key* key", args = "const " + p + "_args* args";
  return "/* The family's self-description (key and argument fields with offsets), for FFIs. */\n"
         "AOTC_GEN_CAPI const aotc_gen_family* " +
         p +
         "_family(void);\n\n"
         "/* Number of built variants; " +
         p +
         "_variant(i, &key) gives the name and key of\n"
         " * variant i (NULL when i is out of range). */\n"
         "AOTC_GEN_CAPI size_t " +
         p +
         "_variant_count(void);\n"
         "AOTC_GEN_CAPI const char* " +
         p + "_variant(size_t index, " + p +
         "_key* key);\n\n"
         "/* 1 when a variant was built for *key, else 0 (also for a malformed key). */\n"
         "AOTC_GEN_CAPI int " +
         p + "_is_supported(" + key +
         ");\n\n"
         "/* What launch() would run on *device, launching nothing; needs no GPU. An unknown "
         "key's\n"
         " * error lists the nearest built keys. */\n"
         "AOTC_GEN_CAPI aotc_status " +
         p + "_plan(" + key + ", " + args +
         ",\n                                     const aotc_gen_device* device, " + p +
         "_launch_plan* out);\n\n"
         "/* Workspace bytes launch() needs on *device, or on the calling thread's current device\n"
         " * when device is NULL (asking the driver only for what the rule reads). */\n"
         "AOTC_GEN_CAPI aotc_status " +
         p + "_workspace_bytes(" + key + ", " + args +
         ",\n                                                const aotc_gen_device* device, "
         "uint64_t* bytes);\n\n"
         "/* Launches the variant for *key on the current device and stream (hipStream_t /\n"
         " * CUstream; NULL: the default stream). */\n"
         "AOTC_GEN_CAPI aotc_status " +
         p + "_launch(void* stream, " + key + ", " + args +
         ");\n\n"
         "/* 1 when the code objects are embedded in the library holding this launcher. */\n"
         "AOTC_GEN_CAPI int " +
         p + "_embedded(void);\n\n";
}

// Field descriptors of the key and the args, with offsets the compiler computes.
std::string emit_descriptors(const FamilyModel& m) {
  const std::string p = prefix(m);
  std::string out;
  for (const KeyAxis& axis : m.axes) {
    if (axis.type != AxisType::string) continue;
    out += "const char* const k_" + axis.name + "_values[] = {";
    for (std::size_t i = 0; i < axis.values.size(); ++i)
      out += (i ? ", " : "") + cpp_string_literal(axis.values[i].get<std::string>());
    out += "};\n";
  }
  out += "const aotc_gen_field k_key_fields[] = {\n";
  for (const KeyAxis& axis : m.axes) {
    const bool is_enum = axis.type == AxisType::string;
    out += "    {" + cpp_string_literal(axis.name) + ", " +
           cpp_string_literal(is_enum ? p + "_" + axis.name + "_value" : "int64_t") + ", " +
           (is_enum ? "AOTC_GEN_FIELD_ENUM" : "AOTC_GEN_FIELD_INT") + ", offsetof(" + p + "_key, " +
           axis.name + "), " + (is_enum ? "4" : "8") + ", " + str(axis.arity) + ", " +
           (is_enum ? "k_" + axis.name + "_values, " + str(axis.values.size()) : "nullptr, 0") +
           "},\n";
  }
  if (m.axes.empty()) out += "    {\"\", \"\", AOTC_GEN_FIELD_INT, 0, 0, 0, nullptr, 0},\n";
  out += "};\nconst aotc_gen_field k_arg_fields[] = {\n";
  for (const LaunchParam& param : m.rule.params) {
    out += "    {" + cpp_string_literal(param.name) + ", " +
           cpp_string_literal(param.type.spelling) + ", " + field_kind(param.type) + ", offsetof(" +
           p + "_args, " + param.name + "), " + str(param.type.size) + ", 1, nullptr, 0},\n";
  }
  if (m.rule.passes_workspace) {
    out += "    {\"workspace\", \"void*\", AOTC_GEN_FIELD_POINTER, offsetof(" + p +
           "_args, workspace), sizeof(void*), 1, nullptr, 0},\n";
  }
  if (m.rule.params.empty() && !m.rule.passes_workspace)
    out += "    {\"\", \"\", AOTC_GEN_FIELD_INT, 0, 0, 0, nullptr, 0},\n";
  out += "};\n\nconst aotc_gen_family k_family = {\n    AOTC_GEN_CAPI_VERSION,\n    " +
         cpp_string_literal(m.kernel) + ",\n    k_key_fields,\n    " + str(m.axes.size()) +
         ",\n    sizeof(" + p + "_key),\n    k_arg_fields,\n    " +
         str(m.rule.params.size() + (m.rule.passes_workspace ? 1 : 0)) + ",\n    sizeof(" + p +
         "_args),\n    " + (m.rule.passes_workspace ? "1" : "0") + ",\n    " + macro_prefix(m) +
         "_STEP_COUNT,\n    sizeof(" + p + "_launch_plan),\n};\n\n";
  return out;
}

std::string emit_conversions(const FamilyModel& m) {
  const std::string p = prefix(m);
  std::string out =
      "// The C key as the C++ Key; an error when an enum field holds none of its values (a cast\n"
      "// would wrap it onto another value).\nStatus to_key(const " +
      p + "_key& c, fam::Key* key) {\n  (void)c;\n  (void)key;\n";
  for (const KeyAxis& axis : m.axes) {
    const std::string f = "c." + axis.name;
    switch (axis.type) {
      case AxisType::string:
        out += "  if (" + f + " < 0 || " + f + " >= " + str(axis.values.size()) +
               ") {\n    return Status(AOTC_ERROR_INVALID_ARGUMENT, \"" + m.kernel + ": key." +
               axis.name + " = \" + std::to_string(" + f + ") + \" is not a value of " + p + "_" +
               axis.name + "_value (0.." + str(axis.values.size() - 1) + ")\");\n  }\n  key->" +
               axis.name + " = static_cast<fam::" + axis.enum_name + ">(" + f + ");\n";
        break;
      case AxisType::integer_tuple:
        for (std::size_t i = 0; i < axis.arity; ++i)
          out += "  key->" + axis.name + "[" + str(i) + "] = " + f + "[" + str(i) + "];\n";
        break;
      case AxisType::integer:
        out += "  key->" + axis.name + " = " + f + ";\n";
        break;
    }
  }
  out += "  return Status();\n}\n\n" + p + "_key from_key(const fam::Key& key) {\n  " + p +
         "_key c{};\n";
  for (const KeyAxis& axis : m.axes) {
    switch (axis.type) {
      case AxisType::string:
        out += "  c." + axis.name + " = static_cast<std::int32_t>(key." + axis.name + ");\n";
        break;
      case AxisType::integer_tuple:
        for (std::size_t i = 0; i < axis.arity; ++i)
          out += "  c." + axis.name + "[" + str(i) + "] = key." + axis.name + "[" + str(i) + "];\n";
        break;
      case AxisType::integer:
        out += "  c." + axis.name + " = key." + axis.name + ";\n";
        break;
    }
  }
  out += "  (void)key;\n  return c;\n}\n\nfam::Args to_args(const " + p +
         "_args& c) {\n  fam::Args a;\n  (void)c;\n";
  for (const LaunchParam& param : m.rule.params)
    out += "  a." + param.name + " = c." + param.name + ";\n";
  if (m.rule.passes_workspace) out += "  a.workspace = c.workspace;\n";
  out += "  return a;\n}\n\n";
  return out;
}

std::string emit_c_api_bodies(const FamilyModel& m) {
  const std::string p = prefix(m);
  const std::string k = p + "_key", a = p + "_args";
  return "}  // namespace\n\nextern \"C\" {\n\n"
         "const aotc_gen_family* " +
         p +
         "_family(void) { return &k_family; }\n\n"
         "size_t " +
         p +
         "_variant_count(void) { return fam::variants().size(); }\n\n"
         "const char* " +
         p + "_variant(size_t index, " + k +
         "* key) {\n"
         "  if (index >= fam::variants().size()) return nullptr;\n"
         "  const fam::VariantInfo& v = fam::variants()[index];\n"
         "  if (key != nullptr) *key = from_key(v.key);\n  return v.name;\n}\n\n"
         "int " +
         p + "_is_supported(const " + k +
         "* key) {\n"
         "  fam::Key cpp;\n  return key != nullptr && to_key(*key, &cpp).ok() && "
         "fam::is_supported(cpp) ? 1 : 0;\n}\n\n"
         "aotc_status " +
         p + "_plan(const " + k + "* key, const " + a +
         "* args, const aotc_gen_device* device,\n    " + p +
         "_launch_plan* out) {\n"
         "  return guarded([&] {\n"
         "    if (key == nullptr || args == nullptr || device == nullptr || out == nullptr)\n"
         "      return null_argument(\"" +
         p +
         "_plan\", \"key, args, device and out\");\n"
         "    fam::Key cpp;\n    Status s = to_key(*key, &cpp);\n    if (!s) return s;\n"
         "    fam::Plan plan;\n    s = fam::plan(cpp, to_args(*args), to_device(*device), &plan);\n"
         "    if (!s) return s;\n    out->variant = plan.variant;\n"
         "    out->workspace_bytes = plan.workspace_bytes;\n"
         "    for (std::size_t i = 0; i < fam::k_step_count; ++i) out->steps[i] = "
         "to_c(plan.steps[i]);\n"
         "    return Status();\n  });\n}\n\n"
         "aotc_status " +
         p + "_workspace_bytes(const " + k + "* key, const " + a +
         "* args,\n    const aotc_gen_device* device, uint64_t* bytes) {\n"
         "  return guarded([&] {\n"
         "    if (key == nullptr || args == nullptr || bytes == nullptr)\n"
         "      return null_argument(\"" +
         p +
         "_workspace_bytes\", \"key, args and bytes\");\n"
         "    fam::Key cpp;\n    Status s = to_key(*key, &cpp);\n    if (!s) return s;\n"
         "    std::uint64_t n = 0;\n"
         "    s = device != nullptr ? fam::workspace_bytes(cpp, to_args(*args), "
         "to_device(*device), &n)\n"
         "                          : fam::workspace_bytes(cpp, to_args(*args), &n);\n"
         "    if (s) *bytes = n;\n    return s;\n  });\n}\n\n"
         "aotc_status " +
         p + "_launch(void* stream, const " + k + "* key, const " + a +
         "* args) {\n  return guarded([&] {\n"
         "    if (key == nullptr || args == nullptr) return null_argument(\"" +
         p +
         "_launch\", \"key and args\");\n"
         "    fam::Key cpp;\n    Status s = to_key(*key, &cpp);\n    if (!s) return s;\n"
         "    return fam::launch(stream, cpp, to_args(*args));\n  });\n}\n\n"
         "int " +
         p + "_embedded(void) { return fam::embedded() ? 1 : 0; }\n\n}  // extern \"C\"\n";
}

}  // namespace

std::string emit_c_abi_header(const FamilyModel& m, const std::string& matrix_name) {
  const std::string guard = "AOTC_GEN_" + upper(m.kernel) + "_CAPI_H";
  return "/* Generated by aotc from " + matrix_name + " (kernel " + m.kernel +
         "). Do not edit.\n * The C ABI of the " + m.kernel +
         " launcher: C11 and C++, for C callers and FFIs (docs/LAUNCHERS.md, \"C ABI\").\n"
         " * Every function returning aotc_status returns NULL on success; the caller frees any "
         "other\n * (aotc_status_free). */\n#ifndef " +
         guard + "\n#define " + guard +
         "\n\n#include <aotc/capi_support.h>\n\n"
         "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n" +
         emit_c_types(m) + emit_c_functions(m) + "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " +
         guard + " */\n";
}

std::string emit_c_abi_source(const FamilyModel& m) {
  return "// Generated by aotc (kernel " + m.kernel +
         "). Do not edit. The C ABI over the C++ launcher: conversions only.\n"
         "#include <aotc/" +
         m.kernel + "_capi.h>\n#include <aotc/" + m.kernel +
         "_launcher.h>\n\n#include <cstddef>\n#include <exception>\n#include <string>\n\n"
         "namespace {\n\nnamespace fam = aotc::gen::" +
         m.kernel + ";\nusing aotc::gen::Status;\n\n" + emit_descriptors(m) +
         R"aotc(aotc_status to_c(const Status& s) {
  return s.ok() ? nullptr : aotc_status_create(s.code(), s.message().c_str());
}

// No exception crosses the C ABI: the C++ launcher allocates (messages), which may throw.
template <class F>
aotc_status guarded(F&& f) {
  try {
    return to_c(f());
  } catch (const std::exception& e) {
    return aotc_status_create(AOTC_ERROR_INVALID_ARGUMENT, e.what());
  }
}

Status null_argument(const char* function, const char* what) {
  return Status(AOTC_ERROR_INVALID_ARGUMENT, std::string(function) + ": " + what + " must not be NULL");
}

aotc::gen::Device to_device(const aotc_gen_device& c) {
  aotc::gen::Device d;
  d.multiprocessor_count = c.multiprocessor_count;
  d.warp_size = c.warp_size;
  d.max_shared_per_block = c.max_shared_per_block;
  d.vendor = c.vendor == AOTC_GEN_VENDOR_AMD      ? aotc::gen::Vendor::amd
             : c.vendor == AOTC_GEN_VENDOR_NVIDIA ? aotc::gen::Vendor::nvidia
                                                  : aotc::gen::Vendor::unknown;
  return d;
}

aotc_gen_step_plan to_c(const aotc::gen::StepPlan& s) {
  aotc_gen_step_plan c{};
  c.entry = s.entry;
  c.run = s.run ? 1 : 0;
  for (int i = 0; i < 3; ++i) {
    c.grid[i] = s.grid[i];
    c.block[i] = s.block[i];
  }
  c.shared_bytes = s.shared_bytes;
  return c;
}

)aotc" + emit_conversions(m) +
         emit_c_api_bodies(m);
}

}  // namespace aotc::launcher
