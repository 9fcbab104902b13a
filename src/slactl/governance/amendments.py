"""Amendment control (SPEC 2.7): a material change to an active agreement raises `version` by one and is approved.

Approval is evidenced either by the changelog entry of the new version (`approvals: [{by, on}]`) or by
`Approved-by: NAME` trailers in the commits that made the change. The same judgement serves
`slactl validate --base REV` (one pull request) and `slactl audit` (every step of the main line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from slactl.findings import Finding, Severity
from slactl.governance.gitrepo import (
    CommitInfo,
    GitRepository,
    Snapshot,
    agreements_of,
    commit_info,
    open_repository,
)
from slactl.governance.semantic import Change, agreement_changes, material
from slactl.loader.documents import LoadResult

STANDARD = "ISO/IEC 20000-1:2018 8.3.3 and 7.5.3 (control of documented information); SOX ITGC change management"

# Ids of the findings amendments produce (documented in docs/governance.md): severity and summary.
AMENDMENT_RULES: dict[str, tuple[Severity, str]] = {
    "amend-version-not-raised": (Severity.ERROR, "A material change to an active agreement does not raise `version`."),
    "amend-version-step": (Severity.ERROR, "`version` moved by something other than exactly one."),
    "amend-changelog-missing": (Severity.ERROR, "A new version has no `changelog` entry."),
    "amend-approval-missing": (Severity.ERROR, "An approver has not approved the new version (changelog or trailer)."),
    "amend-approval-date": (Severity.WARNING, "An approval is dated in the future, or after the commit recording it."),
    "amend-removed-active": (Severity.WARNING, "An active agreement was deleted instead of being retired."),
}

MAX_CHANGE_FINDINGS = 10


@dataclass
class AmendmentIssue:
    """One problem with one amendment; `loc` is a YAML path in the new version of the document."""

    rule: str
    message: str
    loc: tuple[Any, ...]
    hint: str | None = None

    @property
    def severity(self) -> Severity:
        return AMENDMENT_RULES[self.rule][0]


def _forms(name: str) -> set[str]:
    """`Jane Doe <jane@example.com>` matches `Jane Doe`, `jane@example.com` and itself, case-insensitively."""
    text = " ".join(str(name).split()).casefold()
    forms = {text}
    if "<" in text and text.endswith(">"):
        person, _, email = text[:-1].partition("<")
        forms.update({person.strip(), email.strip()})
    return {form for form in forms if form}


def approved(approver: str, names: Iterable[str]) -> bool:
    wanted = _forms(approver)
    return any(wanted & _forms(name) for name in names)


def _names(items: Iterable[str]) -> str:
    return ", ".join(f"'{item}'" for item in items)


def assess_amendment(
    old: Snapshot,
    new: Snapshot,
    trailers: list[str],
    *,
    recorded: date,
    where: str,
) -> tuple[list[Change], list[AmendmentIssue]]:
    """The semantic changes from `old` to `new` and what is wrong with them as an amendment.

    `trailers` are the `Approved-by` values of the commits that made the change, `recorded` the
    latest date an approval may carry (today, or the date of the commit recording it), `where`
    names those commits in messages ("in the commits since origin/main").
    """
    changes = agreement_changes(old.model, new.model)
    old_spec, new_spec = old.model.spec, new.model.spec
    issues: list[AmendmentIssue] = []
    label = f"{new.kind} '{new.id}'"
    old_version, new_version = old_spec.version, new_spec.version
    if new_version != old_version and new_version != old_version + 1:
        issues.append(AmendmentIssue(
            "amend-version-step",
            f"{label}: version went from {old_version} to {new_version}; an amendment raises it by exactly one",
            ("spec", "version"), f"set version: {old_version + 1}",
        ))
    if old_spec.status.value != "active":
        return changes, issues
    significant = material(changes)
    if not significant:
        return changes, issues
    if new_version == old_version:
        for change in significant[:MAX_CHANGE_FINDINGS]:
            issues.append(AmendmentIssue(
                "amend-version-not-raised",
                f"{label} is active and {change.summary}, but version is still {old_version}",
                change.new_loc,
                f"raise version to {old_version + 1} and add a changelog entry for it approved by "
                + (_names(old_spec.approvers) if old_spec.approvers else "the agreement's approvers"),
            ))
        if len(significant) > MAX_CHANGE_FINDINGS:
            issues.append(AmendmentIssue(
                "amend-version-not-raised",
                f"{label}: {len(significant) - MAX_CHANGE_FINDINGS} more material changes without a new version",
                ("spec", "version"),
            ))
        return changes, issues
    if new_version != old_version + 1:
        return changes, issues
    index = next((i for i, e in enumerate(new_spec.changelog) if e.version == new_version), None)
    summary = "; ".join(c.summary for c in significant[:3]) + ("; ..." if len(significant) > 3 else "")
    if index is None:
        issues.append(AmendmentIssue(
            "amend-changelog-missing",
            f"{label} version {new_version} has no changelog entry ({summary})",
            ("spec", "changelog") if new_spec.changelog else ("spec", "version"),
            f"add to changelog: {{version: {new_version}, date: ..., summary: ..., approvals: [{{by: NAME, on: DATE}}]}}",
        ))
    entry = new_spec.changelog[index] if index is not None else None
    recorded_names = [a.by for a in entry.approvals] if entry is not None else []
    entry_loc: tuple[Any, ...] = ("spec", "changelog", index) if index is not None else ("spec", "version")
    if entry is not None and entry.approvals:
        entry_loc = ("spec", "changelog", index, "approvals")
    for approver in old_spec.approvers:
        if approved(approver, recorded_names) or approved(approver, trailers):
            continue
        issues.append(AmendmentIssue(
            "amend-approval-missing",
            f"{label} version {new_version} is not approved by '{approver}': no approval in its changelog entry "
            f"and no 'Approved-by: {approver}' trailer {where}",
            entry_loc,
            f"add {{by: {approver}, on: DATE}} to the approvals of version {new_version}, "
            f"or an 'Approved-by: {approver}' trailer to the commit",
        ))
    if entry is not None:
        for i, approval in enumerate(entry.approvals):
            if approval.on > recorded:
                issues.append(AmendmentIssue(
                    "amend-approval-date",
                    f"{label} version {new_version}: approval by '{approval.by}' is dated {approval.on}, "
                    f"after {recorded} when it was recorded",
                    ("spec", "changelog", index, "approvals", i, "on"),
                    "record an approval once it has been given, with the date it was given",
                ))
    return changes, issues


def check_amendments(repo_root: Path, base: str, result: LoadResult) -> list[Finding]:
    """Findings for every agreement amended since `base` (compared at the merge base), at the changed line.

    Raises GitError (with a message and hint for a person) when the repository or revision cannot be read.
    """
    repo = open_repository(Path(repo_root))
    base_commit = repo.resolve(base)
    head = repo.resolve("HEAD")
    fork = repo.merge_base(base_commit, head)
    approvals = repo.approvals_between(fork, head)
    old_agreements = repo.agreements_at(fork)
    new_agreements = agreements_of(result)
    loaded = set(result.files)
    where = f"in the commits since {base}"
    findings: list[Finding] = []
    for id_, new in sorted(new_agreements.items()):
        old = old_agreements.get(id_)
        if old is None:
            continue
        trailers = approvals.get(old.file, []) + (approvals.get(new.file, []) if new.file != old.file else [])
        _, issues = assess_amendment(old, new, trailers, recorded=date.today(), where=where)
        for issue in issues:
            findings.append(new.doc.finding(issue.rule, issue.severity, issue.message, *issue.loc, hint=issue.hint))
    present = {doc.id for doc in result.documents if doc.id}  # also documents that fail their schema
    for id_, old in sorted(old_agreements.items()):
        if id_ in present or old.model.spec.status.value != "active":
            continue
        on_disk = (repo.root / old.file).exists()
        if on_disk and old.file not in loaded:
            continue  # only some files were validated
        findings.append(Finding(
            old.file, 1, 1, "amend-removed-active", Severity.WARNING,
            f"active {old.kind} '{id_}' ({old.file} at {base}) was deleted",
            "agreements in force are ended by status: retired or decommissioned (with a new version), "
            "so that their history stays readable",
        ))
    return sorted(findings)


@dataclass
class HistoricIssue:
    """An amendment problem found in history: which commit, which agreement, and the issue."""

    commit: CommitInfo
    snapshot: Snapshot
    issue: AmendmentIssue


def history_issues(repo: GitRepository, head: Any, until: date | None = None) -> list[HistoricIssue]:
    """Amendment problems at every step of the main line (first parents) up to `head`.

    A merge is judged as one amendment with the trailers of every commit it brings in, as in a pull request.
    """
    found: list[HistoricIssue] = []
    chain = repo.first_parent_chain(head)
    for previous, commit in zip(chain, chain[1:], strict=False):
        info = commit_info(commit)
        if until is not None and info.date.date() > until:
            continue
        files = repo.changed_files(previous, commit)
        if not files:
            continue
        old = repo.agreements_in(previous, files)
        new = repo.agreements_in(commit, files)
        shared = sorted(set(old) & set(new))
        if not shared:
            continue
        if len(commit.parents) > 1:
            approvals_by_file = repo.approvals_between(previous, commit)
            where = f"in the commits merged by {info.short}"
        else:
            values = info.trailer_values("Approved-by")
            approvals_by_file = {rel: values for rel in files}
            where = f"in commit {info.short}"
        for id_ in shared:
            before, after = old[id_], new[id_]
            trailers = approvals_by_file.get(before.file, []) + (
                approvals_by_file.get(after.file, []) if after.file != before.file else [])
            _, issues = assess_amendment(before, after, trailers, recorded=info.date.date(), where=where)
            found.extend(HistoricIssue(info, new[id_], issue) for issue in issues)
    return found
