"""Budgets, burn rates, projections, status and credits: the arithmetic of SPEC 3.4 to 3.6."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from slactl.compliance.credits import credit_for, exact, number
from slactl.compliance.results import ErrorBudget
from slactl.model.agreement import DEFAULT_ALERT_TIERS, AlertTier, Objective, Window

LOOKBACKS = {"1h": 3600, "6h": 21600, "24h": 86400, "3d": 259200}
STATUS_RANK = {"met": 0, "at_risk": 1, "insufficient_data": 2, "breached": 3}

# credit_for, exact and number live in slactl.compliance.credits (no numpy/pandas) and are re-exported here
__all__ = [
    "LOOKBACKS", "STATUS_RANK", "alert_tiers", "alerts_from_rates", "burn_rate", "credit_for", "error_budget",
    "exact", "number", "status_for",
]


def error_budget(unit: str, target: float, known: Fraction | float, consumed: Fraction | float) -> ErrorBudget:
    """budget = (1 - target/100) x known; remaining_ratio null when the budget is zero."""
    share = 1 - exact(target) / 100
    total = share * Fraction(known)
    consumed_f = Fraction(consumed)
    ratio = None if total == 0 else float((total - consumed_f) / total)
    return ErrorBudget(unit=unit, total=number(total), consumed=number(consumed_f), remaining_ratio=ratio)


def burn_rate(bad: float, known: float, target: float) -> float | None:
    """(bad fraction in the lookback) / (1 - target/100); null without data or with a 100% target."""
    allowed = 1 - float(exact(target) / 100)
    if known <= 0 or allowed <= 0:
        return None
    return (bad / known) / allowed


def alert_tiers(objective: Objective) -> list[AlertTier]:
    if objective.alerts:
        return objective.alerts
    return DEFAULT_ALERT_TIERS[28 if objective.window == Window.ROLLING_28D else 30]


def status_for(
    attained: Fraction | None,
    target: float,
    warning: float | None,
    projected: float | None,
    insufficient: bool,
) -> str:
    """insufficient_data, else breached, else at_risk (below warning or projected below target), else met."""
    if insufficient or attained is None:
        return "insufficient_data"
    if attained < exact(target):
        return "breached"
    if warning is not None and attained < exact(warning):
        return "at_risk"
    if projected is not None and exact(projected) < exact(target):
        return "at_risk"
    return "met"


def alerts_from_rates(objective: Objective, rate_of: Any) -> list[dict[str, Any]]:
    """Tiers that fire: both the long and the short window burn faster than the factor."""
    fired = []
    for tier in alert_tiers(objective):
        long_rate = rate_of(tier.long)
        short_rate = rate_of(tier.short)
        if long_rate is not None and short_rate is not None and long_rate > tier.factor and short_rate > tier.factor:
            fired.append({
                "severity": tier.severity, "factor": tier.factor, "long": tier.long, "short": tier.short,
                "long_rate": long_rate, "short_rate": short_rate,
            })
    return fired
