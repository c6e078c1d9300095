#include "pa_reference.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace aotc::pa_ref {

int kv_bytes(KvDtype dtype) { return dtype == KvDtype::fp16 || dtype == KvDtype::bf16 ? 2 : 1; }
bool io_is_fp16(KvDtype dtype) { return dtype == KvDtype::fp16; }

namespace {

// Value of a binary float with the given fields: normal (1.m) 2^(e - bias), subnormal (0.m) 2^(1 -
// bias).
double from_fields(bool negative, int exponent, int mantissa, int mantissa_bits, int bias) {
  double frac = double(mantissa) / double(1 << mantissa_bits);
  double v = exponent == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0 + frac, exponent - bias);
  return negative ? -v : v;
}

}  // namespace

double decode_bf16(uint16_t bits) {
  int e = (bits >> 7) & 0xff, m = bits & 0x7f;
  if (e == 0xff)
    return m ? std::numeric_limits<double>::quiet_NaN() : ((bits & 0x8000) ? -INFINITY : INFINITY);
  return from_fields(bits & 0x8000, e, m, 7, 127);
}

double decode_fp16(uint16_t bits) {
  int e = (bits >> 10) & 0x1f, m = bits & 0x3ff;
  if (e == 0x1f)
    return m ? std::numeric_limits<double>::quiet_NaN() : ((bits & 0x8000) ? -INFINITY : INFINITY);
  return from_fields(bits & 0x8000, e, m, 10, 15);
}

// OCP 8-bit floating point specification (OFP8), E4M3: bias 7, no infinities, S.1111.111 is NaN.
double decode_fp8_e4m3fn(uint8_t code) {
  if ((code & 0x7f) == 0x7f) return std::numeric_limits<double>::quiet_NaN();
  return from_fields(code & 0x80, (code >> 3) & 0xf, code & 0x7, 3, 7);
}

// E4M3FNUZ (AMD CDNA3, LLVM's Float8E4M3FNUZ): bias 8, no infinities, no negative zero; 0x80 is
// NaN.
double decode_fp8_e4m3fnuz(uint8_t code) {
  if (code == 0x80) return std::numeric_limits<double>::quiet_NaN();
  return from_fields(code & 0x80, (code >> 3) & 0xf, code & 0x7, 3, 8);
}

namespace {

// Every code of a format decoded once: the reference dequantises hundreds of millions of elements.
template <class Code, double (*Decode)(Code)>
const std::vector<double>& decode_table() {
  static const std::vector<double> table = [] {
    std::vector<double> t(std::size_t(1) << (8 * sizeof(Code)));
    for (std::size_t c = 0; c < t.size(); ++c) t[c] = Decode(Code(c));
    return t;
  }();
  return table;
}

}  // namespace

