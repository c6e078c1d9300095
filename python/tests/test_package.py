"""The aotc package over a real build of the split_sum family, without a GPU: loading, variants,
key and argument errors, plans and workspaces equal to the C++ launcher's, the no-device error,
`python -m aotc inspect`, and an offline install."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import aotc

SPLIT_SUM_KEYS = [("f32", 64, (1, 32)), ("f32", 64, (4, 64)), ("f32", 256, (1, 32)),
                  ("f32", 256, (4, 64)), ("f64", 256, (1, 32)), ("f64", 256, (4, 64))]


@pytest.fixture(scope="module")
def family(split_sum_out: Path) -> aotc.Family:
    return aotc.load(split_sum_out).split_sum


def key(acc, block, tile):
    return {"acc": acc, "block": block, "tile": tile}


def test_load_lists_the_family_and_every_built_variant(split_sum_out: Path, family: aotc.Family) -> None:
    library = aotc.load(split_sum_out)
    assert list(library) == ["split_sum"]
    assert library["split_sum"] is not None and family.embedded
    manifest = json.loads((split_sum_out / "manifest.json").read_text())
    want = {(v["name"], v["axes"]["acc"], v["axes"]["block"], tuple(v["axes"]["tile"])) for v in manifest["variants"]}
    got = {(v.name, v.key["acc"], v.key["block"], v.key["tile"]) for v in family.variants()}
    assert got == want and len(got) == 6
    assert family.key_axes == ["acc", "block", "tile"]
    assert family.params == [("out", "float*"), ("x", "const float*"), ("n", "int64_t"), ("scale", "float")]
    assert family.has_workspace


def test_is_supported_follows_the_built_keys(family: aotc.Family) -> None:
    for acc, block, tile in SPLIT_SUM_KEYS:
        assert family.is_supported(**key(acc, block, tile))
    assert not family.is_supported(**key("f64", 64, (1, 32)))  # excluded by the matrix
    assert not family.is_supported(**key("f16", 64, (1, 32)))  # never a value of the axis
    assert not family.is_supported(**key("f32", 64, (2, 32)))


def test_an_unknown_key_is_the_launchers_error_with_the_nearest_keys(family: aotc.Family) -> None:
    with pytest.raises(aotc.Error) as caught:
        family.plan(device=aotc.Device(132, 64), n=1000, scale=1.0, **key("f64", 64, (1, 32)))
    error = caught.value
    assert error.code_name == "AOTC_ERROR_INVALID_ARGUMENT"
    assert error.message.startswith("split_sum: no variant was built for {acc=f64 block=64 tile=1x32}")
    assert "nearest built keys (1 axis differs):" in error.message
    assert "{acc=f32 block=64 tile=1x32} (split_sum.f32.b64.t1x32)" in error.message
    assert "{acc=f64 block=256 tile=1x32} (split_sum.f64.b256.t1x32)" in error.message


def test_a_string_axis_value_never_built_lists_the_built_values(family: aotc.Family) -> None:
    with pytest.raises(aotc.Error, match=r"split_sum: key acc='f16' was not built; built values: 'f32', 'f64'"):
        family.plan(device=aotc.Device(132, 64), n=1, scale=1.0, **key("f16", 64, (1, 32)))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"nn": 1}, r"unknown keyword argument 'nn' \(did you mean 'n'\?\); key axes: acc, block, tile; "
                    r"params: out, x, n, scale"),
        ({"n": None}, r"split_sum: n \(int64_t\): expected an integer, got NoneType None"),
        ({"n": 1.5}, r"split_sum: n \(int64_t\): expected an integer, got float 1.5"),
        ({"n": 1 << 63}, r"split_sum: n \(int64_t\): 9223372036854775808 does not fit int64_t"),
        ({"scale": "2"}, r"split_sum: scale \(float\): expected a number, got str '2'"),
        ({"scale": 1e39}, r"split_sum: scale \(float\): 1e\+39 does not fit a float"),
        ({"out": [1, 2]}, r"split_sum: out \(float\*\): expected a device pointer .*got list"),
        ({"out": -1}, r"split_sum: out \(float\*\): pointer -1 is outside"),
        ({"tile": (1, 32, 4)}, r"split_sum: key tile: expected a tuple of 2 integers, got \(1, 32, 4\)"),
        ({"block": "64"}, r"split_sum: key block: expected an integer, got str '64'"),
    ],
)
def test_argument_errors_name_the_argument(family: aotc.Family, change, message) -> None:
    arguments = dict(key("f32", 64, (1, 32)), out=0x1000, x=0x2000, n=1000, scale=1.0)
    arguments.update(change)
    with pytest.raises(aotc.Error, match=message) as caught:
        family(workspace=0x3000, **arguments)
    assert caught.value.code is None  # found before calling the library


def test_missing_arguments_are_listed(family: aotc.Family) -> None:
    with pytest.raises(aotc.Error, match=r"split_sum: missing keyword argument 'tile', 'x', 'scale'"):
        family(acc="f32", block=64, out=1, n=1)
    # plan() needs no pointers.
    with pytest.raises(aotc.Error, match=r"missing keyword argument 'n'$"):
        family.plan(device=aotc.Device(132, 64), scale=1.0, **key("f32", 64, (1, 32)))


def python_plan_text(plan: aotc.Plan) -> str:
    """A Plan in split_sum_driver.cc's `plan` output format."""
    text = f"variant {plan.variant}\nworkspace {plan.workspace_bytes}\n"
    for s in plan.steps:
        text += (f"step {s.entry} run={int(s.run)} grid={','.join(map(str, s.grid))} "
                 f"block={','.join(map(str, s.block))} shared={s.shared_bytes}\n")
    return text


