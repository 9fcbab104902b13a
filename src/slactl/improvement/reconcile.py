"""Cross-source reconciliation: the same availability measured by probes, by request events and by
recorded outages (outage sources, and on request the open-to-resolved span of tickets of one
priority, a rough stand-in when incidents are only in the ticketing tool), per service and day; where they disagree beyond a tolerance (percentage points), the data needs a look
before any report is trusted."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from slactl.compliance.engine import ns_array
from slactl.compliance.tickets import NAT
from slactl.compliance.timeline import outage_timeline, probe_timeline
from slactl.improvement.coverage import DataExtents
from slactl.improvement.series import FrameReader
from slactl.loader.documents import LoadResult
from slactl.timeline.intervals import NS, IntervalSet, to_ns

UTC = ZoneInfo("UTC")


@dataclass
class Disagreement:
    service: str
    day: str  # a date, or the period label for the whole period
    sources: tuple[str, str]
    values: tuple[float, float]
    difference: float


@dataclass
class ReconcileReport:
    period: str
    tolerance: float
    services: dict[str, dict[str, float | None]]
    disagreements: list[Disagreement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    compared: int = 0  # pairs of sources with data on common days: 0 means nothing was compared

    @property
    def has_data(self) -> bool:
        return bool(self.services)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["has_data"] = self.has_data
        return data


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _bounds(days: list[date]) -> tuple[np.ndarray, np.ndarray]:
    """UTC day starts and ends as int64 ns."""
    lo = np.array([to_ns(datetime.combine(day, time(0), tzinfo=UTC)) for day in days], dtype=np.int64)
    return lo, lo + 86_400 * NS


def _outage_limit(spec: Any, end: int, now: int) -> int:
    """The end of known outage time, as the engine has it: not after now nor the source's `complete_until`."""
    from slactl.compliance.engine import complete_until_ns

    until = complete_until_ns(spec)
    return min(end, now) if until is None else min(end, now, until)


