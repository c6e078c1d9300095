// expand_matrix: the cartesian product in axis order, include/exclude, names, collisions, the
// size cap, and names that stay plain file names whatever the labels say.
#include "matrix/matrix_expand.h"

#include <catch2/catch.hpp>
#include <set>

#include "matrix/name_rules.h"
#include "matrix_test_support.h"

using namespace aotc;
using aotc::test::MatrixFixture;
using json = nlohmann::ordered_json;

namespace {

std::vector<Variant> expand_ok(const MatrixFixture& f, const json& doc) {
  auto matrix = f.parse(doc);
  REQUIRE(matrix.ok());
  auto variants = expand_matrix(*matrix);
  if (!variants) FAIL(variants.error().message);
  return *variants;
}

std::vector<std::string> names_of(const std::vector<Variant>& variants) {
  std::vector<std::string> names;
  for (const auto& v : variants) names.push_back(v.name);
  return names;
}

// A matrix built in code, bypassing parse_matrix: one kernel with one axis per label list.
Matrix coded_matrix(const std::vector<std::vector<std::string>>& axes_labels) {
  Matrix matrix;
  matrix.file = "coded.json";
  matrix.targets = {"gfx942"};
  KernelSpec kernel;
  kernel.name = "k";
  for (std::size_t a = 0; a < axes_labels.size(); ++a) {
    Axis axis;
    axis.name = "a" + std::to_string(a);
    for (std::size_t v = 0; v < axes_labels[a].size(); ++v) {
      axis.values.push_back(AxisValue{nlohmann::json(v), axes_labels[a][v], {}});
    }
    kernel.axes.push_back(std::move(axis));
  }
  matrix.kernels.push_back(std::move(kernel));
  return matrix;
}

}  // namespace

TEST_CASE("expansion is the cartesian product in axis order, last axis fastest") {
  MatrixFixture f;
  auto variants = expand_ok(f, aotc::test::base_matrix());
  std::vector<std::string> expected;
  for (std::string dtype : {"fp16", "bf16"}) {
    for (std::string bs : {"16", "64"}) {
      for (std::string kv : {"4", "8"})
        expected.push_back("k." + dtype + ".bs" + bs + ".h64x" + kv);
    }
  }
  CHECK(names_of(variants) == expected);

  const Variant& v = variants[3];  // k.fp16.bs64.h64x8
  CHECK(v.kernel == "k");
  CHECK(v.kernel_index == 0);
  CHECK(v.defines == std::vector<Define>{
                         {"K_DTYPE", "K_FP16"}, {"K_BLOCK", "64"}, {"K_QH", "64"}, {"K_KVH", "8"}});
  REQUIRE(v.axis_values.size() == 3);
  CHECK(v.axis_values[0].first == "dtype");
  CHECK(v.axis_values[2].second.value == nlohmann::json::array({64, 8}));
  CHECK(v.targets == std::vector<std::string>{"gfx942", "sm_90a"});
}

TEST_CASE("per-kernel targets replace the matrix targets") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["targets"] = {"gfx90a"};
  for (const auto& v : expand_ok(f, doc)) CHECK(v.targets == std::vector<std::string>{"gfx90a"});
}

TEST_CASE("exclude drops every variant matching all axes of any pattern") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["exclude"] = json::parse(R"([{ "dtype": ["bf16"], "block_size": [16] },
                                                 { "heads": [[64, 4]], "block_size": [64] }])");
  auto names = names_of(expand_ok(f, doc));
  CHECK(names == std::vector<std::string>{"k.fp16.bs16.h64x4", "k.fp16.bs16.h64x8",
                                          "k.fp16.bs64.h64x8", "k.bf16.bs64.h64x8"});
}

