// out[i] = a * x[i], one element per thread, SCALE_BLOCK threads per block.
#include "thread_index.h"

extern "C" __attribute__((global)) void scale(float* out, const float* x, float a, int64_t n) {
  const int64_t i = int64_t(BLOCK_X()) * SCALE_BLOCK + THREAD_X();
  if (i < n) out[i] = a * x[i];
}
