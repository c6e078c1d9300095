// The CPU reference itself, on cases small enough to check by hand: if it is wrong, every GPU
// check built on it is worthless.
#include "pa_reference.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "pa_cases.h"

using namespace aotc::pa_ref;

namespace {

void put16(std::vector<uint8_t>& buf, std::size_t offset, uint16_t bits) {
  buf[offset] = uint8_t(bits);
  buf[offset + 1] = uint8_t(bits >> 8);
}

// A problem from make_problem (scattered blocks, NaN outside contexts) whose keys and values are
// then overwritten by key(h, t, d) and value(h, t, d), and queries by query(row, d).
template <class K, class V, class Q>
Problem hand_problem(const Shape& s, std::vector<int32_t> lens, K key, V value, Q query) {
  Problem p = make_problem(CaseSpec{s, std::move(lens), ScaleMode::per_tensor, 1.0, 7});
  p.scale = 1.0f;
  for (int seq = 0; seq < p.num_seqs; ++seq)
    for (int t = 0; t < p.context_lens[seq]; ++t) {
      const int64_t block =
          p.block_tables[std::size_t(seq) * p.max_blocks_per_seq + t / s.block_size];
      for (int h = 0; h < s.num_kv_heads; ++h)
        for (int d = 0; d < s.head_dim; ++d) {
          put16(p.key_cache, key_offset(s, block, h, d, t % s.block_size),
                encode_bf16(key(h, t, d)));
          put16(p.value_cache, value_offset(s, block, h, d, t % s.block_size),
                encode_bf16(value(h, t, d)));
        }
    }
  for (std::size_t row = 0; row < p.query.size() / s.head_dim; ++row)
    for (int d = 0; d < s.head_dim; ++d)
      p.query[row * s.head_dim + d] = encode_bf16(query(int(row), d));
  return p;
}

Shape small_shape(int query_len, int q_heads, int kv_heads) {
  Shape s;
  s.kv = KvDtype::bf16;
  s.block_size = 16;
  s.query_len = query_len;
  s.num_q_heads = q_heads;
  s.num_kv_heads = kv_heads;
  s.head_dim = 16;
  return s;
}

double out_at(const Problem& p, const std::vector<double>& out, int seq, int i, int head, int d) {
  const Shape& s = p.shape;
  return out[((std::size_t(seq) * s.query_len + i) * s.num_q_heads + head) * s.head_dim + d];
}

}  // namespace

TEST_CASE("reference: one visible key returns its value") {
  Shape s = small_shape(1, 2, 1);
  auto p = hand_problem(
      s, {1}, [](int, int, int d) { return float(d % 3); },
      [](int, int, int d) { return float(d) - 4.5f; }, [](int, int d) { return float(d % 5); });
  auto out = reference_attention(p);
  for (int head = 0; head < 2; ++head)
    for (int d = 0; d < s.head_dim; ++d) CHECK(out_at(p, out, 0, 0, head, d) == double(d) - 4.5);
}

