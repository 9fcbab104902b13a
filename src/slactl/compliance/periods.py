"""Reporting periods (`2026-10`, `2026-Q4`) and objective windows (calendar month/quarter, rolling 28/30 days).

A period is a span of local calendar dates; it becomes instants only in an agreement's time zone,
so `2026-10` in Europe/London starts at 2026-10-01T00:00 local time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slactl.model.agreement import Window
from slactl.timeline.intervals import to_ns

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


class PeriodError(ValueError):
    """A period or as-of text that cannot be read; the message says what to write."""


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter as a half-open span of local dates [start, end)."""

    label: str
    start: date
    end: date

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.label

    def bounds(self, zone: ZoneInfo) -> tuple[int, int]:
        return local_midnight(self.start, zone), local_midnight(self.end, zone)

    def previous(self, count: int) -> list[Period]:
        """The `count` periods of the same length before this one, oldest first."""
        step = 3 if self.is_quarter else 1
        found = []
        current: Period = self
        for _ in range(count):
            start = _add_months(current.start, -step)
            current = month_or_quarter(start, quarter=self.is_quarter)
            found.append(current)
        return list(reversed(found))

    def next(self) -> Period:
        return month_or_quarter(self.end, quarter=self.is_quarter)


def month_or_quarter(start: date, quarter: bool = False) -> Period:
    if quarter:
        q = (start.month - 1) // 3
        first = date(start.year, q * 3 + 1, 1)
        return Period(f"{first.year}-Q{q + 1}", first, _add_months(first, 3))
    first = date(start.year, start.month, 1)
    return Period(f"{first.year}-{first.month:02d}", first, _add_months(first, 1))


def parse_period(text: str) -> Period:
    """`2026-10` (a calendar month) or `2026-Q4` (a calendar quarter)."""
    value = str(text).strip()
    match = _MONTH.match(value) or _QUARTER.match(value)
    if match and not 1971 <= int(match.group(1)) <= 2260:  # nanosecond time stamps end in April 2262
        raise PeriodError(f"'{text}' is out of range; periods run from 1971 to 2260")
    match = _MONTH.match(value)
    if match:
        return month_or_quarter(date(int(match.group(1)), int(match.group(2)), 1))
    match = _QUARTER.match(value)
    if match:
        return month_or_quarter(date(int(match.group(1)), (int(match.group(2)) - 1) * 3 + 1, 1), quarter=True)
    raise PeriodError(f"'{text}' is not a period; write a month such as 2026-10 or a quarter such as 2026-Q4")


def local_midnight(day: date, zone: ZoneInfo) -> int:
    return to_ns(datetime.combine(day, time(0, 0), tzinfo=zone))


def parse_as_of(text: str) -> datetime:
    """`2026-10-15` (the start of that local day) or an ISO 8601 date-time, naive or with an offset."""
    value = str(text).strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0, 0))
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PeriodError(
            f"'{text}' is not a date or date-time; write 2026-10-15 or 2026-10-15T12:00:00+01:00"
        ) from None


@dataclass(frozen=True)
class EvaluationWindow:
    """The instants an objective is judged over, and how much of it has happened by `as_of`."""

    label: str
    start: int
    end: int
    as_of: int
    period_open: bool = False  # the reporting period itself is judged before its end

    @property
    def in_progress(self) -> bool:
        return self.as_of < self.end

    @property
    def live(self) -> bool:
        """Leading indicators (burn rates, alerts) apply: the window or the reporting period is still open."""
        return self.in_progress or self.period_open

    @property
    def effective_end(self) -> int:
        return min(self.end, self.as_of)


def evaluation_window(period: Period, window: Window, zone: ZoneInfo, as_of: datetime | None) -> EvaluationWindow:
    """The span an objective is judged over for a reporting period, as of `as_of`.

    `as_of` defaults to the end of the period and is cut to it. Calendar windows: when the period
    is longer than the window (a monthly objective in a quarterly report) the whole period is
    judged; otherwise the month or quarter that holds `as_of` (the instant before it, when `as_of`
    is the end of the period), so a quarterly objective in a monthly report is judged quarter to
    date. Rolling windows are the N local days ending at `as_of` (rolling_28d with --period 2026-10
    is [2026-10-04, 2026-11-01)).
    """
    period_start, period_end = period.bounds(zone)
    if as_of is None:
        as_of_local = datetime.combine(period.end, time(0, 0), tzinfo=zone)
    else:
        as_of_local = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=zone, fold=0)
    # an as-of before the period starts in this zone (an agreement further west, judged `now` just after
    # midnight elsewhere) judges nothing yet: the period is in progress with no time elapsed
    as_of_ns = max(min(to_ns(as_of_local), period_end), period_start)
    period_open = as_of_ns < period_end
    as_of_local = datetime.fromtimestamp(as_of_ns / 1e9, tz=zone)
    if window in (Window.ROLLING_28D, Window.ROLLING_30D):
        days = 28 if window == Window.ROLLING_28D else 30
        start_local = datetime.combine(as_of_local.date() - timedelta(days=days), as_of_local.time(), tzinfo=zone)
        return EvaluationWindow(period.label, to_ns(start_local), as_of_ns, as_of_ns, period_open)
    quarter = window == Window.CALENDAR_QUARTER
    if period.is_quarter and not quarter:
        return EvaluationWindow(period.label, period_start, period_end, as_of_ns, period_open)
    anchor = as_of_local - timedelta(microseconds=1) if as_of_ns == period_end else as_of_local
    span = month_or_quarter(anchor.date(), quarter=quarter)
    start_ns, end_ns = span.bounds(zone)
    label = period.label if (span.start, span.end) == (period.start, period.end) else span.label
    return EvaluationWindow(label, start_ns, end_ns, min(as_of_ns, end_ns), period_open)
