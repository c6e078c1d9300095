// The build matrix: what build-matrix.json says (Matrix), and what it expands into (Variant).
// Format reference: docs/MATRIX.md. Plain data; parsing, validation and expansion live in
// matrix_parse.h and matrix_expand.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "matrix/triton_spec.h"

namespace aotc {

enum class AxisType { integer, string, integer_tuple };

// A preprocessor definition an axis value makes, e.g. PA_BLOCK_SIZE = "64".
struct Define {
  std::string name;
  std::string value;  // one token (matrix_parse checks it)
  // "NAME=VALUE": how -D and the manifest spell it.
  std::string text() const { return name + "=" + value; }
  bool operator==(const Define&) const = default;
};

// One value of one axis, e.g. block_size = 64, or heads = [64, 8].
struct AxisValue {
  nlohmann::json value;         // as written in the matrix (number, string or array)
  std::string label;            // name fragment after formatting, e.g. "bs64", "h64x8"
  std::vector<Define> defines;  // e.g. {PA_BLOCK_SIZE, 64}
};

struct Axis {
  std::string name;  // e.g. "block_size"
  AxisType type = AxisType::integer;
  std::size_t arity = 1;                              // elements per value for integer_tuple
  std::string label_format;                           // e.g. "bs{0}"
  std::map<std::string, std::string> define_formats;  // macro name -> value format, e.g. "{0}"
  std::vector<AxisValue> values;
};

// An include/exclude pattern: axis name -> accepted values (any of).
using AxisPattern = std::map<std::string, std::vector<nlohmann::json>>;

struct KernelSpec {
  std::string name;  // e.g. "pa_decode"; first fragment of every variant name
  KernelLanguage language = KernelLanguage::hip;
  std::filesystem::path source;  // absolute, resolved against the matrix file's directory
  std::vector<std::filesystem::path> include_dirs;  // absolute
  std::vector<std::string> entries;                 // kernel entry symbols (extern "C" names)
  std::vector<Axis> axes;                // in matrix order; variant names follow this order
  std::vector<AxisPattern> include;      // if non-empty, keep only variants matching one of these
  std::vector<AxisPattern> exclude;      // drop variants matching any of these
  std::vector<std::string> targets;      // empty: the matrix's targets
  std::vector<std::string> extra_flags;  // appended to every compile of this kernel
  nlohmann::json launch;                 // launch rule, validated by the launcher generator
  TritonKernelSpec triton;               // language triton: signatures, options, Python
};

struct MatrixOptions {
  std::string opt_level = "3";           // -O<opt_level>
  int code_object_version = 5;           // AMD code-object version floor (5 loads on ROCm 5.2-7.x)
  std::string rocm_floor = "6.2";        // oldest ROCm the outputs must load on
  bool compress_bundles = false;         // write CCOB bundles (needs rocm_floor >= 6.2)
  std::uint64_t max_variants = 4096;     // refuse bigger matrices (variants x targets)
  std::vector<std::string> extra_flags;  // appended to every compile
};

struct Matrix {
  std::filesystem::path file;        // the matrix file, for messages
  std::filesystem::path root;        // the source root ("root"; default: the file's directory)
  std::string root_variable;         // NAME when the root came from "root": {"env": "NAME"}
  std::vector<std::string> targets;  // e.g. gfx942, gfx950, sm_90a
  MatrixOptions options;
  std::vector<KernelSpec> kernels;
};

// One point of a kernel's axes: the unit that gets compiled once per target.
struct Variant {
  std::string kernel;            // KernelSpec::name
  std::size_t kernel_index = 0;  // index into Matrix::kernels
  std::string name;              // e.g. "pa_decode.kv-bf16.bs64.q2.h64x8.d128"
  std::vector<std::pair<std::string, AxisValue>> axis_values;  // axis name -> value, in axis order
  std::vector<Define> defines;       // union of the axis values' defines, in axis order
  std::vector<std::string> targets;  // targets this variant is built for
};

}  // namespace aotc
