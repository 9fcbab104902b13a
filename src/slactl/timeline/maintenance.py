"""Scheduled maintenance windows and declared exclusions as intervals (SPEC 2.4)."""

from __future__ import annotations

import calendar as _calendar
from zoneinfo import ZoneInfo

import numpy as np

from slactl.model.agreement import Exclusion, Maintenance
from slactl.model.common import WEEKDAYS
from slactl.timeline.calendar import local_dates, local_instant, localize
from slactl.timeline.intervals import LAST_NS, NS, IntervalSet, to_ns


def _minutes(at: str | None) -> int:
    if not at:
        return 0
    hours, minutes = at.split(":")
    return int(hours) * 60 + int(minutes)


def maintenance_occurrences(window: Maintenance, start_ns: int, end_ns: int, zone: ZoneInfo) -> IntervalSet:
    """Occurrences of one window overlapping [start, end), clipped to it."""
    duration = int(round((window.duration or 0) * NS))
    starts: list[int] = []
    if window.every == "once":
        if window.start is None:
            return IntervalSet.empty()
        begin = to_ns(localize(window.start, zone))
        finish = to_ns(localize(window.end, zone)) if window.end is not None else min(begin + duration, LAST_NS)
        return IntervalSet.single(begin, finish).clip(start_ns, end_ns)
    if duration <= 0:
        return IntervalSet.empty()
    at = _minutes(window.at)
    # a window may start before the range and run into it: look back by its duration
    lookback = start_ns - duration - NS * 86_400
    for day in local_dates(lookback, end_ns, zone):
        if window.every == "week":
            if str(window.on).lower()[:3] != WEEKDAYS[day.weekday()]:
                continue
        elif window.every == "month":
            try:
                wanted = int(window.on)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue
            if day.day != wanted or wanted > _calendar.monthrange(day.year, day.month)[1]:
                continue
        starts.append(local_instant(day, at, zone))
    s = np.array(starts, np.int64)
    return IntervalSet.from_arrays(s, s + duration).clip(start_ns, end_ns)


def maintenance_time(windows: list[Maintenance], start_ns: int, end_ns: int, zone: ZoneInfo) -> IntervalSet:
    result = IntervalSet.empty()
    for window in windows:
        result = result.union(maintenance_occurrences(window, start_ns, end_ns, zone))
    return result


def exclusion_time(exclusions: list[Exclusion], start_ns: int, end_ns: int, zone: ZoneInfo) -> IntervalSet:
    if not exclusions:
        return IntervalSet.empty()
    s = [to_ns(localize(item.start, zone)) for item in exclusions]
    e = [to_ns(localize(item.end, zone)) for item in exclusions]
    return IntervalSet.from_arrays(s, e).clip(start_ns, end_ns)


