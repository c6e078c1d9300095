#include "matrix/json_path.h"

#include <nlohmann/json.hpp>

#include "matrix/name_rules.h"

namespace aotc {
namespace {

constexpr std::size_t kMaxKeyLength = 64;

}  // namespace

JsonPath JsonPath::key(std::string_view name) const {
  JsonPath child = *this;
  child.segments_.emplace_back(std::string(name));
  return child;
}

JsonPath JsonPath::index(std::size_t i) const {
  JsonPath child = *this;
  child.segments_.emplace_back(i);
  return child;
}

std::string JsonPath::to_string() const {
  if (segments_.empty()) return "(top level)";
  std::string out;
  for (const auto& segment : segments_) {
    if (const auto* i = std::get_if<std::size_t>(&segment)) {
      out += "[" + std::to_string(*i) + "]";
    } else {
      const auto& name = std::get<std::string>(segment);
      if (is_c_identifier(name) && name.size() <= kMaxKeyLength) {
        if (!out.empty()) out += ".";
        out += name;
      } else {
        // dump() escapes quotes and control characters; replace keeps invalid UTF-8 printable.
        // A hostile key can be megabytes long: messages show its start.
        const bool cut = name.size() > kMaxKeyLength;
        std::string quoted = nlohmann::json(cut ? name.substr(0, kMaxKeyLength) : name)
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (cut) quoted.insert(quoted.size() - 1, "...");
        out += "[" + quoted + "]";
      }
    }
  }
  return out;
}

}  // namespace aotc
