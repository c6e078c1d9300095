#include "pa_cases.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <regex>

namespace aotc::pa_ref {

uint16_t encode_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
  u += 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}

// Written out rather than through _Float16, which the GPU machine's host compiler may lack.
uint16_t encode_fp16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) return sign | 0x7e00;
  if (ax >= 0x477ff000u) return sign | 0x7c00;  // >= 65520 rounds to infinity
  if (ax < 0x38800000u) {                       // below 2^-14: an fp16 subnormal (or 2^-14)
    float a;
    std::memcpy(&a, &ax, 4);
    return sign | uint16_t(std::nearbyint(a * 16777216.0f));  // units of 2^-24, ties to even
  }
  uint32_t h = ((((ax >> 23) - 127 + 15) << 10) | ((ax & 0x7fffffu) >> 13));
  const uint32_t rest = ax & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return uint16_t(sign | h);
}

uint16_t nan_bits(KvDtype dtype) { return io_is_fp16(dtype) ? 0x7e00 : 0x7fc0; }

namespace {

uint8_t fp8_nan(KvDtype d) { return d == KvDtype::fp8_e4m3fnuz ? 0x80 : 0x7f; }

// A random finite KV element of magnitude <= 1 (fp8: <= 8, the scale brings it down).
void random_kv(KvDtype d, std::mt19937_64& rng, uint8_t* out) {
  if (kv_bytes(d) == 2) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const uint16_t bits = d == KvDtype::fp16 ? encode_fp16(u(rng)) : encode_bf16(u(rng));
    out[0] = uint8_t(bits);
    out[1] = uint8_t(bits >> 8);
    return;
  }
  for (;;) {
    const uint8_t code = uint8_t(rng());
    const double v = decode_kv(d, &code);
    if (std::isfinite(v) && std::fabs(v) <= 8.0) {
      out[0] = code;
      return;
    }
  }
}

}  // namespace

Problem make_problem(const CaseSpec& spec) {
  const Shape& s = spec.shape;
  std::mt19937_64 rng(spec.seed);
  Problem p;
  p.shape = s;
  p.num_seqs = int(spec.context_lens.size());
  p.context_lens = spec.context_lens;
  p.scale_mode = spec.scale_mode;
  p.scale = float(1.0 / std::sqrt(double(s.head_dim)));

  int total_blocks = 0;
  for (int32_t len : spec.context_lens) {
    const int blocks = (len + s.block_size - 1) / s.block_size;
    p.max_blocks_per_seq =
        std::max(p.max_blocks_per_seq, blocks + 1);  // + 1: a -1 entry past the end
    total_blocks += blocks;
  }
  p.num_blocks = total_blocks + 3;  // spare blocks that no table points to

  // Scattered physical blocks.
  std::vector<int32_t> physical(std::size_t(p.num_blocks));
  std::iota(physical.begin(), physical.end(), 0);
  std::shuffle(physical.begin(), physical.end(), rng);
  p.block_tables.assign(std::size_t(p.num_seqs) * p.max_blocks_per_seq, -1);
  std::size_t next = 0;
  for (int seq = 0; seq < p.num_seqs; ++seq) {
    const int blocks = (spec.context_lens[std::size_t(seq)] + s.block_size - 1) / s.block_size;
    for (int b = 0; b < blocks; ++b)
      p.block_tables[std::size_t(seq) * p.max_blocks_per_seq + b] = physical[next++];
  }

  // Caches: NaN everywhere, then random values for every token of every context.
  const int eb = kv_bytes(s.kv);
  const std::size_t cache_bytes =
      std::size_t(p.num_blocks) * s.num_kv_heads * s.head_dim * s.block_size * eb;
  if (eb == 1) {
    p.key_cache.assign(cache_bytes, fp8_nan(s.kv));
    p.value_cache.assign(cache_bytes, fp8_nan(s.kv));
  } else {
    const uint16_t nan = s.kv == KvDtype::fp16 ? 0x7e00 : 0x7fc0;
    p.key_cache.resize(cache_bytes);
    p.value_cache.resize(cache_bytes);
    for (std::size_t i = 0; i < cache_bytes; i += 2) {
      p.key_cache[i] = p.value_cache[i] = uint8_t(nan);
      p.key_cache[i + 1] = p.value_cache[i + 1] = uint8_t(nan >> 8);
    }
  }
  for (int seq = 0; seq < p.num_seqs; ++seq)
    for (int t = 0; t < spec.context_lens[std::size_t(seq)]; ++t) {
      const int64_t block =
          p.block_tables[std::size_t(seq) * p.max_blocks_per_seq + t / s.block_size];
      for (int h = 0; h < s.num_kv_heads; ++h)
        for (int d = 0; d < s.head_dim; ++d) {
          random_kv(s.kv, rng, &p.key_cache[key_offset(s, block, h, d, t % s.block_size)]);
          random_kv(s.kv, rng, &p.value_cache[value_offset(s, block, h, d, t % s.block_size)]);
        }
    }

  std::uniform_real_distribution<float> scale_dist(0.05f, 0.3f);
  if (eb == 1) {
    const std::size_t n = spec.scale_mode == ScaleMode::per_tensor
                              ? 1
                              : std::size_t(p.num_blocks) * s.num_kv_heads * s.block_size;
    p.k_scale.resize(n);
    p.v_scale.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      p.k_scale[i] = scale_dist(rng);
      p.v_scale[i] = scale_dist(rng);
    }
  } else {
    p.k_scale = {1.0f};
    p.v_scale = {1.0f};
  }

  std::uniform_real_distribution<float> q(-float(spec.query_amplitude),
                                          float(spec.query_amplitude));
  p.query.resize(std::size_t(p.num_seqs) * s.query_len * s.num_q_heads * s.head_dim);
  for (uint16_t& bits : p.query)
    bits = io_is_fp16(s.kv) ? encode_fp16(q(rng)) : encode_bf16(q(rng));
  return p;
}

