// A location inside a JSON document, printed the way messages quote it:
// `kernels[0].axes.block_size.values[2]`. Keys that are not plain identifiers are bracketed and
// quoted (`kernels[0]["bad key"]`) so a hostile key cannot make a message misleading.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace aotc {

class JsonPath {
 public:
  JsonPath() = default;

  // A new path one level deeper.
  JsonPath key(std::string_view name) const;
  JsonPath index(std::size_t i) const;

  // "kernels[0].axes.kv_dtype"; the root prints as "(top level)".
  std::string to_string() const;

 private:
  std::vector<std::variant<std::string, std::size_t>> segments_;
};

}  // namespace aotc
