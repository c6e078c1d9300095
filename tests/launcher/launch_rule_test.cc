#include "launcher/launch_rule.h"

#include <algorithm>
#include <catch2/catch.hpp>

using namespace aotc;
using namespace aotc::launcher;
using nlohmann::json;

namespace {

const std::vector<Vendor> k_both{Vendor::amd, Vendor::nvidia};

KernelSpec kernel() {
  KernelSpec k;
  k.name = "pa";
  k.entries = {"attention", "reduce"};
  Axis dtype{"kv_dtype", AxisType::string, 1, "kv-{0}", {{"PA_KV_DTYPE", "PA_DTYPE_{0:upper}"}},
             {}};
  Axis block{"block_size", AxisType::integer, 1, "bs{0}", {{"PA_BLOCK_SIZE", "{0}"}}, {}};
  Axis heads{"heads",
             AxisType::integer_tuple,
             2,
             "h{0}x{1}",
             {{"PA_NUM_Q_HEADS", "{0}"}, {"PA_NUM_KV_HEADS", "{1}"}},
             {}};
  k.axes = {dtype, block, heads};
  return k;
}

// A valid two-step rule in the shape of docs/DESIGN.md's example.
json rule() {
  return json::parse(R"json({
    "params": [ { "name": "out", "type": "void*" }, { "name": "query", "type": "const void*" },
                { "name": "scale", "type": "float" }, { "name": "num_seqs", "type": "int32_t" },
                { "name": "max_context_len", "type": "int32_t" } ],
    "values": { "num_partitions": "min(max(1, ceil_div(max_context_len, 512)), max(1, ceil_div(2 * device.multiprocessor_count, num_seqs * PA_NUM_KV_HEADS)))",
                "items": "num_seqs * PA_NUM_Q_HEADS",
                "all_items": "items * num_partitions" },
    "workspace_bytes": "all_items * 8",
    "steps": [
      { "entry": "attention", "grid": ["num_partitions", "PA_NUM_KV_HEADS", "num_seqs"], "block": [256, 1, 1],
        "shared_bytes": "0", "args": ["out", "query", "workspace", "scale", "num_seqs", "num_partitions"] },
      { "entry": "reduce", "when": "num_partitions > 1", "grid": ["items"], "block": [128],
        "args": ["out", "workspace", "num_partitions", "PA_BLOCK_SIZE"] }
    ]
  })json");
}

std::string errors_of(const json& launch) {
  Result<LaunchRule> r = validate_launch_rule(launch, kernel(), k_both, "m.json: kernels[0]");
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

}  // namespace

TEST_CASE("a valid rule parses into typed params, ordered values and steps") {
  Result<LaunchRule> r = validate_launch_rule(rule(), kernel(), k_both, "m.json: kernels[0]");
  INFO((r ? "" : r.error().message));
  REQUIRE(r.ok());
  REQUIRE(r->params.size() == 5);
  CHECK(r->params[2].type.spelling == "float");
  CHECK(r->params[2].type.size == 4);
  CHECK(r->params[1].type.spelling == "const void*");
  // Each value comes after every value it reads.
  std::vector<std::string> order;
  for (const LaunchValue& v : r->values) order.push_back(v.name);
  auto pos = [&](const std::string& n) {
    return std::find(order.begin(), order.end(), n) - order.begin();
  };
  REQUIRE(order.size() == 3);
  CHECK(pos("all_items") > pos("items"));
  CHECK(pos("all_items") > pos("num_partitions"));
  REQUIRE(r->steps.size() == 2);
  CHECK(r->steps[1].grid[1].common->text == "1");  // missing dimensions are 1
  CHECK(r->steps[1].when.has_value());
  CHECK(r->steps[1].shared_bytes.common->text == "0");
  CHECK(r->passes_workspace);
  CHECK(r->steps[0].args[2].kind == StepArgKind::workspace);
  CHECK(r->steps[0].args[5].kind == StepArgKind::value);
  CHECK(r->steps[1].args[3].kind == StepArgKind::define);
  // Only the macros something reads, PA_KV_DTYPE (not an integer) is not among them.
  CHECK(r->defines ==
        std::vector<std::string>{"PA_BLOCK_SIZE", "PA_NUM_KV_HEADS", "PA_NUM_Q_HEADS"});
}

