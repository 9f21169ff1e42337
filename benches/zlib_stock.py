"""Stock zlib (the C library CPython's `zlib` module links, which Prefect's CompressedSerializer
calls) compressing W5's JSON in one call at levels 6 and 9, timed as bench_python.py times
(median of repeats, GC collected before each). The bytes are `json.dumps` of the peer's
records, W1's sha256 asserted; benches/workloads.rs times zlib-rs on the same bytes.

    python benches/zlib_stock.py PEER_DIR > OUT.json
"""
import hashlib
import json
import sys
import zlib

sys.path.insert(0, sys.argv[1])
import bench_python as B  # noqa: E402

W1_SHA256 = "270ebfa8c38eecf182b0c5b319cb28f42fedbd4db7cad77f8485bebde6c72d41"

text = json.dumps(B.make_records(100_000)).encode()
assert hashlib.sha256(text).hexdigest() == W1_SHA256
rows = []
for level in (6, 9):
    med, ts, out = B.timeit(lambda: zlib.compress(text, level), 9)
    rows.append({"workload": "W5 zlib backends", "op": f"level-{level}", "median_s": med, "runs_s": ts,
                 "bytes": len(out), "zlib_version": zlib.ZLIB_RUNTIME_VERSION})
print(json.dumps({"rows": rows}))
