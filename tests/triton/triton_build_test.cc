// `aotc build` of Triton kernels end to end, through the real helper script and the stand-in
// triton package (fake_triton/README.md), whose compile() returns code objects recorded from
// Triton 3.6.0 on the GPU machine: outputs and manifest, the cache (hits, an imported module's
// edit, a Triton version change), failing and dying compiles, a missing Python, both API eras,
// and Gluon on a Triton too old for it.
#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "triton/triton_test_support.h"

namespace fs = std::filesystem;
using aotc::test::build;
using aotc::test::read_json;
using aotc::test::TritonWorkspace;

namespace {

// "aotc: 6 variants, 3 targets: 36 compiled, 0 cached, 0 failed in 1.2 s" -> {36, 0, 0}
std::array<int, 3> counts(const std::string& output) {
  std::smatch match;
  static const std::regex summary(R"((\d+) compiled, (\d+) cached, (\d+) failed)");
  REQUIRE(std::regex_search(output, match, summary));
  return {std::stoi(match[1]), std::stoi(match[2]), std::stoi(match[3])};
}

// The example matrix with its kernel file copied beside it (so tests may edit it) and `edit`
// applied to the kernel object.
fs::path local_example(const TritonWorkspace& ws,
                       const std::function<void(nlohmann::json&)>& edit) {
  fs::create_directories(ws / "src");
  fs::copy_file(fs::path(AOTC_SOURCE_DIR) / "kernels/triton/splitk_gemv.py",
                ws / "src/splitk_gemv.py", fs::copy_options::overwrite_existing);
  nlohmann::json matrix = read_json(aotc::test::example_matrix());
  matrix.erase("root");
  matrix["kernels"][0]["source"] = "src/splitk_gemv.py";
  edit(matrix["kernels"][0]);
  std::ofstream(ws / "matrix.json") << matrix.dump(1);
  return ws / "matrix.json";
}

}  // namespace

TEST_CASE("a Triton family builds into per-entry code objects, bundles and manifest records",
          "[triton]") {
  TritonWorkspace ws("outputs");
  auto result = build(aotc::test::example_matrix(), ws / "out");
  INFO(result.output);
  REQUIRE(result.succeeded());
  CHECK(counts(result.output) == std::array<int, 3>{36, 0, 0});

  nlohmann::json manifest = read_json(ws / "out/manifest.json");
  CHECK(manifest["kernels"][0]["language"] == "triton");
  REQUIRE(manifest["variants"].size() == 6);
  const nlohmann::json& variant = manifest["variants"][0];
  CHECK(variant["name"] == "splitk_gemv.fp16.m64k64w4");
  REQUIRE(variant["objects"].size() == 6);  // 2 entries x 3 targets
  std::set<std::string> seen;
  for (const auto& object : variant["objects"]) {
    const std::string entry = object["entry"], target = object["target"];
    seen.insert(entry + "@" + target);
    const std::string stem = target + "/splitk_gemv.fp16.m64k64w4." + entry;
    CHECK(object["file"] == stem + (target == "sm_90a" ? ".cubin" : ".hsaco"));
    CHECK(fs::exists(ws / "out" / (stem + ".triton.json")));
    CHECK(object["compiler"]["version"] == "3.6.0");
    // Metadata read from the code object: one kernel, the entry.
    REQUIRE(object["metadata"]["kernels"].size() == 1);
    CHECK(object["metadata"]["kernels"][0]["name"] == entry);
    const nlohmann::json& triton = object["triton"];
    CHECK(triton["metadata_file"] == stem + ".triton.json");
    CHECK(triton["num_warps"] == 4);
    CHECK(triton["runtime_arguments"] == (entry == "splitk_gemv_partial" ? 7 : 5));
    // Triton 3.6 appends global and profile scratch pointers, none needing memory.
    REQUIRE(triton["scratch"].size() == 2);
    CHECK(triton["scratch"][0]["name"] == "global_scratch");
    CHECK(triton["scratch"][1]["size"] == 0);
    if (entry == "splitk_gemv_partial") {
      // Dynamic shared memory for tl.sum's cross-warp reduction: Triton's own figure, per target.
      CHECK(triton["shared"] == (target == "sm_90a" ? 512 : 256));
      CHECK(triton["signature"] == nlohmann::json{"*fp16:16", "*fp16:16", "*fp32:16", "i32", "i32",
                                                  "i32", "i32:16", "64", "64"});
    }
    if (target == "sm_90a") CHECK(object["ptx_file"] == stem + ".ptx");
  }
  CHECK(seen.size() == 6);
  REQUIRE(variant["bundles"].size() == 2);  // one per entry, across gfx942 and gfx950
  CHECK(variant["bundles"][0]["entry"] == "splitk_gemv_partial");
  CHECK(variant["bundles"][0]["entries"] ==
        nlohmann::json{"hipv4-amdgcn-amd-amdhsa--gfx942", "hipv4-amdgcn-amd-amdhsa--gfx950"});
  CHECK(fs::exists(ws / "out/bundles/splitk_gemv.fp16.m64k64w4.splitk_gemv_reduce.hipfb"));

  auto again = build(aotc::test::example_matrix(), ws / "out");
  REQUIRE(again.succeeded());
  CHECK(counts(again.output) == std::array<int, 3>{0, 36, 0});
}

