"""Service hours of a calendar as real (UTC) time: local wall-clock hours, holidays, DST.

Service hours are wall-clock hours: an instant is in service when the local clock then shows a
time inside the day's intervals. A time that occurs twice (fall back) means its first occurrence;
a start inside a spring-forward gap begins when the clocks jump.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from slactl.model.common import WEEKDAYS, interval_minutes
from slactl.model.kinds import CalendarSpec
from slactl.timeline.intervals import NS, IntervalSet, to_ns

UTC = ZoneInfo("UTC")


def local_instant(day: date, minutes: int, zone: ZoneInfo) -> int:
    """Nanoseconds of local wall-clock `day` + `minutes` (0..1440) in `zone`, fold=0."""
    if minutes >= 1440:
        day = day + timedelta(days=minutes // 1440)
        minutes %= 1440
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return to_ns(wall)


def wall_instant(day: date, minutes: int, zone: ZoneInfo) -> int:
    """The first instant at which the local wall clock reads `day` + `minutes` or later.

    Same as `local_instant` except inside a spring-forward gap, where the wall time never shows:
    there it is the moment the clocks jump, so service hours cover exactly the wall-clock hours.
    """
    instant = local_instant(day, minutes, zone)
    wall = datetime.fromtimestamp(instant / NS, tz=zone)
    wanted = datetime.combine(day, time(0, 0)) + timedelta(minutes=minutes)
    if wall.replace(tzinfo=None) == wanted:
        return instant
    step = 60 * NS
    offset = wall.utcoffset()
    while datetime.fromtimestamp((instant - step) / NS, tz=zone).utcoffset() == offset:
        instant -= step
    return instant


def local_dates(start_ns: int, end_ns: int, zone: ZoneInfo) -> list[date]:
    """Every local date touched by [start, end), with a day of margin on both sides."""
    from slactl.timeline.intervals import from_ns

    first = from_ns(start_ns).astimezone(zone).date() - timedelta(days=1)
    last = from_ns(end_ns).astimezone(zone).date() + timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def service_hours(calendar: CalendarSpec | None, start_ns: int, end_ns: int) -> IntervalSet:
    """Service time within [start, end): the calendar's hours less holidays; 24x7 without a calendar."""
    if calendar is None:
        return IntervalSet.single(start_ns, end_ns)
    zone = ZoneInfo(calendar.timezone)
    holidays = set(calendar.holidays)
    hours = {day: [interval_minutes(text) for text in intervals] for day, intervals in calendar.hours.items()}
    starts: list[int] = []
    ends: list[int] = []
    for day in local_dates(start_ns, end_ns, zone):
        if day in holidays:
            continue
        for begin, finish in hours.get(WEEKDAYS[day.weekday()], ()):
            starts.append(wall_instant(day, begin, zone))
            ends.append(wall_instant(day, finish, zone))
    return IntervalSet.from_arrays(np.array(starts, np.int64), np.array(ends, np.int64)).clip(start_ns, end_ns)


def zone_of(calendar: CalendarSpec | None) -> ZoneInfo:
    return ZoneInfo(calendar.timezone) if calendar is not None else UTC


def localize(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware datetime: naive ones are read in `zone` (fold=0), aware ones are kept."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone, fold=0)
