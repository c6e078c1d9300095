// Our reading of AMDGPU code objects against llvm-readelf-22 on kernels clang-22 compiles here,
// for gfx90a, gfx942 and gfx950, code object v5 and v6, with and without xnack/sramecc settings.
#include "codeobj/amdgpu_metadata.h"

#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "codeobj/test_tools.h"

using namespace aotc::codeobj;
using namespace aotc::test;

namespace {

// One kernel of `llvm-readelf --notes` YAML: scalar keys, and the args as key maps.
struct YamlKernel {
  std::map<std::string, std::string> fields;
  std::vector<std::map<std::string, std::string>> args;
};

struct YamlNotes {
  std::string target;
  std::vector<YamlKernel> kernels;
};

std::string unquote(std::string v) {
  v.erase(0, v.find_first_not_of(' '));
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) {
    return v.substr(1, v.size() - 2);
  }
  return v;
}

// Parses the block-style YAML llvm-readelf prints: kernels start at "  - ", arguments at "      -
// ".
YamlNotes parse_readelf_notes(const std::string& text) {
  YamlNotes notes;
  std::istringstream in(text);
  std::string line;
  bool in_kernels = false;
  while (std::getline(in, line)) {
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos) continue;
    std::string body = line.substr(indent);
    if (indent == 0) in_kernels = body.rfind("amdhsa.kernels:", 0) == 0;
    if (body.rfind("amdhsa.target:", 0) == 0)
      notes.target = unquote(body.substr(body.find(':') + 1));
    if (!in_kernels || indent == 0) continue;
    bool item = body.rfind("- ", 0) == 0;
    if (item) body = body.substr(2);
    if (item && indent == 2) notes.kernels.emplace_back();
    if (item && indent == 6) notes.kernels.back().args.emplace_back();
    auto colon = body.find(':');
    if (colon == std::string::npos) continue;
    std::string key = body.substr(0, colon);
    std::string value = body.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (value.empty()) continue;  // ".args:"
    if (indent >= 6) {
      notes.kernels.back().args.back()[key] = unquote(value);
    } else {
      notes.kernels.back().fields[key] = unquote(value);
    }
  }
  return notes;
}

std::uint64_t field(const YamlKernel& k, const std::string& key, std::uint64_t fallback) {
  auto it = k.fields.find(key);
  return it == k.fields.end() ? fallback : std::stoull(it->second);
}

void check_against_readelf(const std::filesystem::path& hsaco) {
  auto readelf = readelf22();
  REQUIRE(readelf);
  auto notes_out = run_command(*readelf + " --notes " + hsaco.string());
  REQUIRE(notes_out.exit_code == 0);
  YamlNotes notes = parse_readelf_notes(notes_out.output);
  auto bytes = read_bytes(hsaco);
  auto object = read_amdgpu_code_object(bytes);
  INFO(hsaco.string());
  REQUIRE(object.ok());

  CHECK(object->metadata_target == notes.target);
  // e_flags decode must agree with the metadata's own target string.
  CHECK("amdgcn-amd-amdhsa--" + object->target_id.to_string() == notes.target);

  auto header = run_command(*readelf + " -h " + hsaco.string());
  auto abi_line = header.output.substr(header.output.find("ABI Version:"));
  int abi = std::stoi(abi_line.substr(abi_line.find(':') + 1));
  CHECK(object->code_object_version == abi + 2);

  REQUIRE(object->kernels.size() == notes.kernels.size());
  for (std::size_t i = 0; i < notes.kernels.size(); ++i) {
    const YamlKernel& y = notes.kernels[i];
    const AmdKernel& k = object->kernels[i];
    INFO("kernel " << k.name);
    CHECK(k.name == y.fields.at(".name"));
    CHECK(k.symbol == y.fields.at(".symbol"));
    CHECK(k.kernarg_size == field(y, ".kernarg_segment_size", ~0ull));
    CHECK(k.kernarg_align == field(y, ".kernarg_segment_align", ~0ull));
    CHECK(k.group_segment_size == field(y, ".group_segment_fixed_size", ~0ull));
    CHECK(k.private_segment_size == field(y, ".private_segment_fixed_size", ~0ull));
    CHECK(k.sgpr_count == field(y, ".sgpr_count", ~0ull));
    CHECK(k.vgpr_count == field(y, ".vgpr_count", ~0ull));
    CHECK(k.agpr_count == field(y, ".agpr_count", 0));
    CHECK(k.sgpr_spill_count == field(y, ".sgpr_spill_count", 0));
    CHECK(k.vgpr_spill_count == field(y, ".vgpr_spill_count", 0));
    CHECK(k.wavefront_size == field(y, ".wavefront_size", ~0ull));
    CHECK(k.max_workgroup_size == field(y, ".max_flat_workgroup_size", ~0ull));
    CHECK(k.uses_dynamic_stack ==
          (y.fields.count(".uses_dynamic_stack") && y.fields.at(".uses_dynamic_stack") == "true"));
    REQUIRE(k.args.size() == y.args.size());
    for (std::size_t a = 0; a < y.args.size(); ++a) {
      INFO("arg " << a);
      CHECK(k.args[a].offset == std::stoull(y.args[a].at(".offset")));
      CHECK(k.args[a].size == std::stoull(y.args[a].at(".size")));
      CHECK(k.args[a].kind == y.args[a].at(".value_kind"));
      CHECK(k.args[a].address_space ==
            (y.args[a].count(".address_space") ? y.args[a].at(".address_space") : ""));
    }
  }
}

}  // namespace

TEST_CASE("AMDGPU metadata equals llvm-readelf-22 --notes for real code objects") {
  if (!clang22() || !readelf22()) {
    WARN("clang-22 or llvm-readelf-22 not found: skipped");
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
    WARN("clang-22 not found: skipped");
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

TEST_CASE("e_flags decode to the target ids clang-22 writes, across GCN, CDNA, RDNA and generic targets") {
  if (!clang22()) {
    WARN("clang-22 not found: skipped");
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
