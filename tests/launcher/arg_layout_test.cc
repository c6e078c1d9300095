#include "launcher/arg_layout.h"

#include <catch2/catch.hpp>
#include <set>

#include "build/manifest_reader.h"
#include "launcher/launch_rule.h"
#include "launcher/launcher_fixture.h"
#include "matrix/matrix_expand.h"
#include "tool_skip.h"

using namespace aotc;
using namespace aotc::launcher;
using nlohmann::json;

namespace {

KernelSpec kernel() {
  KernelSpec k;
  k.name = "k";
  k.entries = {"main"};
  k.axes = {Axis{"block", AxisType::integer, 1, "b{0}", {{"BLOCK", "{0}"}}, {}}};
  return k;
}

LaunchRule rule(const json& args) {
  json launch = json::parse(R"json({
    "params": [ { "name": "out", "type": "float*" }, { "name": "alpha", "type": "float" },
                { "name": "n", "type": "int64_t" } ],
    "values": { "parts": "ceil_div(n, BLOCK)" },
    "steps": [ { "entry": "main", "grid": ["parts"], "block": ["BLOCK"] } ] })json");
  launch["steps"][0]["args"] = args;
  Result<LaunchRule> r = validate_launch_rule(launch, kernel(), {Vendor::amd, Vendor::nvidia}, "t");
  INFO((r ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

using Objects = std::vector<codeobj::ObjectRecord>;

// One object whose "main" kernel has these explicit args, plus an AMD hidden one.
codeobj::ObjectRecord object(const std::string& target,
                             const std::vector<std::pair<std::uint64_t, std::uint64_t>>& args) {
  codeobj::KernelInfo main;
  main.name = "main";
  for (const auto& [offset, size] : args) {
    main.args.push_back({.offset = offset, .size = size, .kind = "by_value"});
  }
  main.args.push_back({.offset = 24, .size = 4, .kind = "hidden_block_count_x"});
  codeobj::ObjectRecord record;
  record.target = target;
  record.metadata = codeobj::KernelMetadata{.kernels = {main}};
  return record;
}

}  // namespace

TEST_CASE("layouts come from the metadata and hidden arguments are not the rule's business") {
  const Objects objects = Objects({object("gfx942", {{0, 8}, {8, 4}, {16, 8}, {24, 4}}),
                                   object("sm_90a", {{0, 8}, {8, 4}, {16, 8}, {24, 4}})});
  Result<std::vector<StepLayout>> layouts =
      derive_step_layouts(rule(json::array({"out", "alpha", "n", "parts"})), {{"k.b64", &objects}});
  INFO((layouts ? "" : layouts.error().message));
  REQUIRE(layouts.ok());
  REQUIRE(layouts->at(0).slots.size() == 4);
  CHECK(layouts->at(0).slots[2].offset == 16);
  CHECK(layouts->at(0).slots[3].size ==
        4);  // the value travels as int32_t because the kernel says so
  CHECK(layouts->at(0).buffer_size == 28);
}

TEST_CASE(
    "a step disagreeing with any target's metadata is refused with variant, target, entry and "
    "index") {
  SECTION("count") {
    const Objects objects = Objects({object("gfx942", {{0, 8}, {8, 4}, {16, 8}})});
    Result<std::vector<StepLayout>> r = derive_step_layouts(
        rule(json::array({"out", "alpha", "n", "parts"})), {{"k.b64", &objects}});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message,
               Catch::Contains("k.b64 [gfx942]: steps[0] (main): the rule passes 4 arguments "
                               "but the kernel takes 3"));
  }
  SECTION("size: a float param against an 8-byte argument (Triton's fp32-as-double bug)") {
    const Objects objects = Objects(
        {object("gfx942", {{0, 8}, {8, 4}, {16, 8}}), object("sm_90a", {{0, 8}, {8, 8}, {16, 8}})});
    Result<std::vector<StepLayout>> r =
        derive_step_layouts(rule(json::array({"out", "alpha", "n"})), {{"k.b64", &objects}});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(
        r.error().message,
        Catch::Contains(
            "k.b64 [sm_90a]: steps[0] (main): args[1] 'alpha' is float (4 bytes) but the code "
            "object's argument 1 is 8 bytes"));
    CHECK_THAT(r.error().message, !Catch::Contains("[gfx942]"));
  }
  SECTION("integers other than 4 or 8 bytes") {
    const Objects objects = Objects({object("gfx942", {{0, 8}, {8, 4}, {16, 8}, {24, 2}})});
    Result<std::vector<StepLayout>> r = derive_step_layouts(
        rule(json::array({"out", "alpha", "n", "parts"})), {{"k.b64", &objects}});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("args[3] value 'parts' is an integer"));
  }
  SECTION("offsets that differ between targets or variants") {
    const Objects a = {object("gfx942", {{0, 8}, {8, 4}, {16, 8}})};
    const Objects b = {object("sm_90a", {{0, 8}, {8, 4}, {12, 8}})};
    Result<std::vector<StepLayout>> r = derive_step_layouts(
        rule(json::array({"out", "alpha", "n"})), {{"k.b64", &a}, {"k.b128", &b}});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message,
               Catch::Contains("k.b128 [sm_90a]: steps[0] (main): args[2] 'n' is at offset 12") &&
                   Catch::Contains("in k.b64 [gfx942]"));
  }
  SECTION("missing entry or metadata") {
    Objects objects = {object("gfx942", {{0, 8}}), {}};
    objects[0].metadata->kernels[0].name = "other";
    objects[1].target = "sm_90a";
    objects[1].file = "x.cubin";
    Result<std::vector<StepLayout>> r =
        derive_step_layouts(rule(json::array({"out"})), {{"k.b64", &objects}});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message,
               Catch::Contains("k.b64 [gfx942]: steps[0] (main): the code object's metadata has "
                               "no kernel 'main'"));
    CHECK_THAT(r.error().message,
               Catch::Contains("k.b64 [sm_90a]: steps[0] (main): no metadata was read from the "
                               "code object"));
  }
}

