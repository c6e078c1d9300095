#include "build/build_cache.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

// Bump when anything about keys or entries changes: every older entry then misses at once.
constexpr int kCacheFormat = 2;
// Records are small; anything bigger is not ours.
constexpr std::uint64_t kMaxRecordBytes = 1 << 22;

void add_list(TaggedHasher& hasher, std::string_view tag, const std::vector<std::string>& items) {
  hasher.add(tag, std::to_string(items.size()));
  for (const auto& item : items) hasher.add("item", item);
}

}  // namespace

Result<std::string> FileHashes::sha256_of(const fs::path& path) {
  if (auto it = known_.find(path); it != known_.end()) return it->second.sha256;
  auto before = stamp_file(path);
  auto hash = sha256_hex_of_file(path);
  if (!hash) return hash.error();
  known_.emplace(path, Known{*hash, settled_stamp(before, stamp_file(path), started_ns_)});
  return hash;
}

std::vector<StampedFile> FileHashes::stamped_files() const {
  std::vector<StampedFile> files;
  files.reserve(known_.size());
  for (const auto& [path, known] : known_) {
    files.push_back({fs::absolute(path).lexically_normal(), known.stamp});
  }
  return files;
}

std::string cache_key(const CacheKeyInputs& inputs) {
  TaggedHasher hasher;
  hasher.add("aotc-cache-format", std::to_string(kCacheFormat));
  hasher.add("source", inputs.source_sha256);
  hasher.add("source-path", inputs.source_path);
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
  hasher.add("source-path", inputs.source_path);
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

BuildCache::BuildCache(fs::path dir, fs::path root, RemoteCache* remote)
    : dir_(std::move(dir)), root_(std::move(root)), remote_(remote) {}

fs::path BuildCache::record_path(const std::string& key) const {
  return dir_ / "objects" / key.substr(0, 2) / (key + ".json");
}

fs::path BuildCache::output_path(const std::string& key, const std::string& kind) const {
  return dir_ / "objects" / key.substr(0, 2) / (key + "." + kind);
}

std::optional<CacheEntry> BuildCache::parse_record(const std::string& key,
                                                   const std::string& text) const {
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
    // Relative: inside the source root (see record_text).
    fs::path path = dep["path"].get<std::string>();
    if (path.is_relative()) path = root_ / path;
    entry.dependencies.emplace_back(std::move(path), dep["sha256"].get<std::string>());
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

bool BuildCache::dependencies_match(const CacheEntry& entry, FileHashes& hashes) const {
  for (const auto& [path, recorded] : entry.dependencies) {
    auto current = hashes.sha256_of(path);
    if (!current || *current != recorded) return false;
  }
  return true;
}

std::optional<CacheEntry> BuildCache::lookup(const std::string& key, FileHashes& hashes) const {
  if (auto text = read_file_text(record_path(key), kMaxRecordBytes)) {
    auto entry = parse_record(key, *text);
    if (entry && dependencies_match(*entry, hashes)) return entry;
  }
  if (remote_) return lookup_remote(key, hashes);
  return std::nullopt;
}

// A remote entry is checked like a local one, then copied into the local cache (the outputs
// verified as they arrive) and served from there.
std::optional<CacheEntry> BuildCache::lookup_remote(const std::string& key,
                                                    FileHashes& hashes) const {
  auto text = remote_->fetch_record(key, kMaxRecordBytes);
  if (!text) return std::nullopt;
  auto entry = parse_record(key, *text);
  // Only regular files are hashed: a record naming a device or a pipe must not hang the build.
  auto regular_files = [&] {
    return std::all_of(entry->dependencies.begin(), entry->dependencies.end(),
                       [](const auto& dependency) {
                         std::error_code ec;
                         return fs::is_regular_file(dependency.first, ec);
                       });
  };
  if (!entry || !regular_files() || !dependencies_match(*entry, hashes)) {
    remote_->mark_unusable(key);
    return std::nullopt;
  }
  for (auto& output : entry->outputs) {
    auto bytes = remote_->fetch_output(key, output.kind, output.size, output.sha256);
    if (!bytes) return std::nullopt;
    output.bytes = std::move(bytes.value());
  }
  if (!store_local(*entry, {}, record_text(*entry))) return std::nullopt;
  remote_->count_hit();
  for (auto& output : entry->outputs) output.bytes = {};
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

std::string BuildCache::record_text(const CacheEntry& entry) const {
  nlohmann::json record = {{"format", kCacheFormat}, {"key", entry.key}};
  record["dependencies"] = nlohmann::json::array();
  for (const auto& [path, hash] : entry.dependencies) {
    fs::path relative = root_.empty() ? fs::path() : path.lexically_relative(root_);
    bool inside = !relative.empty() && *relative.begin() != "..";
    record["dependencies"].push_back(
        {{"path", (inside ? relative : path).string()}, {"sha256", hash}});
  }
  record["outputs"] = nlohmann::json::array();
  for (const auto& output : entry.outputs) {
    record["outputs"].push_back(
        {{"kind", output.kind}, {"size", output.size}, {"sha256", output.sha256}});
  }
  return record.dump(1) + "\n";
}

Status BuildCache::store(const CacheEntry& entry, std::span<const fs::path> compiled_files) const {
  const std::string record = record_text(entry);
  if (auto stored = store_local(entry, compiled_files, record); !stored) return stored;
  if (remote_) {
    std::vector<RemoteCache::Output> outputs;
    for (const auto& output : entry.outputs) outputs.push_back({output.kind, output.bytes});
    remote_->upload(entry.key, outputs, record);
  }
  return Status::success();
}

Status BuildCache::store_local(const CacheEntry& entry, std::span<const fs::path> compiled_files,
                               const std::string& record) const {
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
  }
  if (auto written = write_file_atomic(record_path(entry.key), record); !written) {
    return written.error().with_context("cache");
  }
  return Status::success();
}

}  // namespace aotc
