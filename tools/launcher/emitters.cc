#include "launcher/emitters.h"

#include <cstdio>

#include "matrix/cpp_names.h"

namespace aotc::launcher {

std::string embedded_table_symbol(const FamilyModel& model) {
  return "aotc_gen_" + model.kernel + "_images";
}

// Also valid as a GNU assembler string: both read \\, \" and octal escapes the same way.
std::string cpp_string_literal(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      char octal[5];
      std::snprintf(octal, sizeof octal, "\\%03o", u);
      out += octal;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string key_field_type(const KeyAxis& axis) {
  switch (axis.type) {
    case AxisType::string:
      return axis.enum_name;
    case AxisType::integer_tuple:
      return "std::array<std::int64_t, " + std::to_string(axis.arity) + ">";
    case AxisType::integer:
      break;
  }
  return "std::int64_t";
}

std::string key_value_cpp(const KeyAxis& axis, std::size_t index) {
  const nlohmann::json& v = axis.values[index];
  switch (axis.type) {
    case AxisType::string:
      return axis.enum_name + "::" + axis.enumerators[index];
    case AxisType::integer_tuple: {
      std::string out = "{{";
      for (std::size_t i = 0; i < v.size(); ++i)
        out += (i ? ", " : "") + cpp_int64_literal(v[i].get<std::int64_t>());
      return out + "}}";
    }
    case AxisType::integer:
      break;
  }
  return cpp_int64_literal(v.get<std::int64_t>());
}

}  // namespace aotc::launcher
