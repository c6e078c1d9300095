#include "build/status_printer.h"

#include <catch2/catch.hpp>
#include <sstream>

TEST_CASE("plain output prints one numbered line per compile and a summary", "[status]") {
  std::ostringstream out;
  aotc::StatusPrinter printer(out, false, 2);
  printer.compile_finished("gfx942", "pa.a1", 0.4149);
  printer.compile_failed("pa.a2 [gfx942]: clang-22 exited with status 1", "clang-22 -x hip k.hip",
                         "k.hip:1:2: error: boom");
  printer.compile_finished("gfx942", "pa.a2", 1.5);
  printer.summary({2, 1, 1, 0, 1, 3.25});
  CHECK(out.str() ==
        "[1/2] gfx942 pa.a1 0.41s\n"
        "FAILED: pa.a2 [gfx942]: clang-22 exited with status 1\n"
        "clang-22 -x hip k.hip\n"
        "k.hip:1:2: error: boom\n"
        "[2/2] gfx942 pa.a2 1.50s\n"
        "aotc: 2 variants, 1 target: 1 compiled, 0 cached, 1 failed in 3.25 s\n");
}

TEST_CASE("on a terminal the status line is redrawn and messages never overwrite it", "[status]") {
  std::ostringstream out;
  aotc::StatusPrinter printer(out, true, 3);
  printer.compile_finished("sm_90a", "pa.a1", 0.1);
  printer.compile_finished("sm_90a", "pa.a2", 0.2);
  printer.message("note");
  std::string text = out.str();
  CHECK(text.find("\r[1/3] sm_90a pa.a1 0.10s\x1b[K") == 0);
  CHECK(text.find("\r[2/3] sm_90a pa.a2 0.20s\x1b[K\nnote\n") != std::string::npos);
  CHECK(text.find("[1/3] sm_90a pa.a1 0.10s\n") == std::string::npos);  // redrawn, not a new line
}
