// What every generated launcher (aotc/<kernel>_launcher.cc) does the same way: find the device a
// launch runs on, evaluate the rule, load a variant's modules once, pack and launch its steps,
// and say in every error which kernel, variant, device and step failed. The generated file only
// describes its family (key lookup, tables, rule expressions, argument packing) in a struct F
// and instantiates Launcher<F>; see docs/LAUNCHERS.md.
//
// F provides:
//   types    Key, Args, Plan, Values, VariantInfo (with `const char* name`)
//   values   k_kernel, k_variant_count, k_group_count, k_step_count, k_max_images,
//            k_max_buffer (largest packed argument buffer), k_reads_device (the rule reads a
//            device.* attribute), k_per_vendor (it gives expressions per vendor)
//   tables   k_variants, k_images, k_first_image (group g of variant v: images
//            [k_first_image[v * k_group_count + g], k_first_image[v * k_group_count + g + 1])),
//            k_steps
//   static   int find(const Key&): the variant's index or -1;
//            int differing(const Key&, const Key&): how many axes differ;
//            std::string key_string(const Key&);
//            const EmbeddedImage* embedded(): the embedded table, or null when not linked in;
//            const void* workspace(const Args&): Args::workspace, or null when it has none;
//            void compute(std::size_t v, const Args&, const Device&, Values*, Plan*, Eval&);
//            void pack(std::size_t v, std::size_t step, const Args&, const Values&, unsigned
//            char* buffer): writes step's arguments at their offsets.
#ifndef AOTC_LAUNCHER_FAMILY_H
#define AOTC_LAUNCHER_FAMILY_H

#include <aotc/launcher_support.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

namespace aotc::gen::detail {

// One code object of a variant, relative to the kernel directory as in the manifest.
struct ImageFile {
  const char* target;
  const char* format;
  const char* file;
};

// One rule step: its entry, the module group holding it, and where its arguments go.
struct StepTable {
  const char* entry;
  std::size_t group;
  const aotc_arg_layout* layout;  // null when the step passes no argument
  std::size_t arg_count;
  std::size_t buffer_size;
  std::uint32_t flags;  // aotc_launch_flag bits (launch.steps[i].overlap_previous)
};

// An amount that differs per vendor (Triton's dynamic shared memory) for `vendor`; the larger of
// the two when the vendor is unknown.
inline std::int64_t per_vendor(std::int64_t amd, std::int64_t nvidia, Vendor vendor) {
  if (vendor == Vendor::amd) return amd;
  if (vendor == Vendor::nvidia) return nvidia;
  return std::max(amd, nvidia);
}

// Stores `value` as T at `at` (the code object's offset; memcpy: no alignment assumed).
template <class T, class V>
void put(unsigned char* at, V value) {
  const T stored = static_cast<T>(value);
  std::memcpy(at, &stored, sizeof stored);
}

inline std::string describe(const aotc_device_info& info) {
  return "device " + std::to_string(info.ordinal) + " (" + info.arch + ")";
}

inline std::string describe(const Device& device) {
  return std::string("the given Device (vendor ") + to_string(device.vendor) + ")";
}

// The device launches on this thread go to, as far as the rule needs it: the vendor always (the
// runtime's backend, no driver call), the device's attributes only when the rule reads device.*
// (one driver query).
struct CurrentDevice {
  aotc_runtime* runtime = nullptr;
  Device device;
  aotc_device_info info{};
  bool known = false;

  Status open(bool attributes) {
    Status s = Status::adopt(aotc_runtime_default(&runtime));
    if (!s) return s;
    device.vendor = vendor_of(runtime);
    if (!attributes) return Status();
    s = Status::adopt(aotc_current_device(runtime, &info));
    if (!s) return s;
    known = true;
    device.multiprocessor_count = info.multiprocessor_count;
    device.warp_size = info.warp_size;
    device.max_shared_per_block = info.max_shared_per_block;
    return Status();
  }

