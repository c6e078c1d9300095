#include "build/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <thread>
#include <utility>

#include "build/toolchain_discovery.h"

extern char** environ;

namespace aotc {
namespace {

using Clock = std::chrono::steady_clock;

// The self-pipe: the signal handler writes one byte so a blocked poll() wakes up. Created once
// per process and never closed (handlers may still run during static destruction).
std::atomic<int> g_interrupt_signal{0};
int g_wake_pipe[2] = {-1, -1};
int g_guard_depth = 0;
struct sigaction g_previous_int{};
struct sigaction g_previous_term{};

void on_interrupt(int signal_number) {
  int saved_errno = errno;
  g_interrupt_signal.store(signal_number);
  char byte = 1;
  [[maybe_unused]] ssize_t ignored = ::write(g_wake_pipe[1], &byte, 1);
  errno = saved_errno;
}

void ensure_wake_pipe() {
  if (g_wake_pipe[0] >= 0) return;
  if (::pipe2(g_wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_wake_pipe[0] = g_wake_pipe[1] = -1;
}

void drain_wake_pipe() {
  char buffer[64];
  while (g_wake_pipe[0] >= 0 && ::read(g_wake_pipe[0], buffer, sizeof buffer) > 0) {
  }
}

std::string errno_text(int error) { return std::strerror(error); }

// Everything the forked supervisor needs, prepared before fork(): after it, in a copy of a
// possibly multi-threaded process, only async-signal-safe calls are allowed (no allocation).
struct SpawnPlan {
  const char* program;
  char* const* argv;
  pid_t driver;
  int input;         // the command's stdin: /dev/null, or a worker's request pipe
  int messages;      // a worker's reply pipe, made its fd 3; -1 for other commands
  int output;        // write end of the output pipe
  int exec_status;   // write end of the close-on-exec pipe that reports a failed exec
  int inherited_fd;  // -1: none
};

// How long the command gets to end after a forwarded signal (clang removes its temporaries on
// SIGTERM, an aotc stops its own children) before the supervisor kills what is left of its group.
constexpr int kGraceMilliseconds = 5000;

// What the supervisor and the command report to start() through the close-on-exec pipe: the
// command's pid once forked, or the errno of a failed fork or exec. End of file means it execed.
struct SpawnReport {
  enum Kind : int { command_pid = 1, error = 2 } kind;
  int value;
};

void report(int fd, SpawnReport::Kind kind, int value) {
  const SpawnReport record{kind, value};
  [[maybe_unused]] ssize_t written = ::write(fd, &record, sizeof record);
}

[[noreturn]] void report_exec_failure(int fd, int error) {
  report(fd, SpawnReport::error, error);
  ::_exit(127);
}

// Exits the way `status` says the command ended: the same exit code, or death by the same signal
// (with no core file of this copy of the driver).
[[noreturn]] void exit_like(int status) {
  if (WIFEXITED(status)) ::_exit(WEXITSTATUS(status));
  const int signal_number = WTERMSIG(status);
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  struct sigaction default_action{};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(signal_number, &default_action, nullptr);
  sigset_t only;
  ::sigemptyset(&only);
  ::sigaddset(&only, signal_number);
  ::kill(::getpid(), signal_number);
  ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
  ::_exit(128 + signal_number);  // not reached for signals whose default is to terminate
}

// Closes descriptors `from` to `to`; async-signal-safe (close_range, or one close() each on
// kernels before 5.9).
void close_descriptors(int from, int to) {
  if (from > to) return;
  if (::close_range(from, to, 0) == 0) return;
  rlimit limit{};
  const int last = ::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536
                       ? static_cast<int>(limit.rlim_cur) - 1
                       : 65535;
  for (int fd = from; fd <= std::min(to, last); ++fd) ::close(fd);
}

// Closes every descriptor from `first` on except `keep_a` and `keep_b` (-1: none).
void close_descriptors_except(int first, int keep_a, int keep_b) {
  int from = first;
  for (int keep : {std::min(keep_a, keep_b), std::max(keep_a, keep_b)}) {
    if (keep < from) continue;
    close_descriptors(from, keep - 1);
    from = keep + 1;
  }
  close_descriptors(from, INT_MAX);
}

// The supervisor: runs in the child of fork() with every signal blocked (see start()).
[[noreturn]] void supervise(const SpawnPlan& plan) {
  ::setpgid(0, 0);
  // The driver's handlers (InterruptGuard) must not run here.
  struct sigaction default_action{};
  default_action.sa_handler = SIG_DFL;
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD}) {
    ::sigaction(signal_number, &default_action, nullptr);
  }
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The driver may have died before the request took effect.
  if (::getppid() != plan.driver) ::_exit(127);
  int inherited = plan.inherited_fd;
  if (plan.messages >= 0 && inherited == 3) inherited = ::fcntl(inherited, F_DUPFD, 10);
  ::dup2(plan.input, STDIN_FILENO);
  ::dup2(plan.output, STDOUT_FILENO);
  ::dup2(plan.output, STDERR_FILENO);
  // The reply pipe was moved above descriptor 3 when created, so this copies it (dropping
  // close-on-exec) instead of finding it in place.
  if (plan.messages >= 0) ::dup2(plan.messages, 3);
  if (inherited >= 0) ::fcntl(inherited, F_SETFD, 0);
  // The supervisor never execs, so close-on-exec does not clear the driver's descriptors out of
  // it: it would hold, for its command's whole life, the request pipes of every worker started
  // before, and those workers would see the end of their input only once this command ended
  // (a build's Triton workers then left one after another, ~5 s after the last compile).
  close_descriptors_except(plan.messages >= 0 ? 4 : 3, plan.exec_status, inherited);

  const pid_t supervisor = ::getpid();
  const pid_t command = ::fork();
  if (command < 0) report_exec_failure(plan.exec_status, errno);
  if (command == 0) {
    // Should the supervisor itself be killed outright, the command goes with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != supervisor) ::_exit(127);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(plan.program, plan.argv, environ);
    report_exec_failure(plan.exec_status, errno);
  }
  report(plan.exec_status, SpawnReport::command_pid, command);
  ::close(plan.exec_status);  // the command's copy closes when it execs

  sigset_t awaited;
  ::sigemptyset(&awaited);
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::sigaddset(&awaited, signal_number);
  int status = 0;
  for (;;) {
    const int signal_number = ::sigwaitinfo(&awaited, nullptr);
    if (signal_number == SIGCHLD) {
      if (::waitpid(command, &status, WNOHANG) != command) continue;
      // A command killed by a signal may leave its own children: end them (this process has
      // SIGTERM blocked), then end the same way.
      if (WIFSIGNALED(status)) ::kill(0, SIGTERM);
      exit_like(status);
    }
    if (signal_number < 0) continue;  // EINTR
    // The driver died (SIGTERM) or is stopping the build: the signal goes to every process of the
    // group (this one has it blocked). A command that ends within the grace period is reported
    // as it ended; otherwise whatever is left, this process included, gets SIGKILL.
    ::kill(0, signal_number);
    const timespec tick{0, 10 * 1000 * 1000};
    for (int waited = 0; waited < kGraceMilliseconds; waited += 10) {
      if (::waitpid(command, &status, WNOHANG) == command) {
        ::kill(0, SIGTERM);  // its own children, if any are left
        exit_like(status);
      }
      ::nanosleep(&tick, nullptr);
    }
    ::kill(0, SIGKILL);
    ::_exit(128 + SIGKILL);
  }
}

}  // namespace

std::string ProcessResult::describe_exit() const {
  if (term_signal != 0) {
    return "was killed by signal " + std::to_string(term_signal) + " (" + strsignal(term_signal) +
           ")";
  }
  return "exited with status " + std::to_string(exit_code);
}

struct SubprocessSet::Child {
  pid_t pid = -1;      // the supervisor, leader of the process group
  pid_t command = -1;  // the command it runs
  int fd = -1;         // read end of the child's stdout+stderr pipe; -1 once EOF was seen
  std::size_t tag = 0;
  Clock::time_point started;
  ProcessResult result;
  // Workers only: the write end of their stdin, and the read end of their fd 3 with the part of
  // a line read so far.
  int input_fd = -1;
  int message_fd = -1;
  std::string partial_line;
};

SubprocessSet::SubprocessSet(SpawnOptions options) : options_(options) { ensure_wake_pipe(); }

SubprocessSet::~SubprocessSet() { kill_all(); }

std::size_t SubprocessSet::running() const { return children_.size(); }

std::vector<pid_t> SubprocessSet::pids() const {
  std::vector<pid_t> out;
  for (const auto& child : children_) out.push_back(child->command);
  return out;
}

Status SubprocessSet::start(const std::vector<std::string>& argv, std::size_t tag) {
  return spawn(argv, tag, false);
}

Status SubprocessSet::start_worker(const std::vector<std::string>& argv, std::size_t tag) {
  return spawn(argv, tag, true);
}

Status SubprocessSet::spawn(const std::vector<std::string>& argv, std::size_t tag, bool worker) {
  if (argv.empty()) return make_error("cannot start a process from an empty command");
  // Found here, not by execvp in the child, which may not allocate.
  std::optional<std::filesystem::path> program = find_executable(argv[0]);
  if (!program) return make_error(argv[0] + ": cannot start: " + errno_text(ENOENT));
  const std::string program_text = program->string();
  std::vector<char*> c_argv;
  for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);

