"""Reporting periods as dates: a month `2026-10` or a quarter `2026-Q4`, and the ones before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


class PeriodError(ValueError):
    """Text that is not a period; the message shows the accepted forms."""


@dataclass(frozen=True)
class Span:
    """A period's label and its first and last local day (inclusive)."""

    label: str
    first: date
    last: date

    @property
    def months(self) -> int:
        return 3 if "Q" in self.label else 1


def _month_start(year: int, month: int) -> date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def _make(year: int, month: int, months: int) -> Span:
    first = _month_start(year, month)
    nxt = _month_start(year, month + months)
    if months == 3:
        label = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    else:
        label = f"{first.year}-{first.month:02d}"
    return Span(label, first, nxt - timedelta(days=1))


def parse_span(text: str) -> Span:
    """A month or quarter, read (and its range checked) as `slactl compliance --period` reads it."""
    from slactl.compliance.periods import PeriodError as ComplianceRange
    from slactl.compliance.periods import parse_period

    try:
        period = parse_period(text)
    except ComplianceRange as exc:
        raise PeriodError(str(exc)) from None
    return _make(period.start.year, period.start.month, 3 if period.is_quarter else 1)


def shift(span: Span, count: int) -> Span:
    """The period `count` periods later (negative: earlier), of the same length."""
    return _make(span.first.year, span.first.month + count * span.months, span.months)


def before(span: Span, count: int) -> list[Span]:
    """The `count` periods before `span`, oldest first."""
    return [shift(span, -n) for n in range(count, 0, -1)]


def containing(day: date, months: int = 1) -> Span:
    month = day.month if months == 1 else ((day.month - 1) // 3) * 3 + 1
    return _make(day.year, month, months)


def describe_periods(labels: list[str]) -> str:
    """Period labels with runs of consecutive periods written first..last: `2026-01..2026-04, 2026-06`."""
    runs: list[list[str]] = []
    for label in labels:
        if runs and shift(parse_span(runs[-1][-1]), 1).label == label:
            runs[-1].append(label)
        else:
            runs.append([label])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}..{run[-1]}" for run in runs)
