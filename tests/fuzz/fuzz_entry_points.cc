#include "fuzz_entry_points.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>
#include <utility>

#include "codeobj/amdgpu_metadata.h"
#include "codeobj/bundle_writer.h"
#include "codeobj/byte_reader.h"
#include "codeobj/elf_reader.h"
#include "codeobj/inspect_report.h"
#include "codeobj/kernel_metadata.h"
#include "codeobj/kernel_metadata_json.h"
#include "codeobj/msgpack_decode.h"
#include "codeobj/nvidia_cubin.h"
#include "codeobj/offload_bundle.h"
#include "codeobj/ptx_entries.h"
#include "launcher/expression_cpp.h"
#include "launcher/expression_eval.h"
#include "launcher/launch_expression.h"
#include "launcher/launch_rule.h"
#include "matrix/cpp_names.h"
#include "matrix/matrix_expand.h"
#include "matrix/matrix_parse.h"
#include "matrix/name_rules.h"

namespace aotc::fuzz {
namespace {

void invariant(bool holds, const char* what) {
  if (!holds) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

void fuzz_elf(std::span<const std::uint8_t> bytes) {
  auto elf = codeobj::parse_elf64(bytes);
  if (!elf) return;
  // Every span the reader hands out lies inside the input.
  auto inside = [&](std::span<const std::uint8_t> s) {
    return s.empty() ||
           (s.data() >= bytes.data() && s.data() + s.size() <= bytes.data() + bytes.size());
  };
  for (const auto& s : elf->sections) invariant(inside(s.data), "section data outside input");
  for (const auto& n : elf->notes) invariant(inside(n.desc), "note desc outside input");
}

void fuzz_amdgpu_metadata(std::span<const std::uint8_t> bytes) {
  auto object = codeobj::read_amdgpu_code_object(bytes);
  if (!object) return;
  // The JSON the manifest would record must serialise whatever the strings contain.
  auto json = codeobj::to_json(codeobj::amd_kernel_metadata(*object));
  (void)json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void fuzz_msgpack(std::span<const std::uint8_t> bytes) {
  auto value = codeobj::decode_msgpack(bytes);
  if (!value) return;
  (void)codeobj::kernels_from_metadata(*value);
}

void fuzz_bundle(std::span<const std::uint8_t> bytes) {
  codeobj::BundleFormat format;
  auto entries = codeobj::read_offload_bundle(bytes, format);
  if (!entries) return;
  (void)codeobj::inspect_report(bytes);
  // What we read, we can write and read back unchanged.
  bool has_host = false;
  for (const auto& e : *entries) has_host |= e.id.starts_with("host-");
  auto written = codeobj::write_offload_bundle(*entries, {});
  if (!written) return;  // e.g. too many entries for one 4096-byte header
  auto again = codeobj::read_offload_bundle(*written);
  invariant(again.ok(), "a bundle we wrote does not read back");
  invariant(again->size() == entries->size() + (has_host ? 0 : 1), "entry count changed");
  for (const auto& e : *entries) {
    bool found = false;
    for (const auto& a : *again) found |= a.id == e.id && a.bytes == e.bytes;
    invariant(found, "entry changed in the round trip");
  }
}

void fuzz_cubin_ptx(std::span<const std::uint8_t> bytes) {
  if (auto cubin = codeobj::read_cubin(bytes)) {
    (void)codeobj::to_json(codeobj::cubin_kernel_metadata(*cubin))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (auto ptx = codeobj::read_ptx(codeobj::as_chars(bytes))) {
    for (const auto& e : ptx->entries) {
      for (const auto& p : e.params)
        invariant(p.offset + p.size <= e.param_bytes, "param past end");
    }
  }
}

void fuzz_matrix(std::span<const std::uint8_t> bytes) {
  static const std::filesystem::path kFile =
      std::filesystem::path(AOTC_SOURCE_DIR) / "fuzz-matrix.json";
  auto matrix = parse_matrix(codeobj::as_chars(bytes), kFile);
  if (!matrix) return;
  for (std::size_t k = 0; k < matrix->kernels.size(); ++k) {
    const KernelSpec& kernel = matrix->kernels[k];
    // What reaches generated C++ passed the one rule (matrix/cpp_names.h).
    invariant(!cpp_name_problem(kernel.name), "kernel name refused by the C++ name rule");
    for (const Axis& axis : kernel.axes) {
      invariant(!cpp_name_problem(axis.name), "axis name refused by the C++ name rule");
      for (const AxisValue& value : axis.values) {
        if (value.value.is_string()) {
          invariant(!cpp_enumerator_problem(value.value.get<std::string>()), "enumerator refused");
        }
      }
    }
    if (!kernel.launch.is_null()) {
      (void)launcher::validate_launch_rule(kernel.launch, kernel,
                                           launcher::kernel_vendors(*matrix, kernel),
                                           "kernels[" + std::to_string(k) + "]");
    }
  }
  auto variants = expand_matrix(*matrix);
  if (!variants) return;
  // Names are file names, distinct also on case-insensitive file systems.
  std::set<std::string> folded;
  for (const Variant& variant : *variants) {
    invariant(is_variant_name(variant.name), "variant name is not a plain file name");
    invariant(folded.insert(fold_case(variant.name)).second, "variant names collide");
  }
}

void fuzz_launch_expression(std::span<const std::uint8_t> bytes) {
  using launcher::Symbol;
  using launcher::SymbolKind;
  auto resolve = [](std::string_view name) -> Result<Symbol> {
    if (name == "n" || name == "m") return Symbol{SymbolKind::param, std::string(name)};
    if (name == "v") return Symbol{SymbolKind::value, "v"};
    if (name == "D") return Symbol{SymbolKind::define, "D"};
    if (name == "device.warp_size") return Symbol{SymbolKind::device, "warp_size"};
    return make_error("unknown identifier");
  };
  auto expression = launcher::parse_expression(codeobj::as_chars(bytes), resolve);
  if (!expression) return;
  const bool constant = expression->symbols().empty();
  const bool certain_failure = launcher::certain_failure(*expression).has_value();
  for (std::int64_t value : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{7},
                             std::numeric_limits<std::int64_t>::min()}) {
    auto result = launcher::evaluate_expression(
        *expression, [&](const Symbol&) -> std::optional<std::int64_t> { return value; });
    // A constant expression fails exactly when the build-time check says it always will.
    if (constant) invariant(result.ok() != certain_failure, "certain_failure disagrees");
    // A certain failure outside skipped operands fails for every value.
    if (certain_failure) invariant(!result.ok(), "a certain failure evaluated fine");
  }
  // The generated C++ must stay within compilers' nesting limits (clang: 256 brackets).
  const std::string cpp = launcher::expression_to_cpp(
      *expression, [](const Symbol& s) { return "static_cast<std::int64_t>(a." + s.name + ")"; });
  int depth = 0, deepest = 0;
  for (char c : cpp) {
    if (c == '(' || c == '{') deepest = std::max(deepest, ++depth);
    if (c == ')' || c == '}') --depth;
  }
  invariant(deepest < 256, "emitted C++ nests 256 brackets or more");
}

FuzzEntry fuzz_entry_for(std::string_view target) {
  static const std::array<std::pair<std::string_view, FuzzEntry>, 7> kEntries = {{
      {"elf", fuzz_elf},
      {"amdgpu_metadata", fuzz_amdgpu_metadata},
      {"msgpack", fuzz_msgpack},
      {"bundle", fuzz_bundle},
      {"cubin_ptx", fuzz_cubin_ptx},
      {"matrix", fuzz_matrix},
      {"launch_expression", fuzz_launch_expression},
  }};
  for (const auto& [name, entry] : kEntries) {
    if (name == target) return entry;
  }
  return nullptr;
}

}  // namespace aotc::fuzz
