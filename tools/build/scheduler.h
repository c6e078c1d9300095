// Runs compile jobs in parallel: at most `parallelism` children at a time, one poll loop, each job
// a short chain of commands (clang, then ptxas for NVIDIA) run one after the other. Results are
// handed back on the calling thread, so the caller's bookkeeping needs no locks.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "build/subprocess.h"

namespace aotc {

struct Job {
  std::vector<std::vector<std::string>> steps;  // argv of each command, in order
};

struct JobResult {
  bool succeeded = false;
  std::size_t last_step = 0;  // the step that failed (or the last one run)
  std::string failure;        // e.g. "clang exited with status 1" / "cannot start: ..."
  std::string output;         // everything the job's commands printed
  double seconds = 0;         // summed over its steps
};

enum class ScheduleEnd {
  completed,    // every job ran
  stopped,      // a job failed and fail_fast stopped new ones (running ones were let finish)
  interrupted,  // SIGINT/SIGTERM (under an InterruptGuard): running children were killed
};

// Runs `jobs`. `on_done(index, result)` is called once per finished job and returns whether the
// job counts as a success (the caller may fail a job whose outputs it cannot install).
ScheduleEnd run_jobs(const std::vector<Job>& jobs, std::size_t parallelism, bool fail_fast,
                     const std::function<bool(std::size_t, JobResult&&)>& on_done,
                     SpawnOptions spawn = {});

}  // namespace aotc
