// Child processes without a shell (ninja's subprocess-posix idea, minus `/bin/sh -c`): each child
// is started with posix_spawnp from an argv vector, reads /dev/null, writes stdout and stderr into
// one pipe, and runs in its own process group so the terminal's Ctrl-C reaches only the driver,
// which then decides to kill the groups. One poll loop drains every pipe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace aotc {

// How a finished child ended, with everything it printed (stdout and stderr interleaved).
struct ProcessResult {
  int exit_code = -1;   // valid when term_signal == 0
  int term_signal = 0;  // non-zero when the child was killed by a signal
  std::string output;
  double seconds = 0;

  bool succeeded() const { return term_signal == 0 && exit_code == 0; }
  // "exited with status 1" / "was killed by signal 9"
  std::string describe_exit() const;
};

// A set of running children drained by one poll loop. Not thread-safe; one owner.
class SubprocessSet {
 public:
  SubprocessSet();
  ~SubprocessSet();  // kills and reaps whatever still runs
  SubprocessSet(const SubprocessSet&) = delete;
  SubprocessSet& operator=(const SubprocessSet&) = delete;

  // Starts argv[0] (searched on PATH when it has no slash). `tag` is returned with the result.
  Status start(const std::vector<std::string>& argv, std::size_t tag);

  struct Finished {
    std::size_t tag;
    ProcessResult result;
  };
  // Waits until at least one child finishes, the interrupt flag is raised (see InterruptGuard),
  // or `timeout` passes; returns the children that finished (possibly none).
  std::vector<Finished> wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));

  std::size_t running() const;
  // Sends SIGTERM to every child's process group, then SIGKILL to any left after a grace period,
  // and reaps them all.
  void kill_all();
  // Process ids of running children, in start order (tests use them to deliver signals).
  std::vector<pid_t> pids() const;

 private:
  struct Child;
  std::vector<std::unique_ptr<Child>> children_;
};

// Runs one command to completion and returns what it printed; an Error only when it could not be
// started (a non-zero exit is a ProcessResult, for the caller to judge).
Result<ProcessResult> run_process(const std::vector<std::string>& argv);

// While alive, SIGINT and SIGTERM set a flag (and wake SubprocessSet::wait) instead of killing the
// process, so the driver can kill its children and remove temporaries before exiting. Nests.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  static bool interrupted();
  // The signal that raised the flag (SIGINT or SIGTERM), 0 if none.
  static int signal_number();
};

}  // namespace aotc