TEST_CASE("include keeps only variants matching some pattern, and exclude still applies") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["include"] = json::parse(R"([{ "dtype": ["fp16"] },
                                                 { "block_size": [64], "heads": [[64, 8]] }])");
  doc["kernels"][0]["exclude"] = json::parse(R"([{ "dtype": ["fp16"], "heads": [[64, 8]] }])");
  auto names = names_of(expand_ok(f, doc));
  CHECK(names ==
        std::vector<std::string>{"k.fp16.bs16.h64x4", "k.fp16.bs64.h64x4", "k.bf16.bs64.h64x8"});
}

TEST_CASE("variant_matches checks every axis a pattern lists") {
  MatrixFixture f;
  auto variants = expand_ok(f, aotc::test::base_matrix());
  const Variant& v = variants[3];  // fp16, 64, [64, 8]
  CHECK(variant_matches(v, {}));
  CHECK(variant_matches(v, {{"dtype", {"bf16", "fp16"}}}));
  CHECK(variant_matches(v, {{"dtype", {"fp16"}}, {"heads", {nlohmann::json::array({64, 8})}}}));
  CHECK_FALSE(variant_matches(v, {{"dtype", {"fp16"}}, {"block_size", {16}}}));
  CHECK_FALSE(variant_matches(v, {{"no_such_axis", {1}}}));
}

TEST_CASE("a kernel that expands to zero variants is an error") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["exclude"] = json::parse(R"([{ "dtype": ["fp16"] }, { "dtype": ["bf16"] }])");
  auto matrix = f.parse(doc);
  REQUIRE(matrix.ok());
  auto variants = expand_matrix(*matrix);
  REQUIRE_FALSE(variants.ok());
  CHECK(variants.error().message == f.line("kernels[0]: expected at least one variant after "
                                           "include/exclude, found none of 8 combinations kept"));
}

TEST_CASE("labels that collide, also only in case, are refused at the value that collides") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["axes"]["dtype"]["values"] = {"fp16", "FP16", "f32", "F32"};
  doc["kernels"][0]["axes"]["dtype"]["label"] = "{0}";
  doc["kernels"][0]["axes"]["heads"]["label"] = "h";
  CHECK(f.problems(doc) ==
        std::vector<std::string>{
            f.line("kernels[0].axes.dtype.values[1]: expected a label that differs from that of "
                   "kernels[0].axes.dtype.values[0] also when case is ignored (labels name "
                   "files), not \"FP16\", found \"FP16\""),
            f.line("kernels[0].axes.dtype.values[3]: expected a label that differs from that of "
                   "kernels[0].axes.dtype.values[2] also when case is ignored (labels name "
                   "files), not \"F32\", found \"F32\""),
            f.line("kernels[0].axes.heads.values[1]: expected a label that differs from that of "
                   "kernels[0].axes.heads.values[0] also when case is ignored (labels name "
                   "files), not \"h\", found [64,8]"),
        });
}

TEST_CASE("expansion refuses names that collide, also only in case, naming both value sets") {
  // A Matrix built in code skips parse_matrix's checks; expansion is where names become files.
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["exclude"] = json::parse(R"([{ "block_size": [64] }, { "heads": [[64, 8]] }])");
  auto matrix = f.parse(doc);
  REQUIRE(matrix.ok());
  matrix->kernels[0].axes[0].values[1].label = "FP16";
  auto variants = expand_matrix(*matrix);
  REQUIRE_FALSE(variants.ok());
  CHECK(variants.error().message ==
        f.line("kernels[0]: expected unique variant names (also ignoring case), found "
               "\"k.fp16.bs16.h64x4\" and \"k.FP16.bs16.h64x4\" for "
               "{\"dtype\":\"fp16\",\"block_size\":16,\"heads\":[64,4]} and "
               "{\"dtype\":\"bf16\",\"block_size\":16,\"heads\":[64,4]}"));
}

