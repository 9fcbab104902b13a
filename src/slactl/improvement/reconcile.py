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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _bounds(days: list[date]) -> tuple[np.ndarray, np.ndarray]:
    """UTC day starts and ends as int64 ns."""
    lo = np.array([to_ns(datetime.combine(day, time(0), tzinfo=UTC)) for day in days], dtype=np.int64)
    return lo, lo + 86_400 * NS


def measurements(load: LoadResult, reader: FrameReader, first: date, last: date,
                 ticket_priority: str | None = None) -> dict[tuple[str, str], dict[date, tuple[float, float]]]:
    """(service, source label) -> day -> (good, total) for every availability-like source."""
    start = datetime.combine(first, time(0), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
    days = _days(first, last)
    found: dict[tuple[str, str], dict[date, tuple[float, float]]] = {}
    for doc in load.of_kind("DataSource"):
        spec, sid = doc.model.spec, str(doc.id)
        if spec.type not in ("probes", "events", "outages") and not (spec.type == "tickets" and ticket_priority):
            continue
        frame = reader.read(sid, start, end)
        if spec.type == "tickets" and not frame.empty:
            frame = frame[(frame["priority"].astype(str) == ticket_priority) & frame["resolved_at"].notna()]
            frame = frame.rename(columns={"opened_at": "start", "resolved_at": "end"})
        if frame.empty:
            continue
        lo, hi = _bounds(days)
        for service, group in frame.groupby(frame["service"].astype(str)):
            per_day: dict[date, tuple[float, float]] = {}
            if spec.type == "probes":
                # a sample covers [t, t + interval); an instant is down when any sample covering it is
                t = ns_array(group["time"])
                up = group["up"].astype(bool).to_numpy()
                interval = int(round((spec.interval or 60.0) * NS))
                known = IntervalSet.from_arrays(t, t + interval).measure_between(lo, hi)
                down = IntervalSet.from_arrays(t[~up], t[~up] + interval).measure_between(lo, hi)
                for n, day in enumerate(days):
                    if known[n]:
                        per_day[day] = (float(known[n] - down[n]) / NS, float(known[n]) / NS)
            elif spec.type == "events":
                if group["total"].isna().all():
                    continue
                t = ns_array(group["time"])
                good, total = group["good"].fillna(0).to_numpy(float), group["total"].fillna(0).to_numpy(float)
                for n, day in enumerate(days):
                    m = (t >= lo[n]) & (t < hi[n])
                    if total[m].sum() > 0:
                        per_day[day] = (float(good[m].sum()), float(total[m].sum()))
            else:
                # outages (or tickets) still open have no end and are left out, as before
                starts, ends = ns_array(group["start"]), ns_array(group["end"])
                whole = (starts != NAT) & (ends != NAT)
                down = IntervalSet.from_arrays(starts[whole], ends[whole]).measure_between(lo, hi)
                for n, day in enumerate(days):
                    per_day[day] = (86400.0 - float(down[n]) / NS, 86400.0)
            found[(str(service), f"{'tickets-' + str(ticket_priority) if spec.type == 'tickets' else spec.type}:{sid}")] = per_day
    return found


def reconcile(load: LoadResult, reader: FrameReader, period: str, first: date, last: date,
              tolerance: float = 0.5, ticket_priority: str | None = None) -> ReconcileReport:
    data = measurements(load, reader, first, last, ticket_priority)
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
                continue
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
    return report
