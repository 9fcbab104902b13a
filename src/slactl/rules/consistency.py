"""Consistency rules: OLAs and UCs underpin their SLAs with promises at least as strict.

An OLA or UC objective that `supports` an SLA objective inherits the indicator, target and
threshold it omits; what it does state is compared with the SLA objective.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from slactl.durations import format_duration
from slactl.findings import Finding, Severity
from slactl.model.agreement import TICKET_INDICATORS
from slactl.model.common import WEEKDAYS, interval_minutes
from slactl.rules.catalog import Catalog, ObjectiveView, catalog
from slactl.rules.registry import Context, rule

_STANDARD = "ITIL 4 Service Level Management (OLA/UC alignment)"


def _supporting(ctx: Context) -> Iterator[tuple[ObjectiveView, ObjectiveView]]:
    """(OLA/UC objective, the SLA objective it supports) for every resolvable `supports`."""
    for view in catalog(ctx).objectives.values():
        if view.supported is not None and view.doc.kind in ("OLA", "UC") and view.supported.doc.kind == "SLA":
            yield view, view.supported


@rule("objective-incomplete", Severity.ERROR, standard="slactl")
def objective_incomplete(ctx: Context) -> Iterator[Finding]:
    """An objective that supports nothing lacks its indicator or target.

    Only an OLA or UC objective with `supports` may omit `indicator`, `target` and `threshold`:
    it inherits them from the SLA objective it supports. Every other objective states them.

    Bad:

        objectives:
          - id: availability
            source: probes                # what is measured, and against what target?

    Good:

        objectives:
          - id: availability
            indicator: availability
            source: probes
            target: 99.9
    """
    for doc in ctx.result.agreements():
        for index, objective in enumerate(doc.model.spec.objectives):
            if objective.supports is not None:
                continue
            missing = [name for name in ("indicator", "target") if getattr(objective, name) is None]
            if missing:
                yield doc.finding(
                    "objective-incomplete", Severity.ERROR,
                    f"objective '{objective.id}' has no {' and no '.join(missing)}",
                    "spec", "objectives", index,
                    hint="add " + " and ".join(missing)
                    + (" (an OLA/UC objective may inherit them with supports: AGREEMENT/OBJECTIVE)"
                       if doc.kind != "SLA" else ""),
                )


@rule("support-indicator", Severity.ERROR, standard=_STANDARD)
def support_indicator(ctx: Context) -> Iterator[Finding]:
    """An OLA/UC objective measures a different indicator than the SLA objective it supports.

    Bad:

        - id: ola-resolution
          supports: payments-gold/p1-resolution     # a resolution_time objective
          indicator: response_time

    Good:

        - id: ola-resolution
          supports: payments-gold/p1-resolution
          indicator: resolution_time                # or omit it: it is inherited
    """
    for view, sla in _supporting(ctx):
        own = view.objective.indicator
        if own is not None and sla.objective.indicator is not None and own != sla.objective.indicator:
            yield view.doc.finding(
                "support-indicator", Severity.ERROR,
                f"objective '{view.objective.id}' measures {own.value} but supports {sla.ref}, "
                f"which measures {sla.objective.indicator.value}",
                *view.path("indicator"), hint="use the same indicator, or omit it to inherit it",
            )


@rule("support-target", Severity.ERROR, standard=_STANDARD)
def support_target(ctx: Context) -> Iterator[Finding]:
    """An OLA/UC objective promises a lower target than the SLA objective it supports.

    The team or supplier underneath must promise at least what the customer is promised,
    otherwise the OLA can be met while the SLA is breached.

    Bad:

        - id: ola-availability
          supports: payments-gold/availability      # target 99.9
          target: 99.5

    Good:

        - id: ola-availability
          supports: payments-gold/availability
          target: 99.95
    """
    for view, sla in _supporting(ctx):
        own, theirs = view.objective.target, sla.objective.target
        if own is not None and theirs is not None and own < theirs:
            yield view.doc.finding(
                "support-target", Severity.ERROR,
                f"objective '{view.objective.id}' targets {own:g}% but supports {sla.ref}, which targets {theirs:g}%",
                *view.path("target"), hint=f"raise target to at least {theirs:g}, or omit it to inherit it",
            )


@rule("support-threshold", Severity.ERROR, standard=_STANDARD)
def support_threshold(ctx: Context) -> Iterator[Finding]:
    """An OLA/UC objective allows a longer threshold than the SLA objective it supports.

    Bad:

        - id: ola-p1-resolution
          supports: payments-gold/p1-resolution     # threshold: 4h
          threshold: 6h

    Good:

        - id: ola-p1-resolution
          supports: payments-gold/p1-resolution
          threshold: 3h                             # leaves an hour for the service desk
    """
    for view, sla in _supporting(ctx):
        own, theirs = view.objective.threshold, sla.objective.threshold
        if own is not None and theirs is not None and own > theirs:
            yield view.doc.finding(
                "support-threshold", Severity.ERROR,
                f"objective '{view.objective.id}' allows {format_duration(own)} but supports {sla.ref}, "
                f"which allows {format_duration(theirs)}",
                *view.path("threshold"),
                hint=f"shorten threshold to at most {format_duration(theirs)}, or omit it to inherit it",
            )


# Nominal window lengths in days, to tell a longer window from a shorter one.
_WINDOW_DAYS = {"rolling_28d": 28, "rolling_30d": 30, "calendar_month": 30, "calendar_quarter": 91}
_SLACK_DAYS = 3


@rule("support-window", Severity.WARNING, standard=_STANDARD)
def support_window(ctx: Context) -> Iterator[Finding]:
    """An OLA/UC objective is measured over a longer window than the SLA objective it supports.

    A quarterly OLA under a monthly SLA can be met for the quarter while the SLA is breached
    in one of its months: the comparison says nothing. Measure the OLA over the SLA's window
    or a shorter one. Month-long windows (`rolling_28d`, `rolling_30d`, `calendar_month`) are
    close enough to compare with each other.

    Bad:

        - id: ola-availability
          supports: payments-gold/availability      # window: calendar_month
          window: calendar_quarter

    Good:

        - id: ola-availability
          supports: payments-gold/availability
          window: calendar_month
    """
    for view, sla in _supporting(ctx):
        own, theirs = view.objective.window.value, sla.objective.window.value
        # month-long windows (28d, 30d, calendar month) compare well enough; a quarter does not
        if _WINDOW_DAYS[own] > _WINDOW_DAYS[theirs] + _SLACK_DAYS:
            yield view.doc.finding(
                "support-window", Severity.WARNING,
                f"objective '{view.objective.id}' is measured per {own} but supports {sla.ref}, measured per "
                f"{theirs}: the OLA can be met over its longer window while the SLA is breached",
                *(view.path("window") if "window" in _raw(view) else view.path()),
                hint=f"set window: {theirs}",
            )


def _raw(view: ObjectiveView) -> Any:
    try:
        return view.doc.raw["spec"]["objectives"][view.index]
    except (KeyError, IndexError, TypeError):
        return {}


@dataclass(frozen=True)
class _Hours:
    """Service hours as minute masks per weekday; None for 24x7 in any zone."""

    zone: str
    name: str
    days: tuple[frozenset[int], ...]
    holidays: frozenset[Any]


def _hours(cat: Catalog, view: ObjectiveView, memo: dict[str, _Hours | None]) -> _Hours | None:
    indicator = view.indicator
    if indicator in TICKET_INDICATORS and view.objective.clock == "wall":
        return None
    calendar_id = view.doc.model.spec.calendar
    if not calendar_id:
        return None
    if calendar_id not in memo:
        memo[calendar_id] = _calendar_hours(cat, calendar_id)
    return memo[calendar_id]


def _calendar_hours(cat: Catalog, calendar_id: str) -> _Hours | None:
    calendar = cat.model("Calendar", calendar_id)
    if calendar is None:
        return None
    days = []
    for day in WEEKDAYS:
        minutes: set[int] = set()
        for interval in calendar.spec.hours.get(day, []):
            start, end = interval_minutes(interval)
            minutes.update(range(start, end))
        days.append(frozenset(minutes))
    hours = _Hours(calendar.spec.timezone, str(calendar_id), tuple(days), frozenset(calendar.spec.holidays))
    if not hours.holidays and all(len(d) == 1440 for d in hours.days):
        return None
    return hours


def _hours_problem(ola: _Hours | None, sla: _Hours | None) -> str | None:
    """Why the OLA's service hours do not cover the SLA's, or None when they do."""
    if ola is None:
        return None
    if sla is None:
        return f"it is measured in calendar '{ola.name}' hours only, while the SLA objective runs 24x7"
    if ola.zone != sla.zone:
        return (f"its calendar '{ola.name}' is in {ola.zone} and the SLA's '{sla.name}' in {sla.zone}: "
                "service hours cannot be compared")
    for day, ola_minutes, sla_minutes in zip(WEEKDAYS, ola.days, sla.days, strict=True):
        if not sla_minutes <= ola_minutes:
            return f"calendar '{ola.name}' does not cover the SLA calendar '{sla.name}' hours on {day}"
    extra = sorted(h for h in ola.holidays - sla.holidays if sla.days[h.weekday()])
    if extra:
        return (f"calendar '{ola.name}' has holiday {extra[0].isoformat()} on which "
                f"the SLA calendar '{sla.name}' still has service hours")
    return None


@rule("support-calendar", Severity.WARNING, standard=_STANDARD)
def support_calendar(ctx: Context) -> Iterator[Finding]:
    """An OLA/UC objective's service hours do not cover those of the SLA objective it supports.

    When the team underneath only counts business hours while the customer's clock runs 24x7
    (or the calendars differ), the two attainments measure different things. Ticket objectives
    with `clock: wall` run 24x7 whatever the calendar.

    Bad:

        kind: OLA
        spec:
          calendar: uk-business                     # Mon-Fri 08:00-18:00
          objectives:
            - {id: ola-availability, supports: payments-gold/availability}   # SLA is 24x7

    Good:

        kind: OLA
        spec:
          calendar: always-on                       # or no calendar, like the SLA
    """
    cat = catalog(ctx)
    memo: dict[str, _Hours | None] = {}
    for view, sla in _supporting(ctx):
        problem = _hours_problem(_hours(cat, view, memo), _hours(cat, sla, memo))
        if problem is not None:
            path = ("spec", "calendar") if "calendar" in (view.doc.raw.get("spec") or {}) else view.path()
            yield view.doc.finding(
                "support-calendar", Severity.WARNING,
                f"objective '{view.objective.id}' supports {sla.ref}, but {problem}",
                *path, hint="give the OLA/UC a calendar that covers the SLA's service hours",
            )


@rule("underpin-unused", Severity.WARNING, standard=_STANDARD)
def underpin_unused(ctx: Context) -> Iterator[Finding]:
    """An SLA lists an OLA/UC in `underpinned_by` that supports none of its objectives.

    Either the OLA's objectives lack `supports: SLA/OBJECTIVE`, or the dependency is stale.

    Bad:

        kind: SLA
        metadata: {id: payments-gold}
        spec:
          underpinned_by: [network-ola]   # no objective of network-ola supports payments-gold/...

    Good:

        kind: OLA
        metadata: {id: network-ola}
        spec:
          objectives:
            - {id: availability, supports: payments-gold/availability, target: 99.95}
    """
    cat = catalog(ctx)
    for doc in ctx.result.of_kind("SLA"):
        for index, ola_id in enumerate(doc.model.spec.underpinned_by):
            ola = cat.valid.get("agreement", {}).get(ola_id)
            if ola is None or ola.kind not in ("OLA", "UC"):
                continue
            if not any(str(o.supports or "").split("/")[0] == doc.id for o in ola.model.spec.objectives):
                yield doc.finding(
                    "underpin-unused", Severity.WARNING,
                    f"{ola.kind} '{ola_id}' underpins '{doc.id}' but none of its objectives supports one of "
                    f"the objectives of '{doc.id}'",
                    "spec", "underpinned_by", index,
                    hint=f"add supports: {doc.id}/OBJECTIVE to the {ola.kind}'s objectives, or remove it here",
                )


@rule("underpin-unlisted", Severity.WARNING, standard=_STANDARD)
def underpin_unlisted(ctx: Context) -> Iterator[Finding]:
    """An OLA/UC objective supports an SLA that does not list it in `underpinned_by`.

    The dependency is documented on one side only; the SLA's owner cannot see what it relies on.

    Bad:

        kind: OLA
        metadata: {id: network-ola}
        spec:
          objectives: [{id: availability, supports: payments-gold/availability}]
        # ...while payments-gold has no underpinned_by: [network-ola]

    Good:

        kind: SLA
        metadata: {id: payments-gold}
        spec:
          underpinned_by: [network-ola]
    """
    reported: set[tuple[str | None, str | None]] = set()
    for view, sla in _supporting(ctx):
        if view.doc.id in sla.doc.model.spec.underpinned_by or (view.doc.id, sla.doc.id) in reported:
            continue
        reported.add((view.doc.id, sla.doc.id))
        yield view.doc.finding(
            "underpin-unlisted", Severity.WARNING,
            f"objective '{view.objective.id}' supports {sla.ref}, but SLA '{sla.doc.id}' does not list "
            f"{view.doc.kind} '{view.doc.id}' in underpinned_by",
            *view.path("supports"), hint=f"add '{view.doc.id}' to underpinned_by of '{sla.doc.id}'",
        )
