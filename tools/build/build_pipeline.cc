#include "build/build_pipeline.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "build/build_cache.h"
#include "build/build_plan.h"
#include "build/build_state.h"
#include "build/build_timings.h"
#include "build/compile_command.h"
#include "build/compile_costs.h"
#include "build/depfile.h"
#include "build/manifest.h"
#include "build/ninja_writer.h"
#include "build/output_lock.h"
#include "build/output_tree.h"
#include "build/remote_cache.h"
#include "build/scheduler.h"
#include "build/shard.h"
#include "build/subprocess.h"
#include "build/triton_compile.h"
#include "build/variant_bundle.h"
#include "codeobj/byte_reader.h"
#include "codeobj/kernel_metadata.h"
#include "codeobj/ptx_entries.h"
#include "core/atomic_file.h"
#include "core/hashing.h"
#include "launcher/launch_rule.h"
#include "launcher/launcher_generator.h"
#include "matrix/matrix_expand.h"
#include "matrix/matrix_parse.h"

namespace aotc {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// Everything the phases share. Built with designated initializers (run_build); every member
// has a default, so one added later needs no edit there.
struct BuildState {
  const BuildOptions& options;
  std::ostream& out;
  Matrix matrix{};
  launcher::LaunchRules rules{};  // per kernel, validated once at load
  std::vector<Variant> variants{};
  std::vector<std::string> targets{};
  Toolchains tools{};
  Toolchain triton_compiler{};  // Triton as the manifest's "compiler" of Triton objects
  fs::path cache_dir{};
  std::vector<PlannedObject> plan{};
  std::vector<std::vector<CachedFile>> outputs{};  // per planned object, once built or found
  FileHashes hashes{};
  CompileCosts costs{};  // earlier builds' compile times: the compile order
  BuildTimings timings;
  BuildSummary summary{};
  std::size_t planned_total = 0;  // objects of the whole build when this is one shard of it
  // How children that write into out/ are started once out/ is locked: holding the lock, so that
  // a build killed outright keeps out/ locked until they end (OutputLock::fd).
  SpawnOptions writers{};
  // One for the whole build, so its status line is closed before the summary.
  StatusPrinter printer;
};

// Paths one compile writes before its outputs are installed: all `.tmp.*` siblings inside out/,
// so a build killed at any moment leaves only files the next build recognises and removes.
struct CompileFiles {
  std::vector<fs::path> outputs;  // one per PlannedObject::kinds
  fs::path depfile;

