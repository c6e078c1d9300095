// Cubin and PTX reading against ptxas itself: our registers, shared memory and stack frame must
// equal what `ptxas -v` reports for the same compile, and the parameter layout read from the
// cubin's .nv.info must equal the one computed from the PTX .entry declarations.
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <sstream>

#include "codeobj/kernel_metadata.h"
#include "codeobj/nvidia_cubin.h"
#include "codeobj/ptx_entries.h"
#include "codeobj/test_tools.h"
#include "tool_skip.h"

using namespace aotc::codeobj;
using namespace aotc::test;

namespace {

const char* kCudaSource = R"(
struct Params { float scale; int n; double bias; };
extern "C" __attribute__((global)) void scale_add(float* out, const float* in, Params p, char c) {
  int i = __nvvm_read_ptx_sreg_tid_x();
  if (i < p.n) out[i] = in[i] * p.scale + (float)p.bias + c;
}
extern "C" __attribute__((global)) __attribute__((launch_bounds(128, 1)))
void shared_reverse(double* out, long k) {
  __attribute__((shared)) float buf[1000];
  int i = __nvvm_read_ptx_sreg_tid_x();
  buf[i] = i * k;
  __nvvm_bar_sync(0);
  out[i] = buf[999 - i];
}
extern "C" __attribute__((global)) void local_array(int* out, int j) {
  int local[64];
  for (int i = 0; i < 64; ++i) local[i] = out[i] * i;
  out[0] = local[j & 63];
}
)";

struct PtxasFigures {
  int registers = -1;
  int shared = 0;
  int stack = -1;
};

// Parses `ptxas -v` output into per-entry figures.
std::map<std::string, PtxasFigures> parse_ptxas_verbose(const std::string& text) {
  std::map<std::string, PtxasFigures> out;
  std::istringstream in(text);
  std::string line, current;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, std::regex("Compiling entry function '([^']+)'")))
      current = m[1];
    if (std::regex_search(line, m, std::regex("Function properties for (\\S+)"))) current = m[1];
    if (current.empty()) continue;
    if (std::regex_search(line, m, std::regex("(\\d+) bytes stack frame")))
      out[current].stack = std::stoi(m[1]);
    if (std::regex_search(line, m, std::regex("Used (\\d+) registers"))) {
      out[current].registers = std::stoi(m[1]);
      if (std::regex_search(line, m, std::regex("(\\d+) bytes smem")))
        out[current].shared = std::stoi(m[1]);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("cubin kernels match ptxas -v and the PTX parameter layout") {
  auto ptxas_path = ptxas();
  if (!clang22() || !ptxas_path) {
    aotc::test::missing_tool("clang-22 or ptxas");
    return;
  }
  ScratchDir dir("cubin");
  write_text(dir / "k.cu", kCudaSource);
  for (std::string arch : {"sm_80", "sm_90a"}) {
    SECTION(arch) {
      auto ptx = dir / (arch + ".ptx");
      auto cubin = dir / (arch + ".cubin");
      auto c = run_command(*clang22() + " -x cuda --cuda-gpu-arch=" + arch +
                           " -nocudainc -nocudalib --cuda-device-only -O3 -S " +
                           (dir / "k.cu").string() + " -o " + ptx.string());
      INFO(c.output);
      REQUIRE(c.exit_code == 0);
      auto p = run_command(*ptxas_path + " -v -arch=" + arch + " " + ptx.string() + " -o " +
                           cubin.string());
      INFO(p.output);
      REQUIRE(p.exit_code == 0);
      auto figures = parse_ptxas_verbose(p.output);

      auto info = read_cubin(read_bytes(cubin));
      REQUIRE(info.ok());
      auto text = read_bytes(ptx);
      auto module = read_ptx(std::string(text.begin(), text.end()));
      REQUIRE(module.ok());
      CHECK(module->target == arch);
      REQUIRE(info->kernels.size() == 3);
      REQUIRE(module->entries.size() == 3);
      for (const NvKernel& k : info->kernels) {
        INFO(k.name);
        REQUIRE(figures.count(k.name));
        CHECK(int(k.registers) == figures[k.name].registers);
        CHECK(int(k.shared_bytes) == figures[k.name].shared);
        CHECK(int(k.local_bytes) == figures[k.name].stack);
        auto entry = std::find_if(module->entries.begin(), module->entries.end(),
                                  [&](const PtxEntry& e) { return e.name == k.name; });
        REQUIRE(entry != module->entries.end());
        REQUIRE(k.params.size() == entry->params.size());
        for (std::size_t i = 0; i < k.params.size(); ++i) {
          CHECK(k.params[i].offset == entry->params[i].offset);
          CHECK(k.params[i].size == entry->params[i].size);
        }
        CHECK(k.param_bytes == entry->param_bytes);
        CHECK(k.max_threads == entry->max_threads);
      }
      // Spot checks that do not depend on ptxas: the struct is 16 bytes at offset 16, the
      // launch bound is 128, the shared array is 4000 bytes.
      auto scale = std::find_if(info->kernels.begin(), info->kernels.end(),
                                [](const NvKernel& k) { return k.name == "scale_add"; });
      REQUIRE(scale != info->kernels.end());
      REQUIRE(scale->params.size() == 4);
      CHECK(scale->params[2].offset == 16);
      CHECK(scale->params[2].size == 16);
      CHECK(scale->params[3].offset == 32);
      auto shared = std::find_if(info->kernels.begin(), info->kernels.end(),
                                 [](const NvKernel& k) { return k.name == "shared_reverse"; });
      CHECK(shared->max_threads == 128);
      CHECK(shared->shared_bytes == 4000);

      auto md = read_kernel_metadata(read_bytes(cubin), "cubin");
      REQUIRE(md.ok());
      CHECK(md->kernels.size() == 3);
      // The ELF records sm_90 for sm_90a: alone it says so; with the build's target it is exact.
      CHECK(md->target_id == (arch == "sm_90a" ? "sm_90" : arch));
      CHECK(md->target_id_note.empty() == (arch != "sm_90a"));
      const KernelInfo* typed = md->find_kernel("shared_reverse");
      REQUIRE(typed != nullptr);
      CHECK(typed->max_threads == 128);
      CHECK(typed->resources.shared_bytes == 4000);
      auto built = read_kernel_metadata(read_bytes(cubin), "cubin", arch);
      REQUIRE(built.ok());
      CHECK(built->target_id == arch);
      CHECK(built->target_id_note.empty());
      auto wrong =
          read_kernel_metadata(read_bytes(cubin), "cubin", arch == "sm_80" ? "sm_90a" : "sm_80");
      REQUIRE_FALSE(wrong.ok());
      CHECK_THAT(wrong.error().message, Catch::Contains("but it was built for"));
      auto ptx_md = read_kernel_metadata(text, "ptx");
      REQUIRE(ptx_md.ok());
      CHECK(ptx_md->target_id == arch);
    }
  }
}
