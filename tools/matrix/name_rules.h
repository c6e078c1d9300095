// Which strings the matrix accepts as names, labels, macro values and targets. These rules are
// what keeps matrix text out of places it must not reach: a variant name becomes a file name
// under out/, a define becomes one compiler argument, a target becomes a directory name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace aotc {

// Longest variant name accepted: NAME_MAX is 255 and the build appends extensions and
// ".tmp.<pid>.<n>" prefixes for atomic writes.
inline constexpr std::size_t kMaxVariantNameLength = 200;

// [A-Za-z_][A-Za-z0-9_]*: kernel, entry, axis and macro names.
bool is_c_identifier(std::string_view text);

// [A-Za-z0-9_]+: the values of string axes.
bool is_string_axis_value(std::string_view text);

// [A-Za-z0-9_+-]+ not starting with '-': one formatted label, i.e. one fragment of a variant
// name. No '.', which separates fragments, no '/', no whitespace.
bool is_label(std::string_view text);

// [A-Za-z0-9_.+-]+: a formatted macro value. No whitespace, quotes, backslashes or control
// characters, so "-DNAME=VALUE" stays one harmless argument wherever it is passed or logged.
bool is_define_token(std::string_view text);

// Non-empty, at most kMaxFlagLength characters, without control characters (newline, tab, NUL,
// DEL): an extra compiler flag, which is passed as one argument exactly as written.
inline constexpr std::size_t kMaxFlagLength = 4096;
bool is_plain_argument(std::string_view text);

// `text` as a case-insensitive file system compares names (ASCII letters folded to lower case):
// names of files aotc writes must differ in this form too ("f32" and "F32" would be one file).
std::string fold_case(std::string_view text);

// kernel.label1.label2...: a C identifier then labels, at most kMaxVariantNameLength long. Such
// a name is always a plain file name: never empty, ".", "..", never containing '/' or a leading
// '-'. The build can check names it receives from elsewhere (command line, manifest) with it.
bool is_variant_name(std::string_view text);

// AMD processor names: gfxNNN with an optional last letter a-f (gfx90a, gfx942, gfx1201), or a
// generic family gfxN-generic / gfxN-N-generic (gfx9-4-generic). No target-id features (":xnack+").
bool is_amd_target_name(std::string_view text);
bool is_generic_amd_target_name(std::string_view text);

// NVIDIA: sm_NN or sm_NNN with an optional 'a' (sm_80, sm_90a, sm_100a).
bool is_nvidia_target_name(std::string_view text);

}  // namespace aotc
