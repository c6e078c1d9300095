#include "launcher/launcher_generator.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "core/atomic_file.h"
#include "launcher/launcher_fixture.h"
#include "tool_skip.h"

using namespace aotc;
using nlohmann::json;

namespace {

struct Generated {
  test::SplitSumBuild build;
  std::filesystem::path include;  // out/include
};

// Builds split_sum and generates its launcher; `rule` may edit the launch rule first.
std::optional<Generated> generate(const std::string& name,
                                  const std::function<void(json&)>& rule = {}) {
  std::string why_not;
  std::optional<test::SplitSumBuild> build = test::build_split_sum(name, &why_not);
  if (!build) {
    test::missing_tool(why_not);
    return std::nullopt;
  }
  if (rule) rule(build->matrix.kernels[0].launch);
  Result<std::vector<std::filesystem::path>> files =
      test::generate_from_manifest(build->matrix, build->manifest, build->out_dir);
  INFO((files ? "" : files.error().message));
  REQUIRE(files.ok());
  const std::filesystem::path include = build->out_dir / "include";
  return Generated{std::move(*build), include};
}

// Compiles the test driver with the generated launcher (and, if `embed`, its .S) and links it
// against the runtime's shared library. Returns the executable.
std::filesystem::path compile_driver(const Generated& g, const std::string& compiler, bool embed,
                                     const std::string& name) {
  const std::filesystem::path aotc_dir = g.include / "aotc";
  const std::filesystem::path runtime = AOTC_RUNTIME_SHARED_LIBRARY;
  const std::filesystem::path exe = g.build.out_dir.parent_path() / name;
  const std::string command =
      test::driver_compiler(compiler) + " -std=c++17 -Wall -Wextra -Werror -pthread -I" +
      test::shell_quote(g.include.string()) + " -I" +
      test::shell_quote(AOTC_SOURCE_DIR "/runtime/include") + " " +
      test::shell_quote(AOTC_SOURCE_DIR "/tests/launcher/data/split_sum_driver.cc") + " " +
      test::shell_quote((aotc_dir / "split_sum_launcher.cc").string()) +
      (embed ? " " + test::shell_quote((aotc_dir / "split_sum_embed.S").string()) : std::string()) +
      " " + test::shell_quote(runtime.string()) + " -Wl,-rpath," +
      test::shell_quote(runtime.parent_path().string()) + " -o " + test::shell_quote(exe.string());
  const test::CommandResult r = test::run_command(command);
  INFO(command << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.empty());  // not even a warning
  return exe;
}

// Compiles stand-in driver libraries into `dir`: file name -> C source and flags.
void build_fake_drivers(const std::filesystem::path& dir,
                        const std::map<std::string, std::string>& fakes) {
  for (const auto& [name, source] : fakes) {
    const test::CommandResult r =
        test::run_command("cc -shared -fPIC -O1 -Wall -Werror " + source + " -o " +
                          test::shell_quote((dir / name).string()));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
  }
}

std::string run(const std::filesystem::path& exe, const std::string& args) {
  const test::CommandResult r = test::run_command(test::shell_quote(exe.string()) + " " + args);
  INFO(exe.string() << " " << args << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
  return r.output;
}

// "acc=f32 block=64 tile=1x32", from the manifest's axis values.
std::string key_string(const json& axes) {
  return "acc=" + axes["acc"].get<std::string>() +
         " block=" + std::to_string(axes["block"].get<int>()) +
         " tile=" + std::to_string(axes["tile"][0].get<int>()) + "x" +
         std::to_string(axes["tile"][1].get<int>());
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE(
    "generated launchers compile warning-free with g++ and clang++-22 and find every variant") {
  std::optional<Generated> g = generate("generated_compiles");
  if (!g) return;
  std::vector<std::string> compilers{"g++"};
  if (test::find_tool("clang++-22")) {
    compilers.push_back("clang++-22");
  } else {
    test::missing_tool("clang++-22: the generated code is only checked with g++");
  }
  for (const std::string& compiler : compilers) {
    INFO(compiler);
    const std::filesystem::path exe = compile_driver(*g, compiler, true, "driver-" + compiler);
    // The variant table is the manifest's, each key as the manifest records it, each supported.
    std::set<std::string> want, got;
    for (const json& v : g->build.manifest["variants"]) {
      want.insert(v["name"].get<std::string>() + "|" + key_string(v["axes"]) + "|1");
    }
    for (const std::string& line : lines(run(exe, "variants"))) got.insert(line);
    CHECK(got == want);
  }
}

TEST_CASE("an unknown key is unsupported and its error lists the nearest built keys") {
  std::optional<Generated> g = generate("unknown_key");
  if (!g) return;
  const std::filesystem::path exe = compile_driver(*g, "g++", false, "driver");
  // (acc, block, items, reduce) keys that were not built: excluded by the matrix, or off-axis.
  const std::vector<std::vector<std::string>> keys{
      {"f64", "64", "1", "32"}, {"f32", "128", "4", "64"}, {"f64", "64", "2", "2"}};
  for (const std::vector<std::string>& key : keys) {
    const std::string out =
        run(exe, "lookup " + key[0] + " " + key[1] + " " + key[2] + " " + key[3]);
    INFO(out);
    CHECK_THAT(out, Catch::StartsWith("supported=0\n"));
    CHECK_THAT(out, Catch::Contains("split_sum: no variant was built for {acc=" + key[0] +
                                    " block=" + key[1] + " tile=" + key[2] + "x" + key[3] + "}"));
    // Nearest = fewest differing axes, counted here from the manifest.
    std::map<std::string, int> differing;
    for (const json& v : g->build.manifest["variants"]) {
      const json& a = v["axes"];
      differing[v["name"].get<std::string>()] =
          (a["acc"] != key[0]) + (a["block"] != std::stoi(key[1])) +
          (a["tile"] != json::array({std::stoi(key[2]), std::stoi(key[3])}));
    }
    const int best = std::min_element(differing.begin(), differing.end(), [](auto& x, auto& y) {
                       return x.second < y.second;
                     })->second;
    CHECK_THAT(out, Catch::Contains("(" + std::to_string(best) +
                                    (best == 1 ? " axis differs)" : " axes differ)")));
    for (const auto& [name, d] : differing) {
      INFO(name << " differs in " << d);
      CHECK((out.find("(" + name + ")") != std::string::npos) == (d == best));
    }
  }
  CHECK_THAT(run(exe, "lookup f32 256 4 64"), Catch::StartsWith("supported=1\n"));
}

TEST_CASE("plans follow the launch rule: values, workspace, conditional second step") {
  std::optional<Generated> g = generate("plans");
  if (!g) return;
  const std::filesystem::path exe = compile_driver(*g, "g++", false, "driver");
  struct Case {
    std::int64_t block, items, reduce, n, sms;
  };
  for (const Case c : {Case{256, 4, 64, 1000000, 132}, Case{64, 1, 32, 10, 132},
                       Case{256, 1, 32, 1 << 30, 8}, Case{64, 4, 64, 0, 100}}) {
    // The rule of split-sum-matrix.json, restated: num_partitions =
    // max(1, min(ceil_div(n, block * items * 4), 2 * sms)); workspace = num_partitions * 8.
    const std::int64_t per = c.block * c.items * 4;
    const std::int64_t parts =
        std::max<std::int64_t>(1, std::min((c.n + per - 1) / per, 2 * c.sms));
    const std::string out = run(exe, "plan f32 " + std::to_string(c.block) + " " +
                                         std::to_string(c.items) + " " + std::to_string(c.reduce) +
                                         " " + std::to_string(c.n) + " " + std::to_string(c.sms));
    INFO(out);
    const std::string variant = "split_sum.f32.b" + std::to_string(c.block) + ".t" +
                                std::to_string(c.items) + "x" + std::to_string(c.reduce);
    CHECK(out == "variant " + variant + "\nworkspace " + std::to_string(parts * 8) +
                     "\nstep split_sum_partial run=1 grid=" + std::to_string(parts) +
                     ",1,1 block=" + std::to_string(c.block) +
                     ",1,1 shared=0\nstep split_sum_reduce run=" +
                     (parts > 1 ? "1 grid=1,1,1 block=" + std::to_string(c.reduce) + ",1,1"
                                : std::string("0 grid=1,1,1 block=1,1,1")) +
                     " shared=0\n");
  }
}

// split-sum-matrix.json's rule written per vendor where it matters: NVIDIA runs half the block with
// 96 KiB of dynamic shared memory (above the 48 KiB that needs the driver's opt-in) and never the
// second step.
void per_vendor_rule(json& rule) {
  rule["steps"][0]["block"] =
      json::array({json{{"amd", "SPLIT_BLOCK"}, {"nvidia", "SPLIT_BLOCK / 2"}}});
  rule["steps"][0]["shared_bytes"] = {{"amd", "0"}, {"nvidia", "98304"}};
  rule["steps"][1]["when"] = {{"amd", "num_partitions > 1"},
                              {"nvidia", "num_partitions > 1000000"}};
}

TEST_CASE("per-vendor rules compile warning-free and plan() gives each vendor's figures") {
  std::optional<Generated> g = generate("per_vendor_plans", per_vendor_rule);
  if (!g) return;
  std::vector<std::string> compilers{"g++"};
  if (test::find_tool("clang++-22")) compilers.push_back("clang++-22");
  for (const std::string& compiler : compilers) {
    INFO(compiler);
    const std::filesystem::path exe = compile_driver(*g, compiler, false, "driver-" + compiler);
    // 1,000,000 elements in slices of 256 * 4 * 4: 245 partitions on either vendor.
    CHECK(run(exe, "plan f32 256 4 64 1000000 132 amd") ==
          "variant split_sum.f32.b256.t4x64\nworkspace 1960\n"
          "step split_sum_partial run=1 grid=245,1,1 block=256,1,1 shared=0\n"
          "step split_sum_reduce run=1 grid=1,1,1 block=64,1,1 shared=0\n");
    CHECK(run(exe, "plan f32 256 4 64 1000000 132 nvidia") ==
          "variant split_sum.f32.b256.t4x64\nworkspace 1960\n"
          "step split_sum_partial run=1 grid=245,1,1 block=128,1,1 shared=98304\n"
          "step split_sum_reduce run=0 grid=1,1,1 block=1,1,1 shared=0\n");
    // A device description without a vendor cannot choose.
    CHECK(run(exe, "plan f32 256 4 64 1000000 132") ==
          "error 4 split_sum: variant split_sum.f32.b256.t4x64 on the given Device (vendor "
          "unknown): launch.steps[0].block[0]: the rule differs per vendor: Device::vendor must "
          "be amd or nvidia\n");
  }
}

TEST_CASE(
    "per-vendor rules launch through the runtime's CUDA and HIP backends (stand-in drivers)") {
  std::optional<Generated> g = generate("per_vendor_launch", per_vendor_rule);
  if (!g) return;
  const std::filesystem::path dir = g->build.out_dir.parent_path();
  const std::map<std::string, std::string> fakes{
      {"fake_cuda.so", AOTC_SOURCE_DIR "/tests/launcher/data/fake_cuda.c"},
      {"fake_hip.so",
       AOTC_SOURCE_DIR "/tests/runtime/data/fake_hip.c -DFAKE_R0600 -DFAKE_HIP_TRACE"}};
  build_fake_drivers(dir, fakes);
  const std::filesystem::path exe = compile_driver(*g, "g++", true, "driver");
  const std::string launch = test::shell_quote(exe.string()) + " launch f32 256 4 64 1000000";
  // NVIDIA's figures; the launch works only because the runtime opts into 96 KiB first.
  const test::CommandResult cuda = test::run_command(
      "AOTC_BACKEND=cuda AOTC_CUDA_LIBRARY=" + test::shell_quote((dir / "fake_cuda.so").string()) +
      " " + launch);
  INFO(cuda.output);
  CHECK(cuda.output ==
        "fake_cuda: cuFuncSetAttribute(function 1, attribute 8, 98304)\n"
        "fake_cuda: cuLaunchKernel(function 1, grid 245,1,1, block 128,1,1, shared 98304)\n"
        "code 0\n\n");
  // AMD's figures on the stand-in HIP runtime (304 multiprocessors, gfx942).
  const test::CommandResult hip = test::run_command(
      "AOTC_BACKEND=hip AOTC_HIP_LIBRARY=" + test::shell_quote((dir / "fake_hip.so").string()) +
      " " + launch);
  INFO(hip.output);
  CHECK(hip.output ==
        "fake_hip: hipModuleLaunchKernel(grid 245,1,1, block 256,1,1, shared 0)\n"
        "fake_hip: hipModuleLaunchKernel(grid 1,1,1, block 64,1,1, shared 0)\n"
        "code 0\n\n");
  // workspace_bytes() asks the current device's vendor: the same figure from either driver.
  for (const std::string backend : {"cuda", "hip"}) {
    const std::string library = backend == "cuda" ? "fake_cuda.so" : "fake_hip.so";
    const std::string env = backend == "cuda" ? "AOTC_CUDA_LIBRARY=" : "AOTC_HIP_LIBRARY=";
    const test::CommandResult w = test::run_command(
        "AOTC_BACKEND=" + backend + " " + env + test::shell_quote((dir / library).string()) + " " +
        test::shell_quote(exe.string()) + " workspace f32 256 4 64 1000000");
    INFO(w.output);
    CHECK(w.output == "code 0\n\nbytes 1960\n");
  }
}

TEST_CASE(
    "a step with overlap_previous overlaps the step before it where the driver and device can") {
  std::optional<Generated> g =
      generate("overlap_launch", [](json& rule) { rule["steps"][1]["overlap_previous"] = true; });
  if (!g) return;
  const std::filesystem::path dir = g->build.out_dir.parent_path();
  // Stand-in drivers: CUDA on sm_90, with and without cuLaunchKernelEx; HIP (no such launch).
  // (A device below sm_90 is runtime:AOTC_LAUNCH_OVERLAP_PREVIOUS's: this build is sm_90a only.)
  const std::map<std::string, std::string> fakes{
      {"fake_cuda.so", AOTC_SOURCE_DIR "/tests/launcher/data/fake_cuda.c"},
      {"fake_cuda_old.so",
       AOTC_SOURCE_DIR "/tests/launcher/data/fake_cuda.c -DFAKE_CUDA_NO_LAUNCH_EX"},
      {"fake_hip.so",
       AOTC_SOURCE_DIR "/tests/runtime/data/fake_hip.c -DFAKE_R0600 -DFAKE_HIP_TRACE"}};
  build_fake_drivers(dir, fakes);
  const std::filesystem::path exe = compile_driver(*g, "g++", true, "driver");
  const auto launch = [&](const std::string& backend, const std::string& library) {
    const std::string env = backend == "cuda" ? "AOTC_CUDA_LIBRARY=" : "AOTC_HIP_LIBRARY=";
    const test::CommandResult r = test::run_command(
        "AOTC_BACKEND=" + backend + " " + env + test::shell_quote((dir / library).string()) + " " +
        test::shell_quote(exe.string()) + " launch f32 256 4 64 1000000");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    return r.output;
  };
  // The reduce (function 2) with programmatic stream serialization (attribute 6) allowed; the
  // first step as before.
  const std::string plain_first =
      "fake_cuda: cuLaunchKernel(function 1, grid 245,1,1, block 256,1,1, shared 0)\n";
  CHECK(launch("cuda", "fake_cuda.so") ==
        plain_first +
            "fake_cuda: cuLaunchKernelEx(function 2, grid 1,1,1, block 64,1,1, shared 0, "
            "attribute 6=1)\ncode 0\n\n");
  // Where the device or the driver cannot overlap: plain launches, in stream order.
  const std::string plain_both =
      plain_first + "fake_cuda: cuLaunchKernel(function 2, grid 1,1,1, block 64,1,1, shared 0)\n" +
      "code 0\n\n";
  CHECK(launch("cuda", "fake_cuda_old.so") == plain_both);
  CHECK(launch("hip", "fake_hip.so") ==
        "fake_hip: hipModuleLaunchKernel(grid 245,1,1, block 256,1,1, shared 0)\n"
        "fake_hip: hipModuleLaunchKernel(grid 1,1,1, block 64,1,1, shared 0)\n"
        "code 0\n\n");
}

TEST_CASE("aotc build refuses an overlapped step whose kernel never waits for the one before it") {
  if (!test::find_tool("clang-22")) {
    test::missing_tool("clang-22: cannot compile the split_sum test kernels");
    return;
  }
  Result<std::string> text =
      read_file_text(AOTC_SOURCE_DIR "/tests/launcher/data/split-sum-matrix.json");
  REQUIRE(text.ok());
  json matrix = json::parse(*text);
  matrix["root"] = AOTC_SOURCE_DIR "/tests/launcher/data";
  const std::filesystem::path dir = test::fresh_dir("overlap_waits");
  // Builds the matrix with `overlap_previous` on one step, into out<step>.
  const auto build = [&](int step) {
    json m = matrix;
    m["kernels"][0]["launch"]["steps"][step]["overlap_previous"] = true;
    const std::filesystem::path file = dir / ("matrix" + std::to_string(step) + ".json");
    REQUIRE(write_file_atomic(file, m.dump(2)).ok());
    return test::run_command(test::shell_quote(AOTC_EXE) + " build " +
                             test::shell_quote(file.string()) + " -o " +
                             test::shell_quote((dir / ("out" + std::to_string(step))).string()));
  };
  // split_sum_reduce waits (griddepcontrol.wait on sm_90+): accepted, and the manifest says which
  // sm_90a entries wait, read from each cubin's PTX.
  const test::CommandResult accepted = build(1);
  INFO(accepted.output);
  REQUIRE(accepted.exit_code == 0);
  Result<std::string> manifest = read_file_text(dir / "out1/manifest.json");
  REQUIRE(manifest.ok());
  const json parsed = json::parse(*manifest);
  int nvidia_objects = 0;
  for (const json& variant : parsed["variants"])
    for (const json& object : variant["objects"]) {
      if (object["target"] != "sm_90a") continue;
      ++nvidia_objects;
      for (const json& kernel : object["metadata"]["kernels"])
        CHECK(kernel.at("waits_for_prior_grid") == (kernel["name"] == "split_sum_reduce"));
    }
  CHECK(nvidia_objects > 0);
  // split_sum_partial never waits: refused, naming variant, target, step and entry.
  const test::CommandResult refused = build(0);
  INFO(refused.output);
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.output,
             Catch::Contains("[sm_90a]: steps[0] (split_sum_partial): overlap_previous, but the "
                             "kernel never waits for the kernel before it"));
  CHECK_FALSE(std::filesystem::exists(dir / "out0/include/aotc/split_sum_launcher.h"));
}

// Every error of launch() names the kernel, the variant, the device and, past evaluation, the
// step; checked through the runtime's CUDA backend over the stand-in libcuda (no GPU needed).
TEST_CASE("launch errors name kernel, variant, device and step, and files need a kernel dir") {
  std::optional<Generated> g = generate("launch_errors", [](json& rule) {
    // NVIDIA: n bytes of shared memory (more than the driver allows for n = 1000000), and a
    // `when` that divides by zero for n = 7.
    rule["steps"][0]["shared_bytes"] = {{"amd", "0"}, {"nvidia", "n"}};
    rule["steps"][1]["when"] = {{"amd", "num_partitions > 1"}, {"nvidia", "n / (n - 7) > 0"}};
  });
  if (!g) return;
  const std::filesystem::path dir = g->build.out_dir.parent_path();
  const std::filesystem::path fake = dir / "fake_cuda.so";
  const test::CommandResult built = test::run_command(
      "cc -shared -fPIC -O1 -Wall -Werror " AOTC_SOURCE_DIR "/tests/launcher/data/fake_cuda.c -o " +
      test::shell_quote(fake.string()));
  INFO(built.output);
  REQUIRE(built.exit_code == 0);
  const std::string cuda =
      "AOTC_BACKEND=cuda AOTC_CUDA_LIBRARY=" + test::shell_quote(fake.string());
  const std::string variant = "split_sum: variant split_sum.f32.b256.t4x64 on device 0 (sm_90)";
  const std::filesystem::path embedded = compile_driver(*g, "g++", true, "driver-embedded");
  const auto launch = [&](const std::filesystem::path& exe, const std::string& env,
                          const std::string& n) {
    const test::CommandResult r = test::run_command(
        cuda + " " + env + " " + test::shell_quote(exe.string()) + " launch f32 256 4 64 " + n);
    INFO(r.output);
    CHECK(r.exit_code == 0);
    return r.output;
  };
  SECTION("a step the driver refuses") {
    const std::string out = launch(embedded, "", "1000000");
    CHECK_THAT(out,
               Catch::Contains("code 5\n" + variant + ": launch.steps[0] (split_sum_partial): "));
  }
  SECTION("a rule that fails for these arguments") {
    CHECK_THAT(launch(embedded, "", "7"),
               Catch::EndsWith("code 4\n" + variant +
                               ": launch.steps[1].when: division by zero (value 7)\n"));
  }
  SECTION("code objects from files: none without a kernel directory, the same launch with one") {
    const std::filesystem::path files = compile_driver(*g, "g++", false, "driver-files");
    CHECK(launch(files, "AOTC_KERNEL_DIR=", "1000") ==
          "code 3\n" + variant +
              ": loading its code objects: the code objects are not embedded (link "
              "split_sum_embed.S) and no kernel directory is set (aotc::gen::set_kernel_dir() or "
              "$AOTC_KERNEL_DIR: the aotc build's output directory)\n");
    const std::string from_files =
        launch(files, "AOTC_KERNEL_DIR=" + test::shell_quote(g->build.out_dir.string()), "1000");
    CHECK_THAT(from_files, Catch::EndsWith("code 0\n\n"));
    CHECK(from_files == launch(embedded, "", "1000"));
  }
}

TEST_CASE("workspace_bytes() needs no driver when the rule reads no device attribute") {
  std::optional<Generated> g = generate("workspace_without_device", [](json& rule) {
    rule["values"]["num_partitions"] = "max(1, min(ceil_div(n, SPLIT_BLOCK * 1024), 64))";
  });
  if (!g) return;
  const std::filesystem::path exe = compile_driver(*g, "g++", false, "driver");
  // A driver that cannot load: touching it would fail with AOTC_ERROR_NO_DRIVER (code 1).
  const test::CommandResult r =
      test::run_command("AOTC_BACKEND=cuda AOTC_CUDA_LIBRARY=/nonexistent/libcuda.so.1 " +
                        test::shell_quote(exe.string()) + " workspace f32 256 4 64 1000000");
  INFO(r.output);
  // ceil_div(1000000, 256 * 1024) = 4 partitions of 8 bytes.
  CHECK(r.output == "code 0\n\nbytes 32\n");
}

TEST_CASE("launch() without a GPU returns a clear error instead of crashing") {
  // Rules reading device.* query the device first; others go straight to loading and launching.
  const bool reads_device = GENERATE(true, false);
  INFO("rule reads device.*: " << reads_device);
  std::optional<Generated> g =
      generate(reads_device ? "no_gpu_launch" : "no_gpu_launch_no_device", [&](json& rule) {
        if (!reads_device)
          rule["values"]["num_partitions"] = "max(1, min(ceil_div(n, SPLIT_BLOCK * 1024), 64))";
      });
  if (!g) return;
  const std::filesystem::path exe = compile_driver(*g, "g++", false, "driver");
  const std::string kernel_dir = "AOTC_KERNEL_DIR=" + test::shell_quote(g->build.out_dir.string());
  const std::vector<std::string> out =
      lines(test::run_command(kernel_dir + " " + exe.string() + " launch f32 256 4 64").output);
  REQUIRE(out.size() >= 2);
  // Debian's libamdhip64 resolves but finds no device; a machine without it has no driver.
  CHECK((out[0] == "code 1" || out[0] == "code 2"));
  CHECK(out[1].size() > 10);
  const std::vector<std::string> unknown = lines(run(exe, "launch f64 64 1 32"));
  CHECK(unknown[0] == "code 4");  // the key is checked before any driver is touched
}

TEST_CASE(
    "embedded images are the build's files byte for byte, and without the .S files are used") {
  std::optional<Generated> g = generate("embedded_images");
  if (!g) return;
  std::vector<std::filesystem::path> files;  // in manifest order, as the launcher lists them
  for (const json& v : g->build.manifest["variants"]) {
    for (const json& o : v["objects"]) {
      files.push_back(g->build.out_dir / o["file"].get<std::string>());
      if (o.contains("ptx_file"))
        files.push_back(g->build.out_dir / o["ptx_file"].get<std::string>());
    }
  }
  const std::filesystem::path dump = g->build.out_dir.parent_path() / "dump";
  std::filesystem::create_directories(dump);
  const std::filesystem::path with = compile_driver(*g, "g++", true, "driver-embedded");
  CHECK_THAT(run(with, "embedded " + dump.string() + " " + std::to_string(files.size())),
             Catch::StartsWith("embedded=1"));
  for (std::size_t i = 0; i < files.size(); ++i) {
    INFO(files[i]);
    Result<std::vector<std::uint8_t>> want = read_file_bytes(files[i]);
    Result<std::vector<std::uint8_t>> got = read_file_bytes(dump / std::to_string(i));
    REQUIRE((want.ok() && got.ok()));
    if (files[i].extension() == ".ptx") want->push_back(0);  // PTX is handed over NUL-terminated
    CHECK(*got == *want);
  }
  const std::filesystem::path without = compile_driver(*g, "g++", false, "driver-files");
  CHECK_THAT(run(without, "embedded " + dump.string() + " 0"), Catch::StartsWith("embedded=0"));
}

TEST_CASE("the generator refuses rules the code objects contradict and keeps unchanged files") {
  std::string why_not;
  std::optional<test::SplitSumBuild> build = test::build_split_sum("generator_refusals", &why_not);
  if (!build) {
    test::missing_tool(why_not);
    return;
  }
  SECTION("an argument list one short") {
    Matrix m = build->matrix;
    m.kernels[0].launch["steps"][1]["args"].erase(2);
    // `aotc build` already wrote launchers for the valid rule; a refused generation must leave
    // them exactly as they were.
    const std::filesystem::path header = build->out_dir / "include/aotc/split_sum_launcher.h";
    Result<std::string> before = read_file_text(header);
    Result<std::vector<std::filesystem::path>> r =
        test::generate_from_manifest(m, build->manifest, build->out_dir);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message,
               Catch::Contains("split_sum.f32.b64.t1x32 [gfx942]: steps[1] (split_sum_reduce): "
                               "the rule passes 2 arguments but the kernel takes 3"));
    Result<std::string> after = read_file_text(header);
    REQUIRE(before.ok());
    REQUIRE(after.ok());
    CHECK(*after == *before);
  }
  SECTION("a define that is not an integer") {
    Matrix m = build->matrix;
    m.kernels[0].launch["steps"][0]["block"][0] = "SPLIT_ACC";
    Result<std::vector<std::filesystem::path>> r =
        test::generate_from_manifest(m, build->manifest, build->out_dir);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message,
               Catch::Contains("(split_sum.f32.b64.t1x32): the launch rule reads SPLIT_ACC as an "
                               "integer, but it is 'SPLIT_ACC_F32'"));
  }
  SECTION("a block larger than the compiled maximum") {
    Matrix m = build->matrix;
    m.kernels[0].launch["steps"][0]["block"] = json::array({"SPLIT_BLOCK * 8"});
    Result<std::vector<std::filesystem::path>> r =
        test::generate_from_manifest(m, build->manifest, build->out_dir);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message,
               Catch::Contains("split_sum.f32.b256.t1x32 [gfx942]: steps[0] (split_sum_partial): "
                               "block of 2048 threads exceeds the kernel's maximum of 1024"));
  }
  SECTION("a per-vendor block larger than that vendor's compiled maximum") {
    Matrix m = build->matrix;
    m.kernels[0].launch["steps"][0]["block"] =
        json::array({json{{"amd", "SPLIT_BLOCK"}, {"nvidia", "SPLIT_BLOCK * 8"}}});
    Result<std::vector<std::filesystem::path>> r =
        test::generate_from_manifest(m, build->manifest, build->out_dir);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message,
               Catch::Contains("split_sum.f32.b256.t1x32 [sm_90a]: steps[0] (split_sum_partial): "
                               "block of 2048 threads exceeds the kernel's maximum of 1024"));
    CHECK(r.error().message.find("[gfx942]") == std::string::npos);
  }
  SECTION("regenerating unchanged launchers leaves the files alone") {
    Result<std::vector<std::filesystem::path>> first =
        test::generate_from_manifest(build->matrix, build->manifest, build->out_dir);
    REQUIRE(first.ok());
    CHECK(first->size() == 5);  // launcher .h, .cc, embed .S; C ABI .h, .cc
    std::map<std::filesystem::path, std::filesystem::file_time_type> times;
    for (const auto& p : *first) {
      std::filesystem::last_write_time(
          p, std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
      times[p] = std::filesystem::last_write_time(p);
    }
    Result<std::vector<std::filesystem::path>> again =
        test::generate_from_manifest(build->matrix, build->manifest, build->out_dir);
    REQUIRE(again.ok());
    for (const auto& p : *again) CHECK(std::filesystem::last_write_time(p) == times[p]);
  }
  SECTION("kernels without a launch rule get no launcher") {
    Matrix m = build->matrix;
    m.kernels[0].launch = nullptr;
    Result<std::vector<std::filesystem::path>> r =
        test::generate_from_manifest(m, build->manifest, build->out_dir);
    REQUIRE(r.ok());
    CHECK(r->empty());
  }
}

