// Image selection against real code objects and bundles made by clang-22 and ptxas.
#include "image_selection.h"

#include <catch2/catch.hpp>

#include "codeobj/amdgpu_metadata.h"
#include "test_kernels.h"
#include "tool_skip.h"

using namespace aotc::runtime;

namespace {

// Skips the test (with a WARN naming the missing tool) unless the file can be built.
#define REQUIRE_KERNEL(var, key)                                \
  auto var = aotc_test::kernel_file(key);                       \
  if (var.empty()) {                                            \
    aotc::test::missing_tool(aotc_test::missing_tool_for(key)); \
    return;                                                     \
  }

ImageSource from_path(const std::string& target, const std::string& format,
                      const std::filesystem::path& path) {
  return ImageSource{target, format, nullptr, 0, path.string()};
}

std::string target_of_hsaco(const std::vector<std::uint8_t>& bytes) {
  auto code_object = aotc::codeobj::read_amdgpu_code_object(bytes);
  REQUIRE(code_object.ok());
  return code_object->target_id.processor;
}

}  // namespace

TEST_CASE("AMD: an exact processor beats its generic target, which serves other members") {
  REQUIRE_KERNEL(gfx942, "gfx942");
  REQUIRE_KERNEL(generic, "gfx9-4-generic");
  std::vector<ImageSource> images = {from_path("gfx9-4-generic", "hsaco", generic),
                                     from_path("gfx942", "hsaco", gfx942)};
  SelectedImage chosen;
  REQUIRE_FALSE(select_image(AOTC_BACKEND_HIP, "gfx942:sramecc+:xnack-", images, &chosen));
  CHECK(chosen.format == "hsaco");
  CHECK(target_of_hsaco(chosen.bytes) == "gfx942");
  CHECK(chosen.description.find("images[1]") != std::string::npos);

  REQUIRE_FALSE(select_image(AOTC_BACKEND_HIP, "gfx950:sramecc+:xnack-", images, &chosen));
  CHECK(target_of_hsaco(chosen.bytes) == "gfx9-4-generic");
}

TEST_CASE("AMD: bundle entries are chosen by target id, plain and compressed bundles alike") {
  for (const char* key : {"bundle", "bundle-compressed"}) {
    REQUIRE_KERNEL(bundle, key);
    INFO(key);
    std::vector<ImageSource> images = {ImageSource{"", "bundle", nullptr, 0, bundle.string()}};
    SelectedImage chosen;
    REQUIRE_FALSE(select_image(AOTC_BACKEND_HIP, "gfx90a:sramecc-:xnack+", images, &chosen));
    CHECK(target_of_hsaco(chosen.bytes) == "gfx90a");
    CHECK(chosen.description.find("hipv4-amdgcn-amd-amdhsa--gfx90a") != std::string::npos);
    REQUIRE_FALSE(select_image(AOTC_BACKEND_HIP, "gfx942:sramecc+:xnack-", images, &chosen));
    CHECK(target_of_hsaco(chosen.bytes) == "gfx9-4-generic");
  }
}

TEST_CASE("AMD: no fitting image names the device arch and every image available") {
  REQUIRE_KERNEL(bundle, "bundle");
  std::vector<ImageSource> images = {ImageSource{"", "bundle", nullptr, 0, bundle.string()},
                                     ImageSource{"sm_90a", "cubin", "x", 1, ""}};
  SelectedImage chosen;
  auto status = select_image(AOTC_BACKEND_HIP, "gfx1100", images, &chosen);
  REQUIRE(status);
  CHECK(status->code == AOTC_ERROR_NO_CODE_OBJECT);
  CHECK_THAT(status->message, Catch::Contains("gfx1100") &&
                                  Catch::Contains("hipv4-amdgcn-amd-amdhsa--gfx90a") &&
                                  Catch::Contains("hipv4-amdgcn-amd-amdhsa--gfx9-4-generic") &&
                                  Catch::Contains("sm_90a cubin"));
}

TEST_CASE("AMD: a feature the code object requires must match the device") {
  REQUIRE_KERNEL(gfx90a, "gfx90a");
  std::vector<ImageSource> images = {from_path("gfx90a:xnack+", "hsaco", gfx90a)};
  SelectedImage chosen;
  CHECK_FALSE(select_image(AOTC_BACKEND_HIP, "gfx90a:sramecc-:xnack+", images, &chosen));
  auto status = select_image(AOTC_BACKEND_HIP, "gfx90a:sramecc-:xnack-", images, &chosen);
  REQUIRE(status);
  CHECK(status->code == AOTC_ERROR_NO_CODE_OBJECT);
}

