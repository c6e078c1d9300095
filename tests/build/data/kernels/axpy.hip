// y[i] = a * x[i] + y[i], unrolled AXPY_WIDTH times; the scaled variants pull in scale.h.
#include "portability.h"
#if AXPY_SCALED
#include "scale.h"
#endif

#ifndef AXPY_WIDTH
#error "AXPY_WIDTH must be defined by the build matrix"
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
