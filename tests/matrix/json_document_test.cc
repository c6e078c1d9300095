// Malformed JSON is reported as file:line:column; repeated keys are errors with their JSON path.
#include "matrix/json_document.h"

#include <catch2/catch.hpp>

#include "matrix_test_support.h"

using namespace aotc;

namespace {

std::string error_of(std::string_view text) {
  auto document = parse_json_document(text, "m.json");
  return document ? std::string("(parsed)") : document.error().message;
}

}  // namespace

TEST_CASE("text_position counts lines and byte columns from 1") {
  std::string_view text = "ab\ncd\n\nx";
  CHECK(text_position(text, 0).line == 1);
  CHECK(text_position(text, 0).column == 1);
  CHECK(text_position(text, 4).line == 2);
  CHECK(text_position(text, 4).column == 2);
  CHECK(text_position(text, 7).line == 4);
  CHECK(text_position(text, 7).column == 1);
}

TEST_CASE("a syntax error names file, line and column of the offending character") {
  // Line 3, column 15 is the 'g' of the unquoted gfx942.
  CHECK_THAT(error_of("{\n  \"schema\": 1,\n  \"targets\": [gfx942]\n}\n"),
             Catch::Matchers::StartsWith("m.json:3:15: malformed JSON: "));
  // A trailing comma: the parser stops at the closing brace on line 3, column 1.
  CHECK_THAT(error_of("{\n  \"schema\": 1,\n}"),
             Catch::Matchers::StartsWith("m.json:3:1: malformed JSON: "));
  // Cut short: the error is at the end of the text.
  CHECK_THAT(error_of("{\n  \"schema\": 1,\n  \"kern"),
             Catch::Matchers::StartsWith("m.json:3:8: malformed JSON: "));
}

TEST_CASE("the parser's reason is kept, without its own prefix") {
  std::string message = error_of("[1, 2");
  CHECK_THAT(message, Catch::Matchers::Contains("syntax error"));
  CHECK_THAT(message, !Catch::Matchers::Contains("json.exception"));
}

TEST_CASE("a key repeated in one object is an error at its path") {
  CHECK(
      error_of(
          R"({"kernels": [{"name": "a"}, {"name": "b", "axes": {"x": {"label": "1", "label": "2"}}}]})") ==
      "m.json: kernels[1].axes.x.label: expected each key once per object, found a second "
      "\"label\"");
  CHECK(error_of(R"({"a": [[], [1, {"k": 1, "k": 2}]], "a": 3})") ==
        "m.json: a[1][1].k: expected each key once per object, found a second \"k\"\n"
        "m.json: a: expected each key once per object, found a second \"a\"");
  // The same key in sibling objects is fine, and object order is kept.
  auto document = parse_json_document(R"({"z": {"k": 1}, "a": {"k": 2}})", "m.json");
  REQUIRE(document.ok());
  CHECK(document->begin().key() == "z");
}

TEST_CASE("a number beyond double range is malformed JSON, not an exception") {
  CHECK(error_of("{\"schema\": 1e400}") ==
        "m.json: malformed JSON: number overflow parsing '1e400'");
}
