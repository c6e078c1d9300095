"""A PEP 517 build backend for the aotc package, standard library only.

`pip install ./python` works offline: a backend from PyPI (setuptools, flit) would have to be
downloaded into pip's isolated build environment. The package is pure Python, so a wheel is a
zip of aotc/ plus the .dist-info files (PEP 427).
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import zipfile
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
_NAME = "aotc"


def _version() -> str:
    for line in (_ROOT / "pyproject.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    raise RuntimeError("pyproject.toml has no version")


def _metadata() -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {_NAME}\nVersion: {_version()}\n"
        "Summary: Launch aotc-prebuilt GPU kernel families from Python\n"
        "Requires-Python: >=3.9\n"
    )


def _package_files():
    for path in sorted((_ROOT / _NAME).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist_info = f"{_NAME}-{_version()}.dist-info"
    wheel_name = f"{_NAME}-{_version()}-py3-none-any.whl"
    files = [(p.relative_to(_ROOT).as_posix(), p.read_bytes()) for p in _package_files()]
    files.append((f"{dist_info}/METADATA", _metadata().encode()))
    files.append(
        (
            f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: aotc_build_backend\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n",
        )
    )
    record = [_record_line(name, data) for name, data in files]
    record.append(f"{dist_info}/RECORD,,")
    files.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))
    target = Path(wheel_directory) / wheel_name
    temporary = target.with_name(target.name + f".tmp.{os.getpid()}")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files:
            wheel.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    temporary.replace(target)
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    base = f"{_NAME}-{_version()}"
    name = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / name, "w:gz") as sdist:
        for path in [_ROOT / "pyproject.toml", *(_ROOT / "_build").glob("*.py"), *_package_files()]:
            sdist.add(path, arcname=f"{base}/{path.relative_to(_ROOT).as_posix()}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        sdist.addfile(info, io.BytesIO(data))
    return name
