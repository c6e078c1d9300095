"""aotc.Error: every failure the package reports."""
from __future__ import annotations

from typing import Optional

from ._capi import STATUS_NAMES


class Error(RuntimeError):
    """An aotc failure. ``message`` is the runtime's or the launcher's own (it names kernel,
    variant, device and step where they apply); ``code`` is the runtime's aotc_status_code
    (``code_name`` spells it, e.g. ``"AOTC_ERROR_NO_DEVICE"``), or None for errors the package
    finds itself before calling the library (missing or unknown keyword arguments, a value of
    the wrong type, an out/ folder without libraries)."""

    def __init__(self, message: str, code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def code_name(self) -> Optional[str]:
        if self.code is None:
            return None
        return STATUS_NAMES.get(self.code, f"aotc_status_code {self.code}")

    def __str__(self) -> str:
        return self.message if self.code is None else f"{self.message} [{self.code_name}]"
