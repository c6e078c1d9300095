#include "matrix/triton_signature.h"

#include <algorithm>
#include <array>
#include <regex>

#include "matrix/name_rules.h"

namespace aotc {
namespace {

// Triton's canonical type names (triton/_utils.py type_canonicalisation_dict values; i1 is the
// pre-3.3 spelling of u1).
constexpr std::array<std::string_view, 19> kTypes{
    "i1",      "u1",      "i8",       "i16",   "i32",      "i64",  "u8",   "u16",  "u32", "u64",
    "fp8e4nv", "fp8e4b8", "fp8e4b15", "fp8e5", "fp8e5b16", "fp16", "bf16", "fp32", "fp64"};

bool is_type(std::string_view text) {
  return std::find(kTypes.begin(), kTypes.end(), text) != kTypes.end();
}

bool is_integer_type(std::string_view text) { return text.front() == 'i' || text.front() == 'u'; }

}  // namespace

std::optional<TritonArg> parse_triton_arg(std::string_view text) {
  static const std::regex integer("-?[0-9]+");
  static const std::regex real(
      "-?([0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?|-?[0-9]+[eE][-+]?[0-9]+");
  const std::string s(text);
  TritonArg arg;
  if (s.empty()) return std::nullopt;
  if (std::regex_match(s, integer)) {
    arg.kind = TritonArg::Kind::constexpr_int;
    arg.value = s;
    return arg;
  }
  if (std::regex_match(s, real)) {
    arg.kind = TritonArg::Kind::constexpr_float;
    arg.value = s;
    return arg;
  }
  if (s == "true" || s == "True" || s == "false" || s == "False") {
    arg.kind = TritonArg::Kind::constexpr_bool;
    arg.value = s == "true" || s == "True" ? "true" : "false";
    return arg;
  }
  if (s == "None") {
    arg.kind = TritonArg::Kind::constexpr_none;
    arg.value = "None";
    return arg;
  }
  if (s.starts_with("tl.")) {
    if (!is_c_identifier(std::string_view(s).substr(3))) return std::nullopt;
    arg.kind = TritonArg::Kind::constexpr_dtype;
    arg.type = s.substr(3);
    return arg;
  }
  std::string_view body = s;
  arg.kind = TritonArg::Kind::scalar;
  if (body.front() == '*') {
    arg.kind = TritonArg::Kind::pointer;
    body.remove_prefix(1);
  }
  if (auto colon = body.find(':'); colon != std::string_view::npos) {
    std::string_view hint = body.substr(colon + 1);
    body = body.substr(0, colon);
    if (hint == "16") {
      arg.hint = 16;
    } else if (hint == "1" && arg.kind == TritonArg::Kind::scalar && !body.empty() &&
               is_integer_type(body)) {
      arg.hint = 1;
    } else {
      return std::nullopt;
    }
  }
  if (!is_type(body)) return std::nullopt;
  arg.type = std::string(body);
  return arg;
}

const std::string& triton_arg_description() {
  static const std::string text = [] {
    std::string types;
    for (auto type : kTypes) types += (types.empty() ? "" : ", ") + std::string(type);
    return "a Triton argument (*TYPE or *TYPE:16, TYPE, TYPE:16 or (integers) TYPE:1, an integer "
           "or float constexpr, true, false, None, or tl.<dtype>; TYPE one of " +
           types + ")";
  }();
  return text;
}

std::string to_string(const TritonArg& arg) {
  std::string hint = arg.hint ? ":" + std::to_string(arg.hint) : "";
  switch (arg.kind) {
    case TritonArg::Kind::pointer:
      return "*" + arg.type + hint;
    case TritonArg::Kind::scalar:
      return arg.type + hint;
    case TritonArg::Kind::constexpr_dtype:
      return "tl." + arg.type;
    default:
      return arg.value;
  }
}

nlohmann::json helper_json(const TritonArg& arg) {
  switch (arg.kind) {
    case TritonArg::Kind::pointer:
    case TritonArg::Kind::scalar: {
      nlohmann::json json = {
          {"type", (arg.kind == TritonArg::Kind::pointer ? "*" : "") + arg.type}};
      if (arg.hint) json["hint"] = arg.hint;
      return json;
    }
    case TritonArg::Kind::constexpr_int:
      return {{"constexpr", "int"}, {"value", arg.value}};
    case TritonArg::Kind::constexpr_float:
      return {{"constexpr", "float"}, {"value", arg.value}};
    case TritonArg::Kind::constexpr_bool:
      return {{"constexpr", "bool"}, {"value", arg.value}};
    case TritonArg::Kind::constexpr_none:
      return {{"constexpr", "none"}, {"value", "None"}};
    case TritonArg::Kind::constexpr_dtype:
      return {{"constexpr", "dtype"}, {"value", arg.type}};
  }
  return nullptr;
}

}  // namespace aotc
