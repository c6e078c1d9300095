#include "amd_compile.h"

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "matrix/matrix_expand.h"
#include "matrix/matrix_parse.h"

namespace aotc::pa_test {

namespace {

// Runs argv (no shell: arguments are quoted one by one) and returns stdout + stderr and status.
struct RunResult {
  int status = -1;
  std::string output;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

RunResult run(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const std::string& a : argv) cmd += quote(a) + " ";
  cmd += "2>&1";
  RunResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  r.status = pclose(pipe);
  return r;
}

int max_field(const std::string& notes, const std::string& key) {
  const std::regex re("\\." + key + ":\\s+(\\d+)");
  int best = 0;
  for (auto it = std::sregex_iterator(notes.begin(), notes.end(), re); it != std::sregex_iterator();
       ++it)
    best = std::max(best, std::stoi((*it)[1]));
  return best;
}

}  // namespace

std::string find_llvm_tool(const std::string& name) {
  for (const std::string& dir : {std::string("/usr/bin"), std::string("/usr/lib/llvm-22/bin"),
                                 std::string("/usr/local/bin")}) {
    std::filesystem::path p = std::filesystem::path(dir) / name;
    if (std::filesystem::exists(p)) return p.string();
  }
  return {};
}

Result<AmdObjectReport> compile_pa_decode_amd(const std::vector<std::string>& defines,
                                              const std::string& target,
                                              const std::filesystem::path& out_dir,
                                              const std::string& name) {
  const std::string clang = find_llvm_tool("clang-22");
  const std::string readelf = find_llvm_tool("llvm-readelf-22");
  const std::string objdump = find_llvm_tool("llvm-objdump-22");
  const std::string where = name + " [" + target + "]";
  if (clang.empty() || readelf.empty() || objdump.empty())
    return make_error(where + ": clang-22, llvm-readelf-22 or llvm-objdump-22 not found");
  std::filesystem::create_directories(out_dir);
  const std::filesystem::path object = out_dir / (name + "." + target + ".hsaco");
  std::vector<std::string> argv{clang,
                                "-x",
                                "hip",
                                "--offload-arch=" + target,
                                "-nogpuinc",
                                "-nogpulib",
                                "--offload-device-only",
                                "--no-gpu-bundle-output",
                                "-O3",
                                "-mcode-object-version=5",
                                "-I" AOTC_SOURCE_DIR "/kernels"};
  for (const std::string& d : defines) argv.push_back("-D" + d);
  argv.insert(argv.end(),
              {AOTC_SOURCE_DIR "/kernels/pa_decode/pa_decode.hip", "-o", object.string()});
  RunResult compiled = run(argv);
  if (compiled.status != 0) return make_error(where + ": clang-22 failed: " + compiled.output);
  RunResult notes = run({readelf, "--notes", object.string()});
  RunResult disasm = run({objdump, "-d", "--mcpu=" + target, object.string()});
  if (notes.status != 0 || disasm.status != 0)
    return make_error(where + ": reading the code object failed: " + notes.output + disasm.output);
  AmdObjectReport r;
  r.max_vgpr_spills = max_field(notes.output, "vgpr_spill_count");
  r.max_sgpr_spills = max_field(notes.output, "sgpr_spill_count");
  r.max_private_bytes = max_field(notes.output, "private_segment_fixed_size");
  r.max_vgprs = max_field(notes.output, "vgpr_count");
  r.max_lds_bytes = max_field(notes.output, "group_segment_fixed_size");
  r.has_dwordx4_loads = disasm.output.find("global_load_dwordx4") != std::string::npos;
  r.has_mfma = disasm.output.find("v_mfma_") != std::string::npos;
  return r;
}

Result<std::vector<MatrixVariant>> default_matrix_variants() {
  auto matrix = load_matrix(AOTC_SOURCE_DIR "/build-matrix.json");
  if (!matrix) return matrix.error();
  auto variants = expand_matrix(*matrix);
  if (!variants) return variants.error();
  std::vector<MatrixVariant> out;
  for (const Variant& v : *variants) {
    std::vector<std::string> defines;
    for (const Define& d : v.defines) defines.push_back(d.text());
    out.push_back({v.name, defines, v.targets});
  }
  return out;
}

}  // namespace aotc::pa_test
