"""GPUTarget, the two backends' option parsing, and (in the constants era) AttrsDescriptor."""
import dataclasses
from collections import namedtuple

from .. import _fake

GPUTarget = namedtuple("GPUTarget", ["backend", "arch", "warp_size"])


@dataclasses.dataclass(frozen=True)
class HIPOptions:
    num_warps: int = 4
    waves_per_eu: int = 1
    num_stages: int = 2
    num_ctas: int = 1
    warp_size: int = 64
    matrix_instr_nonkdim: int = 0
    kpack: int = 1
    enable_fp_fusion: bool = True
    debug: bool = False
    arch: str = None


@dataclasses.dataclass(frozen=True)
class CUDAOptions:
    num_warps: int = 4
    num_ctas: int = 1
    num_stages: int = 3
    maxnreg: int = None
    enable_fp_fusion: bool = True
    debug: bool = False
    arch: str = None


class HIPBackend:
    binary_ext = "hsaco"

    def __init__(self, target):
        self.target = target

    def parse_options(self, opts):
        # Like Triton: keys the options class does not have are dropped silently.
        args = {k: v for k, v in opts.items() if k in HIPOptions.__dataclass_fields__}
        args.setdefault("arch", self.target.arch)
        return HIPOptions(**args)


class CUDABackend:
    binary_ext = "cubin"

    def __init__(self, target):
        self.target = target

    def parse_options(self, opts):
        args = {k: v for k, v in opts.items() if k in CUDAOptions.__dataclass_fields__}
        args.setdefault("arch", "sm%d" % self.target.arch)
        return CUDAOptions(**args)


if _fake.config()["api"] == "constants":

    class AttrsDescriptor:
        """Triton 3.2's specialization descriptor: argument properties by index."""

        def __init__(self, arg_properties=None):
            self.arg_properties = arg_properties or {}

        @classmethod
        def from_hints(cls, hints):
            properties = {"tt.divisibility": [], "tt.equal_to": []}
            for key, value in hints.items():
                if value == 16:
                    properties["tt.divisibility"].append(key[0])
                elif value == 1:
                    properties["tt.equal_to"].append(key[0])
            return cls(properties)

        def get_constants(self):
            return {(i,): 1 for i in self.arg_properties.get("tt.equal_to", [])}
