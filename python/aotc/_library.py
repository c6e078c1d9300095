"""aotc.load(out_dir): the families of one build, from its manifest and its family libraries."""
from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path
from typing import Dict, Iterator, Mapping, Optional, Union

from ._errors import Error
from ._family import Family

_PREFIX, _SUFFIX = "lib/lib", "_aotc.so"


class Library(Mapping[str, Family]):
    """The kernel families of one aotc build, by kernel name (also as attributes)."""

    def __init__(self, out_dir: Path, families: Dict[str, Family]) -> None:
        self.out_dir = out_dir
        self._families = families

    def __getitem__(self, name: str) -> Family:
        try:
            return self._families[name]
        except KeyError:
            raise KeyError(f"{self.out_dir}: no family {name!r}; families: {', '.join(self._families)}") from None

    def __getattr__(self, name: str) -> Family:
        families = self.__dict__.get("_families", {})
        if name in families:
            return families[name]
        raise AttributeError(f"{self.__dict__.get('out_dir')}: no family {name!r}; families: {', '.join(families)}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._families)

    def __len__(self) -> int:
        return len(self._families)

    def __repr__(self) -> str:
        return f"<aotc.Library {self.out_dir}: {', '.join(self._families)}>"


def _preload_runtime(path: Optional[Union[str, os.PathLike]]) -> None:
    """Loads libaotc_runtime globally first when told where it is, so the family libraries bind
    to it whatever their RUNPATH says (out/ copied to another machine)."""
    path = path if path is not None else os.environ.get("AOTC_RUNTIME_LIBRARY")
    if not path:
        return
    try:
        ctypes.CDLL(os.fspath(path), mode=ctypes.RTLD_GLOBAL)
    except OSError as e:
        raise Error(f"cannot load the aotc runtime {path}: {e}") from None


def load(out_dir: Union[str, os.PathLike], *, runtime_library: Optional[Union[str, os.PathLike]] = None) -> Library:
    """Opens the families of the build in `out_dir` (built with ``aotc build --shared-lib``).

    `runtime_library` (default: ``$AOTC_RUNTIME_LIBRARY``) is the libaotc_runtime.so to use when
    the libraries' RUNPATH (their own folder, then the runtime aotc was built with) does not
    find it. Raises aotc.Error naming the file when the manifest or a library cannot be read."""
    root = Path(out_dir)
    manifest_path = root / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError:
        raise Error(f"{manifest_path}: not found (is {root} the output folder of `aotc build`?)") from None
    except (OSError, ValueError) as e:
        raise Error(f"{manifest_path}: cannot read: {e}") from None
    files = [entry.get("file", "") for entry in manifest.get("launchers", []) if isinstance(entry, dict)]
    libraries = [f for f in files if f.startswith(_PREFIX) and f.endswith(_SUFFIX)]
    if not libraries:
        raise Error(
            f"{root}: the build has no family libraries (lib/lib<kernel>_aotc.so): rebuild with "
            f"`aotc build --shared-lib`, which needs kernels with a launch rule"
        )
    _preload_runtime(runtime_library)
    families: Dict[str, Family] = {}
    for relative in libraries:
        kernel = relative[len(_PREFIX):-len(_SUFFIX)]
        path = root / relative
        try:
            library = ctypes.CDLL(str(path.resolve()))
        except OSError as e:
            raise Error(f"{path}: cannot load: {e}") from None
        try:
            families[kernel] = Family(library, kernel, str(path))
        except AttributeError as e:
            raise Error(f"{path}: not an aotc family library ({e})") from None
    return Library(root, families)