  int output[2], exec_status[2];
  if (::pipe2(output, O_CLOEXEC) != 0) {
    return make_error(argv[0] + ": cannot create a pipe: " + errno_text(errno));
  }
  if (::pipe2(exec_status, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(output[0]);
    ::close(output[1]);
    return make_error(argv[0] + ": cannot create a pipe: " + errno_text(error));
  }
  const int dev_null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (dev_null < 0) {
    const int error = errno;
    for (int fd : {output[0], output[1], exec_status[0], exec_status[1]}) ::close(fd);
    return make_error(argv[0] + ": cannot open /dev/null: " + errno_text(error));
  }
  // A worker's request pipe (its stdin) and reply pipe (its fd 3). The reply pipe's write end is
  // moved above descriptor 3 so that the supervisor's dup2 onto 3 always copies it.
  int requests[2] = {-1, -1}, replies[2] = {-1, -1};
  if (worker) {
    bool made = ::pipe2(requests, O_CLOEXEC) == 0 && ::pipe2(replies, O_CLOEXEC) == 0;
    if (made) {
      const int moved = ::fcntl(replies[1], F_DUPFD_CLOEXEC, 10);
      made = moved >= 0;
      ::close(replies[1]);
      replies[1] = moved;
    }
    if (!made) {
      const int error = errno;
      for (int fd : {output[0], output[1], exec_status[0], exec_status[1], dev_null, requests[0],
                     requests[1], replies[0], replies[1]}) {
        if (fd >= 0) ::close(fd);
      }
      return make_error(argv[0] + ": cannot create a pipe: " + errno_text(error));
    }
  }
  const SpawnPlan plan{
      program_text.c_str(),     c_argv.data(), ::getpid(),     worker ? requests[0] : dev_null,
      worker ? replies[1] : -1, output[1],     exec_status[1], options_.inherited_fd};

  // Blocked across fork so no handler runs in the child before the supervisor resets them; the
  // supervisor keeps them blocked and waits for them with sigwaitinfo.
  sigset_t all, previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  if (pid == 0) supervise(plan);
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ::close(output[1]);
  ::close(exec_status[1]);
  ::close(dev_null);
  if (worker) {
    ::close(requests[0]);
    ::close(replies[1]);
  }
  auto close_worker_ends = [&] {
    if (!worker) return;
    ::close(requests[1]);
    ::close(replies[0]);
  };
  if (pid < 0) {
    ::close(output[0]);
    ::close(exec_status[0]);
    close_worker_ends();
    return make_error(argv[0] + ": cannot start: " + errno_text(fork_error));
  }
  // The pipe brings the command's pid, then closes when the command execs, or brings errno when
  // it could not.
  pid_t command = -1;
  int exec_error = 0;
  for (;;) {
    SpawnReport record{};
    const ssize_t n = ::read(exec_status[0], &record, sizeof record);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof record)) break;
    if (record.kind == SpawnReport::command_pid) command = record.value;
    if (record.kind == SpawnReport::error) exec_error = record.value;
  }
  ::close(exec_status[0]);
  if (exec_error != 0 || command < 0) {
    ::close(output[0]);
    close_worker_ends();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return make_error(argv[0] + ": cannot start: " + errno_text(exec_error ? exec_error : ECHILD));
  }

  // Non-blocking, so that a worker's output can be drained to the end when its reply arrives.
  ::fcntl(output[0], F_SETFL, O_NONBLOCK);
  auto child = std::make_unique<Child>();
  child->pid = pid;
  child->command = command;
  child->fd = output[0];
  child->tag = tag;
  child->started = Clock::now();
  if (worker) {
    child->input_fd = requests[1];
    child->message_fd = replies[0];
  }
  children_.push_back(std::move(child));
  return Status::success();
}

