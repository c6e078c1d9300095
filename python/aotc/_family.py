"""A kernel family: its generated C ABI (aotc/<kernel>_capi.h) driven through ctypes. Variant
selection, launch rules, workspace sizes and argument packing all happen in the library; this
module only converts Python values to the C structs the library describes."""
from __future__ import annotations

import ctypes
import difflib
import operator
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _capi, _values
from ._errors import Error

KeyValue = Union[str, int, Tuple[int, ...]]
Allocator = Callable[[int], Any]


@dataclass(frozen=True)
class Device:
    """What a launch rule may read about a device, for plan() without a GPU."""

    multiprocessor_count: int
    warp_size: int
    max_shared_per_block: int = 0
    vendor: str = "unknown"  # "amd" or "nvidia" where the rule differs per vendor


@dataclass(frozen=True)
class Step:
    """One step of a plan; ``run`` is False when its ``when`` condition is false."""

    entry: str
    run: bool
    grid: Tuple[int, int, int]
    block: Tuple[int, int, int]
    shared_bytes: int


@dataclass(frozen=True)
class Plan:
    """What a launch would do: the variant, the workspace it needs, each step's launch shape."""

    variant: str
    workspace_bytes: int
    steps: Tuple[Step, ...]


@dataclass(frozen=True)
class Variant:
    """A built variant: its name and its key (axis name -> value as in the matrix)."""

    name: str
    key: Dict[str, KeyValue]


@dataclass(frozen=True)
class Field:
    """A key axis or a launch parameter as the library describes it."""

    name: str
    c_type: str
    kind: int
    size: int
    count: int
    values: Tuple[str, ...]  # the values of a string axis, in enum order


def _fields(pointer, count: int) -> List[Field]:
    out = []
    for i in range(count):
        f = pointer[i]
        values = tuple(f.values[j].decode() for j in range(f.value_count))
        out.append(Field(f.name.decode(), f.c_type.decode(), f.kind, f.size, f.count, values))
    return out


def _struct(name: str, fields: Sequence[Field], raw, count: int, size: int):
    """A ctypes Structure for the C struct the library describes; its layout is checked against
    the library's offsets and size, so a mismatch is an error, never a corrupt launch."""
    members = []
    for f in fields:
        ctype = ctypes.c_int32 if f.kind == _capi.FIELD_ENUM else _values.scalar_ctype(f.kind, f.size)
        members.append((f.name, ctype * f.count if f.count > 1 else ctype))
    if not members:
        members = [("unused", ctypes.c_char)]
    cls = type(name, (ctypes.Structure,), {"_fields_": members})
    offsets_ok = all(getattr(cls, raw[i].name.decode()).offset == raw[i].offset for i in range(count))
    if ctypes.sizeof(cls) != size or not offsets_ok:
        raise Error(f"{name}: the library's struct layout differs from this package's ctypes layout")
    return cls


_KEY_CACHE_LIMIT = 4096


def _getter(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple]:
    """A function returning the values of `names` in a mapping, as a tuple (operator.itemgetter
    returns a bare value for one name)."""
    if len(names) == 1:
        only = names[0]
        return lambda given: (given[only],)
    return operator.itemgetter(*names) if names else (lambda given: ())


def _signature(values: tuple) -> Optional[tuple]:
    """The exact types of key values (tuple items too), or None when one is not a plain str, int
    or tuple of ints: only those are cached, since equal values of other types may convert
    differently (16.0 == 16, True == 1)."""
    types = []
    for value in values:
        kind = type(value)
        if kind is tuple:
            if not all(type(item) is int for item in value):
                return None
        elif kind is not int and kind is not str:
            return None
        types.append(kind)
    return tuple(types)


def _converter(field: Field) -> Callable[[Any, str], Any]:
    """The function that checks and converts a Python value for one args field."""
    if field.kind == _capi.FIELD_POINTER:
        return _values.device_pointer
    if field.kind == _capi.FIELD_FLOAT:
        size = field.size
        return lambda value, what: _values.floating(value, size, what)
    kind, size = field.kind, field.size
    return lambda value, what: _values.integer(value, kind, size, what)


