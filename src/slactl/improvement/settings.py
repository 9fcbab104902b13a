"""Settings of the improvement analyses, read from `[scoring]` in slactl.toml (every key optional)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weights(_Strict):
    impact: float = Field(default=0.5, ge=0)
    recurrence: float = Field(default=0.3, ge=0)
    cost: float = Field(default=0.2, ge=0)


class CsatSettings(_Strict):
    min_mean: float = Field(default=3.5, ge=1, le=5, description="Mean score under which satisfaction is poor.")
    min_share: float = Field(default=70.0, ge=0, le=100, description="Percent of 4-5 answers under which it is poor.")
    min_answers: int = Field(default=5, ge=1, description="Fewer answers than this are not judged.")


class ScorecardWeights(_Strict):
    technical: float = Field(default=0.4, ge=0)
    financial: float = Field(default=0.3, ge=0)
    customer: float = Field(default=0.3, ge=0)
    complaint_penalty: float = Field(default=5.0, ge=0, description="Points of 100 one complaint takes off the customer score.")
    credit_penalty: float = Field(default=2.0, ge=0, description="Points of 100 one percent of fees paid as credit takes off.")


class ScoringSettings(_Strict):
    """The risk-based priority model and the thresholds of the other analyses."""

    weights: Weights = Field(default_factory=Weights)
    periods: int = Field(default=6, ge=1, le=36, description="Periods looked back for recurrence.")
    tier_impact: dict[str, int] = Field(
        default_factory=lambda: {"critical": 5, "high": 4, "medium": 3, "low": 2},
        description="Impact score of a service tier.",
    )
    customers_step: int = Field(default=2, ge=1, description="Every this many customers affected adds 1 to impact.")
    recurrence_per_point: int = Field(default=1, ge=1, description="Breaches or incidents per recurrence point above 1.")
    cost_bands: list[float] = Field(
        default_factory=lambda: [1000.0, 5000.0, 20000.0, 100000.0],
        description="Investment limits between cost scores 1|2|3|4|5.",
    )
    alpha: float = Field(default=0.05, gt=0, lt=1, description="Significance level of the effect test.")
    bootstrap: int = Field(default=2000, ge=100, le=100000)
    seed: int = 20261
    csat: CsatSettings = Field(default_factory=CsatSettings)
    scorecard: ScorecardWeights = Field(default_factory=ScorecardWeights)


class SettingsError(Exception):
    """`[scoring]` cannot be used; the message names the key and the fix."""


def scoring_settings(raw: dict[str, Any] | None) -> ScoringSettings:
    """Validated settings from the `[scoring]` table (`load_config(root).scoring`)."""
    try:
        return ScoringSettings.model_validate(raw or {})
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown setting; see docs/improvement.md for the [scoring] keys"
        raise SettingsError(f"slactl.toml [scoring] {where}: {message}") from None
