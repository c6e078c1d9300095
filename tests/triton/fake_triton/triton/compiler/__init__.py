"""ASTSource in the configured era, make_backend, and a compile() that returns recordings."""
import os
import signal
from collections import namedtuple

from .. import _fake, _recordings
from ..backends.compiler import CUDABackend, HIPBackend
from ..runtime.jit import JITFunction
from .errors import CompilationError

_API = _fake.config()["api"]


def _check_common(fn, signature):
    if not isinstance(fn, JITFunction):
        raise TypeError("fn must be a JITFunction")
    if not isinstance(signature, dict) or not all(isinstance(k, str) for k in signature):
        raise TypeError("Signature keys must be string")


if _API == "constexprs":

    class ASTSource:
        def __init__(self, fn, signature, constexprs=None, attrs=None):
            _check_common(fn, signature)
            self.fn = fn
            self.signature = signature
            self.constants = {}
            for key, value in (constexprs or {}).items():
                key = (fn.arg_names.index(key),) if isinstance(key, str) else key
                self.constants[key] = value
            self.attrs = attrs or {}
            if not isinstance(self.attrs, dict):
                raise TypeError("attrs must be a dict of (index,) -> [[name, value]]")
else:

    class ASTSource:
        def __init__(self, fn, signature, constants=None, attrs=None):
            from ..backends.compiler import AttrsDescriptor
            _check_common(fn, signature)
            self.fn = fn
            self.signature = signature
            self.constants = dict(constants or {})
            if not all(isinstance(k, str) for k in self.constants):
                raise TypeError("Constants keys must be string")
            self.attrs = attrs if attrs is not None else AttrsDescriptor()
            if not isinstance(self.attrs, AttrsDescriptor):
                raise TypeError("attrs must be an AttrsDescriptor")


def make_backend(target):
    if target.backend == "hip":
        return HIPBackend(target)
    if target.backend == "cuda":
        return CUDABackend(target)
    raise RuntimeError("no backend for " + str(target.backend))


CompiledKernel = namedtuple("CompiledKernel", ["asm", "metadata", "name"])


def compile(src, target=None, options=None, _env_vars=None):
    settings = _fake.config()
    if target is None:
        raise RuntimeError("0 active drivers ([]). There should only be one.")
    for kind in ("constexpr",):
        for name, ty in src.signature.items():
            if ty == kind and (src.fn.arg_names.index(name),) not in src.constants and \
                    name not in src.constants:
                raise CompilationError("constexpr %s has no value" % name)
    entry = src.fn.__name__
    if settings.get("die_in") == entry:
        os.kill(os.getpid(), signal.SIGKILL)
    if settings.get("fail_in") == entry:
        raise CompilationError("at 3:4: fake failure injected for %s" % entry)
    key = _recordings.recording_key(src, target, options)
    recorded = _recordings.find(settings["recordings"], key)
    if recorded is None:
        raise CompilationError("the stand-in has no recording for " + key)
    asm, metadata = recorded
    return CompiledKernel(asm, namedtuple("KernelMetadata", sorted(metadata))(**metadata), entry)
