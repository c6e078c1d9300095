// Builds that are interrupted, or that race each other on one out/: whatever happens, out/ must
// end up consistent (a manifest that matches the files, no `.tmp.*` leftovers) and a rerun must
// finish the job.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "build_test_support.h"

namespace fs = std::filesystem;
using aotc::test::run_aotc;
using aotc::test::Workspace;

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> build_args(const Workspace& workspace,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"build",   (workspace / "many.json").string(),
                                   "-o",      (workspace / "out").string(),
                                   "--clang", "clang-22",
                                   "-j",      "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The whole command, for starting aotc in the background.
std::vector<std::string> aotc_build(const Workspace& workspace,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {AOTC_EXE};
  for (auto& arg : build_args(workspace, std::move(extra))) argv.push_back(std::move(arg));
  return argv;
}

std::size_t finished_objects(const fs::path& dir) {
  std::size_t count = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".hsaco" &&
        !entry.path().filename().string().starts_with(".tmp."))
      ++count;
  }
  return count;
}

// Drives `children` until `ready()` holds (true) or a child ends or 60 s pass (false).
bool wait_until(aotc::SubprocessSet& children, std::vector<aotc::SubprocessSet::Finished>& finished,
                const std::function<bool()>& ready) {
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    if (ready()) return true;
    auto done = children.wait(std::chrono::milliseconds(10));
    finished.insert(finished.end(), done.begin(), done.end());
    if (!finished.empty()) return false;
  }
  return false;
}

std::vector<aotc::SubprocessSet::Finished> wait_all(
    aotc::SubprocessSet& children, std::vector<aotc::SubprocessSet::Finished> finished) {
  while (children.running() > 0) {
    auto done = children.wait();
    finished.insert(finished.end(), done.begin(), done.end());
  }
  return finished;
}

// aotc build with its stdout and stderr in `log` (through sh, which execs it): the test reads the
// log while aotc runs, as a CI log would be read.
std::vector<std::string> aotc_build_logged(const Workspace& workspace, const fs::path& log) {
  std::vector<std::string> argv = {"sh", "-c", "log=$1; shift; exec \"$@\" > \"$log\" 2>&1", "sh",
                                   log.string()};
  for (auto& arg : aotc_build(workspace)) argv.push_back(std::move(arg));
  return argv;
}

std::string text_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Processes (other than this one) whose command line mentions `needle`: the compilers of a build
// name its output directory.
std::vector<pid_t> processes_mentioning(const std::string& needle) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string command_line = text_of(entry.path() / "cmdline");
    if (command_line.find(needle) != std::string::npos && std::stoi(name) != ::getpid())
      found.push_back(std::stoi(name));
  }
  return found;
}

void check_complete_and_consistent(const Workspace& workspace) {
  auto files = aotc::test::check_manifest_matches_files(workspace / "out");
  CHECK(files.size() == 32);  // 16 variants x (gfx942, gfx90a)
  aotc::test::check_no_temporaries(workspace / "out");
  CHECK_FALSE(fs::exists(workspace / "out/.building"));
}

}  // namespace

TEST_CASE("a build stopped by SIGINT mid-way leaves no partial outputs, and a rerun completes it",
          "[build][interrupt]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("sigint");
  aotc::SubprocessSet children;
  REQUIRE(children.start(aotc_build(workspace), 0).ok());
  std::vector<aotc::SubprocessSet::Finished> finished;
  // Interrupt once some objects are done and others are being compiled.
  bool mid_way = wait_until(children, finished, [&] {
    return finished_objects(workspace / "out/gfx942") >= 2 &&
           !aotc::test::temporaries_under(workspace / "out/gfx942").empty();
  });
  REQUIRE(mid_way);
  REQUIRE(::kill(children.pids().front(), SIGINT) == 0);
  finished = wait_all(children, finished);
  REQUIRE(finished.size() == 1);
  INFO(finished[0].result.output);
  CHECK(finished[0].result.exit_code == 128 + SIGINT);
  CHECK_THAT(finished[0].result.output, Catch::Contains("interrupted by signal 2"));
  aotc::test::check_no_temporaries(workspace / "out");
  // The build changed out/, so it must not leave a manifest that describes older files.
  CHECK_FALSE(fs::exists(workspace / "out/manifest.json"));

  auto rerun = run_aotc(build_args(workspace));
  INFO(rerun.output);
  REQUIRE(rerun.succeeded());
  check_complete_and_consistent(workspace);
  auto summary = aotc::test::read_json(workspace / "out/manifest.json")["summary"];
  CHECK(summary["cached"].get<int>() >= 2);  // work finished before the interrupt is kept
  CHECK(summary["compiled"].get<int>() + summary["cached"].get<int>() == 32);
}

TEST_CASE("leftovers of a build that died outright are removed by the next build",
          "[build][interrupt]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("died");
  // What SIGKILL would leave: the in-progress marker and half-written temporaries.
  REQUIRE(aotc::write_file_atomic(workspace / "out/.building", "").ok());
  REQUIRE(aotc::write_file_atomic(workspace / "out/gfx942/.tmp.axpy.w1.s0.hsaco.99999999.0", "half")
              .ok());
  REQUIRE(
      aotc::write_file_atomic(workspace / "out/.cache/objects/ab/.tmp.ab12.json.99999999.1", "{")
          .ok());
  auto result = run_aotc(build_args(workspace));
  INFO(result.output);
  REQUIRE(result.succeeded());
  check_complete_and_consistent(workspace);
}

