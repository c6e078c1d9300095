#include "build/scheduler.h"

#include <catch2/catch.hpp>
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
  auto result = aotc::run_process({"sh", "-c", "cat; ps -o pgid= -p $$; echo self $$"});
  REQUIRE(result.ok());
  REQUIRE(result->succeeded());
  // cat ends at once (stdin is /dev/null); the child's group id equals its own pid.
  std::string pgid = result->output.substr(0, result->output.find('\n'));
  pgid.erase(0, pgid.find_first_not_of(' '));
  CHECK_THAT(result->output, Catch::EndsWith("self " + pgid + "\n"));
}

TEST_CASE("a program that does not exist is an error naming it", "[subprocess]") {
  auto result = aotc::run_process({"/nonexistent/tool"});
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(result.error().message, Catch::StartsWith("/nonexistent/tool: cannot start"));
}

TEST_CASE("run_jobs runs steps in order and keeps going after a failure", "[scheduler]") {
  std::vector<aotc::Job> jobs = {
      {{{"sh", "-c", "echo one"}, {"sh", "-c", "echo two"}}},
      {{{"sh", "-c", "echo broken; exit 1"}, {"sh", "-c", "echo never"}}},
      {{{"sh", "-c", "echo three"}}},
  };
  std::vector<aotc::JobResult> results(jobs.size());
  auto end = aotc::run_jobs(jobs, 2, false, [&](std::size_t i, aotc::JobResult&& result) {
    results[i] = std::move(result);
    return results[i].succeeded;
  });
  CHECK(end == aotc::ScheduleEnd::completed);
  CHECK(results[0].succeeded);
  CHECK(results[0].output == "one\ntwo\n");
  CHECK_FALSE(results[1].succeeded);
  CHECK(results[1].last_step == 0);
  CHECK(results[1].failure == "sh exited with status 1");
  CHECK(results[1].output == "broken\n");
  CHECK(results[2].succeeded);
}

TEST_CASE("run_jobs never runs more than the parallelism allows", "[scheduler]") {
  // Each job records the number of jobs running when it starts, through a shared directory.
  std::string dir = std::string(AOTC_BINARY_DIR) + "/test-scratch/parallelism";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string script = "touch " + dir + "/$$; ls " + dir + " | wc -l; sleep 0.2; rm " + dir + "/$$";
  std::vector<aotc::Job> jobs(6, aotc::Job{{{"sh", "-c", script}}});
  std::size_t most = 0;
  aotc::run_jobs(jobs, 2, false, [&](std::size_t, aotc::JobResult&& result) {
    most = std::max<std::size_t>(most, std::stoul(result.output));
    return true;
  });
  CHECK(most >= 1);
  CHECK(most <= 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("run_jobs with fail_fast starts nothing after a failure", "[scheduler]") {
  std::vector<aotc::Job> jobs = {{{{"false"}}}, {{{"true"}}}, {{{"true"}}}};
  std::size_t finished = 0;
  auto end = aotc::run_jobs(jobs, 1, true, [&](std::size_t, aotc::JobResult&& result) {
    ++finished;
    return result.succeeded;
  });
  CHECK(end == aotc::ScheduleEnd::stopped);
  CHECK(finished == 1);
}
