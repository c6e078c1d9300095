"""Records real Triton compiles for the stand-in (fake_triton/README.md). Run on a machine with
Triton, e.g. the GPU machine:

  python3 record_on_device.py REQUESTS.jsonl OUT_DIR [--keep-outputs]

REQUESTS.jsonl holds aotc helper requests, one per line (what `aotc build --dry-run` prints for
Triton objects). Each is compiled in this process through the real helper
(tools/triton/aotc_triton_helper.py) with triton.compile wrapped, so every compile is stored in
OUT_DIR/recordings under the key the stand-in will compute for the same request. Prints one line
per request (entry, target, seconds, or the error) and a summary.
"""
import importlib.util
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    requests_file, out_dir = argv[1], argv[2]
    keep = "--keep-outputs" in argv
    helper = load("aotc_triton_helper",
                  os.path.join(HERE, "..", "..", "tools", "triton", "aotc_triton_helper.py"))
    recordings = load("fake_recordings", os.path.join(HERE, "fake_triton", "triton",
                                                      "_recordings.py"))
    import triton
    real_compile = triton.compile
    folder = os.path.join(out_dir, "recordings")

    def recording_compile(src, target=None, options=None, **kwargs):
        compiled = real_compile(src, target=target, options=options, **kwargs)
        key = recordings.recording_key(src, target, options)
        backend = triton.compiler.make_backend(target)
        asm = {backend.binary_ext: compiled.asm[backend.binary_ext]}
        if "ptx" in compiled.asm:
            asm["ptx"] = compiled.asm["ptx"]
        recordings.record(folder, key, asm, helper.metadata_dict(compiled.metadata))
        return compiled

    triton.compile = recording_compile
    worker = helper.Worker()
    failures = 0
    with open(requests_file) as f:
        requests = [json.loads(line) for line in f if line.strip()]
    started = time.monotonic()
    for number, request in enumerate(requests):
        outputs = {}
        for kind, path in request["outputs"].items():
            outputs[kind] = os.path.join(out_dir, "outputs", os.path.basename(path))
        os.makedirs(os.path.join(out_dir, "outputs"), exist_ok=True)
        request["outputs"] = outputs
        t0 = time.monotonic()
        try:
            reply = worker.compile(request)
            print("%3d %-40s %-8s %6.2fs scratch=%s" % (number, request["entry"][:40],
                  request["target"], time.monotonic() - t0, reply["scratch"]), flush=True)
        except Exception as error:  # report and go on: one bad request must not stop the rest
            failures += 1
            print("%3d %-40s %-8s FAILED: %s" % (number, request["entry"][:40], request["target"],
                  str(error)[:2000]), flush=True)
        if not keep:
            for path in outputs.values():
                if os.path.exists(path):
                    os.remove(path)
    print("%d requests, %d failed, %.1fs" % (len(requests), failures,
                                             time.monotonic() - started))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
