"""aotc's Triton helper: compiles @triton.jit / @gluon.jit kernels through Triton's own compile API.

aotc (tools/triton/) runs this file with the Python that has Triton, never through a shell:

  python -u -B aotc_triton_helper.py --probe
      Imports Triton and prints one line "AOTC-PROBE: <json>": Triton's version, install path,
      backends, which API era it speaks, whether it has Gluon, and the files whose change means
      "another Triton" (aotc caches the answer and re-probes only when one of them changes).

  python -u -B aotc_triton_helper.py --worker
      A warm worker: reads one JSON request per line on stdin, compiles it, and writes one JSON
      reply per line to file descriptor 3. Whatever Triton or the kernel prints goes to stdout and
      stderr, which aotc keeps as that job's log. The worker exits at the end of stdin.

It uses only Triton's compile API — triton.compile, ASTSource / GluonASTSource, GPUTarget and the
backend's parse_options — and adapts by probing for features rather than by version number:
  - ASTSource(fn, signature, constexprs=, attrs={(i,): [["tt.divisibility", 16]]})  (3.3 and later)
  - ASTSource(fn, signature, constants=, attrs=AttrsDescriptor.from_hints(...))      (3.2)
  - GluonASTSource in triton.experimental.gluon._runtime                              (3.5 and later)
Requests arrive fully resolved and checked by aotc (signatures parsed, placeholders filled), so
everything this file reports is about Python, the kernel file, or Triton itself.
"""

import builtins
import dataclasses
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import os
import platform
import re
import site
import sys
import time
import traceback

PROTOCOL = 1
PROBE_PREFIX = "AOTC-PROBE: "


class UserError(Exception):
    """A problem the user can fix; reported as one message, without a Python traceback."""


# ---------------------------------------------------------------------------------------------
# Stubs for heavy or machine-bound imports (kernels[i].python.stubs).
#
# A kernel file often imports its whole package (aiter imports aiter and torch, and aiter's
# arch_info asks the GPU driver for the current device at import time). None of that is needed
# to compile a kernel, so the matrix may name modules to replace with stubs: importing a stubbed
# module, or any module below it, gives a module whose every attribute is a permissive Stub.

class Stub:
    """Stands for anything reached through a stubbed module: attributes, calls, items and
    arithmetic give more Stubs, iteration gives nothing, truth is False."""

    def __init__(self, name):
        object.__setattr__(self, "_aotc_name", name)

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return Stub(self._aotc_name + "." + attr)

    def __setattr__(self, attr, value):
        pass

    def __call__(self, *args, **kwargs):
        return Stub(self._aotc_name + "()")

    def __getitem__(self, key):
        return Stub(self._aotc_name + "[]")

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return False

    def __repr__(self):
        return "<aotc stub " + self._aotc_name + ">"

    def __mro_entries__(self, bases):
        return (object,)

    def _aotc_other(self, *args):
        return Stub(self._aotc_name)

    __or__ = __ror__ = __and__ = __rand__ = _aotc_other
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _aotc_other
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __neg__ = _aotc_other


class StubModuleType(type(sys)):
    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return Stub(self.__name__ + "." + attr)


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, prefixes):
        self.prefixes = tuple(prefixes)

    def covers(self, name):
        return any(name == p or name.startswith(p + ".") for p in self.prefixes)

    def find_spec(self, name, path=None, target=None):
        if not self.covers(name):
            return None
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        module = StubModuleType(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


# ---------------------------------------------------------------------------------------------
# Which local files a kernel depends on (the cache's "depend mode", like a compiler's depfile).
#
# Every import statement goes through builtins.__import__ with the importing module's globals,
# so wrapping it records "module A imported module B" even when B was already loaded (by another
# kernel file in this worker). A kernel's dependencies are then the files of the modules reachable
# from it that are not part of the Python installation, site-packages or Triton.

class ImportGraph:
    def __init__(self):
        self.edges = {}
        self.original = builtins.__import__
        builtins.__import__ = self._import

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
        module = self.original(name, globals, locals, fromlist, level)
        try:
            importer = (globals or {}).get("__name__")
            if importer:
                self._record(importer, name, globals, fromlist, level)
        except Exception:  # bookkeeping must never break an import
            pass
        return module

    def _record(self, importer, name, globals, fromlist, level):
        if level > 0:
            package = globals.get("__package__") or ""
            parts = package.split(".") if package else []
            if level > 1:
                parts = parts[: len(parts) - (level - 1)]
            name = ".".join(parts + ([name] if name else []))
        targets = set()
        pieces = name.split(".") if name else []
        for i in range(1, len(pieces) + 1):
            targets.add(".".join(pieces[:i]))
        for item in fromlist or ():
            if name and name + "." + str(item) in sys.modules:
                targets.add(name + "." + str(item))
        self.edges.setdefault(importer, set()).update(t for t in targets if t)

    def closure(self, root):
        seen, todo = set(), [root]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self.edges.get(current, ()))
        return seen


