"""The down-time picture of one service: what time is known, and how bad each instant is.

Badness is kept as nested levels so that weighted downtime (outage `impact`) stays exact:
bad(A) = sum_i increment_i x |level_i ∩ A|, where level_i is the time whose weight is at least
the i-th largest weight. Probes have a single level of weight 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from slactl.compliance.credits import exact
from slactl.timeline.intervals import IntervalSet


@dataclass
class ServiceTimeline:
    """Known time and weighted down time of one service inside an objective's eligible time."""

    known: IntervalSet
    levels: list[tuple[Fraction, IntervalSet]] = field(default_factory=list)

    def bad_exact(self) -> Fraction:
        return sum((inc * level.measure() for inc, level in self.levels), Fraction(0))

    def bad_between(self, starts: npt.ArrayLike, ends: npt.ArrayLike) -> npt.NDArray[np.float64]:
        total = np.zeros(np.asarray(starts).shape, dtype=np.float64)
        for inc, level in self.levels:
            total += float(inc) * level.measure_between(starts, ends)
        return total

    def down(self) -> IntervalSet:
        """Time with any downtime at all (the largest level)."""
        return self.levels[-1][1] if self.levels else IntervalSet.empty()


def probe_timeline(
    times: npt.NDArray[np.int64], up: npt.NDArray[np.bool_], interval_ns: int, eligible: IntervalSet
) -> ServiceTimeline:
    """Samples cover [t, t + interval); an instant is down when any sample covering it is down."""
    ends = times + interval_ns
    known = IntervalSet.from_arrays(times, ends).intersect(eligible)
    down_mask = ~up
    return timeline_of(known, IntervalSet.from_arrays(times[down_mask], ends[down_mask]))


def timeline_of(known: IntervalSet, down: IntervalSet) -> ServiceTimeline:
    """Probe time known (already inside eligible time) and the time any down sample covers."""
    down = down.intersect(known)
    return ServiceTimeline(known=known, levels=[(Fraction(1), down)] if len(down) else [])


def outage_timeline(
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    impacts: npt.NDArray[np.float64],
    known: IntervalSet,
) -> ServiceTimeline:
    """The weight of an instant is the largest impact of the outages covering it."""
    levels: list[tuple[Fraction, IntervalSet]] = []
    weights = sorted({float(w) for w in impacts if w > 0}, reverse=True)
    for i, weight in enumerate(weights):
        nxt = weights[i + 1] if i + 1 < len(weights) else 0.0
        mask = impacts >= weight
        level = IntervalSet.from_arrays(starts[mask], ends[mask]).intersect(known)
        if len(level):
            levels.append((exact(min(weight, 1.0)) - exact(min(nxt, 1.0)), level))
    return ServiceTimeline(known=known, levels=levels)


def apply_min_downtime(
    timeline: ServiceTimeline, raw_down: IntervalSet, excluded: IntervalSet, min_ns: int
) -> ServiceTimeline:
    """Drop down runs shorter than `min_ns`.

    Excluded time is cut out of the timeline first, so down time on both sides of an exclusion
    forms one run. `raw_down` is the down time before eligibility was applied (so service hours
    do not split a run); a run's length is its down time outside excluded time.
    """
    down = raw_down.subtract(excluded)
    if len(down) == 0:
        return timeline
    gaps_start = down.ends[:-1]
    gaps_end = down.starts[1:]
    gap_len = gaps_end - gaps_start
    covered = excluded.measure_between(gaps_start, gaps_end)
    joined = covered >= gap_len  # the gap is entirely excluded time
    new_run = np.concatenate([[True], ~joined])
    run_id = np.cumsum(new_run) - 1
    lengths = np.bincount(run_id, weights=(down.ends - down.starts).astype(np.float64))
    short = lengths[run_id] < min_ns
    if not short.any():
        return timeline
    dropped = IntervalSet.from_arrays(down.starts[short], down.ends[short])
    levels = [(inc, level.subtract(dropped)) for inc, level in timeline.levels]
    return ServiceTimeline(known=timeline.known, levels=[(inc, lv) for inc, lv in levels if len(lv)])
