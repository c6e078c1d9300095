// parse_matrix: what a valid matrix becomes, and one test per kind of validation problem, each
// asserting the exact "<file>: <json path>: expected <what>, found <json>" line.
#include "matrix/matrix_parse.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "matrix/problems.h"
#include "matrix_test_support.h"

using namespace aotc;
using aotc::test::MatrixFixture;
using Catch::Matchers::VectorContains;
using json = nlohmann::ordered_json;

TEST_CASE("a valid matrix is read into plain data in axis order") {
  MatrixFixture f;
  auto matrix = f.parse(aotc::test::base_matrix());
  REQUIRE(matrix.ok());
  CHECK(matrix->targets == std::vector<std::string>{"gfx942", "sm_90a"});
  REQUIRE(matrix->kernels.size() == 1);
  const KernelSpec& k = matrix->kernels[0];
  CHECK(k.source == f.dir.path() / "k.hip");
  CHECK(k.entries == std::vector<std::string>{"k_main"});
  REQUIRE(k.axes.size() == 3);
  // JSON order, not alphabetical: "dtype" < "block_size" would flip under std::map ordering.
  CHECK(k.axes[0].name == "dtype");
  CHECK(k.axes[1].name == "block_size");
  CHECK(k.axes[2].name == "heads");
  CHECK(k.axes[2].type == AxisType::integer_tuple);
  CHECK(k.axes[2].arity == 2);
  CHECK(k.axes[0].values[1].label == "bf16");
  CHECK(k.axes[0].values[1].defines == std::vector<Define>{{"K_DTYPE", "K_BF16"}});
  CHECK(k.axes[1].values[0].label == "bs16");
  CHECK(k.axes[1].values[0].value == nlohmann::json(16));
  CHECK(k.axes[2].values[1].label == "h64x8");
  CHECK(k.axes[2].values[1].defines == std::vector<Define>{{"K_QH", "64"}, {"K_KVH", "8"}});
  // Defaults documented in docs/MATRIX.md.
  CHECK(matrix->options.code_object_version == 5);
  CHECK(matrix->options.max_variants == 4096);
  CHECK(matrix->options.opt_level == "3");
  CHECK(k.targets.empty());
}

TEST_CASE("unknown keys are errors at every level, all reported in one run") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["extra"] = 1;
  doc["options"] = {{"max_variant", 10}};
  doc["kernels"][0]["nmae"] = "x";
  doc["kernels"][0]["axes"]["dtype"]["lable"] = "{0}";
  auto problems = f.problems(doc);
  CHECK(problems.size() == 4);
  CHECK_THAT(problems, VectorContains(f.line("extra: expected one of the keys schema, root, "
                                             "targets, options, kernels, found \"extra\"")));
  CHECK_THAT(problems,
             VectorContains(f.line("options.max_variant: expected one of the keys opt_level, "
                                   "code_object_version, rocm_floor, compress_bundles, "
                                   "max_variants, extra_flags, found \"max_variant\"")));
  CHECK_THAT(problems,
             VectorContains(f.line("kernels[0].nmae: expected one of the keys name, language, "
                                   "source, include_dirs, entries, axes, include, exclude, "
                                   "targets, extra_flags, launch, python, derived, found "
                                   "\"nmae\"")));
  CHECK_THAT(problems,
             VectorContains(f.line("kernels[0].axes.dtype.lable: expected one of the keys type, "
                                   "arity, values, label, defines, found \"lable\"")));
}

TEST_CASE("keys that are not identifiers are quoted in the JSON path") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["bad key\"\n"] = 1;
  CHECK(f.problems(doc) == std::vector<std::string>{f.line(
                               "kernels[0][\"bad key\\\"\\n\"]: expected one of the keys name, "
                               "language, source, include_dirs, entries, axes, include, "
                               "exclude, targets, extra_flags, launch, python, derived, found "
                               "\"bad key\\\"\\n\"")});
}

TEST_CASE("wrong value types name the path, the expected type and the value found") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["axes"]["block_size"]["values"] = {16, 64, "64x"};
  doc["kernels"][0]["axes"]["heads"]["values"][1] = {64, "8"};
  doc["kernels"][0]["axes"]["dtype"]["values"][0] = 1.5;
  doc["kernels"][0]["entries"] = "k_main";
  auto problems = f.problems(doc);
  CHECK(problems.size() == 4);
  CHECK_THAT(problems,
             VectorContains(
                 f.line("kernels[0].axes.block_size.values[2]: expected integer, found \"64x\"")));
  CHECK_THAT(
      problems,
      VectorContains(f.line("kernels[0].axes.heads.values[1][1]: expected integer, found \"8\"")));
  CHECK_THAT(problems,
             VectorContains(f.line(
                 "kernels[0].axes.dtype.values[0]: expected string of [A-Za-z0-9_]+, found 1.5")));
  CHECK_THAT(problems,
             VectorContains(
                 f.line("kernels[0].entries: expected array of C identifiers, found \"k_main\"")));
}