Status SubprocessSet::send(std::size_t tag, std::string_view line) {
  for (auto& child : children_) {
    if (child->tag != tag || child->input_fd < 0) continue;
    std::string data(line);
    data += '\n';
    // A worker that died leaves a pipe without reader: block SIGPIPE for this write, and take
    // back the signal it raised, so the failure is an EPIPE here instead of killing aotc.
    sigset_t pipe_only, previous;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
    int error = 0;
    for (std::size_t written = 0; written < data.size();) {
      ssize_t n = ::write(child->input_fd, data.data() + written, data.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = errno;
        break;
      }
      written += static_cast<std::size_t>(n);
    }
    if (error == EPIPE) {
      const struct timespec no_wait{0, 0};
      while (sigtimedwait(&pipe_only, nullptr, &no_wait) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (error) {
      return make_error("cannot write to worker " + std::to_string(child->command) + ": " +
                        errno_text(error));
    }
    return Status::success();
  }
  return make_error("no running worker with tag " + std::to_string(tag));
}

void SubprocessSet::close_input(std::size_t tag) {
  for (auto& child : children_) {
    if (child->tag == tag && child->input_fd >= 0) {
      ::close(child->input_fd);
      child->input_fd = -1;
    }
  }
}

std::vector<SubprocessSet::Message> SubprocessSet::take_messages() {
  return std::exchange(messages_, {});
}

// Reads whatever is waiting in a child's output pipe (non-blocking): a worker prints a job's
// output before its reply, so that output is all in the pipe when the reply is read.
void SubprocessSet::drain_output(Child& child) {
  char buffer[4096];
  while (child.fd >= 0) {
    ssize_t n = ::read(child.fd, buffer, sizeof buffer);
    if (n > 0) {
      child.result.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n == 0 || errno != EAGAIN) {
        ::close(child.fd);
        child.fd = -1;
      }
      return;
    }
  }
}

// Reads what a worker wrote on fd 3 and queues each complete line. With `until_eof` (the worker
// has exited) it reads without blocking to the end, so no reply written just before an exit is
// lost.
void SubprocessSet::read_messages(Child& child, bool until_eof) {
  if (child.message_fd < 0) return;
  if (until_eof) ::fcntl(child.message_fd, F_SETFL, O_NONBLOCK);
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(child.message_fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      child.partial_line.append(buffer, static_cast<std::size_t>(n));
      for (std::size_t end; (end = child.partial_line.find('\n')) != std::string::npos;) {
        drain_output(child);
        messages_.push_back(
            {child.tag, child.partial_line.substr(0, end), std::exchange(child.result.output, {})});
        child.partial_line.erase(0, end + 1);
      }
      if (until_eof) continue;
      return;
    }
    if (n == 0 || until_eof || (errno != EAGAIN)) {
      ::close(child.message_fd);
      child.message_fd = -1;
    }
    return;
  }
}

