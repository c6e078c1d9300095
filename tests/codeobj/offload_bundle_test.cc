// Offload bundles against clang-offload-bundler 22 and 19 and clang-22 itself, plus the hostile
// inputs the reader must refuse.
#include "codeobj/offload_bundle.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "codeobj/bundle_writer.h"
#include "codeobj/byte_reader.h"
#include "codeobj/compression.h"
#include "codeobj/test_tools.h"
#include "core/hashing.h"
#include "tool_skip.h"

using namespace aotc::codeobj;
using namespace aotc::test;

namespace {

struct Form {
  std::string name;
  BundleWriteOptions options;
};

const std::vector<Form>& all_forms() {
  static const std::vector<Form> forms = {
      {"plain", {BundleWriteOptions::none, 2}},   {"zlib v2", {BundleWriteOptions::zlib, 2}},
      {"zstd v2", {BundleWriteOptions::zstd, 2}}, {"zlib v3", {BundleWriteOptions::zlib, 3}},
      {"zstd v3", {BundleWriteOptions::zstd, 3}},
  };
  return forms;
}

std::set<std::string> split_lines(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.insert(line);
  }
  return lines;
}

std::vector<BundleEntry> real_entries(const ScratchDir& dir,
                                      const std::vector<std::string>& archs) {
  std::vector<BundleEntry> entries;
  for (const std::string& arch : archs) {
    auto id = parse_target_id(arch);
    REQUIRE(id.ok());
    entries.push_back({amd_bundle_entry_id(*id), read_bytes(compile_hsaco(dir, arch))});
  }
  return entries;
}

// Lists and unbundles `bundle` with `bundler`, checking every entry comes back byte-identical.
void check_with_bundler(const std::string& bundler, const ScratchDir& dir,
                        const std::filesystem::path& bundle,
                        const std::vector<BundleEntry>& entries) {
  auto list = run_command(bundler + " -list -type=o -input=" + bundle.string());
  INFO(list.output);
  REQUIRE(list.exit_code == 0);
  std::set<std::string> expected{std::string(kHostEntryId)};
  for (const auto& e : entries) expected.insert(e.id);
  CHECK(split_lines(list.output) == expected);

  std::string targets, outputs;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    targets += (i ? "," : "") + entries[i].id;
    outputs += " -output=" + (dir / ("out" + std::to_string(i))).string();
  }
  auto unbundle = run_command(bundler + " -unbundle -type=o -input=" + bundle.string() +
                              " -targets=" + targets + outputs);
  INFO(unbundle.output);
  REQUIRE(unbundle.exit_code == 0);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    CHECK(read_bytes(dir / ("out" + std::to_string(i))) == entries[i].bytes);
  }
}

std::vector<std::uint8_t> small_plain_bundle() {
  std::vector<BundleEntry> entries = {
      {"hipv4-amdgcn-amd-amdhsa--gfx942", std::vector<std::uint8_t>(100, 0xAA)},
      {"hipv4-amdgcn-amd-amdhsa--gfx950", std::vector<std::uint8_t>(200, 0xBB)},
  };
  auto bundle = write_offload_bundle(entries, {});
  REQUIRE(bundle.ok());
  return *bundle;
}