  void remove() const {
    std::error_code ec;
    for (const auto& path : outputs) fs::remove(path, ec);
    fs::remove(depfile, ec);
  }
};

const std::string& variant_name(const BuildState& state, const PlannedObject& object) {
  return state.variants[object.variant].name;
}

std::string describe_object(const BuildState& state, const PlannedObject& object) {
  return object.stem(variant_name(state, object)) + " [" + object.target + "]";
}

std::string describe_object(const BuildState& state, const PlannedObject& object);

// Triton objects share a worker when their kernels have the same Python import roots and stubs
// (stubs are installed into the interpreter for good) and they are for the same target: Triton
// keeps per-target state in the process (seen with 3.6.0 on the H200: gfx942 fp8 conversions
// failing an assertion in workers that had compiled for gfx950 before, and compiling in fresh
// ones), so a worker never switches targets.
std::string worker_pool(const KernelSpec& kernel, const std::string& target) {
  nlohmann::json key = {
      {"path", nlohmann::json::array()}, {"stubs", kernel.triton.stubs}, {"target", target}};
  for (const auto& dir : kernel.triton.python_path) key["path"].push_back(dir.string());
  return key.dump();
}

// The commands of one object: clang, then ptxas when it makes a cubin; or one request to a warm
// Triton helper.
Job make_job(const BuildState& state, const PlannedObject& object, const CompileFiles& files,
             std::size_t id) {
  const KernelSpec& kernel = state.matrix.kernels[state.variants[object.variant].kernel_index];
  Job job;
  if (object.triton) {
    std::map<std::string, fs::path> outputs;
    for (std::size_t k = 0; k < object.kinds.size(); ++k)
      outputs[object.kinds[k]] = files.outputs[k];
    job.request = WorkerRequest{worker_pool(kernel, object.target),
                                helper_command(*state.tools.triton, "--worker"),
                                triton_request(id, kernel, *object.triton, object.target, outputs)};
    return job;
  }
  job.steps.push_back(clang_command(state.tools.clang.path, object.flags, kernel.source,
                                    files.depfile, files.outputs.front()));
  if (!object.ptxas_flags.empty()) {
    job.steps.push_back(ptxas_command(state.tools.ptxas->path, object.ptxas_flags, files.outputs[0],
                                      files.outputs[1]));
  }
  return job;
}

Status load_phase(BuildState& state) {
  auto matrix = load_matrix(state.options.matrix_file, {state.options.source_root});
  if (!matrix) return matrix.error();
  state.matrix = std::move(matrix.value());
  // Launch rules are checked before anything compiles: a typo in a rule must not cost a build.
  auto rules = launcher::validate_launch_rules(state.matrix);
  if (!rules) return rules.error();
  state.rules = std::move(*rules);
  auto variants = expand_matrix(state.matrix);
  if (!variants) return variants.error();
  state.variants = std::move(variants.value());
  auto targets = select_targets(state.matrix, state.variants, state.options.targets);
  if (!targets) return targets.error();
  state.targets = std::move(targets.value());
  return Status::success();
}

// What to name in an error about the Python for Triton kernels: the first Triton kernel.
std::string first_triton_kernel(const Matrix& matrix) {
  for (std::size_t k = 0; k < matrix.kernels.size(); ++k) {
    if (matrix.kernels[k].language == KernelLanguage::triton) {
      return matrix.file.string() + ": kernels[" + std::to_string(k) + "] (" +
             matrix.kernels[k].name + ") is a Triton kernel";
    }
  }
  return matrix.file.string();
}

// `recorded`: the toolchains shards were built with (aotc merge), used instead of looking for any:
// merging needs no compiler, and the shards built every target, so each counts as supported.
Status plan_phase(BuildState& state, const Toolchains* recorded) {
  // Dry runs write nothing, not even the identity cache.
  std::optional<fs::path> identity_cache;
  if (!state.options.dry_run) identity_cache = state.cache_dir;
  for (const auto& target : state.targets) {
    auto vendor = vendor_of_target(target);
    if (!vendor) return vendor.error().with_context(state.matrix.file.string());
  }
  // Each toolchain is looked for only when some object needs it: a Triton-only matrix builds
  // on a machine without clang, a HIP-only one without Python.
  ToolNeeds needs = tool_needs(state.matrix, state.variants, state.targets);
  TargetSupport support;
  if (recorded) {
    state.tools = *recorded;
    for (const auto& target : needs.clang_targets) {
      auto& list = vendor_of_target(target).value() == Vendor::amd ? support.amd : support.nvidia;
      list.push_back(target);
    }
    std::sort(support.amd.begin(), support.amd.end());
    std::sort(support.nvidia.begin(), support.nvidia.end());
  }
  if (!recorded && !needs.clang_targets.empty()) {
    auto clang = find_clang(state.options.clang, identity_cache);
    if (!clang) return clang.error();
    state.tools.clang = std::move(clang.value());
    auto probed = probe_targets(state.tools.clang, state.cache_dir, !state.options.dry_run);
    if (!probed) return probed.error();
    support = std::move(probed.value());
  }
  if (!recorded && (needs.nvidia_clang || state.options.ptxas)) {
    auto ptxas = find_ptxas(state.options.ptxas, identity_cache);
    if (!ptxas) return ptxas.error().with_context("--ptxas");
    state.tools.ptxas = std::move(ptxas.value());
  }
  if (!recorded && needs.triton) {
    auto triton = find_triton(state.options.python, identity_cache);
    if (!triton) return triton.error().with_context(first_triton_kernel(state.matrix));
    state.tools.triton = std::move(triton.value());
  }
  if (state.tools.triton) state.triton_compiler = state.tools.triton->as_compiler();
  auto plan =
      plan_objects(state.matrix, state.variants, state.targets, state.tools, support, state.hashes);
  if (!plan) return plan.error();
  state.plan = std::move(plan.value());
  if (state.options.shard) {
    std::vector<PlannedObject> mine;
    for (std::size_t i : shard_objects(state.plan, *state.options.shard)) {
      mine.push_back(std::move(state.plan[i]));
    }
    state.planned_total = state.plan.size();
    state.plan = std::move(mine);
  }
  state.outputs.resize(state.plan.size());

  std::set<std::size_t> variants_built;
  for (const auto& object : state.plan) variants_built.insert(object.variant);
  state.summary.variants = variants_built.size();
  state.summary.targets = state.targets.size();
  return Status::success();
}

// One line per command; a Triton object's line is the request its helper would receive (the
// recorder of the Triton tests' stand-in reads these).
void print_dry_run(const BuildState& state) {
  for (std::size_t i = 0; i < state.plan.size(); ++i) {
    const PlannedObject& object = state.plan[i];
    const std::string& name = variant_name(state, object);
    CompileFiles files;
    for (const auto& kind : object.kinds)
      files.outputs.push_back(state.options.out_dir / object.file(name, kind));
    files.depfile = state.options.out_dir / object.target / (name + ".d");
    Job job = make_job(state, object, files, i);
    if (job.request) state.out << job.request->line << '\n';
    for (const auto& argv : job.steps) state.out << display_command(argv) << '\n';
  }
}

Result<CachedFile> read_output(const fs::path& path, const std::string& kind) {
  auto bytes = read_file_bytes(path);
  if (!bytes) return bytes.error();
  std::string hash = to_hex(sha256(*bytes));
  std::uint64_t size = bytes->size();
  return CachedFile{kind, std::move(bytes.value()), std::move(hash), size};
}

// Writes an object's outputs into out/ (those whose bytes were loaded: the others are already
// there) and drops the bytes: later phases read out/.
Status install_outputs(BuildState& state, OutputTree& tree, std::size_t index) {
  const PlannedObject& object = state.plan[index];
  for (auto& output : state.outputs[index]) {
    if (output.bytes.empty() && output.size != 0) continue;
    auto installed = tree.install(object.file(variant_name(state, object), output.kind),
                                  output.bytes, output.sha256);
    if (!installed) return installed;
    output.bytes = {};
  }
  return Status::success();
}

// The files a compile read: clang's dependency file, or the Triton helper's reply (the kernel
// file and the local modules it imports). A Triton reply that reports a failure is the error.
Result<std::vector<fs::path>> compile_dependencies(const PlannedObject& object,
                                                   const CompileFiles& files,
                                                   const JobResult& result) {
  if (object.triton) {
    auto reply = parse_triton_reply(result.reply);
    if (!reply) return reply.error();
    if (!reply->ok) {
      return make_error(reply->error + (reply->details.empty() ? "" : "\n" + reply->details));
    }
    return reply->dependencies;
  }
  auto depfile_text = read_file_text(files.depfile);
  if (!depfile_text) return depfile_text.error();
  auto dependencies = parse_depfile(*depfile_text);
  if (!dependencies) return dependencies.error().with_context(files.depfile.string());
  return std::vector<fs::path>(dependencies->begin(), dependencies->end());
}

// After a successful compile: read the outputs, learn the include closure from the dependency
// file (or the Triton helper's reply), store the cache entry, install the outputs.
Status collect_compile(BuildState& state, BuildCache& cache, OutputTree& tree, std::size_t index,
                       const CompileFiles& files, const JobResult& result) {
  const PlannedObject& object = state.plan[index];
  auto dependencies = compile_dependencies(object, files, result);
  if (!dependencies) return dependencies.error();
  CacheEntry entry;
  entry.key = object.key;
  for (std::size_t k = 0; k < object.kinds.size(); ++k) {
    auto output = read_output(files.outputs[k], object.kinds[k]);
    if (!output) return output.error();
    entry.outputs.push_back(std::move(output.value()));
  }
  for (const auto& dependency : *dependencies) {
    fs::path path = fs::absolute(dependency).lexically_normal();
    auto hash = state.hashes.sha256_of(path);
    if (!hash) return hash.error();
    entry.dependencies.emplace_back(path, *hash);
  }
  if (auto stored = cache.store(entry, files.outputs); !stored) return stored;
  for (std::size_t k = 0; k < object.kinds.size(); ++k) {
    auto installed = tree.install_file(object.file(variant_name(state, object), object.kinds[k]),
                                       files.outputs[k], entry.outputs[k].sha256);
    if (!installed) return installed;
    entry.outputs[k].bytes = {};  // later phases read out/
  }
  state.outputs[index] = std::move(entry.outputs);
  return Status::success();
}

// Reads the cached outputs that out/ does not already hold (by its stamps: a no-op rebuild
// reads nothing), verified. False: the entry does not verify; treat it as a miss.
bool load_cached_outputs(const BuildState& state, const BuildCache& cache, const OutputTree& tree,
                         const PlannedObject& object, CacheEntry& entry) {
  for (auto& output : entry.outputs) {
    fs::path relative = object.file(variant_name(state, object), output.kind);
    if (tree.stamped_sha256(relative) == output.sha256) continue;
    if (!cache.read_output(entry.key, output)) return false;
  }
  return true;
}

// Serves object i from the cache if its entry exists and verifies: false means compile it.
Result<bool> take_from_cache(BuildState& state, BuildCache& cache, OutputTree& tree,
                             std::size_t i) {
  auto entry = cache.lookup(state.plan[i].key, state.hashes);
  if (!entry || !load_cached_outputs(state, cache, tree, state.plan[i], *entry)) return false;
  state.outputs[i] = std::move(entry->outputs);
  if (auto installed = install_outputs(state, tree, i); !installed) return installed.error();
  ++state.summary.cached;
  return true;
}

// The objects the cache cannot serve: `compile` once per cache key, and the `repeats` whose key
// an earlier one has (identical compiles, e.g. a Triton entry whose signature does not depend on
// every axis, like a reduce step shared by many variants), which take its result from the cache
// once it is built.
struct Misses {
  std::vector<std::size_t> compile;
  std::vector<std::size_t> repeats;
};

std::size_t job_slots(const BuildState& state) {
  return state.options.jobs ? state.options.jobs : std::thread::hardware_concurrency();
}

// The compile order. Compiles that earlier builds saw take at least an eighth of a slot's fair
// share of the whole go first, longest first, whatever their target: started late, one would be
// the build's tail while the other slots sit idle (on the H200, with half a share as the bar, a
// 7 s compile just under it started 15 s in and ended the build). Then the compiles that other
// objects repeat, of every target (the objects waiting on them, and with no history the best
// guess at the long ones: aiter's shared reduce kernels are), then the rest target after target
// (a Triton worker serves one target, so each switch starts new workers); within each, the most
// repeated, then the longest first.
// Compiles no build has timed yet are ordered by a guess: a Triton compile's constexpr_size()
// against the largest of its entry's, so the largest tiles start first (the first-ever build of
// aiter's seed matrix on the H200 otherwise ended on reduce kernels with 4 query rows x group 16,
// 13-19 s each, that plan order started last); C++ objects keep plan order.
Result<Misses> lookup_phase(BuildState& state, BuildCache& cache, OutputTree& tree) {
  Misses misses;
  std::map<std::string, std::size_t> uses;  // cache key -> objects needing it
  for (std::size_t i = 0; i < state.plan.size(); ++i) {
    if (!state.outputs[i].empty()) continue;  // taken from a Ninja build (adopt_objects)
    auto served = take_from_cache(state, cache, tree, i);
    if (!served) return served.error();
    if (*served) continue;
    (uses[state.plan[i].key]++ == 0 ? misses.compile : misses.repeats).push_back(i);
  }
  std::vector<double> expected(state.plan.size(), 0.0);
  std::vector<double> guess(state.plan.size(), 0.0);  // untimed Triton compiles: size in (0, 1]
  std::map<std::pair<std::size_t, std::string>, double> largest;  // (kernel, entry) -> size
  auto entry_of = [&](std::size_t i) {
    return std::pair(state.variants[state.plan[i].variant].kernel_index, state.plan[i].entry);
  };
  double total = 0.0;
  for (std::size_t i : misses.compile) {
    const PlannedObject& object = state.plan[i];
    expected[i] =
        state.costs.seconds(object.target, object.stem(variant_name(state, object))).value_or(0.0);
    total += expected[i];
    if (expected[i] == 0.0 && object.triton) {
      guess[i] = constexpr_size(*object.triton);
      double& max = largest[entry_of(i)];
      max = std::max(max, guess[i]);
    }
  }
  for (std::size_t i : misses.compile)
    if (guess[i] > 0.0) guess[i] /= largest[entry_of(i)];
  const double long_from = total / double(job_slots(state)) / 8.0;
  auto is_long = [&](std::size_t i) { return expected[i] > 0.0 && expected[i] >= long_from; };
  auto target_rank = [&](std::size_t i) -> double {
    return double(std::find(state.targets.begin(), state.targets.end(), state.plan[i].target) -
                  state.targets.begin());
  };
  auto order = [&](std::size_t i) {
    const double repeated = double(uses[state.plan[i].key]);
    if (is_long(i)) return std::tuple(0, 0.0, 0.0, 0.0, -expected[i]);
    if (repeated > 1) return std::tuple(1, -guess[i], target_rank(i), -repeated, -expected[i]);
    return std::tuple(2, target_rank(i), -guess[i], 0.0, -expected[i]);
  };
  std::stable_sort(misses.compile.begin(), misses.compile.end(),
                   [&](std::size_t a, std::size_t b) { return order(a) < order(b); });
  return misses;
}

// After the compiles: each repeat from the cache entry its identical compile stored.
Status repeats_phase(BuildState& state, BuildCache& cache, OutputTree& tree,
                     const std::vector<std::size_t>& repeats) {
  for (std::size_t i : repeats) {
    auto served = take_from_cache(state, cache, tree, i);
    if (!served) return served.error();
    if (*served) continue;
    ++state.summary.failed;
    state.printer.message("aotc: " + describe_object(state, state.plan[i]) +
                          ": not built: the identical compile of another object failed");
  }
  return Status::success();
}

// Compiles the misses in parallel. Returns an Error only when interrupted.
Status compile_phase(BuildState& state, BuildCache& cache, OutputTree& tree,
                     const std::vector<std::size_t>& misses) {
  StatusPrinter& printer = state.printer;
  printer.set_total(misses.size());
  std::vector<CompileFiles> files(misses.size());
  std::vector<Job> jobs;
  for (std::size_t m = 0; m < misses.size(); ++m) {
    const PlannedObject& object = state.plan[misses[m]];
    const std::string& name = variant_name(state, object);
    for (const auto& kind : object.kinds) {
      files[m].outputs.push_back(temporary_sibling(tree.dir() / object.file(name, kind)));
    }
    files[m].depfile = temporary_sibling(tree.dir() / object.target / (object.stem(name) + ".d"));
    std::error_code ec;
    fs::create_directories(tree.dir() / object.target, ec);
    if (ec)
      return make_error((tree.dir() / object.target).string() + ": cannot create: " + ec.message());
    jobs.push_back(make_job(state, object, files[m], m));
  }

  std::size_t parallelism = job_slots(state);
  auto on_done = [&](std::size_t m, JobResult&& result) {
    std::size_t index = misses[m];
    const PlannedObject& object = state.plan[index];
    printer.compile_finished(object.target, object.stem(variant_name(state, object)),
                             result.seconds);
    state.timings.compile_done(object.target + " " + object.stem(variant_name(state, object)),
                               result.seconds);
    Status collected = result.succeeded
                           ? collect_compile(state, cache, tree, index, files[m], result)
                           : Status(make_error(result.failure));
    files[m].remove();
    if (collected) {
      ++state.summary.compiled;
      state.costs.record(object.target, object.stem(variant_name(state, object)), result.seconds);
      return true;
    }
    ++state.summary.failed;
    const Job& job = jobs[m];
    printer.compile_failed(
        describe_object(state, object) + ": " + collected.error().message,
        display_command(job.request ? job.request->argv : job.steps[result.last_step]),
        result.output);
    return false;
  };
  ScheduleEnd end = run_jobs(jobs, parallelism, state.options.fail_fast, on_done, state.writers);
  if (end == ScheduleEnd::interrupted) {
    for (const auto& compile : files) compile.remove();
    printer.end_status_line();
    return make_error("interrupted by signal " + std::to_string(InterruptGuard::signal_number()) +
                      " after " + std::to_string(state.summary.compiled + state.summary.failed) +
                      " of " + std::to_string(misses.size()) +
                      " compiles; no partial outputs were left");
  }
  if (end == ScheduleEnd::stopped) {
    printer.message("aotc: stopped after the first failure (--fail-fast)");
  }
  return Status::success();
}

// The manifest's view of the results, grouped per variant in target order.
std::vector<std::vector<ObjectRecord>> object_records(const BuildState& state) {
  std::vector<std::vector<ObjectRecord>> records(state.variants.size());
  for (std::size_t i = 0; i < state.plan.size(); ++i) {
    const PlannedObject& object = state.plan[i];
    const std::string& name = variant_name(state, object);
    const CachedFile& main = state.outputs[i].back();  // hsaco, cubin, or ptx alone
    ObjectRecord record;
    record.target = object.target;
    record.vendor = std::string(vendor_name(object.vendor));
    record.format = main.kind;
    record.file = object.file(name, main.kind).string();
    auto output_of = [&](const std::string& kind) -> const CachedFile& {
      return *std::find_if(state.outputs[i].begin(), state.outputs[i].end(),
                           [&](const CachedFile& file) { return file.kind == kind; });
    };
    if (main.kind == "cubin") {
      const CachedFile& ptx = output_of("ptx");
      record.ptx_file = object.file(name, ptx.kind).string();
      record.ptx_size = ptx.size;
      record.ptx_sha256 = ptx.sha256;
    }
    record.size = main.size;
    record.sha256 = main.sha256;
    const Toolchain& compiler = object.triton ? state.triton_compiler : state.tools.clang;
    record.compiler = {compiler.path.string(), compiler.version};
    record.flags = portable_flags(object.flags, state.matrix.root);
    if (object.triton) {
      record.entry = object.entry;
      const CachedFile& metadata = output_of("triton.json");
      record.triton =
          codeobj::TritonObjectFacts{.signature = signature_text(*object.triton),
                                     .options = object.triton->options,
                                     .metadata_file = object.file(name, "triton.json").string(),
                                     .metadata_size = metadata.size,
                                     .metadata_sha256 = metadata.sha256};
    }
    records[object.variant].push_back(std::move(record));
  }
  return records;
}

// The explicit (non-hidden) arguments a code object's kernels take.
std::size_t explicit_arguments(const codeobj::KernelMetadata& metadata) {
  std::size_t count = 0;
  for (const codeobj::KernelInfo& kernel : metadata.kernels) {
    count += std::count_if(kernel.args.begin(), kernel.args.end(),
                           [](const codeobj::ArgMetadata& arg) { return !arg.hidden(); });
  }
  return count;
}

// Adds what launching a Triton object needs beyond its code object's metadata, cross-checked
// with it. Triton appends hidden pointer arguments after the kernel's own: global scratch (3.3
// and later) and profile scratch (3.5 and later), in that order; how many is read from the code
// object (explicit arguments minus the signature's run-time arguments), their sizes from Triton's
// metadata (absent means none: Triton's HIP backend reports no global scratch size). Triton's
// "shared" is dynamic shared memory (LDS) the launch must provide: the code object's own counts
// only static memory.
Status add_triton_launch_facts(const BuildState& state, const PlannedObject& object,
                               ObjectRecord& record) {
  auto text = read_file_text(state.options.out_dir /
                             object.file(variant_name(state, object), "triton.json"));
  if (!text) return text.error();
  auto triton = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (!triton.is_object()) return make_error("Triton's metadata JSON is unreadable");
  std::size_t runtime = std::count_if(
      object.triton->signature.begin(), object.triton->signature.end(), [](const TritonArg& arg) {
        return (arg.kind == TritonArg::Kind::pointer || arg.kind == TritonArg::Kind::scalar) &&
               arg.hint != 1;
      });
  std::size_t total = explicit_arguments(*record.metadata);
  static const std::array<const char*, 2> kScratch = {"global_scratch", "profile_scratch"};
  if (total < runtime || total - runtime > kScratch.size()) {
    return make_error("the code object takes " + std::to_string(total) +
                      " arguments, the signature passes " + std::to_string(runtime) +
                      " at run time; Triton adds at most " + std::to_string(kScratch.size()) +
                      " (global and profile scratch pointers)");
  }
  codeobj::TritonObjectFacts& facts = *record.triton;
  for (std::size_t i = 0; i < total - runtime; ++i) {
    std::string name = kScratch[i];
    auto number = [&](const std::string& key, std::uint64_t fallback) {
      const auto it = triton.find(key);
      return it != triton.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : fallback;
    };
    facts.scratch.push_back({name, number(name + "_size", 0), number(name + "_align", 1)});
  }
  facts.runtime_arguments = runtime;
  facts.shared = triton.value("shared", std::uint64_t{0});
  facts.num_warps = triton.value("num_warps", std::uint64_t{0});
  facts.version = triton.value("triton_version", state.tools.triton->version);
  return Status::success();
}

// A cubin does not say whether a kernel waits for the grid launched before it; its companion PTX
// does. Read only for kernels whose launch rule overlaps a step with the one before it (the
// launcher generator refuses an overlapped entry that never waits).
bool rule_overlaps_steps(const BuildState& state, std::size_t kernel_index) {
  const std::optional<launcher::LaunchRule>& rule = state.rules[kernel_index];
  return rule && std::any_of(rule->steps.begin(), rule->steps.end(),
                             [](const launcher::LaunchStep& s) { return s.overlap_previous; });
}

Status add_prior_grid_waits(const BuildState& state, ObjectRecord& record) {
  auto bytes = read_file_bytes(state.options.out_dir / record.ptx_file);
  if (!bytes) return bytes.error();
  auto module = codeobj::read_ptx(codeobj::as_chars(*bytes));
  if (!module) return module.error().with_context(record.ptx_file);
  for (codeobj::KernelInfo& kernel : record.metadata->kernels) {
    for (const codeobj::PtxEntry& entry : module->entries) {
      if (entry.name == kernel.name) kernel.waits_for_prior_grid = entry.waits_for_prior_grid;
    }
  }
  return Status::success();
}

// Reads each code object's metadata (kernels, arguments, registers, occupancy) into its record.
Status metadata_phase(const BuildState& state, std::vector<std::vector<ObjectRecord>>& records) {
  std::vector<std::vector<const PlannedObject*>> planned(records.size());
  for (const auto& object : state.plan) planned[object.variant].push_back(&object);
  for (std::size_t v = 0; v < records.size(); ++v) {
    for (std::size_t r = 0; r < records[v].size(); ++r) {
      ObjectRecord& record = records[v][r];
      const PlannedObject& object = *planned[v][r];
      auto where = [&] { return describe_object(state, object) + ": metadata"; };
      auto bytes = read_file_bytes(state.options.out_dir / record.file);
      if (!bytes) return bytes.error();
      auto metadata = codeobj::read_kernel_metadata(*bytes, record.format, record.target);
      if (!metadata) return metadata.error().with_context(where());
      record.metadata = std::move(*metadata);
      if (record.format == "cubin" && !record.ptx_file.empty() &&
          rule_overlaps_steps(state, state.variants[v].kernel_index)) {
        if (auto added = add_prior_grid_waits(state, record); !added) {
          return added.error().with_context(where());
        }
      }
      if (object.triton) {
        if (auto added = add_triton_launch_facts(state, object, record); !added) {
          return added.error().with_context(where());
        }
      }
    }
  }
  return Status::success();
}

// Writes out/bundles/<variant>.hipfb for every variant with AMD objects (for a Triton variant,
// out/bundles/<variant>.<entry>.hipfb per entry: each entry is its own code object); returns each
// variant's manifest "bundle" object, or for a Triton variant the array of its entries' bundles
// (null for variants without AMD objects).
Result<std::vector<nlohmann::ordered_json>> bundle_phase(
    const BuildState& state, OutputTree& tree,
    const std::vector<std::vector<ObjectRecord>>& records) {
  std::vector<nlohmann::ordered_json> bundles(state.variants.size());
  for (std::size_t v = 0; v < state.variants.size(); ++v) {
    const bool per_entry =
        state.matrix.kernels[state.variants[v].kernel_index].language == KernelLanguage::triton;
    std::vector<std::string> entries;  // "" for a clang variant's one bundle
    for (const auto& record : records[v]) {
      if (record.vendor == vendor_name(Vendor::amd) &&
          std::find(entries.begin(), entries.end(), record.entry) == entries.end()) {
        entries.push_back(record.entry);
      }
    }
    for (const auto& entry : entries) {
      std::vector<std::vector<std::uint8_t>> code_objects;
      code_objects.reserve(records[v].size());
      std::vector<BundledObject> objects;
      for (const auto& record : records[v]) {
        if (record.vendor != vendor_name(Vendor::amd) || record.entry != entry) continue;
        auto bytes = read_file_bytes(state.options.out_dir / record.file);
        if (!bytes) return bytes.error();
        code_objects.push_back(std::move(bytes.value()));
        objects.push_back({record.metadata->target_id, code_objects.back()});
      }
      const std::string stem =
          entry.empty() ? state.variants[v].name : state.variants[v].name + "." + entry;
      auto bundle = make_variant_bundle(stem, objects, state.matrix.options);
      if (!bundle) return bundle.error();
      if (auto installed = tree.install(bundle->file, bundle->bytes, bundle->record["sha256"]);
          !installed) {
        return installed.error();
      }
      if (!per_entry) {
        bundles[v] = std::move(bundle->record);
        continue;
      }
      nlohmann::ordered_json record = {{"entry", entry}};
      record.update(bundle->record);
      if (bundles[v].is_null()) bundles[v] = nlohmann::ordered_json::array();
      bundles[v].push_back(std::move(record));
    }
  }
  return bundles;
}

// Compiles each family with a launch rule into out/lib/lib<kernel>_aotc.so (after its generated
// sources are in place) and lists the libraries with the launchers.
Status shared_library_phase(BuildState& state, OutputTree& tree, nlohmann::ordered_json& listed) {
  std::set<fs::path> libraries;
  for (const KernelSpec& kernel : state.matrix.kernels) {
    if (!kernel.launch.is_null()) libraries.insert(shared_library_file(kernel.name));
  }
  if (libraries.empty()) return Status::success();
  if (auto planned = tree.plan_more(libraries); !planned) return planned;
  std::error_code ec;
  fs::create_directories(state.options.out_dir / "lib", ec);
  if (ec) return make_error((state.options.out_dir / "lib").string() + ": " + ec.message());
  for (const KernelSpec& kernel : state.matrix.kernels) {
    if (kernel.launch.is_null()) continue;
    const fs::path relative = shared_library_file(kernel.name);
    const fs::path temporary = temporary_sibling(state.options.out_dir / relative);
    auto built =
        build_shared_library(state.options.shared_library, fs::absolute(state.options.out_dir),
                             kernel.name, temporary, state.cache_dir, state.writers);
    Status compiled = built ? Status::success() : Status(built.error());
    if (built) {
      state.printer.message("aotc: " + relative.string() +
                            (*built == SharedLibrarySource::cached ? " (cached)" : " (compiled)"));
      auto hash = sha256_hex_of_file(temporary);
      compiled = hash ? tree.install_file(relative, temporary, *hash) : Status(hash.error());
      if (compiled) {
        listed.push_back({{"file", relative.string()},
                          {"size", fs::file_size(state.options.out_dir / relative, ec)},
                          {"sha256", *hash}});
      }
    }
    if (!compiled) {
      fs::remove(temporary, ec);
      return compiled;
    }
  }
  return Status::success();
}

// Writes the generated C++ launchers (out/include/aotc/) of every kernel with a launch rule and
// lists them in the manifest. They are rendered from the object records the manifest lists, so
// the argument layouts they pack are the ones the code objects' metadata declares.
Status launcher_phase(BuildState& state, OutputTree& tree,
                      const std::vector<std::vector<ObjectRecord>>& records,
                      nlohmann::ordered_json& manifest) {
  auto files = render_launchers({state.matrix, state.rules, state.variants, records});
  if (!files) return files.error();
  std::set<fs::path> relative;
  for (const auto& file : *files) relative.insert(file.relative_path);
  if (auto planned = tree.plan_more(relative); !planned) return planned;
  nlohmann::ordered_json listed = nlohmann::ordered_json::array();
  for (const auto& file : *files) {
    std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(file.text.data()),
                                        file.text.size());
    const std::string hash = sha256_hex(file.text);
    if (auto installed = tree.install(file.relative_path, bytes, hash); !installed)
      return installed;
    listed.push_back(
        {{"file", file.relative_path.string()}, {"size", file.text.size()}, {"sha256", hash}});
  }
  if (state.options.shared_libraries) {
    if (auto built = shared_library_phase(state, tree, listed); !built) return built;
  }
  manifest["launchers"] = std::move(listed);
  return Status::success();
}

