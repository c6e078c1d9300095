// Typed reads of JSON values that report what was expected at which path instead of throwing,
// and an object reader that rejects keys it does not know. Every read returns "nothing" after
// reporting, so validation can go on and collect the next problem.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "matrix/json_path.h"
#include "matrix/problems.h"

namespace aotc {

using OrderedJson = nlohmann::ordered_json;

// One JSON object with a fixed set of keys. Building it reports a non-object and every unknown
// key; required() reports a missing key.
class ObjectReader {
 public:
  ObjectReader(const OrderedJson& node, JsonPath path, Problems& problems,
               std::initializer_list<std::string_view> known_keys);

  bool is_object() const { return is_object_; }
  const JsonPath& path() const { return path_; }
  JsonPath path(std::string_view key) const { return path_.key(key); }

  const OrderedJson* optional(std::string_view key) const;
  // `what` names the expected value in the message, e.g. "string (required key)".
  const OrderedJson* required(std::string_view key, std::string_view what) const;

 private:
  const OrderedJson& node_;
  JsonPath path_;
  Problems& problems_;
  bool is_object_;
};

std::optional<std::string> read_string(const OrderedJson& node, const JsonPath& path,
                                       Problems& problems);
// Integers that fit int64 (JSON numbers without fraction or exponent).
std::optional<std::int64_t> read_integer(const OrderedJson& node, const JsonPath& path,
                                         Problems& problems);
std::optional<bool> read_boolean(const OrderedJson& node, const JsonPath& path, Problems& problems);
// Reports anything but an array; `what` describes the elements, e.g. "array of strings".
bool check_array(const OrderedJson& node, const JsonPath& path, Problems& problems,
                 std::string_view what);

// A rule a string must satisfy and how messages describe it, e.g. {"C identifier",
// is_c_identifier}.
struct StringRule {
  std::string_view what;
  bool (*accepts)(std::string_view);
};

// An array of strings, each satisfying `rule` and listed once; with `at_least_one`, [] is an
// error too. Returns the elements that passed, in order.
std::vector<std::string> read_string_array(const OrderedJson& node, const JsonPath& path,
                                           Problems& problems, StringRule rule, bool at_least_one);

}  // namespace aotc
