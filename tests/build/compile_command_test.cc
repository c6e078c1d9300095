#include "build/compile_command.h"

#include <catch2/catch.hpp>

#include "core/hashing.h"

namespace {

aotc::Matrix one_kernel_matrix() {
  aotc::Matrix matrix;
  matrix.options.opt_level = "2";
  matrix.options.code_object_version = 5;
  matrix.options.extra_flags = {"-ffast-math"};
  aotc::KernelSpec kernel;
  kernel.name = "k";
  kernel.source = "/src/k.hip";
  kernel.include_dirs = {"/src/include"};
  kernel.extra_flags = {"-Wall"};
  matrix.kernels.push_back(kernel);
  return matrix;
}

aotc::Variant one_variant() {
  aotc::Variant variant;
  variant.kernel = "k";
  variant.name = "k.a1";
  variant.defines = {{"A", "1"}, {"B", "x y"}};
  return variant;
}

// The pinned compile id: a function of the variant and target only.
std::string cuid(const std::string& target) {
  return aotc::sha256_hex("aotc-cuid\nk.a1\n" + target).substr(0, 16);
}

}  // namespace

TEST_CASE("AMD flags follow the reference form, then includes, defines, extra flags", "[compile]") {
  auto flags = aotc::compile_flags(one_kernel_matrix(), one_variant(), "gfx942", aotc::Vendor::amd);
  CHECK(flags ==
        std::vector<std::string>{"-x", "hip", "--offload-arch=gfx942", "-nogpuinc", "-nogpulib",
                                 "--offload-device-only", "--no-gpu-bundle-output", "-c", "-O2",
                                 "-mcode-object-version=5", "-cuid=" + cuid("gfx942"),
                                 "-I/src/include", "-DA=1", "-DB=x y", "-ffast-math", "-Wall"});
}

TEST_CASE("NVIDIA flags emit PTX with -S", "[compile]") {
  auto flags =
      aotc::compile_flags(one_kernel_matrix(), one_variant(), "sm_90a", aotc::Vendor::nvidia);
  CHECK(flags == std::vector<std::string>{"-x", "cuda", "--cuda-gpu-arch=sm_90a", "-nocudainc",
                                          "-nocudalib", "--cuda-device-only", "-O2", "-S",
                                          "-cuid=" + cuid("sm_90a"), "-Wno-unknown-cuda-version",
                                          "-I/src/include", "-DA=1", "-DB=x y", "-ffast-math",
                                          "-Wall"});
}

TEST_CASE("clang and ptxas commands put source and outputs last", "[compile]") {
  auto clang =
      aotc::clang_command("/usr/bin/clang-22", {"-O3"}, "/src/k.hip", "/o/k.d", "/o/k.hsaco");
  CHECK(clang == std::vector<std::string>{
                     "/usr/bin/clang-22", "-O3", "-Wno-unused-command-line-argument", "-MD", "-MF",
                     "/o/k.d", "-Xclang", "-dependency-file", "-Xclang", "/o/k.d", "-Xclang", "-MT",
                     "-Xclang", "/o/k.hsaco", "/src/k.hip", "-o", "/o/k.hsaco"});
  auto ptxas = aotc::ptxas_command("ptxas", aotc::ptxas_flags("sm_90a"), "k.ptx", "k.cubin");
  CHECK(ptxas == std::vector<std::string>{"ptxas", "-arch=sm_90a", "k.ptx", "-o", "k.cubin"});
}

TEST_CASE("portable flags name paths inside the source root relative to it", "[compile]") {
  CHECK(aotc::portable_flags({"-I/src/app/kernels", "-I/src/app", "-isystem/src/app/sys",
                              "--include-directory=/src/app/inc", "/src/app/k.h", "-O3"},
                             "/src/app") ==
        std::vector<std::string>{"-Ikernels", "-I.", "-isystemsys", "--include-directory=inc",
                                 "k.h", "-O3"});
  // Outside the root, or only a name that starts the same: as written.
  CHECK(aotc::portable_flags({"-I/src/application", "-I/x/src/app/k", "-DP=/src/app/k", "-I/usr"},
                             "/src/app") == std::vector<std::string>{"-I/src/application",
                                                                     "-I/x/src/app/k",
                                                                     "-DP=/src/app/k", "-I/usr"});
}

TEST_CASE("display_command quotes only what a shell would split", "[compile]") {
  CHECK(aotc::display_command({"clang", "-DA=1", "-DB=x y", "it's", ""}) ==
        "clang -DA=1 '-DB=x y' 'it'\\''s' ''");
}