// What decides the build besides the files it reads (build_state.h): the options that change its
// outputs, the working directory (relative tool paths), the aotc executable, and the environment
// variables the toolchain search and the Triton probe read (the matrix's root variable is added
// once the matrix is read).
BuildFingerprint build_fingerprint(const BuildOptions& options) {
  BuildFingerprint fingerprint;
  auto& settings = fingerprint.settings;
  std::error_code ec;
  settings.emplace_back("aotc", fs::read_symlink("/proc/self/exe", ec).string());
  auto self = stamp_file("/proc/self/exe");
  // Without a stamp of aotc itself, no state may ever match: a new aotc could build differently.
  settings.emplace_back("aotc-stamp", self ? std::to_string(self->size) + " " +
                                                 std::to_string(self->inode) + " " +
                                                 std::to_string(self->mtime_ns)
                                           : "unknown " + std::to_string(wall_clock_ns()));
  settings.emplace_back("cwd", fs::current_path(ec).string());
  settings.emplace_back("matrix", fs::absolute(options.matrix_file).lexically_normal().string());
  settings.emplace_back("out", fs::absolute(options.out_dir).lexically_normal().string());
  auto optional = [](const std::optional<fs::path>& path) {
    return path ? "=" + path->string() : std::string("-");
  };
  settings.emplace_back("clang", optional(options.clang));
  settings.emplace_back("ptxas", optional(options.ptxas));
  settings.emplace_back("python", optional(options.python));
  settings.emplace_back("source-root", optional(options.source_root));
  settings.emplace_back("targets", std::to_string(options.targets.size()));
  for (const auto& target : options.targets) settings.emplace_back("target", target);
  if (options.shard) {
    settings.emplace_back(
        "shard", std::to_string(options.shard->index) + "/" + std::to_string(options.shard->count));
  }
  if (options.shared_libraries) {
    settings.emplace_back("shared-lib-cxx", optional(options.shared_library.cxx));
    settings.emplace_back("shared-lib-include",
                          optional(options.shared_library.runtime_include_dir));
    settings.emplace_back("shared-lib-library",
                          optional(options.shared_library.runtime_library_dir));
  }
  fingerprint.variables = {"PATH",       "AOTC_CLANG", "AOTC_PYTHON", "AOTC_TRITON_HELPER",
                           "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONNOUSERSITE",
                           "CXX"};
  return fingerprint;
}

