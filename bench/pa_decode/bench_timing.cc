#include "bench_timing.h"

#include <algorithm>
#include <vector>

#include "cuda_check.h"

namespace aotc::pa_bench {

DeviceInfo init_device() {
  CU_CHECK(cuInit(0));
  CUdevice dev;
  CU_CHECK(cuDeviceGet(&dev, 0));
  CUcontext ctx;
  CU_CHECK(cuDevicePrimaryCtxRetain(&ctx, dev));
  CU_CHECK(cuCtxSetCurrent(ctx));
  char buf[256] = {};
  CU_CHECK(cuDeviceGetName(buf, sizeof buf, dev));
  DeviceInfo info;
  info.name = buf;
  CU_CHECK(
      cuDeviceGetAttribute(&info.multiprocessors, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
  return info;
}

DeviceBuffers allocate_buffers(std::size_t max_tokens, int max_kv_heads) {
  DeviceBuffers b;
  b.cache_bytes = max_tokens * std::size_t(max_kv_heads) * 128 * 2;
  CU_CHECK(cuMemAlloc(&b.key_cache, b.cache_bytes));
  CU_CHECK(cuMemAlloc(&b.value_cache, b.cache_bytes));
  const std::size_t rows_bytes = std::size_t(128) * 4 * 64 * 128 * 2;
  CU_CHECK(cuMemAlloc(&b.query, rows_bytes));
  CU_CHECK(cuMemAlloc(&b.out, rows_bytes));
  CU_CHECK(cuMemAlloc(&b.block_tables, max_tokens / 16 * 4));
  CU_CHECK(cuMemAlloc(&b.context_lens, 128 * 4));
  CU_CHECK(cuMemAlloc(&b.k_scale, 16));
  CU_CHECK(cuMemAlloc(&b.v_scale, 16));
  const float scales[4] = {0.25f, 0.25f, 0.25f, 0.25f};
  CU_CHECK(cuMemcpyHtoD(b.k_scale, scales, 16));
  CU_CHECK(cuMemcpyHtoD(b.v_scale, scales, 16));
  b.workspace_bytes = std::size_t(256) << 20;
  CU_CHECK(cuMemAlloc(&b.workspace, b.workspace_bytes));
  return b;
}

void fill_random(CUdeviceptr dst, std::size_t bytes, pa_ref::KvDtype dtype, std::mt19937_64& rng) {
  std::vector<uint16_t> pattern(32u << 20);
  for (uint16_t& w : pattern) {
    const uint16_t r = uint16_t(rng());
    switch (dtype) {
      case pa_ref::KvDtype::bf16:
        w = uint16_t((r & 0x807f) | 0x3f00);
        break;
      case pa_ref::KvDtype::fp16:
        w = uint16_t((r & 0x83ff) | 0x3800);
        break;
      default:  // two e4m3 codes, exponent 6
        w = uint16_t((r & 0x8787) | 0x3030);
        break;
    }
  }
  const std::size_t chunk = pattern.size() * 2;
  for (std::size_t off = 0; off < bytes; off += chunk)
    CU_CHECK(cuMemcpyHtoD(dst + off, pattern.data(), std::min(chunk, bytes - off)));
}

namespace {

struct Timer {
  CUevent start = nullptr, stop = nullptr;
  CUdeviceptr flush = 0;
  static constexpr std::size_t kFlushBytes = std::size_t(256) << 20;
  Timer() {
    CU_CHECK(cuEventCreate(&start, CU_EVENT_DEFAULT));
    CU_CHECK(cuEventCreate(&stop, CU_EVENT_DEFAULT));
    CU_CHECK(cuMemAlloc(&flush, kFlushBytes));
  }
};

Timer& timer() {
  static Timer t;
  return t;
}

}  // namespace

double median_launch_us(const std::function<void()>& launch) {
  Timer& t = timer();
  std::vector<float> us;
  for (int it = 0; it < 24; ++it) {
    CU_CHECK(cuMemsetD8Async(t.flush, uint8_t(it), Timer::kFlushBytes, nullptr));
    CU_CHECK(cuEventRecord(t.start, nullptr));
    launch();
    CU_CHECK(cuEventRecord(t.stop, nullptr));
    CU_CHECK(cuEventSynchronize(t.stop));
    float ms = 0.0f;
    CU_CHECK(cuEventElapsedTime(&ms, t.start, t.stop));
    if (it >= 3) us.push_back(ms * 1000.0f);
  }
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

double copy_tbps() {
  const std::size_t bytes = std::size_t(1) << 31;
  CUdeviceptr src = 0, dst = 0;
  CU_CHECK(cuMemAlloc(&src, bytes));
  CU_CHECK(cuMemAlloc(&dst, bytes));
  CU_CHECK(cuMemsetD8(src, 1, bytes));
  const double us =
      median_launch_us([&] { CU_CHECK(cuMemcpyDtoDAsync(dst, src, bytes, nullptr)); });
  CU_CHECK(cuMemFree(src));
  CU_CHECK(cuMemFree(dst));
  return 2.0 * double(bytes) / (us * 1e-6) / 1e12;
}

}  // namespace aotc::pa_bench