void put64(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void require_error(const std::vector<std::uint8_t>& bytes, const std::string& fragment) {
  auto r = read_offload_bundle(bytes);
  REQUIRE_FALSE(r.ok());
  INFO(r.error().message);
  CHECK(r.error().message.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE(
    "bundles we write are listed and unbundled byte-identically by clang-offload-bundler 22") {
  if (!clang22() || !bundler22()) {
    aotc::test::missing_tool("clang-22 or clang-offload-bundler 22");
    return;
  }
  ScratchDir dir("bundle-22");
  auto entries = real_entries(dir, {"gfx942", "gfx950:xnack-"});
  for (const Form& form : all_forms()) {
    SECTION(form.name) {
      auto bundle = write_offload_bundle(entries, form.options);
      REQUIRE(bundle.ok());
      write_bytes(dir / "b.hipfb", *bundle);
      check_with_bundler(*bundler22(), dir, dir / "b.hipfb", entries);
      // And we read back what we wrote.
      BundleFormat format;
      auto back = read_offload_bundle(*bundle, format);
      REQUIRE(back.ok());
      CHECK(format.compressed == (form.options.compression != BundleWriteOptions::none));
      if (format.compressed) CHECK(format.ccob_version == form.options.ccob_version);
      REQUIRE(back->size() == 3);
      CHECK((*back)[1].bytes == entries[0].bytes);
      CHECK((*back)[2].bytes == entries[1].bytes);
    }
  }
}

TEST_CASE("bundles we write in the forms LLVM 19 knows are read by clang-offload-bundler 19") {
  if (!clang22() || !bundler19()) {
    aotc::test::missing_tool("clang-22 or clang-offload-bundler 19");
    return;
  }
  ScratchDir dir("bundle-19");
  // LLVM 19 has no gfx950: its bundler would not match that id.
  auto entries = real_entries(dir, {"gfx90a:xnack-", "gfx942"});
  for (const Form& form : all_forms()) {
    if (form.options.compression != BundleWriteOptions::none && form.options.ccob_version == 3) {
      continue;  // CCOB v3 arrived in LLVM 20
    }
    SECTION(form.name) {
      auto bundle = write_offload_bundle(entries, form.options);
      REQUIRE(bundle.ok());
      write_bytes(dir / "b.hipfb", *bundle);
      check_with_bundler(*bundler19(), dir, dir / "b.hipfb", entries);
    }
  }
}

TEST_CASE("bundles clang-22 writes, compressed or not, are read by us") {
  if (!clang22() || !bundler22()) {
    aotc::test::missing_tool("clang-22 or clang-offload-bundler 22");
    return;
  }
  ScratchDir dir("bundle-clang");
  write_text(dir / "k.hip", sample_hip_source());
  for (std::string compress : {"", "--offload-compress"}) {
    SECTION(compress.empty() ? "uncompressed" : "compressed") {
      auto out = dir / "k.hipfb";
      auto r = run_command(*clang22() +
                           " -x hip --offload-arch=gfx942 --offload-arch=gfx950 "
                           "-nogpuinc -nogpulib --offload-device-only -O3 -c " +
                           compress + " " + (dir / "k.hip").string() + " -o " + out.string());
      INFO(r.output);
      REQUIRE(r.exit_code == 0);
      auto bytes = read_bytes(out);
      BundleFormat format;
      auto entries = read_offload_bundle(bytes, format);
      REQUIRE(entries.ok());
      CHECK(format.compressed == !compress.empty());
      if (format.compressed) CHECK(format.ccob_version == 3);  // what clang 22 writes

      auto list = run_command(*bundler22() + " -list -type=o -input=" + out.string());
      std::set<std::string> ours;
      for (const auto& e : *entries) ours.insert(e.id);
      CHECK(ours == split_lines(list.output));
      for (const auto& e : *entries) {
        if (e.bytes.empty()) continue;
        auto file = dir / "entry";
        auto u = run_command(*bundler22() + " -unbundle -type=o -input=" + out.string() +
                             " -targets=" + e.id + " -output=" + file.string());
        REQUIRE(u.exit_code == 0);
        CHECK(read_bytes(file) == e.bytes);
      }
    }
  }
}

TEST_CASE("the writer aligns payloads to 4096, leads with the host entry and refuses bad input") {
  auto bytes = small_plain_bundle();
  auto entries = read_offload_bundle(bytes);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0].id == kHostEntryId);
  CHECK((*entries)[0].bytes.empty());
  // Each record: offset, size, id length (8 bytes each), then the id.
  std::uint64_t at = 32;
  for (int i = 0; i < 3; ++i) {
    std::uint64_t offset = *read_le<std::uint64_t>(bytes, at);
    std::uint64_t id_size = *read_le<std::uint64_t>(bytes, at + 16);
    CHECK(offset % kBundleAlignment == 0);
    CHECK(offset >= kBundleAlignment);
    at += 24 + id_size;
  }
  CHECK(at < kBundleAlignment);

  std::vector<BundleEntry> twice = {{"hipv4-amdgcn-amd-amdhsa--gfx942", {1}},
                                    {"hipv4-amdgcn-amd-amdhsa--gfx942", {2}}};
  CHECK_FALSE(write_offload_bundle(twice, {}).ok());
  std::vector<BundleEntry> many;
  for (int i = 0; i < 100; ++i)
    many.push_back({"hipv4-amdgcn-amd-amdhsa--gfx942-" + std::to_string(i), {1}});
  auto too_many = write_offload_bundle(many, {});
  REQUIRE_FALSE(too_many.ok());
  CHECK(too_many.error().message.find("4096") != std::string::npos);
  CHECK_FALSE(write_offload_bundle(twice, {BundleWriteOptions::zstd, 1}).ok());
}

TEST_CASE("truncated, huge-count, overlapping and corrupted bundles each give a clear error") {
  const auto good = small_plain_bundle();
  REQUIRE(read_offload_bundle(good).ok());

  SECTION("truncated plain bundle") {
    for (std::size_t cut : {std::size_t(0), std::size_t(10), std::size_t(31), std::size_t(60),
                            std::size_t(4096), good.size() - 1}) {
      INFO("cut at " << cut);
      CHECK_FALSE(
          read_offload_bundle(std::vector<std::uint8_t>(good.begin(), good.begin() + cut)).ok());
    }
    require_error({good.begin(), good.end() - 1}, "beyond the end");
  }
  SECTION("huge entry count") {
    auto b = good;
    put64(b, 24, 1ull << 62);
    require_error(b, "claims");
  }
  SECTION("overlapping entries") {
    auto b = good;
    // Entry 2 (gfx942, 100 bytes) record starts after the host record; point entry 3 into it.
    std::uint64_t second = 32 + 24 + kHostEntryId.size();
    std::uint64_t third = second + 24 + std::string("hipv4-amdgcn-amd-amdhsa--gfx942").size();
    put64(b, third, *read_le<std::uint64_t>(b, second) + 50);
    require_error(b, "overlap");
  }
  SECTION("payload over the header") {
    auto b = good;
    put64(b, 32 + 24 + kHostEntryId.size(), 8);
    require_error(b, "overlaps the header");
  }
  SECTION("id length past the end") {
    auto b = good;
    put64(b, 32 + 16, 1ull << 40);
    require_error(b, "overruns");
  }
  SECTION("duplicate ids") {
    std::vector<BundleEntry> entries = {{"hipv4-amdgcn-amd-amdhsa--gfx942", {1}},
                                        {"hipv4-amdgcn-amd-amdhsa--gfx950", {2}}};
    auto b = *write_offload_bundle(entries, {});
    auto pos = std::search(b.begin(), b.end(), std::begin("gfx950"), std::end("gfx950") - 1);
    std::copy_n("gfx942", 6, pos);
    require_error(b, "appears twice");
  }
  SECTION("compressed: bad hash, bad data, truncation, forged sizes, unknown version/method") {
    for (int version : {2, 3}) {
      INFO("CCOB v" << version);
      auto c =
          *write_offload_bundle(*read_offload_bundle(good), {BundleWriteOptions::zstd, version});
      const std::size_t hash_at = version == 2 ? 16 : 24;
      const std::size_t data_at = version == 2 ? 24 : 32;
      auto b = c;
      b[hash_at] ^= 1;
      require_error(b, "hash");
      b = c;
      b[data_at + 5] ^= 0xff;
      CHECK_FALSE(read_offload_bundle(b).ok());
      require_error({c.begin(), c.end() - 3}, "truncated");
      b = c;
      if (version == 3) {
        put64(b, 16, 1ull << 50);
      } else {
        b[15] = 0x7f;  // uncompressed size ~2 GiB
      }
      require_error(b, "exceeds the limit");
      b = c;
      b[4] = 9;
      require_error(b, "version 9");
      b = c;
      b[6] = 7;
      require_error(b, "method 7");
      require_error({c.begin(), c.begin() + 12}, "truncated");
    }
  }
  SECTION("compressed bundle whose inner bundle is hostile") {
    auto inner = good;
    put64(inner, 24, 1ull << 62);
    // A well-formed CCOB v3 wrapper (right sizes, right hash) around the hostile bundle.
    auto data = compress_bytes(inner, CompressionMethod::zstd);
    REQUIRE(data.ok());
    std::vector<std::uint8_t> b = {'C', 'C', 'O', 'B', 3, 0, 1, 0};
    b.resize(32);
    put64(b, 8, 32 + data->size());
    put64(b, 16, inner.size());
    auto digest = md5_digest(inner);
    REQUIRE(digest.ok());
    std::copy_n(digest->begin(), 8, b.begin() + 24);
    b.insert(b.end(), data->begin(), data->end());
    require_error(b, "compressed bundle: offload bundle: header claims");
  }
}

TEST_CASE("bundle options follow the ROCm floor") {
  auto o = bundle_options_for_rocm_floor("6.1", true);
  CHECK(o.compression == BundleWriteOptions::none);
  o = bundle_options_for_rocm_floor("6.2", true);
  CHECK(o.compression == BundleWriteOptions::zstd);
  CHECK(o.ccob_version == 2);
  o = bundle_options_for_rocm_floor("6.4", true);
  CHECK(o.ccob_version == 2);
  o = bundle_options_for_rocm_floor("7.0", true);
  CHECK(o.ccob_version == 3);
  o = bundle_options_for_rocm_floor("7.0", false);
  CHECK(o.compression == BundleWriteOptions::none);
  o = bundle_options_for_rocm_floor("seven", true);
  CHECK(o.compression == BundleWriteOptions::none);
}

TEST_CASE("entry ids: target ids become AMD entry ids, full ids pass through") {
  CHECK(*bundle_entry_id_for("gfx942:xnack-:sramecc+") ==
        "hipv4-amdgcn-amd-amdhsa--gfx942:sramecc+:xnack-");
  CHECK(*bundle_entry_id_for("hipv4-amdgcn-amd-amdhsa--gfx950") ==
        "hipv4-amdgcn-amd-amdhsa--gfx950");
  CHECK(*bundle_entry_id_for("host-x86_64-unknown-linux-gnu-") == "host-x86_64-unknown-linux-gnu-");
  CHECK_FALSE(bundle_entry_id_for("gfx942:bogus+").ok());
}
