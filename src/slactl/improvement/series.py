"""Attainment per local day (or per period) of one objective, computed by the compliance engine.

These series feed baselines, before-and-after comparisons, recurrence, CSAT correlation and ROI.
Every figure comes from `slactl.compliance.engine`, so it follows exactly the rules of
`slactl compliance` (SPEC 3): service hours of the agreement's calendar, maintenance windows and
declared exclusions, probe coverage with down winning over up, outage impact weighting, good/total
events, latency thresholds, 4-5 CSAT answers, and ticket clocks (business or wall, less pauses and
exclusions, each ticket counted once in the window its clock stops or where it first breaches).

A day series evaluates each local day [d 00:00, d+1 00:00) of the agreement's time zone as its own
window with `evaluate_window`; the store is read once for the whole range and each day is served
the rows that can matter to it. A period figure is the engine's result for that period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from slactl.compliance.framestore import FrameStore
from slactl.loader.documents import LoadResult
from slactl.model.agreement import Objective
from slactl.timeline.intervals import NS, from_ns, to_ns


class FrameReader(Protocol):
    """What the analyses need from the store: `Store` has this shape (rows of a source, and its manifest)."""

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame: ...

    def manifest(self) -> dict[str, Any]: ...


def rows_between(load: LoadResult, reader: FrameReader, source_type: str, column: str,
                 start: datetime, end: datetime) -> Iterator[pd.DataFrame]:
    """The rows of each DataSource of `source_type` whose `column` (a time) is in [start, end); empty reads skipped."""
    for doc in load.of_kind("DataSource"):
        if doc.model.spec.type != source_type:
            continue
        frame = reader.read(str(doc.id), start, end)
        if frame.empty:
            continue
        times = pd.to_datetime(frame[column], utc=True)
        yield frame[(times >= pd.Timestamp(start)) & (times < pd.Timestamp(end))]


class Frames(FrameStore):
    """Frames held in memory, by source id: the store's `read` and `manifest` for data built in code."""


class CachedReader:
    """A reader that reads each (source, start, end) once: analyses ask for the same window per objective."""

    def __init__(self, reader: FrameReader) -> None:
        self.reader = reader
        self._frames: dict[tuple[str, datetime | None, datetime | None], pd.DataFrame] = {}
        self._manifest: dict[str, Any] | None = None

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
        key = (source_id, start, end)
        if key not in self._frames:
            self._frames[key] = self.reader.read(source_id, start, end)
        return self._frames[key]

    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            self._manifest = self.reader.manifest()
        return self._manifest


class SeriesError(Exception):
    """The objective cannot be measured from the data; the message says why."""


@dataclass
class DayValue:
    """One interval's measurement: good and total (seconds, slices, events, answers or tickets)."""

    day: date
    good: float
    total: float

    @property
    def attained(self) -> float | None:
        return 100.0 * self.good / self.total if self.total > 0 else None


@dataclass
class ObjectiveRefs:
    agreement: Any
    objective: Objective  # as the engine resolves it (`supports` inheritance applied)
    source: Any
    tz: ZoneInfo


def resolve(result: LoadResult, ref: str) -> ObjectiveRefs:
    """The agreement, objective, data source and time zone behind AGREEMENT/OBJECTIVE.

    The objective is the one the engine measures: an objective that `supports` another inherits
    what the engine lets it inherit. An objective the engine could only call insufficient_data for
    want of an indicator, a source or a fitting source raises SeriesError.
    """
    from slactl.compliance.engine import FITTING_SOURCES, _resolve_objective, agreement_calendar
    from slactl.timeline.calendar import zone_of

    agreement_id, _, objective_id = ref.partition("/")
    doc = result.index("agreement").get(agreement_id)
    if doc is None:
        raise SeriesError(f"no agreement '{agreement_id}' (from '{ref}')")
    own = next((o for o in doc.model.spec.objectives if o.id == objective_id), None)
    if own is None:
        raise SeriesError(f"agreement '{agreement_id}' has no objective '{objective_id}'")
    objective = _resolve_objective(result, own)
    if objective.indicator is None:
        raise SeriesError(f"objective '{ref}' has no indicator to measure")
    if not objective.source:
        raise SeriesError(f"objective '{ref}' names no data source to measure")
    source = result.get("DataSource", objective.source)
    if source is None:
        raise SeriesError(f"objective '{ref}' reads DataSource '{objective.source}', which is not defined")
    if source.model.spec.type not in FITTING_SOURCES[objective.indicator]:
        raise SeriesError(f"objective '{ref}' ({objective.indicator.value}) cannot be measured from a "
                          f"{source.model.spec.type} source")
    return ObjectiveRefs(doc, objective, source, zone_of(agreement_calendar(doc, result)))