TEST_CASE("rule errors name the file, the JSON path and the offending token, all at once") {
  json bad = rule();
  bad["steps"][0]["grid"][0] = "ceil_div(num_partition, 2)";
  bad["params"][2]["type"] = "long double";
  bad["steps"][1]["entry"] = "reduc";
  bad["steps"][1]["args"][1] = "wrkspace";
  bad["bogus"] = 1;
  const std::string e = errors_of(bad);
  CHECK_THAT(
      e, Catch::Contains(
             "m.json: kernels[0].launch.steps[0].grid[0]: unknown identifier 'num_partition' "));
  CHECK_THAT(e, Catch::Contains("column 10 in \"ceil_div(num_partition, 2)\""));
  CHECK_THAT(e, Catch::Contains(
                    "m.json: kernels[0].launch.params[2].type: type 'long double' is not allowed"));
  CHECK_THAT(
      e,
      Catch::Contains(
          "launch.steps[1].entry: 'reduc' is not one of the kernel's entries (attention, reduce)"));
  CHECK_THAT(e, Catch::Contains("launch.steps[1].args[1]: unknown argument 'wrkspace'"));
  CHECK_THAT(e, Catch::Contains("m.json: kernels[0].launch.bogus: unknown key"));
}

TEST_CASE("expressions compute with integers: float and pointer params are refused") {
  json bad = rule();
  bad["values"]["num_partitions"] = "scale * 2";
  bad["workspace_bytes"] = "out + 1";
  const std::string e = errors_of(bad);
  CHECK_THAT(e, Catch::Contains("launch.values.num_partitions: 'scale' is a float param"));
  CHECK_THAT(e, Catch::Contains("launch.workspace_bytes: 'out' is a void* param"));
}

TEST_CASE("workspace is an argument, not a number, and device attributes are a closed set") {
  json bad = rule();
  bad["values"]["items"] = "workspace + 1";
  bad["steps"][0]["block"][0] = "device.sm_count";
  const std::string e = errors_of(bad);
  CHECK_THAT(e,
             Catch::Contains("'workspace' is a pointer; it can only be passed as a step argument"));
  CHECK_THAT(
      e, Catch::Contains("launch.steps[0].block[0]: unknown device attribute 'device.sm_count'"));
}

TEST_CASE("values that depend on each other in a cycle are reported with the cycle") {
  json bad = rule();
  bad["values"]["items"] = "all_items + 1";
  CHECK_THAT(errors_of(bad), Catch::Contains("cycle: all_items -> items -> all_items"));
}

TEST_CASE("conditions must be boolean and sizes integer") {
  json bad = rule();
  bad["steps"][1]["when"] = "num_partitions";
  bad["steps"][0]["shared_bytes"] = "num_seqs > 1";
  const std::string e = errors_of(bad);
  CHECK_THAT(
      e, Catch::Contains("steps[1].when: expected a boolean expression, found \"num_partitions\""));
  CHECK_THAT(e, Catch::Contains("steps[0].shared_bytes: expected a integer expression"));
}

TEST_CASE("names introduced by the rule must be usable C++ names and unique") {
  json bad = rule();
  bad["params"][0]["name"] = "class";
  bad["params"][1]["name"] = "num_seqs";
  bad["params"][2]["name"] = "PA_BLOCK_SIZE";
  bad["values"]["2x"] = "1";
  const std::string e = errors_of(bad);
  CHECK_THAT(e, Catch::Contains("params[0].name: 'class' is reserved"));
  CHECK_THAT(e, Catch::Contains("'num_seqs' is declared twice"));
  CHECK_THAT(e, Catch::Contains("params[2].name: 'PA_BLOCK_SIZE' is already a define macro"));
  CHECK_THAT(e, Catch::Contains("values.2x: '2x' is not a C identifier"));
}

TEST_CASE("structural mistakes: dimensions, steps, workspace without a user") {
  json bad = rule();
  bad["steps"][0]["grid"] = json::array({1, 2, 3, 4});
  bad["steps"][0]["block"] = json::array({0});
  bad["steps"][1]["args"] = "out";
  CHECK_THAT(errors_of(bad),
             Catch::Contains("steps[0].grid: expected an array of 1 to 3 dimensions") &&
                 Catch::Contains("steps[0].block[0]: a dimension must be at least 1, found 0") &&
                 Catch::Contains("steps[1].args: expected an array of at most 256 argument names"));
  json no_steps = rule();
  no_steps["steps"] = json::array();
  CHECK_THAT(errors_of(no_steps), Catch::Contains("launch.steps: expected a non-empty array"));
  json unused = rule();
  unused["steps"][0]["args"][2] = "out";
  unused["steps"][1]["args"][1] = "out";
  CHECK_THAT(errors_of(unused),
             Catch::Contains("launch.workspace_bytes: no step passes `workspace`"));
  CHECK_THAT(errors_of(json::array()),
             Catch::Contains("m.json: kernels[0].launch: expected an object, found array"));
}

