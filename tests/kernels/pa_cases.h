// Random pa_decode test cases, shared by the CPU tests and the GPU harness (bench/pa_decode):
// fresh random inputs from a seed, paged caches with scattered blocks, cache slots outside any
// context filled with NaN (a kernel that reads them unmasked fails), and unused block-table
// entries set to -1 (a kernel that follows them faults).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pa_reference.h"

namespace aotc::pa_ref {

struct CaseSpec {
  Shape shape;
  std::vector<int32_t> context_lens;
  ScaleMode scale_mode = ScaleMode::per_tensor;
  double query_amplitude = 1.0;  // query ~ U(-a, a): larger a, sharper softmax
  uint64_t seed = 1;
};

Problem make_problem(const CaseSpec& spec);

// The correctness battery for one shape: batch 1..128, ragged context lengths (1, lengths that
// are not block multiples, up to 32768 + something), both scale modes for fp8.
std::vector<CaseSpec> standard_cases(const Shape& shape, uint64_t seed);

// A NaN in the query/output format, to poison outputs before a run.
uint16_t nan_bits(KvDtype dtype);

// Encoders used to build inputs (round to nearest even).
uint16_t encode_bf16(float f);
uint16_t encode_fp16(float f);

// Parses a pa_decode variant name ("pa_decode.kv-bf16.bs16.q1.h64x8.d128", optionally followed
// by more dot-separated fragments, which are ignored). `fp8_fnuz` picks the fp8 flavour, which
// the name does not carry (it follows the target). Empty on a malformed name.
std::optional<Shape> parse_variant_name(const std::string& name, bool fp8_fnuz);

// Bytes a decode step must move at least: K and V of every context token once, Q and O once
// (the FlashInfer anchors' count, bench/pa_decode/README.md).
double min_bytes_moved(const Shape& shape, const std::vector<int32_t>& context_lens);

}  // namespace aotc::pa_ref