TEST_CASE("editing a module the kernel imports recompiles its objects; a new Triton all of them",
          "[triton]") {
  TritonWorkspace ws("cache");
  fs::path matrix = local_example(ws, [](nlohmann::json&) {});
  // The kernel file imports a local module (the stand-in keys on entry and signature, so the
  // recordings still match).
  std::ofstream(ws / "src/tiles.py") << "ROWS = 64\n";
  {
    std::ofstream kernel(ws / "src/splitk_gemv.py", std::ios::app);
    kernel << "\nimport tiles  # noqa: E402\n";
  }
  std::ofstream(ws / "src/unrelated.py") << "X = 1\n";
  REQUIRE(counts(build(matrix, ws / "out").output) == std::array<int, 3>{36, 0, 0});
  nlohmann::json record;
  for (const auto& entry : fs::recursive_directory_iterator(ws / "out/.cache/objects")) {
    if (entry.path().extension() == ".json" &&
        entry.path().string().find(".triton.") == std::string::npos) {
      record = read_json(entry.path());
      break;
    }
  }
  REQUIRE(record["dependencies"].size() == 2);  // the kernel file and tiles.py
  CHECK(fs::path(record["dependencies"][1]["path"].get<std::string>()).filename() == "tiles.py");

  std::ofstream(ws / "src/unrelated.py") << "X = 2\n";
  CHECK(counts(build(matrix, ws / "out").output) == std::array<int, 3>{0, 36, 0});
  std::ofstream(ws / "src/tiles.py") << "ROWS = 32\n";
  CHECK(counts(build(matrix, ws / "out").output) == std::array<int, 3>{36, 0, 0});
  CHECK(counts(build(matrix, ws / "out").output) == std::array<int, 3>{0, 36, 0});

  ws.configure({{"version", "3.5.1"}});
  auto upgraded = build(matrix, ws / "out");
  CHECK(counts(upgraded.output) == std::array<int, 3>{36, 0, 0});
  CHECK(read_json(ws / "out/manifest.json")["variants"][0]["objects"][0]["compiler"]["version"] ==
        "3.5.1");
}

TEST_CASE("a failing Triton compile fails its objects only; the rerun compiles only those",
          "[triton]") {
  TritonWorkspace ws("failing", {{"fail_in", "splitk_gemv_reduce"}});
  auto result = build(aotc::test::example_matrix(), ws / "out");
  CHECK(result.exit_code == 1);
  CHECK(counts(result.output) == std::array<int, 3>{18, 0, 18});
  CHECK_THAT(result.output,
             Catch::Contains("splitk_gemv.fp16.m64k64w4.splitk_gemv_reduce [gfx942]: "
                             "CompilationError: at 3:4: fake failure injected for "
                             "splitk_gemv_reduce"));
  CHECK_THAT(result.output, Catch::Contains("manifest.json not written"));
  CHECK_FALSE(fs::exists(ws / "out/manifest.json"));
  CHECK(aotc::test::temporaries_under(ws / "out").empty());

  ws.configure({});
  auto fixed = build(aotc::test::example_matrix(), ws / "out");
  REQUIRE(fixed.succeeded());
  CHECK(counts(fixed.output) == std::array<int, 3>{18, 18, 0});
}

TEST_CASE("a worker that dies fails only the compile it was running", "[triton]") {
  TritonWorkspace ws("dying", {{"die_in", "splitk_gemv_reduce"}});
  auto result = build(aotc::test::example_matrix(), ws / "out", {"--targets", "gfx942"});
  CHECK(result.exit_code == 1);
  // Every reduce compile kills its worker; every partial one, in a fresh worker, succeeds.
  CHECK(counts(result.output) == std::array<int, 3>{6, 0, 6});
  CHECK_THAT(result.output,
             Catch::Contains("(worker pid ") &&
                 Catch::Contains(") was killed by signal 9 (Killed) while compiling this object"));
  CHECK(aotc::test::temporaries_under(ws / "out").empty());
}

