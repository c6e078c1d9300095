// Replays every file of the checked-in seed and regression corpus (tests/fuzz/corpus/<target>/)
// through the entry its fuzz target calls, so every finding stays fixed in the normal build and
// under ASan/UBSan.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz_entry_points.h"

TEST_CASE("every corpus file replays through its fuzz entry without a crash") {
  std::filesystem::path root = std::filesystem::path(AOTC_SOURCE_DIR) / "tests/fuzz/corpus";
  REQUIRE(std::filesystem::is_directory(root));
  int targets = 0;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    auto entry = aotc::fuzz::fuzz_entry_for(dir.path().filename().string());
    INFO("corpus directory " << dir.path().filename());
    REQUIRE(entry != nullptr);
    ++targets;
    int files = 0;
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      std::ifstream in(file.path(), std::ios::binary);
      std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                      std::istreambuf_iterator<char>()};
      entry(bytes);
      ++files;
    }
    CHECK(files > 0);
  }
  CHECK(targets == 7);
}
