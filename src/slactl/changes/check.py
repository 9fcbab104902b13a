"""Change records checked against the agreements they can hurt (`slactl changes check`).

Each rule has scope "changes": it reads the change records and the reporting period from
`ctx.options` (`changes`: list of ChangeRecord, `period`: label or None) and the definitions from
`ctx.result`. Findings point at the CSV file and line of the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from slactl.changes.freeze import (
    FREEZE_POLICY_RULE,
    freeze_policies,
    freezes_hit,
    services_without_period_end_freeze,
)
from slactl.changes.records import (
    CHANGE_TYPES,
    ChangeRecord,
    agreements_covering,
    approvers_for,
    covered_services,
    freeze_windows,
    month_label,
    period_bounds,
    utc_text,
)
from slactl.findings import Finding, Severity
from slactl.loader.documents import LoadResult
from slactl.rules.registry import Context, rule, run_rules

SCOPE = "changes"
STANDARD = "ITIL 4 change enablement"
NO_OBJECTIVES = {"none", "n/a", "-"}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _changes(ctx: Context) -> list[ChangeRecord]:
    return list(ctx.options.get("changes") or [])


def _finding(change: ChangeRecord, rule_id: str, severity: Severity, message: str, hint: str) -> Finding:
    return Finding(change.file, change.line, 1, rule_id, severity, f"change {change.id}: {message}", hint)


def _declares_no_risk(change: ChangeRecord) -> bool:
    return bool(change.objectives_at_risk) and all(ref.lower() in NO_OBJECTIVES for ref in change.objectives_at_risk)


def _refs(change: ChangeRecord) -> list[str]:
    return [ref for ref in change.objectives_at_risk if ref.lower() not in NO_OBJECTIVES]


def _covered(ctx: Context, change: ChangeRecord) -> list[str]:
    if "_covered" not in ctx.options:
        ctx.options["_covered"] = covered_services(ctx.result)
    return [s for s in change.services if s in ctx.options["_covered"]]


@rule("change-no-impact-assessment", Severity.ERROR, scope=SCOPE, standard=STANDARD)
def no_impact_assessment(ctx: Context) -> Iterator[Finding]:
    """A change to an SLA-covered service has no SLA impact assessment.

    Bad:  `CHG-1,payments-api,normal,...,impact_assessment=""`
    Good: `impact_assessment="payments-gold/availability (99.9%) at risk during failover"`
    """
    for change in _changes(ctx):
        covered = _covered(ctx, change)
        if covered and not change.impact_assessment:
            yield _finding(
                change, "change-no-impact-assessment", Severity.ERROR,
                f"touches {', '.join(covered)} (covered by an agreement) but has no SLA impact assessment",
                "fill impact_assessment with the risk to the agreed targets and list objectives_at_risk",
            )


@rule("change-objectives-at-risk-missing", Severity.ERROR, scope=SCOPE, standard=STANDARD)
def objectives_at_risk_missing(ctx: Context) -> Iterator[Finding]:
    """An impact assessment does not name the objectives at risk.

    Bad:  `objectives_at_risk=""` on a change to an SLA-covered service
    Good: `objectives_at_risk="payments-gold/availability;payments-gold/latency"` (or `none` after assessment)
    """
    for change in _changes(ctx):
        covered = _covered(ctx, change)
        if covered and change.impact_assessment and not change.objectives_at_risk:
            refs = sorted(
                f"{doc.id}/{objective.id}"
                for service in covered for doc in agreements_covering(ctx.result, service)
                for objective in doc.model.spec.objectives
            )
            yield _finding(
                change, "change-objectives-at-risk-missing", Severity.ERROR,
                "the impact assessment does not name the objectives at risk",
                "list AGREEMENT/OBJECTIVE refs in objectives_at_risk (';'-separated), for example "
                + ", ".join(sorted(set(refs))[:3]) + "; write 'none' when none is at risk",
            )


@rule("change-objective-unknown", Severity.ERROR, scope=SCOPE, standard=STANDARD)
def objective_unknown(ctx: Context) -> Iterator[Finding]:
    """objectives_at_risk names an AGREEMENT/OBJECTIVE that does not exist.

    Bad:  `objectives_at_risk="payments-gold/availabilty"`
    Good: `objectives_at_risk="payments-gold/availability"`
    """
    agreements = ctx.result.index("agreement")
    for change in _changes(ctx):
        for ref in _refs(change):
            agreement_id, _, objective_id = ref.partition("/")
            doc = agreements.get(agreement_id)
            if not objective_id:
                yield _finding(change, "change-objective-unknown", Severity.ERROR,
                               f"'{ref}' is not an AGREEMENT/OBJECTIVE reference",
                               "write the agreement id and the objective id separated by '/'")
            elif doc is None:
                yield _finding(change, "change-objective-unknown", Severity.ERROR,
                               f"objective at risk '{ref}': no agreement '{agreement_id}'",
                               "name an SLA, OLA or UC id defined in the repository")
            elif objective_id not in {o.id for o in doc.model.spec.objectives}:
                known = ", ".join(o.id for o in doc.model.spec.objectives)
                yield _finding(change, "change-objective-unknown", Severity.ERROR,
                               f"objective at risk '{ref}': agreement '{agreement_id}' has no objective '{objective_id}'",
                               f"objectives of {agreement_id}: {known}")


@rule("change-objective-not-covering", Severity.ERROR, scope=SCOPE, standard=STANDARD)
def objective_not_covering(ctx: Context) -> Iterator[Finding]:
    """An objective at risk belongs to an agreement that does not cover the changed service.

    Bad:  a change to `payments-api` naming `hr-portal-sla/availability`
    Good: name objectives of agreements whose `services` include the changed service
    """
    agreements = ctx.result.index("agreement")
    for change in _changes(ctx):
        for ref in _refs(change):
            agreement_id, _, objective_id = ref.partition("/")
            doc = agreements.get(agreement_id)
            if doc is None or objective_id not in {o.id for o in doc.model.spec.objectives}:
                continue
            if not set(change.services) & set(doc.model.spec.services):
                yield _finding(
                    change, "change-objective-not-covering", Severity.ERROR,
                    f"objective at risk '{ref}' is not about {', '.join(change.services) or 'the changed service'}: "
                    f"{agreement_id} covers {', '.join(doc.model.spec.services)}",
                    "name objectives of the agreements that cover the changed service",
                )


@rule("change-type-unknown", Severity.WARNING, scope=SCOPE, standard=STANDARD)
def type_unknown(ctx: Context) -> Iterator[Finding]:
    """A change type is not standard, normal or emergency (it is then checked as a normal change).

    Bad:  `type=minor`
    Good: `type=standard` (map the tool's names with the DataSource's value_map)
    """
    for change in _changes(ctx):
        if change.type not in CHANGE_TYPES:
            yield _finding(change, "change-type-unknown", Severity.WARNING,
                           f"type '{change.type or '(empty)'}' is not standard, normal or emergency; checked as normal",
                           "map the ITSM tool's change types with value_map on the DataSource")


@rule("change-no-rollback-plan", Severity.ERROR, scope=SCOPE, standard=STANDARD)
def no_rollback_plan(ctx: Context) -> Iterator[Finding]:
    """A normal or emergency change has no rollback plan.

    Bad:  `type=normal,rollback_plan=""`
    Good: `rollback_plan="redeploy release 41; DNS back to blue within 10 minutes"`
    """
    for change in _changes(ctx):
        if change.type != "standard" and not change.rollback_plan:
            yield _finding(change, "change-no-rollback-plan", Severity.ERROR,
                           f"{change.type or 'untyped'} change without a rollback plan",
                           "describe how the service is restored if the change hurts it (rollback_plan)")


@rule("change-cab-owner-missing", Severity.ERROR, scope=SCOPE, standard=STANDARD)
def cab_owner_missing(ctx: Context) -> Iterator[Finding]:
    """The CAB approvers of a normal or emergency change do not include the owner (or a delegate) of a changed service.

    Bad:  service `payments-api` owned by `team-payments`, `cab_approvers="alice"`
    Good: `cab_approvers="team-payments;bob"`, or list alice under the Service's `delegates`
    """
    owners: dict[str, tuple[str | None, tuple[str, ...]] | None] = {}
    for change in _changes(ctx):
        if change.type == "standard":
            continue  # pre-authorised by definition
        approvers = {a.casefold() for a in change.cab_approvers}
        for service in change.services:
            if service not in owners:
                owners[service] = approvers_for(ctx.result, service)
            who = owners[service]
            if who is None:
                continue
            owner, delegates = who
            accountable = ([owner] if owner else []) + list(delegates)
            if not accountable:
                yield _finding(change, "change-cab-owner-missing", Severity.WARNING,
                               f"service '{service}' has no owner, so nobody accountable can approve its changes",
                               "set metadata.owner on the Service (and optionally spec.delegates)")
            elif not approvers & {a.casefold() for a in accountable}:
                yield _finding(change, "change-cab-owner-missing", Severity.ERROR,
                               f"CAB approvers ({', '.join(change.cab_approvers) or 'none'}) do not include the owner "
                               f"of '{service}' ({' or '.join(accountable)})",
                               "have the service owner or a listed delegate approve the change")


@rule("change-in-freeze", Severity.ERROR, scope=SCOPE, standard=STANDARD)
def in_freeze(ctx: Context) -> Iterator[Finding]:
    """A change ran inside a declared change freeze (an error; a warning for emergency changes).

    Bad:  a normal change to payments-api on 2026-12-30 with a Freeze from 2026-12-20 to 2027-01-02
    Good: plan it outside the freeze, or raise it as an emergency change with its justification
    """
    windows = freeze_windows(ctx.result)
    for change in _changes(ctx):
        for window, service in freezes_hit(change, windows):
            emergency = change.type == "emergency"
            reason = f" ({window.reason})" if window.reason else ""
            yield _finding(
                change, "change-in-freeze", Severity.WARNING if emergency else Severity.ERROR,
                f"{change.type or 'untyped'} change to {service} from {utc_text(change.start or window.start)} falls in freeze "
                f"'{window.id}'{reason}, {utc_text(window.start)} to {utc_text(window.end)}",
                "emergency changes in a freeze need an ECAB record and a PIR" if emergency
                else "move the change outside the freeze or raise it as an emergency change",
            )


def _mentions_target(text: str, ref: str, target: float | None) -> bool:
    lowered = text.casefold()
    objective_id = ref.partition("/")[2]
    if ref.casefold() in lowered or objective_id.casefold() in lowered:
        return True
    if target is None:
        return False
    return any(float(number) == float(target) for number in _NUMBER.findall(text))


@rule("change-success-criteria-no-target", Severity.WARNING, scope=SCOPE, standard=STANDARD)
def success_criteria_no_target(ctx: Context) -> Iterator[Finding]:
    """The impact assessment (success criteria) does not mention an objective at risk or its target.

    Bad:  `impact_assessment="low risk"` with `objectives_at_risk="payments-gold/availability"`
    Good: `impact_assessment="success: availability stays >= 99.9% over the window"`
    """
    agreements = ctx.result.index("agreement")
    for change in _changes(ctx):
        if not change.impact_assessment:
            continue
        for ref in _refs(change):
            agreement_id, _, objective_id = ref.partition("/")
            doc = agreements.get(agreement_id)
            objective = next((o for o in doc.model.spec.objectives if o.id == objective_id), None) if doc else None
            if objective is None:
                continue
            if not _mentions_target(change.impact_assessment, ref, objective.target):
                target = f" (target {objective.target:g}%)" if objective.target is not None else ""
                yield _finding(
                    change, "change-success-criteria-no-target", Severity.WARNING,
                    f"the impact assessment does not mention objective '{ref}'{target} in its success criteria",
                    "state the SLA target the change must keep as a success criterion, for example "
                    f"'{objective_id} stays >= {objective.target:g}%'" if objective.target is not None
                    else f"name '{objective_id}' in the success criteria",
                )


@rule("change-no-pir", Severity.ERROR, scope=SCOPE, standard=STANDARD)
def no_pir(ctx: Context) -> Iterator[Finding]:
    """A failed or rolled-back change has no post-implementation review (PIR).

    Bad:  `outcome=rolled_back,pir=""`
    Good: `pir="PIR-311"` (a reference or a link to the review)
    """
    for change in _changes(ctx):
        if change.failed and not change.pir:
            yield _finding(change, "change-no-pir", Severity.ERROR,
                           f"outcome '{change.outcome}' without a post-implementation review",
                           "hold a PIR and record its reference in the pir column")


@rule(FREEZE_POLICY_RULE, Severity.WARNING, scope=SCOPE, standard="slactl change freezes")
def freeze_covers_period_end(ctx: Context) -> Iterator[Finding]:
    """A Policy asks that a change freeze covers the last days of each reporting period, and none does.

    Bad:  `rules: {freeze-covers-period-end: {days: 2}}` and no Freeze over 2026-10-30..2026-11-01
    Good: a Freeze from 2026-10-30T00:00Z to 2026-11-01T00:00Z for the selected services
    """
    label = ctx.options.get("period") or month_label(_as_datetime(ctx.today))
    _, period_end = period_bounds(label)
    policies, problems = freeze_policies(ctx.result)
    for doc, problem in problems:
        yield doc.finding(FREEZE_POLICY_RULE, Severity.WARNING, f"rule {FREEZE_POLICY_RULE}: {problem}",
                          "spec", "rules", FREEZE_POLICY_RULE, hint="write {days: 2}")
    windows = freeze_windows(ctx.result)
    for policy in policies:
        missing = services_without_period_end_freeze(policy, windows, period_end)
        if missing:
            yield policy.doc.finding(
                FREEZE_POLICY_RULE, Severity.WARNING,
                f"no change freeze covers the last {policy.days:g} day(s) of {label} "
                f"(until {utc_text(period_end)}) for {', '.join(missing)}",
                "spec", "rules", FREEZE_POLICY_RULE,
                hint="declare a Freeze over the end of the reporting period so its figures are measured "
                     "free from deployment noise",
            )


def _as_datetime(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def in_period(changes: Iterable[ChangeRecord], period: str | None) -> list[ChangeRecord]:
    """The changes whose planned or actual window touches the period (all of them without a period)."""
    if period is None:
        return list(changes)
    start, end = period_bounds(period)
    return [c for c in changes if c.overlaps(start, end)]


def check_changes(
    result: LoadResult,
    changes: list[ChangeRecord],
    *,
    root: Path | None = None,
    period: str | None = None,
    today: date | None = None,
) -> list[Finding]:
    """Every `changes` rule over the changes of the period, sorted by file and line."""
    selected = in_period(changes, period)
    ctx = Context(result=result, root=root or result.root, today=today or date.today(),
                  options={"changes": selected, "period": period})
    return sorted(run_rules(ctx, SCOPE))