def _current_stream_handle(torch, device) -> int:
    """PyTorch's current stream on `device` as a raw handle. torch._C's accessor returns it
    without building a torch.cuda.Stream (a few microseconds per launch); the public API is the
    fallback where it is missing."""
    raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
    if raw is not None and device.index is not None:
        return raw(device.index)
    return torch.cuda.current_stream(device).cuda_stream


def _torch():
    """torch when the program has imported it (never imported here: that costs seconds)."""
    return sys.modules.get("torch")


class Family:
    """A kernel family of a build: call it with keyword arguments to launch.

    Keyword arguments are the key axes by name (a string axis takes its value as written in the
    matrix, an integer-tuple axis a tuple) and the launch rule's params by name (pointers as
    objects with ``__cuda_array_interface__`` or ``data_ptr()``, ints or None; scalars as Python
    numbers, range-checked against their C type)."""

    def __init__(self, library: ctypes.CDLL, kernel: str, path: str) -> None:
        self.name = kernel
        self.path = path
        self._library = library
        self._runtime = _capi.Runtime(library)
        symbol = lambda suffix: getattr(library, f"aotc_{kernel}_{suffix}")  # noqa: E731
        describe = symbol("family")
        describe.restype = ctypes.POINTER(_capi.GenFamily)
        described = describe().contents
        if described.version != _capi.CAPI_VERSION:
            raise Error(
                f"{path}: C ABI version {described.version}, this package reads version {_capi.CAPI_VERSION}"
            )
        self.key_fields = _fields(described.key_fields, described.key_field_count)
        self.arg_fields = _fields(described.arg_fields, described.arg_field_count)
        self.has_workspace = bool(described.has_workspace)
        self.step_count = described.step_count
        self._Key = _struct(f"aotc_{kernel}_key", self.key_fields, described.key_fields,
                            described.key_field_count, described.key_size)
        self._Args = _struct(f"aotc_{kernel}_args", self.arg_fields, described.arg_fields,
                             described.arg_field_count, described.args_size)
        self._Plan = type(f"aotc_{kernel}_plan", (ctypes.Structure,), {"_fields_": [
            ("variant", ctypes.c_char_p), ("workspace_bytes", ctypes.c_uint64),
            ("steps", _capi.GenStepPlan * described.step_count)]})
        if ctypes.sizeof(self._Plan) != described.plan_size:
            raise Error(f"aotc_{kernel}_plan: the library's struct layout differs from this package's")
        key_p, args_p = ctypes.POINTER(self._Key), ctypes.POINTER(self._Args)
        self._variant_count = symbol("variant_count")
        self._variant_count.restype = ctypes.c_size_t
        self._variant_count.argtypes = []
        self._variant = symbol("variant")
        self._variant.restype = ctypes.c_char_p
        self._variant.argtypes = [ctypes.c_size_t, key_p]
        self._is_supported = symbol("is_supported")
        self._is_supported.restype = ctypes.c_int
        self._is_supported.argtypes = [key_p]
        self._plan = symbol("plan")
        self._plan.restype = ctypes.c_void_p
        self._plan.argtypes = [key_p, args_p, ctypes.POINTER(_capi.GenDevice), ctypes.POINTER(self._Plan)]
        self._workspace_bytes = symbol("workspace_bytes")
        self._workspace_bytes.restype = ctypes.c_void_p
        self._workspace_bytes.argtypes = [key_p, args_p, ctypes.POINTER(_capi.GenDevice),
                                          ctypes.POINTER(ctypes.c_uint64)]
        self._launch = symbol("launch")
        self._launch.restype = ctypes.c_void_p
        self._launch.argtypes = [ctypes.c_void_p, key_p, args_p]
        self._embedded = symbol("embedded")
        self._embedded.restype = ctypes.c_int
        self._key_names = [f.name for f in self.key_fields]
        self._param_names = [f.name for f in self.arg_fields if f.name != "workspace" or not self.has_workspace]
        self._accepted = frozenset(self._key_names) | frozenset(self._param_names)
        # Per-call work decided once: which names a call must give (in the order an error lists
        # them), each param's slot in the args struct with its converter and error prefix, and
        # the key structs already built (filling one costs more than the rest of a launch).
        params = [(i, f) for i, f in enumerate(self.arg_fields) if f.name in self._param_names]
        self._required_launch = self._key_names + [f.name for _, f in params]
        self._required_plan = self._key_names + [f.name for _, f in params if f.kind != _capi.FIELD_POINTER]
        self._required_key_set = frozenset(self._key_names)
        self._required_launch_set = frozenset(self._required_launch)
        self._required_plan_set = frozenset(self._required_plan)
        self._arg_count = len(self.arg_fields)
        self._arg_slots = [(i, f.name, _converter(f), f"{kernel}: {f.name} ({f.c_type})") for i, f in params]
        self._key_getter = _getter(self._key_names)
        self._key_cache: Dict[tuple, Tuple[tuple, Any]] = {}
        clash = sorted(self._accepted & {"stream", "allocator"})
        if clash:  # a silent mix-up of a kernel argument with a launch option would be worse
            raise Error(f"{path}: {kernel}'s key axis or param {', '.join(map(repr, clash))} has the name of a "
                        f"launch option of this package (stream, workspace, allocator): rename it in the matrix")

    # -- introspection ------------------------------------------------------------------------

    @property
    def key_axes(self) -> List[str]:
        """The key's axis names, in matrix order."""
        return list(self._key_names)

    @property
    def params(self) -> List[Tuple[str, str]]:
        """The launch rule's params as (name, C type), in order (the workspace excluded)."""
        return [(f.name, f.c_type) for f in self.arg_fields if f.name in self._param_names]

    @property
    def embedded(self) -> bool:
        """True when the code objects are embedded in the family's library."""
        return bool(self._embedded())

    def variants(self) -> List[Variant]:
        """Every built variant with its key."""
        out = []
        key = self._Key()
        for i in range(self._variant_count()):
            name = self._variant(i, ctypes.byref(key))
            out.append(Variant(name.decode(), self._key_dict(key)))
        return out

    def is_supported(self, **key: KeyValue) -> bool:
        """True when a variant was built for the key (all axes by name)."""
        if key.keys() != self._required_key_set:
            self._check_names(key, self._key_names, self._key_names)
        try:
            c_key = self._key_struct(key)
        except Error:
            return False
        return bool(self._is_supported(ctypes.byref(c_key)))

    def plan(self, *, device: Optional[Device] = None, **arguments: Any) -> Plan:
        """What a launch with these arguments would run on `device` (default: the current
        device, which needs a GPU), launching nothing. Pointer params may be left out."""
        key, args = self._convert(arguments, pointers_required=False)
        c_device = self._device(device)
        plan = self._Plan()
        self._check(self._plan(ctypes.byref(key), ctypes.byref(args), ctypes.byref(c_device), ctypes.byref(plan)))
        steps = tuple(
            Step(s.entry.decode(), bool(s.run), tuple(s.grid), tuple(s.block), s.shared_bytes) for s in plan.steps
        )
        return Plan(plan.variant.decode(), plan.workspace_bytes, steps)

    def workspace_bytes(self, *, device: Optional[Device] = None, **arguments: Any) -> int:
        """Workspace bytes a launch with these arguments needs, on `device` or else the current
        device (the library asks the driver only for what the rule reads). 0 when the family
        takes no workspace."""
        key, args = self._convert(arguments, pointers_required=False)
        return self._workspace(key, args, device)

    # -- launching ----------------------------------------------------------------------------

    def __call__(self, *, stream: Any = None, workspace: Any = None, allocator: Optional[Allocator] = None,
                 **arguments: Any) -> None:
        """Launches the variant for the key on the current device and `stream` (None: PyTorch's
        current stream when arguments are PyTorch tensors, else the default stream).

        The workspace, when the family needs one, is `workspace` (a pointer-like object of at
        least workspace_bytes() bytes), else memory from `allocator(nbytes)` (its result must
        expose a device pointer and is kept alive until the launch is enqueued), else a uint8
        tensor from PyTorch's caching allocator on the tensors' device and stream."""
        key, args = self._convert(arguments, pointers_required=True)
        torch = _torch()
        tensor_device = self._tensor_device(arguments) if torch is not None else None
        if stream is None and tensor_device is not None:
            handle = _current_stream_handle(torch, tensor_device)
        else:
            handle = _values.stream_handle(stream)
        guard = None
        if tensor_device is not None and tensor_device.index is not None and \
                tensor_device.index != torch.cuda.current_device():
            guard = torch.cuda.device(tensor_device)
            guard.__enter__()
        try:
            keep_alive = None
            if self.has_workspace:
                if workspace is not None:
                    args.workspace = _values.device_pointer(workspace, f"{self.name}: workspace")
                else:
                    keep_alive = self._allocate(key, args, allocator, tensor_device, handle)
            self._check(self._launch(handle, ctypes.byref(key), ctypes.byref(args)))
            del keep_alive
        finally:
            if guard is not None:
                guard.__exit__(None, None, None)

    # -- helpers ------------------------------------------------------------------------------

    def _allocate(self, key, args, allocator, tensor_device, stream_handle: int):
        nbytes = self._workspace(key, args, None)
        if nbytes == 0:
            return None
        if allocator is not None:
            memory = allocator(nbytes)
            args.workspace = _values.device_pointer(memory, f"{self.name}: allocator({nbytes})")
            return memory
        torch = _torch()
        if torch is None or tensor_device is None:
            raise Error(
                f"{self.name}: the launch needs {nbytes} bytes of workspace: pass workspace= or "
                f"allocator=, or PyTorch tensors (the workspace then comes from PyTorch's allocator)"
            )
        memory = torch.empty(nbytes, dtype=torch.uint8, device=tensor_device)
        # Allocated in the current stream's order; launched on another stream, the allocator must
        # not hand the block out again before that stream is done with it.
        if stream_handle != _current_stream_handle(torch, tensor_device):
            memory.record_stream(torch.cuda.ExternalStream(stream_handle, device=tensor_device))
        args.workspace = memory.data_ptr()
        return memory

    def _workspace(self, key, args, device: Optional[Device]) -> int:
        if not self.has_workspace:
            return 0
        nbytes = ctypes.c_uint64()
        c_device = ctypes.byref(self._device(device)) if device is not None else None
        self._check(self._workspace_bytes(ctypes.byref(key), ctypes.byref(args), c_device, ctypes.byref(nbytes)))
        return nbytes.value

    def _device(self, device: Optional[Device]) -> _capi.GenDevice:
        if device is None:
            device = current_device(self._runtime)
        if device.vendor not in _capi.VENDORS:
            raise Error(f"{self.name}: device vendor {device.vendor!r}: expected one of {sorted(_capi.VENDORS)}")
        return _capi.GenDevice(device.multiprocessor_count, device.warp_size, device.max_shared_per_block,
                               _capi.VENDORS[device.vendor])

    @staticmethod
    def _tensor_device(arguments: Mapping[str, Any]):
        for value in arguments.values():
            device = getattr(value, "device", None)
            if device is not None and getattr(device, "type", None) == "cuda" and hasattr(value, "data_ptr"):
                return device
        return None

    def _check(self, status: Optional[int]) -> None:
        failure = self._runtime.take(status)
        if failure is not None:
            raise Error(failure[1], failure[0])

    def _check_names(self, given: Mapping[str, Any], required: Sequence[str], accepted) -> None:
        unknown = [name for name in given if name not in accepted]
        if unknown:
            hints = []
            for name in unknown:
                close = difflib.get_close_matches(name, list(accepted), n=1)
                hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise Error(f"{self.name}: unknown keyword argument {', '.join(hints)}; "
                        f"key axes: {', '.join(self._key_names)}; params: {', '.join(self._param_names)}")
        missing = [name for name in required if name not in given]
        if missing:
            raise Error(f"{self.name}: missing keyword argument {', '.join(repr(m) for m in missing)}")

    def _convert(self, arguments: Mapping[str, Any], pointers_required: bool):
        """The key struct and a new args struct for these keyword arguments."""
        given = arguments.keys()
        required = self._required_launch_set if pointers_required else self._required_plan_set
        if not (given <= self._accepted and required <= given):
            self._check_names(arguments, self._required_launch if pointers_required else self._required_plan,
                              self._accepted)
        return self._key_struct(arguments), self._make_args(arguments)

    def _key_struct(self, given: Mapping[str, Any]):
        """The key struct for the key axes in `given`, built once per distinct key. A cached one is
        used only for values of the same types as when it was built, so 16.0 or True never pass
        for 16 or 1 (they raise, as they would uncached)."""
        values = self._key_getter(given)
        try:
            cached = self._key_cache.get(values)
        except TypeError:  # unhashable (a list for a tuple axis): convert every time
            return self._make_key(given)
        signature = _signature(values)
        if cached is not None and cached[0] == signature:
            return cached[1]
        key = self._make_key(given)
        if signature is not None:
            if len(self._key_cache) >= _KEY_CACHE_LIMIT:  # callers inventing keys; keep it bounded
                self._key_cache.clear()
            self._key_cache[values] = (signature, key)
        return key

    def _make_key(self, given: Mapping[str, Any]):
        key = self._Key()
        for f in self.key_fields:
            value = given[f.name]
            what = f"{self.name}: key {f.name}"
            if f.kind == _capi.FIELD_ENUM:
                if value not in f.values:
                    raise Error(f"{what}={value!r} was not built; built values: {', '.join(map(repr, f.values))}")
                setattr(key, f.name, f.values.index(value))
            elif f.count > 1:
                if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != f.count:
                    raise Error(f"{what}: expected a tuple of {f.count} integers, got {value!r}")
                array = getattr(key, f.name)
                for i, item in enumerate(value):
                    array[i] = _values.integer(item, _capi.FIELD_INT, 8, what)
            else:
                setattr(key, f.name, _values.integer(value, _capi.FIELD_INT, 8, what))
        return key

    def _make_args(self, given: Mapping[str, Any]):
        values = [0] * self._arg_count
        for index, name, convert, what in self._arg_slots:
            if name in given:
                values[index] = convert(given[name], what)
        return self._Args(*values)

    def _key_dict(self, key) -> Dict[str, KeyValue]:
        out: Dict[str, KeyValue] = {}
        for f in self.key_fields:
            value = getattr(key, f.name)
            if f.kind == _capi.FIELD_ENUM:
                out[f.name] = f.values[value]
            elif f.count > 1:
                out[f.name] = tuple(value)
            else:
                out[f.name] = value
        return out

    def __repr__(self) -> str:
        return f"<aotc.Family {self.name}: {self._variant_count()} variants, key ({', '.join(self._key_names)})>"


def current_device(runtime: _capi.Runtime) -> Device:
    """The calling thread's current device, as the runtime sees it (needs a driver and a GPU)."""
    handle = ctypes.c_void_p()
    failure = runtime.take(runtime.runtime_default(ctypes.byref(handle)))
    if failure is None:
        info = _capi.DeviceInfo()
        failure = runtime.take(runtime.current_device(handle, ctypes.byref(info)))
    if failure is not None:
        raise Error(failure[1], failure[0])
    vendor = _capi.BACKEND_VENDORS.get(runtime.runtime_backend(handle), "unknown")
    return Device(info.multiprocessor_count, info.warp_size, info.max_shared_per_block, vendor)
