// The one rule for matrix text that becomes C++ in generated launchers: kernel names (namespaces),
// axis names (Key fields, and for string axes an enum type), define macro names (constants the
// launch rule reads), launch-rule param and value names (fields), and string axis values
// (enumerators). The generated code must compile as C++17 and gnu++17 with g++ and clang++, also
// after any standard header the including program included first, so a name is refused when it
// is:
//  - a C++ keyword (C++20's included, so today's launchers still compile under later standards),
//    or an alternative token (`and`, `or`, `not`, `bitand`, ...);
//  - a macro that a standard C or C++ header defines (NULL, EOF, errno, assert, stdin, INT64_MIN,
//    SIGINT, EINVAL, PRId64, ...), or a name compilers predefine in GNU modes (linux, unix);
//  - reserved for the implementation: it contains "__" or starts with '_' and an uppercase letter
//    (any header may define such a macro);
//  - a namespace the generated code names qualified (std, aotc).
// Names are checked when the matrix is loaded, so errors carry the JSON path. String axis values
// are data rather than names: cpp_enumerator() escapes them instead of refusing them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aotc {

// Why `name` (already a C identifier) cannot name something in generated C++, phrased to follow
// "expected a name that is not ", e.g. "a C++ keyword"; nullopt when it can.
std::optional<std::string> cpp_name_problem(std::string_view name);

// The enumerator that stands for a string axis value ([A-Za-z0-9_]+): the value itself, with a
// leading '_' when it starts with a digit ("8bit" -> "_8bit") and a trailing '_' when the result
// is refused by cpp_name_problem ("float" -> "float_", "NULL" -> "NULL_", "__x" -> "__x_" is
// still reserved: cpp_enumerator_problem says so).
std::string cpp_enumerator(std::string_view value);

// Why a string axis value has no usable enumerator (it contains "__" or starts with "_" and an
// uppercase letter, which no suffix repairs); nullopt when it has one.
std::optional<std::string> cpp_enumerator_problem(std::string_view value);

// The enum type of a string axis: snake_case to UpperCamelCase ("kv_dtype" -> "KvDtype").
std::string cpp_enum_type_name(std::string_view axis_name);

// Why an enum type name would clash with a type the generated launcher declares itself (Key,
// Args, Status, ...: an enum of that name in the kernel's namespace would hide it); nullopt when
// it does not. tools/launcher's emitters and this list change together.
std::optional<std::string> launcher_type_name_problem(std::string_view type_name);

// Why a kernel name cannot name the launcher's namespace aotc::gen::<kernel>: it is a name the
// launchers' support header declares in aotc::gen itself (Device, Status, detail, ...); nullopt
// when it can. Kept in step with runtime/include/aotc/launcher_support.h.
std::optional<std::string> launcher_namespace_problem(std::string_view kernel_name);

// An int64 as a C++ expression of type std::int64_t, valid for every value: INT64_MIN cannot be
// written as a negated literal (9223372036854775808 does not fit in int64).
std::string cpp_int64_literal(std::int64_t value);

}  // namespace aotc
