#include "build/build_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <string_view>

#include "core/atomic_file.h"
#include "core/hashing.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHeader = "aotc-build-state 1";
constexpr std::int64_t kSettleNs = 1'000'000'000;
// Far above any real state (10,000 objects take ~1 MB); a bigger file is not ours.
constexpr std::size_t kMaxStateBytes = std::size_t{1} << 28;

fs::path state_path(const fs::path& out_dir) { return out_dir / ".aotc_state"; }

// The whole file in one read: std::ifstream's overhead shows at 10,000 objects.
std::optional<std::string> read_small_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat info{};
  std::optional<std::string> text;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) &&
      static_cast<std::size_t>(info.st_size) <= kMaxStateBytes) {
    std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (done == bytes.size()) text = std::move(bytes);
  }
  ::close(fd);
  return text;
}

// Splits off the next line (without its '\n'); false at the end.
bool next_line(std::string_view& text, std::string_view& line) {
  if (text.empty()) return false;
  std::size_t end = text.find('\n');
  if (end == std::string_view::npos) return false;  // every line ends with '\n'
  line = text.substr(0, end);
  text.remove_prefix(end + 1);
  return true;
}

// Reads an unsigned number and the one space after it.
template <typename Int>
bool take_number(std::string_view& line, Int& value) {
  auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
  if (ec != std::errc() || end == line.data() + line.size() || *end != ' ') return false;
  line.remove_prefix(static_cast<std::size_t>(end - line.data()) + 1);
  return true;
}

bool take_word(std::string_view& line, std::string_view word) {
  if (!line.starts_with(word)) return false;
  line.remove_prefix(word.size());
  return true;
}

std::optional<FileStamp> stamp_of(const struct stat& info) {
  if (!(S_ISREG(info.st_mode) || S_ISDIR(info.st_mode))) return std::nullopt;
  return FileStamp{
      static_cast<std::uint64_t>(info.st_size), static_cast<std::uint64_t>(info.st_ino),
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

// Stats absolute paths relative to their directory, keeping the last directory open.
class DirectoryStats {
 public:
  DirectoryStats() = default;
  DirectoryStats(const DirectoryStats&) = delete;
  DirectoryStats& operator=(const DirectoryStats&) = delete;
  ~DirectoryStats() {
    if (fd_ >= 0) ::close(fd_);
  }

  std::optional<FileStamp> stamp(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    const std::string_view dir = slash == 0 ? std::string_view("/") : path.substr(0, slash);
    if (fd_ < 0 || dir != dir_) {
      if (fd_ >= 0) ::close(fd_);
      dir_.assign(dir);
      fd_ = ::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd_ < 0) return std::nullopt;
    }
    name_.assign(path.substr(slash + 1));
    struct stat info{};
    if (name_.empty() || ::fstatat(fd_, name_.c_str(), &info, 0) != 0) return std::nullopt;
    return stamp_of(info);
  }

 private:
  int fd_ = -1;
  std::string dir_, name_;
};

}  // namespace

std::int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<FileStamp> stamp_file(const fs::path& path) {
  struct stat info{};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return stamp_of(info);
}

std::optional<FileStamp> settled_stamp(const std::optional<FileStamp>& before,
                                       const std::optional<FileStamp>& after,
                                       std::int64_t started_ns) {
  if (!before || !after || !(*before == *after)) return std::nullopt;
  if (before->mtime_ns > started_ns - kSettleNs) return std::nullopt;
  return before;
}

std::string BuildFingerprint::digest() const {
  TaggedHasher hasher;
  hasher.add("state", std::string(kHeader));
  for (const auto& [name, value] : settings) hasher.add(name, value);
  for (const auto& variable : variables) {
    const char* value = std::getenv(variable.c_str());
    hasher.add(value ? "set" : "unset", variable);
    if (value) hasher.add("value", value);
  }
  return hasher.hex_digest();
}

bool build_is_up_to_date(const fs::path& out_dir, BuildFingerprint fingerprint,
                         StateCounts& counts) {
  struct stat info{};
  if (::stat((out_dir / ".building").c_str(), &info) == 0) return false;
  auto text = read_small_file(state_path(out_dir));
  if (!text) return false;
  std::string_view rest = *text, line;
  if (!next_line(rest, line) || line != kHeader) return false;

  if (!next_line(rest, line) || !take_word(line, "variables")) return false;
  fingerprint.variables.clear();
  while (!line.empty()) {
    if (!take_word(line, " ")) return false;
    std::size_t end = line.find(' ');
    fingerprint.variables.emplace_back(line.substr(0, end));
    line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  }
  if (!next_line(rest, line) || !take_word(line, "fingerprint ") || line != fingerprint.digest()) {
    return false;
  }
  StateCounts read;
  if (!next_line(rest, line) || !take_word(line, "counts ") || !take_number(line, read.variants) ||
      !take_number(line, read.targets)) {
    return false;
  }
  if (std::from_chars(line.data(), line.data() + line.size(), read.objects).ec != std::errc()) {
    return false;
  }
  // One line per file: "<size> <inode> <mtime_ns> <absolute path>". Files of one directory are
  // listed together; each is stat'ed relative to its directory, opened once, so the kernel
  // resolves one name per file instead of the whole path.
  DirectoryStats directories;
  while (next_line(rest, line)) {
    FileStamp recorded;
    if (!take_number(line, recorded.size) || !take_number(line, recorded.inode) ||
        !take_number(line, recorded.mtime_ns) || !line.starts_with('/')) {
      return false;
    }
    auto now = directories.stamp(line);
    if (!now || !(*now == recorded)) return false;
  }
  if (!rest.empty()) return false;
  counts = read;
  return true;
}

Status write_build_state(const fs::path& out_dir, const BuildFingerprint& fingerprint,
                         const StateCounts& counts, const std::vector<StampedFile>& files) {
  std::string text(kHeader);
  text += "\nvariables";
  for (const auto& variable : fingerprint.variables) text += " " + variable;
  text += "\nfingerprint " + fingerprint.digest() + "\n";
  text += "counts " + std::to_string(counts.variants) + " " + std::to_string(counts.targets) + " " +
          std::to_string(counts.objects) + "\n";
  for (const auto& file : files) {
    const std::string path = file.path.string();
    if (!file.stamp || path.find('\n') != std::string::npos || !file.path.is_absolute()) {
      forget_build_state(out_dir);
      return Status::success();
    }
    text += std::to_string(file.stamp->size) + " " + std::to_string(file.stamp->inode) + " " +
            std::to_string(file.stamp->mtime_ns) + " " + path + "\n";
  }
  return write_file_atomic(state_path(out_dir), text);
}

void forget_build_state(const fs::path& out_dir) {
  std::error_code ec;
  fs::remove(state_path(out_dir), ec);
}

}  // namespace aotc