  // For messages: asks the driver now when the launch did not need to (errors only); the
  // driver's own complaint, if that fails too, is in the message this prefixes.
  std::string describe() {
    if (known) return detail::describe(info);
    if (runtime == nullptr) return "no device";
    aotc_device_info now{};
    return Status::adopt(aotc_current_device(runtime, &now)) ? detail::describe(now)
                                                             : "no usable device";
  }
};

template <class F>
class Launcher {
 public:
  using Key = typename F::Key;
  using Args = typename F::Args;
  using Plan = typename F::Plan;

  static Status plan(const Key& key, const Args& args, const Device& device, Plan* out) {
    const int found = F::find(key);
    if (found < 0) return unknown_key(key);
    typename F::Values values;
    return evaluate(static_cast<std::size_t>(found), args, device, &values, out,
                    [&] { return describe(device); });
  }

  static Status workspace_bytes(const Key& key, const Args& args, const Device& device,
                                std::uint64_t* bytes) {
    Plan p;
    Status s = plan(key, args, device, &p);
    if (s) *bytes = p.workspace_bytes;
    return s;
  }

  // Needs no driver when the rule reads no device attribute and is the same for every vendor.
  static Status workspace_bytes(const Key& key, const Args& args, std::uint64_t* bytes) {
    const int found = F::find(key);
    if (found < 0) return unknown_key(key);
    const auto v = static_cast<std::size_t>(found);
    CurrentDevice current;
    if (F::k_reads_device || F::k_per_vendor) {
      Status s = current.open(F::k_reads_device);
      if (!s) return s.with_context(where(v, current.describe()));
    }
    typename F::Values values;
    Plan p;
    Status s = evaluate(v, args, current.device, &values, &p, [&] { return current.describe(); });
    if (s) *bytes = p.workspace_bytes;
    return s;
  }

  static Status launch(void* stream, const Key& key, const Args& args) {
    const int found = F::find(key);
    if (found < 0) return unknown_key(key);
    const auto v = static_cast<std::size_t>(found);
    CurrentDevice current;
    Status s = current.open(F::k_reads_device);
    if (!s) return s.with_context(where(v, current.describe()));
    typename F::Values values;
    Plan p;
    s = evaluate(v, args, current.device, &values, &p, [&] { return current.describe(); });
    if (!s) return s;
    if (p.workspace_bytes > 0 && F::workspace(args) == nullptr) {
      return Status(AOTC_ERROR_INVALID_ARGUMENT,
                    where(v, current.describe()) +
                        ": Args::workspace is null but the launch needs " +
                        std::to_string(p.workspace_bytes) + " bytes (see workspace_bytes())");
    }
    const Loaded* l = nullptr;
    s = load(v, current.runtime, &l);
    if (!s) return s.with_context(where(v, current.describe()) + ": loading its code objects");
    for (std::size_t i = 0; i < F::k_step_count; ++i) {
      const StepPlan& step = p.steps[i];
      if (!step.run) continue;
      const StepTable& table = F::k_steps[i];
      alignas(16) unsigned char buffer[F::k_max_buffer > 0 ? F::k_max_buffer : 1];
      // Zeroed first: arguments the rule does not pass (Triton's scratch pointers) are null.
      std::memset(buffer, 0, table.buffer_size);
      F::pack(v, i, args, values, buffer);
      aotc_launch_config config{};
      for (int d = 0; d < 3; ++d) {
        config.grid[d] = step.grid[d];
        config.block[d] = step.block[d];
      }
      config.shared_bytes = step.shared_bytes;
      config.stream = stream;
      s = Status::adopt(aotc_launch_with_flags(l->kernels[i], &config, table.flags, buffer,
                                               table.layout, table.arg_count));
      if (!s) {
        return s.with_context(where(v, current.describe()) + ": launch.steps[" + std::to_string(i) +
                              "] (" + table.entry + ")");
      }
    }
    return Status();
  }

  // "no variant was built for {...}", with the nearest built keys (fewest differing axes).
  static Status unknown_key(const Key& key) {
    int best = 1 << 30;
    for (const auto& v : F::k_variants) best = std::min(best, F::differing(key, v.key));
    std::string message = std::string(F::k_kernel) + ": no variant was built for {" +
                          F::key_string(key) + "}; nearest built keys (" + std::to_string(best) +
                          (best == 1 ? " axis differs):" : " axes differ):");
    int listed = 0;
    for (const auto& v : F::k_variants) {
      if (F::differing(key, v.key) != best) continue;
      if (listed++ == 8) {
        message += "\n  ...";
        break;
      }
      message += "\n  {" + F::key_string(v.key) + "} (" + v.name + ")";
    }
    return Status(AOTC_ERROR_INVALID_ARGUMENT, message);
  }

