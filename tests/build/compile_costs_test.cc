#include "build/compile_costs.h"

#include <catch2/catch.hpp>

#include "build_test_support.h"

namespace fs = std::filesystem;
using aotc::CompileCosts;

TEST_CASE("compile-time history round-trips and skips lines it cannot read", "[cache][costs]") {
  aotc::test::Workspace workspace("costs-unit");
  const fs::path cache = workspace / "cache";

  // No file yet: no history, and saving creates it.
  CompileCosts empty = CompileCosts::load(cache);
  CHECK_FALSE(empty.seconds("gfx942", "a").has_value());

  CompileCosts costs = CompileCosts::load(cache);
  costs.record("gfx942", "pa.bf16", 12.5);
  costs.record("sm_90a", "pa.bf16", 0.25);
  REQUIRE(costs.save().ok());

  CompileCosts again = CompileCosts::load(cache);
  CHECK(again.seconds("gfx942", "pa.bf16") == Approx(12.5));
  CHECK(again.seconds("sm_90a", "pa.bf16") == Approx(0.25));
  CHECK_FALSE(again.seconds("gfx950", "pa.bf16").has_value());

  // A hand-edited or truncated file: the readable lines count, the rest are ignored.
  REQUIRE(aotc::write_file_atomic(cache / "compile_seconds.tsv",
                                  "3.5\tgfx942\tgood\n"
                                  "not-a-number\tgfx942\tbad1\n"
                                  "-1\tgfx942\tbad2\n"
                                  "inf\tgfx942\tbad3\n"
                                  "7\tgfx942\n"
                                  "2.0\tsm_90a\tcut-of")
              .ok());
  CompileCosts garbled = CompileCosts::load(cache);
  CHECK(garbled.seconds("gfx942", "good") == Approx(3.5));
  CHECK_FALSE(garbled.seconds("gfx942", "bad1").has_value());
  CHECK_FALSE(garbled.seconds("gfx942", "bad2").has_value());
  CHECK_FALSE(garbled.seconds("gfx942", "bad3").has_value());
  CHECK(garbled.seconds("sm_90a", "cut-of") == Approx(2.0));
}

TEST_CASE("a compile that earlier builds saw take long starts first; --timings", "[build][costs]") {
  if (!aotc::test::have_clang22()) return;
  aotc::test::Workspace workspace("costs-order");
  const fs::path cache = workspace / "cache";
  // Plan order is w1.s0, w1.s1, w4.s0, w4.s1: the history says the last one is the slow one.
  REQUIRE(aotc::write_file_atomic(cache / "compile_seconds.tsv",
                                  "0.1\tgfx942\taxpy.w1.s0\n0.1\tgfx942\taxpy.w1.s1\n"
                                  "0.1\tgfx942\taxpy.w4.s0\n30\tgfx942\taxpy.w4.s1\n")
              .ok());
  auto built = aotc::test::run_aotc({"build", (workspace / "axpy.json").string(), "-o",
                                     (workspace / "out").string(), "--cache-dir", cache.string(),
                                     "--clang", "clang-22", "-j", "1", "--timings"});
  INFO(built.output);
  REQUIRE(built.succeeded());
  std::vector<std::string> order;
  std::istringstream lines(built.output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string progress, target, variant;
    if (line.starts_with("[") && words >> progress >> target >> variant) order.push_back(variant);
  }
  REQUIRE(order.size() == 4);
  CHECK(order.front() == "axpy.w4.s1");
  // --timings accounts for every compile and names the longest.
  CHECK_THAT(built.output,
             Catch::Contains("aotc: timings: load ") && Catch::Contains("; 4 compiles: ") &&
                 Catch::Contains(" over 1 slots, longest ") && Catch::Contains("(gfx942 axpy.w"));

  // The build replaced the history with what it measured.
  CompileCosts measured = CompileCosts::load(cache);
  for (const char* object : {"axpy.w1.s0", "axpy.w1.s1", "axpy.w4.s0", "axpy.w4.s1"}) {
    INFO(object);
    REQUIRE(measured.seconds("gfx942", object).has_value());
    CHECK(*measured.seconds("gfx942", object) < 30.0);
  }
}
