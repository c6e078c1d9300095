#include <catch2/catch.hpp>
#include <fstream>
#include <limits>

#include "core/atomic_file.h"
#include "launcher/emitters.h"
#include "launcher/expression_cpp.h"
#include "launcher/expression_eval.h"
#include "launcher/launch_expression.h"
#include "launcher/launcher_fixture.h"
#include "tool_skip.h"

using namespace aotc;
using namespace aotc::launcher;

namespace {

// a and b are integer params; PA_X a define; device.warp_size a device attribute.
Result<Symbol> resolve(std::string_view name) {
  if (name == "a" || name == "b") return Symbol{SymbolKind::param, std::string(name)};
  if (name == "PA_X") return Symbol{SymbolKind::define, "PA_X"};
  if (name == "device.warp_size") return Symbol{SymbolKind::device, "warp_size"};
  return make_error("unknown identifier '" + std::string(name) + "'");
}

Expression parse(const std::string& text) {
  Result<Expression> e = parse_expression(text, resolve);
  INFO(text << ": " << (e ? "" : e.error().message));
  REQUIRE(e.ok());
  return *e;
}

std::string parse_error(const std::string& text) {
  Result<Expression> e = parse_expression(text, resolve);
  REQUIRE_FALSE(e.ok());
  return e.error().message;
}

Result<std::int64_t> eval(const std::string& text, std::int64_t a, std::int64_t b) {
  return evaluate_expression(parse(text), [&](const Symbol& s) -> std::optional<std::int64_t> {
    if (s.name == "a") return a;
    if (s.name == "b") return b;
    if (s.name == "PA_X") return 7;
    return std::nullopt;
  });
}

std::int64_t value(const std::string& text, std::int64_t a = 0, std::int64_t b = 0) {
  Result<std::int64_t> v = eval(text, a, b);
  INFO(text << ": " << (v ? "" : v.error().message));
  REQUIRE(v.ok());
  return *v;
}

}  // namespace

TEST_CASE("expressions follow C precedence and associativity") {
  CHECK(value("1 + 2 * 3") == 7);
  CHECK(value("(1 + 2) * 3") == 9);
  CHECK(value("10 - 4 - 3") == 3);
  CHECK(value("100 / 10 / 5") == 2);
  CHECK(value("-2 * -3") == 6);
  CHECK(value("7 % 4 + 1") == 4);
  CHECK(value("1 + 2 < 4 && 3 > 2 || 0 > 1") == 1);
  CHECK(value("!(1 < 2) || 2 <= 2 && 3 >= 4") == 0);
  CHECK(value("a * PA_X + b", 3, 4) == 25);
  CHECK(value("1 == 1 && 2 != 3") == 1);
}

TEST_CASE("min, max and ceil_div compute what their names say, negatives included") {
  CHECK(value("min(a, b)", 3, -4) == -4);
  CHECK(value("max(a, b)", 3, -4) == 3);
  CHECK(value("ceil_div(a, b)", 7, 2) == 4);
  CHECK(value("ceil_div(a, b)", 8, 2) == 4);
  CHECK(value("ceil_div(a, b)", -7, 2) == -3);
  CHECK(value("ceil_div(a, b)", 7, -2) == -3);
  CHECK(value("ceil_div(a, b)", -7, -2) == 4);
  CHECK(value("ceil_div(a, b)", 0, 5) == 0);
  CHECK(value("a / b", -7, 2) == -3);  // C truncation
  CHECK(value("a % b", -7, 2) == -1);
  CHECK(value("min(max(1, ceil_div(a, 512)), 4)", 5000) == 4);
}