// Keeps out/.aotc_state for the next build's no-op check: every file this build hashed, the
// toolchains (and the directories they were searched in), every output. Failing to write it
// costs only that check.
void record_build_state(const BuildState& state, const OutputTree& tree,
                        BuildFingerprint fingerprint) {
  if (!state.matrix.root_variable.empty()) {
    fingerprint.variables.push_back(state.matrix.root_variable);
  }
  std::vector<StampedFile> files = state.hashes.stamped_files();
  auto add_settled = [&](const fs::path& path) {
    if (path.empty()) return;
    auto stamp = stamp_file(path);
    fs::path normal = fs::absolute(path).lexically_normal();
    if (!normal.has_filename()) normal = normal.parent_path();  // a PATH entry "/usr/bin/"
    files.push_back({normal, settled_stamp(stamp, stamp, state.hashes.started_ns())});
  };
  add_settled(state.tools.clang.path);
  if (state.tools.ptxas) add_settled(state.tools.ptxas->path);
  if (state.tools.triton) {
    add_settled(state.tools.triton->python.path);
    add_settled(state.tools.triton->helper);
    for (const auto& file : state.tools.triton->identity_files) add_settled(file);
  }
  const char* search_path = std::getenv("PATH");
  std::string dirs = search_path ? search_path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = std::min(dirs.find(':', start), dirs.size());
    std::error_code ec;
    fs::path dir = dirs.substr(start, end - start);
    if (!dir.empty() && fs::is_directory(dir, ec)) add_settled(dir);
    start = end + 1;
  }
  for (const auto& relative : tree.planned()) {
    fs::path path = fs::absolute(state.options.out_dir / relative).lexically_normal();
    files.push_back({path, stamp_file(path)});
  }
  fs::path manifest = fs::absolute(state.options.out_dir / "manifest.json").lexically_normal();
  files.push_back({manifest, stamp_file(manifest)});
  StateCounts counts{state.summary.variants, state.summary.targets, state.plan.size()};
  (void)write_build_state(state.options.out_dir, fingerprint, counts, files);
}