def installation_dirs(triton_dir):
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, triton_dir}
    try:
        dirs.update(site.getsitepackages())
    except AttributeError:  # virtualenv's old site.py
        pass
    user = getattr(site, "getusersitepackages", lambda: None)()
    if user:
        dirs.add(user)
    return [os.path.realpath(d) for d in dirs if d]


def is_local_file(path, excluded):
    real = os.path.realpath(path)
    return not any(real == d or real.startswith(d.rstrip(os.sep) + os.sep) for d in excluded)


# ---------------------------------------------------------------------------------------------
# Triton, probed.

def triton_identity_files(triton_dir):
    """Files whose size and time change whenever another Triton is installed at this path."""
    files = []
    for sub in ("", "_C"):
        folder = os.path.join(triton_dir, sub)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                files.append(path)
    return files


class Triton:
    """The installed Triton and what its API offers, found by feature probing."""

    def __init__(self):
        try:
            import triton
        except Exception as error:
            raise UserError("cannot import triton with %s: %s: %s"
                            % (sys.executable, type(error).__name__, error))
        self.module = triton
        self.version = str(getattr(triton, "__version__", "unknown"))
        self.path = os.path.dirname(os.path.abspath(triton.__file__))
        self.describe = "Triton %s (%s)" % (self.version, self.path)
        compiler = getattr(triton, "compiler", None)
        self.ast_source = getattr(compiler, "ASTSource", None)
        self.make_backend = getattr(compiler, "make_backend", None)
        try:
            from triton.backends.compiler import GPUTarget
        except Exception:
            GPUTarget = None
        self.gpu_target = GPUTarget
        try:
            from triton.backends.compiler import AttrsDescriptor
        except Exception:
            AttrsDescriptor = None
        self.attrs_descriptor = AttrsDescriptor
        try:
            from triton.backends import backends
            self.backends = sorted(backends.keys())
        except Exception:
            self.backends = []
        self.constexpr_keyword = None
        if self.ast_source is not None:
            parameters = inspect.signature(self.ast_source.__init__).parameters
            for keyword in ("constexprs", "constants"):
                if keyword in parameters:
                    self.constexpr_keyword = keyword
                    break
        try:
            from triton.experimental.gluon._runtime import GluonASTSource
            self.gluon_source = GluonASTSource
            self.gluon_problem = None
        except Exception as error:
            self.gluon_source = None
            self.gluon_problem = "%s: %s" % (type(error).__name__, error)

    def missing_pieces(self):
        """What aotc needs from Triton's compile API and this Triton lacks."""
        missing = []
        if not callable(getattr(self.module, "compile", None)):
            missing.append("triton.compile")
        if self.ast_source is None:
            missing.append("triton.compiler.ASTSource")
        elif self.constexpr_keyword is None:
            missing.append("an ASTSource that takes constexprs= (3.3+) or constants= (3.2)")
        elif self.constexpr_keyword == "constants" and self.attrs_descriptor is None:
            missing.append("triton.backends.compiler.AttrsDescriptor (the constants= era needs it)")
        if self.make_backend is None:
            missing.append("triton.compiler.make_backend")
        if self.gpu_target is None:
            missing.append("triton.backends.compiler.GPUTarget")
        return missing

    def probe(self):
        return {
            "protocol": PROTOCOL,
            "python": sys.executable,
            "python_version": platform.python_version(),
            "triton_version": self.version,
            "triton_path": self.path,
            "backends": self.backends,
            "api": self.constexpr_keyword,
            "attrs": "dict" if self.constexpr_keyword == "constexprs" else "AttrsDescriptor",
            "gluon": self.gluon_source is not None,
            "gluon_problem": self.gluon_problem,
            "missing": self.missing_pieces(),
            "identity_files": triton_identity_files(self.path),
        }