TEST_CASE("overlap_previous is a boolean per step, false when absent") {
  json overlapped = rule();
  overlapped["steps"][1]["overlap_previous"] = true;
  Result<LaunchRule> r = validate_launch_rule(overlapped, kernel(), k_both, "m.json: kernels[0]");
  REQUIRE(r.ok());
  CHECK_FALSE(r->steps[0].overlap_previous);
  CHECK(r->steps[1].overlap_previous);
  json bad = rule();
  bad["steps"][1]["overlap_previous"] = "yes";
  CHECK_THAT(errors_of(bad), Catch::Contains("m.json: kernels[0].launch.steps[1].overlap_previous: "
                                             "expected true or false"));
}

TEST_CASE("the allowed C types: fixed-width scalars and pointers to them") {
  for (const char* ok : {"void*", "const void*", "float*", "const float *", "int8_t", "uint64_t",
                         "double", "const uint16_t*"}) {
    INFO(ok);
    CHECK(parse_c_type(ok).has_value());
  }
  for (const char* no : {"int", "long", "size_t", "void", "float**", "half", "const float", ""}) {
    INFO(no);
    CHECK_FALSE(parse_c_type(no).has_value());
  }
  CHECK(parse_c_type("const float *")->spelling == "const float*");
  CHECK(parse_c_type("uint16_t")->size == 2);
  CHECK(parse_c_type("double")->kind == CTypeKind::floating);
}

TEST_CASE("a part that fails at every launch is a build error naming its JSON path") {
  json bad = rule();
  bad["values"]["items"] = "1 / 0";
  bad["workspace_bytes"] = "all_items * (9223372036854775807 + 1)";
  bad["steps"][0]["grid"][0] = "num_partitions % (2 - 2)";
  bad["steps"][0]["shared_bytes"] = "ceil_div(num_seqs, 0)";
  const std::string e = errors_of(bad);
  CHECK_THAT(e, Catch::Contains("m.json: kernels[0].launch.values.items: division by zero in "
                                "\"1 / 0\", which every launch would hit"));
  CHECK_THAT(e, Catch::Contains("m.json: kernels[0].launch.workspace_bytes: integer overflow in "
                                "\"all_items * (9223372036854775807 + 1)\""));
  CHECK_THAT(e, Catch::Contains("launch.steps[0].grid[0]: division by zero in "
                                "\"num_partitions % (2 - 2)\""));
  CHECK_THAT(e, Catch::Contains("launch.steps[0].shared_bytes: division by zero in "
                                "\"ceil_div(num_seqs, 0)\""));
}

TEST_CASE("constant parts that are fine, or skipped by && and ||, are accepted") {
  json ok = rule();
  ok["values"]["items"] = "num_seqs * (PA_NUM_Q_HEADS + 8 / 4)";
  ok["steps"][1]["when"] = "num_partitions > 1 && (0 == 0 || 1 / 0 > 0)";
  ok["steps"][0]["shared_bytes"] = "max(0, 4 - 4)";
  Result<LaunchRule> r = validate_launch_rule(ok, kernel(), k_both, "m.json: kernels[0]");
  INFO((r ? "" : r.error().message));
  CHECK(r.ok());
}

