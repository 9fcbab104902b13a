"""Service gaps of a period: breached or at-risk objectives, OLA/UC shortfalls and watermelon services,
ranked by the risk-based priority model, each with what already covers it (Problems, Improvements)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from slactl.compliance.results import ObjectiveResult
from slactl.improvement.coverage import UTC, DataExtents, result_has_data
from slactl.improvement.periods import Span
from slactl.improvement.problems import improvements_covering, problems_covering
from slactl.improvement.scoring import Priority, Recurrence, rank, score_objective_gap, services_of_objective
from slactl.improvement.series import FrameReader, SeriesError, resolve
from slactl.improvement.settings import ScoringSettings
from slactl.loader.documents import LoadResult

GAP_STATUSES = ("breached", "at_risk")


@dataclass
class Gap:
    id: str
    kind: str  # breached | at_risk | ola_shortfall | uc_shortfall | watermelon
    agreement: str | None
    objective: str | None
    services: list[str]
    attained: float | None
    target: float | None
    status: str | None
    detail: str
    problems: list[str] = field(default_factory=list)
    improvements: list[str] = field(default_factory=list)
    priority: Priority | None = None

    @property
    def covered(self) -> bool:
        return bool(self.problems or self.improvements)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["covered"] = self.covered
        return data


def _kind_of(result: ObjectiveResult) -> str:
    if result.kind == "OLA":
        return "ola_shortfall"
    if result.kind == "UC":
        return "uc_shortfall"
    return result.status


def unmeasured(results: list[ObjectiveResult], load: LoadResult, reader: FrameReader, span: Span) -> list[str]:
    """AGREEMENT/OBJECTIVE of the period's results that have no data: not judged, so neither gaps nor clean."""
    extents = DataExtents(load, reader)
    missing = []
    for item in results:
        ref = f"{item.agreement}/{item.objective}"
        try:
            tz = resolve(load, ref).tz
        except SeriesError:
            tz = UTC
        if not result_has_data(extents, item, span.first, span.last, tz):
            missing.append(ref)
    return missing


def find_gaps(
    results: list[ObjectiveResult],
    load: LoadResult,
    settings: ScoringSettings,
    *,
    period: str,
    recurrence: Recurrence | None = None,
    watermelons: list[dict[str, Any]] | None = None,
) -> list[Gap]:
    """Gaps ranked highest priority first."""
    gaps: list[Gap] = []
    for item in results:
        if item.status not in GAP_STATUSES:
            continue
        ref = f"{item.agreement}/{item.objective}"
        services = [item.service] if item.service else services_of_objective(load, ref)
        kind = _kind_of(item)
        attained = "no figure" if item.attained is None else f"{item.attained:.4f}%"
        detail = f"{item.kind} {ref} {item.status} in {period}: attained {attained} against target {item.target}"
        if kind != item.status and item.supports:
            detail += f"; it underpins {item.supports}"
        gap = Gap(
            id=f"{item.agreement}-{item.objective}", kind=kind, agreement=item.agreement, objective=ref,
            services=services, attained=item.attained, target=item.target, status=item.status, detail=detail,
            problems=problems_covering(load, ref), improvements=improvements_covering(load, ref, services),
        )
        gap.priority = score_objective_gap(load, gap.id, detail, ref, settings, recurrence)
        gaps.append(gap)
    for melon in watermelons or []:
        service = melon["service"]
        gap = Gap(
            id=f"watermelon-{service}", kind="watermelon", agreement=None, objective=None, services=[service],
            attained=melon.get("attained"), target=None, status=None,
            detail=f"{service}: objectives met in {period} but satisfaction is poor ({melon.get('reason', '')})",
            improvements=sorted(
                str(d.id) for d in load.of_kind("Improvement")
                if service in d.model.spec.services and d.model.spec.status not in ("closed", "rejected", "failed")
            ),
        )
        refs = [f"{a.id}/{o.id}" for a in load.agreements() if service in a.model.spec.services
                for o in a.model.spec.objectives]
        gap.priority = score_objective_gap(load, gap.id, gap.detail, refs[0], settings, recurrence) if refs else None
        gaps.append(gap)
    order = {id(p): n for n, p in enumerate(rank([g.priority for g in gaps if g.priority]))}
    return sorted(gaps, key=lambda g: (order.get(id(g.priority), len(order)), g.id))
