// Validating one kernel's axes and its include/exclude patterns (internal to aotc_matrix; the
// public entry point is parse_matrix in matrix_parse.h).
#pragma once

#include <string>
#include <vector>

#include "matrix/json_checks.h"
#include "matrix/matrix.h"

namespace aotc {

// Reads kernels[k].axes.<name>: type, arity, values, label and defines, with every value's label
// and defines rendered. Problems are reported; the returned Axis holds what could be read.
Axis parse_axis(const std::string& name, const OrderedJson& node, const JsonPath& path,
                Problems& problems);

// Reads kernels[k].include or .exclude: a list of patterns, each naming existing axes and, for
// each, existing values of that axis.
std::vector<AxisPattern> parse_patterns(const OrderedJson& node, const JsonPath& path,
                                        const std::vector<Axis>& axes, Problems& problems);

}  // namespace aotc