@pytest.mark.parametrize("n, sms, vendor", [(1000000, 132, "nvidia"), (10, 304, "amd"), (0, 100, "unknown"),
                                            (1 << 40, 8, "amd"), (9223372036854775807, 132, "nvidia")])
def test_plans_and_workspaces_equal_the_cxx_launchers(family: aotc.Family, cxx_driver: Path, n, sms, vendor) -> None:
    for acc, block, tile in SPLIT_SUM_KEYS:
        device = aotc.Device(multiprocessor_count=sms, warp_size=64, vendor=vendor)
        arguments = dict(key(acc, block, tile), n=n, scale=0.5)
        cxx = subprocess.run([str(cxx_driver), "plan", acc, str(block), str(tile[0]), str(tile[1]), str(n), str(sms)]
                             + ([vendor] if vendor != "unknown" else []), capture_output=True, text=True, check=True)
        if cxx.stdout.startswith("error"):
            with pytest.raises(aotc.Error) as caught:
                family.plan(device=device, **arguments)
            assert cxx.stdout == f"error {caught.value.code} {caught.value.message}\n"
            continue
        plan = family.plan(device=device, **arguments)
        assert python_plan_text(plan) == cxx.stdout
        assert family.workspace_bytes(device=device, **arguments) == plan.workspace_bytes


def test_without_a_gpu_launches_and_device_queries_raise_the_runtimes_error(family: aotc.Family) -> None:
    arguments = dict(key("f32", 64, (1, 32)), out=0x1000, x=0x2000, n=1000, scale=1.0)
    no_device = {"AOTC_ERROR_NO_DRIVER", "AOTC_ERROR_NO_DEVICE"}
    with pytest.raises(aotc.Error) as launched:
        family(workspace=0x3000, **arguments)
    assert launched.value.code_name in no_device and launched.value.message
    # The rule reads device.multiprocessor_count: the workspace needs the current device.
    with pytest.raises(aotc.Error) as sized:
        family.workspace_bytes(**arguments)
    assert sized.value.code_name in no_device
    with pytest.raises(aotc.Error) as allocated:
        family(allocator=lambda nbytes: pytest.fail("nothing to allocate without a device"), **arguments)
    assert allocated.value.code_name in no_device


