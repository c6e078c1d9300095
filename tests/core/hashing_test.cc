#include "core/hashing.h"

#include <catch2/catch.hpp>

using namespace aotc;

TEST_CASE("sha256 and md5 match the published test vectors") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string abc = "abc";
  auto m = md5({reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()});
  CHECK(to_hex(m) == "900150983cd24fb0d6963f7d28e17f72");
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