TEST_CASE("overflow and division by zero are errors, not wrapped values") {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  CHECK_FALSE(eval("a + 1", big, 0).ok());
  CHECK_FALSE(eval("a * 2", big / 2 + 1, 0).ok());
  CHECK_FALSE(eval("-a - 2", big, 0).ok());
  Result<std::int64_t> zero = eval("ceil_div(a, b)", 1, 0);
  REQUIRE_FALSE(zero.ok());
  CHECK_THAT(zero.error().message,
             Catch::Contains("division by zero") && Catch::Contains("ceil_div(a, b)"));
  CHECK_FALSE(eval("a % b", 1, 0).ok());
  CHECK(eval("b == 0 || a / b > 1", 1, 0).ok());  // || short-circuits
  CHECK_THAT(
      evaluate_expression(parse("device.warp_size * 2"), [](const Symbol&) { return std::nullopt; })
          .error()
          .message,
      Catch::Contains("'warp_size' is only known at launch time"));
}

TEST_CASE("parse errors name the offending token and its column") {
  CHECK_THAT(parse_error("ceil_div(num_partition, 2)"),
             Catch::Contains("unknown identifier 'num_partition'") &&
                 Catch::Contains("column 10") && Catch::Contains("\"ceil_div(num_partition, 2)\""));
  CHECK_THAT(parse_error("a + $"), Catch::Contains("unexpected character '$' at column 5"));
  CHECK_THAT(parse_error("a +"), Catch::Contains("unexpected end of expression at column 4"));
  CHECK_THAT(parse_error("(a + b"), Catch::Contains("expected ')' at column 7"));
  CHECK_THAT(parse_error("a b"), Catch::Contains("unexpected 'b' at column 3"));
  CHECK_THAT(parse_error("pow(a, 2)"),
             Catch::Contains("unknown function 'pow'") && Catch::Contains("column 1"));
  CHECK_THAT(parse_error("min(a)"), Catch::Contains("min takes two arguments"));
  CHECK_THAT(parse_error("99999999999999999999"), Catch::Contains("does not fit in int64"));
  CHECK_THAT(parse_error("12ab"), Catch::Contains("malformed integer literal '12ab'"));
  CHECK_THAT(parse_error("device.sm_count"),
             Catch::Contains("unknown identifier 'device.sm_count'"));
}

TEST_CASE("booleans and integers do not mix") {
  CHECK_THAT(parse_error("(a < b) + 1"), Catch::Contains("operator '+' needs integer operands"));
  CHECK_THAT(parse_error("a && b"), Catch::Contains("operator '&&' needs boolean operands") &&
                                        Catch::Contains("column 1"));
  CHECK_THAT(parse_error("!a"), Catch::Contains("operator '!' needs boolean operands"));
  CHECK_THAT(parse_error("min(a < b, 1)"),
             Catch::Contains("operator 'min' needs integer operands"));
  CHECK(parse("a < b").type() == ExprType::boolean);
  CHECK(parse("a + b").type() == ExprType::integer);
}

TEST_CASE("hostile nesting is refused, not a stack overflow") {
  CHECK_THAT(parse_error(std::string(100, '(') + "1" + std::string(100, ')')),
             Catch::Contains("nested too deeply"));
  CHECK_THAT(parse_error(std::string(100, '-') + "1"), Catch::Contains("nested too deeply"));
}

TEST_CASE("hostile length is refused before it costs time or stack") {
  // A chain nests once per operator without a single parenthesis: its tree would be as deep as
  // it is long, and so would every walk over it and the C++ emitted for it.
  std::string chain = "1";
  for (int i = 0; i < 200; ++i) chain += "+1";
  CHECK_THAT(parse_error(chain), Catch::Contains("401 tokens is longer than 255"));
  CHECK_THAT(parse_error(std::string(100000, ' ') + "1"),
             Catch::Contains("100001 characters is longer than 4096"));
  CHECK_THAT(parse_error(std::string(5000, '(') + "1" + std::string(5000, ')')),
             Catch::Contains("longer than 4096"));
  // The longest accepted chain still evaluates.
  std::string longest = "1";
  for (int i = 0; i < 127; ++i) longest += "+1";
  CHECK(value(longest) == 128);
}

