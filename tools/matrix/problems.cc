#include "matrix/problems.h"

namespace aotc {

std::string json_excerpt(const nlohmann::ordered_json& value, std::size_t max_length) {
  // replace: a message must never throw on odd bytes.
  std::string text = value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  if (text.size() > max_length) text = text.substr(0, max_length - 3) + "...";
  return text;
}

void Problems::expected(const JsonPath& where, std::string_view what,
                        const nlohmann::ordered_json& found) {
  expected_text(where, what, json_excerpt(found, kMaxFoundLength));
}

void Problems::expected_text(const JsonPath& where, std::string_view what, std::string_view found) {
  lines_.push_back(file_ + ": " + where.to_string() + ": expected " + std::string(what) +
                   ", found " + std::string(found));
}

Status Problems::status() const {
  if (lines_.empty()) return Status::success();
  std::string message;
  for (const auto& line : lines_) {
    if (!message.empty()) message += "\n";
    message += line;
  }
  return make_error(std::move(message));
}

}  // namespace aotc