# ---------------------------------------------------------------------------------------------
# Targets: aotc's names (gfx942, sm_90a) as Triton's GPUTarget(backend, arch, warp_size).

def gpu_target(triton, name):
    amd = re.fullmatch(r"gfx([0-9a-f]+)", name)
    if amd:
        wave32 = name.startswith(("gfx10", "gfx11", "gfx12"))
        return triton.gpu_target("hip", name, 32 if wave32 else 64), "hip"
    nvidia = re.fullmatch(r"sm_([0-9]+)(a?)", name)
    if nvidia:
        return triton.gpu_target("cuda", int(nvidia.group(1)), 32), "cuda"
    raise UserError("Triton cannot build for %s (it builds gfx processors and sm_NN targets; "
                    "not generic AMD targets)" % name)


def ptx_target(ptx):
    match = re.search(r"^\s*\.target\s+(sm_[0-9]+a?)", ptx, re.MULTILINE)
    return match.group(1) if match else None


# ---------------------------------------------------------------------------------------------
# Compiling one request.

def constexpr_value(triton, arg):
    kind, text = arg["constexpr"], arg.get("value")
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return text == "true"
    if kind == "none":
        return None
    if kind == "dtype":
        language = triton.module.language
        value = getattr(language, text, None)
        if isinstance(value, language.dtype):
            return value
        try:
            return language.dtype(text)
        except Exception:
            raise UserError("tl.%s is not a Triton dtype" % text)
    raise UserError("unknown constexpr kind %r" % kind)


