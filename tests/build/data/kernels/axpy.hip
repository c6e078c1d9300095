// y[i] = a * x[i] + y[i], AXPY_WIDTH elements per thread; the scaled variants include scale.h.
#include "portability.h"
#if AXPY_SCALED
#include "scale.h"
#endif

#if !defined(AXPY_WIDTH) || AXPY_WIDTH < 1
// broken.json's width 0 variant fails here: the compile-error tests expect this diagnostic.
#error "AXPY_WIDTH must be at least 1"
#endif

TEST_GLOBAL void axpy(float* y, const float* x, float a, int n) {
#if AXPY_SCALED
  a = scaled(a);
#endif
  int base = thread_index() * AXPY_WIDTH;
#pragma unroll
  for (int k = 0; k < AXPY_WIDTH; ++k) {
    if (base + k < n) y[base + k] = a * x[base + k] + y[base + k];
  }
}