TEST_CASE("symbols() lists each symbol once in first-use order") {
  const std::vector<Symbol> symbols = parse("b + a * b + PA_X + device.warp_size").symbols();
  REQUIRE(symbols.size() == 4);
  CHECK(symbols[0].name == "b");
  CHECK(symbols[1].name == "a");
  CHECK(symbols[2].kind == SymbolKind::define);
  CHECK(symbols[3].kind == SymbolKind::device);
}

// The generated launcher evaluates rules with the emitted C++ and the checked helpers of
// runtime/include/aotc/launcher_support.h; the build evaluates constant ones with
// evaluate_expression. Compile the emitted code and check both agree on every case, failures
// included.
TEST_CASE("emitted C++ computes exactly what the evaluator computes") {
  const std::optional<std::filesystem::path> gxx = test::find_tool("g++");
  if (!gxx) {
    aotc::test::missing_tool("g++");
    return;
  }
  const std::vector<std::string> expressions{"1 + 2 * 3 - a",
                                             "ceil_div(a, b)",
                                             "a / b",
                                             "a % b",
                                             "min(a, b) * max(a, PA_X)",
                                             "-a + -(b - 1)",
                                             "a * b",
                                             "a + b",
                                             "a - b",
                                             "(a < b) && (b > a) || !(a >= b) && a != b",
                                             "ceil_div(a * PA_X, b) % 5"};
  const std::vector<std::pair<std::int64_t, std::int64_t>> inputs{
      {7, 2},
      {-7, 2},
      {7, -2},
      {-7, -2},
      {0, 3},
      {5, 0},
      {std::numeric_limits<std::int64_t>::max(), 2},
      {std::numeric_limits<std::int64_t>::min(), -1},
      {3000000000, 4000000000}};
  const SymbolEmitter emit = [](const Symbol& s) {
    return s.kind == SymbolKind::define ? std::string("std::int64_t{7}") : s.name;
  };
  // INT64_MIN has no literal of its own.
  const auto literal = [](std::int64_t v) {
    return v == std::numeric_limits<std::int64_t>::min()
               ? std::string("std::numeric_limits<std::int64_t>::min()")
               : std::to_string(v) + "LL";
  };
  std::string program = "#include <aotc/launcher_support.h>\n#include <cstdio>\nint main() {\n";
  std::string expected;
  for (const auto& [a, b] : inputs) {
    for (const std::string& text : expressions) {
      const bool boolean = parse(text).type() == ExprType::boolean;
      program += "  {\n    const std::int64_t a = " + literal(a) + ", b = " + literal(b) +
                 ";\n    (void)a;\n    (void)b;\n    aotc::gen::detail::Eval e;\n    const "
                 "std::int64_t r = static_cast<std::int64_t>(" +
                 expression_to_cpp(parse(text), emit) + ");\n" +
                 "    if (e.failed()) std::printf(\"error\\n\"); else std::printf(\"%lld\\n\", "
                 "static_cast<long long>(r));\n"
                 "  }\n";
      Result<std::int64_t> v = eval(text, a, b);
      expected += v ? std::to_string(boolean ? (*v != 0) : *v) + "\n" : "error\n";
    }
  }
  program += "}\n";
  const std::filesystem::path dir = test::fresh_dir("expression_emission");
  REQUIRE(write_file_atomic(dir / "main.cc", program).ok());
  const std::string compile =
      gxx->string() + " -std=c++17 -Wall -Wextra -Werror -I" AOTC_SOURCE_DIR "/runtime/include " +
      (dir / "main.cc").string() + " -o " + (dir / "main").string();
  const test::CommandResult built = test::run_command(compile);
  INFO(built.output);
  REQUIRE(built.exit_code == 0);
  const test::CommandResult ran = test::run_command((dir / "main").string());
  REQUIRE(ran.exit_code == 0);
  CHECK(ran.output == expected);
}
