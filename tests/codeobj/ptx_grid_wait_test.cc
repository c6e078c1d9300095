// Whether a PTX entry can wait for the grid launched before it (PtxEntry::waits_for_prior_grid):
// the launch-rule check of "overlap_previous" steps rests on it, so where this reader cannot tell,
// it answers "may wait". Hand-written PTX in the forms clang and ptxas use: calls with and without
// return values, through registers, of external functions, and cycles.
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "codeobj/ptx_entries.h"

using aotc::codeobj::read_ptx;

namespace {

// Entry name -> waits_for_prior_grid.
std::map<std::string, bool> waits(const std::string& body) {
  auto module = read_ptx(".version 8.0\n.target sm_90a\n.address_size 64\n" + body);
  INFO((module ? "" : module.error().message));
  REQUIRE(module.ok());
  std::map<std::string, bool> out;
  for (const auto& entry : module->entries) out[entry.name] = entry.waits_for_prior_grid;
  return out;
}

}  // namespace

TEST_CASE("PTX: an entry waits for the prior grid in its own body or through functions it calls") {
  const auto w = waits(R"(
.func (.param .b32 func_retval0) helper_waits(.param .b32 x)
{
  griddepcontrol.wait;
  st.param.b32 [func_retval0], 0;
  ret;
}
.func helper_plain(.param .b32 x) { ret; }
.func unused_waits() { griddepcontrol.wait; ret; }
.visible .entry direct(.param .u64 p) { griddepcontrol.wait; ret; }
.visible .entry none(.param .u64 p)
{
  .reg .b32 %r<2>;
  call.uni helper_plain, (%r1);
  griddepcontrol.launch_dependents;  // lets the next grid start: not a wait
  ret;
}
.visible .entry through_call(.param .u64 p)
{
  .reg .b32 %r<3>;
  { .param .b32 param0; .param .b32 retval0;
    call.uni (retval0), helper_waits, (param0);
  }
  ret;
}
)");
  CHECK(w.at("direct"));
  CHECK_FALSE(w.at("none"));
  CHECK(w.at("through_call"));
}

TEST_CASE("PTX: indirect calls and calls of functions defined elsewhere may wait, cycles end") {
  const auto w = waits(R"(
.extern .func undefined_callee(.param .b32 x);
.func ping(.param .b32 x);
.func pong(.param .b32 x) { call.uni ping, (x); ret; }
.func ping(.param .b32 x) { call.uni pong, (x); ret; }
.visible .entry cycle() { .reg .b32 %r<2>; call.uni ping, (%r1); ret; }
.visible .entry external() { .reg .b32 %r<2>; call.uni undefined_callee, (%r1); ret; }
.visible .entry indirect()
{
  .reg .b64 %rd<2>;
  proto: .callprototype _ (.param .b32 _);
  call %rd1, (%rd1), proto;
  ret;
}
)");
  CHECK_FALSE(w.at("cycle"));
  CHECK(w.at("external"));
  CHECK(w.at("indirect"));
  // A .func form this reader does not take apart is passed over; calling it may wait.
  const auto odd = waits(R"(
.func .attribute(.unified(1, 2)) odd_form() { ret; }
.visible .entry calls_odd() { call.uni odd_form; ret; }
.visible .entry plain() { ret; }
)");
  CHECK(odd.at("calls_odd"));
  CHECK_FALSE(odd.at("plain"));
}

TEST_CASE("PTX: a call chain of any depth is followed without recursion") {
  // 100,000 functions, each calling the next; the last waits.
  std::string text;
  constexpr int kDepth = 100000;
  text += ".func f" + std::to_string(kDepth) + "() { griddepcontrol.wait; ret; }\n";
  for (int i = kDepth - 1; i >= 0; --i)
    text +=
        ".func f" + std::to_string(i) + "() { call.uni f" + std::to_string(i + 1) + "; ret; }\n";
  text += ".visible .entry deep() { call.uni f0; ret; }\n";
  CHECK(waits(text).at("deep"));
}