TEST_CASE("the launch-overhead benchmark compiles against a generated launcher") {
  std::optional<Generated> g = generate("launch_overhead_bench");
  if (!g) return;
  const std::filesystem::path runtime = AOTC_RUNTIME_SHARED_LIBRARY;
  const std::filesystem::path exe = g->build.out_dir.parent_path() / "launch_overhead_bench";
  const std::string command =
      test::driver_compiler("g++") + " -std=c++17 -O2 -Wall -Wextra -Werror -I" +
      g->include.string() + " -I" AOTC_SOURCE_DIR "/runtime/include " +
      AOTC_SOURCE_DIR "/tests/launcher/data/launch_overhead_bench.cc " +
      (g->include / "aotc/split_sum_launcher.cc").string() + " " +
      (g->include / "aotc/split_sum_embed.S").string() + " " + runtime.string() + " -Wl,-rpath," +
      runtime.parent_path().string() + " -ldl -o " + exe.string();
  const test::CommandResult r = test::run_command(command);
  INFO(command << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
  // No GPU here: it must say what it needs, not crash.
  const test::CommandResult ran = test::run_command(
      exe.string() + " " + (g->build.out_dir / "sm_90a/split_sum.f32.b64.t1x32.cubin").string());
  INFO(ran.output);
  CHECK(ran.exit_code == 2);
  CHECK_THAT(ran.output, Catch::Contains("needs an NVIDIA GPU"));
}

TEST_CASE("aotc build refuses a per-vendor rule without a vendor it builds for, before compiling") {
  const std::filesystem::path dir = test::fresh_dir("per_vendor_refused");
  Result<std::string> text =
      read_file_text(AOTC_SOURCE_DIR "/tests/launcher/data/split-sum-matrix.json");
  REQUIRE(text.ok());
  json matrix = json::parse(*text);
  matrix["kernels"][0]["launch"]["steps"][0]["shared_bytes"] = {{"amd", "0"}};
  REQUIRE(write_file_atomic(dir / "m.json", matrix.dump(2)).ok());
  std::filesystem::copy_file(AOTC_SOURCE_DIR "/tests/launcher/data/split_sum.hip",
                             dir / "split_sum.hip");
  const test::CommandResult r = test::run_command(
      test::shell_quote(AOTC_EXE) + " build " + test::shell_quote((dir / "m.json").string()) +
      " -o " + test::shell_quote((dir / "out").string()) + " --clang /nonexistent/clang");
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.output, Catch::Contains("m.json: kernels[0].launch.steps[0].shared_bytes: no "
                                       "expression for nvidia, which the kernel is built for"));
  CHECK_FALSE(std::filesystem::exists(dir / "out"));
}
