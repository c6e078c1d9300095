// The example matrices in configs/examples stay valid and expand as docs/MATRIX.md describes.
#include <catch2/catch.hpp>

#include "matrix/matrix_expand.h"
#include "matrix/matrix_parse.h"

using namespace aotc;

namespace {

std::vector<Variant> expand_example(const std::string& name) {
  auto matrix = load_matrix(std::filesystem::path(AOTC_SOURCE_DIR) / "configs/examples" / name);
  if (!matrix) FAIL(matrix.error().message);
  auto variants = expand_matrix(*matrix);
  if (!variants) FAIL(variants.error().message);
  return *variants;
}

}  // namespace

TEST_CASE("configs/examples/scale-matrix.json: 2 dtypes x 3 tiles minus one excluded") {
  auto variants = expand_example("scale-matrix.json");
  std::vector<std::string> names;
  for (const auto& v : variants) names.push_back(v.name);
  CHECK(names == std::vector<std::string>{"scale.f32.t64x1", "scale.f32.t256x1", "scale.f32.t256x4",
                                          "scale.f16.t256x1", "scale.f16.t256x4"});
  CHECK(variants[4].defines == std::vector<Define>{{"SCALE_DTYPE", "SCALE_DTYPE_F16"},
                                                   {"SCALE_BLOCK_SIZE", "256"},
                                                   {"SCALE_ITEMS", "4"}});
  CHECK(variants[0].targets == std::vector<std::string>{"gfx942", "gfx90a", "sm_90a"});
}

TEST_CASE("configs/examples/minimal-matrix.json: one axis, defaults elsewhere") {
  auto variants = expand_example("minimal-matrix.json");
  REQUIRE(variants.size() == 2);
  CHECK(variants[1].name == "scale.bs256");
  CHECK(variants[1].defines == std::vector<Define>{{"SCALE_BLOCK_SIZE", "256"},
                                                   {"SCALE_ITEMS", "1"},
                                                   {"SCALE_DTYPE", "SCALE_DTYPE_F32"}});
}
