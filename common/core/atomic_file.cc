#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace aotc {
namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<std::vector<std::uint8_t>> read_file_bytes(const fs::path& path, std::uint64_t max_bytes) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return make_error(path.string() + ": cannot read: " + ec.message());
  if (size > max_bytes) {
    return make_error(path.string() + ": file is " + std::to_string(size) +
                      " bytes, above the limit of " + std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path.string() + ": cannot open for reading");
  std::vector<std::uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size) {
    return make_error(path.string() + ": short read (file changed while reading?)");
  }
  return bytes;
}

Result<std::string> read_file_text(const fs::path& path, std::uint64_t max_bytes) {
  auto bytes = read_file_bytes(path, max_bytes);
  if (!bytes) return bytes.error();
  return std::string(bytes->begin(), bytes->end());
}

fs::path temporary_sibling(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  std::string name = ".tmp." + path.filename().string() + "." + std::to_string(::getpid()) + "." +
                     std::to_string(counter.fetch_add(1));
  return path.parent_path() / name;
}

std::optional<long> temporary_writer_pid(std::string_view file_name) {
  if (!file_name.starts_with(".tmp.")) return std::nullopt;
  auto is_number = [](std::string_view s) {
    return !s.empty() && s.size() <= 18 &&
           s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  // The last two dot-separated components that are both numbers: <pid>.<counter>.
  std::string_view rest = file_name.substr(5);
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    std::size_t dot = rest.find('.', start);
    parts.push_back(rest.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (std::size_t i = parts.size(); i >= 2; --i) {
    if (is_number(parts[i - 2]) && is_number(parts[i - 1])) {
      return std::stol(std::string(parts[i - 2]));
    }
  }
  return std::nullopt;
}

Status write_file_atomic(const fs::path& path, std::span<const std::uint8_t> bytes) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return make_error(path.parent_path().string() + ": cannot create directory: " + ec.message());
  }
  fs::path tmp = temporary_sibling(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(tmp.string() + ": cannot create: " + errno_text());
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error(path.string() + ": write failed: " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    return make_error(path.string() + ": cannot flush: " + why);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    return make_error(path.string() + ": cannot rename into place: " + why);
  }
  return Status::success();
}

Status write_file_atomic(const fs::path& path, std::string_view text) {
  return write_file_atomic(
      path, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                          text.size()));
}

}  // namespace aotc
