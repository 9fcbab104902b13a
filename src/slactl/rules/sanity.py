"""Sanity rules: numbers, dates, windows and data sources that cannot mean what their author meant.

Naive timestamps in `exclusions` and `once` maintenance windows are fine: they are read in the
agreement's calendar time zone (UTC without a calendar), and compared that way here.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterator
from datetime import UTC, date
from pathlib import PureWindowsPath
from typing import Any

from slactl.durations import format_duration
from slactl.findings import Finding, Severity
from slactl.loader.documents import LoadedDocument
from slactl.model.agreement import CADENCE_MONTHS, TICKET_INDICATORS, Indicator
from slactl.model.common import WEEKDAYS
from slactl.rules.catalog import ObjectiveView, aware, catalog
from slactl.rules.registry import Context, rule

_SLM = "ITIL 4 Service Level Management"


def _views(ctx: Context) -> Iterator[ObjectiveView]:
    return iter(catalog(ctx).objectives.values())


def _has(doc: LoadedDocument, *path: Any) -> bool:
    node: Any = doc.raw
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return False
    return True


@rule("objective-warning", Severity.ERROR, standard=_SLM)
def objective_warning(ctx: Context) -> Iterator[Finding]:
    """An objective's `warning` is below its `target`.

    `warning` is the earlier alarm: attainment falls under it before it falls under the target,
    so it must be at least the target (targets and warnings are percents in 0..100).

    Bad:

        target: 99.9
        warning: 99.5

    Good:

        target: 99.9
        warning: 99.95
    """
    for view in _views(ctx):
        warning, target = view.objective.warning, view.target
        if warning is not None and target is not None and warning < target:
            yield view.doc.finding(
                "objective-warning", Severity.ERROR,
                f"objective '{view.objective.id}' warns at {warning:g}%, below its target {target:g}%: "
                "the warning would fire only after the breach",
                *view.path("warning"), hint=f"set warning above {target:g} (for example {min(100.0, target + (100 - target) / 2):g})",
            )


@rule("credit-tiers", Severity.ERROR, standard="Contract management (service credits)")
def credit_tiers(ctx: Context) -> Iterator[Finding]:
    """Service-credit tiers are not strictly ordered, or start above the target.

    Each tier has its own `below`; the lower the attainment, the larger the credit; and no tier
    pays credit while the objective is met (`below` at most the target).

    Bad:

        target: 99.9
        credits:
          - {below: 99.95, credit: 10}    # pays credit although the target is met
          - {below: 99.0, credit: 5}      # less credit for worse service

    Good:

        target: 99.9
        credits:
          - {below: 99.9, credit: 10}
          - {below: 99.0, credit: 25}
    """
    for view in _views(ctx):
        tiers = view.objective.credits
        target = view.target
        seen: dict[float, int] = {}
        for index, tier in enumerate(tiers):
            path = view.path("credits", index)
            if tier.below in seen:
                yield view.doc.finding(
                    "credit-tiers", Severity.ERROR,
                    f"credit tier {index + 1} repeats below {tier.below:g} of tier {seen[tier.below] + 1}",
                    *path, "below", hint="give every tier its own below",
                )
                continue
            seen[tier.below] = index
            if target is not None and tier.below > target:
                yield view.doc.finding(
                    "credit-tiers", Severity.ERROR,
                    f"credit tier below {tier.below:g} is above the target {target:g}: it pays credit while the "
                    "objective is met",
                    *path, "below", hint=f"use below: {target:g} or lower",
                )
        ordered = sorted(tiers, key=lambda t: -t.below)
        for higher, lower in zip(ordered, ordered[1:], strict=False):
            if higher.below != lower.below and lower.credit <= higher.credit:
                index = tiers.index(lower)
                yield view.doc.finding(
                    "credit-tiers", Severity.ERROR,
                    f"credit tier below {lower.below:g} pays {lower.credit:g}%, not more than the "
                    f"{higher.credit:g}% of the tier below {higher.below:g}: credit must grow as attainment falls",
                    *view.path("credits", index, "credit"), hint="raise the credit of the lower tier",
                )


@rule("agreement-dates", Severity.ERROR, standard=_SLM)
def agreement_dates(ctx: Context) -> Iterator[Finding]:
    """An agreement expires on or before the day it becomes effective.

    Bad:

        effective: 2026-01-01
        expires: 2025-12-31

    Good:

        effective: 2026-01-01
        expires: 2027-12-31
    """
    for doc in ctx.result.agreements():
        spec = doc.model.spec
        if spec.expires is not None and spec.expires <= spec.effective:
            yield doc.finding(
                "agreement-dates", Severity.ERROR,
                f"'{doc.id}' expires {spec.expires.isoformat()}, not after it becomes effective "
                f"{spec.effective.isoformat()}",
                "spec", "expires", hint="expires must be later than effective",
            )


_PERIOD = {"day": 86_400.0, "week": 7 * 86_400.0, "month": 28 * 86_400.0}


def _maintenance_problems(window: Any, zone: Any) -> Iterator[tuple[str, str, str]]:
    """(field, message, hint) for one maintenance window."""
    every = window.every
    if every == "once":
        if window.start is None:
            yield "every", "a once window needs start", "add start (and end or duration)"
        elif window.end is None and window.duration is None:
            yield "start", "a once window needs end or duration", "add end or duration"
        elif window.end is not None:
            start, end = aware(window.start, zone), aware(window.end, zone)
            if end <= start:
                yield "end", f"the window ends at {window.end}, not after its start {window.start}", "end must be after start"
            elif window.duration is not None and (end - start).total_seconds() != window.duration:
                yield ("duration", f"duration {format_duration(window.duration)} disagrees with start..end "
                       f"({format_duration((end - start).total_seconds())})", "give end or duration, not both")
        for name in ("at", "on"):
            if getattr(window, name) is not None:
                yield name, f"'{name}' is for repeating windows, not once", f"remove {name}; start gives the time"
    else:
        if window.at is None:
            yield "every", f"a window repeated every {every} needs at (local start time)", 'add at: "02:00"'
        if window.duration is None:
            yield "every", f"a window repeated every {every} needs duration", "add duration, for example 2h"
        for name in ("start", "end"):
            if getattr(window, name) is not None:
                yield name, f"'{name}' is for once windows; this one repeats every {every}", f"remove {name}"
        if every == "week" and str(window.on).lower() not in WEEKDAYS:
            yield ("on" if window.on is not None else "every",
                   f"a weekly window needs on: a weekday ({', '.join(WEEKDAYS)})"
                   + (f", not {window.on!r}" if window.on is not None else ""),
                   "add on: sun (for example)")
        if every == "month" and (isinstance(window.on, bool) or not isinstance(window.on, int)
                                 or not 1 <= window.on <= 31):
            yield ("on" if window.on is not None else "every",
                   "a monthly window needs on: a day of the month 1..31"
                   + (f", not {window.on!r}" if window.on is not None else ""), "add on: 1 (for example)")
        if every == "day" and window.on is not None:
            yield "on", "a daily window has no 'on'", "remove on"
    if window.duration is not None:
        if window.duration <= 0:
            yield "duration", "duration must be longer than zero", "give a duration such as 2h"
        elif every in _PERIOD and window.duration >= _PERIOD[every]:
            yield ("duration", f"duration {format_duration(window.duration)} is not shorter than the {every} it "
                   "repeats in: the service would always be in maintenance", "shorten the window")


@rule("maintenance-window", Severity.ERROR, standard=_SLM)
def maintenance_window(ctx: Context) -> Iterator[Finding]:
    """A maintenance window is not well formed.

    `once` needs `start` and `end` (or `duration`); `day`, `week` and `month` need `at` and
    `duration`; `week` needs `on` as a weekday (mon..sun) and `month` a day 1..31. The duration is
    longer than zero and shorter than the period it repeats in. Naive `start`/`end` are read in
    the agreement's calendar time zone.

    Bad:

        maintenance:
          - {id: patching, every: week, at: "02:00", duration: 2h}     # which day?

    Good:

        maintenance:
          - {id: patching, every: week, on: sun, at: "02:00", duration: 2h}
    """
    cat = catalog(ctx)
    for doc in ctx.result.agreements():
        zone = cat.zone_of(doc.model)
        for index, window in enumerate(doc.model.spec.maintenance):
            for name, message, hint in _maintenance_problems(window, zone):
                path: tuple[Any, ...] = ("spec", "maintenance", index, name)
                if not _has(doc, *path):
                    path = ("spec", "maintenance", index)
                yield doc.finding("maintenance-window", Severity.ERROR,
                                  f"maintenance window '{window.id}': {message}", *path, hint=hint)


@rule("exclusion-order", Severity.ERROR, standard="Contract management (exclusions)")
def exclusion_order(ctx: Context) -> Iterator[Finding]:
    """A declared exclusion ends before it starts.

    Naive timestamps are read in the agreement's calendar time zone (UTC without a calendar).

    Bad:

        exclusions:
          - {id: dc-fire, start: 2026-03-02T10:00:00Z, end: 2026-03-01T10:00:00Z}

    Good:

        exclusions:
          - {id: dc-fire, start: 2026-03-01T10:00:00Z, end: 2026-03-02T10:00:00Z}
    """
    cat = catalog(ctx)
    for doc in ctx.result.agreements():
        zone = cat.zone_of(doc.model)
        for index, exclusion in enumerate(doc.model.spec.exclusions):
            if aware(exclusion.end, zone) <= aware(exclusion.start, zone):
                yield doc.finding(
                    "exclusion-order", Severity.ERROR,
                    f"exclusion '{exclusion.id}' ends at {exclusion.end}, not after its start {exclusion.start}",
                    "spec", "exclusions", index, "end", hint="end must be after start",
                )


@rule("freeze-order", Severity.ERROR, standard="ITIL 4 Change Enablement")
def freeze_order(ctx: Context) -> Iterator[Finding]:
    """A change freeze ends before it starts.

    Bad:

        kind: Freeze
        spec: {start: 2026-12-31T00:00:00Z, end: 2026-12-15T00:00:00Z}

    Good:

        kind: Freeze
        spec: {start: 2026-12-15T00:00:00Z, end: 2026-12-31T00:00:00Z}
    """
    from zoneinfo import ZoneInfo

    for doc in ctx.result.of_kind("Freeze"):
        spec = doc.model.spec
        zone = ZoneInfo(spec.timezone) if spec.timezone else UTC
        if aware(spec.end, zone) <= aware(spec.start, zone):
            yield doc.finding("freeze-order", Severity.ERROR,
                              f"freeze '{doc.id}' ends at {spec.end}, not after its start {spec.start}",
                              "spec", "end", hint="end must be after start")


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


@rule("review-overdue", Severity.WARNING, standard="ITIL 4 Service Level Management (service review)")
def review_overdue(ctx: Context) -> Iterator[Finding]:
    """An active agreement's review date has passed.

    `review.next` (or, without it, `review.last` plus the cadence) lies before today.

    Bad:

        review: {cadence: quarterly, last: 2025-01-15}   # next was 2025-04-15

    Good:

        review: {cadence: quarterly, last: 2026-10-15, next: 2027-01-15}
    """
    for doc in ctx.result.agreements():
        spec = doc.model.spec
        if spec.status.value != "active" or spec.review is None:
            continue
        review = spec.review
        if review.next is not None:
            due, path = review.next, ("spec", "review", "next")
        elif review.last is not None:
            due, path = _add_months(review.last, CADENCE_MONTHS[review.cadence]), ("spec", "review", "last")
        else:
            continue
        if due < ctx.today:
            yield doc.finding(
                "review-overdue", Severity.WARNING,
                f"'{doc.id}' was due for its {review.cadence.value} review on {due.isoformat()} "
                f"({(ctx.today - due).days} days ago)",
                *path, hint="hold the review, then set review.last (and next) to the new dates",
            )


_SOURCE_TYPES: dict[Indicator, tuple[str, ...]] = {
    Indicator.AVAILABILITY: ("probes", "outages"),
    Indicator.SUCCESS_RATIO: ("events",),
    Indicator.LATENCY: ("events",),
    Indicator.RESPONSE_TIME: ("tickets",),
    Indicator.RESOLUTION_TIME: ("tickets",),
    Indicator.CSAT: ("csat",),
}


@rule("source-indicator", Severity.ERROR, standard="slactl")
def source_indicator(ctx: Context) -> Iterator[Finding]:
    """An objective's data source is of a type its indicator cannot be computed from.

    availability reads probes or outages; success_ratio and latency read events;
    response_time and resolution_time read tickets; csat reads csat answers.

    Bad:

        - {id: p1-resolution, indicator: resolution_time, source: probes, threshold: 4h, target: 95}

    Good:

        - {id: p1-resolution, indicator: resolution_time, source: tickets, threshold: 4h, target: 95}
    """
    cat = catalog(ctx)
    for view in _views(ctx):
        indicator, source_id = view.indicator, view.objective.source
        if indicator is None or source_id is None:
            continue
        source = cat.model("DataSource", source_id)
        if source is None:
            continue
        allowed = _SOURCE_TYPES[indicator]
        if source.spec.type not in allowed:
            yield view.doc.finding(
                "source-indicator", Severity.ERROR,
                f"objective '{view.objective.id}' measures {indicator.value} from '{source_id}', a source of type "
                f"{source.spec.type}; {indicator.value} needs {' or '.join(allowed)} data",
                *view.path("source"), hint=f"name a DataSource of type {' or '.join(allowed)}",
            )


@rule("objective-threshold", Severity.ERROR, standard="slactl")
def objective_threshold(ctx: Context) -> Iterator[Finding]:
    """A latency or ticket objective has no `threshold`, or another objective has one it cannot use.

    Latency counts requests within the threshold; response and resolution time count tickets
    within it. Availability, success ratio and csat have no threshold.

    Bad:

        - {id: p1-resolution, indicator: resolution_time, source: tickets, target: 95}

    Good:

        - {id: p1-resolution, indicator: resolution_time, source: tickets, threshold: 4h, target: 95}
    """
    for view in _views(ctx):
        indicator = view.indicator
        if indicator is None:
            continue
        needs = indicator in TICKET_INDICATORS or indicator == Indicator.LATENCY
        if needs and view.threshold is None:
            yield view.doc.finding(
                "objective-threshold", Severity.ERROR,
                f"{indicator.value} objective '{view.objective.id}' has no threshold",
                *view.path(), hint="add threshold, for example 4h (tickets) or 300ms (latency)",
            )
        elif not needs and view.objective.threshold is not None:
            yield view.doc.finding(
                "objective-threshold", Severity.ERROR,
                f"{indicator.value} objective '{view.objective.id}' has a threshold, which {indicator.value} "
                "does not use",
                *view.path("threshold"), hint="remove threshold, or change the indicator",
            )


@rule("timeslices-config", Severity.ERROR, standard="OpenSLO (timeslices budgeting)")
def timeslices_config(ctx: Context) -> Iterator[Finding]:
    """Timeslice budgeting lacks `slice` or `slice_target`, or they are given without it.

    Bad:

        budgeting: timeslices
        slice: 5m                     # when is a slice good?

    Good:

        budgeting: timeslices
        slice: 5m
        slice_target: 99
    """
    for view in _views(ctx):
        objective = view.objective
        if objective.budgeting == "timeslices":
            missing = [n for n in ("slice", "slice_target") if getattr(objective, n) is None]
            if missing:
                yield view.doc.finding(
                    "timeslices-config", Severity.ERROR,
                    f"objective '{objective.id}' budgets by timeslices but has no {' and no '.join(missing)}",
                    *view.path("budgeting"), hint="add slice (for example 5m) and slice_target (for example 99)",
                )
            elif objective.slice is not None and objective.slice <= 0:
                yield view.doc.finding("timeslices-config", Severity.ERROR,
                                       f"objective '{objective.id}': slice must be longer than zero",
                                       *view.path("slice"), hint="for example slice: 5m")
        else:
            for name in ("slice", "slice_target"):
                if getattr(objective, name) is not None:
                    yield view.doc.finding(
                        "timeslices-config", Severity.ERROR,
                        f"objective '{objective.id}' sets {name} but budgets by occurrences",
                        *view.path(name), hint=f"add budgeting: timeslices, or remove {name}",
                    )


@rule("min-coverage", Severity.WARNING, standard="slactl")
def min_coverage(ctx: Context) -> Iterator[Finding]:
    """`min_coverage` is set where it has no effect, or to 0 (any scrap of data would do).

    Coverage is the share of eligible time that has data, so it applies to availability
    objectives only; request, ticket and csat objectives are insufficient without any data.

    Bad:

        - {id: p1-resolution, indicator: resolution_time, min_coverage: 0.9, ...}

    Good:

        - {id: availability, indicator: availability, source: probes, min_coverage: 0.95, ...}
    """
    for view in _views(ctx):
        if not _has(view.doc, *view.path("min_coverage")):
            continue
        indicator = view.indicator
        if indicator is not None and indicator != Indicator.AVAILABILITY:
            yield view.doc.finding(
                "min-coverage", Severity.WARNING,
                f"min_coverage has no effect on {indicator.value} objective '{view.objective.id}': "
                "coverage is measured for availability only",
                *view.path("min_coverage"), hint="remove min_coverage",
            )
        elif view.objective.min_coverage == 0:
            yield view.doc.finding(
                "min-coverage", Severity.WARNING,
                f"objective '{view.objective.id}' accepts any amount of data (min_coverage 0): a month with "
                "one probe would be reported as met",
                *view.path("min_coverage"), hint="use the default 0.9, or the share your monitoring really covers",
            )


@rule("pause-states-source", Severity.ERROR, standard="ITIL 4 Service Desk (ticket clocks)")
def pause_states_source(ctx: Context) -> Iterator[Finding]:
    """`pause_states` is set but the clock cannot be paused.

    Pauses are read from the status-history source that the tickets source names with
    `pauses:`; and only ticket objectives have clocks.

    Bad:

        # DataSource tickets has no `pauses:`
        - {id: p1-resolution, source: tickets, pause_states: [awaiting-customer], ...}

    Good:

        # DataSource tickets: {type: tickets, pauses: ticket-states, ...}
        - {id: p1-resolution, source: tickets, pause_states: [awaiting-customer], ...}
    """
    cat = catalog(ctx)
    for view in _views(ctx):
        objective = view.objective
        if not objective.pause_states:
            continue
        indicator = view.indicator
        if indicator is not None and indicator not in TICKET_INDICATORS:
            yield view.doc.finding(
                "pause-states-source", Severity.ERROR,
                f"{indicator.value} objective '{objective.id}' has pause_states; only ticket clocks pause",
                *view.path("pause_states"), hint="remove pause_states",
            )
            continue
        source = cat.model("DataSource", objective.source) if objective.source else None
        if source is not None and source.spec.type == "tickets" and source.spec.pauses is None:
            yield view.doc.finding(
                "pause-states-source", Severity.ERROR,
                f"objective '{objective.id}' pauses its clock in {', '.join(objective.pause_states)}, but "
                f"DataSource '{objective.source}' names no pauses source to read ticket states from",
                *view.path("pause_states"),
                hint=f"add pauses: STATUS_SOURCE_ID to DataSource '{objective.source}'",
            )


@rule("objective-no-source", Severity.WARNING, standard="slactl")
def objective_no_source(ctx: Context) -> Iterator[Finding]:
    """An objective of an active agreement names no data source, so it cannot be measured.

    Bad:

        - {id: availability, indicator: availability, target: 99.9}

    Good:

        - {id: availability, indicator: availability, source: probes, target: 99.9}
    """
    for view in _views(ctx):
        if view.source is None and view.doc.model.spec.status.value == "active":
            yield view.doc.finding(
                "objective-no-source", Severity.WARNING,
                f"objective '{view.objective.id}' has no source: its attainment cannot be computed",
                *view.path(), hint="add source: DATASOURCE_ID",
            )


@rule("objective-service", Severity.WARNING, standard=_SLM)
def objective_service(ctx: Context) -> Iterator[Finding]:
    """An objective filters on a service that its agreement does not cover.

    Bad:

        services: [payments-api]
        objectives:
          - {id: availability, service: checkout-web, ...}

    Good:

        services: [payments-api, checkout-web]
        objectives:
          - {id: availability, service: checkout-web, ...}
    """
    for view in _views(ctx):
        service = view.objective.service
        services = view.doc.model.spec.services
        if service is not None and service not in services:
            yield view.doc.finding(
                "objective-service", Severity.WARNING,
                f"objective '{view.objective.id}' measures service '{service}', which '{view.doc.id}' does not "
                f"cover (services: {', '.join(services) or 'none'})",
                *view.path("service"), hint=f"add '{service}' to services, or fix the objective's service",
            )


@rule("escalation-order", Severity.WARNING, standard="ITIL 4 Incident Management (escalation)")
def escalation_order(ctx: Context) -> Iterator[Finding]:
    """Escalation levels are not in the order of their `after` delays.

    Bad:

        levels:
          - {after: 1h, channel: customer}
          - {after: 30m, channel: technical}

    Good:

        levels:
          - {after: 30m, channel: technical}
          - {after: 1h, channel: customer}
    """
    for doc in ctx.result.of_kind("EscalationPolicy"):
        levels = doc.model.spec.levels
        for index in range(1, len(levels)):
            if levels[index].after < levels[index - 1].after:
                yield doc.finding(
                    "escalation-order", Severity.WARNING,
                    f"level {index + 1} escalates after {format_duration(levels[index].after)}, sooner than level "
                    f"{index} ({format_duration(levels[index - 1].after)})",
                    "spec", "levels", index, "after", hint="order levels by after",
                )


def path_escapes(pattern: str) -> str | None:
    """Why a DataSource `path` glob could reach outside the repository, or None when it cannot.

    `path` is relative to the repository root: absolute paths (POSIX or Windows, with a drive or a
    leading slash or backslash) and any `..` component are refused.
    """
    text = pattern.strip()
    if not text:
        return None
    if text[:1] in "/\\" or PureWindowsPath(text).drive:
        return "is an absolute path"
    if text.startswith("~"):
        return "starts with '~' (a home folder)"
    if any(part == ".." for part in re.split(r"[/\\]", text)):
        return "has a '..' component"
    return None


@rule("datasource-path-outside", Severity.ERROR, standard="slactl")
def datasource_path_outside(ctx: Context) -> Iterator[Finding]:
    """A DataSource `path` points outside the repository.

    `path` is a glob relative to the repository root. An absolute path, a `~` home folder or a
    `..` component would let a change to the definitions read (and echo in error messages) any
    file the build machine can read, such as credentials; `slactl ingest` refuses such files too.

    Bad:

        spec: {type: events, path: ../../home/ci/.netrc}
        spec: {type: events, path: /var/log/app/*.csv}

    Good:

        spec: {type: events, path: data/events/*.csv}
    """
    for doc in ctx.result.of_kind("DataSource"):
        pattern = doc.model.spec.path
        reason = path_escapes(pattern)
        if reason is not None:
            yield doc.finding(
                "datasource-path-outside", Severity.ERROR,
                f"DataSource '{doc.id}' path '{pattern[:80]}' {reason}: paths are globs relative to the "
                "repository root and must stay inside it",
                "spec", "path",
                hint="copy or export the files into the repository (for example data/<source>/*.csv) "
                     "and point path there",
            )
