// One build spread over machines (CI job matrices): `aotc build --shard K/N` compiles a
// deterministic 1/N of the objects and writes a shard manifest; `aotc merge OUT SHARD...` checks
// that the shards belong together and packages them into the tree one `aotc build` writes
// (metadata, bundles, launchers, manifest), byte for byte.
//
// The split depends only on the plan (cache keys are content hashes, the same on every machine
// with the same sources, matrix and compilers): objects with one key (identical Triton compiles)
// stay together, groups are taken in order of expected cost (a cubin is two tool runs, clang
// then ptxas) and then key, each going to the shard with the least work so far. Shards built
// from other sources, matrices or compilers plan other keys; the merge names that mismatch.
//
// A shard's out/manifest.json has schema "aotc-shard" (never mistaken for a build's): the shard
// (K, N), the matrix's SHA-256, the targets, the toolchains (so merging needs no compiler: the
// merge machine plans with the shards' recorded toolchains), and each object's cache key and
// files with size and SHA-256.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "build/build_plan.h"
#include "core/result.h"

namespace aotc {

struct ShardSpec {
  std::size_t index = 1;  // K, 1-based
  std::size_t count = 1;  // N
};

// "K/N" with 1 <= K <= N.
Result<ShardSpec> parse_shard(std::string_view text);

// The indices into `plan` that shard `spec` builds, in plan order.
std::vector<std::size_t> shard_objects(const std::vector<PlannedObject>& plan, ShardSpec spec);

// Toolchains as a shard records them, and back.
nlohmann::ordered_json toolchains_json(const Toolchains& tools);
Result<Toolchains> toolchains_from_json(const nlohmann::json& json);

struct ShardFile {
  std::string kind;            // hsaco, ptx, cubin, triton.json
  std::filesystem::path file;  // relative to the shard's directory
  std::uint64_t size = 0;
  std::string sha256;
};

struct ShardObject {
  std::string key;
  std::string name;  // "<stem> [<target>]", for messages
  std::vector<ShardFile> files;
};

struct ShardManifest {
  std::filesystem::path dir;
  ShardSpec spec;
  std::string matrix_sha256;
  std::vector<std::string> targets;
  nlohmann::json toolchains;
  std::size_t planned = 0;  // objects of the whole build
  std::vector<ShardObject> objects;
};

// What a shard build writes as its manifest.json.
nlohmann::ordered_json shard_manifest_json(const ShardManifest& shard);

// Reads <dir>/manifest.json of a shard build; an error names the file and what is wrong.
Result<ShardManifest> read_shard_manifest(const std::filesystem::path& dir);

// Checks that `shards` are the N shards of one build: one count, every index 1..N exactly once,
// one matrix, one target list, one set of toolchains. All problems in one error.
Status check_shard_set(const std::vector<ShardManifest>& shards);

}  // namespace aotc
