"""Launch aotc-prebuilt GPU kernel families from Python.

    import aotc
    kernels = aotc.load("out")          # an `aotc build --shared-lib` output folder
    kernels.pa_decode(kv_dtype="bf16", block_size=16, ..., out=out, query=q, scale=0.088)

Pure Python over ctypes: each family's library (out/lib/lib<kernel>_aotc.so) exports the C ABI
the build generated (docs/LAUNCHERS.md, "C ABI"), which selects the variant, evaluates the launch
rule and packs the arguments; this package converts keyword arguments to its C structs and turns
every failure into an aotc.Error carrying the library's message. docs/PYTHON.md has the guide.
"""
from __future__ import annotations

from ._errors import Error
from ._family import Allocator, Device, Family, Plan, Step, Variant
from ._library import Library, load

__all__ = ["Allocator", "Device", "Error", "Family", "Library", "Plan", "Step", "Variant", "load"]
__version__ = "0.1.0"
