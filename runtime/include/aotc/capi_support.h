/* The types every generated family C ABI (aotc/<kernel>_capi.h, docs/LAUNCHERS.md "C ABI")
 * shares: the device a plan is for, a step of a plan, and the self-description of a family's key
 * and args structs, so FFIs (the Python package) need no per-family code. C11 and C++. Errors are
 * the runtime's aotc_status (aotc/runtime.h): NULL on success, else owned by the caller.
 * The C counterpart of launcher_support.h; the generated <kernel>_capi.cc converts between the
 * two. */
#ifndef AOTC_GEN_CAPI_SUPPORT_H
#define AOTC_GEN_CAPI_SUPPORT_H

#include <aotc/runtime.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct below changes; aotc_gen_family.version carries it. */
#define AOTC_GEN_CAPI_VERSION 1

#if defined(__GNUC__)
#define AOTC_GEN_CAPI __attribute__((visibility("default")))
#else
#define AOTC_GEN_CAPI
#endif

typedef enum aotc_gen_vendor {
  AOTC_GEN_VENDOR_UNKNOWN = 0,
  AOTC_GEN_VENDOR_AMD = 1,
  AOTC_GEN_VENDOR_NVIDIA = 2
} aotc_gen_vendor;

/* What a launch rule may read about a device (plan() takes it from the caller: no GPU needed). */
typedef struct aotc_gen_device {
  int32_t multiprocessor_count;
  int32_t warp_size;
  int32_t max_shared_per_block;
  int32_t vendor; /* aotc_gen_vendor; needed when the rule gives expressions per vendor */
} aotc_gen_device;

/* One step of a plan; run is 0 when the step's `when` condition is false. */
typedef struct aotc_gen_step_plan {
  const char* entry;
  int32_t run;
  uint32_t grid[3];
  uint32_t block[3];
  uint32_t shared_bytes;
} aotc_gen_step_plan;

typedef enum aotc_gen_field_kind {
  AOTC_GEN_FIELD_INT = 0,     /* signed integer of `size` bytes */
  AOTC_GEN_FIELD_UINT = 1,    /* unsigned integer */
  AOTC_GEN_FIELD_FLOAT = 2,   /* float (4) or double (8) */
  AOTC_GEN_FIELD_POINTER = 3, /* device pointer */
  AOTC_GEN_FIELD_ENUM = 4     /* int32_t index into `values` */
} aotc_gen_field_kind;

/* One field of a key or args struct, so FFIs (Python's ctypes) need no per-family code. */
typedef struct aotc_gen_field {
  const char* name;
  const char* c_type; /* as declared: "const float*", "int64_t", "aotc_pa_decode_kv_dtype" */
  int32_t kind;       /* aotc_gen_field_kind */
  uint32_t offset;
  uint32_t size;             /* of one element */
  uint32_t count;            /* elements: an integer-tuple axis's arity, else 1 */
  const char* const* values; /* AOTC_GEN_FIELD_ENUM: the axis values as in the matrix */
  size_t value_count;
} aotc_gen_field;

typedef struct aotc_gen_family {
  uint32_t version; /* AOTC_GEN_CAPI_VERSION */
  const char* kernel;
  const aotc_gen_field* key_fields;
  size_t key_field_count;
  size_t key_size;
  const aotc_gen_field* arg_fields; /* the rule's params in order, then "workspace" if passed */
  size_t arg_field_count;
  size_t args_size;
  int32_t has_workspace;
  size_t step_count;
  size_t plan_size;
} aotc_gen_family;

#ifdef __cplusplus
}
#endif

#endif /* AOTC_GEN_CAPI_SUPPORT_H */
