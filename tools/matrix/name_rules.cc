#include "matrix/name_rules.h"

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

// Decimal digits without a leading zero: [1-9][0-9]*.
bool is_number(std::string_view text) {
  return all_of_nonempty(text, [](char c) { return c >= '0' && c <= '9'; }) && text[0] != '0';
}

}  // namespace

bool is_c_identifier(std::string_view text) {
  return is_string_axis_value(text) && !(text[0] >= '0' && text[0] <= '9');
}

bool is_string_axis_value(std::string_view text) {
  return all_of_nonempty(text, is_alnum_or_underscore);
}

bool is_label(std::string_view text) {
  return all_of_nonempty(
             text, [](char c) { return is_alnum_or_underscore(c) || c == '+' || c == '-'; }) &&
         text[0] != '-';
}

bool is_define_token(std::string_view text) {
  return all_of_nonempty(
      text, [](char c) { return is_alnum_or_underscore(c) || c == '+' || c == '-' || c == '.'; });
}

std::string fold_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_plain_argument(std::string_view text) {
  return text.size() <= kMaxFlagLength && all_of_nonempty(text, [](char c) {
           return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
         });
}

bool is_variant_name(std::string_view text) {
  if (text.size() > kMaxVariantNameLength) return false;
  std::size_t dot = text.find('.');
  if (!is_c_identifier(text.substr(0, dot))) return false;
  while (dot != std::string_view::npos) {
    std::size_t next = text.find('.', dot + 1);
    std::string_view fragment =
        text.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1);
    if (!is_label(fragment)) return false;
    dot = next;
  }
  return true;
}

bool is_amd_target_name(std::string_view text) {
  if (!text.starts_with("gfx")) return is_generic_amd_target_name(text);
  std::string_view processor = text.substr(3);
  // gfx[1-9][0-9]{1,2}[0-9a-f]: gfx90a, gfx942, gfx1201.
  if ((processor.size() == 3 || processor.size() == 4) &&
      is_number(processor.substr(0, processor.size() - 1))) {
    char last = processor.back();
    if ((last >= '0' && last <= '9') || (last >= 'a' && last <= 'f')) return true;
  }
  return is_generic_amd_target_name(text);
}

bool is_generic_amd_target_name(std::string_view text) {
  // gfx[1-9][0-9]?(-[0-9])?-generic: gfx9-generic, gfx9-4-generic, gfx10-3-generic.
  if (!text.starts_with("gfx") || !text.ends_with("-generic")) return false;
  std::string_view family = text.substr(3, text.size() - 3 - 8);
  std::size_t dash = family.find('-');
  std::string_view major = family.substr(0, dash);
  if (major.size() > 2 || !is_number(major)) return false;
  if (dash == std::string_view::npos) return true;
  std::string_view minor = family.substr(dash + 1);
  return minor.size() == 1 && minor[0] >= '0' && minor[0] <= '9';
}

bool is_nvidia_target_name(std::string_view text) {
  // sm_[1-9][0-9]{1,2}a?: sm_80, sm_90a, sm_100a.
  if (!text.starts_with("sm_")) return false;
  std::string_view arch = text.substr(3);
  if (arch.ends_with('a')) arch.remove_suffix(1);
  return (arch.size() == 2 || arch.size() == 3) && is_number(arch);
}

}  // namespace aotc
