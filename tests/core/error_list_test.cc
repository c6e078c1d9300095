#include "core/error_list.h"

#include <catch2/catch.hpp>

using aotc::Error;
using aotc::ErrorList;

TEST_CASE("an empty error list is success") {
  ErrorList list;
  CHECK(list.empty());
  CHECK(list.status().ok());
}

TEST_CASE("an error list reports every problem, one per line, in the order found") {
  ErrorList list;
  list.add("m.json: kernels[0].name: expected a string, found 3");
  list.add("m.json: kernels[1].name: expected a string, found null");
  REQUIRE_FALSE(list.status().ok());
  CHECK(list.size() == 2);
  CHECK(list.status().error().message ==
        "m.json: kernels[0].name: expected a string, found 3\n"
        "m.json: kernels[1].name: expected a string, found null");
}

TEST_CASE("an error list counts past its limit instead of growing") {
  ErrorList list(3, "m.json: ");
  for (int i = 0; i < 1000; ++i) list.add("problem " + std::to_string(i));
  CHECK(list.size() == 1000);
  CHECK(list.status().error().message ==
        "problem 0\nproblem 1\nproblem 2\nm.json: ... and 997 more problems");
}

TEST_CASE("an error of several lines counts as that many problems") {
  ErrorList list(2);
  list.add(Error{"a\nb\nc"});
  CHECK(list.size() == 3);
  CHECK(list.status().error().message == "a\nb\n... and 1 more problem");
}
