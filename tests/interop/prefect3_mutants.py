"""Mutants of the Prefect 3 vectors, each read by Prefect 3.9.1's own ResultStore: the data of
tests/suite/prefect3_mutants.rs, which checks that this crate refuses every mutant Prefect
refuses and reads none as another value than Prefect reads.

    python prefect3_mutants.py VECTORS OUT.json [COUNT]

Run it in the Prefect 3 test venv (tests/interop/requirements-prefect3.txt) with
`prefect3_vector_models.py` importable (PYTHONPATH=VECTORS) and PREFECT_HOME in a temporary
directory. Each mutant is one byte of one vector file replaced (a record, a split result, or
a split result's metadata), chosen by a seeded generator; half the mutations land inside a
JSON string (class names, keys, serializer options), where the interesting ones are. The
verdict is Prefect's `ResultStore.read(key).result` in the typed notation of the manifest's
`read_back`, or `{"refused": "<exception type>"}`.

Prefect reads a split result at its metadata's `storage_key`, an absolute path under the
manifest's `results_base`: the split results are put there (it writes to that directory of the
machine it runs on, and removes each file after reading it).
"""
import json
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from read_with_prefect3 import typed  # noqa: E402  (the manifest's typed notation)

from prefect.filesystems import LocalFileSystem  # noqa: E402
from prefect.results import ResultStore  # noqa: E402

vectors, out_path = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
manifest = json.load(open(os.path.join(vectors, "manifest.json")))
rng = random.Random(20261202)

# (file to mutate, vector, which file of the vector it is)
files = []
for vector in manifest["vectors"]:
    files.append((vector["file"], vector, "result"))
    if vector["layout"] == "split":
        files.append((vector["metadata_file"], vector, "metadata"))


def string_offsets(data):
    """Offsets of bytes inside JSON strings (between quotes), where a byte flip changes a
    name rather than the syntax."""
    offsets, inside, escaped = [], False, False
    for i, b in enumerate(data):
        if inside:
            if escaped:
                escaped = False
            elif b == 0x5C:
                escaped = True
            elif b == 0x22:
                inside = False
                continue
            offsets.append(i)
        elif b == 0x22:
            inside = True
    return offsets


mutants = []
work = tempfile.mkdtemp()
try:
    for index in range(count):
        path, vector, which = rng.choice(files)
        data = open(os.path.join(vectors, path), "rb").read()
        inside = string_offsets(data)
        offset = rng.choice(inside) if inside and rng.random() < 0.5 else rng.randrange(len(data))
        byte = rng.randrange(256)
        if byte == data[offset]:
            byte = (byte + 1) % 256
        mutated = bytearray(data)
        mutated[offset] = byte
        base = os.path.join(work, str(index))
        key = vector["key"]
        for layout in ("record", "split", "split-metadata"):
            os.makedirs(os.path.join(base, layout), exist_ok=True)
        if vector["layout"] == "record":
            dest = os.path.join(base, "record", key)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            open(dest, "wb").write(bytes(mutated))
            store = ResultStore(result_storage=LocalFileSystem(basepath=os.path.join(base, "record")))
        else:
            result = bytes(mutated) if which == "result" else open(os.path.join(vectors, vector["file"]), "rb").read()
            metadata = bytes(mutated) if which == "metadata" else open(os.path.join(vectors, vector["metadata_file"]), "rb").read()
            results = os.path.join(manifest["results_base"], "split")
            for root, content in ((results, result), (os.path.join(base, "split-metadata"), metadata)):
                dest = os.path.join(root, key)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                open(dest, "wb").write(content)
            store = ResultStore(
                result_storage=LocalFileSystem(basepath=results),
                metadata_storage=LocalFileSystem(basepath=os.path.join(base, "split-metadata")),
            )
        try:
            verdict = typed(store.read(key).result)
        except Exception as exc:  # what Prefect refuses, by the exception's type
            verdict = {"refused": type(exc).__name__}
        mutants.append({"vector": vector["id"], "file": path, "offset": offset, "byte": byte, "verdict": verdict})
        shutil.rmtree(base)
finally:
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(os.path.join(manifest["results_base"], "split"), ignore_errors=True)

with open(out_path, "w") as out:
    json.dump({"generator": "tests/interop/prefect3_mutants.py", "prefect": "3.9.1", "mutants": mutants}, out, indent=0)
    out.write("\n")
