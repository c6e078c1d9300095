"""@triton.jit: records the function's parameters the way Triton's JITFunction exposes them
(arg_names; params with is_constexpr, has_default, default)."""
import inspect


class KernelParam:
    def __init__(self, num, param):
        self.num = num
        self._param = param
        self.name = param.name
        annotation = param.annotation
        text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
        self.is_constexpr = "constexpr" in text

    @property
    def default(self):
        return self._param.default

    @property
    def has_default(self):
        return self._param.default is not inspect.Parameter.empty


class JITFunction:
    def __init__(self, fn):
        self.fn = fn
        self.__name__ = fn.__name__
        self.__module__ = fn.__module__
        parameters = list(inspect.signature(fn).parameters.values())
        self.params = [KernelParam(i, p) for i, p in enumerate(parameters)]
        self.arg_names = [p.name for p in parameters]

    def is_gluon(self):
        return False


def jit(fn=None, **kwargs):
    if fn is None:
        return lambda f: JITFunction(f)
    return JITFunction(fn)