TEST_CASE("no Python, or a Python without Triton, is one clear error", "[triton]") {
  TritonWorkspace ws("python");
  auto missing = aotc::test::run_aotc({"build", aotc::test::example_matrix().string(), "-o",
                                       (ws / "out").string(), "--python", "/nonexistent/python3"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output,
             Catch::Contains("kernels[0] (splitk_gemv) is a Triton kernel: --python: "
                             "/nonexistent/python3: no such executable (the Python that has "
                             "Triton)"));
  ::unsetenv("PYTHONPATH");  // python3 alone has no triton on CI machines
  auto without = build(aotc::test::example_matrix(), ws / "out");
  CHECK(without.exit_code == 1);
  CHECK_THAT(without.output, Catch::Contains("cannot import triton with"));
  CHECK_FALSE(fs::exists(ws / "out/manifest.json"));
}

TEST_CASE("Triton 3.2's API (constants, AttrsDescriptor) builds the same objects; Gluon needs 3.5",
          "[triton]") {
  TritonWorkspace modern("era-new");
  REQUIRE(build(aotc::test::example_matrix(), modern / "out").succeeded());
  TritonWorkspace old("era-old", {{"version", "3.2.0"}, {"api", "constants"}, {"gluon", false}});
  auto result = build(aotc::test::example_matrix(), old / "out");
  INFO(result.output);
  REQUIRE(result.succeeded());
  nlohmann::json a = read_json(modern / "out/manifest.json"),
                 b = read_json(old / "out/manifest.json");
  for (std::size_t v = 0; v < a["variants"].size(); ++v) {
    for (std::size_t o = 0; o < a["variants"][v]["objects"].size(); ++o) {
      CHECK(a["variants"][v]["objects"][o]["sha256"] == b["variants"][v]["objects"][o]["sha256"]);
    }
  }
  auto gluon = build(fs::path(AOTC_SOURCE_DIR) / "tests/triton/data/gluon-scale-matrix.json",
                     old / "out-gluon");
  CHECK(gluon.exit_code == 1);
  CHECK_THAT(gluon.output, Catch::Contains("cannot import ") && Catch::Contains("gluon_scale.py") &&
                               Catch::Contains("Triton 3.2.0 (") &&
                               Catch::Contains("Gluon kernels need 3.5 or newer"));
  TritonWorkspace gluon_ok("gluon");
  auto built = build(fs::path(AOTC_SOURCE_DIR) / "tests/triton/data/gluon-scale-matrix.json",
                     gluon_ok / "out");
  INFO(built.output);
  CHECK(built.succeeded());
  CHECK(counts(built.output) == std::array<int, 3>{6, 0, 0});
}

TEST_CASE("dry runs print each Triton object's helper request", "[triton]") {
  TritonWorkspace ws("dry");
  auto result = build(aotc::test::example_matrix(), ws / "out", {"--dry-run"});
  REQUIRE(result.succeeded());
  std::size_t lines = 0;
  for (std::size_t start = 0; start < result.output.size();) {
    std::size_t end = result.output.find('\n', start);
    std::string line = result.output.substr(start, end - start);
    start = end == std::string::npos ? result.output.size() : end + 1;
    if (line.empty()) continue;
    auto request = nlohmann::json::parse(line);
    CHECK(request.contains("signature"));
    CHECK(request["outputs"].contains("triton.json"));
    ++lines;
  }
  CHECK(lines == 36);
  CHECK_FALSE(fs::exists(ws / "out"));
}

TEST_CASE("with no compile-time history, each entry's largest constexprs compile first",
          "[triton][costs]") {
  TritonWorkspace ws("size-order");
  // One slot, a fresh cache (no compile_seconds.tsv): the order of the progress lines is the
  // compile order. The reduce entry's BLOCK_M is 64 or 32; plan order alternates the two.
  auto built = aotc::test::run_aotc({"build", aotc::test::example_matrix().string(), "-o",
                                     (ws / "out").string(), "--cache-dir", (ws / "cache").string(),
                                     "-j", "1", "--python", aotc::test::python3()});
  INFO(built.output);
  REQUIRE(built.succeeded());
  std::vector<std::pair<std::string, std::string>> order;  // (target, object)
  std::istringstream lines(built.output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string progress, target, object;
    if (line.starts_with("[") && words >> progress >> target >> object)
      order.emplace_back(target, object);
  }
  REQUIRE(order.size() == 36);
  // Targets one after another; within each, every reduce of BLOCK_M 32 after every object of
  // BLOCK_M 64 (the partial entry's BLOCK_M x BLOCK_K is 4096 in both tiles: plan order).
  for (const std::string target : {"gfx942", "gfx950", "sm_90a"}) {
    INFO(target);
    std::optional<std::size_t> last_m64;
    std::size_t first_small_reduce = order.size();
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (order[i].first != target) continue;
      const std::string& object = order[i].second;
      if (object.find(".m64k64w4.") != std::string::npos) last_m64 = i;
      if (object.find(".m32k128w4.splitk_gemv_reduce") != std::string::npos)
        first_small_reduce = std::min(first_small_reduce, i);
    }
    REQUIRE(last_m64.has_value());
    REQUIRE(first_small_reduce < order.size());
    CHECK(*last_m64 < first_small_reduce);
  }
}