 private:
  // A variant's modules and kernels, created at its first launch and kept for the process's life
  // (the runtime loads each code object once per device underneath).
  struct Loaded {
    std::atomic<bool> ready{false};
    aotc_module* modules[F::k_group_count] = {};
    aotc_kernel* kernels[F::k_step_count] = {};
    // Must outlive the modules: the runtime reads the files lazily.
    std::string paths[F::k_group_count][F::k_max_images];
  };

  // "<kernel>: variant <name> on <device>"
  static std::string where(std::size_t v, const std::string& device) {
    return std::string(F::k_kernel) + ": variant " + F::k_variants[v].name + " on " + device;
  }

  template <class DescribeDevice>
  static Status evaluate(std::size_t v, const Args& args, const Device& device,
                         typename F::Values* values, Plan* out, DescribeDevice describe_device) {
    Eval e;
    out->variant = F::k_variants[v].name;
    F::compute(v, args, device, values, out, e);
    return e.failed() ? e.status(where(v, describe_device())) : Status();
  }

  static Status create_group(std::size_t v, std::size_t g, aotc_runtime* runtime, Loaded& l) {
    const std::uint32_t first = F::k_first_image[v * F::k_group_count + g];
    const std::uint32_t count = F::k_first_image[v * F::k_group_count + g + 1] - first;
    const EmbeddedImage* embedded = F::embedded();
    const std::string dir = embedded != nullptr ? std::string() : kernel_dir();
    if (embedded == nullptr && dir.empty()) {
      return Status(AOTC_ERROR_NO_CODE_OBJECT,
                    std::string("the code objects are not embedded (link ") + F::k_kernel +
                        "_embed.S) and no kernel directory is set (aotc::gen::set_kernel_dir() "
                        "or $AOTC_KERNEL_DIR: the aotc build's output directory)");
    }
    aotc_image images[F::k_max_images] = {};
    for (std::uint32_t i = 0; i < count; ++i) {
      const ImageFile& f = F::k_images[first + i];
      images[i].target = f.target;
      images[i].format = f.format;
      if (embedded != nullptr) {
        images[i].data = embedded[first + i].data;
        images[i].size = static_cast<std::size_t>(embedded[first + i].size);
      } else {
        l.paths[g][i] = dir + "/" + f.file;
        images[i].path = l.paths[g][i].c_str();
      }
    }
    return Status::adopt(
        aotc_module_create(runtime, F::k_variants[v].name, images, count, &l.modules[g]));
  }

  static Status create_modules(std::size_t v, aotc_runtime* runtime, Loaded& l) {
    Status s;
    for (std::size_t g = 0; g < F::k_group_count && s; ++g) s = create_group(v, g, runtime, l);
    for (std::size_t i = 0; i < F::k_step_count && s; ++i) {
      const StepTable& step = F::k_steps[i];
      s = Status::adopt(aotc_module_get_kernel(l.modules[step.group], step.entry, &l.kernels[i]));
    }
    if (!s) {
      for (aotc_module*& module : l.modules) {
        aotc_module_destroy(module);
        module = nullptr;
      }
    }
    return s;
  }

  // Double-checked: after the first launch of a variant, one atomic load.
  static Status load(std::size_t v, aotc_runtime* runtime, const Loaded** out) {
    static Loaded loaded[F::k_variant_count];
    static std::mutex mutex;
    Loaded& l = loaded[v];
    if (!l.ready.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!l.ready.load(std::memory_order_relaxed)) {
        Status s = create_modules(v, runtime, l);
        if (!s) return s;
        l.ready.store(true, std::memory_order_release);
      }
    }
    *out = &l;
    return Status();
  }
};

}  // namespace aotc::gen::detail

#endif  // AOTC_LAUNCHER_FAMILY_H
