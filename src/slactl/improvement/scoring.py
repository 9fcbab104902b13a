"""Risk-based priority: business impact, recurrence and cost of remediation, each term explained.

priority = 100 x sum(weight x (term - 1)) / (4 x sum(weight)), every term on a 1..5 scale, where the
cost term counts as ease (6 - cost) so that cheap fixes rank higher. Evidence wins over judgement:
impact from the tier of the affected services and the customers affected, recurrence from the
breaches and incidents in the last N periods, cost from the investment; the register's `score`
is used where there is no evidence, and 3 (the middle) where there is neither.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from slactl.improvement.periods import describe_periods
from slactl.improvement.settings import ScoringSettings
from slactl.loader.documents import LoadResult


@dataclass
class Term:
    """One input of the priority: its 1..5 value, where it came from, and what it adds."""

    name: str
    value: int
    weight: float
    points: float
    source: str


@dataclass
class Priority:
    """A ranked item (an Improvement or a gap) with its score 0..100 and every term behind it."""

    subject: str  # improvement | gap
    id: str
    title: str
    score: float
    terms: list[Term]
    status: str | None = None
    services: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Recurrence:
    """Breaches per objective (AGREEMENT/OBJECTIVE -> periods) and incidents per service in the look-back."""

    periods: list[str] = field(default_factory=list)
    breaches: dict[str, set[str]] = field(default_factory=dict)
    incidents: dict[str, int] = field(default_factory=dict)
    # evidence looked at: periods with data per objective, and whether outage records cover the look-back;
    # None: not recorded (figures given as they are), taken as looked at
    measured: dict[str, set[str]] | None = None
    outage_data: bool | None = None

    def add_breach(self, objective: str, period: str) -> None:
        self.breaches.setdefault(objective, set()).add(period)

    def has_evidence(self, objectives: list[str], services: list[str]) -> bool:
        """Whether anything was measured for these objectives or services (a breach on record counts)."""
        if self.measured is None and self.outage_data is None:
            return True
        measured = self.measured or {}
        return (any(measured.get(ref) or self.breaches.get(ref) for ref in objectives)
                or (bool(self.outage_data) and bool(services)))


def services_of_objective(result: LoadResult, ref: str) -> list[str]:
    agreement_id, _, objective_id = ref.partition("/")
    doc = result.index("agreement").get(agreement_id)
    if doc is None:
        return []
    for objective in doc.model.spec.objectives:
        if objective.id == objective_id:
            return [objective.service] if objective.service else list(doc.model.spec.services)
    return list(doc.model.spec.services)


def customers_affected(result: LoadResult, services: list[str], agreements: list[str]) -> list[str]:
    """Distinct SLA customers whose agreements cover the services (or are named)."""
    customers = set()
    for doc in result.of_kind("SLA"):
        spec = doc.model.spec
        if doc.id in agreements or set(spec.services) & set(services):
            customers.add(spec.customer or str(doc.id))
    return sorted(customers)


def impact_term(
    result: LoadResult, services: list[str], agreements: list[str], judged: int | None, settings: ScoringSettings
) -> Term:
    weight = settings.weights.impact
    service_docs = result.index("Service")
    tiers = {s: service_docs[s].model.spec.tier for s in services if s in service_docs}
    if tiers:
        top = max(settings.tier_impact.get(t, 3) for t in tiers.values())
        customers = customers_affected(result, services, agreements)
        extra = (len(customers) - 1) // settings.customers_step if customers else 0
        value = max(1, min(5, top + extra))
        tier_text = ", ".join(f"{s} {t}" for s, t in sorted(tiers.items()))
        source = f"tier ({tier_text}) -> {top}; {len(customers)} customer(s) affected -> +{extra}"
    elif judged is not None:
        value, source = judged, "register score.impact (no service tier to derive it from)"
    else:
        value, source = 3, "unknown (no services, no score.impact): middle value"
    return Term("impact", value, weight, 0.0, source)


def recurrence_term(
    objectives: list[str], services: list[str], recurrence: Recurrence | None, judged: int | None,
    settings: ScoringSettings,
) -> Term:
    weight = settings.weights.recurrence
    if recurrence is not None and recurrence.periods and not recurrence.has_evidence(objectives, services):
        span = f"{recurrence.periods[0]}..{recurrence.periods[-1]}"
        if judged is not None:
            return Term("recurrence", judged, weight, 0.0,
                        f"no data to measure recurrence in {span}; register score.recurrence used")
        return Term("recurrence", 3, weight, 0.0,
                    f"no data to measure recurrence in {span} and no score.recurrence: middle value")
    if recurrence is not None and recurrence.periods:
        breached = sorted({p for ref in objectives for p in recurrence.breaches.get(ref, set())})
        incidents = sum(recurrence.incidents.get(s, 0) for s in services)
        count = len(breached) + incidents
        value = 1 + min(4, count // settings.recurrence_per_point)
        span = f"{recurrence.periods[0]}..{recurrence.periods[-1]}"
        listed = f" ({', '.join(breached)})" if breached else ""
        source = f"{len(breached)} breached period(s){listed} and {incidents} incident(s) in {span}"
        measured = recurrence.measured
        unmeasured = [p for p in recurrence.periods
                      if measured is not None and not any(p in measured.get(ref, set()) for ref in objectives)]
        if unmeasured and objectives:
            source += f"; {len(unmeasured)} period(s) without objective data ({describe_periods(unmeasured)})"
        if count == 0 and judged is not None:
            source += f"; register score.recurrence {judged} not used: the data shows none"
        return Term("recurrence", value, weight, 0.0, source)
    if judged is not None:
        return Term("recurrence", judged, weight, 0.0, "register score.recurrence (no data looked at)")
    return Term("recurrence", 3, weight, 0.0, "unknown (no data, no score.recurrence): middle value")


def cost_term(investment: float | None, judged: int | None, settings: ScoringSettings) -> Term:
    weight = settings.weights.cost
    if investment is not None:
        value = 1 + sum(1 for band in settings.cost_bands if investment > band)
        value = min(5, value)
        source = f"investment {investment:g} in cost band {value} (bands {', '.join(f'{b:g}' for b in settings.cost_bands)})"
    elif judged is not None:
        value, source = judged, "register score.cost"
    else:
        value, source = 3, "unknown (no investment, no score.cost): middle value"
    return Term("cost", value, weight, 0.0, source + "; counts as ease 6 - cost")


def combine(terms: list[Term]) -> float:
    """0..100 from 1..5 terms; cost counts as ease (6 - cost). Sets each term's points."""
    total_weight = sum(t.weight for t in terms)
    if total_weight <= 0:
        for term in terms:
            term.points = 0.0
        return 0.0
    score = 0.0
    for term in terms:
        level = (6 - term.value) if term.name == "cost" else term.value
        term.points = 100.0 * term.weight * (level - 1) / (4.0 * total_weight)
        score += term.points
    return score


