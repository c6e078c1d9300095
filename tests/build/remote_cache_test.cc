// The remote cache against a real server (nginx with WebDAV PUT on 127.0.0.1, started here):
// entries shared between two checkouts at different paths, a corrupted entry found and replaced,
// a server that fails or stops mid-build costing only speed.
#include "build/remote_cache.h"

#include <cstdlib>

#include "build_test_support.h"
#include "nginx_server.h"

namespace fs = std::filesystem;
using aotc::test::NginxServer;
using aotc::test::run_aotc;
using aotc::test::Workspace;

namespace {

std::vector<std::string> build_args(const Workspace& workspace,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "build", (workspace / "axpy.json").string(), "-o", (workspace / "out").string(), "-j", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The manifest without its summary (what this run compiled or fetched, and how long it took).
nlohmann::json manifest_without_summary(const fs::path& out) {
  nlohmann::json manifest = aotc::test::read_json(out / "manifest.json");
  manifest.erase("summary");
  return manifest;
}

// Every code object of `a` equals the same file of `b`.
void check_same_objects(const fs::path& a, const fs::path& b) {
  auto files = aotc::test::check_manifest_matches_files(a);
  REQUIRE(files.size() == 4);
  for (const auto& file : files) {
    INFO(file);
    auto bytes_a = aotc::read_file_bytes(a / file);
    auto bytes_b = aotc::read_file_bytes(b / file);
    REQUIRE(bytes_a.ok());
    REQUIRE(bytes_b.ok());
    CHECK(*bytes_a == *bytes_b);
  }
}

// The server's copies of one kind of output.
std::vector<fs::path> served(const NginxServer& server, const std::string& extension) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::recursive_directory_iterator(server.data())) {
    if (entry.path().extension() == extension) found.push_back(entry.path());
  }
  return found;
}

// nginx and clang-22, or the reason the test cannot run.
std::optional<fs::path> tools_for_remote_tests() {
  if (!aotc::test::have_clang22()) return std::nullopt;
  auto nginx = aotc::test::find_nginx();
  if (!nginx) aotc::test::missing_tool("nginx (the remote cache's HTTP server)");
  return nginx;
}

}  // namespace

TEST_CASE("a remote cache filled from one checkout serves a second one at another path",
          "[remote]") {
  auto nginx = tools_for_remote_tests();
  if (!nginx) return;
  Workspace scratch("remote-server");
  NginxServer server(*nginx, scratch / "nginx");
  REQUIRE(server.started());
  Workspace a("remote-a");
  Workspace b("remote-b-a-second-checkout-somewhere-else");
  const std::string url = server.url("/aotc/cache");

  auto built_a = run_aotc(build_args(a, {"--remote-cache", url}));
  INFO(built_a.output);
  REQUIRE(built_a.succeeded());
  CHECK_THAT(built_a.output, Catch::Contains("4 compiled, 0 cached"));
  CHECK_THAT(built_a.output, Catch::Contains("remote cache: 0 fetched, 4 uploaded"));
  CHECK(served(server, ".hsaco").size() == 4);
  CHECK(served(server, ".json").size() == 4);

  // A fresh local cache (b/out/.cache), another path: everything comes from the server, by the
  // environment variable this time.
  ::setenv(aotc::kRemoteCacheVariable, url.c_str(), 1);
  auto built_b = run_aotc(build_args(b));
  ::unsetenv(aotc::kRemoteCacheVariable);
  INFO(built_b.output);
  REQUIRE(built_b.succeeded());
  CHECK_THAT(built_b.output, Catch::Contains("0 compiled, 4 cached"));
  CHECK_THAT(built_b.output, Catch::Contains("remote cache: 4 fetched, 0 uploaded"));
  CHECK(count(built_b.output, "warning") == 0);
  check_same_objects(a / "out", b / "out");
  CHECK(manifest_without_summary(a / "out") == manifest_without_summary(b / "out"));
  CHECK(run_aotc({"verify", (b / "out").string()}).succeeded());
}

TEST_CASE("a corrupted remote entry is detected, compiled locally and replaced", "[remote]") {
  auto nginx = tools_for_remote_tests();
  if (!nginx) return;
  Workspace scratch("remote-server");
  NginxServer server(*nginx, scratch / "nginx");
  REQUIRE(server.started());
  Workspace a("remote-a"), b("remote-b"), c("remote-c");
  const std::string url = server.url("/cache");
  REQUIRE(run_aotc(build_args(a, {"--remote-cache", url})).succeeded());

  auto objects = served(server, ".hsaco");
  REQUIRE(objects.size() == 4);
  auto bytes = aotc::read_file_bytes(objects[0]);
  REQUIRE(bytes.ok());
  const auto good = *bytes;
  (*bytes)[bytes->size() / 2] ^= 0xff;
  REQUIRE(aotc::write_file_atomic(objects[0], *bytes).ok());

  auto built_b = run_aotc(build_args(b, {"--remote-cache", url}));
  INFO(built_b.output);
  REQUIRE(built_b.succeeded());
  CHECK_THAT(built_b.output, Catch::Contains("1 compiled, 3 cached"));
  CHECK(count(built_b.output, "aotc: warning: remote cache") == 1);
  CHECK_THAT(built_b.output, Catch::Contains("does not verify"));
  CHECK_THAT(built_b.output, Catch::Contains("3 fetched, 1 uploaded"));
  check_same_objects(a / "out", b / "out");
  // The rebuilt entry replaced the damaged one...
  auto replaced = aotc::read_file_bytes(objects[0]);
  REQUIRE(replaced.ok());
  CHECK(*replaced == good);
  // ...so the next checkout compiles nothing.
  auto built_c = run_aotc(build_args(c, {"--remote-cache", url}));
  INFO(built_c.output);
  CHECK_THAT(built_c.output, Catch::Contains("0 compiled, 4 cached"));
  CHECK(count(built_c.output, "warning") == 0);
}

