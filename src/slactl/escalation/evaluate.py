"""Breaches and at-risk objectives as conditions, and which notifications they call for now.

A condition is one objective of one agreement in one period that is breached, at risk, or
burning its error budget faster than an alert tier allows. `plan_notifications` walks each
agreement's EscalationPolicy: a level is due once its `after` delay has passed since the
condition was first seen, or, for a period judged after its end, since the period closed
(whichever is earlier); an unchanged condition is not sent twice to the same target; a
changed one (or one that comes back after recovering) is sent again only after the cooldown;
a recovered condition is sent once as a resolve/recovery to every target that had it open.
Conditions of one agreement going to one target are grouped into one message (PagerDuty gets
one event per condition, since its dedup_key is its own grouping). Conditions on indicators
that are not time-critical (`NON_PAGING_INDICATORS`) never go to a `pagerduty` target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slactl.durations import format_duration
from slactl.escalation.state import AlertState, ConditionState, TargetState
from slactl.loader.documents import LoadResult

DEFAULT_COOLDOWN = 4 * 3600.0
FORGET_AFTER = 90 * 86400.0  # state of conditions quiet this long is dropped, so the file stays small
SEVERITY_RANK = {"critical": 3, "error": 2, "warning": 1, "info": 0}
# Measures that are only known after the fact (survey answers, tickets counted when their clock
# stops): paging an on-call engineer cannot change them, so they go to chat and webhooks only.
# Availability, success ratio and latency come from live telemetry and may page.
NON_PAGING_INDICATORS = frozenset({"csat", "response_time", "resolution_time"})
PAGING_FORMATS = frozenset({"pagerduty"})


@dataclass(frozen=True)
class Condition:
    """A breached or at-risk objective, with the figures the technical channel needs."""

    key: str
    agreement: str
    kind: str
    objective: str
    period: str
    status: str  # breached | at_risk
    severity: str  # critical | error | warning (PagerDuty's words)
    indicator: str
    service: str | None
    target: float | None
    attained: float | None
    warning: float | None = None
    projected: float | None = None
    in_progress: bool = False
    burn_rates: dict[str, float | None] | None = None
    alerts: tuple[dict[str, Any], ...] = ()
    budget_remaining_ratio: float | None = None
    credit_percent: float | None = None
    closed_at: str | None = None  # end of the period, when it was judged after its end

    @property
    def paging(self) -> bool:
        """Whether this condition may go to a paging target (PagerDuty)."""
        return self.indicator not in NON_PAGING_INDICATORS

    @property
    def fingerprint(self) -> tuple[str, str]:
        return self.status, self.severity


def condition_key(agreement: str, objective: str, period: str) -> str:
    return f"{agreement}/{objective}@{period}"


def _severity(status: str, alerts: list[dict[str, Any]]) -> str:
    if status == "breached":
        return "critical"
    if any(a.get("severity") == "page" for a in alerts):
        return "error"
    return "warning"


def _closed_at(r: Any) -> str | None:
    """The end of the period of result `r` when it was judged after that end (None while live)."""
    if getattr(r, "live", False) or getattr(r, "in_progress", False):
        return None
    end = getattr(r, "end", "") or ""
    try:
        moment = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def insufficient_from_report(report: Any) -> list[str]:
    """Keys of the objectives with insufficient data: they neither raise nor clear a condition."""
    return [condition_key(r.agreement, r.objective, r.period or report.period)
            for r in report.results if r.status == "insufficient_data"]


def conditions_from_report(report: Any) -> list[Condition]:
    """Every breached or at-risk objective of a ComplianceReport (burn-rate alerts make a met objective at risk)."""
    found = []
    for r in report.results:
        alerts = [dict(a) for a in (r.alerts or [])]
        if r.status == "breached":
            status = "breached"
        elif r.status == "at_risk" or (alerts and r.status == "met"):
            status = "at_risk"
        else:
            continue
        period = r.period or report.period
        budget = r.error_budget
        found.append(Condition(
            key=condition_key(r.agreement, r.objective, period),
            agreement=r.agreement, kind=r.kind, objective=r.objective, period=period,
            status=status, severity=_severity(status, alerts), indicator=r.indicator, service=r.service,
            target=r.target, attained=r.attained, warning=r.warning, projected=r.projected,
            in_progress=bool(getattr(r, "in_progress", False)), burn_rates=r.burn_rates,
            alerts=tuple(alerts),
            budget_remaining_ratio=budget.remaining_ratio if budget is not None else None,
            credit_percent=r.credit_percent, closed_at=_closed_at(r),
        ))
    return found


@dataclass(frozen=True)
class Target:
    """Where a level notifies: a name, a payload format and the env var holding the URL (or key)."""

    level: int
    channel: str  # technical | customer
    name: str
    format: str  # json | slack | pagerduty
    url_env: str

    @property
    def state_key(self) -> str:
        return f"{self.level}:{self.name}"


@dataclass
class Notification:
    """One message to one target: a trigger (new), an update (changed) or a resolve (recovered)."""

    action: str  # trigger | update | resolve
    target: Target
    agreement: str
    agreement_kind: str
    agreement_name: str
    period: str
    conditions: list[Condition]
    credit: dict[str, Any] | None = None

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.conditions]


@dataclass
class Skipped:
    """A due notification that was not sent, and why (unchanged, cooldown, customer channel, no policy)."""

    condition: str
    target: str | None
    reason: str


@dataclass
class Plan:
    now: datetime
    conditions: list[Condition]
    notifications: list[Notification] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    evaluated: int = 0  # objectives in the compliance report
    insufficient: list[str] = field(default_factory=list)  # keys of objectives with insufficient data
    escalate_from: dict[str, datetime] = field(default_factory=dict)  # condition key -> start of its delays

    def closed(self, condition: Condition) -> bool:
        """Whether `condition` belongs to a period that had closed by `now`."""
        return condition.closed_at is not None and datetime.fromisoformat(condition.closed_at) <= self.now


def _targets(result: LoadResult, agreement_doc: Any) -> tuple[list[tuple[float, Target]], float] | None:
    policy_id = agreement_doc.model.spec.escalation
    policy_doc = result.get("EscalationPolicy", policy_id) if policy_id else None
    if policy_doc is None:
        return None
    spec = policy_doc.model.spec
    targets = [
        (level.after, Target(i, level.channel, notify.name, notify.format, notify.url_env))
        for i, level in enumerate(spec.levels) for notify in level.notify
    ]
    return targets, (spec.cooldown if spec.cooldown is not None else DEFAULT_COOLDOWN)


def _since(now: datetime, iso: str) -> float:
    return (now - datetime.fromisoformat(iso)).total_seconds()


def escalation_start(condition: Condition, st: ConditionState, now: datetime) -> datetime:
    """When the `after` delays of `condition` count from: first seen, or the close of its period if earlier.

    A period judged after its end has been breached since that end at the latest; counting from
    the first run of slactl would make every level wait again for a month that closed weeks ago.
    """
    start = st.first_seen_at
    if condition.closed_at is not None:
        closed = datetime.fromisoformat(condition.closed_at)
        if closed <= now and closed < start:
            return closed
    return start


def plan_notifications(report: Any, result: LoadResult, state: AlertState, now: datetime) -> Plan:
    """What to send now, given the compliance report, the definitions and what was sent before.

    `state` is updated for conditions first seen and recovered; what was sent is recorded by
    `record_delivery` once a delivery succeeds, so a failed delivery is tried again next run.
    """
    conditions = conditions_from_report(report)
    plan = Plan(now=now, conditions=conditions, evaluated=len(report.results),
                insufficient=insufficient_from_report(report))
    agreements = result.index("agreement")
    credits = {a.agreement: a for a in getattr(report, "agreements", [])}
    by_agreement: dict[str, list[Condition]] = {}
    for condition in conditions:
        by_agreement.setdefault(condition.agreement, []).append(condition)

    # first seen / seen again after recovering
    for condition in conditions:
        known = state.conditions.get(condition.key)
        if known is None:
            state.conditions[condition.key] = ConditionState(
                agreement=condition.agreement, objective=condition.objective, period=condition.period,
                status=condition.status, severity=condition.severity, first_seen=now.isoformat(),
            )
        elif known.resolved_at is not None:
            known.resolved_at = None
            known.first_seen = now.isoformat()

    groups: dict[tuple[str, str, str], Notification] = {}

    def add(action: str, target: Target, condition: Condition) -> None:
        doc = agreements.get(condition.agreement)
        group_key = condition.key if target.format == "pagerduty" else condition.agreement
        slot = (action, target.state_key, group_key)
        if slot not in groups:
            credit = credits.get(condition.agreement)
            groups[slot] = Notification(
                action=action, target=target, agreement=condition.agreement,
                agreement_kind=condition.kind,
                agreement_name=(doc.model.metadata.name if doc is not None else None) or condition.agreement,
                period=condition.period, conditions=[],
                credit=None if credit is None else {
                    "credit_percent": credit.credit_percent, "credit_amount": credit.credit_amount,
                    "currency": credit.currency,
                },
            )
        groups[slot].conditions.append(condition)

    for agreement_id, items in by_agreement.items():
        doc = agreements.get(agreement_id)
        policy = _targets(result, doc) if doc is not None else None
        if policy is None:
            plan.skipped.extend(Skipped(c.key, None, "the agreement names no escalation policy") for c in items)
            continue
        targets, cooldown = policy
        for condition in items:
            st = state.conditions[condition.key]
            start = plan.escalate_from[condition.key] = escalation_start(condition, st, now)
            elapsed = (now - start).total_seconds()
            from_close = condition.closed_at is not None and start == datetime.fromisoformat(condition.closed_at)
            for after, target in targets:
                if target.channel == "customer" and condition.status != "breached":
                    plan.skipped.append(Skipped(condition.key, target.name, "customers hear of breaches only"))
                    continue
                if target.format in PAGING_FORMATS and not condition.paging:
                    plan.skipped.append(Skipped(
                        condition.key, target.name,
                        f"{condition.indicator} is not time-critical: never paged, sent to chat and webhooks only"))
                    continue
                if after > elapsed:
                    wait = format_duration(after - elapsed)
                    since = f" ({format_duration(after)} after the period closed)" if from_close else ""
                    plan.skipped.append(Skipped(condition.key, target.name,
                                                f"level {target.level} is due in {wait}{since}"))
                    continue
                sent = st.targets.get(target.state_key)
                if sent is None:
                    add("trigger", target, condition)
                elif sent.open and (sent.status, sent.severity) == condition.fingerprint:
                    plan.skipped.append(Skipped(condition.key, target.name, "unchanged since last notified"))
                elif _since(now, sent.sent_at) < cooldown:
                    plan.skipped.append(Skipped(condition.key, target.name, "cooldown"))
                else:
                    add("update" if sent.open else "trigger", target, condition)

    # recovered: known, open, same period, now met
    active = {c.key for c in conditions}
    evaluated = {(r.agreement, r.objective, r.period or report.period): r for r in report.results}
    for key, st in state.conditions.items():
        if key in active:
            continue
        current = evaluated.get((st.agreement, st.objective, st.period))
        if current is None or current.status != "met":
            continue
        if st.resolved_at is None:
            st.resolved_at = now.isoformat()
            plan.resolved.append(key)
        doc = agreements.get(st.agreement)
        policy = _targets(result, doc) if doc is not None else None
        if policy is None:
            continue
        recovered = Condition(
            key=key, agreement=st.agreement, kind=current.kind, objective=st.objective, period=st.period,
            status="met", severity="info", indicator=current.indicator, service=current.service,
            target=current.target, attained=current.attained, in_progress=bool(getattr(current, "in_progress", False)),
        )
        for _, target in policy[0]:
            sent = st.targets.get(target.state_key)
            if sent is not None and sent.open:
                add("resolve", target, recovered)

    plan.forgotten = forget_stale(state, now, active)
    plan.notifications = sorted(groups.values(), key=lambda n: (n.agreement, n.target.level, n.target.name, n.action))
    return plan


def forget_stale(state: AlertState, now: datetime, active: set[str], after: float = FORGET_AFTER) -> list[str]:
    """Drop conditions not active now whose last activity (seen, sent, recovered) is older than `after` seconds."""
    dropped = []
    for key, st in list(state.conditions.items()):
        if key in active:
            continue
        moments = [st.first_seen, st.resolved_at or st.first_seen, *(t.sent_at for t in st.targets.values())]
        if min(_since(now, moment) for moment in moments) > after:
            del state.conditions[key]
            dropped.append(key)
    return dropped


def record_delivery(state: AlertState, notification: Notification, now: datetime) -> None:
    """Remember that `notification` reached its target."""
    for condition in notification.conditions:
        st = state.conditions.get(condition.key)
        if st is None:
            continue
        if notification.action == "resolve":
            sent = st.targets.get(notification.target.state_key)
            if sent is not None:
                sent.open = False
            continue
        st.status, st.severity = condition.status, condition.severity
        st.targets[notification.target.state_key] = TargetState(
            sent_at=now.isoformat(), status=condition.status, severity=condition.severity, open=True,
        )
