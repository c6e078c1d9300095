#include "codeobj/target_id.h"

#include <catch2/catch.hpp>
#include <vector>

using namespace aotc::codeobj;

namespace {
TargetId id(const char* text) {
  auto r = parse_target_id(text);
  REQUIRE(r.ok());
  return *r;
}
}  // namespace

TEST_CASE("target ids parse from plain, triple and bundle-id spellings") {
  auto t = id("gfx942:sramecc+:xnack-");
  CHECK(t.processor == "gfx942");
  CHECK(t.features.at("sramecc") == '+');
  CHECK(t.features.at("xnack") == '-');
  CHECK(id("hipv4-amdgcn-amd-amdhsa--gfx942:sramecc+:xnack-") == t);
  CHECK(id("amdgcn-amd-amdhsa--gfx942:xnack-:sramecc+") == t);
  CHECK(t.to_string() == "gfx942:sramecc+:xnack-");
  CHECK(id("gfx9-4-generic").processor == "gfx9-4-generic");
  CHECK(id("sm_90a").processor == "sm_90a");
}

TEST_CASE("malformed target ids are rejected with the reason") {
  for (const char* bad :
       {"", "gfx942:", "gfx942:xnack", "gfx942:xnack*", "gfx942:foo+", "gfx942:xnack+:xnack-",
        "host-x86_64-unknown-linux-gnu-", "GFX942", "gfx 942"}) {
    INFO(bad);
    CHECK_FALSE(parse_target_id(bad).ok());
  }
  auto r = parse_target_id("gfx942:foo+");
  CHECK(r.error().message.find("unknown feature \"foo\"") != std::string::npos);
}

TEST_CASE("code objects fit devices as the HIP runtime decides") {
  auto device = id("gfx942:sramecc+:xnack-");
  CHECK(code_object_fits_device(id("gfx942"), device));
  CHECK(code_object_fits_device(id("gfx942:xnack-"), device));
  CHECK(code_object_fits_device(id("gfx942:sramecc+:xnack-"), device));
  CHECK_FALSE(code_object_fits_device(id("gfx942:xnack+"), device));
  CHECK_FALSE(code_object_fits_device(id("gfx950"), device));
  CHECK_FALSE(code_object_fits_device(id("gfx942:xnack-"), id("gfx942")));
}

TEST_CASE("generic targets follow LLVM's families") {
  CHECK(generic_target_for("gfx942") == "gfx9-4-generic");
  CHECK(generic_target_for("gfx950") == "gfx9-4-generic");
  CHECK(generic_target_for("gfx90a") == std::nullopt);  // not in any generic family
  CHECK(generic_target_for("gfx1100") == "gfx11-generic");
  CHECK(generic_target_for("gfx1201") == "gfx12-generic");
  CHECK(generic_target_for("gfx906") == "gfx9-generic");
}

TEST_CASE("the best code object is the exact processor, then the most specific, then generic") {
  auto device = id("gfx950:sramecc+:xnack-");
  std::vector<TargetId> objects = {id("gfx9-4-generic"), id("gfx950"), id("gfx950:xnack-"),
                                   id("gfx942")};
  CHECK(pick_best_code_object(objects, device) == 2);
  objects = {id("gfx942"), id("gfx9-4-generic:xnack-")};
  CHECK(pick_best_code_object(objects, device) == 1);
  objects = {id("gfx950:xnack+"), id("gfx942")};
  CHECK(pick_best_code_object(objects, device) == -1);
  objects = {};
  CHECK(pick_best_code_object(objects, device) == -1);
}