// The natural C layout of the step's arguments: what both AMDGPU and NVPTX must produce.
static std::vector<ArgSlot> natural_layout(const std::vector<std::uint32_t>& sizes) {
  std::vector<ArgSlot> out;
  std::uint32_t offset = 0;
  for (std::uint32_t size : sizes) {
    offset = (offset + size - 1) / size * size;
    out.push_back({offset, size});
    offset += size;
  }
  return out;
}

TEST_CASE("argument packing matches the metadata of real gfx942 and sm_90a code objects") {
  std::string why_not;
  std::optional<test::SplitSumBuild> build = test::build_split_sum("arg_layout_real", &why_not);
  if (!build) {
    test::missing_tool(why_not);
    return;
  }
  const KernelSpec& spec = build->matrix.kernels.at(0);
  Result<LaunchRule> r = validate_launch_rule(
      spec.launch, spec, kernel_vendors(build->matrix, spec), "split-sum-matrix.json: kernels[0]");
  REQUIRE(r.ok());
  Result<std::vector<Variant>> expanded = expand_matrix(build->matrix);
  REQUIRE(expanded.ok());
  auto records = read_manifest_objects(build->manifest, *expanded);
  INFO((records ? "" : records.error().message));
  REQUIRE(records.ok());
  std::vector<VariantObjects> variants;
  std::set<std::string> targets;
  for (std::size_t v = 0; v < expanded->size(); ++v) {
    variants.push_back({(*expanded)[v].name, &(*records)[v]});
    for (const codeobj::ObjectRecord& o : (*records)[v]) targets.insert(o.target);
  }
  CHECK(targets == std::set<std::string>{"gfx942", "sm_90a"});
  Result<std::vector<StepLayout>> layouts = derive_step_layouts(*r, variants);
  INFO((layouts ? "" : layouts.error().message));
  REQUIRE(layouts.ok());
  // split_sum_partial(float*, const float*, acc_t*, int64_t, float, int32_t) and
  // split_sum_reduce(float*, const acc_t*, int32_t), as split_sum.hip declares them.
  const std::vector<std::vector<std::uint32_t>> sizes{{8, 8, 8, 8, 4, 4}, {8, 8, 4}};
  for (std::size_t s = 0; s < sizes.size(); ++s) {
    const std::vector<ArgSlot> want = natural_layout(sizes[s]);
    REQUIRE(layouts->at(s).slots.size() == want.size());
    for (std::size_t a = 0; a < want.size(); ++a) {
      INFO("step " << s << " arg " << a);
      CHECK(layouts->at(s).slots[a].offset == want[a].offset);
      CHECK(layouts->at(s).slots[a].size == want[a].size);
    }
  }

  // The same code objects refuse a rule that declares `scale` as double.
  nlohmann::json launch = spec.launch;
  launch["params"][3]["type"] = "double";
  Result<LaunchRule> wrong = validate_launch_rule(launch, spec, kernel_vendors(build->matrix, spec),
                                                  "split-sum-matrix.json: kernels[0]");
  REQUIRE(wrong.ok());
  Result<std::vector<StepLayout>> refused = derive_step_layouts(*wrong, variants);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message,
             Catch::Contains("[gfx942]: steps[0] (split_sum_partial): args[4] 'scale' is "
                             "double (8 bytes) but the code object's argument 4 is 4 bytes"));
  CHECK_THAT(refused.error().message,
             Catch::Contains("[sm_90a]: steps[0] (split_sum_partial): args[4]"));
}
