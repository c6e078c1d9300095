#include "build/output_tree.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "build/toolchain_discovery.h"
#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifestName = "manifest.json";
constexpr const char* kLedgerName = ".outputs";
constexpr const char* kMarkerName = ".building";
constexpr int kLedgerFormat = 1;

// Creates the marker in place rather than through a temporary: only its existence counts, and a
// build killed while it wrote a temporary marker left that temporary in out/ with no marker to
// have the next build remove it.
Status write_marker(const fs::path& marker) {
  const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(marker.string() + ": cannot create: " + std::strerror(errno));
  constexpr std::string_view kText = "an aotc build is running, or died without cleaning up\n";
  const bool written =
      ::write(fd, kText.data(), kText.size()) == ssize_t(kText.size()) && ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!written) return make_error(marker.string() + ": cannot write: " + std::strerror(error));
  return Status::success();
}

}  // namespace

Result<BuildMarker> BuildMarker::create(const fs::path& out_dir, const fs::path& cache_dir) {
  fs::path marker = out_dir / kMarkerName;
  std::error_code ec;
  if (fs::exists(marker, ec)) {
    const fs::path cache = fs::weakly_canonical(cache_dir, ec);
    if (auto removed = OutputTree::remove_temporaries(out_dir, false, cache); !removed)
      return removed.error();
    if (auto removed = OutputTree::remove_temporaries(cache_dir, true); !removed)
      return removed.error();
  } else {
    // The toolchain answers are written while a build plans, before it locks out/ and writes
    // the marker, so a build killed then leaves their temporaries and no marker. That folder
    // holds a few small files: every build looks there.
    auto removed = OutputTree::remove_temporaries(toolchain_cache_dir(cache_dir), true);
    if (!removed) return removed.error();
  }
  if (auto written = write_marker(marker); !written) return written.error();
  return BuildMarker(marker);
}

BuildMarker::~BuildMarker() {
  std::error_code ec;
  if (!path_.empty()) fs::remove(path_, ec);
}

OutputTree::OutputTree(fs::path out_dir, std::set<fs::path> planned)
    : out_dir_(std::move(out_dir)), planned_(std::move(planned)) {
  auto text = read_file_text(out_dir_ / kLedgerName, 1 << 26);
  if (!text) return;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (!json.is_object() || json.value("format", 0) != kLedgerFormat || !json.contains("files") ||
      !json["files"].is_object()) {
    return;
  }
  for (const auto& [name, stamp] : json["files"].items()) {
    fs::path relative = fs::path(name).lexically_normal();
    // Only ever touch files inside out/, whatever the ledger says.
    if (relative.empty() || relative.is_absolute() || *relative.begin() == ".." ||
        !stamp.is_object()) {
      continue;
    }
    Stamp& entry = recorded_[relative];
    entry.size = stamp.value("size", std::uint64_t{0});
    entry.inode = stamp.value("inode", std::uint64_t{0});
    entry.mtime_ns = stamp.value("mtime_ns", std::int64_t{0});
    entry.sha256 = stamp.value("sha256", "");
  }
}

Result<std::size_t> OutputTree::remove_temporaries(const fs::path& dir, bool only_dead_writers,
                                                   const fs::path& keep_dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return std::size_t{0};
  auto writer_alive = [](const std::string& name) {
    std::optional<long> pid = temporary_writer_pid(name);
    return pid && *pid > 0 && (::kill(static_cast<pid_t>(*pid), 0) == 0 || errno == EPERM);
  };
  std::vector<fs::path> doomed;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code canonical_ec;
    if (!keep_dir.empty() && it->is_directory() &&
        fs::weakly_canonical(it->path(), canonical_ec) == keep_dir) {
      it.disable_recursion_pending();
      continue;
    }
    const std::string name = it->path().filename().string();
    if (name.starts_with(".tmp.") && !(only_dead_writers && writer_alive(name))) {
      doomed.push_back(it->path());
    }
  }
  if (ec) return make_error(dir.string() + ": cannot scan for temporaries: " + ec.message());
  for (const auto& path : doomed) {
    fs::remove(path, ec);
    if (ec) return make_error(path.string() + ": cannot remove temporary: " + ec.message());
  }
  return doomed.size();
}

std::optional<OutputTree::Stamp> OutputTree::stat_file(const fs::path& relative) const {
  struct stat info{};
  if (::stat((out_dir_ / relative).c_str(), &info) != 0 || !S_ISREG(info.st_mode))
    return std::nullopt;
  Stamp stamp;
  stamp.size = static_cast<std::uint64_t>(info.st_size);
  stamp.inode = static_cast<std::uint64_t>(info.st_ino);
  stamp.mtime_ns =
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
  return stamp;
}

