#include "build/build_cache.h"

#include <catch2/catch.hpp>

#include "build_test_support.h"

namespace {

aotc::Toolchain fake_clang(std::string version_line) {
  aotc::Toolchain clang;
  clang.path = "/usr/bin/clang-22";
  clang.version = "22.1.8";
  clang.major = 22;
  clang.version_line = std::move(version_line);
  return clang;
}

aotc::CachedFile file_of(std::string kind, std::string_view text) {
  std::vector<std::uint8_t> bytes(text.begin(), text.end());
  std::string hash = aotc::to_hex(aotc::sha256(bytes));
  return {std::move(kind), bytes, hash, bytes.size()};
}

}  // namespace

TEST_CASE("every key input changes the cache key", "[cache]") {
  aotc::Toolchain clang = fake_clang("clang version 22.1.8");
  aotc::Toolchain other_clang = fake_clang("clang version 22.1.9");
  aotc::Toolchain ptxas = fake_clang("Cuda compilation tools, release 13.0, V13.0.88");
  aotc::CacheKeyInputs base{"abc", "kernels/k.hip", {"-I", "-O2"}, &clang, nullptr, {}, "gfx942"};
  std::string key = aotc::cache_key(base);
  CHECK(key.size() == 64);
  CHECK(aotc::cache_key(base) == key);

  auto changed = [&](auto edit) {
    aotc::CacheKeyInputs inputs = base;
    edit(inputs);
    return aotc::cache_key(inputs) != key;
  };
  CHECK(changed([](auto& in) { in.source_sha256 = "abd"; }));
  CHECK(changed([](auto& in) { in.source_path = "other/k.hip"; }));
  CHECK(changed([](auto& in) { in.flags = {"-I-O2"}; }));  // tagged: no concatenation collisions
  CHECK(changed([](auto& in) { in.flags = {"-O2", "-I"}; }));
  CHECK(changed([&](auto& in) { in.clang = &other_clang; }));
  CHECK(changed([&](auto& in) { in.ptxas = &ptxas; }));
  CHECK(changed([](auto& in) { in.target = "gfx950"; }));
}

TEST_CASE("a stored entry is found while its dependencies are unchanged", "[cache]") {
  aotc::test::Workspace workspace("cache");
  auto header = workspace / "kernels/scale.h";
  aotc::BuildCache cache(workspace / "cache");
  aotc::FileHashes hashes;
  auto header_hash = hashes.sha256_of(header);
  REQUIRE(header_hash.ok());
  aotc::CacheEntry entry{
      "ab" + std::string(62, '0'), {{header, *header_hash}}, {file_of("hsaco", "code")}};
  REQUIRE(cache.store(entry).ok());

  SECTION("hit") {
    aotc::FileHashes fresh;
    auto found = cache.lookup(entry.key, fresh);
    REQUIRE(found.has_value());
    REQUIRE(found->outputs.size() == 1);
    CHECK(found->outputs[0].kind == "hsaco");
    CHECK(found->outputs[0].size == 4);
    CHECK(found->outputs[0].bytes.empty());
    REQUIRE(cache.read_output(entry.key, found->outputs[0]).ok());
    CHECK(std::string(found->outputs[0].bytes.begin(), found->outputs[0].bytes.end()) == "code");
  }
  SECTION("unknown key misses") {
    aotc::FileHashes fresh;
    CHECK_FALSE(cache.lookup("cd" + std::string(62, '0'), fresh).has_value());
  }
  SECTION("a changed dependency misses") {
    REQUIRE(aotc::write_file_atomic(header, "// edited\n").ok());
    aotc::FileHashes fresh;
    CHECK_FALSE(cache.lookup(entry.key, fresh).has_value());
  }
  SECTION("a deleted dependency misses") {
    std::filesystem::remove(header);
    aotc::FileHashes fresh;
    CHECK_FALSE(cache.lookup(entry.key, fresh).has_value());
  }
  SECTION("an output that no longer verifies is never used") {
    auto stored = workspace / "cache/objects/ab" / (entry.key + ".hsaco");
    REQUIRE(std::filesystem::exists(stored));
    REQUIRE(aotc::write_file_atomic(stored, "cod3").ok());
    aotc::FileHashes fresh;
    auto found = cache.lookup(entry.key, fresh);
    REQUIRE(found.has_value());
    auto read = cache.read_output(entry.key, found->outputs[0]);
    REQUIRE_FALSE(read.ok());
    CHECK_THAT(read.error().message, Catch::Contains("does not verify"));
    CHECK(found->outputs[0].bytes.empty());
  }
  SECTION("a corrupt record misses") {
    REQUIRE(aotc::write_file_atomic(workspace / "cache/objects/ab" / (entry.key + ".json"),
                                    "{\"format\":")
                .ok());
    aotc::FileHashes fresh;
    CHECK_FALSE(cache.lookup(entry.key, fresh).has_value());
  }
}

TEST_CASE("records name dependencies inside the source root relative to it", "[cache]") {
  // Two checkouts of one project at different paths, sharing one cache directory.
  aotc::test::Workspace first("cache-root-a"), second("cache-root-b-elsewhere");
  aotc::FileHashes hashes;
  auto header = first / "kernels/scale.h";
  auto header_hash = hashes.sha256_of(header);
  REQUIRE(header_hash.ok());
  const auto cache_dir = first / "cache";
  aotc::CacheEntry entry{"cd" + std::string(62, '1'),
                         {{header, *header_hash}, {"/usr/include/stdio.h", "0"}},
                         {file_of("hsaco", "code")}};
  REQUIRE(aotc::BuildCache(cache_dir, first.dir()).store(entry).ok());

  auto record = aotc::test::read_json(cache_dir / "objects/cd" / (entry.key + ".json"));
  REQUIRE(record["dependencies"].size() == 2);
  CHECK(record["dependencies"][0]["path"] == "kernels/scale.h");
  CHECK(record["dependencies"][1]["path"] == "/usr/include/stdio.h");  // outside: as it is

  // The record's second dependency never matches (its hash is made up); without it, the entry
  // is found from the other checkout, and it names that checkout's header.
  entry.dependencies.pop_back();
  REQUIRE(aotc::BuildCache(cache_dir, first.dir()).store(entry).ok());
  aotc::FileHashes fresh;
  auto found = aotc::BuildCache(cache_dir, second.dir()).lookup(entry.key, fresh);
  REQUIRE(found.has_value());
  REQUIRE(found->dependencies.size() == 1);
  CHECK(found->dependencies[0].first == second / "kernels/scale.h");
  // An edit there is seen as an edit.
  REQUIRE(aotc::write_file_atomic(second / "kernels/scale.h", "// edited\n").ok());
  aotc::FileHashes after_edit;
  CHECK_FALSE(aotc::BuildCache(cache_dir, second.dir()).lookup(entry.key, after_edit));
}
