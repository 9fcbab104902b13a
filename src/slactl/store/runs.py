"""Probe samples compacted into runs, kept beside each probe partition of the store.

A probe sample at `t` stands for `[t, t + interval)` and an instant is down when any down sample
covers it (SPEC 3.1). Availability therefore depends on two unions per service only: the time
covered by any sample, and the time covered by any down sample. Ingest writes both as runs
(`service`, `start`, `end`, `down`) next to the partition, so `slactl compliance` reads a few
thousand runs instead of ten million samples.

This is exact, not a summary: the union of a service's runs is the union of its samples'
intervals. Runs of two partitions or files may touch or overlap; readers take their union.
Objectives that filter samples on other columns read the samples themselves.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from slactl.store.arrays import dictionary_codes, from_numpy, rows_by_code, strings, to_numpy

RUNS_SCHEMA = pa.schema([
    pa.field("service", pa.dictionary(pa.int32(), pa.string())),
    pa.field("start", pa.int64()),
    pa.field("end", pa.int64()),
    pa.field("down", pa.bool_()),
])


def _sorted_by_service(codes: npt.NDArray[np.integer[Any]], times: npt.NDArray[np.int64],
                       services: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(codes, times) ordered by service, then time."""
    small = codes.astype(np.int16) if services < 2**15 else codes
    order = np.argsort(small, kind="stable")  # a radix sort of small integers: exports come in time order
    counts = np.bincount(codes, minlength=services)
    by_service = np.repeat(np.arange(services, dtype=np.int64), counts)
    ordered = times[order]
    del order
    if len(ordered) > 1 and bool(np.any((ordered[1:] < ordered[:-1]) & (by_service[1:] == by_service[:-1]))):
        order = np.lexsort((times, codes))  # rows out of time order within a service
        ordered = times[order]
    return by_service, ordered


def _runs(codes: npt.NDArray[np.integer[Any]], times: npt.NDArray[np.int64],
          interval_ns: int) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Runs of samples sorted by (service, time): a new run starts at a new service or after a gap."""
    count = len(times)
    if count == 0:
        return codes[:0], times[:0], times[:0]
    new = np.empty(count, dtype=bool)
    new[0] = True
    np.not_equal(codes[1:], codes[:-1], out=new[1:])
    # sorted times with one interval: the previous sample has the latest end so far
    new[1:] |= times[1:] > times[:-1] + interval_ns
    firsts = np.flatnonzero(new)
    lasts = np.empty_like(firsts)
    lasts[:-1] = firsts[1:] - 1
    lasts[-1] = count - 1
    return codes[firsts], times[firsts], times[lasts] + interval_ns


BLOCK_ROWS = 1 << 16  # samples sorted at a time: small sorts in warm memory beat one big sort


def _block_runs(codes: npt.NDArray[np.integer[Any]], times: npt.NDArray[np.int64], services: int,
                interval_ns: int) -> tuple[npt.NDArray[np.integer[Any]], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Runs of samples taken block by block, then the runs themselves merged per service."""
    pieces = [_runs(codes[:0], times[:0], interval_ns)]
    for begin in range(0, len(times), BLOCK_ROWS):
        block_codes, block_times = _sorted_by_service(codes[begin:begin + BLOCK_ROWS],
                                                      times[begin:begin + BLOCK_ROWS], services)
        pieces.append(_runs(block_codes, block_times, interval_ns))
    if len(pieces) <= 2:
        return pieces[-1]
    run_codes = np.concatenate([p[0] for p in pieces])
    starts = np.concatenate([p[1] for p in pieces])
    ends = np.concatenate([p[2] for p in pieces])
    order = np.lexsort((starts, run_codes))
    run_codes, starts, ends = run_codes[order], starts[order], ends[order]
    # merge runs of one service that overlap or touch (ends are not sorted: keep the running maximum)
    reach = ends.copy()
    boundaries = np.flatnonzero(run_codes[1:] != run_codes[:-1]) + 1
    for begin, end in zip(np.r_[0, boundaries], np.r_[boundaries, len(reach)], strict=True):
        np.maximum.accumulate(reach[begin:end], out=reach[begin:end])
    new = np.empty(len(starts), dtype=bool)
    new[0] = True
    new[1:] = (run_codes[1:] != run_codes[:-1]) | (starts[1:] > reach[:-1])
    firsts = np.flatnonzero(new)
    lasts = np.r_[firsts[1:] - 1, len(starts) - 1]
    return run_codes[firsts], starts[firsts], reach[lasts]


def probe_runs(table: pa.Table, interval_ns: int) -> pa.Table:
    """The runs of a table of probe samples (columns `time`, `service`, `up`)."""
    codes, names = dictionary_codes(table.column("service"))
    time_column = table.column("time")
    times = to_numpy(time_column.cast(pa.int64()).fill_null(0) if time_column.null_count else time_column.cast(pa.int64()))
    up_column = table.column("up")
    up = to_numpy(up_column.fill_null(False) if up_column.null_count else up_column)
    valid = codes >= 0
    if time_column.null_count:
        import pyarrow.compute as pc

        valid &= to_numpy(pc.is_valid(time_column))
    if not bool(np.all(valid)):
        codes, times, up = codes[valid], times[valid], up[valid]
    pieces = [(*_block_runs(codes, times, len(names), interval_ns), False)]
    down = ~np.asarray(up, dtype=bool)
    if down.any():
        pieces.append((*_block_runs(codes[down], times[down], len(names), interval_ns), True))
    run_codes = np.concatenate([p[0] for p in pieces]).astype(np.int32)
    starts = np.concatenate([p[1] for p in pieces])
    ends = np.concatenate([p[2] for p in pieces])
    flags = np.concatenate([np.full(len(p[0]), p[3], dtype=bool) for p in pieces])
    return pa.Table.from_arrays([
        pa.DictionaryArray.from_arrays(from_numpy(run_codes), strings(names)),
        from_numpy(starts), from_numpy(ends), from_numpy(flags),
    ], schema=RUNS_SCHEMA)


class ProbeRuns:
    """Runs of one source read for a time range, by service: what samples cover, and what is down."""

    def __init__(self, table: pa.Table | None, after: int | None = None) -> None:
        """Runs of `table` that end after `after` (all when None)."""
        self.by_service: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]] = {}
        if table is None or table.num_rows == 0:
            return
        codes, names = dictionary_codes(table.column("service"))
        starts = to_numpy(table.column("start"))
        ends = to_numpy(table.column("end"))
        down = to_numpy(table.column("down"))
        if after is not None:
            keep = ends > after
            codes, starts, ends, down = codes[keep], starts[keep], ends[keep], down[keep]
        for name, rows in rows_by_code(codes, names).items():
            self.by_service[name] = (starts[rows], ends[rows], down[rows])

    def of(self, service: str, before: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                                                      npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(covered starts, covered ends, down starts, down ends) of one service, cut at `before`.

        Cutting a run at `before` gives what the samples taken before `before` cover up to it:
        within a run, each sample starts before the previous one's interval ends.
        """
        if service not in self.by_service:
            empty = np.empty(0, np.int64)
            return empty, empty, empty, empty
        starts, ends, down = self.by_service[service]
        keep = starts < before
        starts, ends, down = starts[keep], np.minimum(ends[keep], before), down[keep]
        return starts[~down], ends[~down], starts[down], ends[down]
