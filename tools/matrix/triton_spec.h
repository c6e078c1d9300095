// What a Triton or Gluon kernel adds to its KernelSpec (docs/MATRIX.md, "Triton and Gluon
// kernels"): per entry, the signature and compile options in triton.tools.compile's terms with
// {NAME} placeholders, the Python import roots and stubs, and values derived from the target or
// an axis. Plain data; parsed by triton_parse.h, resolved per variant and target by tools/triton.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace aotc {

enum class KernelLanguage { hip, triton };

struct TritonEntrySpec {
  std::string name;  // the @triton.jit / @gluon.jit function
  // One element per kernel parameter, as written (placeholders unresolved): "*{DTYPE}:16", "i32",
  // "{BLOCK}", "1.0", "tl.bfloat16". Trailing parameters with defaults may be left out.
  std::vector<std::string> signature;
  // Compile options in matrix order: name -> number, boolean, string (may hold placeholders) or
  // array of numbers.
  std::vector<std::pair<std::string, nlohmann::json>> options;
};

// A named text that depends on the target or on one axis's value, e.g. WARP_SIZE: 64 on gfx942,
// 32 on sm_90a.
struct DerivedValue {
  std::string name;
  std::string from;                           // "target" or an axis name
  std::map<std::string, std::string> values;  // target / axis value -> text (may hold placeholders)
};

struct TritonKernelSpec {
  std::vector<TritonEntrySpec> entries;            // parallel to KernelSpec::entries
  std::vector<std::filesystem::path> python_path;  // absolute import roots, searched first
  std::vector<std::string> stubs;                  // modules replaced by stubs when importing
  std::vector<DerivedValue> derived;               // in matrix order
};

}  // namespace aotc
