"""Agreements (SLA, OLA, UC) and their objectives, maintenance windows and exclusions."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Literal

from pydantic import Field, model_validator

from slactl.model.common import (
    Duration,
    Id,
    LocalTime,
    ObjectiveRef,
    Percent,
    StrictModel,
    Timestamp,
)


class Indicator(str, Enum):
    AVAILABILITY = "availability"
    SUCCESS_RATIO = "success_ratio"
    LATENCY = "latency"
    RESPONSE_TIME = "response_time"
    RESOLUTION_TIME = "resolution_time"
    CSAT = "csat"


TICKET_INDICATORS = {Indicator.RESPONSE_TIME, Indicator.RESOLUTION_TIME}


class Window(str, Enum):
    CALENDAR_MONTH = "calendar_month"
    CALENDAR_QUARTER = "calendar_quarter"
    ROLLING_28D = "rolling_28d"
    ROLLING_30D = "rolling_30d"


class Status(str, Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    RETIRED = "retired"
    DECOMMISSIONED = "decommissioned"


class Cadence(str, Enum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"


CADENCE_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.SEMIANNUAL: 6, Cadence.ANNUAL: 12}


class CreditTier(StrictModel):
    """Service credit earned when attainment is below `below`."""

    below: Percent = Field(description="Attainment (percent) under which this tier applies.")
    credit: Percent = Field(description="Credit, percent of the monthly fee.")


class AlertTier(StrictModel):
    """A multi-window burn-rate alert: fires when both windows burn faster than `factor`."""

    long: Duration
    short: Duration
    factor: float = Field(gt=0)
    severity: Literal["page", "ticket"] = "page"


class Objective(StrictModel):
    """One measurable promise of an agreement."""

    id: Id
    indicator: Indicator | None = Field(
        default=None, description="What is measured; inherited from the supported objective when `supports` is set."
    )
    source: Id | None = Field(default=None, description="DataSource id the indicator is computed from.")
    service: Id | None = Field(default=None, description="Filter on the data's service column.")
    target: Percent | None = Field(default=None, description="Percent; met when attained >= target.")
    warning: Percent | None = Field(default=None, description="Optional at-risk threshold (leading indicator).")
    window: Window = Window.CALENDAR_MONTH
    min_coverage: float = Field(default=0.9, ge=0, le=1, description="Fraction of eligible time that must have data.")
    credits: list[CreditTier] = Field(default_factory=list, description="Service-credit tiers; the lowest applicable tier wins.")
    min_downtime: Duration | None = Field(default=None, description="Down runs shorter than this do not count.")
    budgeting: Literal["occurrences", "timeslices"] = "occurrences"
    slice: Duration | None = Field(default=None, description="timeslices only: slice length.")
    slice_target: Percent | None = Field(default=None, description="timeslices only: a slice is good when its own ratio >= this.")
    alerts: list[AlertTier] | None = Field(default=None, description="Burn-rate alert tiers; defaults per window.")
    threshold: Duration | None = Field(default=None, description="Per ticket or request (latency) limit.")
    clock: Literal["business", "wall"] = "business"
    pause_states: list[str] = Field(default_factory=list, description="Ticket states that stop the clock.")
    filter: dict[str, str | int | float | bool] = Field(default_factory=dict, description="Equality filters on the data's columns.")
    supports: ObjectiveRef | None = Field(default=None, description="AGREEMENT/OBJECTIVE this objective underpins.")


class Maintenance(StrictModel):
    """A scheduled maintenance window excluded from availability."""

    id: Id
    every: Literal["once", "day", "week", "month"]
    on: str | int | None = Field(default=None, description="Weekday (mon..sun) for week; day of month (1..31) for month.")
    at: LocalTime | None = Field(default=None, description="Local start time in the agreement's calendar time zone.")
    duration: Duration | None = Field(default=None, description="Real elapsed time.")
    start: Timestamp | None = Field(default=None, description="once: start.")
    end: Timestamp | None = Field(default=None, description="once: end (or give duration).")
    notice: Duration | None = Field(default=None, description="Advance notice the contract requires.")
    reason: str | None = None


class Exclusion(StrictModel):
    """A declared force-majeure or otherwise excluded event."""

    id: Id
    start: Timestamp
    end: Timestamp
    reason: str | None = None
    clause: str | None = None


class Approval(StrictModel):
    by: str
    on: date


class ChangelogEntry(StrictModel):
    version: int = Field(ge=1)
    date: date
    summary: str
    approvals: list[Approval] = Field(default_factory=list)


class Review(StrictModel):
    cadence: Cadence
    last: date | None = None
    next: date | None = Field(default=None, description="Defaults from last + cadence.")


class AgreementSpec(StrictModel):
    """Fields every agreement kind shares."""

    parent: Id | None = Field(default=None, description="Id of the SLA one level up.")
    services: list[Id] = Field(description="Service ids covered.")
    status: Status
    version: int = Field(ge=1, description="Raised by one with every material amendment.")
    effective: date
    expires: date | None = None
    review: Review | None = None
    approvers: list[str] = Field(default_factory=list, description="Who must approve an amendment.")
    changelog: list[ChangelogEntry] = Field(default_factory=list)
    calendar: Id | None = Field(default=None, description="Calendar id for service hours; absent means 24x7 UTC.")
    maintenance: list[Maintenance] = Field(default_factory=list)
    exclusions: list[Exclusion] = Field(default_factory=list)
    underpinned_by: list[Id] = Field(default_factory=list, description="OLA and UC ids this agreement depends on.")
    escalation: Id | None = Field(default=None, description="EscalationPolicy id.")
    monthly_fee: float | None = Field(default=None, ge=0)
    currency: str | None = None
    credit_cap: Percent = 100.0
    objectives: list[Objective] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_objective_ids(self) -> AgreementSpec:
        seen: set[str] = set()
        for objective in self.objectives:
            if objective.id in seen:
                raise ValueError(f"objective id '{objective.id}' is used twice in this agreement")
            seen.add(objective.id)
        return self


class SLASpec(AgreementSpec):
    level: Literal["corporate", "customer", "service"]
    customer: str | None = None


class OLASpec(AgreementSpec):
    provider: str | None = Field(default=None, description="The internal team providing the service.")


class UCSpec(AgreementSpec):
    supplier: str | None = None
    contract_ref: str | None = None


# Multi-window, multi-burn-rate defaults (SPEC 3.4), by window length in days.
# factor = budget share spent in the long window x window length / long window; e.g. 2% of a 30-day budget
# spent in 1 hour burns at 0.02 x 720h / 1h = 14.4.
DEFAULT_ALERT_TIERS: dict[int, list[AlertTier]] = {
    30: [
        AlertTier(long="1h", short="5m", factor=14.4, severity="page"),
        AlertTier(long="6h", short="30m", factor=6, severity="page"),
        AlertTier(long="24h", short="2h", factor=3, severity="ticket"),
        AlertTier(long="3d", short="6h", factor=1, severity="ticket"),
    ],
    28: [
        AlertTier(long="1h", short="5m", factor=14, severity="page"),
        AlertTier(long="6h", short="30m", factor=7, severity="page"),
        AlertTier(long="24h", short="2h", factor=2, severity="ticket"),
        AlertTier(long="3d", short="6h", factor=1, severity="ticket"),
    ],
}
