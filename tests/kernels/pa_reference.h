// CPU reference for the pa_decode kernel (kernels/pa_decode/README.md has the semantics):
// float64 attention over the dequantised paged KV cache, written from the definitions and
// sharing no code with the kernel. Plain C++20 with no project dependencies, so the GPU harness
// (bench/pa_decode) compiles the same files on the device machine.
#pragma once

#include <cstdint>
#include <vector>

namespace aotc::pa_ref {

enum class KvDtype { fp16, bf16, fp8_e4m3fn, fp8_e4m3fnuz };

// Element size in bytes of the KV cache.
int kv_bytes(KvDtype dtype);
// Query and output are fp16 for fp16 caches, bf16 otherwise.
bool io_is_fp16(KvDtype dtype);

// Decoding from the format definitions (sign, biased exponent, mantissa; ldexp), NaN for NaN codes.
double decode_bf16(uint16_t bits);
double decode_fp16(uint16_t bits);
double decode_fp8_e4m3fn(uint8_t code);
double decode_fp8_e4m3fnuz(uint8_t code);
// One stored KV element (kv_bytes(dtype) bytes at p), before scaling.
double decode_kv(KvDtype dtype, const uint8_t* p);

struct Shape {
  KvDtype kv = KvDtype::bf16;
  int block_size = 16;
  int query_len = 1;
  int num_q_heads = 64;
  int num_kv_heads = 8;
  int head_dim = 128;
};

enum class ScaleMode : int32_t { per_tensor = 0, per_token_head = 1 };

// One decode step's inputs, in the kernel's layouts (raw bytes / bit patterns):
//   query        [num_seqs * query_len, Hq, D]       16-bit
//   key_cache    [num_blocks, Hkv, D / x, block, x]  x = 16 / kv_bytes
//   value_cache  [num_blocks, Hkv, D, block]
//   block_tables [num_seqs, max_blocks_per_seq]      int32
//   context_lens [num_seqs]                          int32, >= 1
//   k_scale, v_scale: fp8 only; one value (per_tensor) or [num_blocks, Hkv, block] (per_token_head)
struct Problem {
  Shape shape;
  int num_seqs = 0;
  int num_blocks = 0;
  int max_blocks_per_seq = 0;
  float scale = 0.0f;  // softmax scale
  ScaleMode scale_mode = ScaleMode::per_tensor;
  std::vector<uint16_t> query;
  std::vector<uint8_t> key_cache;
  std::vector<uint8_t> value_cache;
  std::vector<int32_t> block_tables;
  std::vector<int32_t> context_lens;
  std::vector<float> k_scale;
  std::vector<float> v_scale;
};

// Byte offsets of element (block, kv_head, dim, slot) in the key and value caches.
std::size_t key_offset(const Shape& s, int64_t block, int kv_head, int dim, int slot);
std::size_t value_offset(const Shape& s, int64_t block, int kv_head, int dim, int slot);

// Dequantised K or V element of token `token` of sequence `seq`.
double key_at(const Problem& p, int seq, int kv_head, int token, int dim);
double value_at(const Problem& p, int seq, int kv_head, int token, int dim);

// softmax(scale * q . k over keys 0 .. L - query_len + i) . v for query token i; float64
// throughout. Returns [num_seqs * query_len, Hq, D]. Rows that see no key (L < query_len - i) are
// 0.
std::vector<double> reference_attention(const Problem& p);

// ||out - ref|| / ||ref|| over 16-bit outputs (fp16 or bf16 bits); NaN or Inf anywhere gives +Inf.
double relative_error(const std::vector<double>& ref, const uint16_t* out, bool fp16);

}  // namespace aotc::pa_ref
