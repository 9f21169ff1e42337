"""W4 feather with zstd on the pandas side, beside the peer's lz4: Prefect 1.4.1's
`PandasSerializer("feather", serialize_kwargs={"compression": "zstd"})` on the peer's W4 frame,
measured as bench_python.py measures W4 (one process per phase, the median of --w4-repeats
calls, the peak resident set above the set before one call). Prints the rows as JSON in
bench_python.py's row format.

    python benches/pandas_feather_zstd.py PEER_DIR [--w4-repeats N] > OUT.json
"""
import json
import os
import subprocess
import sys
import tempfile

PEER_DIR = sys.argv[1]
sys.path.insert(0, PEER_DIR)
import bench_python as B  # noqa: E402
from prefect.engine import serializers as S  # noqa: E402

WORKLOAD = "W4 pandas feather-zstd 1M rows"


def child(phase, path, repeats):
    ser = S.PandasSerializer("feather", serialize_kwargs={"compression": "zstd"})
    if phase == "serialize":
        df = B.make_frame(1_000_000)
        assert B.frame_fingerprint(df) == W4_FINGERPRINT
        out = ser.serialize(df)  # warm-up
        with open(path, "wb") as f:
            f.write(out)
        del out
        before, peak, _ = B.measure_peak(lambda: ser.serialize(df))
        med, ts, _ = B.timeit(lambda: ser.serialize(df), repeats)
    else:
        with open(path, "rb") as f:
            data = f.read()
        ser.deserialize(data)  # warm-up
        before, peak, _ = B.measure_peak(lambda: ser.deserialize(data))
        med, ts, _ = B.timeit(lambda: ser.deserialize(data), repeats)
    return {"workload": WORKLOAD, "op": phase, "median_s": med, "runs_s": ts,
            "rss_base_mib": before, "rss_peak_mib": peak}


W4_FINGERPRINT = "c6b501a93fcfb063b26fc3e0858a5b46895bce6140eb87e9303e46b4c13eaa8d"

if __name__ == "__main__":
    repeats = int(sys.argv[sys.argv.index("--w4-repeats") + 1]) if "--w4-repeats" in sys.argv else 3
    if len(sys.argv) > 3 and sys.argv[2] == "--child":
        print(json.dumps(child(sys.argv[3], sys.argv[4], repeats)))
        sys.exit(0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frame.feather")
        for phase in ("serialize", "deserialize"):
            out = subprocess.run([sys.executable, __file__, PEER_DIR, "--child", phase, path,
                                  "--w4-repeats", str(repeats)], check=True, capture_output=True, text=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps({"rows": rows}))
