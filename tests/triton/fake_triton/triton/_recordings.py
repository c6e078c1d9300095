"""Recorded compiles: what the stand-in's compile() returns, and the key it finds them by.

recording_key() reads only what every era's ASTSource exposes (fn, signature, constants, attrs),
so the recorder (tests/triton/record_on_device.py) applies the same function to real Triton's
objects on the GPU machine. Layout of the recordings folder:
  index.json          {key-hash: {"key": key, "asm": {kind: file}, "metadata": file}}
  <key-hash>.<kind>.gz   the code object (hsaco / cubin) or PTX text, gzip-compressed
  <key-hash>.json        Triton's metadata for it
"""
import gzip
import hashlib
import json
import os


def _value_text(value):
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if type(value).__name__ == "dtype":
        return "dtype:" + str(getattr(value, "name", value))
    return repr(value)


def _divisible(attrs, names):
    found = set()
    if isinstance(attrs, dict):
        for key, specs in attrs.items():
            index = names.index(key) if isinstance(key, str) else key[0]
            if ["tt.divisibility", 16] in [list(s) for s in specs]:
                found.add(index)
    else:  # AttrsDescriptor (Triton 3.2)
        found.update(getattr(attrs, "arg_properties", {}).get("tt.divisibility", []))
    return found


def recording_key(src, target, options):
    names = list(src.fn.arg_names)
    constants = {}
    for key, value in (src.constants or {}).items():
        constants[names.index(key) if isinstance(key, str) else key[0]] = value
    divisible = _divisible(src.attrs, names)
    args = []
    for index, name in enumerate(names):
        if index in constants:
            args.append("constexpr=" + _value_text(constants[index]))
        else:
            args.append(str(src.signature[name]) + (":16" if index in divisible else ""))
    if not isinstance(options, dict):
        options = dict(vars(options))
    return json.dumps({
        "entry": src.fn.__name__,
        "language": "gluon" if type(src).__name__ == "GluonASTSource" else "triton",
        "target": "%s:%s:%s" % (target.backend, target.arch, target.warp_size),
        "args": args,
        "options": {k: options[k] for k in ("num_warps", "num_stages") if k in options},
    }, sort_keys=True)


def key_hash(key):
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def find(folder, key):
    """(asm, metadata) recorded under `key`, or None."""
    try:
        with open(os.path.join(folder, "index.json")) as f:
            index = json.load(f)
    except OSError:
        return None
    entry = index.get(key_hash(key))
    if entry is None or entry["key"] != key:
        return None
    asm = {}
    for kind, name in entry["asm"].items():
        with gzip.open(os.path.join(folder, name), "rb") as f:
            data = f.read()
        asm[kind] = data.decode() if kind == "ptx" else data
    with open(os.path.join(folder, entry["metadata"])) as f:
        metadata = json.load(f)
    return asm, metadata


def record(folder, key, asm, metadata):
    """Stores one compile (the recorder's side of find)."""
    os.makedirs(folder, exist_ok=True)
    index_path = os.path.join(folder, "index.json")
    index = {}
    if os.path.exists(index_path):
        with open(index_path) as f:
            index = json.load(f)
    digest = key_hash(key)
    files = {}
    for kind, data in asm.items():
        name = "%s.%s.gz" % (digest, kind)
        with gzip.GzipFile(os.path.join(folder, name), "wb", mtime=0) as f:
            f.write(data.encode() if isinstance(data, str) else data)
        files[kind] = name
    with open(os.path.join(folder, digest + ".json"), "w") as f:
        json.dump(metadata, f, indent=1, sort_keys=True, default=str)
    index[digest] = {"key": key, "asm": files, "metadata": digest + ".json"}
    with open(index_path, "w") as f:
        json.dump(index, f, indent=1, sort_keys=True)
