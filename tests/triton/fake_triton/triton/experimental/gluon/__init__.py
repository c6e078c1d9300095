"""Gluon exists only when the configuration says so (Triton 3.5 and later)."""
from ... import _fake

if not _fake.config()["gluon"]:
    raise ModuleNotFoundError("No module named 'triton.experimental.gluon'",
                              name="triton.experimental.gluon")

from . import language  # noqa: E402
from ._runtime import jit  # noqa: E402
