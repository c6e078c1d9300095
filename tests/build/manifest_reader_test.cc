// The manifest reader gives back the records the manifest was written from.
#include "build/manifest_reader.h"

#include <catch2/catch.hpp>

#include "build/manifest.h"

using namespace aotc;

namespace {

codeobj::ObjectRecord amd_object() {
  codeobj::ObjectRecord r;
  r.target = "gfx942";
  r.vendor = "amd";
  r.format = "hsaco";
  r.file = "gfx942/k.b64.hsaco";
  r.size = 100;
  r.sha256 = "aa";
  r.compiler = {"/usr/bin/clang-22", "22.1.8"};
  r.flags = {"-x", "hip"};
  codeobj::KernelInfo k;
  k.name = "main";
  k.symbol = "main.kd";
  k.args = {{.offset = 0, .size = 8, .kind = "global_buffer"},
            {.offset = 8, .size = 4, .kind = "hidden_block_count_x"}};
  k.max_threads = 256;
  r.metadata = codeobj::KernelMetadata{.format = codeobj::CodeObjectFormat::hsaco,
                                       .target_id = "gfx942",
                                       .code_object_version = 5,
                                       .kernels = {k}};
  return r;
}

codeobj::ObjectRecord triton_object() {
  codeobj::ObjectRecord r;
  r.target = "sm_90a";
  r.vendor = "nvidia";
  r.format = "cubin";
  r.file = "sm_90a/k.b64.main.cubin";
  r.ptx_file = "sm_90a/k.b64.main.ptx";
  r.ptx_size = 7;
  r.ptx_sha256 = "cc";
  r.size = 50;
  r.sha256 = "bb";
  r.compiler = {"/usr/bin/python3", "3.6.0"};
  r.entry = "main";
  codeobj::KernelInfo k;
  k.name = "main";
  k.args = {{.offset = 0, .size = 8}};
  k.max_threads = 1024;
  r.metadata = codeobj::KernelMetadata{
      .format = codeobj::CodeObjectFormat::cubin, .target_id = "sm_90a", .kernels = {k}};
  r.triton = codeobj::TritonObjectFacts{.signature = {"*fp16:16", "i32"},
                                        .options = {{"num_warps", 4}},
                                        .metadata_file = "sm_90a/k.b64.main.triton.json",
                                        .metadata_size = 3,
                                        .metadata_sha256 = "dd",
                                        .runtime_arguments = 2,
                                        .scratch = {{"global_scratch", 0, 1}},
                                        .shared = 512,
                                        .num_warps = 4,
                                        .version = "3.6.0"};
  return r;
}

}  // namespace

TEST_CASE("the manifest reader gives back the object records the manifest was written from") {
  Matrix matrix;
  matrix.root = "/src";
  KernelSpec kernel;
  kernel.name = "k";
  kernel.source = "/src/k.hip";
  matrix.kernels = {kernel};
  std::vector<Variant> variants(3);
  variants[0].name = "k.b64";
  variants[1].name = "k.b128";  // failed for every target: no objects
  variants[2].name = "k.b256";
  const std::vector<std::vector<codeobj::ObjectRecord>> objects = {
      {amd_object(), triton_object()}, {}, {amd_object()}};
  const std::vector<nlohmann::ordered_json> bundles(3);
  const nlohmann::ordered_json manifest =
      make_manifest({&matrix, "m.json", "00", &variants, &objects, &bundles, {}});
  const nlohmann::json written = nlohmann::json::parse(manifest.dump());

  auto read = read_manifest_objects(written, variants);
  INFO((read ? "" : read.error().message));
  REQUIRE(read.ok());
  CHECK(*read == objects);

  // Variants are matched by name: one the manifest does not list gets no objects.
  std::vector<Variant> others(1);
  others[0].name = "k.b512";
  auto none = read_manifest_objects(written, others);
  REQUIRE(none.ok());
  CHECK(none->at(0).empty());
}

TEST_CASE("the manifest reader names what it cannot read") {
  std::vector<Variant> variants(1);
  variants[0].name = "k.b64";
  nlohmann::json manifest = {{"variants", {{{"name", "k.b64"}, {"objects", {{{"target", 3}}}}}}}};
  auto bad = read_manifest_objects(manifest, variants);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("manifest: variants[0].objects[0]"));
  manifest["variants"][0]["objects"][0] = nlohmann::json::parse(R"({"target": "gfx942",
    "vendor": "amd", "format": "hsaco", "file": "f", "size": 1, "sha256": "a",
    "compiler": {"path": "c", "version": "1"}, "flags": [], "metadata": {"target_id": "gfx942"}})");
  bad = read_manifest_objects(manifest, variants);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("manifest: variants[0].objects[0].metadata"));
}
