// `aotc build --shard K/N` and `aotc merge` (shard.h): the split on its own, and N shards merged
// through the real binary into the tree one build writes.
#include "build/shard.h"

#include <catch2/catch.hpp>
#include <map>

#include "build_test_support.h"

namespace fs = std::filesystem;
using aotc::test::run_aotc;
using aotc::test::Workspace;

namespace {

std::vector<aotc::PlannedObject> plan_of(std::size_t amd, std::size_t cubins) {
  std::vector<aotc::PlannedObject> plan;
  for (std::size_t i = 0; i < amd + cubins; ++i) {
    aotc::PlannedObject object;
    object.variant = i;
    object.key = aotc::sha256_hex("object " + std::to_string(i));
    if (i >= amd) object.ptxas_flags = {"-arch=sm_90a"};
    plan.push_back(object);
  }
  return plan;
}

aotc::ShardManifest shard(std::size_t index, std::size_t count) {
  aotc::ShardManifest manifest;
  manifest.dir = "shard" + std::to_string(index);
  manifest.spec = {index, count};
  manifest.matrix_sha256 = "m";
  manifest.targets = {"gfx942"};
  manifest.toolchains = {{"clang", {{"path", "/usr/bin/clang-22"}}}};
  manifest.planned = 8;
  return manifest;
}

std::string merge_error(std::vector<aotc::ShardManifest> shards) {
  auto checked = aotc::check_shard_set(shards);
  return checked ? std::string() : checked.error().message;
}

}  // namespace

TEST_CASE("a shard is given as K/N with 1 <= K <= N", "[shard]") {
  auto spec = aotc::parse_shard("2/4");
  REQUIRE(spec.ok());
  CHECK(spec->index == 2);
  CHECK(spec->count == 4);
  for (const char* bad : {"0/4", "5/4", "2", "2/", "/4", "a/b", "2/4x", "-1/4", ""}) {
    INFO(bad);
    CHECK_FALSE(aotc::parse_shard(bad).ok());
  }
}

TEST_CASE("shards split the plan into disjoint, balanced parts, identical compiles together",
          "[shard]") {
  auto plan = plan_of(13, 6);
  plan[3].key = plan[7].key;  // an identical compile: built once, so in one shard
  std::map<std::size_t, std::size_t> owner;
  std::vector<std::size_t> cost(4, 0);
  for (std::size_t k = 1; k <= 4; ++k) {
    auto mine = aotc::shard_objects(plan, {k, 4});
    CHECK(mine == aotc::shard_objects(plan, {k, 4}));  // deterministic
    CHECK(std::is_sorted(mine.begin(), mine.end()));
    for (std::size_t i : mine) {
      CHECK(owner.emplace(i, k).second);
      cost[k - 1] += plan[i].ptxas_flags.empty() ? 1 : 2;
    }
  }
  CHECK(owner.size() == plan.size());
  CHECK(owner[3] == owner[7]);
  // 24 units of work (an identical compile counted once) in 4 shards: none above 7.
  CHECK(*std::max_element(cost.begin(), cost.end()) - *std::min_element(cost.begin(), cost.end()) <=
        3);
  CHECK(aotc::shard_objects(plan, {1, 1}).size() == plan.size());
}

TEST_CASE("a shard set that is not one build's is refused, naming each problem", "[shard]") {
  CHECK(merge_error({shard(1, 3), shard(2, 3), shard(3, 3)}).empty());
  CHECK_THAT(merge_error({shard(1, 3), shard(3, 3)}), Catch::Contains("missing shard(s) 2 of 3"));
  CHECK_THAT(merge_error({shard(1, 2), shard(2, 2), shard(2, 2)}),
             Catch::Contains("the same shard given twice"));
  CHECK_THAT(merge_error({shard(1, 2), shard(2, 3)}), Catch::Contains("is one of 3 shards"));
  auto other_matrix = shard(2, 2);
  other_matrix.matrix_sha256 = "n";
  CHECK_THAT(merge_error({shard(1, 2), other_matrix}), Catch::Contains("another matrix"));
  auto other_clang = shard(2, 2);
  other_clang.toolchains = {{"clang", {{"path", "/usr/bin/clang-19"}}}};
  CHECK_THAT(merge_error({shard(1, 2), other_clang}), Catch::Contains("other compilers"));
  CHECK_THAT(merge_error({}), Catch::Contains("no shards"));
}

TEST_CASE("toolchains survive the shard manifest", "[shard]") {
  aotc::Toolchains tools;
  tools.clang = {"/usr/bin/clang-22", "22.1.8", 22, "Debian clang version 22.1.8"};
  tools.ptxas = aotc::Toolchain{"/usr/local/cuda/bin/ptxas", "13.0.88", 13, "Cuda V13.0.88"};
  aotc::TritonInstall triton;
  triton.python = {"/usr/bin/python3", "3.11.2", 3, "Python 3.11.2"};
  triton.version = "3.6.0";
  triton.path = "/site/triton";
  triton.backends = {"amd", "nvidia"};
  triton.identity_files = {"/site/triton/__init__.py"};
  tools.triton = triton;
  auto json = nlohmann::json::parse(aotc::toolchains_json(tools).dump());
  auto back = aotc::toolchains_from_json(json);
  REQUIRE(back.ok());
  CHECK(nlohmann::json::parse(aotc::toolchains_json(*back).dump()) == json);
  CHECK_FALSE(aotc::toolchains_from_json({{"clang", {{"path", 3}}}}).ok());
}

