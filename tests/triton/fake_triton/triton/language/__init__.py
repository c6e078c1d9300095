"""The names kernel files use at import time: tl.constexpr and the dtypes."""


class constexpr:
    def __init__(self, value=None):
        self.value = value


class dtype:
    def __init__(self, name):
        if name not in _NAMES:
            raise AssertionError("unknown dtype " + repr(name))
        self.name = name

    def __str__(self):
        return self.name

    def __eq__(self, other):
        return isinstance(other, dtype) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


_NAMES = ("int1", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "fp8e4nv", "fp8e4b8", "fp8e5", "fp8e5b16", "fp16", "bf16", "fp32", "fp64")

int1, int8, int16, int32, int64 = (dtype(n) for n in _NAMES[:5])
uint8, uint16, uint32, uint64 = (dtype(n) for n in _NAMES[5:9])
float8e4nv, float8e4b8, float8e5, float8e5b16 = (dtype(n) for n in _NAMES[9:13])
float16, bfloat16, float32, float64 = (dtype(n) for n in _NAMES[13:])
