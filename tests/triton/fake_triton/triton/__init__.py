"""Stand-in for Triton's compile API (see ../README.md); compiles nothing."""
from . import _fake

__version__ = _fake.config()["version"]

from . import language  # noqa: E402
from . import backends  # noqa: E402
from . import compiler  # noqa: E402
from .runtime.jit import jit, JITFunction  # noqa: E402
from .compiler import compile  # noqa: E402


def next_power_of_2(n):
    return 1 << (int(n) - 1).bit_length()
