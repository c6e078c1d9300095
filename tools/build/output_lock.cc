#include "build/output_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "build/subprocess.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

std::string read_holder(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown pid" : "pid " + pid;
}

}  // namespace

Result<OutputLock> OutputLock::acquire(const fs::path& out_dir, bool wait, std::ostream& notice) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return make_error(out_dir.string() + ": cannot create output directory: " + ec.message());
  fs::path lock_path = out_dir / ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(lock_path.string() + ": cannot open: " + std::strerror(errno));

  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return make_error(lock_path.string() + ": cannot lock: " + why);
    }
    std::string holder = read_holder(fd);
    if (!wait) {
      ::close(fd);
      return make_error(out_dir.string() + ": another aotc build (" + holder +
                        ") is using this output directory (lock: " + lock_path.string() +
                        "); rerun without --no-wait to wait for it");
    }
    notice << "aotc: waiting for another build (" << holder << ") on " << out_dir.string()
           << " to finish..." << std::endl;
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR && !InterruptGuard::interrupted()) continue;
      std::string why = errno == EINTR ? "interrupted" : std::strerror(errno);
      ::close(fd);
      return make_error(lock_path.string() + ": waiting for the lock: " + why);
    }
  }
  // The holder's pid, only for the message a waiting build prints (the lock is the flock), so a
  // failed write is harmless.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t written = ::pwrite(fd, pid.data(), pid.size(), 0);
  }
  return OutputLock(fd);
}

OutputLock::OutputLock(OutputLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace aotc
