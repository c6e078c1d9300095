// Property test of the one rule for generated C++ names (matrix/cpp_names.h): matrices whose
// kernel, axis, macro, param and value names and whose string and integer values are drawn from
// hostile pools (C++ keywords and alternative tokens, standard macros, names predefined in GNU
// modes, reserved names, the launcher's own names, INT64_MIN...). Each matrix either fails to
// load with a clear error (exit 1, no signal, the JSON path of what is wrong) or builds, and then
// every generated header and source compiles with g++ and clang++-22 in -std=c++17 and
// -std=gnu++17, -Wall -Wextra -Werror, after every C and C++ standard header that defines macros.
//
// To keep the compiles few, each candidate is first loaded alone (`aotc build --dry-run`, which
// validates everything and compiles nothing); the accepted ones are then built together as the
// kernels of one matrix, and their launchers compiled as one translation unit per configuration.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "build/subprocess.h"
#include "build/toolchain_discovery.h"
#include "core/atomic_file.h"
#include "tool_skip.h"

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

// Names that are C identifiers, most of which must not reach C++ as they are.
const std::vector<std::string> k_names = {
    "for",       "or",     "and",       "not",        "nullptr",    "class",        "int",
    "float",     "typeof", "co_await",  "requires",   "char8_t",    "NULL",         "EOF",
    "errno",     "assert", "stdin",     "INT64_MIN",  "SIZE_MAX",   "SIGINT",       "EINVAL",
    "PRId64",    "NDEBUG", "linux",     "unix",       "i386",       "__x",          "_X",
    "a__b",      "std",    "aotc",      "Key",        "Args",       "Status",       "Device",
    "Plan",      "Span",   "detail",    "gen",        "launch",     "plan",         "variants",
    "workspace", "device", "min",       "max",        "ceil_div",   "dtype",        "Dtype",
    "DTYPE",     "x",      "_x",        "_1d",        "X1",         "block_size",   "key",
    "args",      "status", "to_string", "k_variants", "index_of_x", "find_variant", "Linux",
    "null",      "e"};

// String axis values: [A-Za-z0-9_]+, many of them names the rule refuses or escapes.
const std::vector<std::string> k_values = {
    "fp16", "FP16",         "float", "NULL", "EOF",  "errno",   "linux", "for",
    "for_", "8bit",         "_8bit", "__x",  "_Fp",  "nullptr", "Key",   "std",
    "true", "EXIT_SUCCESS", "a",     "A",    "unix", "int"};

const std::vector<std::int64_t> k_integers = {std::numeric_limits<std::int64_t>::min(),
                                              std::numeric_limits<std::int64_t>::max(),
                                              -1,
                                              0,
                                              1,
                                              255,
                                              4294967296};

template <class T>
const T& pick(std::mt19937& random, const std::vector<T>& pool) {
  return pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(random)];
}

