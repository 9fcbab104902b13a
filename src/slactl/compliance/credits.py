"""Exact figures and service credits (SPEC 3.6), free of heavy dependencies so `slactl validate` and the
governance checks can use them without importing numpy or pandas."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from slactl.model.agreement import CreditTier


def exact(value: float | int | Decimal | str) -> Fraction:
    """A number as written (99.9 is 999/10, not the nearest binary float)."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


@overload
def number(value: None) -> None: ...
@overload
def number(value: Fraction | float | int) -> float | int: ...
@overload
def number(value: Fraction | float | int | None) -> float | int | None: ...
def number(value: Fraction | float | int | None) -> float | int | None:
    """A figure for JSON: integers stay integers, everything else a float at full precision."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def credit_for(attained: Fraction | None, tiers: list[CreditTier], cap: float) -> float | None:
    """The credit of the lowest `below` tier that attainment is under (tiers do not add up), capped."""
    if attained is None:
        return None
    applicable = [tier for tier in tiers if attained < exact(tier.below)]
    if not applicable:
        return 0
    lowest = min(applicable, key=lambda tier: exact(tier.below))
    return number(min(exact(lowest.credit), exact(cap)))
