#include "matrix/axis_parse.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "matrix/name_rules.h"
#include "matrix/value_format.h"

namespace aotc {
namespace {

// Tuples are (query heads, KV heads)-like pairs; placeholders have at most two digits anyway.
constexpr std::int64_t kMaxArity = 16;

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
    case AxisType::string:
      if (!node.is_string() || !is_string_axis_value(node.get_ref<const std::string&>())) {
        problems.expected(path, "string of [A-Za-z0-9_]+", node);
        return std::nullopt;
      }
      return nlohmann::json(node.get<std::string>());
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
  for (std::size_t i = 0; i < values_node->size(); ++i) {
    const OrderedJson& written = (*values_node)[i];
    JsonPath value_path = values_path.index(i);
    auto value = read_axis_value(written, value_path, axis.type, axis.arity, problems);
    if (!value) continue;
    bool repeated = std::any_of(axis.values.begin(), axis.values.end(),
                                [&](const AxisValue& earlier) { return earlier.value == *value; });
    if (repeated) {
      problems.expected(value_path, "a value not listed before", written);
      continue;
    }
    AxisValue axis_value;
    axis_value.value = *value;
    if (label) {
      auto text = render_checked(*label, *value, written, value_path, reader.path("label"),
                                 kLabelRule, problems);
      if (text) axis_value.label = *text;
    }
    for (const NamedFormat& define : defines) {
      auto text = render_checked(define.format, *value, written, value_path, define.path,
                                 kDefineRule, problems);
      if (text) axis_value.defines.push_back(define.macro + "=" + *text);
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
  for (const Axis& axis : axes) axis_names += (axis_names.empty() ? "" : ", ") + axis.name;

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
      auto axis = std::find_if(axes.begin(), axes.end(),
                               [&](const Axis& a) { return a.name == axis_name; });
      if (axis == axes.end()) {
        problems.expected(axis_path, "one of the axes " + axis_names, axis_name);
        continue;
      }
      if (!accepted.is_array() || accepted.empty()) {
        problems.expected(axis_path, "array of at least one value of axis " + axis_name, accepted);
        continue;
      }
      nlohmann::json known = nlohmann::json::array();
      for (const AxisValue& v : axis->values) known.push_back(v.value);
      std::vector<nlohmann::json> values;
      for (std::size_t i = 0; i < accepted.size(); ++i) {
        // Same normalisation as the axis values, reporting into a scratch list: a value of the
        // wrong type is simply not one of the axis's values.
        Problems scratch{""};
        auto value =
            read_axis_value(accepted[i], axis_path.index(i), axis->type, axis->arity, scratch);
        if (!value || std::find(known.begin(), known.end(), *value) == known.end()) {
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
