#include "codeobj/test_tools.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace aotc::test {

CommandResult run_command(const std::string& command) {
  CommandResult result;
  std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return result;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::optional<std::string> find_tool(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    if (c.find('/') != std::string::npos) {
      if (access(c.c_str(), X_OK) == 0) return c;
      continue;
    }
    auto r = run_command("command -v " + c);
    if (r.exit_code == 0 && !r.output.empty()) return r.output.substr(0, r.output.find('\n'));
  }
  return std::nullopt;
}

std::optional<std::string> clang22() {
  return find_tool({"clang-22", "/usr/lib/llvm-22/bin/clang"});
}
std::optional<std::string> bundler22() {
  return find_tool({"/usr/lib/llvm-22/bin/clang-offload-bundler", "clang-offload-bundler-22"});
}
std::optional<std::string> bundler19() {
  return find_tool({"/usr/lib/llvm-19/bin/clang-offload-bundler", "clang-offload-bundler-19"});
}
std::optional<std::string> readelf22() {
  return find_tool({"llvm-readelf-22", "/usr/lib/llvm-22/bin/llvm-readelf"});
}
std::optional<std::string> ptxas() { return find_tool({"ptxas", "/usr/local/cuda/bin/ptxas"}); }

ScratchDir::ScratchDir(const std::string& name) {
  path_ = std::filesystem::path(AOTC_BINARY_DIR) / "test-scratch" /
          (name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string sample_hip_source() {
  return R"(
struct Params { float scale; int n; double bias; };
extern "C" __attribute__((global)) void scale_add(float* out, const float* in, Params p) {
  int i = __builtin_amdgcn_workgroup_id_x() * __builtin_amdgcn_workgroup_size_x() +
          __builtin_amdgcn_workitem_id_x();
  if (i < p.n) out[i] = in[i] * p.scale + (float)p.bias;
}
extern "C" __attribute__((global)) __attribute__((amdgpu_flat_work_group_size(1, 256)))
void lds_reverse(double* out, long k) {
  __attribute__((shared)) float buf[2048];
  int i = __builtin_amdgcn_workitem_id_x();
  buf[i] = i * k;
  __builtin_amdgcn_s_barrier();
  out[i] = buf[255 - i];
}
#ifdef USE_MFMA
typedef float v4f __attribute__((ext_vector_type(4)));
extern "C" __attribute__((global)) void mfma(v4f* out, const float* a, const float* b) {
  int i = __builtin_amdgcn_workitem_id_x();
  v4f acc = out[i];
  for (int j = 0; j < 8; ++j)
    acc = __builtin_amdgcn_mfma_f32_16x16x4f32(a[i + j], b[i + j], acc, 0, 0, 0);
  out[i] = acc;
  // Pin an accumulator register so the kernel reports AGPRs whatever the register allocator does.
  __asm__ volatile("v_accvgpr_write_b32 a5, %0" : : "v"(a[i]) : "a5");
}
#endif
)";
}

std::filesystem::path compile_hsaco(const ScratchDir& dir, const std::string& offload_arch,
                                    const std::string& extra_flags, const std::string& source) {
  auto src = dir / "k.hip";
  write_text(src, source.empty() ? sample_hip_source() : source);
  std::string safe = offload_arch;
  for (char& c : safe)
    if (c == ':' || c == '+') c = '_';
  auto out = dir / (safe + ".hsaco");
  auto r = run_command(*clang22() + " -x hip --offload-arch=" + offload_arch +
                       " -nogpuinc -nogpulib --offload-device-only --no-gpu-bundle-output -O3 " +
                       extra_flags + " " + src.string() + " -o " + out.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return out;
}

}  // namespace aotc::test
