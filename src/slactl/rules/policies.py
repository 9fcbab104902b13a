"""Policy rules (`kind: Policy`): what a regulation asks of the agreements covering the services it applies to.

A Policy selects services or agreements (`applies_to`) and lists rules with parameters, linter style:

    rules:
      review-max-age: {days: 365}
      min-approvers: {count: 2}
      breach-notification-max: {hours: 72}
      change-approval-evidence: {}
      report-archive-per-period: {archive: reports/archive}

Parameters are validated (unknown keys are errors). Findings name the Policy and its regulation; the
audit report groups them by that regulation.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from slactl.findings import Finding, Severity
from slactl.loader.documents import LoadedDocument
from slactl.rules.registry import Context, rule

POLICY_STANDARD = "the Policy's regulation (e.g. GDPR, SOX, internal policy)"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewMaxAge(_Params):
    days: int = Field(gt=0)


class MinApprovers(_Params):
    count: int = Field(ge=1)


class BreachNotificationMax(_Params):
    hours: float = Field(gt=0)
    objective: str | None = Field(default=None, description="Objective id; default: one whose id or filter mentions breach.")


class ChangeApprovalEvidence(_Params):
    since: date | None = None


class ReportArchivePerPeriod(_Params):
    archive: str = "reports/archive"
    period: Literal["month", "quarter"] = "month"
    since: date | None = None


PARAMS: dict[str, type[_Params]] = {
    "review-max-age": ReviewMaxAge,
    "min-approvers": MinApprovers,
    "breach-notification-max": BreachNotificationMax,
    "change-approval-evidence": ChangeApprovalEvidence,
    "report-archive-per-period": ReportArchivePerPeriod,
}


def tag(ctx: Context, policy: LoadedDocument, finding: Finding) -> Finding:
    """Remember which regulation a policy finding serves (the audit report groups by it)."""
    ctx.cache.setdefault("regulation_of", {})[finding] = policy.model.spec.regulation
    return finding


def _matches(values: list[str] | None, have: list[str]) -> bool:
    if values is None:
        return True
    wanted = {v.casefold() for v in values}
    return any(h.casefold() in wanted for h in have)


def policy_targets(ctx: Context) -> list[tuple[LoadedDocument, list[LoadedDocument]]]:
    """Each Policy with the agreements in force it applies to."""
    cached = ctx.cache.get("policy-targets")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    services = {d.id: d for d in ctx.result.of_kind("Service")}
    agreements = [d for d in ctx.result.agreements() if d.model.spec.status.value in ("active", "suspended")]
    found = []
    for policy in ctx.result.of_kind("Policy"):
        sel = policy.model.spec.applies_to
        if sel.kind in (None, "Service"):
            chosen = set()
            for sid, service in services.items():
                spec = service.model.spec
                if (sel.ids is None or sid in sel.ids) and _matches(sel.tier, [spec.tier]) \
                        and _matches(sel.regulations, spec.regulations) \
                        and _matches(sel.data_classification, [spec.data_classification or ""]):
                    chosen.add(sid)
            everything = sel.kind is None and all(
                v is None for v in (sel.ids, sel.tier, sel.regulations, sel.data_classification))
            targets = [a for a in agreements if everything or chosen & set(a.model.spec.services)]
        else:
            targets = []
            for agreement in agreements:
                if agreement.kind != sel.kind or (sel.ids is not None and agreement.id not in sel.ids):
                    continue
                covered = [services[s].model.spec for s in agreement.model.spec.services if s in services]
                if sel.tier is not None and not any(_matches(sel.tier, [c.tier]) for c in covered):
                    continue
                if sel.regulations is not None and not any(_matches(sel.regulations, c.regulations) for c in covered):
                    continue
                if sel.data_classification is not None and not any(
                        _matches(sel.data_classification, [c.data_classification or ""]) for c in covered):
                    continue
                targets.append(agreement)
        found.append((policy, targets))
    ctx.cache["policy-targets"] = found
    return found


def _with_params(ctx: Context, rule_id: str) -> Iterator[tuple[LoadedDocument, Any, list[LoadedDocument]]]:
    """(policy, parameters, targets) for every Policy using `rule_id` with valid parameters.

    Invalid parameters are reported once, by `policy-rule-invalid`.
    """
    for policy, targets in policy_targets(ctx):
        rules = policy.model.spec.rules
        if rule_id not in rules:
            continue
        raw = rules[rule_id]
        try:
            params = PARAMS[rule_id].model_validate({} if raw is None or raw is True else raw)
        except ValidationError:
            continue
        yield policy, params, targets


def _label(doc: LoadedDocument) -> str:
    return f"{doc.kind} '{doc.id}'"


def _prefix(policy: LoadedDocument, rule_id: str) -> str:
    return f"{policy.model.spec.regulation} policy '{policy.id}' ({rule_id})"


@rule("policy-rule-invalid", Severity.ERROR, scope="audit", standard=POLICY_STANDARD)
def policy_rule_invalid(ctx: Context) -> Iterator[Finding]:
    """A Policy rule is unknown or its parameters are wrong, so it cannot be applied.

    Bad: `review-max-age: {day: 365}` or `review-maxage: {days: 365}`.
    Good: `review-max-age: {days: 365}`.
    """
    for policy, _ in policy_targets(ctx):
        for rule_id in policy.model.spec.rules:
            if rule_id in PARAMS:
                params = policy.model.spec.rules[rule_id]
                try:
                    PARAMS[rule_id].model_validate({} if params is None or params is True else params)
                except ValidationError as exc:
                    error = exc.errors(include_url=False)[0]
                    where = ".".join(str(p) for p in error["loc"]) or "parameters"
                    yield tag(ctx, policy, policy.finding(
                        "policy-rule-invalid", Severity.ERROR,
                        f"Policy '{policy.id}' rule {rule_id}: '{where}': {error['msg']}",
                        "spec", "rules", rule_id,
                        hint=f"parameters of {rule_id}: {', '.join(PARAMS[rule_id].model_fields)}"))
                continue
            close = difflib.get_close_matches(rule_id, list(PARAMS), n=1)
            yield tag(ctx, policy, policy.finding(
                "policy-rule-invalid", Severity.ERROR, f"Policy '{policy.id}' names unknown rule '{rule_id}'",
                "spec", "rules", rule_id,
                hint=(f"did you mean '{close[0]}'? " if close else "") + "known rules: " + ", ".join(PARAMS)))


@rule("policy-review-max-age", Severity.ERROR, scope="audit", standard=POLICY_STANDARD)
def review_max_age(ctx: Context) -> Iterator[Finding]:
    """An agreement under a Policy with `review-max-age` was last reviewed longer ago than allowed.

    Bad: `review-max-age: {days: 365}` and `review: {cadence: annual, last: 2024-11-01}` audited in 2026-03.
    Good: `review.last` within the last 365 days.
    """
    for policy, params, targets in _with_params(ctx, "review-max-age"):
        for doc in targets:
            review = doc.model.spec.review
            last = review.last if review is not None else None
            if last is None:
                yield tag(ctx, policy, doc.finding(
                    "policy-review-max-age", Severity.ERROR,
                    f"{_prefix(policy, 'review-max-age')}: {_label(doc)} has no recorded review",
                    "spec", *(("review",) if review is not None else ("status",)),
                    hint="record the last review in review.last"))
            elif (ctx.today - last).days > params.days:
                yield tag(ctx, policy, doc.finding(
                    "policy-review-max-age", Severity.ERROR,
                    f"{_prefix(policy, 'review-max-age')}: {_label(doc)} was last reviewed on {last}, "
                    f"{(ctx.today - last).days} days before {ctx.today} (allowed {params.days})",
                    "spec", "review", "last", hint="review the agreement and record the date in review.last"))


@rule("policy-min-approvers", Severity.ERROR, scope="audit", standard=POLICY_STANDARD)
def min_approvers(ctx: Context) -> Iterator[Finding]:
    """An agreement under a Policy with `min-approvers` names fewer approvers than required.

    Bad: `min-approvers: {count: 2}` and `approvers: [Jane Doe]`.
    Good: `approvers: [Jane Doe, Raj Patel]` (four eyes).
    """
    for policy, params, targets in _with_params(ctx, "min-approvers"):
        for doc in targets:
            names = {" ".join(a.split()).casefold() for a in doc.model.spec.approvers}
            if len(names) < params.count:
                yield tag(ctx, policy, doc.finding(
                    "policy-min-approvers", Severity.ERROR,
                    f"{_prefix(policy, 'min-approvers')}: {_label(doc)} names {len(names)} approver(s); "
                    f"at least {params.count} must approve every amendment",
                    "spec", *(("approvers",) if doc.model.spec.approvers else ("status",)),
                    hint="add approvers: the service owner and an independent reviewer"))


def _breach_objective(doc: LoadedDocument, wanted: str | None) -> tuple[int, Any] | None:
    for index, objective in enumerate(doc.model.spec.objectives):
        if wanted is not None:
            if objective.id == wanted:
                return index, objective
            continue
        text = " ".join([objective.id, *(str(v) for v in objective.filter.values())]).casefold()
        if "breach" in text and ("notif" in text or "data" in text):
            return index, objective
    return None


@rule("policy-breach-notification", Severity.ERROR, scope="audit", standard=POLICY_STANDARD + "; GDPR Art. 33")
def breach_notification(ctx: Context) -> Iterator[Finding]:
    """An agreement for personal-data services lacks a data-breach notification objective within the limit.

    Bad: `breach-notification-max: {hours: 72}` and no objective such as `breach-notification` (or one of 96h).
    Good: an objective `breach-notification` with `indicator: response_time`, `filter: {category: data-breach}`
    and `threshold: 72h` (or less).
    """
    from slactl.durations import format_duration

    for policy, params, targets in _with_params(ctx, "breach-notification-max"):
        limit = params.hours * 3600
        for doc in targets:
            found = _breach_objective(doc, params.objective)
            if found is None:
                yield tag(ctx, policy, doc.finding(
                    "policy-breach-notification", Severity.ERROR,
                    f"{_prefix(policy, 'breach-notification-max')}: {_label(doc)} has no data-breach notification "
                    f"objective", "spec", "objectives",
                    hint=f"add an objective (id breach-notification) with threshold: {format_duration(limit)} or less"))
                continue
            index, objective = found
            if objective.threshold is None or objective.threshold > limit:
                have = format_duration(objective.threshold) if objective.threshold is not None else "no threshold"
                yield tag(ctx, policy, doc.finding(
                    "policy-breach-notification", Severity.ERROR,
                    f"{_prefix(policy, 'breach-notification-max')}: {_label(doc)} objective '{objective.id}' "
                    f"allows {have}; at most {format_duration(limit)} is allowed",
                    "spec", "objectives", index, *(("threshold",) if objective.threshold is not None else ()),
                    hint=f"set threshold: {format_duration(limit)} or less"))


@rule("policy-change-approval-evidence", Severity.ERROR, scope="audit", standard=POLICY_STANDARD + "; SOX 404 ITGC")
def change_approval_evidence(ctx: Context) -> Iterator[Finding]:
    """A version of an agreement under a Policy with `change-approval-evidence` has no recorded approval.

    Bad: `changelog: [{version: 2, date: 2026-02-01, summary: ..., approvals: []}]`.
    Good: every changelog entry lists who approved it and when (git trailers are checked by the history rules).
    """
    for policy, params, targets in _with_params(ctx, "change-approval-evidence"):
        for doc in targets:
            spec = doc.model.spec
            versions = {e.version for e in spec.changelog}
            for index, entry in enumerate(spec.changelog):
                if params.since is not None and entry.date < params.since:
                    continue
                if not entry.approvals:
                    yield tag(ctx, policy, doc.finding(
                        "policy-change-approval-evidence", Severity.ERROR,
                        f"{_prefix(policy, 'change-approval-evidence')}: {_label(doc)} version {entry.version} "
                        f"records no approval", "spec", "changelog", index,
                        hint="add approvals: [{by: NAME, on: DATE}] with the approvers' evidence"))
            if spec.version not in versions:
                yield tag(ctx, policy, doc.finding(
                    "policy-change-approval-evidence", Severity.ERROR,
                    f"{_prefix(policy, 'change-approval-evidence')}: {_label(doc)} is at version {spec.version} "
                    f"but its changelog has no entry for it", "spec", "version",
                    hint="add the changelog entry with its approvals"))


def closed_periods(start: date, today: date, quarter: bool = False) -> list[str]:
    """Labels of the months (or quarters) from the one containing `start` to the last one ended before `today`."""
    step = 3 if quarter else 1
    month = ((start.month - 1) // step) * step + 1
    current = date(start.year, month, 1)
    labels = []
    while True:
        index = current.year * 12 + current.month - 1 + step
        end = date(index // 12, index % 12 + 1, 1)
        if end > today:
            break
        labels.append(f"{current.year}-Q{(current.month - 1) // 3 + 1}" if quarter else f"{current:%Y-%m}")
        current = end
        if len(labels) > 1200:
            break
    return labels


def _archived_labels(root: Path, archive: str, cache: dict[str, Any]) -> set[str] | None:
    """Every path component under the archive folder (period labels are found among them)."""
    key = f"archive-labels:{archive}"
    if key in cache:
        return cache[key]  # type: ignore[no-any-return]
    folder = (root / archive).resolve()
    names: set[str] | None = None
    if folder.is_dir() and folder.is_relative_to(root.resolve()):
        names = set()
        for path in folder.rglob("*"):
            for part in path.relative_to(folder).parts:
                names.add(part)
    cache[key] = names
    return names


@rule("policy-report-archive", Severity.ERROR, scope="audit", standard=POLICY_STANDARD + "; SOX 802 (record retention)")
def report_archive(ctx: Context) -> Iterator[Finding]:
    """A closed period has no archived report for an agreement under `report-archive-per-period`.

    Bad: `report-archive-per-period: {archive: reports/archive}` and no `reports/archive/2026-09/`.
    Good: `slactl report --period 2026-09 --archive reports/archive` run for every month since it took effect.
    """
    for policy, params, targets in _with_params(ctx, "report-archive-per-period"):
        names = _archived_labels(ctx.root, params.archive, ctx.cache)
        for doc in targets:
            start = max(doc.model.spec.effective, params.since) if params.since else doc.model.spec.effective
            expected = closed_periods(start, ctx.today, quarter=params.period == "quarter")
            missing = [label for label in expected
                       if names is None or not any(label in name for name in names)]
            if not missing:
                continue
            shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
            yield tag(ctx, policy, doc.finding(
                "policy-report-archive", Severity.ERROR,
                f"{_prefix(policy, 'report-archive-per-period')}: {_label(doc)} has no archived report in "
                f"{params.archive} for {shown}", "metadata", "id",
                hint="archive the report of every closed period (slactl report --period P with archiving)"))

