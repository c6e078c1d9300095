// KernelMetadata's JSON, both ways: what to_json writes for each format reads back as the same
// typed metadata, and what is missing or mistyped is named.
#include "codeobj/kernel_metadata_json.h"

#include <catch2/catch.hpp>

using namespace aotc::codeobj;

namespace {

KernelMetadata hsaco() {
  KernelInfo k;
  k.name = "attention";
  k.symbol = "attention.kd";
  k.args = {
      {.offset = 0, .size = 8, .kind = "global_buffer", .address_space = "global", .name = "out"},
      {.offset = 8, .size = 4, .kind = "by_value"},
      {.offset = 16, .size = 4, .kind = "hidden_block_count_x"}};
  k.arg_bytes = 272;
  k.arg_align = 8;
  k.max_threads = 256;
  k.resources = {.shared_bytes = 1024,
                 .scratch_bytes = 16,
                 .sgpr_count = 32,
                 .vgpr_count = 64,
                 .agpr_count = 4,
                 .sgpr_spill_count = 1,
                 .vgpr_spill_count = 2,
                 .wavefront_size = 64,
                 .uses_dynamic_stack = true};
  k.occupancy = Occupancy{6, "vgpr"};
  return {.format = CodeObjectFormat::hsaco,
          .target_id = "gfx942:xnack-",
          .code_object_version = 5,
          .kernels = {k}};
}

KernelMetadata cubin() {
  KernelInfo k;
  k.name = "scale";
  k.args = {{.offset = 0, .size = 8}, {.offset = 8, .size = 4}};
  k.arg_bytes = 12;
  k.max_threads = 1024;
  k.resources = {.shared_bytes = 4000, .scratch_bytes = 8, .registers = 40, .max_stack_bytes = 0};
  return {.format = CodeObjectFormat::cubin,
          .target_id = "sm_90",
          .target_id_note = "the ELF cannot tell",
          .kernels = {k}};
}

KernelMetadata ptx() {
  KernelInfo k;
  k.name = "scale";
  k.args = {{.offset = 0, .size = 8, .name = "p0", .type = ".u64", .align = 8}};
  k.arg_bytes = 8;
  k.max_threads = 128;
  return {
      .format = CodeObjectFormat::ptx, .target_id = "sm_90a", .ptx_version = "8.7", .kernels = {k}};
}

}  // namespace

TEST_CASE("kernel metadata reads back from its JSON for every format") {
  for (const KernelMetadata& md : {hsaco(), cubin(), ptx()}) {
    INFO(format_name(md.format));
    const nlohmann::json json = to_json(md);
    auto back = kernel_metadata_from_json(json, md.format);
    INFO((back ? "" : back.error().message));
    REQUIRE(back.ok());
    CHECK(*back == md);
  }
}

TEST_CASE("kernel metadata JSON keeps each vendor's field names") {
  const nlohmann::json amd = to_json(hsaco());
  CHECK(amd["kernels"][0]["group_segment_size"] == 1024);
  CHECK(amd["kernels"][0]["max_workgroup_size"] == 256);
  CHECK(amd["kernels"][0]["args"][2]["kind"] == "hidden_block_count_x");
  CHECK_FALSE(amd["kernels"][0]["args"][1].contains("name"));
  CHECK(amd["kernels"][0]["occupancy"]["limited_by"] == "vgpr");
  const nlohmann::json nvidia = to_json(cubin());
  CHECK(nvidia["kernels"][0]["shared_bytes"] == 4000);
  CHECK(nvidia["kernels"][0]["local_bytes"] == 8);
  CHECK_FALSE(nvidia["kernels"][0]["args"][0].contains("kind"));
  CHECK(nvidia["target_id_note"] == "the ELF cannot tell");
  CHECK(to_json(ptx())["ptx_version"] == "8.7");
}

TEST_CASE("kernel metadata JSON that lacks a field or has the wrong type is an error naming it") {
  nlohmann::json json = to_json(hsaco());
  json["kernels"][0].erase("vgpr_count");
  auto missing = kernel_metadata_from_json(json, CodeObjectFormat::hsaco);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message,
             Catch::Contains("kernels[0]") && Catch::Contains("vgpr_count"));
  json = to_json(ptx());
  json["kernels"][0]["args"][0]["size"] = "eight";
  CHECK_FALSE(kernel_metadata_from_json(json, CodeObjectFormat::ptx).ok());
}
