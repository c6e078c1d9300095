"""Fixtures for the aotc package's tests: a real `aotc build --shared-lib` of the split_sum test
family (tests/launcher/data; clang-22 compiles it for gfx942 and sm_90a) and the C++ launcher
driver built from the same generated sources, to compare figures with.

ctest sets AOTC_EXE, AOTC_SOURCE_DIR, AOTC_RUNTIME_LIBRARY (libaotc_runtime.so) and
AOTC_TEST_SCRATCH; AOTC_REQUIRE_TOOLS=1 (CI) turns a missing clang-22 into a failure."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PACKAGE_ROOT))


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set: run these tests through ctest (ctest -R python)")
    return value


def _missing_tool(what: str) -> None:
    if os.environ.get("AOTC_REQUIRE_TOOLS") == "1":
        pytest.fail(f"required tool missing (AOTC_REQUIRE_TOOLS=ON): {what}")
    pytest.skip(f"AOTC_TEST_SKIPPED: {what}")


@pytest.fixture(scope="session")
def scratch() -> Path:
    path = Path(_env("AOTC_TEST_SCRATCH"))
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="session")
def source_dir() -> Path:
    return Path(_env("AOTC_SOURCE_DIR"))


@pytest.fixture(scope="session")
def runtime_library() -> Path:
    return Path(_env("AOTC_RUNTIME_LIBRARY"))


@pytest.fixture(scope="session")
def split_sum_out(scratch: Path, source_dir: Path, runtime_library: Path) -> Path:
    """out/ of `aotc build --shared-lib` for split-sum-matrix.json."""
    if shutil.which("clang-22") is None:
        _missing_tool("clang-22 not found on PATH: cannot compile the split_sum test kernels")
    out = scratch / "out"
    command = [_env("AOTC_EXE"), "build", str(source_dir / "tests/launcher/data/split-sum-matrix.json"),
               "-o", str(out), "--shared-lib", "--runtime-library-dir", str(runtime_library.parent)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="session")
def cxx_driver(scratch: Path, source_dir: Path, split_sum_out: Path, runtime_library: Path) -> Path:
    """tests/launcher/data/split_sum_driver.cc over the C++ launcher of the same build."""
    exe = scratch / "split_sum_driver"
    command = ["c++", "-std=c++17", "-pthread", f"-I{split_sum_out / 'include'}",
               f"-I{source_dir / 'runtime/include'}", str(source_dir / "tests/launcher/data/split_sum_driver.cc"),
               str(split_sum_out / "include/aotc/split_sum_launcher.cc"), str(runtime_library),
               f"-Wl,-rpath,{runtime_library.parent}", "-o", str(exe)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, " ".join(command) + "\n" + result.stdout + result.stderr
    return exe
