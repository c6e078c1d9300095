// Expanding a Matrix into Variants: the cartesian product of each kernel's axes, filtered by its
// include/exclude patterns, named deterministically (kernel.label1.label2...). Refuses matrices
// whose variants x targets exceed options.max_variants, and name collisions.
#pragma once

#include <vector>

#include "core/result.h"
#include "matrix/matrix.h"

namespace aotc {

Result<std::vector<Variant>> expand_matrix(const Matrix& matrix);

// True if the variant's axis values match every axis listed in the pattern.
bool variant_matches(const Variant& variant, const AxisPattern& pattern);

}  // namespace aotc
