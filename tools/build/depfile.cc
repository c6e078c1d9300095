#include "build/depfile.h"

#include <set>

namespace aotc {

Result<std::vector<std::filesystem::path>> parse_depfile(std::string_view text) {
  // Split into words, honouring escapes; a word ending in ':' closes the target list.
  std::string word;
  bool seen_colon = false;
  std::vector<std::filesystem::path> prerequisites;
  std::set<std::string> seen;
  auto finish_word = [&] {
    if (word.empty()) return;
    if (!seen_colon && word.back() == ':') {
      seen_colon = true;
    } else if (seen_colon && seen.insert(word).second) {
      prerequisites.emplace_back(word);
    }
    word.clear();
  };

  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      if (next == '\n' || (next == '\r' && i + 2 < text.size() && text[i + 2] == '\n')) {
        finish_word();
        i += next == '\n' ? 1 : 2;
        continue;
      }
      if (next == ' ' || next == '#' || next == '\\') {
        word += next;
        ++i;
        continue;
      }
    }
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      word += '$';
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      finish_word();
      continue;
    }
    if (c == '\n') {
      finish_word();
      if (seen_colon) break;  // only the first rule matters; clang writes one
      continue;
    }
    word += c;
  }
  finish_word();
  if (!seen_colon) return make_error("dependency file has no \"target:\" rule");
  return prerequisites;
}

std::string format_depfile(const std::filesystem::path& target,
                           const std::vector<std::filesystem::path>& prerequisites) {
  auto escaped = [](const std::filesystem::path& path) {
    std::string text;
    for (char c : path.string()) {
      if (c == ' ' || c == '#') text += '\\';
      if (c == '$') text += '$';
      text += c;
    }
    return text;
  };
  std::string text = escaped(target) + ":";
  for (const auto& path : prerequisites) text += " \\\n  " + escaped(path);
  return text + "\n";
}

}  // namespace aotc
