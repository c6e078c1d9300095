// Included only by variants built with AXPY_SCALED=1: the cache tests touch this header and
// expect exactly those variants to recompile.
#pragma once

TEST_DEVICE float scaled(float a) { return a * 0.5f; }
