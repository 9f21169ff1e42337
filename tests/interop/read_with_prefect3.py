"""Reads results with Prefect 3's own ResultStore and prints each value in the typed notation
of the Prefect 3 vectors' manifest (`read_back`), as JSON.

    python read_with_prefect3.py BASE KEY...

BASE/record holds `record` layout results; BASE/split the `split` layout's results, with their
metadata in BASE/split-metadata (Prefect's `metadata_storage`).
"""
import dataclasses
import datetime
import decimal
import json
import sys
import uuid

from prefect.filesystems import LocalFileSystem
from prefect.results import ResultStore


def typed(v):
    if v is None:
        return {"none": None}
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate, which no Rust `String` holds
            return {"str_with_lone_surrogate": v.encode("utf-8", "surrogatepass").hex()}
        return {"str": v}
    if isinstance(v, bytes):
        return {"bytes_hex": v.hex()}
    if isinstance(v, datetime.datetime):
        return {"datetime": v.isoformat()}
    if isinstance(v, datetime.date):
        return {"date": v.isoformat()}
    if isinstance(v, datetime.time):
        return {"time": v.isoformat()}
    if isinstance(v, datetime.timedelta):
        return {"timedelta_microseconds": str(v // datetime.timedelta(microseconds=1))}
    if isinstance(v, uuid.UUID):
        return {"uuid": str(v)}
    if isinstance(v, decimal.Decimal):
        return {"decimal": str(v)}
    if dataclasses.is_dataclass(v) or hasattr(v, "model_fields"):
        fields = v.__dict__.items()
        return {"object": {"class": f"{type(v).__module__}.{type(v).__qualname__}",
                           "fields": [[k, typed(x)] for k, x in fields]}}
    if isinstance(v, BaseException):
        return {"exception": {"type": f"{type(v).__module__}.{type(v).__name__}", "message": str(v)}}
    if isinstance(v, list):
        return {"list": [typed(x) for x in v]}
    if isinstance(v, tuple):
        return {"tuple": [typed(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {"set": [typed(x) for x in sorted(v)]}
    if isinstance(v, dict):
        return {"dict": [[typed(k), typed(x)] for k, x in v.items()]}
    return {"unknown": repr(v)}


def main():
    base = sys.argv[1]
    stores = {
        "record": ResultStore(result_storage=LocalFileSystem(basepath=f"{base}/record")),
        "split": ResultStore(
            result_storage=LocalFileSystem(basepath=f"{base}/split"),
            metadata_storage=LocalFileSystem(basepath=f"{base}/split-metadata"),
        ),
    }
    out = {}
    for key in sys.argv[2:]:
        for layout, store in stores.items():
            out[f"{layout}/{key}"] = typed(store.read(key).result)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
