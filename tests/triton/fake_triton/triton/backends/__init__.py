from .compiler import CUDABackend, HIPBackend


class Backend:
    def __init__(self, compiler):
        self.compiler = compiler


backends = {"amd": Backend(HIPBackend), "nvidia": Backend(CUDABackend)}
