"""Ticket clocks (SPEC 3.3): elapsed business or wall time, pauses, and the one period a ticket counts in."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slactl.timeline.intervals import IntervalSet

NAT = np.iinfo(np.int64).min


@dataclass
class TicketFigures:
    counted: int
    within: int
    pending: int
    elapsed_ns: npt.NDArray[np.int64]  # of the counted tickets, at their stop (or at the period end if still open)
    counted_ids: list[str]
    breached_ids: list[str]
    breached_open_ids: list[str]


def _paused(
    clock: IntervalSet,
    ticket_index: npt.NDArray[np.int64],
    pause_start: npt.NDArray[np.int64],
    pause_end: npt.NDArray[np.int64],
    opened: npt.NDArray[np.int64],
    at: npt.NDArray[np.int64],
    n: int,
) -> npt.NDArray[np.int64]:
    """Per ticket: clock time inside its (merged) pauses within [opened, at)."""
    if ticket_index.size == 0:
        return np.zeros(n, dtype=np.int64)
    lo = np.maximum(pause_start, opened[ticket_index])
    hi = np.minimum(pause_end, at[ticket_index])
    hi = np.maximum(hi, lo)
    amount = clock.measure_between(lo, hi)
    return np.bincount(ticket_index, weights=amount.astype(np.float64), minlength=n).astype(np.int64)


def merge_pauses(
    ticket_index: npt.NDArray[np.int64], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Union of each ticket's pause intervals, so overlapping pauses are not subtracted twice."""
    if ticket_index.size == 0:
        return ticket_index, starts, ends
    import pandas as pd

    frame = pd.DataFrame({"t": ticket_index, "s": starts, "e": ends}).sort_values(["t", "s"], kind="stable")
    frame["run"] = frame.groupby("t")["e"].cummax()
    prev_run = frame.groupby("t")["run"].shift(1)
    new_group = prev_run.isna() | (frame["s"] > prev_run)
    frame["g"] = new_group.cumsum()
    merged = frame.groupby("g").agg(t=("t", "first"), s=("s", "min"), e=("e", "max"))
    return (
        merged["t"].to_numpy(np.int64),
        merged["s"].to_numpy(np.int64),
        merged["e"].to_numpy(np.int64),
    )


def evaluate_tickets(
    ids: npt.NDArray[np.object_],
    opened: npt.NDArray[np.int64],
    stop: npt.NDArray[np.int64],
    clock: IntervalSet,
    pauses: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]],
    threshold_ns: int,
    period_start: int,
    period_end: int,
) -> TicketFigures:
    """Count tickets for the period [period_start, period_end) (period_end is min(end, as-of)).

    `stop` holds NAT for tickets whose clock has not stopped (by as-of). `clock` is the clock hours
    less declared exclusions. A ticket counts in the period its clock stopped, unless at the end of
    an earlier period it was open and already past its threshold: then it counts, breached, in the
    first such period. Still open and within threshold at the end: pending, not counted.
    """
    n = opened.size
    if n == 0:
        empty = np.empty(0, np.int64)
        return TicketFigures(0, 0, 0, empty, [], [], [])
    p_idx, p_start, p_end = merge_pauses(*pauses)
    has_stop = stop != NAT

    def elapsed_at(at: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        at = np.maximum(at, opened)
        raw = clock.measure_between(opened, at)
        return raw - _paused(clock, p_idx, p_start, p_end, opened, at, n)

    at_start = np.full(n, period_start, np.int64)
    at_end = np.full(n, period_end, np.int64)
    e_start = elapsed_at(at_start)
    e_end = elapsed_at(at_end)
    e_stop = elapsed_at(np.where(has_stop, stop, opened))

    open_at_start = (opened < period_start) & (~has_stop | (stop > period_start))
    breached_before = open_at_start & (e_start > threshold_ns)
    stopped_here = has_stop & (stop >= period_start) & (stop < period_end) & ~breached_before
    open_at_end = (opened < period_end) & (~has_stop | (stop > period_end))
    breached_open = open_at_end & (e_end > threshold_ns) & ~breached_before
    pending = open_at_end & (e_end <= threshold_ns)

    within_mask = stopped_here & (e_stop <= threshold_ns)
    counted_mask = stopped_here | breached_open
    elapsed = np.where(stopped_here, e_stop, e_end)[counted_mask]
    breached_mask = counted_mask & ~within_mask
    return TicketFigures(
        counted=int(counted_mask.sum()),
        within=int(within_mask.sum()),
        pending=int(pending.sum()),
        elapsed_ns=elapsed.astype(np.int64),
        counted_ids=[str(x) for x in ids[counted_mask]],
        breached_ids=[str(x) for x in ids[breached_mask]],
        breached_open_ids=[str(x) for x in ids[breached_open]],
    )
