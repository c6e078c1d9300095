from ...compiler import ASTSource
from ...runtime.jit import JITFunction


class GluonASTSource(ASTSource):
    pass


class GluonJITFunction(JITFunction):
    def is_gluon(self):
        return True


def jit(fn=None, **kwargs):
    if fn is None:
        return lambda f: GluonJITFunction(f)
    return GluonJITFunction(fn)