TEST_CASE("expressions may be written per vendor and are then checked per vendor") {
  json r = rule();
  r["steps"][0]["block"] = json::array({json{{"amd", "256"}, {"nvidia", 128}}, 1, 1});
  r["steps"][0]["shared_bytes"] = {{"amd", "0"}, {"nvidia", "98304"}};
  r["values"]["items"] = {{"nvidia", "num_seqs * PA_NUM_KV_HEADS"},
                          {"amd", "num_seqs * PA_NUM_Q_HEADS"}};
  r["steps"][1]["when"] = {{"amd", "num_partitions > 1"}, {"nvidia", "num_partitions > 2"}};
  Result<LaunchRule> ok = validate_launch_rule(r, kernel(), k_both, "m.json: kernels[0]");
  INFO((ok ? "" : ok.error().message));
  REQUIRE(ok.ok());
  const RuleExpression& block = ok->steps[0].block[0];
  REQUIRE(block.per_vendor());
  CHECK(block.for_vendor(Vendor::amd)->text == "256");
  CHECK(block.for_vendor(Vendor::nvidia)->text == "128");
  CHECK(ok->steps[0].shared_bytes.for_vendor(Vendor::nvidia)->text == "98304");
  CHECK(ok->per_vendor());
  CHECK_FALSE(ok->steps[0].grid[0].per_vendor());
  // all_items reads items, whose vendor expressions read different defines: both are recorded
  // and all_items still comes after items.
  CHECK(std::find(ok->defines.begin(), ok->defines.end(), "PA_NUM_KV_HEADS") != ok->defines.end());
  std::vector<std::string> order;
  for (const LaunchValue& v : ok->values) order.push_back(v.name);
  CHECK(std::find(order.begin(), order.end(), "items") <
        std::find(order.begin(), order.end(), "all_items"));
  CHECK_FALSE(validate_launch_rule(rule(), kernel(), k_both, "m")->per_vendor());

  // A kernel built only for NVIDIA needs no AMD expression.
  json nvidia_only = rule();
  nvidia_only["steps"][0]["block"][0] = {{"nvidia", "128"}};
  CHECK(validate_launch_rule(nvidia_only, kernel(), {Vendor::nvidia}, "m").ok());
  CHECK_THAT(errors_of(nvidia_only),
             Catch::Contains("m.json: kernels[0].launch.steps[0].block[0]: no expression for amd, "
                             "which the kernel is built for (vendors: amd, nvidia)"));
}

TEST_CASE("per-vendor expression errors name the vendor's JSON path") {
  json bad = rule();
  bad["steps"][0]["shared_bytes"] = {{"amd", "0"}, {"nvidia", "num_seq * 4"}};
  bad["steps"][0]["block"][0] = {{"amd", 0}, {"nvidia", "64"}};
  bad["steps"][1]["when"] = {{"amd", "num_partitions > 1"}, {"nvidia", "num_partitions"}};
  bad["steps"][1]["grid"][0] = {{"amd", "1"}, {"nvidia", "1"}, {"intel", "1"}};
  bad["workspace_bytes"] = json::object();
  bad["values"]["items"] = {{"amd", {{"amd", "1"}}}, {"nvidia", "1"}};
  const std::string e = errors_of(bad);
  CHECK_THAT(e, Catch::Contains("m.json: kernels[0].launch.steps[0].shared_bytes.nvidia: unknown "
                                "identifier 'num_seq'"));
  CHECK_THAT(e, Catch::Contains("steps[0].block[0].amd: a dimension must be at least 1, found 0"));
  CHECK_THAT(e, Catch::Contains("steps[1].when.nvidia: expected a boolean expression, found "
                                "\"num_partitions\""));
  CHECK_THAT(e, Catch::Contains("steps[1].grid[0].intel: unknown vendor (expected amd, nvidia)"));
  CHECK_THAT(e, Catch::Contains("launch.workspace_bytes: expected an expression, or an object of "
                                "expressions keyed by vendor (amd, nvidia), found {}"));
  CHECK_THAT(e, Catch::Contains("values.items.amd: expected an integer or an expression string, "
                                "found an object"));
  // Nothing else: the amd halves that are right are not reported.
  CHECK(e.find("shared_bytes.amd") == std::string::npos);
  CHECK(e.find("when.amd") == std::string::npos);
}

TEST_CASE("a matrix's rules are validated once, every kernel's problems together") {
  Matrix matrix;
  matrix.file = "/src/m.json";
  matrix.targets = {"gfx942", "sm_90a"};
  matrix.kernels = {kernel(), kernel(), kernel()};
  matrix.kernels[0].launch = rule();
  // kernels[1] has no rule: no launcher, no error.
  matrix.kernels[2].launch = rule();
  matrix.kernels[2].launch["steps"][0]["grid"][0] = "n";
  Result<LaunchRules> bad = validate_launch_rules(matrix);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("m.json: kernels[2].launch.steps[0].grid[0]"));
  CHECK_THAT(bad.error().message, !Catch::Contains("kernels[0]"));

  matrix.kernels[2].launch = nullptr;
  Result<LaunchRules> rules = validate_launch_rules(matrix);
  INFO((rules ? "" : rules.error().message));
  REQUIRE(rules.ok());
  REQUIRE(rules->size() == 3);
  CHECK(rules->at(0).has_value());
  CHECK(rules->at(0)->steps.size() == 2);
  CHECK_FALSE(rules->at(1).has_value());
  CHECK_FALSE(rules->at(2).has_value());
}