class Worker:
    def __init__(self):
        self.triton = None
        self.graph = ImportGraph()
        self.environment = None  # (python path, stubs) this worker was set up for
        self.modules = {}  # kernel file -> (module, dependencies)
        self.option_fields = {}  # backend name -> option names

    def setup(self, python):
        key = (tuple(python.get("path", ())), tuple(python.get("stubs", ())))
        if self.environment is None:
            for folder in reversed(key[0]):
                sys.path.insert(0, folder)
            if key[1]:
                sys.meta_path.insert(0, StubFinder(key[1]))
            self.environment = key
        elif self.environment != key:
            raise UserError("internal: a worker serves one python path and stub set")
        if self.triton is None:
            self.triton = Triton()
            missing = self.triton.missing_pieces()
            if missing:
                raise UserError("%s lacks %s" % (self.triton.describe, ", ".join(missing)))

    def load(self, source):
        """The kernel file as a module (loaded once per worker) and the local files it uses."""
        if source in self.modules:
            return self.modules[source]
        name = "aotc_kernel_%d_%s" % (len(self.modules), re.sub(r"\W", "_", os.path.basename(source)[:-3]))
        folder = os.path.dirname(source)
        if folder not in sys.path:
            sys.path.insert(len(self.environment[0]), folder)
        spec = importlib.util.spec_from_file_location(name, source)
        if spec is None:
            raise UserError("%s: not a Python file" % source)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[name]
            raise UserError(import_failure(source, error, self.triton))
        excluded = installation_dirs(self.triton.path)
        dependencies = [source]
        for module_name in sorted(self.graph.closure(name)):
            if module_name == name:
                continue
            file = getattr(sys.modules.get(module_name), "__file__", None)
            if file and os.path.isfile(file) and is_local_file(file, excluded):
                dependencies.append(os.path.abspath(file))
        self.modules[source] = (module, dependencies)
        return self.modules[source]

    def backend_options(self, backend_name, backend):
        if backend_name not in self.option_fields:
            defaults = backend.parse_options({})
            self.option_fields[backend_name] = [f.name for f in dataclasses.fields(defaults)]
        return self.option_fields[backend_name]

    def other_backend_option(self, name, this_backend):
        representative = {"hip": ("hip", "gfx942", 64), "cuda": ("cuda", 90, 32)}
        for backend_name, target in representative.items():
            if backend_name == this_backend:
                continue
            try:
                backend = self.triton.make_backend(self.triton.gpu_target(*target))
                if name in self.backend_options(backend_name, backend):
                    return backend_name
            except Exception:
                continue
        return None

    def options(self, requested, backend_name, backend):
        known = self.backend_options(backend_name, backend)
        chosen = {}
        for name, value in requested.items():
            if name in known:
                chosen[name] = tuple(value) if isinstance(value, list) else value
                continue
            if self.other_backend_option(name, backend_name):
                continue  # e.g. waves_per_eu on NVIDIA: meant for the other vendor's targets
            raise UserError("option %r: %s's %s backend has no such option (it has: %s)"
                            % (name, self.triton.describe, backend_name, ", ".join(known)))
        return backend.parse_options(chosen)

    def source(self, fn, entry, arguments, is_gluon):
        triton = self.triton
        names = list(fn.arg_names)
        params = getattr(fn, "params", [None] * len(names))
        if len(arguments) > len(names):
            raise UserError("the signature has %d elements but %s takes %d parameters (%s)"
                            % (len(arguments), entry, len(names), ", ".join(names)))
        for index in range(len(arguments), len(names)):
            param = params[index]
            if param is None or not getattr(param, "has_default", False):
                raise UserError("the signature has %d elements but %s takes %d parameters (%s); "
                                "only trailing parameters with defaults may be left out"
                                % (len(arguments), entry, len(names), ", ".join(names)))
        signature, constexprs, hints = {}, {}, {}
        for index, arg in enumerate(arguments):
            name = names[index]
            param = params[index]
            declared_constexpr = bool(getattr(param, "is_constexpr", False))
            if "constexpr" in arg:
                signature[name] = "constexpr"
                constexprs[name] = constexpr_value(triton, arg)
                continue
            if declared_constexpr:
                raise UserError("parameter %d (%s) of %s is a tl.constexpr: the signature must give "
                                "its value, not the type %r" % (index, name, entry, arg["type"]))
            hint = arg.get("hint")
            signature[name] = arg["type"]
            if hint == 1:
                signature[name] = "constexpr"
                constexprs[name] = 1
                hints[(index,)] = 1
            elif hint == 16:
                hints[(index,)] = 16
        for index in range(len(arguments), len(names)):
            signature[names[index]] = "constexpr"
            constexprs[names[index]] = params[index].default
        if is_gluon:
            if triton.gluon_source is None:
                raise UserError("%s is a Gluon kernel (@gluon.jit), but %s has no "
                                "triton.experimental.gluon._runtime.GluonASTSource (%s); Gluon "
                                "kernels need a Triton that has it (3.5 or newer)"
                                % (entry, triton.describe, triton.gluon_problem))
            source_type = triton.gluon_source
        else:
            source_type = triton.ast_source
        runtime_params = [name for name, kind in signature.items() if kind != "constexpr"]
        if triton.constexpr_keyword == "constexprs":
            attrs = {key: [["tt.divisibility", 16]] for key, value in hints.items() if value == 16}
            return source_type(fn, signature, constexprs=constexprs, attrs=attrs), runtime_params
        attrs = triton.attrs_descriptor.from_hints(hints)
        for key, value in attrs.get_constants().items():
            constexprs[names[key[0]]] = value
        return source_type(fn, signature, constants=constexprs, attrs=attrs), runtime_params

    def compile(self, request):
        self.setup(request.get("python", {}))
        triton = self.triton
        source_file, entry = request["source"], request["entry"]
        module, dependencies = self.load(source_file)
        fn = getattr(module, entry, None)
        if fn is None or not hasattr(fn, "arg_names"):
            found = sorted(n for n, v in vars(module).items()
                           if hasattr(v, "arg_names") and not n.startswith("_"))
            what = "no function %r" % entry if fn is None else "%r, which is not a @triton.jit or @gluon.jit function" % entry
            raise UserError("%s has %s (its jit functions: %s)"
                            % (source_file, what, ", ".join(found) or "none"))
        is_gluon = bool(getattr(fn, "is_gluon", lambda: False)())
        target, backend_name = gpu_target(triton, request["target"])
        backend = triton.make_backend(target)
        options = self.options(request.get("options", {}), backend_name, backend)
        src, runtime_params = self.source(fn, entry, request["signature"], is_gluon)
        started = time.monotonic()
        compiled = triton.module.compile(src, target=target, options=options.__dict__)
        seconds = time.monotonic() - started
        return self.write_outputs(request, compiled, backend, backend_name, dependencies,
                                  is_gluon, seconds, runtime_params)

    def write_outputs(self, request, compiled, backend, backend_name, dependencies, is_gluon,
                      seconds, runtime_params):
        outputs = request["outputs"]
        binary = compiled.asm[backend.binary_ext]
        if backend_name == "cuda":
            ptx = compiled.asm["ptx"]
            built = ptx_target(ptx)
            if built != request["target"]:
                raise UserError("Triton built %s for this compute capability, not %s: list %s as "
                                "the target" % (built, request["target"], built))
            write_file(outputs["ptx"], ptx.encode() if isinstance(ptx, str) else ptx)
            write_file(outputs["cubin"], binary)
        else:
            write_file(outputs["hsaco"], binary)
        metadata = metadata_dict(compiled.metadata)
        write_file(outputs["triton.json"], (json.dumps(metadata, indent=1, sort_keys=True, default=str)
                                     + "\n").encode())
        scratch = []
        for kind in ("global_scratch", "profile_scratch"):
            if kind + "_size" in metadata:
                scratch.append({"name": kind, "size": int(metadata[kind + "_size"] or 0),
                                "align": int(metadata.get(kind + "_align", 1) or 1)})
        return {"dependencies": dependencies, "scratch": scratch, "gluon": is_gluon,
                "name": metadata.get("name"), "seconds": round(seconds, 4),
                "runtime_params": runtime_params}