double decode_kv(KvDtype dtype, const uint8_t* p) {
  switch (dtype) {
    case KvDtype::fp16:
      return decode_table<uint16_t, decode_fp16>()[std::size_t(p[0] | (p[1] << 8))];
    case KvDtype::bf16:
      return decode_table<uint16_t, decode_bf16>()[std::size_t(p[0] | (p[1] << 8))];
    case KvDtype::fp8_e4m3fn:
      return decode_table<uint8_t, decode_fp8_e4m3fn>()[p[0]];
    case KvDtype::fp8_e4m3fnuz:
      return decode_table<uint8_t, decode_fp8_e4m3fnuz>()[p[0]];
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::size_t key_offset(const Shape& s, int64_t block, int kv_head, int dim, int slot) {
  const int x = 16 / kv_bytes(s.kv);
  const int64_t idx =
      (((block * s.num_kv_heads + kv_head) * (s.head_dim / x) + dim / x) * s.block_size + slot) *
          x +
      dim % x;
  return std::size_t(idx) * kv_bytes(s.kv);
}

std::size_t value_offset(const Shape& s, int64_t block, int kv_head, int dim, int slot) {
  const int64_t idx = ((block * s.num_kv_heads + kv_head) * s.head_dim + dim) * s.block_size + slot;
  return std::size_t(idx) * kv_bytes(s.kv);
}

namespace {

bool is_fp8(KvDtype d) { return kv_bytes(d) == 1; }

double token_scale(const Problem& p, const std::vector<float>& scales, int64_t block, int kv_head,
                   int slot) {
  if (!is_fp8(p.shape.kv)) return 1.0;
  if (p.scale_mode == ScaleMode::per_tensor) return scales[0];
  return scales[std::size_t((block * p.shape.num_kv_heads + kv_head) * p.shape.block_size + slot)];
}

}  // namespace

double key_at(const Problem& p, int seq, int kv_head, int token, int dim) {
  const int64_t block =
      p.block_tables[std::size_t(seq) * p.max_blocks_per_seq + token / p.shape.block_size];
  const int slot = token % p.shape.block_size;
  return decode_kv(p.shape.kv, &p.key_cache[key_offset(p.shape, block, kv_head, dim, slot)]) *
         token_scale(p, p.k_scale, block, kv_head, slot);
}

double value_at(const Problem& p, int seq, int kv_head, int token, int dim) {
  const int64_t block =
      p.block_tables[std::size_t(seq) * p.max_blocks_per_seq + token / p.shape.block_size];
  const int slot = token % p.shape.block_size;
  return decode_kv(p.shape.kv, &p.value_cache[value_offset(p.shape, block, kv_head, dim, slot)]) *
         token_scale(p, p.v_scale, block, kv_head, slot);
}

std::vector<double> reference_attention(const Problem& p) {
  const Shape& s = p.shape;
  const int group = s.num_q_heads / s.num_kv_heads;
  std::vector<double> out(std::size_t(p.num_seqs) * s.query_len * s.num_q_heads * s.head_dim, 0.0);
  std::vector<double> q(s.head_dim), scores, k(s.head_dim);
  for (int seq = 0; seq < p.num_seqs; ++seq) {
    const int len = p.context_lens[seq];
    for (int kvh = 0; kvh < s.num_kv_heads; ++kvh) {
      // Dequantise this sequence's keys and values of this head once.
      std::vector<double> keys(std::size_t(len) * s.head_dim),
          values(std::size_t(len) * s.head_dim);
      for (int t = 0; t < len; ++t)
        for (int d = 0; d < s.head_dim; ++d) {
          keys[std::size_t(t) * s.head_dim + d] = key_at(p, seq, kvh, t, d);
          values[std::size_t(t) * s.head_dim + d] = value_at(p, seq, kvh, t, d);
        }
      for (int i = 0; i < s.query_len; ++i) {
        const int visible = std::min(len, len - s.query_len + i + 1);
        for (int g = 0; g < group; ++g) {
          const int head = kvh * group + g;
          const std::size_t row = (std::size_t(seq) * s.query_len + i) * s.num_q_heads + head;
          double* o = &out[row * s.head_dim];
          if (visible <= 0) continue;
          for (int d = 0; d < s.head_dim; ++d) {
            const uint16_t bits = p.query[row * s.head_dim + d];
            q[d] = io_is_fp16(s.kv) ? decode_fp16(bits) : decode_bf16(bits);
          }
          scores.assign(std::size_t(visible), 0.0);
          double mx = -INFINITY;
          for (int t = 0; t < visible; ++t) {
            double dot = 0.0;
            for (int d = 0; d < s.head_dim; ++d)
              dot += q[d] * keys[std::size_t(t) * s.head_dim + d];
            scores[std::size_t(t)] = dot * double(p.scale);
            mx = std::max(mx, scores[std::size_t(t)]);
          }
          double sum = 0.0;
          for (double& x : scores) sum += (x = std::exp(x - mx));
          for (int t = 0; t < visible; ++t) {
            const double w = scores[std::size_t(t)] / sum;
            for (int d = 0; d < s.head_dim; ++d)
              o[d] += w * values[std::size_t(t) * s.head_dim + d];
          }
        }
      }
    }
  }
  return out;
}

double relative_error(const std::vector<double>& ref, const uint16_t* out, bool fp16) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double v = fp16 ? decode_fp16(out[i]) : decode_bf16(out[i]);
    if (!std::isfinite(v)) return INFINITY;
    num += (v - ref[i]) * (v - ref[i]);
    den += ref[i] * ref[i];
  }
  return den > 0.0 ? std::sqrt(num / den) : std::sqrt(num);
}

}  // namespace aotc::pa_ref
