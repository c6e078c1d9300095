#include "build/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

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

}  // namespace

std::string ProcessResult::describe_exit() const {
  if (term_signal != 0) {
    return "was killed by signal " + std::to_string(term_signal) + " (" + strsignal(term_signal) +
           ")";
  }
  return "exited with status " + std::to_string(exit_code);
}

struct SubprocessSet::Child {
  pid_t pid = -1;
  int fd = -1;  // read end of the child's stdout+stderr pipe; -1 once EOF was seen
  std::size_t tag = 0;
  Clock::time_point started;
  ProcessResult result;
};

SubprocessSet::SubprocessSet() { ensure_wake_pipe(); }

SubprocessSet::~SubprocessSet() { kill_all(); }

std::size_t SubprocessSet::running() const { return children_.size(); }

std::vector<pid_t> SubprocessSet::pids() const {
  std::vector<pid_t> out;
  for (const auto& child : children_) out.push_back(child->pid);
  return out;
}

Status SubprocessSet::start(const std::vector<std::string>& argv, std::size_t tag) {
  if (argv.empty()) return make_error("cannot start a process from an empty command");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return make_error(argv[0] + ": cannot create a pipe: " + errno_text(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGTERM);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigmask(&attributes, &empty_mask);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> c_argv;
  for (const auto& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);

  pid_t pid = -1;
  int error = posix_spawnp(&pid, argv[0].c_str(), &actions, &attributes, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(pipe_fds[1]);
  if (error != 0) {
    ::close(pipe_fds[0]);
    return make_error(argv[0] + ": cannot start: " + errno_text(error));
  }

  auto child = std::make_unique<Child>();
  child->pid = pid;
  child->fd = pipe_fds[0];
  child->tag = tag;
  child->started = Clock::now();
  children_.push_back(std::move(child));
  return Status::success();
}

std::vector<SubprocessSet::Finished> SubprocessSet::wait(std::chrono::milliseconds timeout) {
  std::vector<Finished> finished;
  if (children_.empty()) return finished;

  std::vector<pollfd> fds;
  for (const auto& child : children_) fds.push_back({child->fd, POLLIN, 0});
  fds.push_back({g_wake_pipe[0], POLLIN, 0});
  int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  if (ready <= 0) return finished;  // timeout, or EINTR from a signal: the caller checks the flag

  for (std::size_t i = 0; i < children_.size(); ++i) {
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
    if (child->fd >= 0) ::close(child->fd);
  }
  children_.clear();
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv) {
  SubprocessSet set;
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