// aotc merge: the shard manifests, checked to be the N shards of one build; out/ must be none
// of them.
Result<std::vector<ShardManifest>> read_shards(const BuildOptions& options) {
  std::vector<ShardManifest> shards;
  std::error_code ec;
  const fs::path out = fs::weakly_canonical(options.out_dir, ec);
  for (const auto& dir : options.merge) {
    if (fs::weakly_canonical(dir, ec) == out) {
      return make_error(dir.string() + ": the merged output directory cannot be one of the shards");
    }
    auto shard = read_shard_manifest(dir);
    if (!shard) return shard.error();
    shards.push_back(std::move(shard.value()));
  }
  if (auto checked = check_shard_set(shards); !checked) return checked.error();
  return shards;
}

// The shards were built from this matrix, for these targets: the same plan, to the object.
Status check_shards_match(BuildState& state, const std::vector<ShardManifest>& shards) {
  auto matrix_hash = state.hashes.sha256_of(state.options.matrix_file);
  if (!matrix_hash) return matrix_hash.error();
  const ShardManifest& shard = shards.front();
  if (*matrix_hash != shard.matrix_sha256) {
    return make_error(state.options.matrix_file.string() +
                      " is not the matrix the shards were built from (SHA-256 " + *matrix_hash +
                      ", the shards' " + shard.matrix_sha256 + ")");
  }
  if (state.targets != shard.targets || state.plan.size() != shard.planned) {
    return make_error("the shards were built for " + std::to_string(shard.planned) +
                      " objects of other targets than this merge plans (" +
                      std::to_string(state.plan.size()) + "): pass the --targets the shards had");
  }
  return Status::success();
}

