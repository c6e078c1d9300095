// Our reading of AMDGPU code objects against llvm-readelf-22 on kernels clang-22 compiles here,
// for gfx90a, gfx942 and gfx950, code object v5 and v6, with and without xnack/sramecc settings.
#include "codeobj/amdgpu_metadata.h"

#include <catch2/catch.hpp>

#include "codeobj/readelf_notes_check.h"
#include "codeobj/test_tools.h"
#include "tool_skip.h"

using namespace aotc::codeobj;
using namespace aotc::test;

TEST_CASE("AMDGPU metadata equals llvm-readelf-22 --notes for real code objects") {
  if (!clang22() || !readelf22()) {
    aotc::test::missing_tool("clang-22 or llvm-readelf-22");
    return;
  }
  ScratchDir dir("amdgpu-metadata");
  struct Case {
    std::string arch;
    std::string flags;
  };
  const Case cases[] = {
      {"gfx90a", "-DUSE_MFMA"},
      {"gfx90a:xnack+", "-mcode-object-version=5"},
      {"gfx942", "-DUSE_MFMA -mcode-object-version=5"},
      {"gfx942:sramecc+:xnack-", ""},
      {"gfx950", "-DUSE_MFMA"},
      {"gfx950:xnack+", "-mcode-object-version=5 -O0"},
  };
  for (const Case& c : cases) {
    SECTION(c.arch + " " + c.flags) {
      auto hsaco = compile_hsaco(dir, c.arch, c.flags);
      check_against_readelf(hsaco);
    }
  }
}

TEST_CASE("hidden arguments, LDS and AGPRs are read from the note") {
  if (!clang22()) {
    aotc::test::missing_tool("clang-22");
    return;
  }
  ScratchDir dir("amdgpu-fields");
  auto object = read_amdgpu_code_object(read_bytes(compile_hsaco(dir, "gfx90a", "-DUSE_MFMA")));
  REQUIRE(object.ok());
  CHECK(object->target_id.processor == "gfx90a");
  std::map<std::string, const AmdKernel*> by_name;
  for (const auto& k : object->kernels) by_name[k.name] = &k;
  REQUIRE(by_name.count("scale_add"));
  REQUIRE(by_name.count("lds_reverse"));
  REQUIRE(by_name.count("mfma"));
  // scale_add reads the workgroup size: a hidden argument follows the 32 explicit bytes.
  const AmdKernel& scale = *by_name["scale_add"];
  REQUIRE(scale.args.size() >= 4);
  CHECK(scale.args[2].kind == "by_value");
  CHECK(scale.args[2].size == 16);  // struct Params
  bool hidden = false;
  for (const auto& a : scale.args) hidden |= a.hidden() && a.offset >= 32;
  CHECK(hidden);
  CHECK(by_name["lds_reverse"]->group_segment_size == 2048 * 4);
  CHECK(by_name["lds_reverse"]->max_workgroup_size == 256);
  CHECK(by_name["mfma"]->agpr_count > 0);
}

TEST_CASE(
    "e_flags decode to the target ids clang-22 writes, across GCN, CDNA, RDNA and generic "
    "targets") {
  if (!clang22()) {
    aotc::test::missing_tool("clang-22");
    return;
  }
  ScratchDir dir("e-flags");
  const std::string empty = "extern \"C\" __attribute__((global)) void k() {}\n";
  for (std::string arch :
       {"gfx900", "gfx906", "gfx908", "gfx90a", "gfx942", "gfx950", "gfx1030", "gfx1100", "gfx1151",
        "gfx1200", "gfx1201", "gfx9-generic", "gfx9-4-generic", "gfx11-generic", "gfx12-generic"}) {
    INFO(arch);
    auto object = read_amdgpu_code_object(read_bytes(compile_hsaco(dir, arch, "", empty)));
    REQUIRE(object.ok());
    CHECK(object->target_id.processor == arch);
    CHECK(object->metadata_target == "amdgcn-amd-amdhsa--" + object->target_id.to_string());
  }
}

TEST_CASE("code objects that are not AMDGPU or lack metadata are rejected with a reason") {
  std::vector<std::uint8_t> not_elf(128, 0x41);
  auto r = read_amdgpu_code_object(not_elf);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("magic") != std::string::npos);
  if (!clang22()) return;
  ScratchDir dir("amdgpu-bad");
  auto bytes = read_bytes(compile_hsaco(dir, "gfx942"));
  auto wrong_machine = bytes;
  wrong_machine[18] = 62;  // EM_X86_64
  r = read_amdgpu_code_object(wrong_machine);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("e_machine") != std::string::npos);
  // Truncating anywhere must give an error, never a crash or a partial result.
  for (std::size_t cut : {std::size_t(10), std::size_t(64), bytes.size() / 2, bytes.size() - 1}) {
    std::vector<std::uint8_t> truncated(bytes.begin(), bytes.begin() + cut);
    CHECK_FALSE(read_amdgpu_code_object(truncated).ok());
  }
}
