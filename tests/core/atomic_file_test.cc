#include "core/atomic_file.h"

#include <catch2/catch.hpp>
#include <filesystem>

using namespace aotc;
namespace fs = std::filesystem;

TEST_CASE("atomic writes replace the file whole and leave no temporaries") {
  fs::path dir = fs::temp_directory_path() / ("aotc_atomic_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::path file = dir / "nested" / "out.bin";
  REQUIRE(write_file_atomic(file, std::string_view("first")).ok());
  REQUIRE(write_file_atomic(file, std::string_view("second version")).ok());
  auto text = read_file_text(file);
  REQUIRE(text.ok());
  CHECK(*text == "second version");
  int entries = 0;
  for (auto& e : fs::directory_iterator(file.parent_path())) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
  fs::remove_all(dir);
}

TEST_CASE("reads refuse missing and oversized files with the path in the message") {
  auto missing = read_file_bytes("/nonexistent/aotc/file");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("/nonexistent/aotc/file") != std::string::npos);

  fs::path file = fs::temp_directory_path() / ("aotc_big_" + std::to_string(::getpid()));
  REQUIRE(write_file_atomic(file, std::string_view("0123456789")).ok());
  auto capped = read_file_bytes(file, 4);
  REQUIRE_FALSE(capped.ok());
  CHECK(capped.error().message.find("above the limit") != std::string::npos);
  fs::remove(file);
}

TEST_CASE("a write into an unwritable place fails cleanly") {
  auto st = write_file_atomic("/proc/aotc-cannot-exist/x", std::string_view("data"));
  CHECK_FALSE(st.ok());
}