std::optional<std::string> OutputTree::stamped_sha256(const fs::path& relative) const {
  auto recorded = recorded_.find(relative);
  if (recorded == recorded_.end() || recorded->second.sha256.empty()) return std::nullopt;
  auto now = stat_file(relative);
  if (!now || now->size != recorded->second.size || now->inode != recorded->second.inode ||
      now->mtime_ns != recorded->second.mtime_ns) {
    return std::nullopt;
  }
  return recorded->second.sha256;
}

Status OutputTree::write_ledger(const std::map<fs::path, Stamp>& files) const {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [path, stamp] : files) {
    nlohmann::json entry = nlohmann::json::object();
    if (!stamp.sha256.empty()) {
      entry = {{"size", stamp.size},
               {"inode", stamp.inode},
               {"mtime_ns", stamp.mtime_ns},
               {"sha256", stamp.sha256}};
    }
    entries[path.string()] = entry;
  }
  nlohmann::json ledger = {{"format", kLedgerFormat}, {"files", entries}};
  return write_file_atomic(out_dir_ / kLedgerName, ledger.dump(1) + "\n");
}

Status OutputTree::begin_changes() {
  if (changing_) return Status::success();
  for (const auto& path : planned_) recorded_.try_emplace(path);
  if (auto written = write_ledger(recorded_); !written) return written;
  std::error_code ec;
  fs::remove(out_dir_ / kManifestName, ec);
  if (ec)
    return make_error((out_dir_ / kManifestName).string() + ": cannot remove: " + ec.message());
  changing_ = true;
  return Status::success();
}

bool OutputTree::holds(const fs::path& relative, std::uint64_t size,
                       const std::string& sha256) const {
  if (stamped_sha256(relative) == sha256) return true;
  // Not stamped (first build into an existing out/, or a file someone touched): compare contents.
  auto current = stat_file(relative);
  if (!current || current->size != size) return false;
  auto hash = sha256_hex_of_file(out_dir_ / relative);
  return hash && *hash == sha256;
}

Status OutputTree::stamp(const fs::path& relative, const std::string& sha256) {
  auto current = stat_file(relative);
  if (!current)
    return make_error((out_dir_ / relative).string() + ": missing right after it was written");
  current->sha256 = sha256;
  recorded_[relative] = *current;
  return Status::success();
}

Status OutputTree::install(const fs::path& relative, std::span<const std::uint8_t> bytes,
                           const std::string& sha256) {
  if (!holds(relative, bytes.size(), sha256)) {
    if (auto begun = begin_changes(); !begun) return begun;
    if (auto written = write_file_atomic(out_dir_ / relative, bytes); !written) return written;
  }
  return stamp(relative, sha256);
}

Status OutputTree::install_file(const fs::path& relative, const fs::path& temporary,
                                const std::string& sha256) {
  std::error_code ec;
  std::uint64_t size = fs::file_size(temporary, ec);
  if (ec) return make_error(temporary.string() + ": cannot read: " + ec.message());
  if (holds(relative, size, sha256)) {
    fs::remove(temporary, ec);
  } else {
    if (auto begun = begin_changes(); !begun) return begun;
    fs::rename(temporary, out_dir_ / relative, ec);
    if (ec)
      return make_error((out_dir_ / relative).string() +
                        ": cannot rename into place: " + ec.message());
  }
  return stamp(relative, sha256);
}

Status OutputTree::plan_more(const std::set<fs::path>& more) {
  planned_.insert(more.begin(), more.end());
  if (!changing_) return Status::success();
  for (const auto& path : more) recorded_.try_emplace(path);
  return write_ledger(recorded_);
}

Status OutputTree::finish(const std::string& manifest_text) {
  if (auto written = write_file_atomic(out_dir_ / kManifestName, manifest_text); !written) {
    return written;
  }
  std::error_code ec;
  std::map<fs::path, Stamp> kept;
  for (const auto& [path, stamp] : recorded_) {
    if (planned_.count(path)) {
      kept.emplace(path, stamp);
      continue;
    }
    fs::remove(out_dir_ / path, ec);
    // Remove the folders it leaves empty (a target dropped from the matrix), up to out/ itself.
    for (fs::path dir = path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (!fs::is_empty(out_dir_ / dir, ec) || ec) break;
      fs::remove(out_dir_ / dir, ec);
    }
  }
  recorded_ = std::move(kept);
  return write_ledger(recorded_);
}

}  // namespace aotc