// aotc merge: each planned object's outputs from the shard that holds its cache key, checked
// against that shard's manifest (size and SHA-256) and installed into out/.
Status adopt_phase(BuildState& state, OutputTree& tree, const std::vector<ShardManifest>& shards) {
  std::map<std::string, std::pair<const ShardManifest*, const ShardObject*>> by_key;
  for (const auto& shard : shards) {
    for (const auto& object : shard.objects) {
      auto [it, fresh] = by_key.emplace(object.key, std::pair{&shard, &object});
      if (!fresh && it->second.first != &shard) {
        return make_error(object.name + " is in two shards, " + it->second.first->dir.string() +
                          " and " + shard.dir.string() + ": the shards overlap");
      }
    }
  }
  for (std::size_t i = 0; i < state.plan.size(); ++i) {
    const PlannedObject& object = state.plan[i];
    auto found = by_key.find(object.key);
    if (found == by_key.end()) {
      return make_error(describe_object(state, object) +
                        ": in none of the shards (no shard built its cache key " +
                        object.key.substr(0, 16) +
                        "...: were they built from other sources, flags or compilers?)");
    }
    const auto& [shard, held] = found->second;
    std::vector<CachedFile> outputs;
    for (const auto& kind : object.kinds) {
      auto file = std::find_if(held->files.begin(), held->files.end(),
                               [&](const ShardFile& file) { return file.kind == kind; });
      if (file == held->files.end()) {
        return make_error((shard->dir / "manifest.json").string() + ": " + held->name + " has no " +
                          kind + " file");
      }
      const fs::path path = shard->dir / file->file;
      auto bytes = read_file_bytes(path, file->size);
      if (!bytes) return bytes.error().with_context("shard");
      std::string hash = to_hex(sha256(*bytes));
      if (bytes->size() != file->size || hash != file->sha256) {
        return make_error(path.string() + ": differs from its shard's manifest (size " +
                          std::to_string(bytes->size()) + ", SHA-256 " + hash + "; listed " +
                          std::to_string(file->size) + ", " + file->sha256 + ")");
      }
      outputs.push_back({kind, std::move(bytes.value()), std::move(hash), file->size});
    }
    state.outputs[i] = std::move(outputs);
    if (auto installed = install_outputs(state, tree, i); !installed) return installed;
    ++state.summary.cached;
  }
  return Status::success();
}

