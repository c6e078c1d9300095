/* Drives split_sum's generated C ABI (aotc/split_sum_capi.h) from C11, linked to the family
 * library `aotc build --shared-lib` makes. Its modes print exactly what split_sum_driver.cc
 * prints through the C++ API for the same arguments, so the tests compare the two outputs:
 *   variants | lookup ACC BLOCK ITEMS REDUCE | plan ACC BLOCK ITEMS REDUCE N SMS [VENDOR] |
 *   launch ACC BLOCK ITEMS REDUCE [N]
 * and, C only: badenum (a key whose enum field is out of range), nulls (NULL arguments). */
#include <aotc/split_sum_capi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aotc_split_sum_key key_from(char** argv) {
  aotc_split_sum_key key;
  memset(&key, 0, sizeof key);
  key.acc = strcmp(argv[0], "f64") == 0 ? AOTC_SPLIT_SUM_ACC_f64 : AOTC_SPLIT_SUM_ACC_f32;
  key.block = atoll(argv[1]);
  key.tile[0] = atoll(argv[2]);
  key.tile[1] = atoll(argv[3]);
  return key;
}

/* Prints and frees a status as "code N\nMESSAGE"; returns the code. */
static int print_status(aotc_status s) {
  const int code = (int)aotc_status_get_code(s);
  printf("code %d\n%s\n", code, s != NULL ? aotc_status_message(s) : "");
  aotc_status_free(s);
  return code;
}

static const char* key_string(const aotc_split_sum_key* key, char* buffer, size_t size) {
  const aotc_gen_family* family = aotc_split_sum_family();
  snprintf(buffer, size, "acc=%s block=%lld tile=%lldx%lld", family->key_fields[0].values[key->acc],
           (long long)key->block, (long long)key->tile[0], (long long)key->tile[1]);
  return buffer;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  aotc_split_sum_args args;
  memset(&args, 0, sizeof args);
  if (strcmp(mode, "variants") == 0) {
    char buffer[128];
    for (size_t i = 0; i < aotc_split_sum_variant_count(); ++i) {
      aotc_split_sum_key key;
      const char* name = aotc_split_sum_variant(i, &key);
      printf("%s|%s|%d\n", name, key_string(&key, buffer, sizeof buffer),
             aotc_split_sum_is_supported(&key));
    }
    return aotc_split_sum_variant(aotc_split_sum_variant_count(), NULL) == NULL ? 0 : 1;
  }
  if (strcmp(mode, "lookup") == 0 && argc == 6) {
    const aotc_split_sum_key key = key_from(argv + 2);
    const aotc_gen_device device = {0, 0, 0, AOTC_GEN_VENDOR_UNKNOWN};
    aotc_split_sum_launch_plan plan;
    aotc_status s = aotc_split_sum_plan(&key, &args, &device, &plan);
    printf("supported=%d\n%s\n", aotc_split_sum_is_supported(&key),
           s != NULL ? aotc_status_message(s) : "");
    aotc_status_free(s);
    return 0;
  }
  if (strcmp(mode, "plan") == 0 && (argc == 8 || argc == 9)) {
    const aotc_split_sum_key key = key_from(argv + 2);
    const char* vendor = argc == 9 ? argv[8] : "";
    aotc_gen_device device;
    aotc_split_sum_launch_plan plan;
    aotc_status s;
    size_t i;
    args.n = atoll(argv[6]);
    device.multiprocessor_count = atoi(argv[7]);
    device.warp_size = 64;
    device.max_shared_per_block = 0;
    device.vendor = strcmp(vendor, "amd") == 0      ? AOTC_GEN_VENDOR_AMD
                    : strcmp(vendor, "nvidia") == 0 ? AOTC_GEN_VENDOR_NVIDIA
                                                    : AOTC_GEN_VENDOR_UNKNOWN;
    s = aotc_split_sum_plan(&key, &args, &device, &plan);
    if (s != NULL) {
      printf("error %d %s\n", (int)aotc_status_get_code(s), aotc_status_message(s));
      aotc_status_free(s);
      return 0;
    }
    printf("variant %s\nworkspace %llu\n", plan.variant, (unsigned long long)plan.workspace_bytes);
    for (i = 0; i < AOTC_SPLIT_SUM_STEP_COUNT; ++i) {
      const aotc_gen_step_plan* step = &plan.steps[i];
      printf("step %s run=%d grid=%u,%u,%u block=%u,%u,%u shared=%u\n", step->entry, step->run,
             step->grid[0], step->grid[1], step->grid[2], step->block[0], step->block[1],
             step->block[2], step->shared_bytes);
    }
    return 0;
  }
  if (strcmp(mode, "launch") == 0 && (argc == 6 || argc == 7)) {
    static unsigned char not_device_memory[64];
    const aotc_split_sum_key key = key_from(argv + 2);
    args.n = argc == 7 ? atoll(argv[6]) : 1000;
    args.workspace = not_device_memory;
    print_status(aotc_split_sum_launch(NULL, &key, &args));
    return 0;
  }
  if (strcmp(mode, "badenum") == 0) {
    aotc_split_sum_key key = key_from(argv + 2);
    const aotc_gen_device device = {132, 64, 65536, AOTC_GEN_VENDOR_AMD};
    aotc_split_sum_launch_plan plan;
    key.acc = 7;
    printf("supported=%d\n", aotc_split_sum_is_supported(&key));
    print_status(aotc_split_sum_plan(&key, &args, &device, &plan));
    return 0;
  }
  if (strcmp(mode, "nulls") == 0) {
    const aotc_split_sum_key key = key_from(argv + 2);
    uint64_t bytes = 0;
    printf("supported=%d\n", aotc_split_sum_is_supported(NULL));
    print_status(aotc_split_sum_plan(&key, &args, NULL, NULL));
    print_status(aotc_split_sum_workspace_bytes(NULL, &args, NULL, &bytes));
    print_status(aotc_split_sum_launch(NULL, &key, NULL));
    return 0;
  }
  fprintf(stderr, "usage: see the comment at the top of split_sum_c_driver.c\n");
  return 2;
}