# ---------------------------------------------------------------- one read, served day by day


_TIME_KEYED = {"probes": "time", "events": "time", "csat": "time", "complaints": "time"}
_SPAN_KEYED = {"outages": ("start", "end"), "pauses": ("start", "end"), "tickets": ("opened_at", "resolved_at")}
_MARGIN = 3 * 86_400 * NS


def _ns(frame: pd.DataFrame, column: str) -> npt.NDArray[np.int64]:
    from slactl.compliance.engine import ns_array
    from slactl.compliance.tickets import NAT

    return ns_array(frame[column]) if column in frame else np.full(len(frame), NAT, np.int64)


@dataclass
class _Held:
    """One source's rows for [lo, hi), sorted by its main time, with the times as int64 ns."""

    lo: int
    hi: int
    frame: pd.DataFrame
    first: npt.NDArray[np.int64] | None  # main time (time, start, opened_at); None: not sliced
    last: npt.NDArray[np.int64] | None  # end time of interval-like rows (NAT: still open)

    def between(self, start: int, end: int) -> pd.DataFrame:
        """The rows the store would return for [start, end) (a superset of what matters; the engine re-filters)."""
        from slactl.compliance.tickets import NAT

        if self.first is None:
            return self.frame
        upto = int(np.searchsorted(self.first, end, side="left"))
        if self.last is None:
            return self.frame.iloc[int(np.searchsorted(self.first, start, side="left")):upto]
        last = self.last[:upto]
        return self.frame.take(np.flatnonzero((last == NAT) | (last >= start)))


class SpanReader:
    """Reads each source once for a whole range and serves the engine's per-window reads from it.

    `services` (optional) keeps only those services' rows of the measured source: the engine
    looks at no other. Reads outside the range held widen it (one more read of the store).
    """

    def __init__(self, reader: FrameReader, result: LoadResult, start: int, end: int,
                 services: dict[str, set[str]] | None = None) -> None:
        self.reader = reader
        self.result = result
        self.lo, self.hi = start - _MARGIN, end + _MARGIN
        self.services = services or {}
        self._held: dict[str, _Held] = {}
        self._manifest: dict[str, Any] | None = None

    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            self._manifest = self.reader.manifest()
        return self._manifest

    def _type(self, source_id: str) -> str:
        doc = self.result.get("DataSource", source_id)
        return str(doc.model.spec.type) if doc is not None else ""

    def _hold(self, source_id: str, lo: int, hi: int) -> _Held:
        frame = self.reader.read(source_id, from_ns(lo), from_ns(hi))
        wanted = self.services.get(source_id)
        if wanted is not None and not frame.empty and "service" in frame:
            column = frame["service"]
            if isinstance(column.dtype, pd.CategoricalDtype):
                keep = np.isin(column.cat.codes.to_numpy(), [n for n, c in enumerate(column.cat.categories)
                                                              if str(c) in wanted])
            else:
                keep = column.astype(str).isin(wanted).to_numpy()
            if not keep.all():
                frame = frame[keep]
        kind = self._type(source_id)
        main = _TIME_KEYED.get(kind) or (_SPAN_KEYED[kind][0] if kind in _SPAN_KEYED else None)
        if main is None or main not in frame:
            # nothing to slice on: every read gets all rows
            return _Held(lo, hi, frame.reset_index(drop=True), None, None)
        first = _ns(frame, main)
        if first.size > 1 and not bool((first[1:] >= first[:-1]).all()):  # the store returns them sorted
            order = np.argsort(first, kind="stable")
            frame, first = frame.iloc[order], first[order]
        frame = frame.reset_index(drop=True)
        last = _ns(frame, _SPAN_KEYED[kind][1]) if kind in _SPAN_KEYED else None
        return _Held(lo, hi, frame, first, last)

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
        s = to_ns(start) if start is not None else None
        e = to_ns(end) if end is not None else None
        if s is None or e is None:
            return self.reader.read(source_id, start, end)
        held = self._held.get(source_id)
        if held is None or s < held.lo or e > held.hi:
            lo, hi = (self.lo, self.hi) if held is None else (held.lo, held.hi)
            held = self._held[source_id] = self._hold(source_id, min(s, lo), max(e, hi))
        return held.between(s, e)


