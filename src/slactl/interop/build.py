"""Turning imported objectives into slactl agreements, with the services, calendars and data sources they name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slactl.durations import format_duration
from slactl.findings import Finding, Severity
from slactl.interop.documents import ImportResult, OutputDocument, make_id, new_document
from slactl.model.documents import namespace_of

# Data source type a slactl objective of each indicator reads.
SOURCE_TYPE = {
    "availability": "probes",
    "success_ratio": "events",
    "latency": "events",
    "response_time": "tickets",
    "resolution_time": "tickets",
    "csat": "csat",
}

# Data source types each indicator can be computed from.
COMPATIBLE_TYPES = {
    "availability": {"probes", "outages"},
    "success_ratio": {"events"},
    "latency": {"events"},
    "response_time": {"tickets"},
    "resolution_time": {"tickets"},
    "csat": {"csat"},
}

OBJECTIVE_ORDER = (
    "id", "indicator", "source", "service", "target", "warning", "window", "min_coverage", "credits",
    "min_downtime", "budgeting", "slice", "slice_target", "alerts", "threshold", "clock", "pause_states",
    "filter", "supports",
)


def short_window(long_seconds: float) -> float:
    """The short window of a burn-rate tier when only the long one is known: 1/12 of it, in whole seconds.

    This is the multi-window practice's ratio: 1h -> 5m, 6h -> 30m, 24h -> 2h, 3d -> 6h.
    """
    return float(max(1, round(long_seconds / 12)))


def alert_tier(long_seconds: float, short_seconds: float, factor: float, severity: str) -> dict[str, Any]:
    return {
        "long": format_duration(long_seconds),
        "short": format_duration(short_seconds),
        "factor": factor,
        "severity": severity,
    }


def ordered_objective(fields: dict[str, Any]) -> dict[str, Any]:
    ordered = {key: fields[key] for key in OBJECTIVE_ORDER if key in fields and fields[key] is not None}
    for key, value in fields.items():
        if key not in ordered and value is not None:
            ordered[key] = value
    return ordered


@dataclass
class PlannedAgreement:
    """An agreement collecting objectives from one or more imported definitions."""

    id: str
    kind: str
    origin: str
    name: str | None = None
    owner: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    description_parts: list[str] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)
    calendar: str | None = None
    objectives: list[dict[str, Any]] = field(default_factory=list)

    def add_service(self, service: str) -> None:
        if service not in self.services:
            self.services.append(service)

    def objective_id(self, wanted: str) -> str:
        taken = {o["id"] for o in self.objectives}
        candidate, n = wanted, 2
        while candidate in taken:
            candidate = make_id(f"{wanted}-{n}")
            n += 1
        return candidate


class Planner:
    """Collects agreements and the stub documents they need, then hands them to an ImportResult."""

    def __init__(self, result: ImportResult, existing: dict[str, set[str]] | None = None) -> None:
        self.result = result
        self.existing = existing or {}
        self.agreements: dict[str, PlannedAgreement] = {}

    def agreement(self, id_: str, kind: str, origin: str) -> PlannedAgreement:
        planned = self.agreements.get(id_)
        if planned is None:
            planned = PlannedAgreement(id=id_, kind=kind, origin=origin)
            self.agreements[id_] = planned
        return planned

    def exists(self, kind: str, id_: str) -> bool:
        return id_ in self.existing.get(namespace_of(kind), set()) or self.result.find(kind, id_) is not None

    def stub(self, kind: str, id_: str, data: dict[str, Any], origin: str, note: Finding | None = None) -> None:
        """A document the imported ones refer to; not produced when the repository already has it."""
        if id_ in self.existing.get(namespace_of(kind), set()):
            return
        if self.result.find(kind, id_) is not None:
            return
        self.result.add(OutputDocument(kind, id_, data, origin=origin, stub=True))
        if note is not None:
            self.result.findings.append(note)

    def service_stub(self, service: str, origin: str) -> None:
        data = new_document("Service", service, description=f"Created for the imported definitions ({origin}).")
        self.stub("Service", service, data, origin)

    def calendar_stub(self, calendar: str, timezone: str, origin: str) -> None:
        data = new_document("Calendar", calendar, name=f"24x7 in {timezone}",
                            description=f"Time zone of the imported time window ({origin}); service hours 24x7.")
        data["spec"] = {"timezone": timezone}
        self.stub("Calendar", calendar, data, origin)

    def source_stub(self, source: str, source_type: str, origin: str, description: str | None,
                    note: Finding | None) -> None:
        data = new_document("DataSource", source, description=description)
        data["spec"] = {"type": source_type, "path": f"data/{source}/*.csv"}
        self.stub("DataSource", source, data, origin, note)

    def finish(self, effective: date) -> None:
        for planned in self.agreements.values():
            if not planned.objectives:
                continue
            for service in planned.services:
                self.service_stub(service, planned.origin)
            description = "\n".join(planned.description_parts) or None
            data = new_document(planned.kind, planned.id, name=planned.name, description=description,
                                labels=planned.labels or None, owner=planned.owner)
            settings = dict(planned.settings)
            spec: dict[str, Any] = {}
            if planned.kind == "SLA":
                spec["level"] = settings.pop("level", "service")
            for key in ("customer", "provider", "supplier", "contract_ref", "parent"):
                if key in settings:
                    spec[key] = settings.pop(key)
            spec["services"] = list(planned.services)
            spec["status"] = "draft"
            spec["version"] = 1
            spec["effective"] = effective
            if planned.calendar:
                spec["calendar"] = planned.calendar
            spec.update(settings)  # underpinned_by, escalation, fees, approvers: as the export wrote them
            spec["objectives"] = [ordered_objective(o) for o in planned.objectives]
            data["spec"] = spec
            try:
                self.result.add(OutputDocument(planned.kind, planned.id, data, origin=planned.origin))
            except ValueError as exc:
                self.result.findings.append(Finding(planned.origin.rsplit(":", 1)[0], _line(planned.origin), 1,
                                                    "import-duplicate", Severity.ERROR, str(exc),
                                                    "give the definitions different names"))


def _line(origin: str) -> int:
    try:
        return int(origin.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 1


def existing_ids(documents: Iterable[Any]) -> dict[str, set[str]]:
    """Ids by namespace of documents already in the repository (LoadedDocument-like: kind, id, model)."""
    found: dict[str, set[str]] = {}
    for doc in documents:
        if getattr(doc, "kind", None) and getattr(doc, "id", None):
            found.setdefault(namespace_of(doc.kind), set()).add(doc.id)
    return found