TEST_CASE("AMD: a corrupt bundle is a bad image naming which image") {
  std::string garbage = "__CLANG_OFFLOAD_BUNDLE__\x05";
  std::vector<ImageSource> images = {ImageSource{"", "bundle", garbage.data(), garbage.size(), ""}};
  SelectedImage chosen;
  auto status = select_image(AOTC_BACKEND_HIP, "gfx942", images, &chosen);
  REQUIRE(status);
  CHECK(status->code == AOTC_ERROR_BAD_IMAGE);
  CHECK_THAT(status->message, Catch::Contains("images[0]"));
}

TEST_CASE("NVIDIA: cubin for the exact compute capability, else the newest PTX that can JIT") {
  const std::string cubin = "cubin-bytes";
  const std::string ptx80 = "// ptx for sm_80";
  const std::string ptx90a = "// ptx for sm_90a";
  std::vector<ImageSource> images = {
      ImageSource{"sm_80", "ptx", ptx80.data(), ptx80.size(), ""},
      ImageSource{"sm_90a", "ptx", ptx90a.data(), ptx90a.size(), ""},
      ImageSource{"sm_90a", "cubin", cubin.data(), cubin.size(), ""},
  };
  SelectedImage chosen;
  REQUIRE_FALSE(select_image(AOTC_BACKEND_CUDA, "sm_90", images, &chosen));
  CHECK(chosen.format == "cubin");
  CHECK(std::string(chosen.bytes.begin(), chosen.bytes.end()) == cubin);

  // sm_90a code runs only on 9.0: a 10.0 device JITs the portable sm_80 PTX, NUL-terminated.
  REQUIRE_FALSE(select_image(AOTC_BACKEND_CUDA, "sm_100", images, &chosen));
  CHECK(chosen.format == "ptx");
  CHECK(std::string(reinterpret_cast<const char*>(chosen.bytes.data())) == ptx80);
  CHECK(chosen.bytes.back() == 0);

  // Without the cubin, a 9.0 device prefers the sm_90a PTX over the older sm_80 one.
  images.pop_back();
  REQUIRE_FALSE(select_image(AOTC_BACKEND_CUDA, "sm_90", images, &chosen));
  CHECK(std::string(reinterpret_cast<const char*>(chosen.bytes.data())) == ptx90a);

  // A bundle (AMD code) is listed but not opened on NVIDIA, even when it would not parse.
  const std::string not_a_bundle = "garbage";
  images.push_back(ImageSource{"", "bundle", not_a_bundle.data(), not_a_bundle.size(), ""});
  auto status = select_image(AOTC_BACKEND_CUDA, "sm_75", images, &chosen);
  REQUIRE(status);
  CHECK(status->code == AOTC_ERROR_NO_CODE_OBJECT);
  CHECK_THAT(status->message, Catch::Contains("sm_75") && Catch::Contains("sm_80 ptx") &&
                                  Catch::Contains("sm_90a ptx") &&
                                  Catch::Contains("images[2] (AMD offload bundle)"));
}

TEST_CASE("image descriptors are checked when a module is created") {
  ImageSource copy;
  aotc_image no_format{"gfx942", "elf", "x", 1, nullptr};
  auto status = copy_image_source(no_format, 2, &copy);
  REQUIRE(status);
  CHECK(status->code == AOTC_ERROR_INVALID_ARGUMENT);
  CHECK_THAT(status->message, Catch::Contains("images[2]") && Catch::Contains("\"elf\""));
  aotc_image no_bytes{"gfx942", "hsaco", nullptr, 0, nullptr};
  CHECK(copy_image_source(no_bytes, 0, &copy));
  aotc_image no_target{nullptr, "cubin", "x", 1, nullptr};
  CHECK(copy_image_source(no_target, 0, &copy));
  aotc_image bundle{nullptr, "bundle", nullptr, 0, "/some/file.hipfb"};
  REQUIRE_FALSE(copy_image_source(bundle, 0, &copy));
  CHECK(copy.path == "/some/file.hipfb");
}
