#include "build/scheduler.h"

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "build/subprocess.h"

TEST_CASE("run_process captures stdout and stderr and the exit status", "[subprocess]") {
  auto result = aotc::run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  REQUIRE(result.ok());
  CHECK(result->exit_code == 3);
  CHECK_FALSE(result->succeeded());
  CHECK_THAT(result->output, Catch::Contains("out") && Catch::Contains("err"));
  CHECK(result->describe_exit() == "exited with status 3");
}

TEST_CASE("run_process passes arguments verbatim, with no shell", "[subprocess]") {
  auto result = aotc::run_process({"printf", "%s|", "a b", "$HOME", "*"});
  REQUIRE(result.ok());
  CHECK(result->output == "a b|$HOME|*|");
}

TEST_CASE("children read /dev/null and run in their own process group", "[subprocess]") {
  auto result = aotc::run_process({"sh", "-c", "cat; ps -o pgid= -p $$"});
  REQUIRE(result.ok());
  REQUIRE(result->succeeded());
  // cat ends at once (stdin is /dev/null); the child's group is not the driver's (the terminal's
  // Ctrl-C reaches only the driver).
  std::string pgid = result->output.substr(0, result->output.find('\n'));
  pgid.erase(0, pgid.find_first_not_of(' '));
  CHECK(std::stoi(pgid) != ::getpgrp());
}

TEST_CASE("a command killed by a signal takes its own children along and is reported as killed",
          "[subprocess]") {
  // sh stands in for clang, its two sleeps for the lld it starts.
  aotc::SubprocessSet set;
  REQUIRE(set.start({"sh", "-c", "sleep 60 & sleep 60 & wait"}, 0).ok());
  std::vector<pid_t> pids = set.pids();
  REQUIRE(pids.size() == 1);
  ::kill(pids[0], SIGKILL);
  // The sleeps hold the output pipe open: it closes (and the child is reaped) only once the
  // supervisor has ended them, long before they would end on their own.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<aotc::SubprocessSet::Finished> finished;
  while (finished.empty() && std::chrono::steady_clock::now() < deadline) {
    finished = set.wait(std::chrono::milliseconds(50));
  }
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].result.term_signal == SIGKILL);
  CHECK(finished[0].result.describe_exit() == "was killed by signal 9 (Killed)");
}

TEST_CASE("a worker whose input closes ends while workers started after it still run",
          "[subprocess]") {
  // Each supervisor must not keep the request pipes of the workers started before it (they are
  // close-on-exec in the driver, but a supervisor never execs): otherwise worker 0 sees no end of
  // input while worker 1 runs, and a build's workers end one after another.
  aotc::SubprocessSet set;
  REQUIRE(set.start_worker({"sh", "-c", "cat > /dev/null"}, 0).ok());
  REQUIRE(set.start_worker({"sh", "-c", "cat > /dev/null"}, 1).ok());
  set.close_input(0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<aotc::SubprocessSet::Finished> finished;
  while (finished.empty() && std::chrono::steady_clock::now() < deadline) {
    finished = set.wait(std::chrono::milliseconds(50));
  }
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].tag == 0);
  CHECK(finished[0].result.succeeded());
  CHECK(set.running() == 1);
  set.close_input(1);
  finished.clear();
  while (finished.empty() && std::chrono::steady_clock::now() < deadline) {
    finished = set.wait(std::chrono::milliseconds(50));
  }
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].tag == 1);
}

TEST_CASE("a job slot keeps a worker of each of two pools: alternating pools start two workers",
          "[scheduler]") {
  // The worker answers each request line with its pid on fd 3, as the Triton helper answers.
  auto request = [](std::string pool) {
    return aotc::Job{
        {},
        aotc::WorkerRequest{
            std::move(pool), {"sh", "-c", "while read line; do echo $$ >&3; done"}, "{}"}};
  };
  std::vector<aotc::Job> jobs = {request("gfx942"), request("gfx950"), request("gfx942"),
                                 request("gfx950"), request("gfx942"), request("gfx950")};
  std::vector<std::string> replies(jobs.size());
  auto end = aotc::run_jobs(jobs, 1, false, [&](std::size_t index, aotc::JobResult&& result) {
    INFO(result.failure + result.output);
    CHECK(result.succeeded);
    replies[index] = result.reply;
    return result.succeeded;
  });
  CHECK(end == aotc::ScheduleEnd::completed);
  // One worker per pool, each serving its pool's three jobs.
  CHECK(replies[0] == replies[2]);
  CHECK(replies[2] == replies[4]);
  CHECK(replies[1] == replies[3]);
  CHECK(replies[3] == replies[5]);
  CHECK(replies[0] != replies[1]);
}
