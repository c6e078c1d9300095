// The one rule for names that reach generated C++ (matrix/cpp_names.h), and its use when a matrix
// is loaded: every refusal names the JSON path, values are escaped rather than refused.
#include "matrix/cpp_names.h"

#include <catch2/catch.hpp>

#include "matrix_test_support.h"

using namespace aotc;
using aotc::test::MatrixFixture;
using json = nlohmann::ordered_json;

TEST_CASE("cpp_name_problem refuses keywords, standard macros, predefined and reserved names") {
  for (const char* name : {"for",
                           "or",
                           "and_eq",
                           "nullptr",
                           "co_await",
                           "typeof",
                           "NULL",
                           "EOF",
                           "errno",
                           "assert",
                           "stdin",
                           "INT64_MIN",
                           "UINT_FAST16_MAX",
                           "PRIx64",
                           "SCNdPTR",
                           "SIGINT",
                           "EINVAL",
                           "NDEBUG",
                           "linux",
                           "unix",
                           "__x",
                           "a__b",
                           "_Tp",
                           "std",
                           "aotc"}) {
    INFO(name);
    CHECK(cpp_name_problem(name).has_value());
  }
  for (const char* name : {"kv_dtype", "block_size", "_x", "_8bit", "Linux", "null", "eof",
                           "stdint", "int64", "final", "override", "module", "Key"}) {
    INFO(name);
    CHECK_FALSE(cpp_name_problem(name).has_value());
  }
  CHECK_THAT(*cpp_name_problem("or"), Catch::Contains("C++ keyword"));
  CHECK_THAT(*cpp_name_problem("linux"), Catch::Contains("predefine"));
  CHECK_THAT(*cpp_name_problem("_Tp"), Catch::Contains("reserved"));
}

TEST_CASE("string values become enumerators: escaped when needed, refused when irreparable") {
  CHECK(cpp_enumerator("fp16") == "fp16");
  CHECK(cpp_enumerator("8bit") == "_8bit");
  CHECK(cpp_enumerator("float") == "float_");
  CHECK(cpp_enumerator("NULL") == "NULL_");
  CHECK(cpp_enumerator("linux") == "linux_");
  CHECK_FALSE(cpp_enumerator_problem("float").has_value());
  CHECK(cpp_enumerator_problem("__x").has_value());
  CHECK(cpp_enumerator_problem("_F").has_value());
  CHECK(cpp_enum_type_name("kv_dtype") == "KvDtype");
  CHECK(cpp_enum_type_name("_1d") == "1d");
  CHECK(cpp_int64_literal(-5) == "-5");
  CHECK(cpp_int64_literal(INT64_MIN) == "(-9223372036854775807 - 1)");
}

TEST_CASE("names that would not compile are refused at load, each at its JSON path") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["name"] = "for";
  doc["kernels"][0]["axes"]["or"] = {{"type", "integer"}, {"values", {1}}, {"label", "o{0}"}};
  doc["kernels"][0]["axes"]["linux"] = {{"type", "integer"}, {"values", {1}}, {"label", "l{0}"}};
  doc["kernels"][0]["axes"]["block_size"]["defines"]["NULL"] = "{0}";
  auto problems = f.problems(doc);
  CHECK(problems ==
        std::vector<std::string>{
            f.line("kernels[0].name: expected a kernel name that is not a C++ keyword or "
                   "alternative token, found \"for\""),
            f.line("kernels[0].axes.block_size.defines.NULL: expected a macro name that is not a "
                   "macro of the C/C++ standard headers or one compilers predefine (NULL), found "
                   "\"NULL\""),
            f.line("kernels[0].axes.or: expected an axis name that is not a C++ keyword or "
                   "alternative token, found \"or\""),
            f.line("kernels[0].axes.linux: expected an axis name that is not a macro of the C/C++ "
                   "standard headers or one compilers predefine (linux), found \"linux\""),
        });
}

TEST_CASE("string values are escaped, and refused only when two escape alike or none exists") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"][0]["axes"]["dtype"]["values"] = {"nullptr", "EOF", "errno", "8bit"};
  auto matrix = f.parse(doc);
  INFO((matrix ? "" : matrix.error().message));
  REQUIRE(matrix.ok());
  doc["kernels"][0]["axes"]["dtype"]["values"] = {"for", "for_", "__x"};
  CHECK(f.problems(doc) ==
        std::vector<std::string>{
            f.line("kernels[0].axes.dtype.values[1]: expected a value whose C++ enumerator "
                   "differs from that of kernels[0].axes.dtype.values[0] (both are for_), found "
                   "\"for_\""),
            f.line("kernels[0].axes.dtype.values[2]: expected a value that contains \"__\" or "
                   "starts with '_' and an uppercase letter (its enumerator would be reserved for "
                   "the C++ implementation), found \"__x\""),
        });
}

TEST_CASE("a string axis's enum type must not clash with a field, a type or another enum") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  json string_axis = {{"type", "string"}, {"values", {"a"}}, {"label", "{0}"}};
  doc["kernels"][0]["axes"]["Dtype"] = string_axis;  // field "Dtype" vs dtype's enum Dtype
  doc["kernels"][0]["axes"]["key"] = string_axis;    // enum Key, the launcher's own type
  doc["kernels"][0]["axes"]["_1d"] = string_axis;    // enum "1d" is no identifier
  CHECK(f.problems(doc) ==
        std::vector<std::string>{
            f.line("kernels[0].axes.dtype: expected a string axis name whose enum type name "
                   "\"Dtype\" is not also an axis name, i.e. a field of Key, found \"dtype\""),
            f.line("kernels[0].axes.Dtype: expected a string axis name whose enum type name "
                   "\"Dtype\" is not also an axis name, i.e. a field of Key, found \"Dtype\""),
            f.line("kernels[0].axes.key: expected a string axis name whose enum type name \"Key\" "
                   "is not a type the generated launcher declares itself (Key), found \"key\""),
            f.line("kernels[0].axes._1d: expected a string axis name whose enum type name \"1d\" "
                   "is a C identifier, found \"_1d\""),
        });
}

TEST_CASE("kernel names that differ only in case are refused (they name launcher files)") {
  MatrixFixture f;
  json doc = aotc::test::base_matrix();
  doc["kernels"].push_back(doc["kernels"][0]);
  doc["kernels"][1]["name"] = "K";
  CHECK(f.problems(doc) ==
        std::vector<std::string>{f.line(
            "kernels[1].name: expected a kernel name that differs from the others also when case "
            "is ignored (it names files), found \"K\"")});
}
