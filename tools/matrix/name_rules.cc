#include "matrix/name_rules.h"

#include <regex>
#include <string>

namespace aotc {
namespace {

bool is_alnum_or_underscore(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

template <class Allowed>
bool all_of_nonempty(std::string_view text, Allowed allowed) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!allowed(c)) return false;
  }
  return true;
}

bool matches(std::string_view text, const std::regex& pattern) {
  return std::regex_match(std::string(text), pattern);
}

}  // namespace

bool is_c_identifier(std::string_view text) {
  return is_string_axis_value(text) && !(text[0] >= '0' && text[0] <= '9');
}

bool is_string_axis_value(std::string_view text) { return all_of_nonempty(text, is_alnum_or_underscore); }

bool is_label(std::string_view text) {
  return all_of_nonempty(text, [](char c) { return is_alnum_or_underscore(c) || c == '+' || c == '-'; }) &&
         text[0] != '-';
}

bool is_define_token(std::string_view text) {
  return all_of_nonempty(text, [](char c) { return is_alnum_or_underscore(c) || c == '+' || c == '-' || c == '.'; });
}

bool is_plain_argument(std::string_view text) {
  return all_of_nonempty(text, [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

bool is_variant_name(std::string_view text) {
  if (text.size() > kMaxVariantNameLength) return false;
  std::size_t dot = text.find('.');
  if (!is_c_identifier(text.substr(0, dot))) return false;
  while (dot != std::string_view::npos) {
    std::size_t next = text.find('.', dot + 1);
    std::string_view fragment = text.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1);
    if (!is_label(fragment)) return false;
    dot = next;
  }
  return true;
}

bool is_amd_target_name(std::string_view text) {
  static const std::regex specific("gfx[1-9][0-9]{1,2}[0-9a-f]");
  return matches(text, specific) || is_generic_amd_target_name(text);
}

bool is_generic_amd_target_name(std::string_view text) {
  static const std::regex generic("gfx[1-9][0-9]?(-[0-9])?-generic");
  return matches(text, generic);
}

bool is_nvidia_target_name(std::string_view text) {
  static const std::regex nvidia("sm_[1-9][0-9]{1,2}a?");
  return matches(text, nvidia);
}

}  // namespace aotc
