// Crafted inputs for the ELF, msgpack and .nv.info readers: each must fail with a message, never
// crash, read out of bounds (the ASan build checks) or allocate in proportion to a forged count.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "codeobj/elf_reader.h"
#include "codeobj/msgpack_decode.h"
#include "codeobj/nvidia_cubin.h"
#include "codeobj/ptx_entries.h"

using namespace aotc::codeobj;

namespace {

std::vector<std::uint8_t> minimal_elf(std::uint64_t shoff, std::uint16_t shnum) {
  std::vector<std::uint8_t> b(64, 0);
  std::memcpy(b.data(),
              "\x7f"
              "ELF",
              4);
  b[4] = 2;
  b[5] = 1;
  b[18] = 224;
  for (int i = 0; i < 8; ++i) b[40 + i] = static_cast<std::uint8_t>(shoff >> (8 * i));
  b[58] = 64;  // e_shentsize
  b[60] = static_cast<std::uint8_t>(shnum);
  b[61] = static_cast<std::uint8_t>(shnum >> 8);
  return b;
}

void check_fails(const aotc::Status& s, const std::string& fragment) {
  REQUIRE_FALSE(s.ok());
  INFO(s.error().message);
  CHECK(s.error().message.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("ELF headers with forged counts and offsets are refused") {
  auto r = parse_elf64(minimal_elf(64, 0xfff0));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("section header table") != std::string::npos);
  r = parse_elf64(minimal_elf(~0ull - 10, 2));
  REQUIRE_FALSE(r.ok());
  // A section whose data lies past the end of the file.
  auto b = minimal_elf(64, 2);
  b.resize(64 + 128, 0);
  std::uint64_t big = 1ull << 40;
  std::memcpy(&b[64 + 64 + 24], &big, 8);  // section 1 sh_offset
  b[64 + 64 + 4] = 1;                      // SHT_PROGBITS
  r = parse_elf64(b);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("section 1") != std::string::npos);
  CHECK_FALSE(parse_elf64(std::vector<std::uint8_t>(10, 0x7f)).ok());
}

TEST_CASE("ELF program header tables and segments past the end of the file are refused") {
  // The case: `aotc inspect` accepted a program header table past the end of the file.
  auto b = minimal_elf(0, 0);
  auto set16 = [&](std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v);
    b[at + 1] = static_cast<std::uint8_t>(v >> 8);
  };
  auto set64 = [&](std::size_t at, std::uint64_t v) { std::memcpy(&b[at], &v, 8); };
  set64(32, 1u << 20);  // e_phoff far past the end
  set16(54, 56);        // e_phentsize
  set16(56, 1);         // e_phnum
  auto r = parse_elf64(b);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message ==
        "ELF: program header table (1 entries at offset 1048576) exceeds the 64-byte file");
  set16(54, 32);
  r = parse_elf64(b);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("e_phentsize is 32, expected 56"));
  // A table inside the file whose one segment claims bytes past the end.
  set16(54, 56);
  set64(32, 64);
  b.resize(64 + 56, 0);
  set64(64 + 8, 100);   // p_offset
  set64(64 + 32, 100);  // p_filesz
  r = parse_elf64(b);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "ELF: segment 0: offset 100 size 100 exceeds the 120-byte file");
  set64(64 + 32, 20);
  CHECK(parse_elf64(b).ok());
}

TEST_CASE("msgpack: deep nesting, forged counts, truncation and trailing bytes") {
  std::vector<std::uint8_t> deep(100000, 0x91);  // fixarray(1) nested 100000 times
  deep.push_back(0x00);
  check_fails(check_msgpack(deep), "nested deeper");
  std::vector<std::uint8_t> huge = {0xdd, 0xff, 0xff, 0xff, 0xff, 0x00};  // array32 of 4G
  check_fails(check_msgpack(huge), "claims");
  std::vector<std::uint8_t> str = {0xdb, 0x7f, 0xff, 0xff, 0xff, 'a'};  // str32 of 2G
  check_fails(check_msgpack(str), "overruns");
  check_fails(check_msgpack(std::vector<std::uint8_t>{0x92, 0x01}), "claims");
  check_fails(check_msgpack(std::vector<std::uint8_t>{0xcd, 0x01}), "overruns");
  check_fails(check_msgpack(std::vector<std::uint8_t>{0x01, 0x02}), "trailing");
  check_fails(check_msgpack(std::vector<std::uint8_t>{0xc1}), "invalid type");
  // Well-formed msgpack whose map keys are not strings: nlohmann refuses, we report it.
  auto r = decode_msgpack(std::vector<std::uint8_t>{0x81, 0x01, 0x02});
  CHECK_FALSE(r.ok());
  auto ok = decode_msgpack(std::vector<std::uint8_t>{0x81, 0xa1, 'a', 0x92, 0x01, 0xc3});
  REQUIRE(ok.ok());
  CHECK((*ok)["a"][1] == true);
}

TEST_CASE(".nv.info records with unknown formats or overrunning payloads are refused") {
  CHECK_FALSE(parse_nv_info(std::vector<std::uint8_t>{0x07, 0x17, 0x00, 0x00}).ok());
  CHECK_FALSE(parse_nv_info(std::vector<std::uint8_t>{0x04, 0x17, 0xff, 0xff, 0x00}).ok());
  CHECK_FALSE(parse_nv_info(std::vector<std::uint8_t>{0x04, 0x17}).ok());
  auto r = parse_nv_info(
      std::vector<std::uint8_t>{0x03, 0x19, 0x18, 0x00, 0x04, 0x0a, 0x01, 0x00, 0x09});
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].value == 0x18);
  CHECK((*r)[1].payload.size() == 1);
}

TEST_CASE("PTX with broken entry declarations is refused with the line") {
  auto r = read_ptx(
      ".version 8.0\n.target sm_90\n.visible .entry k(\n .param .u32 a,\n .param .weird b\n)\n{ "
      "ret; }\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("line 5") != std::string::npos);
  CHECK_FALSE(read_ptx(".entry k( .param .b8 x[99999999] ) { }").ok());
  CHECK_FALSE(read_ptx(".entry k() { {").ok());
  CHECK_FALSE(read_ptx("/* unterminated").ok());
}

TEST_CASE("PTX entries without a name, declared twice, or with too many parameter bytes") {
  // The case: `.entry (` was read as a kernel called "(".
  auto r = read_ptx(".version 8.0\n.target sm_90\n.visible .entry (\n .param .u32 a\n) { }\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "PTX: line 3: .entry without a name (at \"(\")");
  r = read_ptx(".entry k( .param .u32 ) { }");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("parameter without a name"));
  r = read_ptx(".entry k() { }\n.entry k() { }");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "PTX: line 2: .entry k is declared twice (at \"k\")");
  std::string many = ".entry k(";
  for (int i = 0; i < 9; ++i)
    many += std::string(i ? ", " : "") + ".param .b8 p" + std::to_string(i) + "[4096]";
  r = read_ptx(many + ") { }");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("parameters of more than 32764 bytes"));
  CHECK(read_ptx(".entry $k_1( .param .u64 %p ) { }").ok());
}
