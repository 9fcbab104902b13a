"""Stored Parquet rows -> the pandas frames callers get: dtypes, `_file`, time filters, cross-file duplicates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from slactl.store.arrays import to_numpy
from slactl.store.columns import MAIN_TIME, TYPES
from slactl.store.timeparse import NAT

if TYPE_CHECKING:
    import pandas as pd

# per type: the column that bounds a row from below, and the ones whose latest value bounds it from
# above (an empty value there means the row is still open, so it reaches into the future)
_LOWER = {"outages": ["start"], "pauses": ["start"], "tickets": ["opened_at"],
          "changes": ["planned_start", "actual_start"]}
_UPPER = {"outages": ["end"], "pauses": ["end"], "tickets": ["resolved_at"],
          "changes": ["planned_end", "actual_end"]}
_OPEN_WHEN_EMPTY = {"pauses": "end", "tickets": "resolved_at"}


def _ns(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(to_numpy(table.column(name).cast(pa.int64()).fill_null(NAT)))


def _min_max(table: pa.Table, name: str) -> tuple[int | None, int | None]:
    result = pc.min_max(table.column(name).cast(pa.int64()))
    low, high = result["min"].as_py(), result["max"].as_py()
    return low, high


def bounds(table: pa.Table, source_type: str) -> tuple[int, int | None]:
    """Earliest start and latest end (None: open-ended) of the rows of a partition, for read filters."""
    lows = [_min_max(table, c)[0] for c in _LOWER.get(source_type, [MAIN_TIME[source_type]])]
    lower = min(v for v in lows if v is not None)
    highs = [_min_max(table, c)[1] for c in _UPPER.get(source_type, [MAIN_TIME[source_type]])]
    reach: int | None = max([v for v in highs if v is not None] + [lower])
    open_column = _OPEN_WHEN_EMPTY.get(source_type)
    if open_column is not None and table.column(open_column).null_count:
        reach = None
    if source_type == "changes":
        started = _ns(table, "actual_start") != NAT
        ended = _ns(table, "actual_end") != NAT
        if (started & ~ended).any():
            reach = None
    return lower, reach


def to_frame(table: pa.Table, source_type: str, files: list[str], counts: list[int]) -> pd.DataFrame:
    """Arrow -> pandas: times datetime64[ns, UTC], categories as strings, lists as Python lists."""
    import pandas as pd

    data: dict[str, object] = {}
    for name in table.column_names:
        column = table.column(name)
        kind = column.type
        if pa.types.is_dictionary(kind):
            data[name] = column.cast(pa.string()).to_pandas()
        elif pa.types.is_list(kind):
            data[name] = pd.Series(column.to_pylist(), dtype=object)
        elif pa.types.is_timestamp(kind):
            data[name] = column.cast(pa.timestamp("ns", tz="UTC")).to_pandas()
        elif pa.types.is_null(kind):
            data[name] = pd.Series([None] * len(column), dtype=object)
        else:
            data[name] = column.to_pandas()
    frame = pd.DataFrame(data)
    file_names = np.empty(len(files), dtype=object)
    file_names[:] = files
    # object dtype: every row points at one Python string per file (8 bytes a row, no copies)
    frame["_file"] = pd.Series(np.repeat(file_names, counts) if files else np.empty(0, dtype=object),
                               dtype=object, index=frame.index)
    frame["_line"] = frame["_line"].astype("int64")
    order = [c.name if not (source_type == "probes" and c.name == "status") else "up" for c in TYPES[source_type]]
    other = [c for c in frame.columns if c not in order and c not in ("_file", "_line")]
    frame = frame[order + other + ["_file", "_line"]]
    if source_type == "probes":
        frame["up"] = frame["up"].astype(bool)
    return frame


def filter_rows(frame: pd.DataFrame, source_type: str, start_ns: int | None, end_ns: int | None,
                several_files: bool) -> pd.DataFrame:
    """Rows relevant to [start, end), sorted by the main time; duplicates across files kept once."""
    import pandas as pd

    if start_ns is not None or end_ns is not None:
        lo = pd.Timestamp(start_ns if start_ns is not None else NAT + 1, tz="UTC")
        hi = pd.Timestamp(end_ns if end_ns is not None else np.iinfo(np.int64).max, tz="UTC")
        if source_type in ("outages", "pauses"):
            ends = frame["end"]
            mask = (frame["start"] < hi) & (ends.isna() | (ends >= lo))
        elif source_type == "tickets":
            stop = frame["resolved_at"]
            mask = (frame["opened_at"] < hi) & (stop.isna() | (stop >= lo))
        elif source_type == "changes":
            planned = (frame["planned_start"] < hi) & (frame["planned_end"].isna() | (frame["planned_end"] >= lo))
            actual = frame["actual_start"].notna() & (frame["actual_start"] < hi) & (
                frame["actual_end"].isna() | (frame["actual_end"] >= lo))
            mask = planned | actual
        else:
            times = frame[MAIN_TIME[source_type]]
            mask = (times >= lo) & (times < hi)
        if not bool(mask.all()):
            frame = frame[mask.to_numpy()]
    if several_files and len(frame) > 1:
        data = [c for c in frame.columns if c not in ("_file", "_line")]
        keys = frame[data].copy()
        for name in data:
            if keys[name].dtype == object:
                keys[name] = keys[name].map(lambda v: tuple(v) if isinstance(v, list) else v)
        duplicated = keys.duplicated(keep="first").to_numpy()
        if duplicated.any():
            frame = frame[~duplicated]
    main = frame[MAIN_TIME[source_type]]
    if not main.is_monotonic_increasing:
        frame = frame.sort_values(MAIN_TIME[source_type], kind="stable")
    return frame.reset_index(drop=True)


