#include "build/depfile.h"

#include <catch2/catch.hpp>

using aotc::parse_depfile;
using Paths = std::vector<std::filesystem::path>;

TEST_CASE("parse_depfile reads clang's continuation lines", "[depfile]") {
  auto deps = parse_depfile("out/a.hsaco: /src/k.hip /src/port.h \\\n  /src/extra.h\n");
  REQUIRE(deps.ok());
  CHECK(*deps == Paths{"/src/k.hip", "/src/port.h", "/src/extra.h"});
}

TEST_CASE("parse_depfile unescapes spaces, hashes and dollars", "[depfile]") {
  auto deps = parse_depfile("o: /my\\ dir/k.hip /a\\#b.h /c$$d.h\n");
  REQUIRE(deps.ok());
  CHECK(*deps == Paths{"/my dir/k.hip", "/a#b.h", "/c$d.h"});
}

TEST_CASE("parse_depfile drops duplicates and ignores later rules", "[depfile]") {
  auto deps = parse_depfile("o: a.h b.h a.h\nb.h:\n");
  REQUIRE(deps.ok());
  CHECK(*deps == Paths{"a.h", "b.h"});
}

TEST_CASE("parse_depfile rejects text without a rule", "[depfile]") {
  auto deps = parse_depfile("just words\n");
  REQUIRE_FALSE(deps.ok());
  CHECK_THAT(deps.error().message, Catch::Contains("no \"target:\" rule"));
}
