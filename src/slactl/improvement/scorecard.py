"""A balanced scorecard per customer agreement: technical, financial and customer measures, weighted.

- technical (0..100): the error budget left, averaged over the agreement's objectives; an objective
  that overspent its budget scores 0, one with no bad time scores 100.
- financial (0..100): 100, less `credit_penalty` points per percent of the fee paid back as credit,
  less the remediation spent in the period (investment of improvements started in it) as a percent
  of the fees.
- customer (0..100): the share of CSAT answers scoring 4 or 5, less `complaint_penalty` points per
  complaint; 100 less the complaints when there are no answers.
The overall score is the weighted mean of the measured dimensions (`[scoring.scorecard]`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from slactl.improvement.csat import csat_answers
from slactl.improvement.periods import Span
from slactl.improvement.roi import count_complaints
from slactl.improvement.series import FrameReader, period_results
from slactl.improvement.settings import ScoringSettings
from slactl.loader.documents import LoadResult


@dataclass
class ScorecardRow:
    agreement: str
    services: list[str]
    technical: float | None
    financial: float | None
    customer: float | None
    overall: float | None
    measures: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def remaining_budget(attained: float | None, target: float | None) -> float | None:
    """Share of the error budget left, 0..1 (0 when overspent); None without a figure."""
    if attained is None or target is None:
        return None
    if target >= 100:
        return 1.0 if attained >= 100 else 0.0
    return max(0.0, min(1.0, 1 - (100 - attained) / (100 - target)))


def scorecard(load: LoadResult, reader: FrameReader, span: Span, settings: ScoringSettings,
              results: list[Any] | None = None) -> list[ScorecardRow]:
    """One row per SLA; the compliance engine's results for the period (computed when not given)
    supply attainment, budget and credit."""
    weights = settings.scorecard
    if results is None:
        results = period_results(load, reader, span.label)
    by_ref = {f"{r.agreement}/{r.objective}": r for r in results}
    answers = csat_answers(load, reader, span.first, span.last)
    rows = []
    for doc in sorted(load.of_kind("SLA"), key=lambda d: str(d.id)):
        spec = doc.model.spec
        services = list(spec.services)
        objectives, budgets, credit = [], [], 0.0
        for objective in spec.objectives:
            ref = f"{doc.id}/{objective.id}"
            if ref not in by_ref:
                continue  # not in force in the period: `slactl compliance` does not report it either
            found = by_ref[ref]
            attained, target = found.attained, found.target
            ratio = found.error_budget.remaining_ratio if found.error_budget is not None else None
            budget = max(0.0, min(1.0, ratio)) if ratio is not None else remaining_budget(attained, target)
            earned = found.credit_percent or 0.0
            if attained is None:
                budget = None
            objectives.append({"objective": ref, "attained": attained, "target": target,
                               "budget_remaining": budget})
            if budget is not None:
                budgets.append(budget)
            credit += earned
        credit = min(credit, spec.credit_cap)
        technical = 100.0 * sum(budgets) / len(budgets) if budgets else None
        fees = (spec.monthly_fee or 0.0) * span.months
        remediation = sum(
            (d.model.spec.investment or 0.0) for d in load.of_kind("Improvement")
            if d.model.spec.started and span.first <= d.model.spec.started <= span.last
            and (doc.id in d.model.spec.agreements or set(d.model.spec.services) & set(services)
                 or (d.model.spec.expected and d.model.spec.expected.objective.split("/")[0] == doc.id))
        )
        remediation_percent = 100.0 * remediation / fees if fees else None
        financial = max(0.0, 100.0 - weights.credit_penalty * credit - (remediation_percent or 0.0))
        scores = answers.loc[answers["service"].isin(services), "score"].astype(float)
        complaints = count_complaints(load, reader, services, span.first, span.last)
        share = 100.0 * float((scores >= 4).mean()) if len(scores) else None
        base = share if share is not None else (100.0 if complaints or _has_complaint_source(load) else None)
        customer = None if base is None else max(0.0, base - weights.complaint_penalty * complaints)
        dims = [(technical, weights.technical), (financial, weights.financial), (customer, weights.customer)]
        measured = [(value, weight) for value, weight in dims if value is not None]
        total_weight = sum(w for _, w in measured)
        overall = sum(v * w for v, w in measured) / total_weight if total_weight else None
        rows.append(ScorecardRow(
            agreement=str(doc.id), services=services, technical=technical, financial=financial,
            customer=customer, overall=overall,
            measures={
                "objectives": objectives, "credit_percent": credit,
                "credit_amount": credit / 100.0 * fees if fees else None, "currency": spec.currency,
                "remediation_cost": remediation, "remediation_percent_of_fees": remediation_percent,
                "csat_answers": int(len(scores)), "csat_share_good": share,
                "csat_mean": float(scores.mean()) if len(scores) else None, "complaints": complaints,
                "weights": {"technical": weights.technical, "financial": weights.financial,
                            "customer": weights.customer},
            },
        ))
    return rows


def _has_complaint_source(load: LoadResult) -> bool:
    return any(d.model.spec.type == "complaints" for d in load.of_kind("DataSource"))