std::vector<SubprocessSet::Finished> SubprocessSet::wait(std::chrono::milliseconds timeout) {
  std::vector<Finished> finished;
  if (children_.empty()) return finished;

  // One entry per child's output pipe (fd -1 once closed: poll skips it), one per child's
  // message pipe, then the wake pipe.
  std::vector<pollfd> fds;
  for (const auto& child : children_) fds.push_back({child->fd, POLLIN, 0});
  for (const auto& child : children_) fds.push_back({child->message_fd, POLLIN, 0});
  fds.push_back({g_wake_pipe[0], POLLIN, 0});
  int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  if (ready <= 0) return finished;  // timeout, or EINTR from a signal: the caller checks the flag

  const std::size_t count = children_.size();
  for (std::size_t i = 0; i < count; ++i) {
    if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    Child& child = *children_[i];
    char buffer[4096];
    ssize_t n = ::read(child.fd, buffer, sizeof buffer);
    if (n > 0) {
      child.result.output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      ::close(child.fd);
      child.fd = -1;
    }
  }

  for (std::size_t i = 0; i < count; ++i) {
    if (fds[count + i].revents & (POLLIN | POLLHUP | POLLERR)) read_messages(*children_[i], false);
  }

  // A closed pipe means the child (and any grandchild holding the pipe) is done writing; reap it.
  for (auto it = children_.begin(); it != children_.end();) {
    Child& child = **it;
    if (child.fd >= 0) {
      ++it;
      continue;
    }
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    read_messages(child, true);
    if (child.input_fd >= 0) ::close(child.input_fd);
    if (WIFSIGNALED(status)) {
      child.result.term_signal = WTERMSIG(status);
    } else {
      child.result.exit_code = WEXITSTATUS(status);
    }
    child.result.seconds = std::chrono::duration<double>(Clock::now() - child.started).count();
    finished.push_back({child.tag, std::move(child.result)});
    it = children_.erase(it);
  }
  return finished;
}