# ---------------------------------------------------------------- day series


def _value(day: date, found: Any, objective: Objective) -> DayValue:
    """good/total of one window's result: seconds for availability (occurrences), else within/counted."""
    if found.indicator == "availability" and objective.budgeting != "timeslices":
        known = float(found.known_seconds or 0)
        return DayValue(day, known - float(found.bad_seconds or 0), known)
    return DayValue(day, float(found.within or 0), float(found.counted or 0))


def _services(refs: ObjectiveRefs) -> dict[str, set[str]]:
    objective = refs.objective
    names = {objective.service} if objective.service else {str(s) for s in refs.agreement.model.spec.services}
    return {str(refs.source.id): names}


def daily_values(
    result: LoadResult, ref: str, reader: FrameReader, first: date, last: date
) -> list[DayValue]:
    """Good and total per local day from `first` to `last` inclusive, for objective AGREEMENT/OBJECTIVE.

    Each day is the engine's `evaluate_window` over [d 00:00, d+1 00:00) in the agreement's zone.
    """
    from slactl.compliance.engine import Computation, evaluate_window

    refs = resolve(result, ref)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if not days:
        return []
    bounds = [datetime.combine(first + timedelta(days=n), time(0), tzinfo=refs.tz) for n in range(len(days) + 1)]
    own = next(o for o in refs.agreement.model.spec.objectives if o.id == ref.partition("/")[2])
    store = SpanReader(reader, result, to_ns(bounds[0]), to_ns(bounds[-1]), _services(refs))
    from slactl.improvement.coverage import DataExtents

    # an outage source counts time without records as up (SPEC 3.1); before its first record (or after
    # its last, without complete_until) that is no evidence of an improvement: such days are missing.
    # Other sources already know nothing there (a probe sample reaching into a day is data for it).
    extents = DataExtents(result, reader) if refs.source.model.spec.type == "outages" else None
    values = []
    for n, day in enumerate(days):
        if extents is not None and not extents.covers(str(refs.source.id), day, day, refs.tz):
            values.append(DayValue(day, 0.0, 0.0))
            continue
        comp = Computation(result=result, store=store)
        found = evaluate_window(comp, refs.agreement, own, bounds[n], bounds[n + 1], day.isoformat())
        values.append(_value(day, found, refs.objective))
    return values


def aggregate(values: list[DayValue]) -> float | None:
    """Attainment over several days: sums of good and total, never a mean of percentages."""
    total = sum(v.total for v in values)
    return 100.0 * sum(v.good for v in values) / total if total > 0 else None


# ---------------------------------------------------------------- period figures


def objective_results(result: LoadResult, ref: str, reader: FrameReader, periods: list[str]) -> list[Any]:
    """The engine's ObjectiveResult of AGREEMENT/OBJECTIVE for each period label (`2026-10`, `2026-Q4`),
    exactly as `slactl compliance --period P` reports it (status, credit, window)."""
    from slactl.compliance.engine import Computation, evaluate_objective
    from slactl.compliance.periods import parse_period

    refs = resolve(result, ref)
    own = next(o for o in refs.agreement.model.spec.objectives if o.id == ref.partition("/")[2])
    parsed = [parse_period(label) for label in periods]
    if not parsed:
        return []
    # the same range a day series over these periods reads (so a cached read serves both); windows
    # that reach further (rolling, quarter) widen it
    start = to_ns(datetime.combine(min(p.start for p in parsed), time(0), tzinfo=refs.tz))
    end = to_ns(datetime.combine(max(p.end for p in parsed), time(0), tzinfo=refs.tz))
    store = SpanReader(reader, result, start, end, _services(refs))
    comp = Computation(result=result, store=store)
    return [evaluate_objective(comp, refs.agreement, own, period, None) for period in parsed]


def period_results(result: LoadResult, reader: FrameReader, period: str, root: Path | None = None) -> list[Any]:
    """ObjectiveResult records of every agreement in force for `period`, from the compliance engine."""
    from slactl.compliance.engine import compute_compliance

    report = compute_compliance(Path(root or "."), result, period, store=reader, ingest=False)
    return list(report.results)
