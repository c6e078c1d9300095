// Drives a generated split_sum launcher from the launcher tests (launcher_generator_test.cc):
// each mode prints plain lines the test checks against the manifest and the launch rule.
//   variants                               name and key of every variant, and is_supported
//   lookup ACC BLOCK ITEMS REDUCE          is_supported, and the error for an unknown key
//   plan ACC BLOCK ITEMS REDUCE N SMS [VENDOR]
//                                          the plan on a device with SMS multiprocessors of
//                                          VENDOR (amd, nvidia; default: unknown)
//   workspace ACC BLOCK ITEMS REDUCE N     workspace_bytes() on the current device
//   launch ACC BLOCK ITEMS REDUCE [N]      launch() with n = N (default 1000): code and message
//   embedded DIR COUNT                     embedded(), and the COUNT embedded images written to DIR
#include <aotc/split_sum_launcher.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ss = aotc::gen::split_sum;

extern "C" const aotc::gen::detail::EmbeddedImage aotc_gen_split_sum_images[] __attribute__((weak));

static ss::Key key_from(char** argv) {
  ss::Key key;
  key.acc = std::strcmp(argv[0], "f64") == 0 ? ss::Acc::f64 : ss::Acc::f32;
  key.block = std::atoll(argv[1]);
  key.tile = {{std::atoll(argv[2]), std::atoll(argv[3])}};
  return key;
}

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "variants") {
    for (const ss::VariantInfo& v : ss::variants()) {
      std::printf("%s|%s|%d\n", v.name, ss::to_string(v.key).c_str(),
                  ss::is_supported(v.key) ? 1 : 0);
    }
    return 0;
  }
  if (mode == "lookup" && argc == 6) {
    const ss::Key key = key_from(argv + 2);
    ss::Plan plan;
    const aotc::gen::Status s = ss::plan(key, ss::Args{}, aotc::gen::Device{}, &plan);
    std::printf("supported=%d\n%s\n", ss::is_supported(key) ? 1 : 0, s.message().c_str());
    return 0;
  }
  if (mode == "plan" && (argc == 8 || argc == 9)) {
    ss::Args args;
    args.n = std::atoll(argv[6]);
    aotc::gen::Device device;
    device.multiprocessor_count = std::atoi(argv[7]);
    device.warp_size = 64;
    const std::string vendor = argc == 9 ? argv[8] : "";
    device.vendor = vendor == "amd"      ? aotc::gen::Vendor::amd
                    : vendor == "nvidia" ? aotc::gen::Vendor::nvidia
                                         : aotc::gen::Vendor::unknown;
    ss::Plan plan;
    const aotc::gen::Status s = ss::plan(key_from(argv + 2), args, device, &plan);
    if (!s) {
      std::printf("error %d %s\n", static_cast<int>(s.code()), s.message().c_str());
      return 0;
    }
    std::printf("variant %s\nworkspace %llu\n", plan.variant,
                static_cast<unsigned long long>(plan.workspace_bytes));
    for (const aotc::gen::StepPlan& step : plan.steps) {
      std::printf("step %s run=%d grid=%u,%u,%u block=%u,%u,%u shared=%u\n", step.entry,
                  step.run ? 1 : 0, step.grid[0], step.grid[1], step.grid[2], step.block[0],
                  step.block[1], step.block[2], step.shared_bytes);
    }
    return 0;
  }
  if (mode == "workspace" && argc == 7) {
    ss::Args args;
    args.n = std::atoll(argv[6]);
    std::uint64_t bytes = 0;
    const aotc::gen::Status s = ss::workspace_bytes(key_from(argv + 2), args, &bytes);
    std::printf("code %d\n%s\nbytes %llu\n", static_cast<int>(s.code()), s.message().c_str(),
                static_cast<unsigned long long>(bytes));
    return 0;
  }
  if (mode == "launch" && (argc == 6 || argc == 7)) {
    // Meant for machines without a GPU (the CPU tests, or a stand-in driver): the pointers are
    // never dereferenced.
    static unsigned char not_device_memory[64];
    ss::Args args;
    args.n = argc == 7 ? std::atoll(argv[6]) : 1000;
    args.workspace = not_device_memory;
    const aotc::gen::Status s = ss::launch(nullptr, key_from(argv + 2), args);
    std::printf("code %d\n%s\n", static_cast<int>(s.code()), s.message().c_str());
    return 0;
  }
  if (mode == "embedded" && argc == 4) {
    std::printf("embedded=%d\n", ss::embedded() ? 1 : 0);
    if (!ss::embedded()) return 0;
    const int count = std::atoi(argv[3]);
    for (int i = 0; i < count; ++i) {
      const std::string path = std::string(argv[2]) + "/" + std::to_string(i);
      FILE* f = std::fopen(path.c_str(), "wb");
      if (f == nullptr) return 1;
      std::fwrite(aotc_gen_split_sum_images[i].data, 1, aotc_gen_split_sum_images[i].size, f);
      std::fclose(f);
    }
    return 0;
  }
  std::fprintf(stderr, "usage: see the comment at the top of split_sum_driver.cc\n");
  return 2;
}
