// One element of a Triton signature, in the form triton.tools.compile users know
// (docs/MATRIX.md, "Signatures"):
//   *fp16:16   pointer to fp16, 16-byte aligned (":16" optional)
//   i32, i32:16, i32:1   scalar; ":16" promises divisibility by 16, ":1" makes it the constant 1
//   64, -1, 1.0, true, None   a tl.constexpr value
//   tl.bfloat16   a tl.constexpr dtype (any dtype attribute of triton.language)
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace aotc {

struct TritonArg {
  enum class Kind {
    pointer,
    scalar,
    constexpr_int,
    constexpr_float,
    constexpr_bool,
    constexpr_none,
    constexpr_dtype
  };
  Kind kind = Kind::scalar;
  std::string type;   // pointer / scalar: element type ("fp16"); dtype: the attribute ("bfloat16")
  int hint = 0;       // 0, 1 or 16
  std::string value;  // constexprs: "64", "1.0", "true", "false", "None"
};

// Nothing when `text` is none of the forms above.
std::optional<TritonArg> parse_triton_arg(std::string_view text);

// What parse_triton_arg accepts, phrased to follow "expected ".
const std::string& triton_arg_description();

// The element as written back ("*fp16:16", "64", "tl.bfloat16"), for the manifest and messages.
std::string to_string(const TritonArg& arg);

// The element as aotc's Triton helper receives it: {"type": "*fp16", "hint": 16} or
// {"constexpr": "int" | "float" | "bool" | "none" | "dtype", "value": "..."}.
nlohmann::json helper_json(const TritonArg& arg);

}  // namespace aotc
