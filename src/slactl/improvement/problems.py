"""Problem records: root cause analyses (five whys, fishbone) with their breaches and linked improvements."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from slactl.loader.documents import LoadResult


@dataclass
class ProblemRecord:
    id: str
    file: str
    line: int
    title: str | None
    status: str
    technique: str | None
    root_cause: str | None
    breaches: list[dict[str, str]]
    whys: list[str]
    fishbone: dict[str, list[str]]
    improvements: list[dict[str, Any]] = field(default_factory=list)
    opened: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def problem_records(result: LoadResult) -> list[ProblemRecord]:
    """Every Problem with its improvements resolved to their title and status, sorted by id."""
    improvements = result.index("Improvement")
    records = []
    for doc in result.of_kind("Problem"):
        spec = doc.model.spec
        linked = []
        notes = []
        for improvement_id in spec.improvements:
            found = improvements.get(improvement_id)
            if found is None:
                linked.append({"id": improvement_id, "title": None, "status": None})
                notes.append(f"improvement '{improvement_id}' is not in the register")
            else:
                linked.append({"id": improvement_id, "title": found.model.spec.title,
                               "status": found.model.spec.status})
        if spec.technique == "five_whys" and len(spec.whys) < 3:
            notes.append(f"only {len(spec.whys)} why(s) asked: five whys usually needs about five to reach a root cause")
        if spec.technique == "fishbone" and not spec.fishbone:
            notes.append("technique is fishbone but no categories are recorded")
        if not spec.root_cause and spec.status in ("known_error", "resolved", "closed"):
            notes.append(f"status is {spec.status} but no root_cause is recorded")
        records.append(ProblemRecord(
            id=str(doc.id), file=doc.file, line=doc.line, title=spec.title, status=spec.status,
            technique=spec.technique, root_cause=spec.root_cause,
            breaches=[{"objective": b.objective, "period": b.period} for b in spec.breaches],
            whys=list(spec.whys), fishbone={k: list(v) for k, v in spec.fishbone.items()},
            improvements=linked, opened=spec.opened.isoformat() if spec.opened else None, notes=notes,
        ))
    return sorted(records, key=lambda r: r.id)


def problems_covering(result: LoadResult, objective_ref: str, period: str | None = None) -> list[str]:
    """Problem ids that record a breach of the objective (in `period` when given, else any)."""
    found = []
    for doc in result.of_kind("Problem"):
        for breach in doc.model.spec.breaches:
            if breach.objective == objective_ref and (period is None or breach.period == period):
                found.append(str(doc.id))
                break
    return sorted(found)


ACTIVE = ("identified", "approved", "in_progress", "implemented", "validated")


def improvements_covering(result: LoadResult, objective_ref: str, services: list[str]) -> list[str]:
    """Register entries not closed, rejected or failed that target the objective, its agreement or services."""
    agreement = objective_ref.split("/")[0]
    found = []
    for doc in result.of_kind("Improvement"):
        spec = doc.model.spec
        if spec.status not in ACTIVE:
            continue
        if spec.expected and spec.expected.objective == objective_ref:
            found.append(str(doc.id))
        elif not spec.expected and agreement in spec.agreements and (
            not spec.services or set(spec.services) & set(services)
        ):
            found.append(str(doc.id))
    return sorted(found)