TEST_CASE("reference: two keys weigh by exp of the scores") {
  Shape s = small_shape(1, 1, 1);
  // q = e0, k0 = 2 e0, k1 = 0: scores 2 and 0. v0 = 1, v1 = 0.
  auto p = hand_problem(
      s, {2}, [](int, int t, int d) { return t == 0 && d == 0 ? 2.0f : 0.0f; },
      [](int, int t, int) { return t == 0 ? 1.0f : 0.0f; },
      [](int, int d) { return d == 0 ? 1.0f : 0.0f; });
  auto out = reference_attention(p);
  const double expected = std::exp(2.0) / (std::exp(2.0) + 1.0);
  CHECK(out_at(p, out, 0, 0, 0, 7) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("reference: causal among new tokens, ragged lengths, scattered blocks") {
  // Zero keys make every visible key weigh the same, so with v = token index query token i of
  // a sequence of length L averages 0 .. L - qlen + i: (L - qlen + i) / 2.
  Shape s = small_shape(4, 2, 1);
  std::vector<int32_t> lens{4, 17, 40, 33};
  auto p = hand_problem(
      s, lens, [](int, int, int) { return 0.0f; }, [](int, int t, int) { return float(t); },
      [](int row, int d) { return float((row + d) % 7) - 3.0f; });
  auto out = reference_attention(p);
  for (int seq = 0; seq < int(lens.size()); ++seq)
    for (int i = 0; i < 4; ++i)
      for (int head = 0; head < 2; ++head) {
        INFO("seq " << seq << " query token " << i << " head " << head);
        CHECK(out_at(p, out, seq, i, head, 3) == Approx((lens[seq] - 4 + i) / 2.0).epsilon(1e-12));
      }
}

TEST_CASE("reference: query heads map to KV head head / (Hq / Hkv)") {
  Shape s = small_shape(1, 8, 2);
  auto p = hand_problem(
      s, {20}, [](int, int t, int d) { return float((t * 3 + d) % 5) * 0.25f; },
      [](int h, int, int) { return 10.0f * float(h + 1); },
      [](int row, int d) { return float((row * d) % 3); });
  auto out = reference_attention(p);
  for (int head = 0; head < 8; ++head)
    CHECK(out_at(p, out, 0, 0, head, 0) == Approx(head < 4 ? 10.0 : 20.0));
}

TEST_CASE("reference: rows that see no key are zero") {
  Shape s = small_shape(4, 1, 1);
  auto p = hand_problem(
      s, {2}, [](int, int, int) { return 0.0f; }, [](int, int t, int) { return float(t + 1); },
      [](int, int) { return 1.0f; });
  auto out = reference_attention(p);
  // L = 2, qlen = 4: tokens 0 and 1 see nothing, token 2 sees key 0, token 3 keys 0..1.
  CHECK(out_at(p, out, 0, 0, 0, 0) == 0.0);
  CHECK(out_at(p, out, 0, 1, 0, 0) == 0.0);
  CHECK(out_at(p, out, 0, 2, 0, 0) == 1.0);
  CHECK(out_at(p, out, 0, 3, 0, 0) == 1.5);
}

TEST_CASE("reference: fp8 per-token-head scales multiply each token") {
  Shape s = small_shape(1, 1, 1);
  s.kv = KvDtype::fp8_e4m3fn;
  Problem p = make_problem(CaseSpec{s, {3}, ScaleMode::per_token_head, 1.0, 3});
  // k = 0 (uniform weights), v codes 0x38 = 1.0: the output is the mean of the v scales.
  double expected = 0.0;
  for (int t = 0; t < 3; ++t) {
    const int64_t block = p.block_tables[std::size_t(t / s.block_size)];
    for (int d = 0; d < s.head_dim; ++d) {
      p.key_cache[key_offset(s, block, 0, d, t)] = 0x00;
      p.value_cache[value_offset(s, block, 0, d, t)] = 0x38;
    }
    expected += p.v_scale[std::size_t(block * s.block_size + t)] / 3.0;
  }
  auto out = reference_attention(p);
  CHECK(out_at(p, out, 0, 0, 0, 5) == Approx(expected).epsilon(1e-12));
}

TEST_CASE("reference: relative error flags NaN and measures the norm ratio") {
  std::vector<double> ref{3.0, 4.0};
  std::vector<uint16_t> exact{encode_bf16(3.0f), encode_bf16(4.0f)};
  CHECK(relative_error(ref, exact.data(), false) == 0.0);
  std::vector<uint16_t> off{encode_bf16(3.0f), encode_bf16(4.5f)};
  CHECK(relative_error(ref, off.data(), false) == Approx(0.1));
  std::vector<uint16_t> nan{encode_bf16(3.0f), nan_bits(KvDtype::bf16)};
  CHECK(std::isinf(relative_error(ref, nan.data(), false)));
}

TEST_CASE("cases: inputs poison every slot outside the contexts") {
  Shape s = small_shape(1, 2, 2);
  Problem p = make_problem(CaseSpec{s, {5, 16, 17}, ScaleMode::per_tensor, 1.0, 11});
  // Blocks: 1 + 1 + 2 used; 3 spare. Slots used: 5 + 16 + 17 of 7 * 16.
  std::size_t finite = 0;
  for (std::size_t i = 0; i < p.value_cache.size(); i += 2)
    finite += std::isfinite(decode_kv(s.kv, &p.value_cache[i]));
  CHECK(finite == std::size_t(5 + 16 + 17) * s.num_kv_heads * s.head_dim);
  CHECK(p.block_tables[std::size_t(0) * p.max_blocks_per_seq + 1] == -1);
}

TEST_CASE("cases: variant names parse back to shapes") {
  auto s = parse_variant_name("pa_decode.kv-fp8.bs64.q3.h64x4.d128", true);
  REQUIRE(s);
  CHECK(s->kv == KvDtype::fp8_e4m3fnuz);
  CHECK(s->block_size == 64);
  CHECK(s->query_len == 3);
  CHECK(s->num_q_heads == 64);
  CHECK(s->num_kv_heads == 4);
  CHECK(s->head_dim == 128);
  CHECK_FALSE(parse_variant_name("pa_decode.kv-fp32.bs64.q3.h64x4.d128", false));
}