TEST_CASE("integers must fit int64 and have no fraction") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["axes"]["block_size"]["values"] =
      json::parse("[16, 9223372036854775808, 2e3, -9223372036854775808]");
  auto problems = f.problems(doc);
  CHECK(problems.size() == 2);
  CHECK_THAT(problems, VectorContains(f.line("kernels[0].axes.block_size.values[1]: expected "
                                             "integer within int64, found 9223372036854775808")));
  CHECK_THAT(problems,
             VectorContains(
                 f.line("kernels[0].axes.block_size.values[2]: expected integer, found 2000.0")));
}

TEST_CASE("missing required keys are reported with what belongs there") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc.erase("schema");
  doc["kernels"][0].erase("name");
  doc["kernels"][0]["axes"]["block_size"].erase("values");
  doc["kernels"][0]["axes"]["heads"].erase("arity");
  auto problems = f.problems(doc);
  CHECK(problems.size() == 4);
  CHECK_THAT(problems, VectorContains(f.line("schema: expected 1 (required key), found nothing")));
  CHECK_THAT(problems,
             VectorContains(
                 f.line("kernels[0].name: expected C identifier (required key), found nothing")));
  CHECK_THAT(problems, VectorContains(f.line("kernels[0].axes.block_size.values: expected array of "
                                             "values (required key), found nothing")));
  CHECK_THAT(problems, VectorContains(f.line("kernels[0].axes.heads.arity: expected integer from 1 "
                                             "to 16 (required key), found nothing")));
}

TEST_CASE("schema must be 1") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["schema"] = 2;
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line("schema: expected 1 (the only schema version), found 2")});
  doc["schema"] = "1";
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line("schema: expected integer, found \"1\"")});
}

TEST_CASE("targets must be AMD or NVIDIA target names, each listed once") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["targets"] = {"gfx942", "gfx94",  "sm90a",   "gfx942:xnack+", "GFX950",
                    "sm_90b", "gfx942", "gfx1201", "sm_100a",       "gfx90a"};
  const std::string what = "target name (gfxNNN[a-f], gfxN[-N]-generic or sm_NN[a])";
  std::vector<std::string> expected;
  for (int i : {1, 2, 3, 4, 5}) {
    expected.push_back(f.line("targets[" + std::to_string(i) + "]: expected " + what + ", found " +
                              doc["targets"][i].dump()));
  }
  expected.push_back(
      f.line("targets[6]: expected " + what + " not listed before, found \"gfx942\""));
  CHECK(f.problems(doc) == expected);

  doc["targets"] = json::array();
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line("targets: expected at least one " + what + ", found []")});
  doc["targets"] = "gfx942";
  CHECK(f.problems(doc) == std::vector<std::string>{f.line("targets: expected array of " + what +
                                                           "s, found \"gfx942\"")});
}

TEST_CASE("per-kernel targets follow the same rules") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["targets"] = {"sm_90a", "sm_90a"};
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line("kernels[0].targets[1]: expected target name (gfxNNN[a-f], "
                                        "gfxN[-N]-generic or sm_NN[a]) not listed before, "
                                        "found \"sm_90a\"")});
}

TEST_CASE("generic AMD targets need code object version 6, which needs ROCm 6.3") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["targets"] = {"gfx9-4-generic", "gfx942"};
  CHECK(f.problems(doc) == std::vector<std::string>{f.line(
                               "targets[0]: expected a specific processor, or "
                               "options.code_object_version 6 (generic targets need v6), found "
                               "\"gfx9-4-generic\"")});
  doc["options"] = {{"code_object_version", 6}};
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line("options.code_object_version: expected at most 5 while "
                                        "rocm_floor is below 6.3 (code object v6 needs ROCm 6.3), "
                                        "found 6")});
  doc["options"]["rocm_floor"] = "6.3";
  CHECK(f.problems(doc).empty());
}

