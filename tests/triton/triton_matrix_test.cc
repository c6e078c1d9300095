// The matrix side of Triton kernels: parsing and validation (every problem with file, JSON path,
// expected and found), signature elements, and placeholder resolution per variant and target.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "build/triton_compile.h"
#include "matrix/matrix_expand.h"
#include "matrix/matrix_parse.h"
#include "matrix/triton_signature.h"

namespace fs = std::filesystem;
using aotc::TritonArg;

namespace {

std::string problems_of(const std::string& text) {
  auto matrix = aotc::parse_matrix(text, fs::path(AOTC_SOURCE_DIR) / "configs" / "t.json");
  REQUIRE_FALSE(matrix.ok());
  return matrix.error().message;
}

// A Triton kernel over the example's source with `kernel_extra` merged into the kernel object.
std::string triton_matrix(const std::string& kernel_extra, const std::string& entries) {
  return R"({"schema": 1, "root": "..", "targets": ["gfx942", "sm_90a"], "kernels": [{
    "name": "k", "language": "triton", "source": "kernels/triton/splitk_gemv.py",
    "entries": )" +
         entries + R"(,
    "axes": {"dtype": {"type": "string", "values": ["fp16", "fp32"], "label": "{0}",
                       "defines": {"DTYPE": "{0}"}}})" +
         kernel_extra + "}]}";
}

}  // namespace

TEST_CASE("signature elements in triton.tools.compile's forms", "[triton]") {
  auto arg = aotc::parse_triton_arg("*fp16:16");
  REQUIRE(arg);
  CHECK(arg->kind == TritonArg::Kind::pointer);
  CHECK(arg->type == "fp16");
  CHECK(arg->hint == 16);
  CHECK(aotc::helper_json(*arg) == nlohmann::json{{"type", "*fp16"}, {"hint", 16}});
  CHECK(aotc::parse_triton_arg("i32:1")->hint == 1);
  CHECK(aotc::parse_triton_arg("fp32:16")->kind ==
        TritonArg::Kind::scalar);  // aiter's softmax_scale
  CHECK(aotc::parse_triton_arg("-1")->kind == TritonArg::Kind::constexpr_int);
  CHECK(aotc::parse_triton_arg("240.0")->kind == TritonArg::Kind::constexpr_float);
  CHECK(aotc::parse_triton_arg("1e-3")->kind == TritonArg::Kind::constexpr_float);
  CHECK(aotc::parse_triton_arg("True")->value == "true");
  CHECK(aotc::parse_triton_arg("None")->kind == TritonArg::Kind::constexpr_none);
  auto dtype = aotc::parse_triton_arg("tl.float8e4b8");
  REQUIRE(dtype);
  CHECK(dtype->kind == TritonArg::Kind::constexpr_dtype);
  CHECK(aotc::helper_json(*dtype) ==
        nlohmann::json{{"constexpr", "dtype"}, {"value", "float8e4b8"}});
  for (const char* bad : {"", "*", "*fp17", "f16", "*fp16:8", "*fp16:1", "fp32:1", "i32:", "tl.",
                          "tl.a b", "1.2.3", "i32 ", "*i32:16:16"}) {
    INFO(bad);
    CHECK_FALSE(aotc::parse_triton_arg(bad));
  }
  for (const char* text : {"*bf16:16", "u8", "i64:16", "128", "-0.5", "tl.bfloat16", "None"}) {
    CHECK(aotc::to_string(*aotc::parse_triton_arg(text)) == text);
  }
}

