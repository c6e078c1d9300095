#include "core/dynamic_library.h"

#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using namespace aotc;

TEST_CASE("a library that loads nowhere is reported with every name tried and why") {
  const char* const candidates[] = {"libaotc-absent-1.so", "libaotc-absent-2.so.7"};
  Result<DynamicLibrary> library = open_dynamic_library("test driver", nullptr, candidates);
  REQUIRE_FALSE(library.ok());
  CHECK_THAT(library.error().message,
             Catch::Contains("no test driver library") &&
                 Catch::Contains("libaotc-absent-1.so (libaotc-absent-1.so: cannot open") &&
                 Catch::Contains("libaotc-absent-2.so.7 (libaotc-absent-2.so.7: cannot open"));
}

TEST_CASE("an override variable names the one path tried") {
  ::setenv("AOTC_TEST_LIBRARY", "/nonexistent/libaotc-test.so", 1);
  const char* const candidates[] = {"libc.so.6"};
  Result<DynamicLibrary> library = open_dynamic_library("test", "AOTC_TEST_LIBRARY", candidates);
  ::unsetenv("AOTC_TEST_LIBRARY");
  REQUIRE_FALSE(library.ok());
  CHECK_THAT(library.error().message, Catch::Contains("tried: /nonexistent/libaotc-test.so (") &&
                                          !Catch::Contains("libc.so.6"));
}

TEST_CASE("missing required symbols fail by name; missing optional ones stay null") {
  const char* const candidates[] = {"libc.so.6"};
  Result<DynamicLibrary> library = open_dynamic_library("C library", nullptr, candidates);
  REQUIRE(library.ok());
  struct Functions {
    int (*getpid)() = nullptr;
    int (*absent_optional)() = reinterpret_cast<int (*)()>(1);
    int (*absent_required)() = nullptr;
  } fns;
  const SymbolSlot optional_only[] = {{"getpid", &fns.getpid, true},
                                      {"aotc_absent_optional", &fns.absent_optional, false}};
  REQUIRE(resolve_symbols(*library, optional_only).ok());
  CHECK(fns.getpid != nullptr);
  CHECK(fns.getpid() == ::getpid());
  CHECK(fns.absent_optional == nullptr);
  const SymbolSlot with_required[] = {{"getpid", &fns.getpid, true},
                                      {"aotc_absent_required", &fns.absent_required, true}};
  Status status = resolve_symbols(*library, with_required);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.error().message,
             Catch::Contains("libc.so.6: missing required functions: aotc_absent_required"));
}