std::vector<CaseSpec> standard_cases(const Shape& shape, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto ragged = [&](int count, int lo, int hi) {
    std::uniform_int_distribution<int> len(lo, hi);
    std::vector<int32_t> lens(static_cast<std::size_t>(count));
    for (int32_t& l : lens) l = len(rng);
    lens[0] = std::max(lo, shape.query_len);  // the shortest legal context: only the new tokens
    return lens;
  };
  const bool fp8 = kv_bytes(shape.kv) == 1;
  std::vector<CaseSpec> cases;
  auto add = [&](std::vector<int32_t> lens, double amplitude, ScaleMode mode) {
    cases.push_back(
        CaseSpec{shape, std::move(lens), fp8 ? mode : ScaleMode::per_tensor, amplitude, rng()});
  };
  add({32768 + 13}, 4.0, ScaleMode::per_tensor);             // one long sequence: many partitions
  add(ragged(5, 1, 4100), 8.0, ScaleMode::per_token_head);   // ragged, sharp softmax
  add(ragged(37, 1, 1000), 1.0, ScaleMode::per_tensor);      // flat softmax
  add(ragged(128, 1, 300), 3.0, ScaleMode::per_token_head);  // the largest batch
  return cases;
}

std::optional<Shape> parse_variant_name(const std::string& name, bool fp8_fnuz) {
  static const std::regex re(
      R"(pa_decode\.kv-(fp16|bf16|fp8)\.bs(\d+)\.q(\d+)\.h(\d+)x(\d+)\.d(\d+)(\..*)?)");
  std::smatch m;
  if (!std::regex_match(name, m, re)) return std::nullopt;
  Shape s;
  const std::string dt = m[1];
  s.kv = dt == "fp16"   ? KvDtype::fp16
         : dt == "bf16" ? KvDtype::bf16
         : fp8_fnuz     ? KvDtype::fp8_e4m3fnuz
                        : KvDtype::fp8_e4m3fn;
  s.block_size = std::stoi(m[2]);
  s.query_len = std::stoi(m[3]);
  s.num_q_heads = std::stoi(m[4]);
  s.num_kv_heads = std::stoi(m[5]);
  s.head_dim = std::stoi(m[6]);
  return s;
}

double min_bytes_moved(const Shape& s, const std::vector<int32_t>& context_lens) {
  double tokens = 0.0;
  for (int32_t l : context_lens) tokens += l;
  const double kv = 2.0 * tokens * s.num_kv_heads * s.head_dim * kv_bytes(s.kv);
  const double qo =
      2.0 * double(context_lens.size()) * s.query_len * s.num_q_heads * s.head_dim * 2;
  return kv + qo;
}

}  // namespace aotc::pa_ref