TEST_CASE("the example and seed matrices parse", "[triton]") {
  auto example = aotc::load_matrix(fs::path(AOTC_SOURCE_DIR) / "configs/triton-splitk-gemv.json");
  REQUIRE(example.ok());
  const aotc::KernelSpec& kernel = example->kernels.at(0);
  CHECK(kernel.language == aotc::KernelLanguage::triton);
  CHECK(kernel.entries == std::vector<std::string>{"splitk_gemv_partial", "splitk_gemv_reduce"});
  REQUIRE(kernel.triton.entries.size() == 2);
  CHECK(kernel.triton.entries[0].signature.size() == 9);
  CHECK(kernel.triton.entries[0].signature[0] == "*{DTYPE}:16");
  CHECK(kernel.triton.entries[0].options.at(0).first == "num_warps");

  // The seed's source lives in the user's aiter checkout, named at build time.
  fs::path root = fs::path(AOTC_BINARY_DIR) / "test-scratch" / "fake-aiter";
  fs::create_directories(root / "aiter/ops/triton/gluon");
  std::ofstream(root / "aiter/ops/triton/gluon/pa_decode_gluon.py") << "\n";
  const fs::path seed = fs::path(AOTC_SOURCE_DIR) / "configs/aiter-pa-decode-gluon.json";
  ::unsetenv("AITER_ROOT");
  auto unnamed = aotc::load_matrix(seed);
  REQUIRE_FALSE(unnamed.ok());
  CHECK_THAT(unnamed.error().message,
             Catch::Contains("root: expected a source root: set $AITER_ROOT or pass "
                             "--source-root DIR, found $AITER_ROOT unset"));
  auto matrix = aotc::load_matrix(seed, {root});
  REQUIRE(matrix.ok());
  CHECK(matrix->kernels[0].source == root / "aiter/ops/triton/gluon/pa_decode_gluon.py");
  CHECK(matrix->kernels[0].triton.stubs == std::vector<std::string>{"aiter", "csrc", "torch"});
  ::setenv("AITER_ROOT", root.c_str(), 1);
  CHECK(aotc::load_matrix(seed).ok());
  ::unsetenv("AITER_ROOT");

  auto variants = aotc::expand_matrix(*matrix);
  REQUIRE(variants.ok());
  CHECK(variants->size() == 80);  // 3 x 4 x 2 x 2 none, + fp8 x 4 x 2 x 2 x 2 quantized
}

TEST_CASE("placeholders resolve per variant and target, derived values nested", "[triton]") {
  fs::path root = fs::path(AOTC_BINARY_DIR) / "test-scratch" / "fake-aiter";
  fs::create_directories(root / "aiter/ops/triton/gluon");
  std::ofstream(root / "aiter/ops/triton/gluon/pa_decode_gluon.py") << "\n";
  auto matrix =
      aotc::load_matrix(fs::path(AOTC_SOURCE_DIR) / "configs/aiter-pa-decode-gluon.json", {root});
  REQUIRE(matrix.ok());
  auto variants = aotc::expand_matrix(*matrix);
  REQUIRE(variants.ok());
  auto find = [&](const std::string& name) -> const aotc::Variant& {
    for (const auto& v : *variants) {
      if (v.name == name) return v;
    }
    FAIL("no variant " << name);
    return variants->front();
  };
  const auto& fp8 = find("pa_decode_gluon.fp8.q3.g16.d128.bs64.p256.per_tensor");
  auto gfx942 = aotc::resolve_triton_compile(*matrix, fp8, 0, "gfx942");
  auto gfx950 = aotc::resolve_triton_compile(*matrix, fp8, 0, "gfx950");
  REQUIRE(gfx942.ok());
  REQUIRE(gfx950.ok());
  auto text942 = aotc::signature_text(*gfx942), text950 = aotc::signature_text(*gfx950);
  CHECK(text942[2] == "*bf16:16");     // logits in the IO type of fp8 compute
  CHECK(text942[3] == "*fp8e4b8:16");  // quantized query: the target's fp8
  CHECK(text950[3] == "*fp8e4nv:16");
  CHECK(text942[40] == "tl.float8e4b8");  // COMPUTE_TYPE
  CHECK(text942[47] == "0");              // QUERY_QUANT_MODE per_tensor
  CHECK(text942[49] == "240.0");          // FP8_MAX_VALUE
  CHECK(text950[49] == "448.0");
  CHECK(text942[51] == "1");  // IS_CAUSAL for query length 3
  CHECK(text942[52] == "3");  // CDNA_VERSION
  CHECK(text950[52] == "4");
  CHECK(gfx942->options["waves_per_eu"] == 3);  // next_pow2(3) * 16 == 64
  CHECK(gfx942->options["waves_per_eu"].is_number_integer());
  const auto& bf16 = find("pa_decode_gluon.bf16.q1.g8.d128.bs16.p256.none");
  auto plain = aotc::resolve_triton_compile(*matrix, bf16, 0, "gfx942");
  REQUIRE(plain.ok());
  CHECK(aotc::signature_text(*plain)[3] == "*bf16:16");
  CHECK(plain->options["waves_per_eu"] == 4);
}