// `count` distinct elements of `pool`.
template <class T>
std::vector<T> pick_distinct(std::mt19937& random, const std::vector<T>& pool, std::size_t count) {
  std::vector<T> out;
  while (out.size() < count) {
    const T& value = pick(random, pool);
    if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  return out;
}

// Everything of one kernel that reaches generated C++.
struct Names {
  std::string kernel = "kernel_ok";
  std::string string_axis = "dtype";
  std::string integer_axis = "width";
  std::string macro = "K_WIDTH";  // read by the launch rule
  std::string string_macro = "K_DTYPE";
  std::string pointer_param = "out";
  std::string integer_param = "n";
  std::string value = "blocks";
  std::vector<std::string> strings = {"fp16", "bf16"};
  std::vector<std::int64_t> integers = {1, 4};
};

// A kernel whose every name is replaced by a pool name with probability 1/3, so that some are
// accepted and some refused; values are always drawn from the pools (they are escaped).
Names random_names(std::mt19937& random, const std::string& kernel) {
  Names n;
  n.kernel = kernel;
  std::bernoulli_distribution replace(1.0 / 3);
  for (std::string Names::* field :
       {&Names::kernel, &Names::string_axis, &Names::integer_axis, &Names::macro,
        &Names::string_macro, &Names::pointer_param, &Names::integer_param, &Names::value}) {
    if (replace(random)) n.*field = pick(random, k_names);
  }
  n.strings = pick_distinct(random, k_values, 2);
  n.integers = pick_distinct(random, k_integers, 2);
  return n;
}

// One kernel: a string axis, an integer axis whose macro the launch rule reads, and a rule with
// two params and one value.
json kernel_of(const Names& n) {
  json strings = json::array(), integers = json::array();
  for (const auto& v : n.strings) strings.push_back(v);
  for (auto v : n.integers) integers.push_back(v);
  json axes = json::object();
  axes[n.string_axis] = {{"type", "string"},
                         {"values", strings},
                         {"label", "s{0}"},
                         {"defines", {{n.string_macro, "{0}"}}}};
  axes[n.integer_axis] = {{"type", "integer"},
                          {"values", integers},
                          {"label", "i{0}"},
                          {"defines", {{n.macro, "{0}"}}}};
  json params = json::array({{{"name", n.pointer_param}, {"type", "int32_t*"}},
                             {{"name", n.integer_param}, {"type", "int32_t"}}});
  json step = {{"entry", "k"},
               {"grid", {"max(1, " + n.value + " + 0 * " + n.macro + ")"}},
               {"block", {64}},
               {"args", {n.pointer_param, n.integer_param}}};
  return {
      {"name", n.kernel},
      {"source", "k.hip"},
      {"entries", {"k"}},
      {"axes", axes},
      {"launch",
       {{"params", params}, {"values", {{n.value, n.integer_param + " + 1"}}}, {"steps", {step}}}}};
}

json matrix_of(const std::vector<json>& kernels) {
  return {{"schema", 1}, {"targets", {"gfx942"}}, {"kernels", kernels}};
}

aotc::ProcessResult run(const std::vector<std::string>& argv) {
  auto result = aotc::run_process(argv);
  REQUIRE(result.ok());
  return *result;
}

// Every standard header that defines macros a name could collide with, before the launchers.
const char* k_prelude =
    "#include <cassert>\n#include <cerrno>\n#include <cfenv>\n#include <cfloat>\n"
    "#include <cinttypes>\n#include <climits>\n#include <clocale>\n#include <cmath>\n"
    "#include <csetjmp>\n#include <csignal>\n#include <cstdarg>\n#include <cstddef>\n"
    "#include <cstdint>\n#include <cstdio>\n#include <cstdlib>\n#include <cstring>\n"
    "#include <ctime>\n#include <cwchar>\n";

}  // namespace