TEST_CASE("entries and kernel names are C identifiers, kernel names are unique") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["entries"] = {"k_main", "1st", "k-2", "k_main"};
  doc["kernels"].push_back(doc["kernels"][0]);
  doc["kernels"][1]["entries"] = {"other"};
  doc["kernels"].push_back(doc["kernels"][1]);
  doc["kernels"][2]["name"] = "../k";
  auto problems = f.problems(doc);
  CHECK(problems ==
        std::vector<std::string>{
            f.line("kernels[0].entries[1]: expected C identifier, found \"1st\""),
            f.line("kernels[0].entries[2]: expected C identifier, found \"k-2\""),
            f.line(
                "kernels[0].entries[3]: expected C identifier not listed before, found \"k_main\""),
            f.line("kernels[1].name: expected a kernel name not used before, found \"k\""),
            f.line("kernels[2].name: expected C identifier, found \"../k\""),
        });
}

TEST_CASE("axis types, arity and axis names") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["axes"]["dtype"]["type"] = "float";
  doc["kernels"][0]["axes"]["block_size"]["arity"] = 1;
  doc["kernels"][0]["axes"]["heads"]["arity"] = 0;
  doc["kernels"][0]["axes"]["bad-axis"] = {{"type", "integer"}, {"values", {1}}, {"label", "x{0}"}};
  auto problems = f.problems(doc);
  CHECK(problems ==
        std::vector<std::string>{
            f.line("kernels[0].axes.dtype.type: expected one of integer, string, integer_tuple, "
                   "found \"float\""),
            f.line("kernels[0].axes.block_size.arity: expected no arity (only integer_tuple axes "
                   "have one), found 1"),
            f.line("kernels[0].axes.heads.arity: expected integer from 1 to 16, found 0"),
            f.line("kernels[0].axes[\"bad-axis\"]: expected a C identifier as axis name, found "
                   "\"bad-axis\""),
        });
}

TEST_CASE("axis values: non-empty, the axis type, each listed once") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["axes"]["dtype"]["values"] = {"fp16", "fp-8", "fp16", ""};
  doc["kernels"][0]["axes"]["heads"]["values"] = {{64, 4}, {64}, {64, 4, 1}};
  doc["kernels"][0]["axes"]["block_size"]["values"] = json::array();
  auto problems = f.problems(doc);
  CHECK(
      problems ==
      std::vector<std::string>{
          f.line(
              "kernels[0].axes.dtype.values[1]: expected string of [A-Za-z0-9_]+, found \"fp-8\""),
          f.line("kernels[0].axes.dtype.values[2]: expected a value not listed before, found "
                 "\"fp16\""),
          f.line("kernels[0].axes.dtype.values[3]: expected string of [A-Za-z0-9_]+, found \"\""),
          f.line("kernels[0].axes.block_size.values: expected at least one value, found []"),
          f.line("kernels[0].axes.heads.values[1]: expected array of 2 integers, found [64]"),
          f.line("kernels[0].axes.heads.values[2]: expected array of 2 integers, found [64,4,1]"),
      });
}

TEST_CASE("label formats: placeholders below the arity, output a safe name fragment") {
  MatrixFixture f;
  const std::string what =
      "format of text and {i} / {i:upper} placeholders with i < 2 giving a name fragment "
      "([A-Za-z0-9_+-]+, no "
      "leading '-')";
  for (std::string label : {"h{0}x{2}", "h{0", "h{x}", "h{0}}", "h/{0}", "-h{0}", "h.{0}", "h {0}",
                            "..", "", "h{0:lower}", "h{}"}) {
    CAPTURE(label);
    json doc = aotc::test::base_matrix();
    doc["kernels"][0]["axes"]["heads"]["label"] = label;
    CHECK(f.problems(doc) ==
          std::vector<std::string>{f.line("kernels[0].axes.heads.label: expected " + what +
                                          ", found " + json(label).dump())});
  }
}

TEST_CASE("a value whose label would start with '-' is reported at the value") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["axes"]["block_size"]["values"] = {16, -1};
  doc["kernels"][0]["axes"]["block_size"]["label"] = "{0}";
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line("kernels[0].axes.block_size.values[1]: expected a value "
                                        "for which kernels[0].axes.block_size.label gives a name "
                                        "fragment ([A-Za-z0-9_+-]+, no leading '-'), found -1")});
}

