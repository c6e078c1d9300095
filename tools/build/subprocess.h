// Child processes without a shell (ninja's subprocess-posix idea, minus `/bin/sh -c`): each child
// is started from an argv vector, reads /dev/null, writes stdout and stderr into one pipe, and
// runs in its own process group so the terminal's Ctrl-C reaches only the driver, which then
// decides to kill the groups. One poll loop drains every pipe.
//
// Children die with the driver, whatever kills it. A command does not run as the driver's child
// directly: a supervisor, forked from the driver, leads the command's process group and asks the
// kernel for SIGTERM when the driver dies (PR_SET_PDEATHSIG, which posix_spawn cannot set); on it,
// it ends the whole group, so also what the command started itself (lld under clang) dies. A
// SIGINT, SIGTERM or SIGHUP sent to the supervisor is passed on to the group the same way.
// Otherwise it waits for the command and exits the way the command did.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
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

struct SpawnOptions {
  // A descriptor every child and its descendants keep open (the output lock: while anything a
  // build started still runs, the next build on that out/ waits for it). -1: none.
  int inherited_fd = -1;
};

// A set of running children drained by one poll loop. Not thread-safe; one owner. Children get
// SIGTERM if the thread that started them exits first (PR_SET_PDEATHSIG follows the thread).
class SubprocessSet {
 public:
  explicit SubprocessSet(SpawnOptions options = {});
  ~SubprocessSet();  // kills and reaps whatever still runs
  SubprocessSet(const SubprocessSet&) = delete;
  SubprocessSet& operator=(const SubprocessSet&) = delete;

  // Starts argv[0] (searched on PATH when it has no slash). `tag` is returned with the result.
  Status start(const std::vector<std::string>& argv, std::size_t tag);

  // Starts a worker: a long-lived child fed requests through its stdin (send) that answers with
  // one line per request on file descriptor 3 (collected as Messages). Its stdout and stderr go
  // to the output pipe as for start(); a worker ends when its stdin closes (close_input), and
  // its exit arrives through wait() like any child's.
  Status start_worker(const std::vector<std::string>& argv, std::size_t tag);
  // Writes `line` and a newline to the worker's stdin. An error when the worker is gone.
  Status send(std::size_t tag, std::string_view line);
  void close_input(std::size_t tag);

  struct Message {
    std::size_t tag;
    std::string line;    // without the newline
    std::string output;  // what the worker printed since its previous message
  };
  // The lines workers wrote since the last call. wait() also returns when one arrives.
  std::vector<Message> take_messages();

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
  // Process ids of the running commands, in start order; tests use them to deliver signals.
  // (Each command's process group is led by its supervisor; a signal sent to the supervisor is
  // passed on to the group.)
  std::vector<pid_t> pids() const;

 private:
  struct Child;
  static void drain_output(Child& child);
  Status spawn(const std::vector<std::string>& argv, std::size_t tag, bool worker);
  void read_messages(Child& child, bool until_eof);
  SpawnOptions options_;
  std::vector<std::unique_ptr<Child>> children_;
  std::vector<Message> messages_;
};

// Runs one command to completion and returns what it printed; an Error only when it could not be
// started (a non-zero exit is a ProcessResult, for the caller to judge).
Result<ProcessResult> run_process(const std::vector<std::string>& argv, SpawnOptions options = {});

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