TEST_CASE("Triton matrix problems name file, JSON path, expected and found", "[triton]") {
  const std::string message = problems_of(triton_matrix(
      R"(, "python": {"path": ["no-such-dir"], "stubs": ["torch", "bad-name"]},
         "derived": {"WARP": {"from": "target", "values": {"gfx942": "64"}},
                     "A": {"from": "dtype", "values": {"fp16": "{B}", "fp32": "x", "bf8": "y"}},
                     "B": {"from": "target", "values": {"gfx942": "{A}", "sm_90a": "1"}},
                     "DTYPE": {"from": "nope", "values": {}}},
         "extra_flags": ["-O2"])",
      R"([{"name": "splitk_gemv_partial", "signature": "*{DTYPE}:16, *fp17, {MISSING}, {oops",
           "options": {"num_warps": "{WARPS}", "bad option": 1, "cluster": [1, "x"]}},
          {"name": "splitk_gemv_partial", "signature": []}, "just_a_name"])"));
  const std::string at = fs::path(AOTC_SOURCE_DIR) / "configs" / "t.json";
  for (const std::string& line : {
           at + ": kernels[0].entries[0].signature[1]: expected a Triton argument",
           at + ": kernels[0].entries[0].signature[2]: expected placeholders naming one of: DTYPE",
           at + ": kernels[0].entries[0].signature[3]: expected text with {NAME} placeholders",
       }) {
    CHECK_THAT(message, Catch::Contains(line));
  }
  CHECK_THAT(message, Catch::Contains("kernels[0].entries[0].options.num_warps: expected "
                                      "placeholders naming one of"));
  CHECK_THAT(message, Catch::Contains(
                          "kernels[0].entries[0].options[\"bad option\"]: expected a Triton option "
                          "name (C identifier), found \"bad option\""));
  CHECK_THAT(message, Catch::Contains("kernels[0].entries[0].options.cluster: expected a number, "
                                      "boolean, string or array of numbers"));
  CHECK_THAT(message, Catch::Contains("kernels[0].entries[1].name: expected an entry not listed "
                                      "before, found \"splitk_gemv_partial\""));
  CHECK_THAT(message,
             Catch::Contains("kernels[0].entries[2]: expected object, found \"just_a_name\""));
  CHECK_THAT(message, Catch::Contains("kernels[0].python.path[0]: expected an existing directory"));
  CHECK_THAT(message, Catch::Contains("kernels[0].python.stubs[1]: expected Python module name"));
  CHECK_THAT(message, Catch::Contains("kernels[0].derived.WARP.values.sm_90a: expected a value for "
                                      "every target the kernel is built for, found nothing"));
  CHECK_THAT(message, Catch::Contains("kernels[0].derived.A.values.bf8: expected a value of axis "
                                      "dtype, found \"bf8\""));
  CHECK_THAT(message,
             Catch::Contains("kernels[0].derived.A: expected a derived value that does not "
                             "depend on itself"));
  CHECK_THAT(message,
             Catch::Contains("kernels[0].derived.DTYPE.from: expected \"target\" or the name "
                             "of a string or integer axis of the kernel, found \"nope\""));
  CHECK_THAT(message,
             Catch::Contains("kernels[0].extra_flags: expected no clang flags for a Triton "
                             "kernel"));

  const std::string hip = problems_of(
      R"({"schema": 1, "root": "..", "targets": ["gfx942"], "kernels": [{"name": "k",
          "language": "cuda", "source": "kernels/triton/splitk_gemv.py", "entries": ["k"],
          "python": {}, "derived": {}}]})");
  CHECK_THAT(hip, Catch::Contains("kernels[0].language: expected \"hip\" (the default) or "
                                  "\"triton\", found \"cuda\""));
  CHECK_THAT(hip, Catch::Contains("kernels[0].python: expected no such key unless \"language\" is "
                                  "\"triton\""));
}

TEST_CASE("a resolved element that is not a Triton argument names variant and target", "[triton]") {
  auto matrix = aotc::parse_matrix(
      triton_matrix(
          R"(, "derived": {"T": {"from": "target", "values": {"gfx942": "fp16", "sm_90a": "f16"}}})",
          R"([{"name": "splitk_gemv_reduce", "signature": "*{T}:16, *{DTYPE}, i32, i32, fp32, 64"}])"),
      fs::path(AOTC_SOURCE_DIR) / "configs" / "t.json");
  REQUIRE(matrix.ok());
  auto variants = aotc::expand_matrix(*matrix);
  REQUIRE(variants.ok());
  CHECK(aotc::resolve_triton_compile(*matrix, (*variants)[0], 0, "gfx942").ok());
  auto bad = aotc::resolve_triton_compile(*matrix, (*variants)[0], 0, "sm_90a");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message,
             Catch::EndsWith("t.json: kernels[0].entries[0].signature[0]: expected " +
                             aotc::triton_arg_description() +
                             ", found \"*f16:16\" (variant k.fp16, target sm_90a)"));
}
