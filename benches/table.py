"""Prints the comparison table of benches/compare.sh from the peer's JSON, criterion's
estimates, the W4 memory lines and our benchmark's printed fingerprints (standard library only)."""
import json
import pathlib
import re
import sys

peer_path, criterion_dir, memory_path, ours_path = sys.argv[1:5]
peer = json.load(open(peer_path))
peer_rows = {(r["workload"], r["op"]): r for r in peer["rows"]}
# pandas' feather with zstd (benches/pandas_feather_zstd.py) and stock zlib
# (benches/zlib_stock.py), measured beside the peer.
for extra_path in sys.argv[5:]:
    for r in json.load(open(extra_path))["rows"]:
        peer_rows[(r["workload"], r["op"])] = r

ours = {}
for bench in pathlib.Path(criterion_dir).glob("*/*/new/benchmark.json"):
    meta = json.load(open(bench))
    estimates = json.load(open(bench.parent / "estimates.json"))
    group, op = meta["group_id"].rsplit("/", 1)
    ours[(group, op, meta["function_id"])] = estimates["median"]["point_estimate"] / 1e9

# Our group -> the peer's workload it is compared with, and what the comparison means.
PAIRS = [
    ("W1 python json", "W1 json 100k records", "same bytes as json.dumps"),
    ("W1 json", "W1 json 100k records", "serde_json compact bytes"),
    ("W2 binary", "W2 pickle 100k records", "postcard vs pickle"),
    ("W3 datetime", "W3 datetime 100k one-by-one", "same text"),
    ("W4 parquet", "W4 pandas parquet 1M rows", "snappy both"),
    ("W4 csv", "W4 pandas csv 1M rows", "pandas adds an index column"),
    ("W4 feather", "W4 pandas feather 1M rows", "lz4 both"),
    ("W4 feather-zstd", "W4 pandas feather-zstd 1M rows", "zstd level 1 both (pandas: not the peer's call)"),
    ("W5 json+gzip", "W5 json+gzip 100k records", "gzip level 9 both"),
    ("W5 json+zlib", "W5 json+zlib 100k records", "zlib level 6 both"),
    ("W5 json+zstd", None, "no Prefect codec"),
    ("W6 rows parquet", "W6 rows parquet 200k rows", "snappy both; by hand: serde_arrow + arrow-rs parquet"),
]

print("| workload | op | Prefect 1.4.1 s | ours s | Prefect / ours | hand-written s | ours / hand-written | note |")
print("|---|---|---:|---:|---:|---:|---:|---|")
for group, peer_name, note in PAIRS:
    for op in ("serialize", "deserialize"):
        derived = ours.get((group, op, "derived"))
        by_hand = ours.get((group, op, "by-hand"))
        if derived is None:
            continue
        p = peer_rows.get((peer_name, op)) if peer_name else None
        prefect = p["median_s"] if p else None
        cells = [
            group, op,
            f"{prefect:.4f}" if prefect else "-",
            f"{derived:.5f}",
            f"{prefect / derived:.1f}x" if prefect else "-",
            f"{by_hand:.5f}" if by_hand else "-",
            f"{derived / by_hand:.3f}" if by_hand else "-",
            note,
        ]
        print("| " + " | ".join(cells) + " |")

print()
print("W5 zlib backends, one call on the Python-compatible JSON (s):")
print()
print("| level | zlib-rs (ours) | stock zlib (CPython's) | stock / zlib-rs |")
print("|---|---:|---:|---:|")
for level in (6, 9):
    rs = ours.get(("W5 zlib backends", f"level-{level}", "zlib-rs"))
    stock = peer_rows.get(("W5 zlib backends", f"level-{level}"), {}).get("median_s")
    if rs and stock:
        print(f"| {level} | {rs:.4f} | {stock:.4f} | {stock / rs:.2f} |")

print()
print("W4 peak memory (MiB above the resident set before the call):")
print()
print("| format | op | ours (derived) | polars by hand | pandas (Prefect) |")
print("|---|---|---:|---:|---:|")
memory = {}
rows_memory = []
for line in open(memory_path):
    if line.startswith("W6MEMORY"):
        rows_memory.append(line.strip())
        continue
    _, fmt, op, way, _, peak, _, base = line.split()
    memory[(fmt, op, way)] = float(peak) - float(base)
for fmt in ("parquet", "csv", "feather", "feather-zstd"):
    for op in ("serialize", "deserialize"):
        p = peer_rows.get((f"W4 pandas {fmt} 1M rows", op), {})
        pandas = p.get("rss_peak_mib", 0) - p.get("rss_base_mib", 0) if "rss_peak_mib" in p else None
        derived, by_hand = memory.get((fmt, op, "derived")), memory.get((fmt, op, "by-hand"))
        print(f"| {fmt} | {op} | {derived:.0f} | {by_hand:.0f} | " + (f"{pandas:.0f}" if pandas is not None else "-") + " |")

print()
print("W6 peak memory writing parquet (MiB above the set with the rows built):")
print()
for line in rows_memory:
    print(f"- {line}")

print()
print("Fingerprints (ours, then the peer's):")
printed = open(ours_path).read()
for label, pattern in (("W1", r"W1 python json sha256 (\w+)"), ("W3", r"W3 datetime newline-joined sha256 (\w+)"),
                       ("W4", r"W4 frame fingerprint (\w+)"), ("W6", r"W6 rows fingerprint (\w+)")):
    found = re.search(pattern, printed)
    print(f"- {label}: {found.group(1) if found else '?'}")
fps = {}
for r in peer["rows"]:
    for key in ("sha256", "sha256_newline_joined", "fingerprint"):
        if r.get(key):
            fps[f"{r['workload']} {r['op']} {key}"] = r[key]
for k, v in fps.items():
    print(f"- peer {k}: {v}")
