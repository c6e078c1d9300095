#include "build/scheduler.h"

#include <algorithm>
#include <chrono>
#include <map>

namespace aotc {

namespace {

using Clock = std::chrono::steady_clock;

std::string tool_name(const std::vector<std::string>& argv) {
  std::string name = argv.empty() ? "command" : argv.front();
  return name.substr(name.rfind('/') + 1);
}

constexpr std::size_t kNoJob = static_cast<std::size_t>(-1);
constexpr std::size_t kWorkersPerSlot = 2;  // live workers per job slot, idle ones included

struct Worker {
  std::string pool;
  std::string name;  // for messages: the command's program
  pid_t pid = -1;
  std::size_t job = kNoJob;  // the job it is running
  Clock::time_point sent;
  bool retiring = false;  // its stdin was closed; it exits by itself
};

class Scheduler {
 public:
  Scheduler(const std::vector<Job>& jobs, std::size_t parallelism, bool fail_fast,
            const std::function<bool(std::size_t, JobResult&&)>& on_done, SpawnOptions spawn)
      : jobs_(jobs),
        parallelism_(std::max<std::size_t>(parallelism, 1)),
        fail_fast_(fail_fast),
        on_done_(on_done),
        children_(spawn),
        partial_(jobs.size()),
        step_(jobs.size(), 0) {}

  ScheduleEnd run() {
    while (true) {
      fill_slots();
      if (active_ == 0) break;  // nothing left to start, nothing running
      // Successes are handed to on_done only after their slots are refilled, so the caller's
      // bookkeeping (hashing, cache and output writes) overlaps the next compiles instead of
      // leaving a core idle. Failures go first: with fail_fast they must stop new starts.
      std::vector<std::size_t> succeeded;
      auto finished = children_.wait();
      for (auto& message : children_.take_messages()) on_message(message, succeeded);
      for (auto& done : finished) on_exit(done, succeeded);
      if (InterruptGuard::interrupted()) {
        children_.kill_all();
        for (std::size_t index : succeeded) finish(index);
        return ScheduleEnd::interrupted;
      }
      fill_slots();
      for (std::size_t index : succeeded) finish(index);
    }
    retire_workers();
    if (InterruptGuard::interrupted()) return ScheduleEnd::interrupted;
    return next_job_ < jobs_.size() ? ScheduleEnd::stopped : ScheduleEnd::completed;
  }

 private:
  // Worker tags follow the job indices, so one number space names both.
  std::size_t new_worker_tag() { return jobs_.size() + next_worker_++; }

  // A job's slot is free once it has completed; its result goes to on_done through finish(),
  // for successes only after the freed slots were refilled.
  void finish(std::size_t index) {
    bool ok = on_done_(index, std::move(partial_[index]));
    if (!ok && fail_fast_) stop_starting_ = true;
  }

  // Starts step `step_[index]` of a command job; a command that cannot start fails the job.
  bool start_step(std::size_t index) {
    const auto& argv = jobs_[index].steps[step_[index]];
    if (auto started = children_.start(argv, index); !started) {
      partial_[index].failure = started.error().message;
      partial_[index].last_step = step_[index];
      return false;
    }
    return true;
  }

  // Hands a worker job to an idle worker of its pool, or to a new one. A slot may keep an idle
  // worker of a second pool: Triton workers serve one target, and a build that goes back and
  // forth between two targets (the longest compiles first, whatever their target) would
  // otherwise start a Python and import Triton at every switch, ~2 s each under load on the H200.
  // Beyond two per slot an idle worker of another pool is retired to make room.
  bool start_request(std::size_t index) {
    const WorkerRequest& request = *jobs_[index].request;
    auto idle = std::find_if(workers_.begin(), workers_.end(), [&](const auto& entry) {
      return entry.second.job == kNoJob && !entry.second.retiring &&
             entry.second.pool == request.pool;
    });
    if (idle == workers_.end()) {
      std::size_t live = std::count_if(workers_.begin(), workers_.end(),
                                       [](const auto& entry) { return !entry.second.retiring; });
      if (live >= kWorkersPerSlot * parallelism_) {
        for (auto& [tag, worker] : workers_) {
          if (worker.job == kNoJob && !worker.retiring) {
            children_.close_input(tag);
            worker.retiring = true;
            break;
          }
        }
      }
      std::size_t tag = new_worker_tag();
      if (auto started = children_.start_worker(request.argv, tag); !started) {
        partial_[index].failure = started.error().message;
        return false;
      }
      Worker worker;
      worker.pool = request.pool;
      worker.name = tool_name(request.argv);
      worker.pid = children_.pids().back();
      idle = workers_.emplace(tag, std::move(worker)).first;
    }
    if (auto sent = children_.send(idle->first, request.line); !sent) {
      partial_[index].failure = sent.error().message;
      return false;
    }
    idle->second.job = index;
    idle->second.sent = Clock::now();
    return true;
  }

