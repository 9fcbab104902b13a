"""A naive reference for compliance figures: minute by minute, no interval arithmetic, no cleverness.

Used by the property tests to check the vectorised engine. Everything is on a grid of whole
UTC minutes, so minute counts x 60 must equal the engine's seconds exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


@dataclass
class NaiveCalendar:
    zone: str
    hours: dict[str, list[tuple[int, int]]] | None  # None = 24x7
    holidays: set[date] = field(default_factory=set)

    def in_service(self, minute: int) -> bool:
        local = datetime.fromtimestamp(minute * 60, tz=ZoneInfo(self.zone))
        if local.date() in self.holidays:
            return False
        if self.hours is None:
            return True
        wall = local.hour * 60 + local.minute
        return any(b <= wall < e for b, e in self.hours.get(WEEKDAYS[local.weekday()], []))


def weekly_occurrences(zone: str, weekday: str, at: int, duration_min: int, first: date, last: date) -> list[tuple[int, int]]:
    """Each matching local date's start (zoneinfo, fold=0) and its end `duration` later, in minutes."""
    found = []
    day = first
    while day <= last:
        if WEEKDAYS[day.weekday()] == weekday:
            start = datetime.combine(day, time(at // 60, at % 60), tzinfo=ZoneInfo(zone))
            begin = minute_of(start)
            found.append((begin, begin + duration_min))
        day += timedelta(days=1)
    return found


def month_minutes(year: int, month: int, zone: str) -> tuple[int, int]:
    start = datetime(year, month, 1, tzinfo=ZoneInfo(zone))
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=ZoneInfo(zone))
    return minute_of(start), minute_of(end)


def availability(
    window: tuple[int, int],
    calendar: NaiveCalendar,
    excluded_ranges: list[tuple[int, int]],
    samples: list[tuple[int, bool]] | None,
    interval_min: int,
    outages: list[tuple[int, int, float]] | None,
) -> dict[str, float]:
    """eligible, excluded, known and bad minutes for one service, one instant at a time."""
    start, end = window
    n = end - start
    service = np.array([calendar.in_service(start + i) for i in range(n)], dtype=bool)
    excluded = np.zeros(n, dtype=bool)
    for lo, hi in excluded_ranges:
        for m in range(max(lo, start), min(hi, end)):
            excluded[m - start] = True
    excluded &= service
    eligible = service & ~excluded
    known = np.zeros(n, dtype=bool)
    weight = np.zeros(n)
    if samples is not None:
        down = np.zeros(n, dtype=bool)
        for t, up in samples:
            for m in range(t, t + interval_min):
                if start <= m < end:
                    known[m - start] = True
                    if not up:
                        down[m - start] = True
        weight = down.astype(float)
    else:
        known[:] = True
        for lo, hi, impact in outages or []:
            for m in range(max(lo, start), min(hi, end)):
                weight[m - start] = max(weight[m - start], impact)
    known &= eligible
    return {
        "eligible": int(eligible.sum()),
        "excluded": int(excluded.sum()),
        "known": int(known.sum()),
        "bad": float((weight * known).sum()),
    }


def ticket_elapsed(
    opened: int, stop: int, clock: NaiveCalendar | None, paused: list[tuple[int, int]], excluded: list[tuple[int, int]]
) -> int:
    """Minutes of [opened, stop) in clock hours, not paused, not excluded."""
    total = 0
    for m in range(opened, stop):
        if clock is not None and not clock.in_service(m):
            continue
        if any(lo <= m < hi for lo, hi in paused) or any(lo <= m < hi for lo, hi in excluded):
            continue
        total += 1
    return total


def utc_minute(text: str) -> int:
    return minute_of(datetime.fromisoformat(text).replace(tzinfo=timezone.utc))
