// Runs compile jobs in parallel: at most `parallelism` at a time, one poll loop. A job is either a
// short chain of commands (clang, then ptxas for NVIDIA) run one after the other, or one request
// to a warm worker process (the Triton helper: starting Python and importing Triton costs
// seconds, so each job slot keeps up to two workers alive, of two pools, and feeds them requests).
// Results are handed back on the calling thread, so the caller's bookkeeping needs no locks.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "build/subprocess.h"

namespace aotc {

// A request for a worker: workers are pooled by `pool` (jobs that need the same worker setup,
// e.g. one Python import path and stub list), started with `argv` when none is idle, and sent
// `line`; the worker's one-line reply completes the job.
struct WorkerRequest {
  std::string pool;
  std::vector<std::string> argv;
  std::string line;
};

struct Job {
  std::vector<std::vector<std::string>> steps;  // argv of each command, in order
  std::optional<WorkerRequest> request = {};    // instead of steps
};

struct JobResult {
  bool succeeded = false;
  std::size_t last_step = 0;  // the step that failed (or the last one run)
  std::string failure;        // e.g. "clang exited with status 1" / "cannot start: ..."
  std::string output;         // everything the job's commands (or its worker) printed
  std::string reply;          // worker jobs: the worker's reply line
  double seconds = 0;         // summed over its steps
};

enum class ScheduleEnd {
  completed,    // every job ran
  stopped,      // a job failed and fail_fast stopped new ones (running ones were let finish)
  interrupted,  // SIGINT/SIGTERM (under an InterruptGuard): running children were killed
};

// Runs `jobs`. `on_done(index, result)` is called once per finished job and returns whether the
// job counts as a success (the caller may fail a job whose outputs it cannot install, or whose
// worker reply reports a failure). A worker that dies fails only the job it was running and is
// replaced by a new one for the next job.
ScheduleEnd run_jobs(const std::vector<Job>& jobs, std::size_t parallelism, bool fail_fast,
                     const std::function<bool(std::size_t, JobResult&&)>& on_done,
                     SpawnOptions spawn = {});

}  // namespace aotc