  void fill_slots() {
    while (!stop_starting_ && next_job_ < jobs_.size() && active_ < parallelism_) {
      std::size_t index = next_job_++;
      ++active_;
      const Job& job = jobs_[index];
      bool started = job.request ? start_request(index) : !job.steps.empty() && start_step(index);
      if (!started) fail(index);
    }
  }

  void on_message(SubprocessSet::Message& message, std::vector<std::size_t>& succeeded) {
    auto it = workers_.find(message.tag);
    if (it == workers_.end() || it->second.job == kNoJob) return;  // a reply nobody asked for
    std::size_t index = std::exchange(it->second.job, kNoJob);
    JobResult& result = partial_[index];
    result.output += message.output;
    result.reply = std::move(message.line);
    result.seconds = std::chrono::duration<double>(Clock::now() - it->second.sent).count();
    result.succeeded = true;
    --active_;
    succeeded.push_back(index);
  }

  void fail(std::size_t index) {
    --active_;
    finish(index);
  }

  void on_exit(SubprocessSet::Finished& done, std::vector<std::size_t>& succeeded) {
    if (auto it = workers_.find(done.tag); it != workers_.end()) {
      std::size_t index = it->second.job;
      if (index != kNoJob) {
        JobResult& result = partial_[index];
        result.output += done.result.output;
        result.failure = it->second.name + " (worker pid " + std::to_string(it->second.pid) + ") " +
                         done.result.describe_exit() +
                         " while compiling this object; a new worker takes the next job";
        result.seconds = std::chrono::duration<double>(Clock::now() - it->second.sent).count();
        fail(index);
      }
      workers_.erase(it);
      return;
    }
    std::size_t index = done.tag;
    JobResult& result = partial_[index];
    result.output += done.result.output;
    result.seconds += done.result.seconds;
    result.last_step = step_[index];
    if (!done.result.succeeded()) {
      result.failure =
          tool_name(jobs_[index].steps[step_[index]]) + " " + done.result.describe_exit();
      fail(index);
      return;
    }
    if (++step_[index] < jobs_[index].steps.size() && start_step(index)) return;
    result.succeeded = step_[index] == jobs_[index].steps.size();
    if (!result.succeeded) {
      fail(index);
      return;
    }
    --active_;
    succeeded.push_back(index);
  }

  // Ends every worker: closes their stdin so each exits by itself, then waits for them (killing
  // any that outstay a grace period, as the destructor of SubprocessSet does).
  void retire_workers() {
    for (auto& [tag, worker] : workers_) children_.close_input(tag);
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (children_.running() > 0 && Clock::now() < deadline && !InterruptGuard::interrupted()) {
      children_.wait(std::chrono::milliseconds(100));
      children_.take_messages();
    }
    children_.kill_all();
    workers_.clear();
  }

  const std::vector<Job>& jobs_;
  std::size_t parallelism_;
  bool fail_fast_;
  const std::function<bool(std::size_t, JobResult&&)>& on_done_;
  SubprocessSet children_;
  std::vector<JobResult> partial_;
  std::vector<std::size_t> step_;
  std::map<std::size_t, Worker> workers_;  // by tag
  std::size_t next_job_ = 0;
  std::size_t next_worker_ = 0;
  std::size_t active_ = 0;  // jobs started and not yet finished
  bool stop_starting_ = false;
};

}  // namespace

ScheduleEnd run_jobs(const std::vector<Job>& jobs, std::size_t parallelism, bool fail_fast,
                     const std::function<bool(std::size_t, JobResult&&)>& on_done,
                     SpawnOptions spawn) {
  return Scheduler(jobs, parallelism, fail_fast, on_done, spawn).run();
}

}  // namespace aotc
