"""Every other kind: Service, Calendar, DataSource, EscalationPolicy, Improvement, Problem, Policy, Freeze."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from slactl.model.common import (
    WEEKDAYS,
    Duration,
    Id,
    LocalInterval,
    ObjectiveRef,
    StrictModel,
    Timestamp,
    TimeZoneName,
)


class ServiceSpec(StrictModel):
    tier: Literal["critical", "high", "medium", "low"] = "medium"
    data_classification: Literal["public", "internal", "confidential", "personal"] | None = None
    regulations: list[str] = Field(default_factory=list, description="For example [GDPR, SOX].")
    depends_on: list[Id] = Field(default_factory=list, description="Service ids this service depends on.")
    suppliers: list[str] = Field(default_factory=list, description="Suppliers or internal teams it relies on.")
    monitoring: list[Id] = Field(default_factory=list, description="DataSource ids that monitor it.")
    delegates: list[str] = Field(
        default_factory=list, description="People or teams who may approve changes on the owner's behalf (CAB)."
    )


class CalendarSpec(StrictModel):
    timezone: TimeZoneName
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[LocalInterval]] = Field(
        default_factory=lambda: {day: ["00:00-24:00"] for day in WEEKDAYS},
        description="Weekday -> local intervals; a missing day has no service. Absent: 24x7.",
    )
    holidays: list[date] = Field(default_factory=list)


def _default_up_values() -> list[str | int | float | bool]:
    return ["up", "ok", "1", "true"]


MAX_PROBE_INTERVAL = 86_400.0
_STRPTIME_DIRECTIVES = set("aAbBcCdDeFgGhHIjmMnpRsSTuUVwWxXyYzZ%")


def strptime_problem(fmt: str) -> str | None:
    """What is wrong with a strptime format for a time column (unknown directive, no date), or None."""
    import re

    directives = re.findall(r"%(.)", fmt.replace("%%", ""))
    if "%" in re.sub(r"%.", "", fmt.replace("%%", "")):
        return "ends with a lone '%'"
    unknown = sorted({d for d in directives if d not in _STRPTIME_DIRECTIVES})
    if unknown:
        return f"has unknown directive(s) {', '.join('%' + d for d in unknown)}"
    found = set(directives)
    has_date = bool(found & set("cDFxs")) or (bool(found & set("YyCG")) and (
        "j" in found or (bool(found & set("mbBh")) and bool(found & set("de")))))
    if not has_date:
        return "gives no date: it needs a year, month and day (for example %d/%m/%Y %H:%M)"
    return None


class DataSourceSpec(StrictModel):
    type: Literal["probes", "outages", "events", "tickets", "pauses", "csat", "complaints", "changes"]
    path: str = Field(description="Glob relative to the repository root.")
    timezone: TimeZoneName | None = Field(default=None, description="For timestamps without an offset.")
    columns: dict[str, str] = Field(default_factory=dict, description="slactl name -> file header.")
    up_values: list[str | int | float | bool] = Field(default_factory=_default_up_values)
    interval: Duration | None = Field(default=None, description="probes: each sample stands for [time, time + interval).")
    formats: dict[str, str] = Field(default_factory=dict, description="strptime format per time column.")
    null_values: list[str] = Field(default_factory=list)
    value_map: dict[str, dict[str, str]] = Field(default_factory=dict)
    pauses: Id | None = Field(default=None, description="tickets: the status-history (pauses) source.")
    complete_until: date | Timestamp | None = Field(default=None, description="outages: time after it is unknown.")
    delimiter: str = ","
    encoding: str = "utf-8"

    @field_validator("interval")
    @classmethod
    def _interval_positive(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value <= MAX_PROBE_INTERVAL:
            raise ValueError("a probe interval is more than 0s and at most 1d (what one sample stands for)")
        return value

    @field_validator("up_values")
    @classmethod
    def _some_up_value(cls, value: list[Any]) -> list[Any]:
        if not value:
            raise ValueError("list at least one status value that means up, or leave `up_values` out "
                             "for the default [up, ok, 1, true]")
        return value

    @field_validator("columns")
    @classmethod
    def _distinct_headers(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for name, header in value.items():
            if header in seen:
                raise ValueError(f"'{seen[header]}' and '{name}' both read the header '{header}': "
                                 "map each column to its own header")
            seen[header] = name
        return value

    @field_validator("formats")
    @classmethod
    def _strptime_formats(cls, value: dict[str, str]) -> dict[str, str]:
        for name, fmt in value.items():
            problem = strptime_problem(fmt)
            if problem:
                raise ValueError(f"format of '{name}' ('{fmt}') {problem}")
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1 or value in "\r\n\"":
            raise ValueError(f"'{value}' is not a delimiter: give one character such as ',' or ';' "
                             "(a tab is \"\\t\" in double quotes)")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding '{value}'; use a name Python knows, such as utf-8, cp1252 "
                             "or latin-1") from None
        return value

    def interval_ns(self) -> int:
        """Nanoseconds each probe sample stands for: `interval`, or 60 seconds when none is declared."""
        return int(round((self.interval or 60) * 1_000_000_000))

    def complete_until_instant(self) -> datetime | None:
        """`complete_until` as an aware instant: a date is that day's midnight in the source's zone."""
        until = self.complete_until
        if until is None:
            return None
        if not isinstance(until, datetime):
            until = datetime.combine(until, time(0, 0))
        return until if until.tzinfo else until.replace(tzinfo=ZoneInfo(self.timezone or "UTC"))


class Notify(StrictModel):
    name: str
    format: Literal["json", "slack", "pagerduty"] = "json"
    url_env: str = Field(description="Environment variable holding the webhook URL or routing key.")


class EscalationLevel(StrictModel):
    after: Duration
    channel: Literal["technical", "customer"]
    notify: list[Notify] = Field(default_factory=list)


class EscalationPolicySpec(StrictModel):
    levels: list[EscalationLevel] = Field(min_length=1)
    cooldown: Duration | None = Field(default=None, description="Do not notify the same condition again within this.")


class Score(StrictModel):
    impact: int = Field(ge=1, le=5)
    recurrence: int = Field(ge=1, le=5)
    cost: int = Field(ge=1, le=5)


class Expected(StrictModel):
    objective: ObjectiveRef
    baseline: float | None = None
    target: float | None = None


class ImprovementSpec(StrictModel):
    title: str
    source: Literal["breach", "review", "feedback", "audit", "problem"]
    services: list[Id] = Field(default_factory=list)
    agreements: list[Id] = Field(default_factory=list)
    business_outcome: str | None = None
    kpi: str | None = None
    status: Literal[
        "identified", "approved", "in_progress", "implemented", "validated", "closed", "rejected", "failed"
    ] = "identified"
    phase: Literal["plan", "do", "check", "act"] = "plan"
    score: Score | None = None
    expected: Expected | None = None
    investment: float | None = Field(default=None, ge=0)
    started: date | None = None
    implemented: date | None = None
    lessons_learned: str | None = None
    outcome: str | None = None
    updated: date | None = Field(default=None, description="When the status last changed.")


class Breach(StrictModel):
    objective: ObjectiveRef
    period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")


class ProblemSpec(StrictModel):
    title: str | None = None
    status: Literal["open", "known_error", "resolved", "closed"] = "open"
    breaches: list[Breach] = Field(default_factory=list)
    technique: Literal["five_whys", "fishbone"] | None = None
    whys: list[str] = Field(default_factory=list)
    fishbone: dict[str, list[str]] = Field(default_factory=dict)
    root_cause: str | None = None
    improvements: list[Id] = Field(default_factory=list)
    opened: date | None = None


class Selector(StrictModel):
    kind: Literal["Service", "SLA", "OLA", "UC"] | None = None
    ids: list[Id] | None = None
    tier: list[str] | None = None
    regulations: list[str] | None = None
    data_classification: list[str] | None = None


class Planning(StrictModel):
    review_months: list[int] = Field(default_factory=list)


class PolicySpec(StrictModel):
    regulation: str
    applies_to: Selector = Field(default_factory=Selector)
    rules: dict[str, Any] = Field(default_factory=dict)
    planning: Planning | None = None


class FreezeSpec(StrictModel):
    start: Timestamp
    end: Timestamp
    services: list[Id] | None = None
    reason: str | None = None
    timezone: TimeZoneName | None = Field(default=None, description="For start/end without an offset (default UTC).")