def score_improvement(
    result: LoadResult, improvement_id: str, settings: ScoringSettings, recurrence: Recurrence | None = None
) -> Priority:
    doc = result.get("Improvement", improvement_id)
    assert doc is not None
    spec = doc.model.spec
    objectives = [spec.expected.objective] if spec.expected else []
    services = list(spec.services) or sorted({s for ref in objectives for s in services_of_objective(result, ref)})
    if not services and spec.agreements:
        agreements = result.index("agreement")
        services = sorted({s for a in spec.agreements if a in agreements for s in agreements[a].model.spec.services})
    if not objectives and spec.agreements:
        agreements = result.index("agreement")
        objectives = [
            f"{a}/{o.id}" for a in spec.agreements if a in agreements for o in agreements[a].model.spec.objectives
        ]
    judged = spec.score
    agreements_named = list(spec.agreements) + [ref.split("/")[0] for ref in objectives]
    terms = [
        impact_term(result, services, agreements_named, judged.impact if judged else None, settings),
        recurrence_term(objectives, services, recurrence, judged.recurrence if judged else None, settings),
        cost_term(spec.investment, judged.cost if judged else None, settings),
    ]
    return Priority("improvement", improvement_id, spec.title, combine(terms), terms, spec.status, services)


def score_objective_gap(
    result: LoadResult, gap_id: str, title: str, ref: str, settings: ScoringSettings,
    recurrence: Recurrence | None = None, investment: float | None = None,
) -> Priority:
    services = services_of_objective(result, ref)
    terms = [
        impact_term(result, services, [ref.split("/")[0]], None, settings),
        recurrence_term([ref], services, recurrence, None, settings),
        cost_term(investment, None, settings),
    ]
    return Priority("gap", gap_id, title, combine(terms), terms, None, services)


def rank(items: list[Priority]) -> list[Priority]:
    """Highest priority first; ties by id so the order is stable."""
    return sorted(items, key=lambda p: (-round(p.score, 9), p.subject, p.id))