// A shard build's manifest.json (shard.h).
nlohmann::ordered_json shard_manifest(const BuildState& state, const std::string& matrix_sha256) {
  ShardManifest shard;
  shard.spec = *state.options.shard;
  shard.matrix_sha256 = matrix_sha256;
  shard.targets = state.targets;
  shard.toolchains = nlohmann::json::parse(toolchains_json(state.tools).dump());
  shard.planned = state.planned_total;
  for (std::size_t i = 0; i < state.plan.size(); ++i) {
    const PlannedObject& object = state.plan[i];
    ShardObject held{object.key, describe_object(state, object), {}};
    for (const auto& output : state.outputs[i]) {
      held.files.push_back({output.kind, object.file(variant_name(state, object), output.kind),
                            output.size, output.sha256});
    }
    shard.objects.push_back(std::move(held));
  }
  auto json = shard_manifest_json(shard);
  json["summary"] = {{"compiled", state.summary.compiled},
                     {"cached", state.summary.cached},
                     {"wall_seconds", state.summary.wall_seconds}};
  return json;
}

// Everything after the objects exist: their metadata, the bundles, the manifest and the
// launchers rendered from it. Returns manifest.json's text.
Result<std::string> package_phases(BuildState& state, OutputTree& tree,
                                   const std::string& matrix_sha256, Clock::time_point started) {
  auto records = object_records(state);
  if (auto read = metadata_phase(state, records); !read) return read.error();
  auto bundles = bundle_phase(state, tree, records);
  if (!bundles) return bundles.error();
  state.summary.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ManifestInputs inputs{&state.matrix, state.options.matrix_file.filename().string(),
                        matrix_sha256, &state.variants,
                        &records,      &*bundles,
                        state.summary};
  auto manifest = make_manifest(inputs);
  if (auto written = launcher_phase(state, tree, records, manifest); !written) {
    return written.error();
  }
  return manifest.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

// The clang objects' outputs as a Ninja file lays them out: <dir>/<target>/<stem>.<kind>.
fs::path ninja_object(const fs::path& dir, const BuildState& state, const PlannedObject& object,
                      const std::string& kind) {
  return dir / object.file(variant_name(state, object), kind);
}

fs::path objects_dir_of(const fs::path& ninja_file) {
  return fs::absolute(ninja_file).lexically_normal().parent_path() / "aotc-objects";
}

// The options a command line repeats for `aotc package` and for regenerating the Ninja file.
std::vector<std::string> common_arguments(const BuildOptions& options, const Toolchains* pinned) {
  std::vector<std::string> args = {fs::absolute(options.matrix_file).lexically_normal().string(),
                                   "-o", fs::absolute(options.out_dir).lexically_normal().string()};
  auto add = [&](const char* flag, const std::optional<fs::path>& path) {
    if (path) args.insert(args.end(), {flag, fs::absolute(*path).lexically_normal().string()});
  };
  if (pinned) {  // package plans with the very toolchains the compile edges run
    if (!pinned->clang.path.empty()) add("--clang", pinned->clang.path);
    if (pinned->ptxas) add("--ptxas", pinned->ptxas->path);
    if (pinned->triton) add("--python", pinned->triton->python.path);
  } else {
    add("--clang", options.clang);
    add("--ptxas", options.ptxas);
    add("--python", options.python);
  }
  add("--cache-dir", options.cache_dir);
  add("--source-root", options.source_root);
  if (!options.targets.empty()) {
    std::string targets;
    for (const auto& target : options.targets) targets += (targets.empty() ? "" : ",") + target;
    args.insert(args.end(), {"--targets", targets});
  }
  if (options.jobs) args.insert(args.end(), {"-j", std::to_string(options.jobs)});
  if (!options.remote_cache.empty())
    args.insert(args.end(), {"--remote-cache", options.remote_cache});
  return args;
}

// aotc build --emit-ninja: one compile edge per clang object (and a ptxas edge per cubin) with
// the build's own command lines, and the package edge over all of them.
Status emit_ninja_phase(const BuildState& state) {
  const BuildOptions& options = state.options;
  std::error_code ec;
  const fs::path aotc = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return make_error("cannot find the aotc executable (/proc/self/exe): " + ec.message());
  const fs::path dir = objects_dir_of(*options.emit_ninja);
  const fs::path ninja_file = fs::absolute(*options.emit_ninja).lexically_normal();
  NinjaFile file;
  file.launcher = options.launcher;
  NinjaStep package;
  for (const auto& object : state.plan) {
    if (object.triton) continue;  // compiled by aotc package, through its cache and workers
    const KernelSpec& kernel = state.matrix.kernels[state.variants[object.variant].kernel_index];
    const std::string stem = object.stem(variant_name(state, object));
    const fs::path first = ninja_object(dir, state, object, object.kinds.front());
    NinjaStep compile;
    compile.depfile = dir / object.target / (stem + ".d");
    compile.argv =
        clang_command(state.tools.clang.path, object.flags, kernel.source, compile.depfile, first);
    compile.outputs = {first};
    compile.inputs = {fs::absolute(kernel.source).lexically_normal()};
    compile.description = "clang " + object.target + " " + stem;
    file.compiles.push_back(std::move(compile));
    if (!object.ptxas_flags.empty()) {
      const fs::path cubin = ninja_object(dir, state, object, object.kinds[1]);
      NinjaStep assemble;
      assemble.argv = ptxas_command(state.tools.ptxas->path, object.ptxas_flags, first, cubin);
      assemble.outputs = {cubin};
      assemble.inputs = {first};
      assemble.description = "ptxas " + object.target + " " + stem;
      file.assembles.push_back(std::move(assemble));
    }
    for (const auto& kind : object.kinds) {
      package.inputs.push_back(ninja_object(dir, state, object, kind));
    }
  }
  package.argv = {aotc.string(), "package"};
  auto args = common_arguments(options, &state.tools);
  package.argv.insert(package.argv.end(), args.begin(), args.end());
  package.depfile = dir / "package.d";
  package.argv.insert(package.argv.end(),
                      {"--objects", dir.string(), "--depfile", package.depfile.string()});
  package.outputs = {fs::absolute(options.out_dir / "manifest.json").lexically_normal()};
  package.implicit_inputs = {aotc};
  package.description = "aotc package " + options.out_dir.string();
  file.finals.push_back(std::move(package));

  file.regenerate.argv = {aotc.string(), "build"};
  args = common_arguments(options, nullptr);
  file.regenerate.argv.insert(file.regenerate.argv.end(), args.begin(), args.end());
  file.regenerate.argv.insert(file.regenerate.argv.end(), {"--emit-ninja", ninja_file.string()});
  if (!options.launcher.empty()) {
    file.regenerate.argv.insert(file.regenerate.argv.end(), {"--launcher", options.launcher});
  }
  file.regenerate.outputs = {ninja_file};
  file.regenerate.inputs = {fs::absolute(options.matrix_file).lexically_normal()};
  file.regenerate.implicit_inputs = {aotc};
  file.regenerate.description = "regenerating " + ninja_file.string();

  auto text = ninja_file_text(file);
  if (!text) return text.error();
  fs::create_directories(dir, ec);
  if (ec) return make_error(dir.string() + ": cannot create: " + ec.message());
  return write_file_atomic(ninja_file, *text);
}

// aotc package: each clang object from the Ninja build's objects directory, installed into out/.
// Ninja has just brought them up to date, so a missing one means the file was not run.
Status adopt_objects(BuildState& state, OutputTree& tree) {
  for (std::size_t i = 0; i < state.plan.size(); ++i) {
    const PlannedObject& object = state.plan[i];
    if (object.triton) continue;
    std::vector<CachedFile> outputs;
    for (const auto& kind : object.kinds) {
      const fs::path path = ninja_object(*state.options.objects_dir, state, object, kind);
      auto output = read_output(path, kind);
      if (!output) {
        return output.error().with_context(describe_object(state, object) +
                                           ": not compiled by the Ninja build (run ninja)");
      }
      outputs.push_back(std::move(output.value()));
    }
    state.outputs[i] = std::move(outputs);
    if (auto installed = install_outputs(state, tree, i); !installed) return installed;
    ++state.summary.compiled;
  }
  return Status::success();
}

}  // namespace