TEST_CASE(
    "variants x targets above options.max_variants are refused with the count and the option") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["options"] = {{"max_variants", 15}};
  auto matrix = f.parse(doc);
  REQUIRE(matrix.ok());
  auto variants = expand_matrix(*matrix);
  REQUIRE_FALSE(variants.ok());
  CHECK(variants.error().message ==
        f.line("options.max_variants: expected at least 16 to build this matrix (8 variants, 16 "
               "variant x target "
               "builds); raise options.max_variants to allow it, found 15"));

  doc["options"]["max_variants"] = 16;
  CHECK(expand_ok(f, doc).size() == 8);
  // Per-kernel targets count, not the matrix's.
  doc["options"]["max_variants"] = 8;
  doc["kernels"][0]["targets"] = {"gfx942"};
  CHECK(expand_ok(f, doc).size() == 8);
}

TEST_CASE("the default cap refuses a huge matrix without enumerating it") {
  Matrix matrix =
      coded_matrix(std::vector<std::vector<std::string>>(6, std::vector<std::string>(100, "x")));
  auto variants = expand_matrix(matrix);
  REQUIRE_FALSE(variants.ok());
  CHECK(variants.error().message ==
        "coded.json: kernels[0].axes: expected at most 16777216 combinations of axis values, found "
        "1000000000000");

  matrix =
      coded_matrix(std::vector<std::vector<std::string>>(20, std::vector<std::string>(1000, "x")));
  variants = expand_matrix(matrix);
  REQUIRE_FALSE(variants.ok());
  CHECK_THAT(variants.error().message, Catch::Matchers::EndsWith("found more than 2^64"));
}

TEST_CASE("hostile labels can never make a name that leaves out/") {
  for (std::string label :
       {"..", "../../etc", "a/b", "/abs", "-rf", "x y", "a\nb", "", ".hidden", "a.b", "x\\..\\y"}) {
    CAPTURE(label);
    auto variants = expand_matrix(coded_matrix({{"ok"}, {label}}));
    REQUIRE_FALSE(variants.ok());
    CHECK_THAT(variants.error().message,
               Catch::Matchers::StartsWith("coded.json: kernels[0]: expected variant names"));
  }
  // A name at the length limit passes; one more character fails (file names end at 255 bytes).
  CHECK(expand_matrix(coded_matrix({{std::string(kMaxVariantNameLength - 2, 'x')}})).ok());
  CHECK_FALSE(expand_matrix(coded_matrix({{std::string(kMaxVariantNameLength - 1, 'x')}})).ok());
}

TEST_CASE("every name from a parsed matrix is a plain file name inside its output directory") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  // The most permissive labels the rules allow, and negative values.
  doc["kernels"][0]["axes"]["dtype"]["label"] = "+{0}-";
  doc["kernels"][0]["axes"]["block_size"]["values"] = {-16, 64};
  doc["kernels"][0]["axes"]["block_size"]["label"] = "_{0}";
  const std::filesystem::path out = "/out/gfx942";
  for (const auto& v : expand_ok(f, doc)) {
    CAPTURE(v.name);
    CHECK(is_variant_name(v.name));
    std::filesystem::path file = (out / (v.name + ".hsaco")).lexically_normal();
    CHECK(file.parent_path() == out);
    CHECK(file.filename() == v.name + ".hsaco");
  }
}

TEST_CASE("expansion is deterministic and follows the JSON order of the axes") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  auto first = expand_ok(f, doc);
  auto second = expand_ok(f, doc);
  REQUIRE(first.size() == second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].name == second[i].name);
    CHECK(first[i].defines == second[i].defines);
  }
  // Moving dtype after heads moves its label to the end of every name.
  json reordered = doc;
  auto& axes = reordered["kernels"][0]["axes"];
  json dtype = axes["dtype"];
  axes.erase("dtype");
  axes["dtype"] = dtype;
  auto names = names_of(expand_ok(f, reordered));
  CHECK(names.front() == "k.bs16.h64x4.fp16");
  CHECK(names[1] == "k.bs16.h64x4.bf16");
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == 8);
}

TEST_CASE("a kernel without axes is one variant named after the kernel") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0].erase("axes");
  auto variants = expand_ok(f, doc);
  REQUIRE(variants.size() == 1);
  CHECK(variants[0].name == "k");
  CHECK(variants[0].defines.empty());
}
