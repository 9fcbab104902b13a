"""Change failure rate and downtime attributed to changes, per service and period (`slactl changes stats`).

change failure rate = (failed + rolled back) / completed changes whose end falls in the period.
change downtime = seconds of recorded downtime (outages with impact > 0, down probe samples)
that overlap the actual window of a failed or rolled-back change of the same service.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from slactl.changes.records import ChangeRecord, covered_services, period_bounds, records_from_frame
from slactl.loader.documents import LoadResult

Span = tuple[float, float]  # [start, end) in epoch seconds
DEFAULT_PROBE_INTERVAL = 60.0


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of half-open spans as sorted, disjoint spans."""
    merged: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def measure(spans: Iterable[Span]) -> float:
    return sum(end - start for start, end in merge(spans))


def overlap_seconds(a: Iterable[Span], b: Iterable[Span]) -> float:
    """Measure of (union of a) ∩ (union of b)."""
    left, right = merge(a), merge(b)
    i = j = 0
    total = 0.0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if end > start:
            total += end - start
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return total


def clip(spans: Iterable[Span], start: float, end: float) -> list[Span]:
    return [(max(a, start), min(b, end)) for a, b in spans if a < end and b > start]


@dataclass
class ServiceChangeStats:
    """The change figures of one service in one period."""

    service: str
    period: str
    changes: int = 0
    completed: int = 0
    successful: int = 0
    failed: int = 0
    rolled_back: int = 0
    emergency: int = 0
    downtime_seconds: float = 0.0
    change_downtime_seconds: float = 0.0

    @property
    def failure_rate(self) -> float | None:
        return (self.failed + self.rolled_back) / self.completed if self.completed else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "period": self.period,
            "changes": self.changes,
            "completed": self.completed,
            "successful": self.successful,
            "failed": self.failed,
            "rolled_back": self.rolled_back,
            "emergency": self.emergency,
            "failure_rate": self.failure_rate,
            "downtime_seconds": self.downtime_seconds,
            "change_downtime_seconds": self.change_downtime_seconds,
        }


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def failed_change_windows(changes: Iterable[ChangeRecord]) -> dict[str, list[Span]]:
    """Per service, the windows of failed and rolled-back changes (actual window; planned when not recorded)."""
    windows: dict[str, list[Span]] = defaultdict(list)
    for change in changes:
        if not change.failed or change.start is None or change.end is None:
            continue
        for service in change.services:
            windows[service].append((_ts(change.start), _ts(change.end)))
    return windows


def change_stats(
    changes: Iterable[ChangeRecord],
    period: str,
    downtime: dict[str, list[Span]] | None = None,
    services: Iterable[str] = (),
) -> list[ServiceChangeStats]:
    """Figures per service for `period`; `downtime` holds each service's down spans (epoch seconds)."""
    start, end = period_bounds(period)
    lo, hi = _ts(start), _ts(end)
    rows: dict[str, ServiceChangeStats] = {s: ServiceChangeStats(s, period) for s in services}
    touching = [c for c in changes if c.overlaps(start, end)]
    for change in touching:
        finished = change.end or change.start
        counts_here = change.completed and finished is not None and start <= finished < end
        for service in change.services:
            row = rows.setdefault(service, ServiceChangeStats(service, period))
            row.changes += 1
            row.emergency += change.type == "emergency"
            if counts_here:
                row.completed += 1
                row.successful += change.outcome == "successful"
                row.failed += change.outcome == "failed"
                row.rolled_back += change.outcome == "rolled_back"
    windows = failed_change_windows(touching)
    for service, down in (downtime or {}).items():
        row = rows.setdefault(service, ServiceChangeStats(service, period))
        down_here = clip(down, lo, hi)
        row.downtime_seconds = measure(down_here)
        row.change_downtime_seconds = overlap_seconds(down_here, clip(windows.get(service, []), lo, hi))
    return [rows[s] for s in sorted(rows)]


# --- reading the store -------------------------------------------------------------------------


def _sources(result: LoadResult, type_: str) -> list[Any]:
    return [doc.model for doc in result.of_kind("DataSource") if doc.model.spec.type == type_]


def downtime_from_frames(outages: list[Any], probes: list[tuple[Any, float]], end: float) -> dict[str, list[Span]]:
    """Down spans per service from outage frames (impact > 0) and probe frames (down samples, with their interval).

    An outage without an end is still going on: it runs to `end`.
    """
    import pandas as pd

    down: dict[str, list[Span]] = defaultdict(list)
    for frame in outages:
        if frame is None or len(frame) == 0:
            continue
        impact = frame["impact"].fillna(1.0) if "impact" in frame else pd.Series(1.0, index=frame.index)
        rows = frame[impact > 0]
        starts = rows["start"].map(lambda t: t.timestamp() if pd.notna(t) else None)
        ends = rows["end"].map(lambda t: t.timestamp() if pd.notna(t) else end)
        for service, a, b in zip(rows["service"].astype(str), starts, ends, strict=True):
            if a is not None:
                down[service].append((a, b))
    for frame, interval in probes:
        if frame is None or len(frame) == 0:
            continue
        rows = frame[~frame["up"].astype(bool)]
        for service, t in zip(rows["service"].astype(str), rows["time"], strict=True):
            if pd.notna(t):
                a = t.timestamp()
                down[service].append((a, a + interval))
    return {service: merge(spans) for service, spans in down.items()}


def _attainment(report: Any) -> dict[str, list[dict[str, Any]]]:
    """Availability results of a ComplianceReport by service (objectives without a service: each covered one)."""
    by_service: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if report is None:
        return by_service
    for result in report.results:
        if result.indicator != "availability" or not result.service:
            continue
        by_service[result.service].append({
            "agreement": result.agreement, "objective": result.objective, "target": result.target,
            "attained": result.attained, "status": result.status,
        })
    return by_service


def change_impact(
    repo_root: Path, result: LoadResult, period: str, store: Any, *, report: Any = None
) -> list[dict[str, Any]]:
    """Per service: change counts, failure rate, downtime and the part of it during failed changes, beside attainment.

    Reads every `changes`, `outages` and `probes` DataSource from `store` (a slactl.store.Store);
    `report` (a ComplianceReport for the same period) adds the availability attainment per service.
    """
    start, end = period_bounds(period)
    changes = []
    for source in _sources(result, "changes"):
        changes.extend(records_from_frame(store.read(source.metadata.id, start, end)))
    outages = [store.read(s.metadata.id, start, end) for s in _sources(result, "outages")]
    probes = [
        (store.read(s.metadata.id, start, end), float(s.spec.interval or DEFAULT_PROBE_INTERVAL))
        for s in _sources(result, "probes")
    ]
    downtime = downtime_from_frames(outages, probes, _ts(end))
    rows = change_stats(changes, period, downtime, services=covered_services(result))
    attainment = _attainment(report)
    out = []
    for row in rows:
        data = row.to_dict()
        data["attainment"] = attainment.get(row.service, [])
        out.append(data)
    return out