TEST_CASE("4 shards merged equal one build, and missing, doubled, damaged or foreign shards fail",
          "[shard][build]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("shards");
  for (const char* file : {"split-sum-matrix.json", "split_sum.hip"}) {
    fs::copy_file(fs::path(AOTC_SOURCE_DIR) / "tests/launcher/data" / file, workspace / file);
  }
  const std::string matrix = (workspace / "split-sum-matrix.json").string();
  const std::string cache = (workspace / "cache").string();
  auto build = [&](const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "build",   matrix,     "-o",          (workspace / out).string(),
        "--clang", "clang-22", "--cache-dir", cache};
    args.insert(args.end(), extra.begin(), extra.end());
    auto result = run_aotc(args);
    INFO(result.output);
    REQUIRE(result.succeeded());
  };
  std::vector<std::string> shard_dirs;
  std::set<std::string> keys;
  std::size_t objects = 0;
  for (int k = 1; k <= 4; ++k) {
    std::string dir = "shard" + std::to_string(k);
    build(dir, {"--shard", std::to_string(k) + "/4"});
    shard_dirs.push_back((workspace / dir).string());
    auto manifest = aotc::test::read_json(workspace / dir / "manifest.json");
    CHECK(manifest["schema"] == "aotc-shard");
    CHECK(manifest["planned"] == 12);
    CHECK(!manifest["objects"].empty());
    for (const auto& object : manifest["objects"]) keys.insert(object["key"].get<std::string>());
    objects += manifest["objects"].size();
    CHECK_FALSE(fs::exists(workspace / dir / "bundles"));  // packaging is the merge's
  }
  CHECK(objects == 12);
  CHECK(keys.size() == 12);  // disjoint

  build("out");
  fs::rename(workspace / "out", workspace / "single");
  auto merge = [&](std::vector<std::string> shards, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"merge", (workspace / "out").string()};
    args.insert(args.end(), shards.begin(), shards.end());
    args.insert(args.end(), {"--matrix", matrix});
    args.insert(args.end(), extra.begin(), extra.end());
    return run_aotc(args);
  };

  SECTION("merged: manifest, objects, bundles and launchers byte-identical") {
    auto merged = merge(shard_dirs);
    INFO(merged.output);
    REQUIRE(merged.succeeded());
    auto without_summary = [](nlohmann::json manifest) {
      manifest.erase("summary");
      return manifest;
    };
    auto single = aotc::test::read_json(workspace / "single/manifest.json");
    CHECK(without_summary(aotc::test::read_json(workspace / "out/manifest.json")) ==
          without_summary(single));
    auto listed = aotc::listed_output_files(single);
    REQUIRE(listed.ok());
    CHECK(listed->size() > 12);
    for (const auto& listed_file : *listed) {
      INFO(listed_file.file);
      CHECK(aotc::read_file_bytes(workspace / "out" / listed_file.file).value() ==
            aotc::read_file_bytes(workspace / "single" / listed_file.file).value());
    }
    CHECK(run_aotc({"verify", (workspace / "out").string()}).succeeded());
  }
  auto fails_with = [&](const aotc::ProcessResult& result, const std::string& message) {
    INFO(result.output);
    CHECK_FALSE(result.succeeded());
    CHECK_THAT(result.output, Catch::Contains(message));
    CHECK_FALSE(fs::exists(workspace / "out/manifest.json"));
  };
  SECTION("a shard missing") {
    fails_with(merge({shard_dirs[0], shard_dirs[1], shard_dirs[3]}), "missing shard(s) 3 of 4");
  }
  SECTION("a shard given twice") {
    fails_with(merge({shard_dirs[0], shard_dirs[1], shard_dirs[2], shard_dirs[3], shard_dirs[1]}),
               "the same shard given twice");
  }
  SECTION("a damaged shard file") {
    auto manifest = aotc::test::read_json(shard_dirs[1] + "/manifest.json");
    fs::path file = fs::path(shard_dirs[1]) / manifest["objects"][0]["files"][0]["file"];
    auto bytes = aotc::read_file_bytes(file).value();
    bytes[bytes.size() / 2] ^= 0x40;
    REQUIRE(aotc::write_file_atomic(file, bytes).ok());
    fails_with(merge(shard_dirs), "differs from its shard's manifest");
  }
  SECTION("another matrix") {
    auto text = aotc::read_file_text(matrix).value();
    REQUIRE(aotc::write_file_atomic(matrix, text + "\n").ok());
    fails_with(merge(shard_dirs), "is not the matrix the shards were built from");
  }
  SECTION("a full build given as a shard") {
    fails_with(merge({shard_dirs[0], (workspace / "single").string()}), "not a shard's manifest");
  }
}
