#include "build/output_tree.h"

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifestName = "manifest.json";
constexpr const char* kLedgerName = ".outputs";

}  // namespace

OutputTree::OutputTree(fs::path out_dir, std::set<fs::path> planned)
    : out_dir_(std::move(out_dir)), planned_(std::move(planned)) {}

Result<std::size_t> OutputTree::remove_temporaries(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return std::size_t{0};
  std::vector<fs::path> doomed;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->path().filename().string().starts_with(".tmp.")) doomed.push_back(it->path());
  }
  if (ec) return make_error(dir.string() + ": cannot scan for temporaries: " + ec.message());
  for (const auto& path : doomed) {
    fs::remove(path, ec);
    if (ec) return make_error(path.string() + ": cannot remove temporary: " + ec.message());
  }
  return doomed.size();
}

std::set<fs::path> OutputTree::recorded_outputs() const {
  std::set<fs::path> files;
  auto text = read_file_text(out_dir_ / kLedgerName, 1 << 26);
  if (!text) return files;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_array()) return files;
  for (const auto& item : json) {
    if (!item.is_string()) continue;
    fs::path relative = fs::path(item.get<std::string>()).lexically_normal();
    // Only ever touch files inside out/, whatever the ledger says.
    if (relative.empty() || relative.is_absolute() || *relative.begin() == "..") continue;
    files.insert(relative);
  }
  return files;
}

Status OutputTree::record_outputs(const std::set<fs::path>& files) const {
  nlohmann::json json = nlohmann::json::array();
  for (const auto& file : files) json.push_back(file.string());
  return write_file_atomic(out_dir_ / kLedgerName, json.dump(1) + "\n");
}

Status OutputTree::begin_changes() {
  if (changing_) return Status::success();
  std::set<fs::path> files = recorded_outputs();
  files.insert(planned_.begin(), planned_.end());
  if (auto recorded = record_outputs(files); !recorded) return recorded;
  std::error_code ec;
  fs::remove(out_dir_ / kManifestName, ec);
  if (ec) return make_error((out_dir_ / kManifestName).string() + ": cannot remove: " + ec.message());
  changing_ = true;
  return Status::success();
}

Status OutputTree::install(const fs::path& relative, std::span<const std::uint8_t> bytes,
                           const std::string& sha256) {
  fs::path path = out_dir_ / relative;
  std::error_code ec;
  if (fs::file_size(path, ec) == bytes.size() && !ec) {
    auto current = sha256_hex_of_file(path);
    if (current && *current == sha256) return Status::success();
  }
  if (auto begun = begin_changes(); !begun) return begun;
  return write_file_atomic(path, bytes);
}

Status OutputTree::finish(const std::string& manifest_text) {
  if (auto written = write_file_atomic(out_dir_ / kManifestName, manifest_text); !written) {
    return written;
  }
  std::error_code ec;
  for (const auto& stale : recorded_outputs()) {
    if (planned_.count(stale)) continue;
    fs::remove(out_dir_ / stale, ec);
    // Remove the folders it leaves empty (a target dropped from the matrix), up to out/ itself.
    for (fs::path dir = stale.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (!fs::is_empty(out_dir_ / dir, ec) || ec) break;
      fs::remove(out_dir_ / dir, ec);
    }
  }
  return record_outputs(planned_);
}

}  // namespace aotc
