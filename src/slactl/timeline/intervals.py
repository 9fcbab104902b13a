"""Sets of half-open time intervals `[start, end)` as sorted, disjoint int64 nanosecond arrays.

Every operation is vectorised with numpy (sort, cumulative max, searchsorted): no Python loop
per interval, so millions of probe samples reduce in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import numpy.typing as npt

NS = 1_000_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Int64Array = npt.NDArray[np.int64]


# Instants from definitions are held between these bounds: a date such as `expires: 9999-12-31`
# ("never") or `start: 0001-01-01` lies beyond what int64 nanoseconds hold, and means the same
# as the bound for every period slactl computes (1971 to 2260).
FIRST_NS = 0  # 1970-01-01T00:00:00Z
LAST_NS = 9_218_800_000 * NS  # 2262-01-01T00:00:00Z


def to_ns(moment: datetime) -> int:
    """Nanoseconds since the epoch of an aware datetime (exact to the microsecond), within FIRST_NS..LAST_NS."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give it a time zone first")
    delta = moment - EPOCH
    value = (delta.days * 86_400 + delta.seconds) * NS + delta.microseconds * 1000
    return min(max(value, FIRST_NS), LAST_NS)


def from_ns(value: int) -> datetime:
    return datetime.fromtimestamp(value // NS, tz=timezone.utc).replace(microsecond=(value % NS) // 1000)


@dataclass(frozen=True)
class IntervalSet:
    """A normalised set: starts strictly increasing, ends > starts, no two intervals touching."""

    starts: Int64Array
    ends: Int64Array

    @staticmethod
    def empty() -> IntervalSet:
        return IntervalSet(np.empty(0, np.int64), np.empty(0, np.int64))

    @staticmethod
    def single(start: int, end: int) -> IntervalSet:
        if end <= start:
            return IntervalSet.empty()
        return IntervalSet(np.array([start], np.int64), np.array([end], np.int64))

    @staticmethod
    def from_arrays(starts: npt.ArrayLike, ends: npt.ArrayLike) -> IntervalSet:
        """The union of possibly overlapping, unsorted intervals (empty ones are dropped)."""
        s = np.asarray(starts, dtype=np.int64)
        e = np.asarray(ends, dtype=np.int64)
        keep = e > s
        s, e = s[keep], e[keep]
        if s.size == 0:
            return IntervalSet.empty()
        order = np.argsort(s, kind="stable")
        s, e = s[order], e[order]
        running_end = np.maximum.accumulate(e)
        new_group = np.empty(s.size, dtype=bool)
        new_group[0] = True
        new_group[1:] = s[1:] > running_end[:-1]
        first = np.flatnonzero(new_group)
        return IntervalSet(s[first], np.maximum.reduceat(e, first))

    def __len__(self) -> int:
        return int(self.starts.size)

    def measure(self) -> int:
        return int((self.ends - self.starts).sum())

    def union(self, other: IntervalSet) -> IntervalSet:
        return IntervalSet.from_arrays(np.concatenate([self.starts, other.starts]), np.concatenate([self.ends, other.ends]))

    def intersect(self, other: IntervalSet) -> IntervalSet:
        if other.starts.size == 1:
            return self.clip(int(other.starts[0]), int(other.ends[0]))
        if self.starts.size == 1:
            return other.clip(int(self.starts[0]), int(self.ends[0]))
        return _combine(self, other, lambda a, b: a & b)

    def subtract(self, other: IntervalSet) -> IntervalSet:
        if other.starts.size == 0:
            return self
        return _combine(self, other, lambda a, b: a & ~b)

    def clip(self, start: int, end: int) -> IntervalSet:
        """The part of the set inside [start, end)."""
        if self.starts.size == 0 or end <= start:
            return IntervalSet.empty()
        first = int(np.searchsorted(self.ends, start, side="right"))  # intervals ending after start
        last = int(np.searchsorted(self.starts, end, side="left"))  # intervals starting before end
        if first >= last:
            return IntervalSet.empty()
        starts = self.starts[first:last].copy()
        ends = self.ends[first:last].copy()
        starts[0] = max(int(starts[0]), start)
        ends[-1] = min(int(ends[-1]), end)
        return IntervalSet(starts, ends)

    def cumulative(self, points: npt.ArrayLike) -> Int64Array:
        """Measure of this set before each point: |self ∩ (-inf, p)| for every p, vectorised."""
        p = np.asarray(points, dtype=np.int64)
        if self.starts.size == 0:
            return np.zeros(p.shape, dtype=np.int64)
        lengths = self.ends - self.starts
        before = np.concatenate([[0], np.cumsum(lengths)])
        idx = np.searchsorted(self.starts, p, side="right") - 1
        safe = np.clip(idx, 0, None)
        partial = np.clip(np.minimum(p, self.ends[safe]) - self.starts[safe], 0, None)
        result = before[safe] + partial
        return np.where(idx < 0, 0, result).astype(np.int64)

    def measure_between(self, starts: npt.ArrayLike, ends: npt.ArrayLike) -> Int64Array:
        """|self ∩ [s, e)| for many ranges at once (0 where e <= s)."""
        s = np.asarray(starts, dtype=np.int64)
        e = np.asarray(ends, dtype=np.int64)
        return np.clip(self.cumulative(e) - self.cumulative(s), 0, None)

    def contains(self, points: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """Which points fall inside the set."""
        p = np.asarray(points, dtype=np.int64)
        if self.starts.size == 0:
            return np.zeros(p.shape, dtype=bool)
        idx = np.searchsorted(self.starts, p, side="right") - 1
        safe = np.clip(idx, 0, None)
        return (idx >= 0) & (p < self.ends[safe])



def _combine(
    a: IntervalSet,
    b: IntervalSet,
    keep: Callable[[npt.NDArray[np.bool_], npt.NDArray[np.bool_]], npt.NDArray[np.bool_]],
) -> IntervalSet:
    """Intersection or difference by one sweep over both sets' boundaries (`keep` says which)."""
    if a.starts.size == 0:
        return IntervalSet.empty()
    positions = np.concatenate([a.starts, a.ends, b.starts, b.ends])
    na, nb = a.starts.size, b.starts.size
    delta_a = np.concatenate([np.ones(na), -np.ones(na), np.zeros(2 * nb)])
    delta_b = np.concatenate([np.zeros(2 * na), np.ones(nb), -np.ones(nb)])
    unique, inverse = np.unique(positions, return_inverse=True)
    in_a = np.cumsum(np.bincount(inverse, weights=delta_a, minlength=unique.size)) > 0.5
    in_b = np.cumsum(np.bincount(inverse, weights=delta_b, minlength=unique.size)) > 0.5
    mask = keep(in_a[:-1], in_b[:-1])
    if not mask.any():
        return IntervalSet.empty()
    edges = np.diff(np.concatenate([[False], mask, [False]]).astype(np.int8))
    run_starts = np.flatnonzero(edges == 1)
    run_ends = np.flatnonzero(edges == -1)
    return IntervalSet(unique[run_starts].astype(np.int64), unique[run_ends].astype(np.int64))
