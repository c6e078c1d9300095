// The aotc inspect / bundle / unbundle / list commands, run as a user would, on real code objects
// and on hostile files (one clear error, non-zero exit, nothing written).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "codeobj/bundle_writer.h"
#include "codeobj/offload_bundle.h"
#include "codeobj/test_tools.h"
#include "tool_skip.h"

using namespace aotc::test;

namespace {
std::string aotc_cmd() { return std::string(AOTC_EXE); }
}  // namespace

TEST_CASE("aotc bundle, list, unbundle and inspect round-trip real code objects") {
  if (!clang22()) {
    aotc::test::missing_tool("clang-22");
    return;
  }
  ScratchDir dir("cli");
  auto a = compile_hsaco(dir, "gfx942");
  auto b = compile_hsaco(dir, "gfx950:xnack-");
  auto out = dir / "fat.hipfb";
  for (std::string compress : {"", " --compress zstd --ccob-version 3", " --compress zlib"}) {
    SECTION(compress.empty() ? "plain" : compress) {
      auto r = run_command(aotc_cmd() + " bundle -o " + out.string() + " --target-id gfx942=" +
                           a.string() + " --target-id gfx950:xnack-=" + b.string() + compress);
      INFO(r.output);
      REQUIRE(r.exit_code == 0);
      r = run_command(aotc_cmd() + " list " + out.string());
      CHECK(r.exit_code == 0);
      CHECK(r.output ==
            "host-x86_64-unknown-linux-gnu-\nhipv4-amdgcn-amd-amdhsa--gfx942\n"
            "hipv4-amdgcn-amd-amdhsa--gfx950:xnack-\n");
      auto one = dir / "one.hsaco";
      r = run_command(aotc_cmd() + " unbundle " + out.string() + " --id gfx950:xnack- -o " +
                      one.string());
      REQUIRE(r.exit_code == 0);
      CHECK(read_bytes(one) == read_bytes(b));
      auto all = dir / "all";
      r = run_command(aotc_cmd() + " unbundle " + out.string() + " -o " + all.string());
      REQUIRE(r.exit_code == 0);
      CHECK(read_bytes(all / "hipv4-amdgcn-amd-amdhsa--gfx942.hsaco") == read_bytes(a));
      CHECK(std::filesystem::exists(all / "host-x86_64-unknown-linux-gnu-.bin"));

      r = run_command(aotc_cmd() + " inspect --json " + out.string() + " " + a.string() +
                      " 2>/dev/null");
      REQUIRE(r.exit_code == 0);
      auto report = nlohmann::json::parse(r.output);
      REQUIRE(report.size() == 2);
      CHECK(report[0]["format"] == "bundle");
      CHECK(report[0]["compressed"] == !compress.empty());
      CHECK(report[0]["entries"][2]["metadata"]["target_id"] == "gfx950:xnack-");
      CHECK(report[1]["metadata"]["kernels"].size() == 2);
      CHECK(report[1]["metadata"]["kernels"][0].contains("occupancy"));
      r = run_command(aotc_cmd() + " inspect " + out.string());
      CHECK(r.exit_code == 0);
      CHECK(r.output.find("lds_reverse") != std::string::npos);
    }
  }
  SECTION("a code object labelled with the wrong target is refused") {
    auto r = run_command(aotc_cmd() + " bundle -o " + out.string() +
                         " --target-id gfx950=" + a.string());
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("is a gfx942 code object") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
  }
}

TEST_CASE("hostile files give one clear error, a non-zero exit and no output") {
  ScratchDir dir("cli-hostile");
  std::vector<aotc::codeobj::BundleEntry> entries = {
      {"hipv4-amdgcn-amd-amdhsa--gfx942", std::vector<std::uint8_t>(5000, 1)}};
  auto good = *aotc::codeobj::write_offload_bundle(entries, {});
  auto truncated = std::vector<std::uint8_t>(good.begin(), good.begin() + 5000);
  write_bytes(dir / "truncated.hipfb", truncated);
  auto huge = good;
  huge[24 + 7] = 0x40;  // entry count 2^62
  write_bytes(dir / "huge.hipfb", huge);
  write_bytes(dir / "garbage.bin", std::vector<std::uint8_t>(300, 0x5a));
  for (std::string file : {"truncated.hipfb", "huge.hipfb", "garbage.bin"}) {
    INFO(file);
    for (std::string command : {"list", "inspect", "unbundle"}) {
      INFO(command);
      auto target = dir / "out";
      std::string extra = command == "unbundle" ? " -o " + target.string() : "";
      auto r = run_command(aotc_cmd() + " " + command + " " + (dir / file).string() + extra);
      CHECK(r.exit_code == 1);
      CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
      CHECK(r.output.find(file) != std::string::npos);
      CHECK_FALSE(std::filesystem::exists(target));
    }
  }
}
