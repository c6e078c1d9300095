"""ctypes mirrors of the generated C ABI's shared types (aotc/capi_support.h) and the runtime's
status and device functions (aotc/runtime.h). Field layouts of a family's key and args are not
written here: each family library describes them itself (aotc_<kernel>_family())."""
from __future__ import annotations

import ctypes
from typing import Optional

CAPI_VERSION = 1  # AOTC_GEN_CAPI_VERSION this package understands

STATUS_NAMES = {
    0: "AOTC_OK",
    1: "AOTC_ERROR_NO_DRIVER",
    2: "AOTC_ERROR_NO_DEVICE",
    3: "AOTC_ERROR_NO_CODE_OBJECT",
    4: "AOTC_ERROR_INVALID_ARGUMENT",
    5: "AOTC_ERROR_DRIVER",
    6: "AOTC_ERROR_BAD_IMAGE",
}

VENDORS = {"unknown": 0, "amd": 1, "nvidia": 2}
BACKEND_VENDORS = {1: "amd", 2: "nvidia"}  # aotc_backend -> vendor

FIELD_INT, FIELD_UINT, FIELD_FLOAT, FIELD_POINTER, FIELD_ENUM = range(5)


class GenDevice(ctypes.Structure):
    _fields_ = [
        ("multiprocessor_count", ctypes.c_int32),
        ("warp_size", ctypes.c_int32),
        ("max_shared_per_block", ctypes.c_int32),
        ("vendor", ctypes.c_int32),
    ]


class GenStepPlan(ctypes.Structure):
    _fields_ = [
        ("entry", ctypes.c_char_p),
        ("run", ctypes.c_int32),
        ("grid", ctypes.c_uint32 * 3),
        ("block", ctypes.c_uint32 * 3),
        ("shared_bytes", ctypes.c_uint32),
    ]


class GenField(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("c_type", ctypes.c_char_p),
        ("kind", ctypes.c_int32),
        ("offset", ctypes.c_uint32),
        ("size", ctypes.c_uint32),
        ("count", ctypes.c_uint32),
        ("values", ctypes.POINTER(ctypes.c_char_p)),
        ("value_count", ctypes.c_size_t),
    ]


class GenFamily(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint32),
        ("kernel", ctypes.c_char_p),
        ("key_fields", ctypes.POINTER(GenField)),
        ("key_field_count", ctypes.c_size_t),
        ("key_size", ctypes.c_size_t),
        ("arg_fields", ctypes.POINTER(GenField)),
        ("arg_field_count", ctypes.c_size_t),
        ("args_size", ctypes.c_size_t),
        ("has_workspace", ctypes.c_int32),
        ("step_count", ctypes.c_size_t),
        ("plan_size", ctypes.c_size_t),
    ]


class DeviceInfo(ctypes.Structure):  # aotc_device_info
    _fields_ = [
        ("ordinal", ctypes.c_int),
        ("arch", ctypes.c_char * 64),
        ("multiprocessor_count", ctypes.c_int),
        ("warp_size", ctypes.c_int),
        ("max_shared_per_block", ctypes.c_int),
    ]


class Runtime:
    """The runtime functions the package needs, resolved through a family library (which links
    libaotc_runtime, so its handle finds them)."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self.status_get_code = library.aotc_status_get_code
        self.status_get_code.argtypes = [ctypes.c_void_p]
        self.status_get_code.restype = ctypes.c_int
        self.status_message = library.aotc_status_message
        self.status_message.argtypes = [ctypes.c_void_p]
        self.status_message.restype = ctypes.c_char_p
        self.status_free = library.aotc_status_free
        self.status_free.argtypes = [ctypes.c_void_p]
        self.status_free.restype = None
        self.runtime_default = library.aotc_runtime_default
        self.runtime_default.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
        self.runtime_default.restype = ctypes.c_void_p
        self.runtime_backend = library.aotc_runtime_backend
        self.runtime_backend.argtypes = [ctypes.c_void_p]
        self.runtime_backend.restype = ctypes.c_int
        self.current_device = library.aotc_current_device
        self.current_device.argtypes = [ctypes.c_void_p, ctypes.POINTER(DeviceInfo)]
        self.current_device.restype = ctypes.c_void_p

    def take(self, status: Optional[int]) -> Optional[tuple]:
        """(code, message) of a status, which is freed; None for success (NULL)."""
        if not status:
            return None
        code = self.status_get_code(status)
        message = self.status_message(status).decode("utf-8", "replace")
        self.status_free(status)
        return code, message
