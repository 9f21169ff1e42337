#!/usr/bin/env bash
# Runs Prefect 1.4.1's serializers (the Python peer) and this crate's benchmarks on the same
# workloads, then prints one table: workload, operation, Prefect's median, ours, the ratio,
# and our overhead over the hand-written call; then W4's peak memory, ours and pandas', and
# W6's (typed rows) against the rows' own size.
#
#   benches/compare.sh                 # everything (a release build with polars: ~25 min cold)
#   PEER_ONLY=W1,W2 benches/compare.sh # fewer peer workloads
#
# Beside the peer: pandas' feather with zstd (benches/pandas_feather_zstd.py) and stock zlib on
# W5's JSON (benches/zlib_stock.py), both in the peer's environment.
#
# The peer is installed into target/peer-venv from ../shared/peer/requirements.txt (PEER_DIR
# overrides where bench_python.py and requirements.txt are).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PEER_DIR=${PEER_DIR:-$ROOT/../shared/peer}
OUT=$ROOT/target/compare
mkdir -p "$OUT"

if [ ! -x target/peer-venv/bin/python ]; then
    python3 -m venv target/peer-venv
fi
target/peer-venv/bin/pip install -q -r "$PEER_DIR/requirements.txt"

echo "==> building the benchmarks (release)" >&2
cargo bench --bench workloads --features dataframe --no-run

echo "==> the Python peer" >&2
target/peer-venv/bin/python "$PEER_DIR/bench_python.py" --only "${PEER_ONLY:-W1,W2,W3,W4,W5,W6}" \
    --json "$OUT/peer.json" | tee "$OUT/peer.txt"

echo "==> pandas' feather with zstd (the peer writes lz4 only)" >&2
target/peer-venv/bin/python benches/pandas_feather_zstd.py "$PEER_DIR" > "$OUT/peer-zstd.json"

echo "==> stock zlib (CPython's) on W5's JSON, beside zlib-rs below" >&2
target/peer-venv/bin/python benches/zlib_stock.py "$PEER_DIR" > "$OUT/zlib-stock.json"

echo "==> our benchmarks" >&2
rm -rf target/criterion
cargo bench --bench workloads --features dataframe -- --noplot | tee "$OUT/ours.txt"

echo "==> W4 peak memory, one process per operation" >&2
: > "$OUT/memory.txt"
for format in parquet csv feather feather-zstd; do
    for op in serialize deserialize; do
        for way in derived by-hand; do
            W4_MEMORY=$format:$op:$way cargo bench -q --bench workloads --features dataframe \
                | grep '^W4MEMORY' >> "$OUT/memory.txt"
        done
    done
done

echo "==> W6 peak memory writing parquet, one process per way" >&2
for way in derived by-hand; do
    W6_MEMORY=$way cargo bench -q --bench workloads --features dataframe \
        | grep '^W6MEMORY' >> "$OUT/memory.txt"
done

python3 "$ROOT/benches/table.py" "$OUT/peer.json" "$ROOT/target/criterion" "$OUT/memory.txt" \
    "$OUT/ours.txt" "$OUT/peer-zstd.json" "$OUT/zlib-stock.json" | tee "$OUT/table.md"