def test_pointers_come_from_cuda_array_interface_data_ptr_or_ints() -> None:
    from aotc import _values

    class CudaArray:
        __cuda_array_interface__ = {"data": (0xABC000, False), "shape": (4,), "typestr": "<f4", "version": 3}

    class Tensor:
        class device:
            type = "cuda"

        def data_ptr(self) -> int:
            return 0xDEF000

        @property
        def __cuda_array_interface__(self):  # as PyTorch 2.11 does for float8 tensors
            raise KeyError("torch.float8_e4m3fn")

    class HostTensor(Tensor):
        class device:
            type = "cpu"

    assert _values.device_pointer(CudaArray(), "p") == 0xABC000
    assert _values.device_pointer(Tensor(), "p") == 0xDEF000
    assert _values.device_pointer(0x1234, "p") == 0x1234 and _values.device_pointer(None, "p") == 0
    with pytest.raises(aotc.Error, match="in host memory"):
        _values.device_pointer(HostTensor(), "p")
    numpy = pytest.importorskip("numpy")
    with pytest.raises(aotc.Error, match="p: ndarray is in host memory"):
        _values.device_pointer(numpy.zeros(4, dtype=numpy.float32), "p")


def test_load_errors_name_the_folder(tmp_path: Path, split_sum_out: Path) -> None:
    with pytest.raises(aotc.Error, match=r"manifest.json: not found"):
        aotc.load(tmp_path)
    manifest = json.loads((split_sum_out / "manifest.json").read_text())
    manifest["launchers"] = [e for e in manifest["launchers"] if not e["file"].startswith("lib/")]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(aotc.Error, match=r"no family libraries .*aotc build --shared-lib"):
        aotc.load(tmp_path)
    with pytest.raises(aotc.Error, match=r"cannot load the aotc runtime /nonexistent/libaotc_runtime.so"):
        aotc.load(split_sum_out, runtime_library="/nonexistent/libaotc_runtime.so")


def test_python_m_aotc_inspect_prints_families_and_keys(split_sum_out: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(aotc.__file__).parent.parent))
    result = subprocess.run([sys.executable, "-m", "aotc", "inspect", str(split_sum_out)],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("split_sum: 6 variants, 2 steps, code objects embedded")
    assert lines[1:8] == ["  key acc: 'f32' 'f64'", "  key block: 64 256", "  key tile: (1, 32) (4, 64)",
                          "  param out: float*", "  param x: const float*", "  param n: int64_t",
                          "  param scale: float"]
    missing = subprocess.run([sys.executable, "-m", "aotc", "inspect", "/nonexistent"],
                             capture_output=True, text=True, env=env)
    assert missing.returncode == 1 and "/nonexistent/manifest.json: not found" in missing.stderr


def test_the_package_installs_offline_from_its_source_folder(tmp_path: Path) -> None:
    root = Path(aotc.__file__).resolve().parent.parent
    sys.path.insert(0, str(root / "_build"))
    try:
        import aotc_build_backend
    finally:
        sys.path.pop(0)
    wheel = tmp_path / aotc_build_backend.build_wheel(str(tmp_path))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    assert {"aotc/__init__.py", "aotc/_family.py", "aotc/py.typed", "aotc-0.1.0.dist-info/RECORD"} <= names
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0:
        return  # no pip here: the wheel above is what it would install
    target = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--target",
                             str(target), str(root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    check = subprocess.run([sys.executable, "-c", "import aotc; print(aotc.__file__)"], capture_output=True,
                           text=True, env=dict(os.environ, PYTHONPATH=str(target)), cwd=tmp_path)
    assert check.stdout.strip() == str(target / "aotc" / "__init__.py")


def test_a_cached_key_is_used_only_for_values_of_the_same_types(family: aotc.Family) -> None:
    """Key structs are cached per key; 64.0, True or (1.0, 32) equal a cached key's values but
    must still raise, as they do the first time."""
    device = aotc.Device(132, 64)
    arguments = dict(key("f32", 64, (1, 32)), n=1000, scale=1.0)
    first = family.plan(device=device, **arguments)
    assert family.plan(device=device, **arguments) == first  # from the cache
    for change, message in [({"block": 64.0}, r"key block: expected an integer, got float 64.0"),
                            ({"block": True}, r"key block: expected an integer, got bool True"),
                            ({"tile": (1.0, 32)}, r"key tile: expected an integer, got float 1.0")]:
        with pytest.raises(aotc.Error, match=message):
            family.plan(device=device, **dict(arguments, **change))
    # A list for the tuple axis is unhashable, so never cached, and still accepted.
    assert family.plan(device=device, **dict(arguments, tile=[1, 32])) == first
