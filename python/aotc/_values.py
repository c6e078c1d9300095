"""Python values to C: device pointers from tensors and arrays, range-checked scalars, streams."""
from __future__ import annotations

import ctypes
import math
from typing import Any

from ._capi import FIELD_FLOAT, FIELD_INT, FIELD_POINTER, FIELD_UINT
from ._errors import Error


def device_pointer(value: Any, what: str) -> int:
    """The device address of `value`: an object with ``__cuda_array_interface__`` (CuPy, Numba,
    PyTorch), one with ``data_ptr()`` (PyTorch), a plain int, or None (NULL)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise Error(f"{what}: expected a device pointer, got a bool")
    if isinstance(value, int):
        if not 0 <= value <= _MAX_U64:
            raise Error(f"{what}: pointer {value} is outside 0..2^64-1")
        return value
    # data_ptr() first: PyTorch's __cuda_array_interface__ builds a dict per call and raises for
    # dtypes NumPy has no type string for (float8_e4m3fn: seen with PyTorch 2.11 on the H200).
    data_ptr = getattr(value, "data_ptr", None)
    if callable(data_ptr):
        device = getattr(value, "device", None)
        if device is not None and getattr(device, "type", "cuda") == "cpu":
            raise Error(f"{what}: the tensor is in host memory (device cpu); launches need device memory")
        return int(data_ptr())
    interface = getattr(value, "__cuda_array_interface__", None)
    if interface is not None:
        return int(interface["data"][0])
    if hasattr(value, "__array_interface__"):  # NumPy and other host arrays
        raise Error(f"{what}: {type(value).__name__} is in host memory; launches need device memory")
    raise Error(
        f"{what}: expected a device pointer (an object with __cuda_array_interface__ or "
        f"data_ptr(), an int, or None), got {type(value).__name__}"
    )


_INT_CTYPES = {
    (FIELD_INT, 1): ctypes.c_int8,
    (FIELD_INT, 2): ctypes.c_int16,
    (FIELD_INT, 4): ctypes.c_int32,
    (FIELD_INT, 8): ctypes.c_int64,
    (FIELD_UINT, 1): ctypes.c_uint8,
    (FIELD_UINT, 2): ctypes.c_uint16,
    (FIELD_UINT, 4): ctypes.c_uint32,
    (FIELD_UINT, 8): ctypes.c_uint64,
    (FIELD_FLOAT, 4): ctypes.c_float,
    (FIELD_FLOAT, 8): ctypes.c_double,
}


def scalar_ctype(kind: int, size: int):
    if kind == FIELD_POINTER:
        return ctypes.c_void_p
    try:
        return _INT_CTYPES[(kind, size)]
    except KeyError:
        raise Error(f"field kind {kind} of {size} bytes is not a C type this package knows") from None


_MAX_U64 = (1 << 64) - 1


def _int_range(kind: int, size: int) -> tuple:
    bits = 8 * size
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if kind != FIELD_UINT else (0, (1 << bits) - 1)


_INT_RANGES = {(kind, size): _int_range(kind, size) for kind in (FIELD_INT, FIELD_UINT) for size in (1, 2, 4, 8)}


def integer(value: Any, kind: int, size: int, what: str) -> int:
    """`value` as an integer that fits the C type (ctypes would wrap it silently)."""
    if type(value) is not int:  # the common case skips the protocol checks
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise Error(f"{what}: expected an integer, got {type(value).__name__} {value!r}")
        value = value.__index__()
    low, high = _INT_RANGES.get((kind, size)) or _int_range(kind, size)
    if not low <= value <= high:
        type_name = ("int" if kind != FIELD_UINT else "uint") + f"{8 * size}_t"
        raise Error(f"{what}: {value} does not fit {type_name} ({low}..{high})")
    return value


def floating(value: Any, size: int, what: str) -> float:
    if type(value) is float:  # the common case skips the protocol checks
        number = value
    elif isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise Error(f"{what}: expected a number, got {type(value).__name__} {value!r}")
    else:
        number = float(value)
    if size == 4 and math.isfinite(number) and abs(number) > 3.4028234663852886e38:
        raise Error(f"{what}: {number} does not fit a float")
    return number


def stream_handle(stream: Any) -> int:
    """A hipStream_t / CUstream from None (default stream), an int, a torch.cuda.Stream
    (``cuda_stream``) or a CuPy stream (``ptr``)."""
    if stream is None:
        return 0
    if isinstance(stream, int) and not isinstance(stream, bool):
        return stream
    for attribute in ("cuda_stream", "ptr", "handle"):
        handle = getattr(stream, attribute, None)
        if isinstance(handle, int):
            return handle
    raise Error(f"stream: expected None, an int or a stream object (torch, CuPy), got {type(stream).__name__}")
