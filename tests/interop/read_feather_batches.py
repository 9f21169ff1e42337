"""Reads every Arrow IPC file named on the command line with pyarrow, and with pandas, and
prints as JSON what each holds: its record batches, rows, and a digest of each column.

The files are ours, written in several record batches encoded on every core; the digests are
the ones tests/pandas_interop.rs computes from the frame it wrote.
"""
import hashlib
import json
import sys

import pandas as pd
import pyarrow.compute as pc
import pyarrow.ipc as ipc

out = {}
for path in sys.argv[1:]:
    reader = ipc.open_file(path)
    table = reader.read_all()
    text = "\n".join("<null>" if v is None else v for v in table["s"].to_pylist())
    frame = pd.read_feather(path)
    out[path.rsplit("/", 1)[1]] = {
        "batches": reader.num_record_batches,
        "rows": table.num_rows,
        "pandas_rows": len(frame),
        "n_sum": pc.sum(table["n"]).as_py(),
        "x_nulls": table["x"].null_count,
        "x_sum": pc.sum(table["x"]).as_py(),
        "s_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "pandas_s_nulls": int(frame["s"].isna().sum()),
    }
print(json.dumps(out))
