#include "matrix/json_checks.h"

#include <algorithm>
#include <limits>
#include <set>

namespace aotc {

ObjectReader::ObjectReader(const OrderedJson& node, JsonPath path, Problems& problems,
                           std::initializer_list<std::string_view> known_keys)
    : node_(node), path_(std::move(path)), problems_(problems), is_object_(node.is_object()) {
  if (!is_object_) {
    problems_.expected(path_, "object", node_);
    return;
  }
  std::string known;
  for (auto key : known_keys) known += (known.empty() ? "" : ", ") + std::string(key);
  for (const auto& [key, value] : node_.items()) {
    if (std::find(known_keys.begin(), known_keys.end(), key) == known_keys.end()) {
      problems_.expected(path_.key(key), "one of the keys " + known, key);
    }
  }
}

const OrderedJson* ObjectReader::optional(std::string_view key) const {
  if (!is_object_) return nullptr;
  auto it = node_.find(std::string(key));
  return it == node_.end() ? nullptr : &*it;
}

const OrderedJson* ObjectReader::required(std::string_view key, std::string_view what) const {
  if (!is_object_) return nullptr;
  const OrderedJson* value = optional(key);
  if (!value)
    problems_.expected_text(path_.key(key), std::string(what) + " (required key)", "nothing");
  return value;
}

std::optional<std::string> read_string(const OrderedJson& node, const JsonPath& path,
                                       Problems& problems) {
  if (!node.is_string()) {
    problems.expected(path, "string", node);
    return std::nullopt;
  }
  return node.get<std::string>();
}

std::optional<std::int64_t> read_integer(const OrderedJson& node, const JsonPath& path,
                                         Problems& problems) {
  if (!node.is_number_integer()) {
    problems.expected(path, "integer", node);
    return std::nullopt;
  }
  // The parser stores every non-negative integer as unsigned; above int64 it has to go.
  if (node.is_number_unsigned() &&
      node.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    problems.expected(path, "integer within int64", node);
    return std::nullopt;
  }
  return node.get<std::int64_t>();
}

std::optional<bool> read_boolean(const OrderedJson& node, const JsonPath& path,
                                 Problems& problems) {
  if (!node.is_boolean()) {
    problems.expected(path, "boolean", node);
    return std::nullopt;
  }
  return node.get<bool>();
}

bool check_array(const OrderedJson& node, const JsonPath& path, Problems& problems,
                 std::string_view what) {
  if (node.is_array()) return true;
  problems.expected(path, what, node);
  return false;
}

std::vector<std::string> read_string_array(const OrderedJson& node, const JsonPath& path,
                                           Problems& problems, StringRule rule, bool at_least_one) {
  std::vector<std::string> accepted;
  if (!check_array(node, path, problems, "array of " + std::string(rule.what) + "s"))
    return accepted;
  if (at_least_one && node.empty()) {
    problems.expected(path, "at least one " + std::string(rule.what), node);
    return accepted;
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto& element = node[i];
    if (!element.is_string() || !rule.accepts(element.get_ref<const std::string&>())) {
      problems.expected(path.index(i), rule.what, element);
      continue;
    }
    const auto& text = element.get_ref<const std::string&>();
    if (!seen.insert(text).second) {
      problems.expected(path.index(i), std::string(rule.what) + " not listed before", element);
      continue;
    }
    accepted.push_back(text);
  }
  return accepted;
}

}  // namespace aotc
