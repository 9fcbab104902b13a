"""Audit rules (`slactl audit`): reviews, expiry, clutter, amendment history, underpinning, problems and CSI.

Each rule names the standard it supports. `ctx.today` is the audit's as-of date. Options read from
`ctx.options`: `stale_after_days` (default 90) and `breach_periods` (default 6). Rules that need the
compliance engine, the store or git import them inside the rule and report an `info` finding when
they cannot run, so an audit never stops half-way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from slactl.findings import Finding, Severity
from slactl.loader.documents import LoadedDocument
from slactl.model.agreement import CADENCE_MONTHS
from slactl.rules.catalog import catalog
from slactl.rules.registry import Context, rule

ISO_SLM = "ISO/IEC 20000-1:2018 8.3.3 (service level management)"
ISO_SUPPLIER = "ISO/IEC 20000-1:2018 8.3.4 (supplier management)"
ISO_DOCS = "ISO/IEC 20000-1:2018 7.5.3 (control of documented information)"
ISO_PROBLEM = "ISO/IEC 20000-1:2018 8.6.3 (problem management)"
ISO_CSI = "ISO/IEC 20000-1:2018 10.2 (continual improvement)"
AMENDMENTS = "ISO/IEC 20000-1:2018 7.5.3; SOX ITGC change management (approval of amendments)"

IN_FORCE = ("active", "suspended")
REPOSITORY = "."  # the file of findings about the repository as a whole (git history, archives)
CLOSED_IMPROVEMENT = ("closed", "rejected", "failed")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clipped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    return date(year, month, 28)


def next_review(review: Any) -> date | None:
    """`review.next`, else `review.last` plus the cadence (SPEC 2.1)."""
    if review is None:
        return None
    if review.next is not None:
        return review.next  # type: ignore[no-any-return]
    if review.last is not None:
        return add_months(review.last, CADENCE_MONTHS[review.cadence])
    return None


def _agreements(ctx: Context, *statuses: str) -> list[LoadedDocument]:
    return [d for d in ctx.result.agreements() if not statuses or d.model.spec.status.value in statuses]


def _label(doc: LoadedDocument) -> str:
    return f"{doc.kind} '{doc.id}'"


# -- reviews and expiry --------------------------------------------------------------------------------


@rule("audit-review-overdue", Severity.WARNING, scope="audit", standard=ISO_SLM)
def review_overdue(ctx: Context) -> Iterator[Finding]:
    """An agreement in force whose next review date has passed (or that has no review schedule).

    Bad: `review: {cadence: quarterly, last: 2025-01-15}` audited on 2026-03-01.
    Good: `review: {cadence: quarterly, last: 2026-01-15}` (next 2026-04-15).
    """
    for doc in _agreements(ctx, *IN_FORCE):
        review = doc.model.spec.review
        due = next_review(review)
        if review is None or due is None:
            yield doc.finding("audit-review-overdue", Severity.WARNING,
                              f"{_label(doc)} has no review schedule, so nobody is due to review it",
                              "spec", *(("review",) if review is not None else ("status",)),
                              hint="add review: {cadence: annual, last: DATE}")
            continue
        if due < ctx.today:
            late = (ctx.today - due).days
            yield doc.finding("audit-review-overdue", Severity.WARNING,
                              f"{_label(doc)} was due for its {review.cadence.value} review on {due} "
                              f"({late} days before {ctx.today})",
                              "spec", "review", "next" if review.next is not None else "last",
                              hint="hold the review and record it in review.last (and review.next)")


@rule("audit-review-planning", Severity.INFO, scope="audit", standard=ISO_SLM + "; ITIL 4 (business planning)")
def review_planning(ctx: Context) -> Iterator[Finding]:
    """An agreement's next review does not fall in a month the Policy's planning calendar names.

    Bad: `planning: {review_months: [3, 9]}` and `review: {cadence: annual, next: 2026-06-30}`.
    Good: the same Policy and `review: {cadence: semiannual, next: 2026-09-15}`.
    """
    for policy, targets in _policies(ctx):
        planning = policy.model.spec.planning
        if planning is None or not planning.review_months:
            continue
        months = sorted(set(planning.review_months))
        for doc in targets:
            due = next_review(doc.model.spec.review)
            if due is None or due.month in months:
                continue
            names = ", ".join(date(2000, m, 1).strftime("%B") for m in months if 1 <= m <= 12)
            yield _tag(ctx, policy, doc.finding(
                "audit-review-planning", Severity.INFO,
                f"the next review of {_label(doc)} ({due}) is not in a planning month of Policy '{policy.id}' ({names})",
                "spec", "review", hint="move review.next into a planning month so targets are set with the budget",
            ))


@rule("audit-expired-active", Severity.ERROR, scope="audit", standard=ISO_SLM)
def expired_active(ctx: Context) -> Iterator[Finding]:
    """An agreement is past its `expires` date but still `active`.

    Bad: `status: active` with `expires: 2025-12-31` audited in 2026.
    Good: renew it (new `expires`, new version) or set `status: retired`.
    """
    for doc in _agreements(ctx, "active"):
        expires = doc.model.spec.expires
        if expires is not None and expires < ctx.today:
            yield doc.finding("audit-expired-active", Severity.ERROR,
                              f"{_label(doc)} expired on {expires} but is still active",
                              "spec", "expires", hint="renew it with a new version, or set status: retired")


@rule("audit-decommissioned-clutter", Severity.WARNING, scope="audit",
      standard="ITIL 4 Service Level Management (decommissioning); " + ISO_SLM)
def decommissioned_clutter(ctx: Context) -> Iterator[Finding]:
    """A decommissioned agreement's data sources or monitoring are still declared (and ingested).

    Bad: SLA `old-portal` is decommissioned; DataSource `portal-probes` is used by nothing else but still declared.
    Good: remove `portal-probes` (and the Service's `monitoring` entry) with the agreement.
    """
    cat = catalog(ctx)
    live = [d for d in ctx.result.agreements() if d.model.spec.status.value != "decommissioned"]
    used = {o.source for d in live for o in d.model.spec.objectives if o.source}
    live_services = {s for d in live for s in d.model.spec.services}
    ingested = _ingested_files(ctx)
    for doc in _agreements(ctx, "decommissioned"):
        for index, objective in enumerate(doc.model.spec.objectives):
            source = objective.source
            if not source or source in used or cat.model("DataSource", source) is None:
                continue
            files = ingested.get(source, 0)
            also = f" and {files} of its files are still in the store" if files else ""
            yield doc.finding("audit-decommissioned-clutter", Severity.WARNING,
                              f"{_label(doc)} is decommissioned but DataSource '{source}' is still declared{also}",
                              "spec", "objectives", index, "source",
                              hint="remove the DataSource (and its export job) or reuse it in an agreement in force")
        for service_id in doc.model.spec.services:
            service = cat.valid.get("Service", {}).get(service_id)
            if service is None or service_id in live_services or not service.model.spec.monitoring:
                continue
            yield service.finding("audit-decommissioned-clutter", Severity.WARNING,
                                  f"Service '{service_id}' is covered only by decommissioned agreements but still "
                                  f"declares monitoring {', '.join(service.model.spec.monitoring)}",
                                  "spec", "monitoring", hint="remove the monitoring entries or the Service")


def _ingested_files(ctx: Context) -> dict[str, int]:
    """Files in the store per source (empty when there is no store or it cannot be read)."""
    found = ctx.cache.get("audit-ingested")
    if found is not None:
        return found  # type: ignore[no-any-return]
    counts: dict[str, int] = {}
    try:
        from slactl.loader.repository import load_config

        path = load_config(ctx.root).store_path
        if path.exists():
            from slactl.store import Store

            for entry in Store(path).manifest().get("files", {}).values():
                source = entry.get("source")
                if source:
                    counts[source] = counts.get(source, 0) + 1
    except Exception:  # noqa: BLE001 - the store is optional evidence here
        counts = {}
    ctx.cache["audit-ingested"] = counts
    return counts


# -- amendment history ----------------------------------------------------------------------------------

_HISTORY_RULES = {
    "amend-version-not-raised": "audit-amendment-unversioned",
    "amend-version-step": "audit-amendment-unversioned",
    "amend-changelog-missing": "audit-amendment-unapproved",
    "amend-approval-missing": "audit-amendment-unapproved",
    "amend-approval-date": "audit-amendment-date",
}


def _history_findings(ctx: Context) -> list[Finding]:
    found = ctx.cache.get("audit-history")
    if found is not None:
        return found  # type: ignore[no-any-return]
    from slactl.governance.amendments import history_issues
    from slactl.governance.gitrepo import GitError, open_repository

    findings: list[Finding] = []
    try:
        repo = open_repository(ctx.root)
        if not repo.has_commits():
            raise GitError("the git repository has no commits yet")
        issues = history_issues(repo, repo.resolve("HEAD"), until=ctx.today)
        shallow = repo.shallow
    except GitError as exc:
        findings.append(Finding(REPOSITORY, 1, 1, "audit-amendment-unversioned", Severity.INFO,
                                f"amendment history not checked: {exc.message}", exc.hint))
        ctx.cache["audit-history"] = findings
        return findings
    if shallow:
        findings.append(Finding(REPOSITORY, 1, 1, "audit-amendment-unversioned", Severity.INFO,
                                "the clone is shallow: amendments before its oldest commit were not checked",
                                "fetch the full history (git fetch --unshallow) before the audit"))
    current = {d.id: d for d in ctx.result.agreements()}
    for item in issues:
        issue = item.issue
        info = item.commit
        message = (f"commit {info.short} ({info.date.date()}, {info.author}): {issue.message}")
        rule_id = _HISTORY_RULES[issue.rule]
        doc = current.get(item.snapshot.id)
        target = doc if doc is not None else item.snapshot.doc
        line, column = target.pos(*issue.loc)
        hint = ("history cannot be rewritten: record the approval retroactively (a changelog entry with "
                "the approvals and a note) and have the approvers confirm it")
        findings.append(Finding(target.file, line, column, rule_id, issue.severity, message, hint))
    ctx.cache["audit-history"] = findings
    return findings


@rule("audit-amendment-unversioned", Severity.ERROR, scope="audit", standard=AMENDMENTS)
def amendment_unversioned(ctx: Context) -> Iterator[Finding]:
    """A past material change to an active agreement kept its version (a silent change) or skipped versions.

    Bad: a commit lowers `target` from 99.9 to 99.5 and leaves `version: 3`.
    Good: the same commit sets `version: 4` and adds its approved changelog entry.
    """
    yield from (f for f in _history_findings(ctx) if f.rule == "audit-amendment-unversioned")


@rule("audit-amendment-unapproved", Severity.ERROR, scope="audit", standard=AMENDMENTS)
def amendment_unapproved(ctx: Context) -> Iterator[Finding]:
    """A past version of an agreement lacks its changelog entry or an approver's approval.

    Bad: version 4 with `approvals: [{by: Jane Doe, ...}]` when `approvers` also names Raj Patel.
    Good: both approvals recorded, or an `Approved-by: Raj Patel` trailer on the commit.
    """
    yield from (f for f in _history_findings(ctx) if f.rule == "audit-amendment-unapproved")


@rule("audit-amendment-date", Severity.WARNING, scope="audit", standard=AMENDMENTS)
def amendment_date(ctx: Context) -> Iterator[Finding]:
    """An approval is dated after the commit that recorded it (recorded before it was given).

    Bad: a commit of 2026-02-01 records `{by: Jane Doe, on: 2026-02-10}`.
    Good: approvals are recorded once given, with the date they were given.
    """
    yield from (f for f in _history_findings(ctx) if f.rule == "audit-amendment-date")


# -- underpinning ---------------------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return " ".join(str(text or "").split()).casefold()


@rule("audit-underpinning-missing", Severity.WARNING, scope="audit", standard=ISO_SUPPLIER)
def underpinning_missing(ctx: Context) -> Iterator[Finding]:
    """A service under an SLA depends on a supplier or another team with no UC or OLA underpinning it.

    Bad: Service `payments-api` lists `suppliers: [CloudCo]` and no UC has `supplier: CloudCo`.
    Good: UC `cloudco-hosting` with `supplier: CloudCo` covering `payments-api`.
    """
    cat = catalog(ctx)
    in_force = _agreements(ctx, *IN_FORCE)
    slas = [d for d in in_force if d.kind == "SLA"]
    under = [d for d in in_force if d.kind in ("OLA", "UC")]
    covered_by_sla = {s for d in slas for s in d.model.spec.services}
    for service in ctx.result.of_kind("Service"):
        if service.id not in covered_by_sla:
            continue
        underpinning_ids = {u for d in slas if service.id in d.model.spec.services for u in d.model.spec.underpinned_by}
        relevant = [d for d in under if service.id in d.model.spec.services or d.id in underpinning_ids]
        for index, supplier in enumerate(service.model.spec.suppliers):
            party = _norm(supplier)
            if any(party in (_norm(getattr(d.model.spec, "supplier", None)), _norm(getattr(d.model.spec, "provider", None)))
                   for d in relevant):
                continue
            yield service.finding("audit-underpinning-missing", Severity.WARNING,
                                  f"Service '{service.id}' relies on '{supplier}' but no UC or OLA in force with "
                                  f"that supplier or provider underpins it",
                                  "spec", "suppliers", index,
                                  hint=f"add a UC (supplier: {supplier}) or OLA (provider: {supplier}) covering the service")
        owner = _norm(service.model.metadata.owner)
        for index, dependency in enumerate(service.model.spec.depends_on):
            other = cat.valid.get("Service", {}).get(dependency)
            if other is None or _norm(other.model.metadata.owner) == owner:
                continue
            if any(dependency in d.model.spec.services for d in under):
                continue
            team = other.model.metadata.owner or "another team"
            yield service.finding("audit-underpinning-missing", Severity.WARNING,
                                  f"Service '{service.id}' depends on '{dependency}' (owned by {team}) "
                                  f"but no OLA or UC in force covers '{dependency}'",
                                  "spec", "depends_on", index,
                                  hint=f"agree an OLA with {team} covering '{dependency}'")


@rule("audit-underpinning-weaker", Severity.ERROR, scope="audit", standard=ISO_SUPPLIER + "; " + ISO_SLM)
def underpinning_weaker(ctx: Context) -> Iterator[Finding]:
    """An OLA or UC objective promises less than the SLA objective it supports.

    Bad: UC objective `supports: payments-gold/availability` with `target: 99.5` under an SLA target of 99.9.
    Good: the UC target is at least 99.9 (a stricter threshold for ticket and latency objectives).
    """
    cat = catalog(ctx)
    for doc in _agreements(ctx, *IN_FORCE):
        if doc.kind not in ("OLA", "UC"):
            continue
        for index, objective in enumerate(doc.model.spec.objectives):
            supported = cat.objectives.get(objective.supports) if objective.supports else None
            if supported is None or supported.doc is doc:
                continue
            sla = supported.objective
            if objective.target is not None and sla.target is not None and objective.target < sla.target:
                yield doc.finding("audit-underpinning-weaker", Severity.ERROR,
                                  f"{_label(doc)} objective '{objective.id}' targets {objective.target:g} but the "
                                  f"{objective.supports} it supports targets {sla.target:g}",
                                  "spec", "objectives", index, "target",
                                  hint="an underpinning target must be at least the SLA's, or the SLA cannot be met")
            if objective.threshold is not None and sla.threshold is not None and objective.threshold > sla.threshold:
                from slactl.durations import format_duration

                yield doc.finding("audit-underpinning-weaker", Severity.ERROR,
                                  f"{_label(doc)} objective '{objective.id}' allows {format_duration(objective.threshold)} "
                                  f"but the {objective.supports} it supports allows only {format_duration(sla.threshold)}",
                                  "spec", "objectives", index, "threshold",
                                  hint="an underpinning threshold must be at most the SLA's")


# -- problems and continual improvement -------------------------------------------------------------


def consecutive_breaches(statuses: dict[str, list[tuple[str, str]]], minimum: int = 2) -> dict[str, list[str]]:
    """Objectives (AGREEMENT/OBJECTIVE) breached in at least `minimum` consecutive periods -> those periods.

    `statuses` maps an objective to (period, status) pairs, oldest first.
    """
    found: dict[str, list[str]] = {}
    for ref, series in statuses.items():
        run: list[str] = []
        best: list[str] = []
        for period, status in series:
            run = run + [period] if status == "breached" else []
            if len(run) >= len(best):
                best = list(run)
        if len(best) >= minimum:
            found[ref] = best
    return found


def _breach_statuses(ctx: Context) -> tuple[dict[str, list[tuple[str, str]]], str | None]:
    """Per objective, the status in each of the last closed periods; or why they could not be computed."""
    cached = ctx.cache.get("audit-breaches")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    outcome: tuple[dict[str, list[tuple[str, str]]], str | None]
    if not ctx.result.of_kind("DataSource"):
        outcome = ({}, "no DataSource is declared, so there is no data")
    else:
        try:
            from slactl.compliance.engine import compute_compliance
            from slactl.compliance.periods import month_or_quarter
        except ImportError as exc:
            outcome = ({}, f"the compliance engine is not available ({exc})")
        else:
            count = int(ctx.options.get("breach_periods", 6))
            current = month_or_quarter(date(ctx.today.year, ctx.today.month, 1))
            periods = current.previous(count)
            statuses: dict[str, list[tuple[str, str]]] = {}
            try:
                for i, period in enumerate(periods):
                    report = compute_compliance(ctx.root, ctx.result, period, ingest=(i == 0))
                    for res in report.results:
                        statuses.setdefault(f"{res.agreement}/{res.objective}", []).append((period.label, res.status))
                outcome = (statuses, None)
            except Exception as exc:  # noqa: BLE001 - breach rules are skipped, not fatal
                outcome = ({}, f"compliance could not be computed ({type(exc).__name__}: {exc})")
    ctx.cache["audit-breaches"] = outcome
    return outcome


@rule("audit-breach-no-problem", Severity.WARNING, scope="audit", standard=ISO_PROBLEM)
def breach_no_problem(ctx: Context) -> Iterator[Finding]:
    """An objective breached in two or more consecutive periods has no Problem record.

    Bad: `payments-gold/availability` breached in 2026-08 and 2026-09, no Problem lists it in `breaches`.
    Good: a Problem with `breaches: [{objective: payments-gold/availability, period: 2026-09}]` and a root cause.
    """
    statuses, reason = _breach_statuses(ctx)
    if reason is not None:
        yield Finding(REPOSITORY, 1, 1, "audit-breach-no-problem", Severity.INFO,
                      f"repeated breaches not checked: {reason}", "ingest data and run the audit again")
        return
    recorded = {b.objective for p in ctx.result.of_kind("Problem") for b in p.model.spec.breaches}
    cat = catalog(ctx)
    for ref, periods in sorted(consecutive_breaches(statuses).items()):
        if ref in recorded:
            continue
        view = cat.objectives.get(ref)
        if view is None:
            continue
        yield view.doc.finding("audit-breach-no-problem", Severity.WARNING,
                               f"objective {ref} was breached in {len(periods)} consecutive periods "
                               f"({', '.join(periods)}) and no Problem record investigates it",
                               *view.path(), hint="open a Problem with these breaches and a root cause analysis")


@rule("audit-problem-no-improvement", Severity.WARNING, scope="audit", standard=ISO_PROBLEM + "; " + ISO_CSI)
def problem_no_improvement(ctx: Context) -> Iterator[Finding]:
    """A Problem record links no Improvement, so its root cause leads to no action.

    Bad: a Problem with `root_cause: ...` and no `improvements`.
    Good: `improvements: [retry-budget]` naming the CSI register entry that removes the cause.
    """
    for doc in ctx.result.of_kind("Problem"):
        if not doc.model.spec.improvements:
            yield doc.finding("audit-problem-no-improvement", Severity.WARNING,
                              f"Problem '{doc.id}' links no Improvement", "spec",
                              hint="add improvements: [IMPROVEMENT_ID] (a CSI register entry) or close it as accepted")


@rule("audit-improvement-stale", Severity.WARNING, scope="audit", standard=ISO_CSI)
def improvement_stale(ctx: Context) -> Iterator[Finding]:
    """An open Improvement has stayed in one status longer than the allowed age (default 90 days).

    Bad: `status: approved`, `updated: 2025-06-01`, audited 2026-03-01.
    Good: the status moves on (and `updated` with it), or the entry is closed or rejected.
    """
    days = int(ctx.options.get("stale_after_days", 90))
    for doc in ctx.result.of_kind("Improvement"):
        spec = doc.model.spec
        if spec.status in CLOSED_IMPROVEMENT:
            continue
        since, field_name = spec.updated, "updated"
        if since is None and spec.status in ("implemented", "validated") and spec.implemented is not None:
            since, field_name = spec.implemented, "implemented"
        if since is None and spec.started is not None:
            since, field_name = spec.started, "started"
        if since is None:
            yield doc.finding("audit-improvement-stale", Severity.INFO,
                              f"Improvement '{doc.id}' ({spec.status}) has no date to judge its age",
                              "spec", "status", hint="record updated: DATE when the status changes")
            continue
        age = (ctx.today - since).days
        if age > days:
            yield doc.finding("audit-improvement-stale", Severity.WARNING,
                              f"Improvement '{doc.id}' has been '{spec.status}' for {age} days (since {since}; "
                              f"allowed {days})", "spec", field_name,
                              hint="move it on, or close or reject it with the reason")


# -- report archives --------------------------------------------------------------------------------


def find_archives(root: Path) -> list[Path]:
    """Folders under the repository holding a report archive manifest, hidden folders skipped.

    Only a `manifest.json` that looks like slactl's (it names a period and its outputs) counts, so a web
    app's manifest.json in the same repository is left alone; an unreadable one counts (it is a finding).
    """
    import json

    found = []
    for manifest in sorted(root.rglob("manifest.json")):
        rel = manifest.relative_to(root)
        if any(part.startswith(".") or part == "node_modules" for part in rel.parts):
            continue
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {"period": None, "outputs": None}
        if isinstance(data, dict) and "period" in data and "outputs" in data:
            found.append(manifest.parent)
    return found


@rule("audit-archive-unverified", Severity.ERROR, scope="audit", standard=ISO_DOCS + "; SOX 404 (retention of evidence)")
def archive_unverified(ctx: Context) -> Iterator[Finding]:
    """An archived report no longer matches its manifest (a file was changed, added or removed).

    Bad: `reports/archive/2026-09/report.html` edited after archiving.
    Good: archives are never edited; a correction is a new archived report.
    """
    archives = find_archives(ctx.root)
    if not archives:
        return
    try:
        from slactl.report.archive import check_archive
    except ImportError:
        yield Finding(REPOSITORY, 1, 1, "audit-archive-unverified", Severity.INFO,
                      f"{len(archives)} report archive(s) not verified: archive verification is not available", None)
        return
    # each period/view folder as a whole, so a version removed, renamed or left without its manifest
    # shows up beside the versions that are still there
    import re

    folders = sorted({f.parent if re.fullmatch(r"v\d+", f.name) else f for f in archives})
    for folder in folders:
        rel = folder.relative_to(ctx.root).as_posix()
        try:
            problems = [(p.path, p.message) for p in check_archive(folder).problems]
        except Exception as exc:  # noqa: BLE001 - an unreadable archive is itself a finding
            problems = [("", f"cannot be verified: {exc}")]
        for path, message in problems:
            version = path.split("/")[0] if re.fullmatch(r"v\d+", path.split("/")[0]) else ""
            manifest = folder / version / "manifest.json" if version else None
            where = (manifest.relative_to(ctx.root).as_posix() if manifest is not None and manifest.is_file()
                     else (f"{rel}/{version}" if version else rel))
            yield Finding(where, 1, 1, "audit-archive-unverified", Severity.ERROR,
                          f"report archive {rel}: {message}",
                          "archives are never edited: restore the archived files from version control")


# -- policies ---------------------------------------------------------------------------------------


def _tag(ctx: Context, policy: LoadedDocument, finding: Finding) -> Finding:
    from slactl.rules.policies import tag

    return tag(ctx, policy, finding)


def _policies(ctx: Context) -> list[tuple[LoadedDocument, list[LoadedDocument]]]:
    from slactl.rules.policies import policy_targets

    return policy_targets(ctx)
