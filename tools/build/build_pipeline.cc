#include "build/build_pipeline.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "build/build_cache.h"
#include "build/build_plan.h"
#include "build/compile_command.h"
#include "build/depfile.h"
#include "build/manifest.h"
#include "build/output_lock.h"
#include "build/output_tree.h"
#include "build/remote_cache.h"
#include "build/scheduler.h"
#include "build/subprocess.h"
#include "build/triton_compile.h"
#include "build/variant_bundle.h"
#include "codeobj/code_object_metadata.h"
#include "core/atomic_file.h"
#include "core/error_list.h"
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
  std::vector<Variant> variants{};
  std::vector<std::string> targets{};
  Toolchains tools{};
  Toolchain triton_compiler{};  // Triton as the manifest's "compiler" of Triton objects
  fs::path cache_dir{};
  std::vector<PlannedObject> plan{};
  std::vector<std::vector<CachedFile>> outputs{};  // per planned object, once built or found
  FileHashes hashes{};
  BuildSummary summary{};
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
  ErrorList rule_problems;
  for (std::size_t k = 0; k < state.matrix.kernels.size(); ++k) {
    const auto& kernel = state.matrix.kernels[k];
    if (kernel.launch.is_null()) continue;
    std::string where =
        state.matrix.file.filename().string() + ": kernels[" + std::to_string(k) + "]";
    auto rule = launcher::validate_launch_rule(
        kernel.launch, kernel, launcher::kernel_vendors(state.matrix, kernel), where);
    if (!rule) rule_problems.add(rule.error());
  }
  if (!rule_problems.empty()) return rule_problems.status();
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

