#include "matrix/cpp_names.h"

#include <set>

namespace aotc {
namespace {

using NameSet = std::set<std::string, std::less<>>;

// C++20 keywords and alternative tokens, plus `typeof`, a keyword in GNU modes.
const NameSet k_keywords{"alignas",       "alignof",     "and",
                         "and_eq",        "asm",         "auto",
                         "bitand",        "bitor",       "bool",
                         "break",         "case",        "catch",
                         "char",          "char8_t",     "char16_t",
                         "char32_t",      "class",       "compl",
                         "concept",       "const",       "consteval",
                         "constexpr",     "constinit",   "const_cast",
                         "continue",      "co_await",    "co_return",
                         "co_yield",      "decltype",    "default",
                         "delete",        "do",          "double",
                         "dynamic_cast",  "else",        "enum",
                         "explicit",      "export",      "extern",
                         "false",         "float",       "for",
                         "friend",        "goto",        "if",
                         "inline",        "int",         "long",
                         "mutable",       "namespace",   "new",
                         "noexcept",      "not",         "not_eq",
                         "nullptr",       "operator",    "or",
                         "or_eq",         "private",     "protected",
                         "public",        "register",    "reinterpret_cast",
                         "requires",      "return",      "short",
                         "signed",        "sizeof",      "static",
                         "static_assert", "static_cast", "struct",
                         "switch",        "template",    "this",
                         "thread_local",  "throw",       "true",
                         "try",           "typedef",     "typeid",
                         "typename",      "typeof",      "union",
                         "unsigned",      "using",       "virtual",
                         "void",          "volatile",    "wchar_t",
                         "while",         "xor",         "xor_eq"};

// Macros of the C and C++ standard headers (as glibc and libstdc++ define them: <csignal> brings
// every POSIX signal, <cerrno> every POSIX error), NDEBUG (commonly defined on the command line),
// and what compilers predefine in GNU modes on the platforms we build for.
const NameSet k_macros{
    // <cstddef>, <cstdlib>, <cstdio>, <cassert>, <cstdarg>, <csetjmp>
    "NULL", "offsetof", "EXIT_FAILURE", "EXIT_SUCCESS", "MB_CUR_MAX", "RAND_MAX", "BUFSIZ", "EOF",
    "FILENAME_MAX", "FOPEN_MAX", "L_tmpnam", "SEEK_CUR", "SEEK_END", "SEEK_SET", "TMP_MAX", "stdin",
    "stdout", "stderr", "assert", "NDEBUG", "va_arg", "va_copy", "va_end", "va_start", "setjmp",
    // <climits>
    "CHAR_BIT", "SCHAR_MIN", "SCHAR_MAX", "UCHAR_MAX", "CHAR_MIN", "CHAR_MAX", "MB_LEN_MAX",
    "SHRT_MIN", "SHRT_MAX", "USHRT_MAX", "INT_MIN", "INT_MAX", "UINT_MAX", "LONG_MIN", "LONG_MAX",
    "ULONG_MAX", "LLONG_MIN", "LLONG_MAX", "ULLONG_MAX",
    // <cstdint> (the sized ones are generated below)
    "INTMAX_MIN", "INTMAX_MAX", "UINTMAX_MAX", "INTPTR_MIN", "INTPTR_MAX", "UINTPTR_MAX",
    "PTRDIFF_MIN", "PTRDIFF_MAX", "SIZE_MAX", "SIG_ATOMIC_MIN", "SIG_ATOMIC_MAX", "WCHAR_MIN",
    "WCHAR_MAX", "WINT_MIN", "WINT_MAX", "INTMAX_C", "UINTMAX_C", "WEOF",
    // <cfloat>
    "FLT_RADIX", "FLT_ROUNDS", "FLT_EVAL_METHOD", "DECIMAL_DIG", "FLT_MANT_DIG", "DBL_MANT_DIG",
    "LDBL_MANT_DIG", "FLT_DIG", "DBL_DIG", "LDBL_DIG", "FLT_MIN_EXP", "DBL_MIN_EXP", "LDBL_MIN_EXP",
    "FLT_MIN_10_EXP", "DBL_MIN_10_EXP", "LDBL_MIN_10_EXP", "FLT_MAX_EXP", "DBL_MAX_EXP",
    "LDBL_MAX_EXP", "FLT_MAX_10_EXP", "DBL_MAX_10_EXP", "LDBL_MAX_10_EXP", "FLT_MAX", "DBL_MAX",
    "LDBL_MAX", "FLT_EPSILON", "DBL_EPSILON", "LDBL_EPSILON", "FLT_MIN", "DBL_MIN", "LDBL_MIN",
    "FLT_TRUE_MIN", "DBL_TRUE_MIN", "LDBL_TRUE_MIN", "FLT_DECIMAL_DIG", "DBL_DECIMAL_DIG",
    "LDBL_DECIMAL_DIG", "FLT_HAS_SUBNORM", "DBL_HAS_SUBNORM", "LDBL_HAS_SUBNORM",
    // <cmath>, <cfenv>
    "HUGE_VAL", "HUGE_VALF", "HUGE_VALL", "INFINITY", "NAN", "FP_INFINITE", "FP_NAN", "FP_NORMAL",
    "FP_SUBNORMAL", "FP_ZERO", "FP_FAST_FMA", "FP_FAST_FMAF", "FP_FAST_FMAL", "FP_ILOGB0",
    "FP_ILOGBNAN", "MATH_ERRNO", "MATH_ERREXCEPT", "math_errhandling", "FE_ALL_EXCEPT",
    "FE_DIVBYZERO", "FE_INEXACT", "FE_INVALID", "FE_OVERFLOW", "FE_UNDERFLOW", "FE_DOWNWARD",
    "FE_TONEAREST", "FE_TOWARDZERO", "FE_UPWARD", "FE_DFL_ENV",
    // <clocale>, <ctime>
    "LC_ALL", "LC_COLLATE", "LC_CTYPE", "LC_MONETARY", "LC_NUMERIC", "LC_TIME", "CLOCKS_PER_SEC",
    "TIME_UTC",
    // <csignal>
    "SIG_DFL", "SIG_ERR", "SIG_IGN", "SIGABRT", "SIGFPE", "SIGILL", "SIGINT", "SIGSEGV", "SIGTERM",
    "SIGHUP", "SIGQUIT", "SIGTRAP", "SIGIOT", "SIGBUS", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGPIPE",
    "SIGALRM", "SIGSTKFLT", "SIGCHLD", "SIGCLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
    "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",
    "SIGPOLL", "SIGPWR", "SIGSYS", "SIGRTMIN", "SIGRTMAX",
    // <cerrno>
    "errno", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EALREADY",
    "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED", "ECONNREFUSED",
    "ECONNRESET", "EDEADLK", "EDESTADDRREQ", "EDOM", "EEXIST", "EFAULT", "EFBIG", "EHOSTUNREACH",
    "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR", "ELOOP",
    "EMFILE", "EMLINK", "EMSGSIZE", "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH",
    "ENFILE", "ENOBUFS", "ENODATA", "ENODEV", "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM",
    "ENOMSG", "ENOPROTOOPT", "ENOSPC", "ENOSR", "ENOSTR", "ENOSYS", "ENOTCONN", "ENOTDIR",
    "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP", "ENOTTY", "ENXIO", "EOPNOTSUPP",
    "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE",
    "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ETIME", "ETIMEDOUT", "ETXTBSY", "EWOULDBLOCK", "EXDEV",
    // predefined by GCC and clang in GNU modes (gnu++17)
    "linux", "unix", "i386", "sun", "sparc", "mips", "vax", "m68k"};

// Namespaces the generated code names qualified (std::int64_t, aotc::gen::...): a declaration of
// the same name nearer in scope would capture those lookups.
const NameSet k_namespaces{"std", "aotc"};

// Types the generated launchers declare in aotc::gen and aotc::gen::<kernel>.
const NameSet k_launcher_types{"Key",      "Args",        "Status",       "Device", "Plan",
                               "StepPlan", "VariantInfo", "VariantRange", "Span",   "Vendor"};

// Everything runtime/include/aotc/launcher_support.h declares in aotc::gen, where each kernel's
// namespace lives too.
const NameSet k_launcher_namespace{"Status",   "Vendor", "to_string", "Device",
                                   "StepPlan", "Span",   "detail",    "set_kernel_dir"};

// <cstdint> and <cinttypes> macros for every width: INT8_MIN ... UINT_FAST64_MAX, INT8_C ...,
// PRId8 ... SCNxPTR.
const NameSet& integer_macros() {
  static const NameSet names = [] {
    NameSet out;
    for (std::string width : {"8", "16", "32", "64"}) {
      for (std::string kind : {"", "_LEAST", "_FAST"}) {
        out.insert("INT" + kind + width + "_MIN");
        out.insert("INT" + kind + width + "_MAX");
        out.insert("UINT" + kind + width + "_MAX");
      }
      out.insert("INT" + width + "_C");
      out.insert("UINT" + width + "_C");
    }
    for (std::string size : {"8", "16", "32", "64", "LEAST8", "LEAST16", "LEAST32", "LEAST64",
                             "FAST8", "FAST16", "FAST32", "FAST64", "MAX", "PTR"}) {
      for (char conversion : std::string("diouxX"))
        out.insert("PRI" + std::string(1, conversion) + size);
      for (char conversion : std::string("diouxX"))
        out.insert("SCN" + std::string(1, conversion) + size);
    }
    return out;
  }();
  return names;
}

bool is_reserved(std::string_view name) {
  return name.find("__") != std::string_view::npos ||
         (name.size() >= 2 && name[0] == '_' && name[1] >= 'A' && name[1] <= 'Z');
}

}  // namespace

std::optional<std::string> cpp_name_problem(std::string_view name) {
  if (k_keywords.contains(name)) return "a C++ keyword or alternative token";
  if (k_macros.contains(name) || integer_macros().contains(name)) {
    return "a macro of the C/C++ standard headers or one compilers predefine (" +
           std::string(name) + ")";
  }
  if (is_reserved(name)) {
    return "reserved for the C++ implementation (it contains \"__\" or starts with '_' and an "
           "uppercase letter)";
  }
  if (k_namespaces.contains(name)) return "a namespace the generated code uses (std, aotc)";
  return std::nullopt;
}

std::string cpp_enumerator(std::string_view value) {
  std::string out(value);
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), '_');
  if (cpp_name_problem(out)) out += '_';
  return out;
}

std::optional<std::string> cpp_enumerator_problem(std::string_view value) {
  if (is_reserved(cpp_enumerator(value))) {
    return "a value that contains \"__\" or starts with '_' and an uppercase letter (its "
           "enumerator "
           "would be reserved for the C++ implementation)";
  }
  return std::nullopt;
}

std::string cpp_enum_type_name(std::string_view axis_name) {
  std::string out;
  bool up = true;
  for (char c : axis_name) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    up = false;
  }
  return out;
}

std::optional<std::string> launcher_type_name_problem(std::string_view type_name) {
  if (!k_launcher_types.contains(type_name)) return std::nullopt;
  return "a type the generated launcher declares itself (" + std::string(type_name) + ")";
}

std::optional<std::string> launcher_namespace_problem(std::string_view kernel_name) {
  if (!k_launcher_namespace.contains(kernel_name)) return std::nullopt;
  return "a name the generated launchers declare in aotc::gen (" + std::string(kernel_name) + ")";
}

std::string cpp_int64_literal(std::int64_t value) {
  if (value == INT64_MIN) return "(-9223372036854775807 - 1)";
  return std::to_string(value);
}

}  // namespace aotc
