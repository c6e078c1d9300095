#include "build/build_cache.h"

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

// Bump when anything about keys or entries changes: every older entry then misses at once.
constexpr int kCacheFormat = 1;
// Records are small; anything bigger is not ours.
constexpr std::uint64_t kMaxRecordBytes = 1 << 22;

void add_list(TaggedHasher& hasher, std::string_view tag, const std::vector<std::string>& items) {
  hasher.add(tag, std::to_string(items.size()));
  for (const auto& item : items) hasher.add("item", item);
}

std::optional<CacheEntry> parse_record(const std::string& key, const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  if (json.value("format", 0) != kCacheFormat || json.value("key", "") != key) return std::nullopt;
  auto deps = json.find("dependencies");
  auto outputs = json.find("outputs");
  if (deps == json.end() || !deps->is_array() || outputs == json.end() || !outputs->is_array()) {
    return std::nullopt;
  }
  CacheEntry entry;
  entry.key = key;
  for (const auto& dep : *deps) {
    if (!dep.is_object() || !dep.contains("path") || !dep["path"].is_string() ||
        !dep.contains("sha256") || !dep["sha256"].is_string()) {
      return std::nullopt;
    }
    entry.dependencies.emplace_back(dep["path"].get<std::string>(),
                                    dep["sha256"].get<std::string>());
  }
  for (const auto& output : *outputs) {
    if (!output.is_object() || !output.contains("kind") || !output["kind"].is_string() ||
        !output.contains("sha256") || !output["sha256"].is_string() || !output.contains("size") ||
        !output["size"].is_number_unsigned()) {
      return std::nullopt;
    }
    std::string kind = output["kind"].get<std::string>();
    if (kind != "hsaco" && kind != "ptx" && kind != "cubin" && kind != "triton.json")
      return std::nullopt;
    entry.outputs.push_back(
        {kind, {}, output["sha256"].get<std::string>(), output["size"].get<std::uint64_t>()});
  }
  if (entry.outputs.empty()) return std::nullopt;
  return entry;
}

}  // namespace

Result<std::string> FileHashes::sha256_of(const fs::path& path) {
  if (auto it = known_.find(path); it != known_.end()) return it->second;
  auto hash = sha256_hex_of_file(path);
  if (!hash) return hash.error();
  known_.emplace(path, *hash);
  return hash;
}

std::string cache_key(const CacheKeyInputs& inputs) {
  TaggedHasher hasher;
  hasher.add("aotc-cache-format", std::to_string(kCacheFormat));
  hasher.add("source", inputs.source_sha256);
  add_list(hasher, "flags", inputs.flags);
  hasher.add("clang-path", inputs.clang->path.string());
  hasher.add("clang-version", inputs.clang->version_line);
  if (inputs.ptxas) {
    hasher.add("ptxas-path", inputs.ptxas->path.string());
    hasher.add("ptxas-version", inputs.ptxas->version_line);
    add_list(hasher, "ptxas-flags", inputs.ptxas_flags);
  }
  hasher.add("target", inputs.target);
  return hasher.hex_digest();
}

std::string triton_cache_key(const TritonKeyInputs& inputs) {
  TaggedHasher hasher;
  hasher.add("aotc-cache-format", std::to_string(kCacheFormat));
  hasher.add("language", "triton");
  hasher.add("source", inputs.source_sha256);
  hasher.add("entry", inputs.entry);
  add_list(hasher, "signature", inputs.signature);
  hasher.add("options", inputs.options);
  hasher.add("target", inputs.target);
  hasher.add("python-path", inputs.triton->python.path.string());
  hasher.add("python-version", inputs.triton->python.version);
  hasher.add("triton-path", inputs.triton->path.string());
  hasher.add("triton-version", inputs.triton->version);
  hasher.add("helper", inputs.triton->helper_sha256);
  hasher.add("env-pythonpath", inputs.triton->python_path_env);
  add_list(hasher, "import-roots", inputs.python_path);
  add_list(hasher, "stubs", inputs.stubs);
  return hasher.hex_digest();
}

BuildCache::BuildCache(fs::path dir) : dir_(std::move(dir)) {}

fs::path BuildCache::record_path(const std::string& key) const {
  return dir_ / "objects" / key.substr(0, 2) / (key + ".json");
}

fs::path BuildCache::output_path(const std::string& key, const std::string& kind) const {
  return dir_ / "objects" / key.substr(0, 2) / (key + "." + kind);
}

std::optional<CacheEntry> BuildCache::lookup(const std::string& key, FileHashes& hashes) const {
  auto text = read_file_text(record_path(key), kMaxRecordBytes);
  if (!text) return std::nullopt;
  auto entry = parse_record(key, *text);
  if (!entry) return std::nullopt;
  for (const auto& [path, recorded] : entry->dependencies) {
    auto current = hashes.sha256_of(path);
    if (!current || *current != recorded) return std::nullopt;
  }
  return entry;
}

Status BuildCache::read_output(const std::string& key, CachedFile& file) const {
  fs::path path = output_path(key, file.kind);
  auto bytes = read_file_bytes(path);
  if (!bytes) return bytes.error();
  if (to_hex(sha256(*bytes)) != file.sha256) {
    return make_error(path.string() +
                      ": cache entry does not verify (SHA-256 differs from its record)");
  }
  file.bytes = std::move(bytes.value());
  return Status::success();
}

Status BuildCache::store(const CacheEntry& entry, std::span<const fs::path> compiled_files) const {
  nlohmann::json record = {{"format", kCacheFormat}, {"key", entry.key}};
  record["dependencies"] = nlohmann::json::array();
  for (const auto& [path, hash] : entry.dependencies) {
    record["dependencies"].push_back({{"path", path.string()}, {"sha256", hash}});
  }
  record["outputs"] = nlohmann::json::array();
  for (std::size_t i = 0; i < entry.outputs.size(); ++i) {
    const CachedFile& output = entry.outputs[i];
    fs::path destination = output_path(entry.key, output.kind);
    bool linked = false;
    if (i < compiled_files.size()) {
      // Link under a temporary name, then rename over any older entry: atomic, like every write.
      std::error_code ec;
      fs::create_directories(destination.parent_path(), ec);
      fs::path temporary = temporary_sibling(destination);
      fs::create_hard_link(compiled_files[i], temporary, ec);
      if (!ec) fs::rename(temporary, destination, ec);
      linked = !ec;
      if (!linked) fs::remove(temporary, ec);
    }
    if (!linked) {  // no compiled file, or another file system (--cache-dir elsewhere): copy
      if (auto written = write_file_atomic(destination, output.bytes); !written) {
        return written.error().with_context("cache");
      }
    }
    record["outputs"].push_back(
        {{"kind", output.kind}, {"size", output.size}, {"sha256", output.sha256}});
  }
  if (auto written = write_file_atomic(record_path(entry.key), record.dump(1) + "\n"); !written) {
    return written.error().with_context("cache");
  }
  return Status::success();
}

}  // namespace aotc
