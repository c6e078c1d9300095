#include "build/scheduler.h"

#include <algorithm>

namespace aotc {

namespace {

std::string tool_name(const std::vector<std::string>& argv) {
  std::string name = argv.empty() ? "command" : argv.front();
  return name.substr(name.rfind('/') + 1);
}

}  // namespace

ScheduleEnd run_jobs(const std::vector<Job>& jobs, std::size_t parallelism, bool fail_fast,
                     const std::function<bool(std::size_t, JobResult&&)>& on_done,
                     SpawnOptions spawn) {
  parallelism = std::max<std::size_t>(parallelism, 1);
  SubprocessSet children(spawn);
  std::vector<JobResult> partial(jobs.size());
  std::vector<std::size_t> step(jobs.size(), 0);
  std::size_t next_job = 0;
  bool stop_starting = false;

  // Starts step `step[index]` of a job; a command that cannot start finishes the job as failed.
  auto start_step = [&](std::size_t index) -> bool {
    const auto& argv = jobs[index].steps[step[index]];
    if (auto started = children.start(argv, index); !started) {
      partial[index].failure = started.error().message;
      partial[index].last_step = step[index];
      return false;
    }
    return true;
  };
  auto finish = [&](std::size_t index) {
    bool ok = on_done(index, std::move(partial[index]));
    if (!ok && fail_fast) stop_starting = true;
  };

  auto fill_slots = [&] {
    while (!stop_starting && next_job < jobs.size() && children.running() < parallelism) {
      std::size_t index = next_job++;
      if (jobs[index].steps.empty() || !start_step(index)) finish(index);
    }
  };

  while (true) {
    fill_slots();
    if (children.running() == 0) break;

    // Successes are handed to on_done only after their slots are refilled, so the caller's
    // bookkeeping (hashing, cache and output writes) overlaps the next compiles instead of
    // leaving a core idle. Failures go first: with fail_fast they must stop new starts.
    std::vector<std::size_t> succeeded;
    for (auto& done : children.wait()) {
      std::size_t index = done.tag;
      JobResult& result = partial[index];
      result.output += done.result.output;
      result.seconds += done.result.seconds;
      result.last_step = step[index];
      if (!done.result.succeeded()) {
        result.failure =
            tool_name(jobs[index].steps[step[index]]) + " " + done.result.describe_exit();
        finish(index);
        continue;
      }
      if (++step[index] < jobs[index].steps.size() && start_step(index)) continue;
      result.succeeded = step[index] == jobs[index].steps.size();
      if (!result.succeeded) {
        finish(index);
        continue;
      }
      succeeded.push_back(index);
    }
    if (InterruptGuard::interrupted()) {
      children.kill_all();
      for (std::size_t index : succeeded) finish(index);
      return ScheduleEnd::interrupted;
    }
    fill_slots();
    for (std::size_t index : succeeded) finish(index);
  }
  if (InterruptGuard::interrupted()) return ScheduleEnd::interrupted;
  return next_job < jobs.size() ? ScheduleEnd::stopped : ScheduleEnd::completed;
}

}  // namespace aotc
