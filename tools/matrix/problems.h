// Collects every problem found in one matrix file so a single run reports all of them, each on
// its own line: `<file>: <json path>: expected <what>, found <json of what was found>`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error_list.h"
#include "core/result.h"
#include "matrix/json_path.h"

namespace aotc {

class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)), lines_(kMaxLines, file_ + ": ") {}

  // `found` is printed as compact JSON, shortened past kMaxFoundLength characters.
  void expected(const JsonPath& where, std::string_view what, const nlohmann::ordered_json& found);
  // For things that are not one JSON value (a missing key, a count): `found` is printed as is.
  void expected_text(const JsonPath& where, std::string_view what, std::string_view found);

  bool empty() const { return lines_.empty(); }
  std::size_t size() const { return lines_.size(); }
  // Success when nothing was reported; otherwise one Error holding every line.
  Status status() const { return lines_.status(); }

  static constexpr std::size_t kMaxFoundLength = 80;
  // Lines kept; past them only the count grows (a hostile file can hold millions of problems).
  static constexpr std::size_t kMaxLines = 100;

 private:
  std::string file_;
  ErrorList lines_;
};

// Compact JSON text of a value, shortened to at most max_length characters ("..." marks a cut).
// The work is bounded by max_length, not by the value's size or depth.
std::string json_excerpt(const nlohmann::ordered_json& value, std::size_t max_length);

}  // namespace aotc
