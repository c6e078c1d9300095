// One build at a time per output directory: an exclusive flock on out/.lock, held for the whole
// build and released by the kernel if the process dies (no stale lock files to clean up).
// A second build on the same out/ waits, after saying so, unless it was asked not to wait; then it
// fails naming the directory and the holder's pid.
#pragma once

#include <filesystem>
#include <ostream>

#include "core/result.h"

namespace aotc {

class OutputLock {
 public:
  // Takes the lock, creating out_dir if needed. With `wait`, blocks (printing one line to
  // `notice` first) until the other build finishes; an interrupt (SIGINT/SIGTERM under an
  // InterruptGuard) ends the wait with an error.
  static Result<OutputLock> acquire(const std::filesystem::path& out_dir, bool wait,
                                    std::ostream& notice);

  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&&) = delete;
  OutputLock(const OutputLock&) = delete;
  ~OutputLock();

  // The locked descriptor. The flock belongs to the open file, so a child that inherits it
  // (SpawnOptions::inherited_fd) holds the lock as long as it runs: a build killed outright keeps
  // out/ locked until the last process it started has ended, and only then may the next build
  // remove what they left.
  int fd() const { return fd_; }

 private:
  explicit OutputLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace aotc
