#include "matrix/axis_parse.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "matrix/cpp_names.h"
#include "matrix/name_rules.h"
#include "matrix/value_format.h"

namespace aotc {
namespace {

// Tuples are (query heads, KV heads)-like pairs; placeholders have at most two digits anyway.
constexpr std::int64_t kMaxArity = 16;

// Labels end up in names of at most 200 characters and define values in one compiler argument;
// longer formats or string values are mistakes, and bounding them bounds the rendering work.
constexpr std::size_t kMaxFormatLength = 256;
constexpr std::size_t kMaxStringValueLength = 256;

constexpr std::array<std::pair<std::string_view, AxisType>, 3> kAxisTypes{{
    {"integer", AxisType::integer},
    {"string", AxisType::string},
    {"integer_tuple", AxisType::integer_tuple},
}};

std::optional<AxisType> read_axis_type(const OrderedJson& node, const JsonPath& path,
                                       Problems& problems) {
  if (node.is_string()) {
    for (const auto& [name, type] : kAxisTypes) {
      if (node.get_ref<const std::string&>() == name) return type;
    }
  }
  problems.expected(path, "one of integer, string, integer_tuple", node);
  return std::nullopt;
}

// One value of an axis of `type`, normalised (integers as int64) so equal values compare equal.
std::optional<nlohmann::json> read_axis_value(const OrderedJson& node, const JsonPath& path,
                                              AxisType type, std::size_t arity,
                                              Problems& problems) {
  switch (type) {
    case AxisType::integer:
      if (auto integer = read_integer(node, path, problems)) return nlohmann::json(*integer);
      return std::nullopt;
    case AxisType::string: {
      if (!node.is_string() || !is_string_axis_value(node.get_ref<const std::string&>())) {
        problems.expected(path, "string of [A-Za-z0-9_]+", node);
        return std::nullopt;
      }
      if (node.get_ref<const std::string&>().size() > kMaxStringValueLength) {
        problems.expected(
            path, "string of at most " + std::to_string(kMaxStringValueLength) + " characters",
            node);
        return std::nullopt;
      }
      // The value becomes an enumerator of the launcher's Key (cpp_names.h).
      if (auto problem = cpp_enumerator_problem(node.get_ref<const std::string&>())) {
        problems.expected(path, *problem, node);
        return std::nullopt;
      }
      return nlohmann::json(node.get<std::string>());
    }
    case AxisType::integer_tuple: {
      if (!node.is_array() || node.size() != arity) {
        problems.expected(path, "array of " + std::to_string(arity) + " integers", node);
        return std::nullopt;
      }
      nlohmann::json tuple = nlohmann::json::array();
      for (std::size_t i = 0; i < node.size(); ++i) {
        auto integer = read_integer(node[i], path.index(i), problems);
        if (!integer) return std::nullopt;
        tuple.push_back(*integer);
      }
      return tuple;
    }
  }
  return std::nullopt;
}

// A format string at `path`, valid for `arity` elements, whose literal text passes `rule`.
std::optional<ValueFormat> read_format(const OrderedJson& node, const JsonPath& path,
                                       std::size_t arity, StringRule rule, Problems& problems) {
  std::string what = "format of text and {i} / {i:upper} placeholders with i < " +
                     std::to_string(arity) + " giving " + std::string(rule.what);
  if (!node.is_string()) {
    problems.expected(path, what, node);
    return std::nullopt;
  }
  if (node.get_ref<const std::string&>().size() > kMaxFormatLength) {
    problems.expected(path, what + ", at most " + std::to_string(kMaxFormatLength) + " characters",
                      node);
    return std::nullopt;
  }
  auto format = ValueFormat::parse(node.get_ref<const std::string&>(), arity);
  if (!format || !rule.accepts(format->render_sample())) {
    problems.expected(path, what, node);
    return std::nullopt;
  }
  return format;
}

constexpr StringRule kLabelRule{"a name fragment ([A-Za-z0-9_+-]+, no leading '-')", is_label};
constexpr StringRule kDefineRule{"a macro value ([A-Za-z0-9_.+-]+)", is_define_token};

struct NamedFormat {
  std::string macro;
  ValueFormat format;
  JsonPath path;
};

// Renders `format` for one value; reports the value (as written) when the result breaks `rule`:
// the format's literal text already passed, but a negative integer can give a label a leading '-'.
std::optional<std::string> render_checked(const ValueFormat& format, const nlohmann::json& value,
                                          const OrderedJson& written, const JsonPath& value_path,
                                          const JsonPath& format_path, StringRule rule,
                                          Problems& problems) {
  std::string text = format.render(value_elements(value));
  if (rule.accepts(text)) return text;
  problems.expected(
      value_path,
      "a value for which " + format_path.to_string() + " gives " + std::string(rule.what), written);
  return std::nullopt;
}

}  // namespace

Axis parse_axis(const std::string& name, const OrderedJson& node, const JsonPath& path,
                Problems& problems) {
  Axis axis;
  axis.name = name;
  ObjectReader reader(node, path, problems, {"type", "arity", "values", "label", "defines"});
  if (!reader.is_object()) return axis;

  std::optional<AxisType> type;
  if (const auto* type_node = reader.required("type", "one of integer, string, integer_tuple")) {
    type = read_axis_type(*type_node, reader.path("type"), problems);
  }
  if (type) axis.type = *type;
  const OrderedJson* arity_node = reader.optional("arity");
  if (type == AxisType::integer_tuple) {
    std::string arity_what = "integer from 1 to " + std::to_string(kMaxArity);
    std::optional<std::int64_t> arity;
    if (reader.required("arity", arity_what))
      arity = read_integer(*arity_node, reader.path("arity"), problems);
    if (arity && (*arity < 1 || *arity > kMaxArity)) {
      problems.expected(reader.path("arity"), arity_what, *arity_node);
      arity.reset();
    }
    // Without a valid arity neither the formats nor the values can be checked meaningfully.
    if (!arity) return axis;
    axis.arity = static_cast<std::size_t>(*arity);
  } else if (type && arity_node) {
    problems.expected(reader.path("arity"), "no arity (only integer_tuple axes have one)",
                      *arity_node);
  }
  std::optional<ValueFormat> label;
  if (const auto* label_node = reader.required("label", "string")) {
    label = read_format(*label_node, reader.path("label"), axis.arity, kLabelRule, problems);
    if (label_node->is_string()) axis.label_format = label_node->get<std::string>();
  }

  std::vector<NamedFormat> defines;
  if (const auto* defines_node = reader.optional("defines")) {
    JsonPath defines_path = reader.path("defines");
    if (!defines_node->is_object()) {
      problems.expected(defines_path, "object (macro name -> value format)", *defines_node);
    } else {
      for (const auto& [macro, format_node] : defines_node->items()) {
        JsonPath macro_path = defines_path.key(macro);
        if (!is_c_identifier(macro)) {
          problems.expected(macro_path, "a C identifier as macro name", macro);
          continue;
        }
        // A launch rule may read the macro: it then names a constant in the generated launcher.
        if (auto problem = cpp_name_problem(macro)) {
          problems.expected(macro_path, "a macro name that is not " + *problem, macro);
          continue;
        }
        if (format_node.is_string()) axis.define_formats[macro] = format_node.get<std::string>();
        if (auto format = read_format(format_node, macro_path, axis.arity, kDefineRule, problems)) {
          defines.push_back({macro, std::move(*format), macro_path});
        }
      }
    }
  }

  const auto* values_node = reader.required("values", "array of values");
  if (!values_node || !type) return axis;
  JsonPath values_path = reader.path("values");
  if (!check_array(*values_node, values_path, problems, "array of values")) return axis;
  if (values_node->empty()) {
    problems.expected(values_path, "at least one value", *values_node);
    return axis;
  }
  std::set<nlohmann::json> seen;
  // Labels become file names (out/<target>/<variant>.hsaco): two that differ only in case would
  // be one file on a case-insensitive file system. Enumerators must differ after escaping.
  std::map<std::string, std::size_t> label_owner, enumerator_owner;
  for (std::size_t i = 0; i < values_node->size(); ++i) {
    const OrderedJson& written = (*values_node)[i];
    JsonPath value_path = values_path.index(i);
    auto value = read_axis_value(written, value_path, axis.type, axis.arity, problems);
    if (!value) continue;
    if (!seen.insert(*value).second) {
      problems.expected(value_path, "a value not listed before", written);
      continue;
    }
    if (axis.type == AxisType::string) {
      std::string enumerator = cpp_enumerator(value->get_ref<const std::string&>());
      auto [owner, inserted] = enumerator_owner.emplace(enumerator, i);
      if (!inserted) {
        problems.expected(value_path,
                          "a value whose C++ enumerator differs from that of " +
                              values_path.index(owner->second).to_string() + " (both are " +
                              enumerator + ")",
                          written);
        continue;
      }
    }
    AxisValue axis_value;
    axis_value.value = *value;
    if (label) {
      auto text = render_checked(*label, *value, written, value_path, reader.path("label"),
                                 kLabelRule, problems);
      if (text) {
        auto [owner, inserted] = label_owner.emplace(fold_case(*text), i);
        if (!inserted) {
          problems.expected(
              value_path,
              "a label that differs from that of " + values_path.index(owner->second).to_string() +
                  " also when case is ignored (labels name files), not \"" + *text + "\"",
              written);
          continue;
        }
        axis_value.label = *text;
      }
    }
    for (const NamedFormat& define : defines) {
      auto text = render_checked(define.format, *value, written, value_path, define.path,
                                 kDefineRule, problems);
      if (text) axis_value.defines.push_back({define.macro, *text});
    }
    axis.values.push_back(std::move(axis_value));
  }
  return axis;
}

std::vector<AxisPattern> parse_patterns(const OrderedJson& node, const JsonPath& path,
                                        const std::vector<Axis>& axes, Problems& problems) {
  std::vector<AxisPattern> patterns;
  const char* what = "array of patterns (objects: axis name -> array of values)";
  if (!check_array(node, path, problems, what)) return patterns;
  std::string axis_names;
  std::map<std::string, const Axis*, std::less<>> axis_by_name;
  for (const Axis& axis : axes) {
    axis_names += (axis_names.empty() ? "" : ", ") + axis.name;
    axis_by_name.emplace(axis.name, &axis);
  }

  for (std::size_t p = 0; p < node.size(); ++p) {
    const OrderedJson& pattern_node = node[p];
    JsonPath pattern_path = path.index(p);
    if (!pattern_node.is_object() || pattern_node.empty()) {
      problems.expected(pattern_path, "object naming at least one axis", pattern_node);
      continue;
    }
    AxisPattern pattern;
    for (const auto& [axis_name, accepted] : pattern_node.items()) {
      JsonPath axis_path = pattern_path.key(axis_name);
      auto found = axis_by_name.find(axis_name);
      if (found == axis_by_name.end()) {
        problems.expected(axis_path, "one of the axes " + axis_names, axis_name);
        continue;
      }
      if (!accepted.is_array() || accepted.empty()) {
        problems.expected(axis_path, "array of at least one value of axis " + axis_name, accepted);
        continue;
      }
      const Axis* axis = found->second;
      nlohmann::json known = nlohmann::json::array();
      for (const AxisValue& v : axis->values) known.push_back(v.value);
      const std::set<nlohmann::json> known_set(known.begin(), known.end());
      std::vector<nlohmann::json> values;
      for (std::size_t i = 0; i < accepted.size(); ++i) {
        // Same normalisation as the axis values, reporting into a scratch list: a value of the
        // wrong type is simply not one of the axis's values.
        Problems scratch{""};
        auto value =
            read_axis_value(accepted[i], axis_path.index(i), axis->type, axis->arity, scratch);
        if (!value || !known_set.contains(*value)) {
          problems.expected(axis_path.index(i),
                            "one of the values of axis " + axis_name + " " +
                                json_excerpt(known, Problems::kMaxFoundLength),
                            accepted[i]);
          continue;
        }
        values.push_back(std::move(*value));
      }
      pattern[axis_name] = std::move(values);
    }
    patterns.push_back(std::move(pattern));
  }
  return patterns;
}

}  // namespace aotc