def metadata_dict(metadata):
    if hasattr(metadata, "_asdict"):
        metadata = metadata._asdict()
    elif not isinstance(metadata, dict):
        metadata = dict(vars(metadata))
    return {key: plain(value) for key, value in metadata.items()}


def plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)


def import_failure(source, error, triton):
    """One message for a kernel file that does not import: what failed, and at which line of the
    kernel file (or of the local module that failed)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if "importlib._bootstrap" not in f.filename and f.filename != __file__]
    where = ""
    if frames:
        frame = frames[-1]
        where = " (at %s:%d)" % (frame.filename, frame.lineno)
    message = "cannot import %s: %s: %s%s" % (source, type(error).__name__, error, where)
    missing = getattr(error, "name", None)
    if isinstance(error, ImportError) and missing:
        if missing.startswith("triton") and triton is not None:
            message += ("; %s has no %s (a newer Triton may have it: Gluon kernels need 3.5 or "
                        "newer)" % (triton.describe, missing))
        else:
            message += ("; add the folder that holds %r to the kernel's python.path, or list it "
                        "in python.stubs if compiling does not need it" % missing.split(".")[0])
    return message


def serve():
    replies = os.fdopen(3, "w")
    worker = Worker()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        reply = {"id": request.get("id")}
        try:
            reply.update(worker.compile(request))
            reply["ok"] = True
        except UserError as error:
            reply.update(ok=False, error=str(error))
        except Exception as error:
            reply.update(ok=False, error="%s: %s" % (type(error).__name__, error),
                         details=traceback.format_exc())
        sys.stdout.flush()
        sys.stderr.flush()
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main(argv):
    if argv[1:] == ["--probe"]:
        try:
            info = Triton().probe()
        except UserError as error:
            sys.stderr.write("%s\n" % error)
            return 3
        sys.stdout.write(PROBE_PREFIX + json.dumps(info) + "\n")
        return 0
    if argv[1:] == ["--worker"]:
        serve()
        return 0
    sys.stderr.write("usage: %s --probe | --worker\n" % argv[0])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
