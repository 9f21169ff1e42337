"""Reads every file named on the command line with pandas and prints what it read as JSON.

Each file's reader comes from its extension (parquet, feather, csv, json). Values are printed
as JSON values, timestamps and dates as ISO 8601 text, missing values as null.
"""
import datetime
import json
import math
import sys

import pandas as pd

READERS = {
    "parquet": pd.read_parquet,
    "feather": pd.read_feather,
    "csv": pd.read_csv,
    "json": pd.read_json,
}


def plain(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds()
    if hasattr(value, "item"):
        return plain(value.item())
    if value is pd.NA:
        return None
    return value


out = {}
for path in sys.argv[1:]:
    frame = READERS[path.rsplit(".", 1)[1]](path)
    out[path.rsplit("/", 1)[1]] = {
        "dtypes": {name: str(dtype) for name, dtype in frame.dtypes.items()},
        "columns": {name: [plain(v) for v in frame[name].tolist()] for name in frame.columns},
    }
print(json.dumps(out))