Status plan_phase(BuildState& state) {
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
  if (!needs.clang_targets.empty()) {
    auto clang = find_clang(state.options.clang, identity_cache);
    if (!clang) return clang.error();
    state.tools.clang = std::move(clang.value());
    auto probed = probe_targets(state.tools.clang, state.cache_dir, !state.options.dry_run);
    if (!probed) return probed.error();
    support = std::move(probed.value());
  }
  if (needs.nvidia_clang || state.options.ptxas) {
    auto ptxas = find_ptxas(state.options.ptxas, identity_cache);
    if (!ptxas) return ptxas.error().with_context("--ptxas");
    state.tools.ptxas = std::move(ptxas.value());
  }
  if (needs.triton) {
    auto triton = find_triton(state.options.python, identity_cache);
    if (!triton) return triton.error().with_context(first_triton_kernel(state.matrix));
    state.tools.triton = std::move(triton.value());
    state.triton_compiler = state.tools.triton->as_compiler();
  }
  auto plan =
      plan_objects(state.matrix, state.variants, state.targets, state.tools, support, state.hashes);
  if (!plan) return plan.error();
  state.plan = std::move(plan.value());
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

// The compile order: target after target (a Triton worker serves one target, so each switch
// starts new workers), and within a target the compiles that other objects repeat first, since
// those objects wait for them; otherwise plan order.
Result<Misses> lookup_phase(BuildState& state, BuildCache& cache, OutputTree& tree) {
  Misses misses;
  std::map<std::string, std::size_t> uses;  // cache key -> objects needing it
  for (std::size_t i = 0; i < state.plan.size(); ++i) {
    auto served = take_from_cache(state, cache, tree, i);
    if (!served) return served.error();
    if (*served) continue;
    (uses[state.plan[i].key]++ == 0 ? misses.compile : misses.repeats).push_back(i);
  }
  auto target_rank = [&](std::size_t i) {
    return std::find(state.targets.begin(), state.targets.end(), state.plan[i].target) -
           state.targets.begin();
  };
  std::stable_sort(misses.compile.begin(), misses.compile.end(), [&](std::size_t a, std::size_t b) {
    if (target_rank(a) != target_rank(b)) return target_rank(a) < target_rank(b);
    return uses[state.plan[a].key] > uses[state.plan[b].key];
  });
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
Status compile_phase(BuildState& state, BuildCache& cache, OutputTree& tree, const OutputLock& lock,
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

  std::size_t parallelism =
      state.options.jobs ? state.options.jobs : std::thread::hardware_concurrency();
  auto on_done = [&](std::size_t m, JobResult&& result) {
    std::size_t index = misses[m];
    const PlannedObject& object = state.plan[index];
    printer.compile_finished(object.target, object.stem(variant_name(state, object)),
                             result.seconds);
    Status collected = result.succeeded
                           ? collect_compile(state, cache, tree, index, files[m], result)
                           : Status(make_error(result.failure));
    files[m].remove();
    if (collected) {
      ++state.summary.compiled;
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
  ScheduleEnd end =
      run_jobs(jobs, parallelism, state.options.fail_fast, on_done, SpawnOptions{lock.fd()});
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
    record.compiler = object.triton ? &state.triton_compiler : &state.tools.clang;
    record.flags = portable_flags(object.flags, state.matrix.root);
    if (object.triton) {
      record.entry = object.entry;
      const CachedFile& metadata = output_of("triton.json");
      record.triton = {{"signature", signature_text(*object.triton)},
                       {"options", object.triton->options},
                       {"metadata_file", object.file(name, "triton.json").string()},
                       {"metadata_size", metadata.size},
                       {"metadata_sha256", metadata.sha256}};
    }
    records[object.variant].push_back(std::move(record));
  }
  return records;
}

// The explicit (non-hidden) arguments a code object's kernel takes, from its metadata.
std::size_t explicit_arguments(const nlohmann::ordered_json& metadata) {
  std::size_t count = 0;
  for (const auto& kernel : metadata.value("kernels", nlohmann::ordered_json::array())) {
    for (const auto& arg : kernel.value("args", nlohmann::ordered_json::array())) {
      if (!codeobj::is_hidden_arg_kind(arg.value("kind", std::string()))) ++count;
    }
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
  std::size_t total = explicit_arguments(record.metadata);
  static const std::array<const char*, 2> kScratch = {"global_scratch", "profile_scratch"};
  if (total < runtime || total - runtime > kScratch.size()) {
    return make_error("the code object takes " + std::to_string(total) +
                      " arguments, the signature passes " + std::to_string(runtime) +
                      " at run time; Triton adds at most " + std::to_string(kScratch.size()) +
                      " (global and profile scratch pointers)");
  }
  nlohmann::ordered_json scratch = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < total - runtime; ++i) {
    std::string name = kScratch[i];
    auto number = [&](const std::string& key, std::uint64_t fallback) {
      const auto it = triton.find(key);
      return it != triton.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : fallback;
    };
    scratch.push_back({{"name", name},
                       {"size", number(name + "_size", 0)},
                       {"align", number(name + "_align", 1)}});
  }
  record.triton["runtime_arguments"] = runtime;
  record.triton["scratch"] = std::move(scratch);
  record.triton["shared"] = triton.value("shared", std::uint64_t{0});
  record.triton["num_warps"] = triton.value("num_warps", std::uint64_t{0});
  record.triton["version"] = triton.value("triton_version", state.tools.triton->version);
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
      auto metadata = codeobj::code_object_metadata_json(*bytes, record.format, record.target);
      if (!metadata) return metadata.error().with_context(where());
      record.metadata = nlohmann::ordered_json::parse(metadata->dump());
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
        objects.push_back({record.metadata.value("target_id", record.target), code_objects.back()});
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

// Writes the generated C++ launchers (out/include/aotc/) of every kernel with a launch rule and
// lists them in the manifest. They are rendered from the manifest itself, so the argument layouts
// they pack are the ones the code objects' metadata declares.
Status launcher_phase(BuildState& state, OutputTree& tree, nlohmann::ordered_json& manifest) {
  auto files = render_launchers(state.matrix, manifest);
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
  manifest["launchers"] = std::move(listed);
  return Status::success();
}

}  // namespace

Result<BuildSummary> run_build(const BuildOptions& options, std::ostream& out) {
  auto started = Clock::now();
  BuildState state{.options = options,
                   .out = out,
                   .cache_dir = options.cache_dir.value_or(options.out_dir / ".cache"),
                   .printer = StatusPrinter(out, options.redraw_status)};

  std::optional<RemoteCache> remote;
  if (!options.remote_cache.empty()) {
    auto opened = RemoteCache::open(options.remote_cache,
                                    [&](const std::string& line) { state.printer.message(line); });
    if (!opened) return opened.error().with_context("--remote-cache");
    remote = std::move(opened.value());
  }

  if (auto loaded = load_phase(state); !loaded) return loaded.error();
  if (auto planned = plan_phase(state); !planned) return planned.error();
  if (options.dry_run) {
    print_dry_run(state);
    return state.summary;
  }

  InterruptGuard interrupts;
  auto lock = OutputLock::acquire(options.out_dir, options.wait_for_lock, out);
  if (!lock) return lock.error();
  auto marker = BuildMarker::create(options.out_dir, state.cache_dir);
  if (!marker) return marker.error();

  std::set<fs::path> planned_files;
  for (const auto& object : state.plan) {
    const std::string& name = variant_name(state, object);
    for (const auto& kind : object.kinds) planned_files.insert(object.file(name, kind));
    if (object.vendor == Vendor::amd) planned_files.insert(bundle_file(object.stem(name)));
  }
  OutputTree tree(options.out_dir, std::move(planned_files));
  BuildCache cache(state.cache_dir, state.matrix.root, remote ? &*remote : nullptr);

  auto misses = lookup_phase(state, cache, tree);
  if (!misses) return misses.error();
  if (auto compiled = compile_phase(state, cache, tree, *lock, misses->compile); !compiled)
    return compiled.error();
  if (auto repeated = repeats_phase(state, cache, tree, misses->repeats); !repeated)
    return repeated.error();

  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  if (state.summary.compiled + state.summary.cached < state.plan.size()) {
    state.summary.wall_seconds = elapsed();
    state.printer.summary(state.summary);
    state.printer.message("aotc: manifest.json not written: not every object was built");
    return state.summary;
  }

  auto records = object_records(state);
  if (auto read = metadata_phase(state, records); !read) return read.error();
  auto bundles = bundle_phase(state, tree, records);
  if (!bundles) return bundles.error();
  state.summary.wall_seconds = elapsed();
  ManifestInputs inputs{&state.matrix,
                        options.matrix_file.filename().string(),
                        {},
                        &state.variants,
                        &records,
                        &*bundles,
                        state.summary};
  auto matrix_hash = state.hashes.sha256_of(options.matrix_file);
  if (!matrix_hash) return matrix_hash.error();
  inputs.matrix_sha256 = *matrix_hash;
  auto manifest = make_manifest(inputs);
  if (auto written = launcher_phase(state, tree, manifest); !written) return written.error();
  if (auto finished = tree.finish(
          manifest.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
      !finished)
    return finished.error();
  state.printer.summary(state.summary);
  if (remote) {
    state.printer.message("aotc: remote cache: " + std::to_string(remote->stats().hits) +
                          " fetched, " + std::to_string(remote->stats().uploads) + " uploaded");
  }
  return state.summary;
}

}  // namespace aotc
