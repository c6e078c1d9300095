#include "codeobj/readelf_notes_check.h"

#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "codeobj/amdgpu_metadata.h"
#include "codeobj/test_tools.h"

using namespace aotc::codeobj;

namespace aotc::test {
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

}  // namespace

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

}  // namespace aotc::test
