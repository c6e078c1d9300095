// aotc_status_create: the statuses the generated C ABI reports its own errors with.
#include <catch2/catch.hpp>
#include <string>

#include "aotc/runtime.h"

TEST_CASE("aotc_status_create makes a status the caller reads and frees like the runtime's own") {
  CHECK(aotc_status_create(AOTC_OK, "ignored") == nullptr);  // success is NULL, as everywhere

  aotc_status s = aotc_status_create(AOTC_ERROR_INVALID_ARGUMENT, "split_sum: key.acc = 7");
  REQUIRE(s != nullptr);
  CHECK(aotc_status_get_code(s) == AOTC_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(aotc_status_message(s)) == "split_sum: key.acc = 7");
  aotc_status_free(s);

  // A NULL message is an empty one, not a crash.
  aotc_status empty = aotc_status_create(AOTC_ERROR_NO_DEVICE, nullptr);
  REQUIRE(empty != nullptr);
  CHECK(aotc_status_get_code(empty) == AOTC_ERROR_NO_DEVICE);
  CHECK(std::string(aotc_status_message(empty)).empty());
  aotc_status_free(empty);
}