TEST_CASE("defines: macro names are identifiers, values one token, each macro from one axis") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  auto& defines = doc["kernels"][0]["axes"]["block_size"]["defines"];
  defines["1X"] = "{0}";
  defines["K_INJECT"] = "{0} -o /tmp/x";
  defines["K_QUOTE"] = "\"{0}\"";
  defines["K_NEWLINE"] = "{0}\n";
  defines["K_EMPTY"] = "";
  defines["K_NUMBER"] = 1;
  defines["K_DTYPE"] = "{0}";
  const std::string what =
      "format of text and {i} / {i:upper} placeholders with i < 1 giving a macro value "
      "([A-Za-z0-9_.+-]+)";
  const std::string at = "kernels[0].axes.block_size.defines.";
  CHECK(f.problems(doc) ==
        std::vector<std::string>{
            f.line(at.substr(0, at.size() - 1) +
                   "[\"1X\"]: expected a C identifier as macro name, found \"1X\""),
            f.line(at + "K_INJECT: expected " + what + ", found \"{0} -o /tmp/x\""),
            f.line(at + "K_QUOTE: expected " + what + ", found \"\\\"{0}\\\"\""),
            f.line(at + "K_NEWLINE: expected " + what + ", found \"{0}\\n\""),
            f.line(at + "K_EMPTY: expected " + what + ", found \"\""),
            f.line(at + "K_NUMBER: expected " + what + ", found 1"),
            f.line(at + "K_DTYPE: expected a macro no other axis defines (axis dtype does), found "
                        "\"K_DTYPE\""),
        });
}

TEST_CASE("negative integers are valid macro values") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["axes"]["block_size"]["values"] = {-16, 64};
  doc["kernels"][0]["axes"]["block_size"]["label"] = "bs{0}";
  auto matrix = f.parse(doc);
  REQUIRE(matrix.ok());
  CHECK(matrix->kernels[0].axes[1].values[0].defines == std::vector<Define>{{"K_BLOCK", "-16"}});
  CHECK(matrix->kernels[0].axes[1].values[0].label == "bs-16");
}

TEST_CASE("include and exclude patterns name existing axes and existing values") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["exclude"] = json::parse(R"([
    { "dtype": ["fp8"], "block_size": [16, "16", 32] },
    { "heads": [[64, 4], [64, 5]], "head_dim": [128] },
    {},
    { "dtype": "fp16" }
  ])");
  doc["kernels"][0]["include"] = json::object();
  const std::string dtype_values = "one of the values of axis dtype [\"fp16\",\"bf16\"]";
  const std::string block_values = "one of the values of axis block_size [16,64]";
  CHECK(f.problems(doc) ==
        std::vector<std::string>{
            f.line("kernels[0].include: expected array of patterns (objects: axis name -> array of "
                   "values), found {}"),
            f.line("kernels[0].exclude[0].dtype[0]: expected " + dtype_values + ", found \"fp8\""),
            f.line("kernels[0].exclude[0].block_size[1]: expected " + block_values +
                   ", found \"16\""),
            f.line("kernels[0].exclude[0].block_size[2]: expected " + block_values + ", found 32"),
            f.line("kernels[0].exclude[1].heads[1]: expected one of the values of axis heads "
                   "[[64,4],[64,8]], found [64,5]"),
            f.line("kernels[0].exclude[1].head_dim: expected one of the axes dtype, block_size, "
                   "heads, found \"head_dim\""),
            f.line("kernels[0].exclude[2]: expected object naming at least one axis, found {}"),
            f.line("kernels[0].exclude[3].dtype: expected array of at least one value of axis "
                   "dtype, found \"fp16\""),
        });
}

TEST_CASE("options: ranges and consistency") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["options"] = json::parse(R"({ "opt_level": "4", "code_object_version": 7, "rocm_floor": "6",
                                    "compress_bundles": "yes", "max_variants": 0, "extra_flags": ["-g", "", "a\nb"] })");
  CHECK(f.problems(doc) ==
        std::vector<std::string>{
            f.line("options.opt_level: expected one of \"0\", \"1\", \"2\", \"3\", \"s\", \"z\", "
                   "found \"4\""),
            f.line("options.code_object_version: expected 4, 5 or 6, found 7"),
            f.line("options.rocm_floor: expected ROCm version \"X.Y\", found \"6\""),
            f.line("options.compress_bundles: expected boolean, found \"yes\""),
            f.line("options.max_variants: expected integer from 1 to 1048576, found 0"),
            f.line("options.extra_flags[1]: expected flag without control characters, at most 4096 "
                   "characters, found \"\""),
            f.line("options.extra_flags[2]: expected flag without control characters, at most 4096 "
                   "characters, found \"a\\nb\""),
        });

  doc["options"] = json::parse(R"({ "rocm_floor": "6.1", "compress_bundles": true })");
  CHECK(f.problems(doc) == std::vector<std::string>{f.line(
                               "options.compress_bundles: expected false while rocm_floor is below "
                               "6.2 (compressed bundles need ROCm 6.2), found true")});
  doc["options"]["rocm_floor"] = "6.10";
  CHECK(f.problems(doc).empty());
}