void SubprocessSet::kill_all() {
  if (children_.empty()) return;
  for (const auto& child : children_) ::kill(-child->pid, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(2);
  for (const auto& child : children_) {
    int status = 0;
    while (::waitpid(child->pid, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        ::kill(-child->pid, SIGKILL);
        while (::waitpid(child->pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Grandchildren (lld under clang) share the group; make sure none outlives its parent.
    ::kill(-child->pid, SIGKILL);
    for (int fd : {child->fd, child->input_fd, child->message_fd}) {
      if (fd >= 0) ::close(fd);
    }
  }
  children_.clear();
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv, SpawnOptions options) {
  SubprocessSet set(options);
  if (auto started = set.start(argv, 0); !started) return started.error();
  while (true) {
    auto finished = set.wait();
    if (!finished.empty()) return std::move(finished.front().result);
    if (InterruptGuard::interrupted()) {
      set.kill_all();
      return make_error(argv[0] + ": interrupted");
    }
  }
}

InterruptGuard::InterruptGuard() {
  ensure_wake_pipe();
  if (g_guard_depth++ > 0) return;
  g_interrupt_signal.store(0);
  drain_wake_pipe();
  // No SA_RESTART: a blocking call (flock while waiting for another build) returns EINTR so the
  // driver notices the interrupt.
  struct sigaction action{};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  if (--g_guard_depth > 0) return;
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool InterruptGuard::interrupted() { return g_interrupt_signal.load() != 0; }

int InterruptGuard::signal_number() { return g_interrupt_signal.load(); }

}  // namespace aotc
