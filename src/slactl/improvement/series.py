"""Attainment per day (or per period) of one objective, computed straight from the store's frames.

These series feed baselines, before-and-after comparisons, recurrence and ROI. They follow SPEC 3
for the measurement itself (probe coverage with down winning over up, outage impact weighting,
good/total events, latency thresholds, 4-5 CSAT answers, ticket clocks less pauses) but over whole
local days of the agreement's time zone: service hours, maintenance and exclusions are the
contractual report's business (`slactl compliance`), not needed to see whether a trend moved.
Ticket clocks here are wall-clock time less the objective's pause states.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from slactl.loader.documents import LoadResult
from slactl.model.agreement import Objective


class FrameReader(Protocol):
    """What the analyses need from the store: `Store.read` has this shape."""

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame: ...


class Frames:
    """Frames held in memory, by source id: the store's `read` for data built in code."""

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        self.frames = frames

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
        return self.frames.get(source_id, pd.DataFrame()).copy()


class CachedReader:
    """A reader that reads each (source, start, end) once: analyses ask for the same window per objective."""

    def __init__(self, reader: FrameReader) -> None:
        self.reader = reader
        self._frames: dict[tuple[str, datetime | None, datetime | None], pd.DataFrame] = {}

    def read(self, source_id: str, start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
        key = (source_id, start, end)
        if key not in self._frames:
            self._frames[key] = self.reader.read(source_id, start, end)
        return self._frames[key]


class SeriesError(Exception):
    """The objective cannot be measured from the data; the message says why."""


@dataclass
class DayValue:
    """One interval's measurement: good and total (seconds, events, answers or tickets)."""

    day: date
    good: float
    total: float

    @property
    def attained(self) -> float | None:
        return 100.0 * self.good / self.total if self.total > 0 else None


@dataclass
class ObjectiveRefs:
    agreement: Any
    objective: Objective
    source: Any
    tz: ZoneInfo


def resolve(result: LoadResult, ref: str) -> ObjectiveRefs:
    """The agreement, objective, data source and time zone behind AGREEMENT/OBJECTIVE."""
    agreement_id, _, objective_id = ref.partition("/")
    doc = result.index("agreement").get(agreement_id)
    if doc is None:
        raise SeriesError(f"no agreement '{agreement_id}' (from '{ref}')")
    objective = next((o for o in doc.model.spec.objectives if o.id == objective_id), None)
    if objective is None:
        raise SeriesError(f"agreement '{agreement_id}' has no objective '{objective_id}'")
    if objective.supports and (objective.source is None or objective.indicator is None):
        # an OLA/UC objective inherits what it does not say from the SLA objective it underpins
        supported = resolve(result, objective.supports).objective
        own = {name: getattr(objective, name) for name in objective.model_fields_set}
        objective = supported.model_copy(update={**own, "id": objective.id})
    if objective.source is None or objective.indicator is None:
        raise SeriesError(f"objective '{ref}' has no source or indicator to measure")
    source = result.get("DataSource", objective.source)
    if source is None:
        raise SeriesError(f"objective '{ref}' reads DataSource '{objective.source}', which is not defined")
    tz = ZoneInfo("UTC")
    calendar_id = doc.model.spec.calendar
    if calendar_id and result.get("Calendar", calendar_id) is not None:
        tz = ZoneInfo(result.get("Calendar", calendar_id).model.spec.timezone)  # type: ignore[union-attr]
    return ObjectiveRefs(doc, objective, source, tz)


def union_length(starts: np.ndarray, ends: np.ndarray) -> float:
    """Measure (seconds) of a union of intervals given as float epoch seconds."""
    if len(starts) == 0:
        return 0.0
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    reach = np.maximum.accumulate(e)
    new_block = np.empty(len(s), dtype=bool)
    new_block[0] = True
    new_block[1:] = s[1:] > reach[:-1]
    block = np.cumsum(new_block) - 1
    block_start = s[new_block]
    block_end = np.zeros(len(block_start))
    np.maximum.at(block_end, block, reach)
    return float(np.sum(np.maximum(block_end - block_start, 0.0)))


def weighted_union(starts: np.ndarray, ends: np.ndarray, weights: np.ndarray) -> float:
    """Integral of the largest weight covering each instant (overlapping outages count once, at their worst)."""
    total = 0.0
    levels = sorted({float(w) for w in weights if w > 0}, reverse=True)
    for index, level in enumerate(levels):
        below = levels[index + 1] if index + 1 < len(levels) else 0.0
        mask = weights >= level
        total += union_length(starts[mask], ends[mask]) * (level - below)
    return total


_EPOCH = pd.Timestamp(0, tz="UTC")


def epoch_seconds(series: pd.Series) -> np.ndarray:
    """Seconds since 1970 as floats (NaN for missing), whatever the frame's datetime resolution."""
    stamps = pd.to_datetime(series, utc=True)
    return ((stamps - _EPOCH) / pd.Timedelta(seconds=1)).to_numpy(dtype=float, na_value=np.nan)


_epoch = epoch_seconds


def _filter(frame: pd.DataFrame, objective: Objective, services: list[str]) -> pd.DataFrame:
    if frame.empty:
        return frame
    if objective.service and "service" in frame:
        frame = frame[frame["service"] == objective.service]
    elif services and "service" in frame:
        frame = frame[frame["service"].isin(services)]
    for column, value in objective.filter.items():
        if column in frame:
            frame = frame[frame[column].astype(str) == str(value)]
    return frame


def day_bounds(day: date, tz: ZoneInfo) -> tuple[float, float]:
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.timestamp(), end.timestamp()


def daily_values(
    result: LoadResult, ref: str, reader: FrameReader, first: date, last: date
) -> list[DayValue]:
    """Good and total per local day from `first` to `last` inclusive, for objective AGREEMENT/OBJECTIVE."""
    refs = resolve(result, ref)
    objective, spec = refs.objective, refs.source.model.spec
    indicator = objective.indicator.value if objective.indicator else ""
    services = list(refs.agreement.model.spec.services)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if not days:
        return []
    start = datetime.combine(first, time(0), tzinfo=refs.tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=refs.tz)
    frame = _filter(reader.read(spec_id(refs), start, end), objective, services)
    bounds = [day_bounds(d, refs.tz) for d in days]
    if indicator == "availability":
        if spec.type == "probes":
            return _probe_days(frame, days, bounds, spec.interval or 60.0, spec)
        if spec.type == "outages":
            return _outage_days(frame, days, bounds, spec)
    if indicator in ("success_ratio", "latency") and spec.type == "events":
        return _event_days(frame, days, bounds, indicator, objective.threshold)
    if indicator == "csat" and spec.type == "csat":
        return _count_days(frame, "time", days, bounds, frame.get("score", pd.Series(dtype=float)) >= 4)
    if indicator in ("response_time", "resolution_time") and spec.type == "tickets":
        pauses = reader.read(spec.pauses) if spec.pauses else pd.DataFrame()
        return _ticket_days(frame, pauses, days, bounds, indicator, objective)
    raise SeriesError(f"objective '{ref}' ({indicator}) cannot be measured from a {spec.type} source")


def spec_id(refs: ObjectiveRefs) -> str:
    return str(refs.source.id)


def _probe_days(frame: pd.DataFrame, days: list[date], bounds: list[tuple[float, float]], interval: float,
                spec: Any) -> list[DayValue]:
    known = np.zeros(len(days))
    down = np.zeros(len(days))
    if not frame.empty:
        all_times = _epoch(frame["time"])
        all_up = frame["up"].astype(bool).to_numpy()
        inverse, services = pd.factorize(frame["service"].astype(str))
        for index in range(len(services)):
            chosen = inverse == index
            order = np.argsort(all_times[chosen], kind="stable")
            times, up = all_times[chosen][order], all_up[chosen][order]
            for n, (lo, hi) in enumerate(bounds):
                # samples are sorted: the ones covering part of [lo, hi) are one slice
                first = int(np.searchsorted(times, lo - interval, side="right"))
                last = int(np.searchsorted(times, hi, side="left"))
                if last <= first:
                    continue
                s = np.clip(times[first:last], lo, hi)
                e = np.clip(times[first:last] + interval, lo, hi)
                bad = ~up[first:last]
                known[n] += union_length(s, e)
                down[n] += union_length(s[bad], e[bad])
    return [DayValue(day, known[n] - down[n], known[n]) for n, day in enumerate(days)]


def _outage_days(frame: pd.DataFrame, days: list[date], bounds: list[tuple[float, float]], spec: Any) -> list[DayValue]:
    starts = _epoch(frame["start"]) if not frame.empty else np.array([])
    ends = _epoch(frame["end"]) if not frame.empty else np.array([])
    impact = frame["impact"].fillna(1.0).to_numpy(dtype=float) if not frame.empty and "impact" in frame else np.ones(len(starts))
    service_key = frame["service"].astype(str).to_numpy() if not frame.empty else np.array([])
    services = sorted(set(service_key)) or ["*"]
    complete = None
    if spec.complete_until is not None:
        value = spec.complete_until
        stamp = pd.Timestamp(value)
        complete = (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).timestamp()
    values = []
    for day, (lo, hi) in zip(days, bounds, strict=True):
        top = min(hi, complete) if complete is not None else hi
        span = max(0.0, top - lo)
        down = 0.0
        for service in services:
            sel = (service_key == service) & (starts < top) & (ends > lo)
            down += weighted_union(np.clip(starts[sel], lo, top), np.clip(ends[sel], lo, top), impact[sel])
        known = span * len(services)
        values.append(DayValue(day, known - down, known))
    return values


def _event_days(frame: pd.DataFrame, days: list[date], bounds: list[tuple[float, float]], indicator: str,
                threshold: float | None) -> list[DayValue]:
    times = _epoch(frame["time"]) if not frame.empty else np.array([])
    if indicator == "latency":
        latency = frame["latency_ms"].to_numpy(dtype=float) if not frame.empty else np.array([])
        limit = (threshold or 0.0) * 1000.0
        good = np.where(np.isnan(latency), 0.0, (latency <= limit).astype(float))
        total = (~np.isnan(latency)).astype(float)
    else:
        good = frame["good"].fillna(0).to_numpy(dtype=float) if not frame.empty else np.array([])
        total = frame["total"].fillna(0).to_numpy(dtype=float) if not frame.empty else np.array([])
    return _binned(days, bounds, times, good, total)


def _binned(days: list[date], bounds: list[tuple[float, float]], times: np.ndarray, good: np.ndarray,
            total: np.ndarray) -> list[DayValue]:
    """Sums of good and total per day [lo, hi) from instants, with one sort and two searches per day."""
    order = np.argsort(times, kind="stable")
    times = times[order]
    good_sum = np.concatenate([[0.0], np.cumsum(good[order])])
    total_sum = np.concatenate([[0.0], np.cumsum(total[order])])
    values = []
    for day, (lo, hi) in zip(days, bounds, strict=True):
        first = int(np.searchsorted(times, lo, side="left"))
        last = int(np.searchsorted(times, hi, side="left"))
        values.append(DayValue(day, float(good_sum[last] - good_sum[first]), float(total_sum[last] - total_sum[first])))
    return values


def _count_days(frame: pd.DataFrame, column: str, days: list[date], bounds: list[tuple[float, float]],
                good: pd.Series) -> list[DayValue]:
    times = _epoch(frame[column]) if not frame.empty else np.array([])
    flags = good.to_numpy(dtype=float) if not frame.empty else np.array([], dtype=float)
    return _binned(days, bounds, times, flags, np.ones(len(times)))


def ticket_elapsed(frame: pd.DataFrame, pauses: pd.DataFrame, indicator: str, pause_states: list[str]) -> pd.DataFrame:
    """Per ticket: stop time (epoch seconds, NaN while open) and wall-clock elapsed less pauses."""
    if frame.empty:
        return pd.DataFrame({"id": [], "stop": [], "elapsed": []})
    opened = _epoch(frame["opened_at"])
    resolved = _epoch(frame["resolved_at"]) if "resolved_at" in frame else np.full(len(frame), np.nan)
    resolved = np.where(pd.isna(frame["resolved_at"]).to_numpy(), np.nan, resolved) if "resolved_at" in frame else resolved
    if indicator == "response_time" and "responded_at" in frame:
        responded = np.where(pd.isna(frame["responded_at"]).to_numpy(), np.nan, _epoch(frame["responded_at"]))
        stop = np.where(np.isnan(responded), resolved, responded)
    else:
        stop = resolved
    elapsed = stop - opened
    ids = frame["id"].astype(str).to_numpy()
    if pause_states and not pauses.empty:
        chosen = pauses[pauses["state"].astype(str).isin(pause_states)]
        p_start = _epoch(chosen["start"])
        p_end = np.where(pd.isna(chosen["end"]).to_numpy(), np.inf, _epoch(chosen["end"])) if len(chosen) else np.array([])
        p_ids = chosen["ticket_id"].astype(str).to_numpy()
        for index, ticket in enumerate(ids):
            if np.isnan(stop[index]):
                continue
            sel = p_ids == ticket
            if sel.any():
                s = np.clip(p_start[sel], opened[index], stop[index])
                e = np.clip(p_end[sel], opened[index], stop[index])
                elapsed[index] -= union_length(s, e)
    return pd.DataFrame({"id": ids, "stop": stop, "elapsed": elapsed})


def _ticket_days(frame: pd.DataFrame, pauses: pd.DataFrame, days: list[date], bounds: list[tuple[float, float]],
                 indicator: str, objective: Objective) -> list[DayValue]:
    clocks = ticket_elapsed(frame, pauses, indicator, objective.pause_states)
    threshold = objective.threshold or 0.0
    stop = clocks["stop"].to_numpy(dtype=float)
    within = (clocks["elapsed"].to_numpy(dtype=float) <= threshold)
    values = []
    for day, (lo, hi) in zip(days, bounds, strict=True):
        mask = (stop >= lo) & (stop < hi)
        values.append(DayValue(day, float(within[mask].sum()), float(mask.sum())))
    return values


def aggregate(values: list[DayValue]) -> float | None:
    """Attainment over several days: sums of good and total, never a mean of percentages."""
    total = sum(v.total for v in values)
    return 100.0 * sum(v.good for v in values) / total if total > 0 else None


def credit_percent(attained: float | None, tiers: list[Any], cap: float = 100.0) -> float | None:
    """SPEC 3.5: the credit of the lowest `below` tier that attainment is under (tiers do not add up)."""
    if attained is None:
        return None
    applicable = [t for t in tiers if attained < t.below]
    if not applicable:
        return 0.0
    return min(cap, min(applicable, key=lambda t: t.below).credit)


def status_of(attained: float | None, objective: Objective) -> str:
    if attained is None:
        return "insufficient_data"
    if objective.target is not None and attained < objective.target:
        return "breached"
    if objective.warning is not None and attained < objective.warning:
        return "at_risk"
    return "met"


def period_results(result: LoadResult, reader: FrameReader, period: str, first: date, last: date) -> list[Any]:
    """ObjectiveResult records for every measurable objective over whole days `first`..`last`.

    Used when the compliance engine is not at hand: attainment and status from the day series,
    without service hours, maintenance or exclusions (see the module docstring).
    """
    from slactl.compliance.results import ObjectiveResult

    found = []
    for doc in result.agreements():
        for objective in doc.model.spec.objectives:
            ref = f"{doc.id}/{objective.id}"
            try:
                refs = resolve(result, ref)
                attained = aggregate(daily_values(result, ref, reader, first, last))
            except SeriesError:
                continue
            obj = refs.objective
            found.append(ObjectiveResult(
                agreement=str(doc.id), kind=str(doc.kind), objective=objective.id,
                indicator=obj.indicator.value if obj.indicator else "", target=obj.target, attained=attained,
                status=status_of(attained, obj), coverage=None, eligible_seconds=None, excluded_seconds=None,
                bad_seconds=None, counted=None, within=None, error_budget=None, burn_rates=None, projected=None,
                percentiles=None, credit_percent=credit_percent(attained, obj.credits, doc.model.spec.credit_cap),
                review_required=attained is None, period=period, warning=obj.warning, service=obj.service,
                source=obj.source, supports=obj.supports,
            ))
    return found
