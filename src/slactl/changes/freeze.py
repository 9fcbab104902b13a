"""Change freezes: which freeze a change falls in, and whether freezes cover the end of a reporting period."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slactl.changes.records import (
    ChangeRecord,
    FreezeWindow,
    active_agreements,
    covered_services,
)
from slactl.loader.documents import LoadedDocument, LoadResult

FREEZE_POLICY_RULE = "freeze-covers-period-end"


def freezes_hit(change: ChangeRecord, windows: Iterable[FreezeWindow]) -> list[tuple[FreezeWindow, str]]:
    """(freeze, service) pairs where the change's window overlaps a freeze that applies to one of its services.

    The change's window is its actual window when recorded, else its planned window; a change
    without an end is treated as an instant at its start.
    """
    start, end = change.start, change.end
    if start is None:
        return []
    end = end if end is not None and end > start else start
    hits = []
    for window in windows:
        inside = start < window.end and (end > window.start or (start == end and start >= window.start))
        if not inside:
            continue
        for service in change.services:
            if window.applies_to(service):
                hits.append((window, service))
                break
    return hits


def uncovered(intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> timedelta:
    """How much of [start, end) the union of `intervals` leaves uncovered."""
    cursor = start
    gap = timedelta(0)
    for a, b in sorted(intervals):
        if b <= cursor:
            continue
        if a >= end:
            break
        if a > cursor:
            gap += a - cursor
        cursor = max(cursor, b)
        if cursor >= end:
            break
    if cursor < end:
        gap += end - cursor
    return gap


@dataclass(frozen=True)
class FreezePolicy:
    """A Policy that asks for `freeze-covers-period-end`, with its parameters."""

    doc: LoadedDocument
    days: float
    services: tuple[str, ...]


def _selected_services(result: LoadResult, selector: Any) -> tuple[str, ...]:
    """Services a Policy's `applies_to` selects: Services directly, or the services of selected agreements."""
    kind = selector.kind
    if kind == "Service":
        chosen = []
        for doc in result.of_kind("Service"):
            spec = doc.model.spec
            if selector.ids is not None and doc.model.metadata.id not in selector.ids:
                continue
            if selector.tier is not None and spec.tier not in selector.tier:
                continue
            if selector.regulations is not None and not set(spec.regulations) & set(selector.regulations):
                continue
            if selector.data_classification is not None and spec.data_classification not in selector.data_classification:
                continue
            chosen.append(doc.model.metadata.id)
        return tuple(sorted(chosen))
    if kind in ("SLA", "OLA", "UC") or selector.ids is not None:
        services = set()
        for doc in active_agreements(result):
            if kind is not None and doc.kind != kind:
                continue
            if selector.ids is not None and doc.model.metadata.id not in selector.ids:
                continue
            services.update(doc.model.spec.services)
        return tuple(sorted(services))
    return tuple(sorted(covered_services(result)))


def freeze_policies(result: LoadResult) -> tuple[list[FreezePolicy], list[tuple[LoadedDocument, str]]]:
    """Policies asking for freezes at period end, and (policy, problem) pairs for unusable parameters."""
    policies: list[FreezePolicy] = []
    problems: list[tuple[LoadedDocument, str]] = []
    for doc in result.of_kind("Policy"):
        params = doc.model.spec.rules.get(FREEZE_POLICY_RULE, None)
        if FREEZE_POLICY_RULE not in doc.model.spec.rules:
            continue
        days: Any = 1
        if isinstance(params, dict):
            days = params.get("days", 1)
            unknown = set(params) - {"days"}
            if unknown:
                problems.append((doc, f"unknown parameter(s) {', '.join(sorted(map(str, unknown)))}; only 'days' is read"))
                continue
        elif params not in (None, True):
            problems.append((doc, "parameters must be a mapping such as {days: 2}"))
            continue
        if isinstance(days, bool) or not isinstance(days, (int, float)) or days <= 0:
            problems.append((doc, f"'days' must be a positive number, not {days!r}"))
            continue
        policies.append(FreezePolicy(doc=doc, days=float(days), services=_selected_services(result, doc.model.spec.applies_to)))
    return policies, problems


def services_without_period_end_freeze(
    policy: FreezePolicy, windows: list[FreezeWindow], period_end: datetime
) -> list[str]:
    """Services whose freezes leave part of the last `days` before `period_end` open for changes."""
    tail_start = period_end - timedelta(days=policy.days)
    missing = []
    for service in policy.services:
        spans = [(w.start, w.end) for w in windows if w.applies_to(service)]
        if uncovered(spans, tail_start, period_end) > timedelta(0):
            missing.append(service)
    return missing