Result<BuildSummary> run_build(const BuildOptions& options, std::ostream& out) {
  auto started = Clock::now();
  BuildState state{.options = options,
                   .out = out,
                   .cache_dir = options.cache_dir.value_or(options.out_dir / ".cache"),
                   .timings = BuildTimings(started),
                   .printer = StatusPrinter(out, options.redraw_status)};

  // A no-op costs one read of out/.aotc_state and a stat per file it lists.
  BuildFingerprint fingerprint = build_fingerprint(options);
  if (StateCounts counts; !options.dry_run && options.merge.empty() && !options.emit_ninja &&
                          !options.objects_dir && !options.depfile &&
                          build_is_up_to_date(options.out_dir, fingerprint, counts)) {
    state.summary.variants = counts.variants;
    state.summary.targets = counts.targets;
    state.summary.cached = counts.objects;
    state.summary.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    state.printer.summary(state.summary);
    return state.summary;
  }

  std::optional<RemoteCache> remote;
  if (!options.remote_cache.empty()) {
    auto opened = RemoteCache::open(options.remote_cache,
                                    [&](const std::string& line) { state.printer.message(line); });
    if (!opened) return opened.error().with_context("--remote-cache");
    remote = std::move(opened.value());
  }

  std::vector<ShardManifest> shards;
  std::optional<Toolchains> recorded;
  if (!options.merge.empty()) {
    auto read = read_shards(options);
    if (!read) return read.error();
    shards = std::move(read.value());
    auto tools = toolchains_from_json(shards.front().toolchains);
    if (!tools) return tools.error().with_context(shards.front().dir.string());
    recorded = std::move(tools.value());
  }

  if (auto loaded = load_phase(state); !loaded) return loaded.error();
  state.timings.phase_done("load");
  if (auto planned = plan_phase(state, recorded ? &*recorded : nullptr); !planned)
    return planned.error();
  state.timings.phase_done("plan");
  if (!shards.empty()) {
    if (auto matching = check_shards_match(state, shards); !matching) return matching.error();
  }
  if (options.dry_run) {
    print_dry_run(state);
    return state.summary;
  }
  if (options.emit_ninja) {
    if (auto written = emit_ninja_phase(state); !written) return written.error();
    state.printer.message("aotc: wrote " + options.emit_ninja->string() + ": run ninja -f " +
                          options.emit_ninja->string());
    return state.summary;
  }

  InterruptGuard interrupts;
  auto lock = OutputLock::acquire(options.out_dir, options.wait_for_lock, out);
  if (!lock) return lock.error();
  state.writers = SpawnOptions{lock->fd()};
  auto marker = BuildMarker::create(options.out_dir, state.cache_dir);
  if (!marker) return marker.error();
  forget_build_state(options.out_dir);

  std::set<fs::path> planned_files;
  for (const auto& object : state.plan) {
    const std::string& name = variant_name(state, object);
    for (const auto& kind : object.kinds) planned_files.insert(object.file(name, kind));
    if (object.vendor == Vendor::amd && !options.shard) {
      planned_files.insert(bundle_file(object.stem(name)));
    }
  }
  OutputTree tree(options.out_dir, std::move(planned_files));
  BuildCache cache(state.cache_dir, state.matrix.root, remote ? &*remote : nullptr);

  if (!shards.empty()) {
    if (auto adopted = adopt_phase(state, tree, shards); !adopted) return adopted.error();
  } else {
    if (options.objects_dir) {
      if (auto adopted = adopt_objects(state, tree); !adopted) return adopted.error();
    }
    state.costs = CompileCosts::load(state.cache_dir);
    auto misses = lookup_phase(state, cache, tree);
    if (!misses) return misses.error();
    state.timings.phase_done("lookup");
    if (auto compiled = compile_phase(state, cache, tree, misses->compile); !compiled)
      return compiled.error();
    state.timings.phase_done("compile");
    // The history only orders later builds: failing to keep it costs speed, never the build.
    if (state.summary.compiled > 0) {
      if (auto saved = state.costs.save(); !saved)
        state.printer.message("aotc: warning: " + saved.error().message);
    }
    if (auto repeated = repeats_phase(state, cache, tree, misses->repeats); !repeated)
      return repeated.error();
    state.timings.phase_done("repeats");
  }

  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  if (state.summary.compiled + state.summary.cached < state.plan.size()) {
    state.summary.wall_seconds = elapsed();
    state.printer.summary(state.summary);
    state.printer.message("aotc: manifest.json not written: not every object was built");
    return state.summary;
  }

  auto matrix_hash = state.hashes.sha256_of(options.matrix_file);
  if (!matrix_hash) return matrix_hash.error();
  std::string manifest_text;
  if (options.shard) {
    state.summary.wall_seconds = elapsed();
    manifest_text = shard_manifest(state, *matrix_hash).dump(1) + "\n";
  } else {
    auto manifest = package_phases(state, tree, *matrix_hash, started);
    if (!manifest) return manifest.error();
    manifest_text = std::move(manifest.value());
  }
  if (auto finished = tree.finish(manifest_text); !finished) return finished.error();
  state.timings.phase_done(options.shard ? "shard manifest" : "package");
  if (options.depfile) {
    std::vector<fs::path> inputs;
    for (const auto& file : state.hashes.stamped_files()) inputs.push_back(file.path);
    const fs::path manifest = fs::absolute(options.out_dir / "manifest.json").lexically_normal();
    if (auto written = write_file_atomic(*options.depfile, format_depfile(manifest, inputs));
        !written) {
      return written.error().with_context("--depfile");
    }
  }
  // A merge or a package compiled nothing itself: its tree says nothing about what this
  // machine's compilers make from these sources.
  if (options.merge.empty() && !options.objects_dir) {
    record_build_state(state, tree, std::move(fingerprint));
  }
  state.printer.summary(state.summary);
  if (options.timings)
    state.printer.message("aotc: timings: " + state.timings.report(job_slots(state)));
  if (remote) {
    state.printer.message("aotc: remote cache: " + std::to_string(remote->stats().hits) +
                          " fetched, " + std::to_string(remote->stats().uploads) + " uploaded");
  }
  return state.summary;
}

}  // namespace aotc
