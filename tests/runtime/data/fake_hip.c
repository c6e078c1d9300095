/* A stand-in for libamdhip64 with one device, for testing the real HIP backend (dlopen, symbol
 * table, property layouts, kernelParams) without an AMD GPU. Built by the runtime tests twice:
 * with -DFAKE_R0600 it exports hipGetDevicePropertiesR0600 (ROCm 6+ layout) reporting gfx942;
 * without, only hipGetDeviceProperties (ROCm 5 layout) reporting gfx90a. fake_hip_last_launch
 * lets the test read what the backend passed. With -DFAKE_HIP_TRACE it also prints each launch on
 * stdout (the launcher tests read generated launchers' launches that way). */
#include <stdio.h>
#include <string.h>

static int loads;
static void** last_params;
static unsigned last_grid[3], last_block[3], last_shared;
static float last_scalar;

int hipInit(unsigned flags) {
  (void)flags;
  return 0;
}
int hipGetDeviceCount(int* count) {
  *count = 1;
  return 0;
}
int hipGetDevice(int* device) {
  *device = 0;
  return 0;
}
int hipDeviceGetAttribute(int* value, int attribute, int device) {
  (void)device;
  switch (attribute) {
    case 63:
      *value = 304;
      return 0; /* multiprocessors */
    case 74:
      *value = 65536;
      return 0; /* shared per block */
    case 87:
      *value = 64;
      return 0; /* warp size */
    default:
      return 1; /* hipErrorInvalidValue */
  }
}
#ifdef FAKE_R0600
int hipGetDevicePropertiesR0600(void* properties, int device) {
  (void)device;
  memset(properties, 0x5a, 1472);
  strcpy((char*)properties + 1160, "gfx942:sramecc+:xnack-");
  return 0;
}
#endif
int hipGetDeviceProperties(void* properties, int device) {
  (void)device;
  memset(properties, 0x5a, 792);
  strcpy((char*)properties + 396, "gfx90a:sramecc-:xnack-");
  return 0;
}
int hipModuleLoadData(void** module, const void* image) {
  if (memcmp(image,
             "\x7f"
             "ELF",
             4) != 0)
    return 200; /* hipErrorInvalidImage */
  ++loads;
  *module = (void*)0x1000;
  return 0;
}
int hipModuleGetFunction(void** function, void* module, const char* name) {
  (void)name;
  *function = (char*)module + 1;
  return 0;
}
int hipModuleLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                          unsigned by, unsigned bz, unsigned shared, void* stream, void** params,
                          void** extra) {
  (void)function;
  (void)stream;
  if (extra) return 1;
  last_params = params;
  last_grid[0] = gx;
  last_grid[1] = gy;
  last_grid[2] = gz;
  last_block[0] = bx;
  last_block[1] = by;
  last_block[2] = bz;
  last_shared = shared;
  memcpy(&last_scalar, params[2], sizeof last_scalar); /* saxpy's float a */
#ifdef FAKE_HIP_TRACE
  printf("fake_hip: hipModuleLaunchKernel(grid %u,%u,%u, block %u,%u,%u, shared %u)\n", gx, gy, gz,
         bx, by, bz, shared);
  fflush(stdout);
#endif
  return 0;
}
int hipModuleUnload(void* module) {
  (void)module;
  return 0;
}
const char* hipGetErrorString(int error) { return error == 200 ? "invalid kernel image" : "error"; }
const char* hipGetErrorName(int error) {
  return error == 200 ? "hipErrorInvalidImage" : "hipError";
}

/* For the test: loads so far, the last launch's geometry and its float argument. */
int fake_hip_last_launch(unsigned* grid, unsigned* block, unsigned* shared, float* scalar) {
  memcpy(grid, last_grid, sizeof last_grid);
  memcpy(block, last_block, sizeof last_block);
  *shared = last_shared;
  *scalar = last_scalar;
  return loads;
}
