"""Result records of a compliance run: one per objective and one per agreement (SPEC 4.2)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from typing import Any


@cache
def _names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def plain(value: Any) -> Any:
    """Records as dicts, lists and tuples copied: what `dataclasses.asdict` gives, without deep-copying scalars."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _names(type(value))}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@dataclass
class ErrorBudget:
    unit: str  # seconds | events | tickets | slices
    total: float
    consumed: float
    remaining_ratio: float | None


@dataclass
class ObjectiveResult:
    """The figures of one objective for one period; every key of SPEC 4.2, plus extras."""

    agreement: str
    kind: str
    objective: str
    indicator: str
    target: float | None
    attained: float | None
    status: str  # met | at_risk | breached | insufficient_data
    coverage: float | None
    eligible_seconds: float | None
    excluded_seconds: float | None
    bad_seconds: float | None
    counted: int | float | None  # request objectives sum the source's good/total cells, which may be fractional
    within: int | float | None
    error_budget: ErrorBudget | None
    burn_rates: dict[str, float | None] | None
    projected: float | None
    percentiles: dict[str, float | None] | None
    credit_percent: float | None
    review_required: bool
    # extras (SPEC allows added keys)
    period: str = ""
    start: str = ""
    end: str = ""
    window: str = ""
    in_progress: bool = False
    live: bool = False  # judged before the end of the reporting period: leading indicators apply
    warning: float | None = None
    threshold_seconds: float | None = None
    known_seconds: float | None = None
    service: str | None = None
    source: str | None = None
    supports: str | None = None
    mean_score: float | None = None
    pending: int | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    exclusions: list[dict[str, Any]] = field(default_factory=list)
    down_intervals: list[tuple[str, str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)  # type: ignore[no-any-return]


@dataclass
class AgreementCredit:
    agreement: str
    credit_percent: float
    credit_amount: float | None
    currency: str | None = None
    kind: str = "SLA"
    status: str = "met"  # worst objective status


@dataclass
class ComplianceReport:
    period: str
    as_of: str
    results: list[ObjectiveResult]
    agreements: list[AgreementCredit]
    data_findings: list[Any] = field(default_factory=list)

    @property
    def in_progress(self) -> bool:
        """Judged before the end of the reporting period (or of a window): figures are provisional."""
        return any(r.in_progress or r.live for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "as_of": self.as_of,
            "results": [r.to_dict() for r in self.results],
            "agreements": [plain(a) for a in self.agreements],
        }