TEST_CASE(
    "a build killed while it wrote a toolchain answer, before locking out/, leaves a temporary "
    "the next build removes",
    "[build][interrupt]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("died-planning");
  // What SIGKILL leaves when it lands in the write of a `--version` answer or a target probe
  // (plan phase, out/ not locked yet): a temporary in the toolchain cache and no out/.building.
  REQUIRE(
      aotc::write_file_atomic(workspace / "out/.cache/toolchains/.tmp.id-0123.json.99999999.0", "{")
          .ok());
  auto result = run_aotc(build_args(workspace));
  INFO(result.output);
  REQUIRE(result.succeeded());
  check_complete_and_consistent(workspace);
}

TEST_CASE("two builds at once on one out/: the second waits, and out/ stays consistent",
          "[build][lock]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("concurrent");
  aotc::SubprocessSet children;
  REQUIRE(children.start(aotc_build(workspace), 0).ok());
  std::vector<aotc::SubprocessSet::Finished> finished;
  REQUIRE(wait_until(children, finished, [&] { return fs::exists(workspace / "out/.building"); }));
  REQUIRE(children.start(aotc_build(workspace), 1).ok());
  finished = wait_all(children, finished);
  REQUIRE(finished.size() == 2);
  for (const auto& done : finished) {
    INFO(done.result.output);
    CHECK(done.result.succeeded());
  }
  const auto& second = finished[0].tag == 1 ? finished[0] : finished[1];
  CHECK_THAT(second.result.output, Catch::Contains("waiting for another build"));
  // It ran after the first finished, so everything came from the cache.
  CHECK_THAT(second.result.output, Catch::Contains("0 compiled, 32 cached"));
  check_complete_and_consistent(workspace);
}

TEST_CASE("with --no-wait, a second build on a busy out/ fails at once, naming the holder",
          "[build][lock]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("no-wait");
  aotc::SubprocessSet children;
  REQUIRE(children.start(aotc_build(workspace), 0).ok());
  std::vector<aotc::SubprocessSet::Finished> finished;
  REQUIRE(wait_until(children, finished, [&] { return fs::exists(workspace / "out/.building"); }));
  auto refused = run_aotc(build_args(workspace, {"--no-wait"}));
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Catch::Contains("another aotc build (pid " +
                                             std::to_string(children.pids().front()) + ")"));
  finished = wait_all(children, finished);
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].result.succeeded());
  check_complete_and_consistent(workspace);
}

TEST_CASE("progress lines reach a log file as they happen, not at the end", "[build][status]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("progress");
  const fs::path log = workspace / "build.log";
  aotc::SubprocessSet children;
  REQUIRE(children.start(aotc_build_logged(workspace, log), 0).ok());
  std::vector<aotc::SubprocessSet::Finished> finished;
  // The first compile's line is in the log while the build still runs (stdout to a file is
  // block-buffered: before, every line arrived at the end).
  CHECK(wait_until(children, finished,
                   [&] { return text_of(log).find("[1/32] ") != std::string::npos; }));
  finished = wait_all(children, finished);
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].result.succeeded());
  CHECK_THAT(text_of(log), Catch::Contains("[32/32] "));
}

TEST_CASE(
    "aotc killed with SIGKILL at random points: its compilers die with it, and an "
    "immediate rerun leaves no temporaries and a complete build",
    "[build][interrupt]") {
  if (!aotc::test::have_clang22()) return;
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 random(seed);
  for (int round = 0; round < 4; ++round) {
    Workspace workspace("sigkill");
    const fs::path log = workspace / "build.log";
    const auto delay =
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 4000)(random));
    INFO("round " << round << ", killed after " << delay.count() << " ms");
    aotc::SubprocessSet children;
    REQUIRE(children.start(aotc_build_logged(workspace, log), 0).ok());
    std::vector<aotc::SubprocessSet::Finished> finished;
    const auto deadline = Clock::now() + delay;
    while (Clock::now() < deadline && finished.empty()) {
      auto done = children.wait(std::chrono::milliseconds(5));
      finished.insert(finished.end(), done.begin(), done.end());
    }
    if (finished.empty()) ::kill(children.pids().front(), SIGKILL);
    finished = wait_all(children, finished);
    // Whatever the log holds ends on a whole line.
    const std::string text = text_of(log);
    CHECK((text.empty() || text.back() == '\n'));

    auto rerun = run_aotc(build_args(workspace));
    INFO(rerun.output);
    REQUIRE(rerun.succeeded());
    check_complete_and_consistent(workspace);
    // Nothing the killed build started is still running, and nothing writes a temporary late.
    CHECK(processes_mentioning((workspace / "out").string()).empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    aotc::test::check_no_temporaries(workspace / "out");
  }
}