def measurements(load: LoadResult, reader: FrameReader, first: date, last: date,
                 ticket_priority: str | None = None, now: datetime | None = None,
                 ) -> dict[tuple[str, str], dict[date, tuple[float, float]]]:
    """(service, source label) -> day -> (good, total) seconds for every availability-like source.

    Each day's figure follows the engine's rules for raw data (`slactl.compliance.timeline`), over
    whole UTC days without service hours or exclusions: probes cover [t, t + interval) and down
    wins; outages weigh by `impact` (missing: 1), an outage without an end goes on until now (or
    `complete_until`), and time after `complete_until` is unknown. An outage source counts only for
    periods its records reach into; tickets count from opened to resolved (resolved ones only).
    """
    start = datetime.combine(first, time(0), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
    now_ns = to_ns(now or datetime.now(UTC))
    days = _days(first, last)
    lo, hi = _bounds(days)
    whole = IntervalSet.from_arrays(lo[:1], hi[-1:])
    extents = DataExtents(load, reader)
    found: dict[tuple[str, str], dict[date, tuple[float, float]]] = {}
    for doc in load.of_kind("DataSource"):
        spec, sid = doc.model.spec, str(doc.id)
        if spec.type not in ("probes", "events", "outages") and not (spec.type == "tickets" and ticket_priority):
            continue
        if spec.type == "outages" and not extents.covers(sid, first, last):
            continue  # no outage records for this period: its time is unknown, not up
        frame = reader.read(sid, start, end)
        if spec.type == "tickets" and not frame.empty:
            frame = frame[(frame["priority"].astype(str) == ticket_priority) & frame["resolved_at"].notna()]
            frame = frame.rename(columns={"opened_at": "start", "resolved_at": "end"})
        if frame.empty:
            continue
        if spec.type in ("outages", "tickets"):
            limit = _outage_limit(spec, int(hi[-1]), now_ns) if spec.type == "outages" else int(hi[-1])
            known = whole.clip(int(lo[0]), limit)
        for service, group in frame.groupby(frame["service"].astype(str)):
            per_day: dict[date, tuple[float, float]] = {}
            if spec.type == "probes":
                interval = int(round((spec.interval or 60.0) * NS))
                timeline = probe_timeline(ns_array(group["time"]), group["up"].astype(bool).to_numpy(), interval, whole)
            elif spec.type == "events":
                if group["total"].isna().all():
                    continue
                t = ns_array(group["time"])
                good, total = group["good"].fillna(0).to_numpy(float), group["total"].fillna(0).to_numpy(float)
                for n, day in enumerate(days):
                    m = (t >= lo[n]) & (t < hi[n])
                    if total[m].sum() > 0:
                        per_day[day] = (float(good[m].sum()), float(total[m].sum()))
                found[(str(service), f"events:{sid}")] = per_day
                continue
            else:
                starts, ends = ns_array(group["start"]), ns_array(group["end"])
                if "impact" in group and spec.type == "outages":
                    impacts = group["impact"].to_numpy(float, na_value=np.nan)
                    impacts = np.clip(np.where(np.isnan(impacts), 1.0, impacts), 0.0, 1.0)
                else:
                    impacts = np.ones(len(group))
                ends = np.where(ends == NAT, limit, ends)  # an outage without an end is still going on
                timeline = outage_timeline(starts, ends, impacts, known)
            known_s = timeline.known.measure_between(lo, hi)
            bad_s = timeline.bad_between(lo, hi)
            for n, day in enumerate(days):
                if known_s[n] > 0:
                    per_day[day] = (float(known_s[n] - bad_s[n]) / NS, float(known_s[n]) / NS)
            label = f"tickets-{ticket_priority}:{sid}" if spec.type == "tickets" else f"{spec.type}:{sid}"
            found[(str(service), label)] = per_day
    return found


def reconcile(load: LoadResult, reader: FrameReader, period: str, first: date, last: date,
              tolerance: float = 0.5, ticket_priority: str | None = None,
              now: datetime | None = None) -> ReconcileReport:
    data = measurements(load, reader, first, last, ticket_priority, now)
    data = {key: per_day for key, per_day in data.items() if per_day}
    report = ReconcileReport(period, tolerance, {})
    by_service: dict[str, dict[str, dict[date, tuple[float, float]]]] = {}
    for (service, label), per_day in data.items():
        by_service.setdefault(service, {})[label] = per_day
    for service, sources in sorted(by_service.items()):
        report.services[service] = {
            label: (100.0 * sum(g for g, _ in d.values()) / sum(t for _, t in d.values())) if d else None
            for label, d in sorted(sources.items())
        }
        if len(sources) < 2:
            report.notes.append(f"{service}: only one source ({next(iter(sources))}); nothing to compare")
            continue
        for a, b in combinations(sorted(sources), 2):
            common = sorted(set(sources[a]) & set(sources[b]))
            if not common:
                report.notes.append(f"{service}: {a} and {b} have no day with data in common; not compared")
                continue
            report.compared += 1
            va = 100.0 * sum(sources[a][d][0] for d in common) / sum(sources[a][d][1] for d in common)
            vb = 100.0 * sum(sources[b][d][0] for d in common) / sum(sources[b][d][1] for d in common)
            if abs(va - vb) > tolerance:
                report.disagreements.append(Disagreement(service, period, (a, b), (va, vb), abs(va - vb)))
            for day in common:
                ga, ta = sources[a][day]
                gb, tb = sources[b][day]
                xa, xb = 100.0 * ga / ta, 100.0 * gb / tb
                if abs(xa - xb) > tolerance:
                    report.disagreements.append(Disagreement(service, day.isoformat(), (a, b), (xa, xb), abs(xa - xb)))
    if not data:
        report.notes.append(f"no availability data in {period}: nothing to compare")
    return report
