#include "matrix/triton_parse.h"

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "matrix/matrix_paths.h"
#include "matrix/name_rules.h"
#include "matrix/name_template.h"
#include "matrix/triton_signature.h"
#include "matrix/value_format.h"

namespace aotc {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kTemplateWhat =
    "text with {NAME} placeholders (NAME a define macro of an axis or a derived value)";

bool is_module_name(std::string_view text) {
  static const std::regex pattern("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  return std::regex_match(std::string(text), pattern);
}

// A signature element as text: strings as written (trimmed), JSON numbers, booleans and null as
// Python would spell the constexpr.
std::optional<std::string> element_text(const OrderedJson& node) {
  if (node.is_string()) {
    std::string text = node.get<std::string>();
    auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return std::nullopt;
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
  }
  if (node.is_number()) return node.dump();
  if (node.is_boolean()) return node.get<bool>() ? "true" : "false";
  if (node.is_null()) return "None";
  return std::nullopt;
}

std::vector<std::string> read_signature(const OrderedJson& node, const JsonPath& path,
                                        Problems& problems) {
  std::vector<std::string> elements;
  const std::string what =
      "a signature: a string of comma-separated elements (as for triton.tools.compile) or an "
      "array of them";
  if (node.is_string()) {
    std::string text = node.get<std::string>();
    std::size_t start = 0, index = 0;
    while (true) {
      std::size_t comma = text.find(',', start);
      std::string piece = text.substr(start, comma == std::string::npos ? comma : comma - start);
      auto element = element_text(OrderedJson(piece));
      if (!element) {
        problems.expected(path.index(index), "a signature element", piece);
      } else {
        elements.push_back(*element);
      }
      ++index;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return elements;
  }
  if (!check_array(node, path, problems, what)) return elements;
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto element = element_text(node[i]);
    if (!element) {
      problems.expected(path.index(i), "a signature element (string, number, boolean or null)",
                        node[i]);
      continue;
    }
    elements.push_back(*element);
  }
  return elements;
}

std::vector<std::pair<std::string, nlohmann::json>> read_options(const OrderedJson& node,
                                                                 const JsonPath& path,
                                                                 Problems& problems) {
  std::vector<std::pair<std::string, nlohmann::json>> options;
  if (!node.is_object()) {
    problems.expected(path, "object (Triton compile option -> value)", node);
    return options;
  }
  for (const auto& [name, value] : node.items()) {
    JsonPath at = path.key(name);
    if (!is_c_identifier(name)) {
      problems.expected(at, "a Triton option name (C identifier)", name);
      continue;
    }
    bool scalar = value.is_number() || value.is_boolean() || value.is_string();
    bool numbers = value.is_array() && std::all_of(value.begin(), value.end(),
                                                   [](const auto& v) { return v.is_number(); });
    if (!scalar && !numbers) {
      problems.expected(at, "a number, boolean, string or array of numbers", value);
      continue;
    }
    if (value.is_string() && !NameTemplate::parse(value.get<std::string>())) {
      problems.expected(at, kTemplateWhat, value);
      continue;
    }
    options.emplace_back(name, nlohmann::json(value));
  }
  return options;
}

// The text key of an axis value for derived maps: strings as they are, integers in decimal.
std::string axis_value_key(const AxisValue& value) { return value_elements(value.value).front(); }

}  // namespace

KernelLanguage parse_language(const OrderedJson& node, const JsonPath& path, Problems& problems) {
  if (node == "triton") return KernelLanguage::triton;
  if (node != "hip") problems.expected(path, "\"hip\" (the default) or \"triton\"", node);
  return KernelLanguage::hip;
}

void parse_triton_entries(const OrderedJson& node, const JsonPath& path, KernelSpec& kernel,
                          Problems& problems) {
  if (!check_array(node, path, problems, "array of entries ({\"name\", \"signature\", ...})"))
    return;
  if (node.empty()) problems.expected(path, "at least one entry", node);
  for (std::size_t i = 0; i < node.size(); ++i) {
    ObjectReader reader(node[i], path.index(i), problems, {"name", "signature", "options"});
    if (!reader.is_object()) continue;
    TritonEntrySpec entry;
    if (const auto* n = reader.required("name", "the kernel function's name")) {
      if (n->is_string() && is_c_identifier(n->get<std::string>())) {
        entry.name = n->get<std::string>();
        if (std::find(kernel.entries.begin(), kernel.entries.end(), entry.name) !=
            kernel.entries.end()) {
          problems.expected(reader.path("name"), "an entry not listed before", *n);
        }
      } else {
        problems.expected(reader.path("name"), "the kernel function's name (Python identifier)",
                          *n);
      }
    }
    if (const auto* n = reader.required("signature", "the signature")) {
      entry.signature = read_signature(*n, reader.path("signature"), problems);
    }
    if (const auto* n = reader.optional("options")) {
      entry.options = read_options(*n, reader.path("options"), problems);
    }
    kernel.entries.push_back(entry.name);
    kernel.triton.entries.push_back(std::move(entry));
  }
}

void parse_triton_python(const OrderedJson& node, const JsonPath& path, const fs::path& root,
                         KernelSpec& kernel, Problems& problems) {
  ObjectReader reader(node, path, problems, {"path", "stubs"});
  if (const auto* n = reader.optional("path")) {
    JsonPath at = reader.path("path");
    if (check_array(*n, at, problems, "array of directories")) {
      for (std::size_t i = 0; i < n->size(); ++i) {
        auto written = read_string((*n)[i], at.index(i), problems);
        if (!written) continue;
        auto resolved = resolve_matrix_path(root, *written, PathKind::directory);
        if (resolved) {
          kernel.triton.python_path.push_back(*resolved);
        } else {
          problems.expected(at.index(i), resolved.error().message, (*n)[i]);
        }
      }
    }
  }
  if (const auto* n = reader.optional("stubs")) {
    kernel.triton.stubs =
        read_string_array(*n, reader.path("stubs"), problems,
                          StringRule{"Python module name (a.b.c)", is_module_name}, false);
  }
}

void parse_triton_derived(const OrderedJson& node, const JsonPath& path,
                          const std::vector<std::string>& targets, KernelSpec& kernel,
                          Problems& problems) {
  if (!node.is_object()) {
    problems.expected(path, "object (name -> {\"from\", \"values\"})", node);
    return;
  }
  for (const auto& [name, spec] : node.items()) {
    JsonPath at = path.key(name);
    if (!is_c_identifier(name)) {
      problems.expected(at, "a C identifier as derived value name", name);
      continue;
    }
    ObjectReader reader(spec, at, problems, {"from", "values"});
    if (!reader.is_object()) continue;
    DerivedValue derived;
    derived.name = name;
    std::vector<std::string> keys;  // every key the map must have
    const Axis* axis = nullptr;
    if (const auto* n = reader.required("from", "\"target\" or an axis name")) {
      auto it = std::find_if(kernel.axes.begin(), kernel.axes.end(),
                             [&](const Axis& a) { return *n == a.name; });
      if (*n == "target") {
        derived.from = "target";
        keys = targets;
      } else if (it != kernel.axes.end() && it->type != AxisType::integer_tuple) {
        axis = &*it;
        derived.from = it->name;
        for (const auto& value : it->values) keys.push_back(axis_value_key(value));
      } else {
        problems.expected(reader.path("from"),
                          "\"target\" or the name of a string or integer axis of the kernel", *n);
        continue;
      }
    }
    const auto* values = reader.required("values", "object (key -> text)");
    if (!values) continue;
    JsonPath values_path = reader.path("values");
    if (!values->is_object()) {
      problems.expected(values_path, "object (key -> text)", *values);
      continue;
    }
    for (const auto& [key, value] : values->items()) {
      JsonPath value_path = values_path.key(key);
      bool known = std::find(keys.begin(), keys.end(), key) != keys.end();
      if (!known && axis) {
        problems.expected(value_path, "a value of axis " + axis->name, key);
        continue;
      }
      if (!known && !is_amd_target_name(key) && !is_nvidia_target_name(key)) {
        problems.expected(value_path, "a target name", key);
        continue;
      }
      std::optional<std::string> text;
      if (value.is_string()) {
        if (NameTemplate::parse(value.get<std::string>())) text = value.get<std::string>();
      } else if (value.is_number() || value.is_boolean()) {
        text = value.dump();
      }
      if (!text) {
        problems.expected(value_path, std::string(kTemplateWhat) + ", a number or a boolean",
                          value);
        continue;
      }
      derived.values[key] = *text;
    }
    for (const auto& key : keys) {
      if (!values->contains(key)) {
        problems.expected_text(
            values_path.key(key),
            "a value for every " + (axis ? "value of axis " + axis->name
                                         : std::string("target the kernel is built for")),
            "nothing");
      }
    }
    kernel.triton.derived.push_back(std::move(derived));
  }
}

void check_triton_kernel(const KernelSpec& kernel, const JsonPath& path, Problems& problems) {
  std::set<std::string> names;
  for (const auto& axis : kernel.axes) {
    for (const auto& [macro, format] : axis.define_formats) names.insert(macro);
  }
  std::map<std::string, const DerivedValue*> derived;
  for (const auto& value : kernel.triton.derived) {
    if (names.contains(value.name)) {
      problems.expected(path.key("derived").key(value.name),
                        "a name that no axis defines as a macro", value.name);
    }
    derived[value.name] = &value;
  }
  auto known = [&](const std::string& name) {
    return names.contains(name) || derived.contains(name);
  };
  auto check_text = [&](const JsonPath& at, const std::string& text) {
    auto parsed = NameTemplate::parse(text);
    if (!parsed) return;  // reported when read
    for (const auto& name : parsed->names()) {
      if (!known(name)) {
        std::string choices;
        for (const auto& n : names) choices += (choices.empty() ? "" : ", ") + n;
        for (const auto& [n, v] : derived) choices += (choices.empty() ? "" : ", ") + n;
        problems.expected(
            at, "placeholders naming one of: " + (choices.empty() ? "(none)" : choices), text);
        return;
      }
    }
  };
  for (std::size_t e = 0; e < kernel.triton.entries.size(); ++e) {
    const TritonEntrySpec& entry = kernel.triton.entries[e];
    JsonPath at = path.key("entries").index(e);
    for (std::size_t i = 0; i < entry.signature.size(); ++i) {
      const std::string& element = entry.signature[i];
      auto parsed = NameTemplate::parse(element);
      if (!parsed) {
        problems.expected(at.key("signature").index(i), kTemplateWhat, element);
        continue;
      }
      if (parsed->names().empty() && !parse_triton_arg(element)) {
        problems.expected(at.key("signature").index(i), triton_arg_description(), element);
        continue;
      }
      check_text(at.key("signature").index(i), element);
    }
    for (const auto& [name, value] : entry.options) {
      if (value.is_string()) check_text(at.key("options").key(name), value.get<std::string>());
    }
  }
  // Derived values may use each other; a cycle would never resolve.
  std::map<std::string, int> state;  // 1 visiting, 2 done
  std::function<bool(const std::string&)> acyclic = [&](const std::string& name) {
    auto it = derived.find(name);
    if (it == derived.end() || state[name] == 2) return true;
    if (state[name] == 1) return false;
    state[name] = 1;
    for (const auto& [key, text] : it->second->values) {
      auto parsed = NameTemplate::parse(text);
      for (const auto& used : parsed ? parsed->names() : std::vector<std::string>{}) {
        if (!acyclic(used)) return false;
      }
    }
    state[name] = 2;
    return true;
  };
  for (const auto& value : kernel.triton.derived) {
    JsonPath at = path.key("derived").key(value.name);
    for (const auto& [key, text] : value.values) check_text(at.key("values").key(key), text);
    state.clear();
    if (!acyclic(value.name)) {
      problems.expected(at, "a derived value that does not depend on itself", value.name);
    }
  }
}

}  // namespace aotc