TEST_CASE("launch must be an object, its content belongs to the launcher generator") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["launch"] = json::array();
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line("kernels[0].launch: expected object, found []")});
  doc["kernels"][0]["launch"] = {{"params", json::array()}};
  auto matrix = f.parse(doc);
  REQUIRE(matrix.ok());
  CHECK(matrix->kernels[0].launch["params"].is_array());
}

TEST_CASE("long values are shortened in messages") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["name"] = std::string(500, '-');
  auto problems = f.problems(doc);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] ==
        f.line("kernels[0].name: expected C identifier, found \"" + std::string(76, '-') + "..."));
}

TEST_CASE("load_matrix reads the file and names it in messages") {
  aotc::test::ScratchDir dir;
  auto missing = load_matrix(dir.path() / "none.json");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message,
             Catch::Matchers::StartsWith((dir.path() / "none.json").string() + ": "));

  dir.write("k.hip", "");
  json doc = aotc::test::base_matrix();
  doc["schema"] = 3;
  auto file = dir.write("sub/../m.json", doc.dump());
  auto bad = load_matrix(file);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message ==
        file.string() + ": schema: expected 1 (the only schema version), found 3");
}

TEST_CASE("a document that is not an object is reported at the top level") {
  MatrixFixture f;
  CHECK(f.problems(json::array()) ==
        std::vector<std::string>{f.line("(top level): expected object, found []")});
}

TEST_CASE("deep nesting and huge objects are refused before parsing, with line and column") {
  MatrixFixture f;
  // The issue's cases: a whole document nested ~66,000 levels deep, and deep nesting inside an
  // otherwise valid matrix; both crashed with a stack overflow.
  auto deep = parse_matrix(std::string(66000, '[') + std::string(66000, ']'), f.file);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().message ==
        f.file.string() + ":1:65: JSON too large to accept: nesting deeper than 64 levels");
  std::string text = aotc::test::base_matrix().dump();
  const std::string nested = std::string(80000, '[') + std::string(80000, ']');
  text.insert(text.rfind('}'), ", \"deep\": " + nested);
  auto inside = parse_matrix(text, f.file);
  REQUIRE_FALSE(inside.ok());
  CHECK_THAT(inside.error().message, Catch::Contains("nesting deeper than 64 levels"));
  // Quotes and escaped quotes do not count as structure.
  std::string in_string =
      "{\"a\": \"" + std::string(100, '[') + "\\\"" + std::string(100, '{') + "\", \"b\": 1}";
  auto quoted = parse_matrix(in_string, f.file);
  REQUIRE_FALSE(quoted.ok());
  CHECK_THAT(quoted.error().message, !Catch::Contains("too large"));

  std::string wide = "{";
  for (int i = 0; i < 300; ++i) wide += (i ? ", \"k" : "\"k") + std::to_string(i) + "\": 0";
  auto huge = parse_matrix(wide + "}", f.file);
  REQUIRE_FALSE(huge.ok());
  CHECK_THAT(huge.error().message, Catch::Contains("an object with more than 256 keys"));
}

TEST_CASE("a file with a great many problems reports the first hundred and counts the rest") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  json entries = json::array();
  for (int i = 0; i < 5000; ++i) entries.push_back("bad-" + std::to_string(i));
  doc["kernels"][0]["entries"] = entries;
  auto problems = f.problems(doc);
  REQUIRE(problems.size() == 101);
  CHECK(problems.back() == f.line("... and 4900 more problems"));
}

TEST_CASE("excerpts of huge or deep values cost only what they print") {
  json deep = json::array();
  for (int i = 0; i < 200000; ++i) deep = json::array({std::move(deep)});
  CHECK(json_excerpt(deep, 20) == std::string(17, '[') + "...");
  json wide = json::object();
  wide["key"] = std::string(10'000'000, 'x');
  CHECK(json_excerpt(wide, 16) == "{\"key\":\"xxxxx...");
  json small = {{"a", {1, "two", nullptr, true}}, {"b", json::object()}};
  CHECK(json_excerpt(small, 80) == small.dump());
}

TEST_CASE("axes are at most 64 per kernel") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  for (int i = 0; i < 62; ++i) {
    doc["kernels"][0]["axes"]["a" + std::to_string(i)] = {
        {"type", "integer"}, {"values", {1}}, {"label", "x{0}"}};
  }
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line("kernels[0].axes: expected at most 64 axes, found 65")});
}
