// The string rules that keep matrix text out of file names and compiler arguments.
#include "matrix/name_rules.h"

#include <catch2/catch.hpp>

using namespace aotc;

TEST_CASE("AMD and NVIDIA target names") {
  for (auto name :
       {"gfx90a", "gfx942", "gfx950", "gfx1100", "gfx1201", "gfx906", "gfx90c", "gfx9-4-generic",
        "gfx9-generic", "gfx10-3-generic", "gfx11-generic", "gfx12-generic"}) {
    CAPTURE(name);
    CHECK(is_amd_target_name(name));
    CHECK_FALSE(is_nvidia_target_name(name));
  }
  for (auto name : {"sm_80", "sm_90", "sm_90a", "sm_100a", "sm_120"}) {
    CAPTURE(name);
    CHECK(is_nvidia_target_name(name));
    CHECK_FALSE(is_amd_target_name(name));
  }
  for (auto name : {"", "gfx", "gfx94", "gfx942:xnack+", "gfx942 ", "GFX942", "gfx0942", "gfx9420a",
                    "gfx9--generic", "gfx9-4-4-generic", "sm_9", "sm_90b", "sm90a", "sm_090",
                    "compute_90", "../gfx942"}) {
    CAPTURE(name);
    CHECK_FALSE(is_amd_target_name(name));
    CHECK_FALSE(is_nvidia_target_name(name));
  }
  CHECK(is_generic_amd_target_name("gfx9-4-generic"));
  CHECK_FALSE(is_generic_amd_target_name("gfx942"));
}

TEST_CASE("labels, identifiers and macro tokens") {
  CHECK(is_c_identifier("_pa_decode2"));
  CHECK_FALSE(is_c_identifier("2pa"));
  CHECK_FALSE(is_c_identifier(""));
  CHECK(is_label("kv-bf16"));
  CHECK(is_label("h64x8+1"));
  CHECK_FALSE(is_label("-rf"));
  CHECK_FALSE(is_label("a.b"));
  CHECK_FALSE(is_label("a/b"));
  CHECK_FALSE(is_label(""));
  CHECK(is_define_token("-1.5f"));
  CHECK(is_define_token("PA_DTYPE_BF16"));
  for (auto token : {"", "a b", "a\tb", "\"a\"", "'a'", "a\\b", "a\nb", "$(x)", "a;b"}) {
    CAPTURE(token);
    CHECK_FALSE(is_define_token(token));
  }
}

TEST_CASE("variant names are always plain file names") {
  CHECK(is_variant_name("pa_decode.kv-bf16.bs64.q2.h64x8.d128"));
  CHECK(is_variant_name("k"));
  for (auto name :
       {"", ".", "..", "k..x", "k.", ".k", "k/x", "k.-x", "-k", "k.a b", "../k", "k.x/../y"}) {
    CAPTURE(name);
    CHECK_FALSE(is_variant_name(name));
  }
  CHECK(is_variant_name("k." + std::string(kMaxVariantNameLength - 2, 'x')));
  CHECK_FALSE(is_variant_name("k." + std::string(kMaxVariantNameLength - 1, 'x')));
}