TEST_CASE("a server answering 500 costs one warning and local compiles", "[remote]") {
  auto nginx = tools_for_remote_tests();
  if (!nginx) return;
  Workspace scratch("remote-server");
  NginxServer server(*nginx, scratch / "nginx");
  REQUIRE(server.started());
  Workspace a("remote-a"), reference("remote-reference");
  auto built = run_aotc(build_args(a, {"--remote-cache", server.url("/broken/cache")}));
  INFO(built.output);
  REQUIRE(built.succeeded());
  CHECK_THAT(built.output, Catch::Contains("4 compiled, 0 cached, 0 failed"));
  CHECK(count(built.output, "aotc: warning: remote cache") == 1);
  CHECK_THAT(built.output, Catch::Contains("HTTP status 500"));
  CHECK_THAT(built.output, Catch::Contains("without the server for the rest of this build"));
  REQUIRE(run_aotc(build_args(reference)).succeeded());
  check_same_objects(a / "out", reference / "out");
}

TEST_CASE("the server stopped mid-build changes nothing but speed", "[remote]") {
  auto nginx = tools_for_remote_tests();
  if (!nginx) return;
  Workspace scratch("remote-server");
  NginxServer server(*nginx, scratch / "nginx");
  REQUIRE(server.started());
  Workspace a("remote-a"), reference("remote-reference");
  // A clang that stops the server as the third compile starts (-j 1: some entries are on the
  // server by then, one may be in the middle of its upload).
  const fs::path clang = scratch / "clang-stopping-the-server";
  const fs::path counter = scratch / "compiles";
  REQUIRE(aotc::write_file_atomic(
              clang, "#!/bin/sh\ncase \" $* \" in *\" -o \"*)\n  n=$(cat '" + counter.string() +
                         "' 2>/dev/null || echo 0); n=$((n + 1)); echo $n > '" + counter.string() +
                         "'\n  [ $n = 3 ] && kill -TERM " + std::to_string(server.pid()) +
                         " ;;\nesac\nexec clang-22 \"$@\"\n")
              .ok());
  fs::permissions(clang, fs::perms::owner_all);
  auto built = run_aotc(build_args(
      a, {"--remote-cache", server.url("/cache"), "--clang", clang.string(), "-j", "1"}));
  INFO(built.output);
  REQUIRE(built.succeeded());
  CHECK_THAT(built.output, Catch::Contains("4 compiled, 0 cached, 0 failed"));
  CHECK(count(built.output, "aotc: warning: remote cache") == 1);
  CHECK_THAT(built.output, Catch::Contains("remote cache: 0 fetched"));
  CHECK_THAT(built.output, Catch::Contains("without the server for the rest of this build"));
  REQUIRE(run_aotc(build_args(reference)).succeeded());
  check_same_objects(a / "out", reference / "out");
  aotc::test::check_manifest_matches_files(a / "out");
}

TEST_CASE("a remote cache URL that is not http(s) fails before anything is written", "[remote]") {
  if (!aotc::test::have_clang22()) return;
  Workspace workspace("remote-bad-url");
  auto built = run_aotc(build_args(workspace, {"--remote-cache", "ftp://cache.example/aotc"}));
  CHECK(built.exit_code == 1);
  CHECK_THAT(built.output, Catch::Contains("--remote-cache: expected an http:// or https:// URL, "
                                           "found \"ftp://cache.example/aotc\""));
  CHECK_FALSE(fs::exists(workspace / "out"));
}

TEST_CASE("libcurl is loaded only by a build that names a remote cache", "[remote]") {
  Workspace workspace("curl-on-demand");
  // The dynamic loader lists every library it loads (LD_DEBUG=files): libcurl and its ~30
  // dependencies cost each aotc process tens of milliseconds (curl_library.h).
  const auto loaded = [](std::vector<std::string> args) {
    std::vector<std::string> argv = {"env", "LD_DEBUG=files", AOTC_EXE};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = aotc::run_process(argv);
    REQUIRE(result.ok());
    return result->output;
  };
  const std::string plain = loaded(build_args(workspace, {"--dry-run"}));
  INFO(plain);
  CHECK(plain.find("axpy") != std::string::npos);  // it did run the build
  CHECK(plain.find("libcurl") == std::string::npos);
  // Port 9 (discard) on 127.0.0.1: nothing answers there; a dry run needs no answer.
  const std::string remote =
      loaded(build_args(workspace, {"--dry-run", "--remote-cache", "http://127.0.0.1:9/aotc"}));
  INFO(remote);
  CHECK(remote.find("file=libcurl.so.4") != std::string::npos);
}
