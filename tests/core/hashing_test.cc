#include "core/hashing.h"

#include <catch2/catch.hpp>

using namespace aotc;

TEST_CASE("sha256 matches the published test vector") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("tagged hashing separates field boundaries") {
  TaggedHasher a, b, c;
  a.add("flag", "-I");
  a.add("flag", "-O2");
  b.add("flag", "-I-O2");
  c.add("flag", "-I");
  c.add("flag", "-O2");
  std::string da = a.hex_digest();
  CHECK(da != b.hex_digest());
  CHECK(da == c.hex_digest());
}