TEST_CASE("hostile names and values: a clear load error, or launchers that compile everywhere") {
  for (const char* tool : {"clang-22", "g++", "clang++-22"}) {
    if (!aotc::find_executable(tool)) {
      aotc::test::missing_tool(std::string(tool) + " (builds kernels and compiles launchers)");
      return;
    }
  }
  // AOTC_TEST_SEED replays a run (the seed is printed with any failure).
  const char* seed_text = std::getenv("AOTC_TEST_SEED");
  const unsigned seed =
      seed_text ? static_cast<unsigned>(std::stoul(seed_text)) : std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 random(seed);
  const fs::path dir = fs::path(AOTC_BINARY_DIR) / "test-scratch" / "generated-names";
  fs::remove_all(dir);
  REQUIRE(aotc::write_file_atomic(dir / "k.hip",
                                  "extern \"C\" __attribute__((global)) void k(int* out, int n) {\n"
                                  "  if (n > 0) out[0] = n;\n}\n")
              .ok());

  // The cases first, each with an outcome it must have: as a value, a name is escaped and
  // the launcher compiles; as a kernel, axis, macro, param or value name it is refused at load.
  struct Case {
    Names names;
    int must_load;  // 1 must, 0 must not, -1 either (random cases)
  };
  std::vector<Case> cases;
  int fixed = 0;
  for (std::string name : {"for", "or", "nullptr", "NULL", "EOF", "errno", "linux", "unix"}) {
    const std::string tag = "k_fixed" + std::to_string(fixed++);
    Names as_value;
    as_value.kernel = tag;
    as_value.strings = {name, "plain"};
    cases.push_back({as_value, 1});
    for (std::string Names::* field : {&Names::kernel, &Names::string_axis, &Names::integer_axis,
                                       &Names::macro, &Names::pointer_param, &Names::value}) {
      Names as_name;
      as_name.kernel = tag + "_name";
      as_name.*field = name;
      cases.push_back({as_name, 0});
    }
  }
  Names int64_min;
  int64_min.kernel = "k_int64_min";
  int64_min.integers = {std::numeric_limits<std::int64_t>::min(),
                        std::numeric_limits<std::int64_t>::max()};
  cases.push_back({int64_min, 1});
  // Kernels named like the types the launcher declares inside the kernel's own namespace (the
  // string axis "dtype" gives an enum Dtype there): seen failing to compile with seed 32931760.
  for (std::string name : {"Plan", "Key", "Args", "Values", "VariantInfo", "Family", "Dtype"}) {
    Names as_kernel;
    as_kernel.kernel = name;
    cases.push_back({as_kernel, -1});
  }
  for (int i = 0; i < 60; ++i) cases.push_back({random_names(random, "k" + std::to_string(i)), -1});

  std::vector<json> accepted;
  std::set<std::string> kernel_names;
  std::size_t refused = 0;
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const json matrix = matrix_of({kernel_of(cases[c].names)});
    const fs::path file = dir / ("candidate" + std::to_string(c) + ".json");
    REQUIRE(aotc::write_file_atomic(file, matrix.dump(1)).ok());
    auto loaded = run({AOTC_EXE, "build", file.string(), "-o", (dir / "out-dry").string(),
                       "--clang", "clang-22", "--dry-run"});
    INFO(matrix.dump() << "\n" << loaded.output);
    if (cases[c].must_load >= 0) CHECK(loaded.succeeded() == (cases[c].must_load == 1));
    if (loaded.succeeded()) {
      json kernel = matrix["kernels"][0];
      // Built together, the kernels need names distinct also when case is ignored.
      std::string folded = kernel["name"];
      for (char& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (!kernel_names.insert(folded).second) {
        kernel["name"] = "k" + std::to_string(c);
        kernel_names.insert(kernel["name"].get<std::string>());
      }
      accepted.push_back(kernel);
      continue;
    }
    // A clear error: exit 1, not a signal, naming the file and the JSON path of the problem.
    ++refused;
    CHECK(loaded.term_signal == 0);
    CHECK(loaded.exit_code == 1);
    CHECK_THAT(loaded.output, Catch::Contains("aotc build:") &&
                                  Catch::Contains(file.filename().string() + ": kernels[0]"));
  }
  INFO(accepted.size() << " candidates accepted, " << refused << " refused");
  REQUIRE(accepted.size() >= 9);  // the values and INT64_MIN alone give nine
  REQUIRE(refused >= 48);         // and its names 48 refusals

  const fs::path out = dir / "out";
  const fs::path file = dir / "accepted.json";
  REQUIRE(aotc::write_file_atomic(file, matrix_of(accepted).dump(1)).ok());
  auto built = run({AOTC_EXE, "build", file.string(), "-o", out.string(), "--clang", "clang-22"});
  INFO(built.output);
  REQUIRE(built.succeeded());

  // One translation unit: the standard headers, every launcher header, then every launcher
  // source (each in its own namespace, so they can share a unit).
  std::string unit = k_prelude;
  std::size_t sources = 0;
  for (const auto& entry : fs::directory_iterator(out / "include/aotc")) {
    if (entry.path().string().ends_with("_launcher.h"))
      unit += "#include \"" + entry.path().string() + "\"\n";
  }
  for (const auto& entry : fs::directory_iterator(out / "include/aotc")) {
    if (entry.path().string().ends_with("_launcher.cc")) {
      unit += "#include \"" + entry.path().string() + "\"\n";
      ++sources;
    }
  }
  CHECK(sources == accepted.size());
  REQUIRE(aotc::write_file_atomic(dir / "launchers.cc", unit).ok());
  for (const char* compiler : {"g++", "clang++-22"}) {
    for (const char* standard : {"-std=c++17", "-std=gnu++17"}) {
      auto compiled =
          run({compiler, standard, "-Wall", "-Wextra", "-Werror", "-DNDEBUG", "-fsyntax-only",
               "-I" + (out / "include").string(), "-I" AOTC_SOURCE_DIR "/runtime/include",
               (dir / "launchers.cc").string()});
      INFO(compiler << " " << standard << "\n" << compiled.output.substr(0, 4000));
      CHECK(compiled.succeeded());
    }
  }
}
