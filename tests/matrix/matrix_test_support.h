// Helpers for the matrix tests: a scratch directory holding a kernel source, a valid base matrix
// to break one thing at a time, and lookups of single problem lines in an error message.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "matrix/matrix_parse.h"

namespace aotc::test {

// A fresh directory under the system temp dir, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "aotc-matrix-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  std::filesystem::path write(const std::string& relative, const std::string& text) const {
    std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

// A valid matrix: three axes of the three types, two targets, source "k.hip" (which
// MatrixFixture creates). Tests break one thing and look for the one message that explains it.
inline nlohmann::ordered_json base_matrix() {
  return nlohmann::ordered_json::parse(R"({
    "schema": 1,
    "targets": ["gfx942", "sm_90a"],
    "kernels": [{
      "name": "k",
      "source": "k.hip",
      "entries": ["k_main"],
      "axes": {
        "dtype": { "type": "string", "values": ["fp16", "bf16"], "label": "{0}",
                   "defines": { "K_DTYPE": "K_{0:upper}" } },
        "block_size": { "type": "integer", "values": [16, 64], "label": "bs{0}",
                        "defines": { "K_BLOCK": "{0}" } },
        "heads": { "type": "integer_tuple", "arity": 2, "values": [[64, 4], [64, 8]], "label": "h{0}x{1}",
                   "defines": { "K_QH": "{0}", "K_KVH": "{1}" } }
      }
    }]
  })");
}

// Splits a multi-line error message into its lines.
inline std::vector<std::string> lines_of(const std::string& message) {
  std::vector<std::string> lines;
  std::istringstream in(message);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct MatrixFixture {
  ScratchDir dir;
  std::filesystem::path file;

  MatrixFixture() : file(dir.path() / "m.json") { dir.write("k.hip", "// kernel\n"); }

  Result<Matrix> parse(const nlohmann::ordered_json& document) const {
    return parse_matrix(document.dump(), file);
  }

  // The problem lines for `document`; empty when it parses.
  std::vector<std::string> problems(const nlohmann::ordered_json& document) const {
    auto result = parse(document);
    return result ? std::vector<std::string>{} : lines_of(result.error().message);
  }

  // One expected line: "<file>: <rest>".
  std::string line(const std::string& rest) const { return file.string() + ": " + rest; }
};

}  // namespace aotc::test
