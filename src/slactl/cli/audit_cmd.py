"""`slactl audit`, `slactl diff` and `slactl history`: governance over the repository and its git history."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from slactl.cli.common import (
    REPO_OPTION,
    FailOn,
    OutputFormat,
    check_repo,
    display_prefix,
    emit,
    envelope,
    fail,
)
from slactl.display import terminal_safe
from slactl.findings import Severity, exit_code_for


class AuditFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    junit = "junit"
    sarif = "sarif"
    md = "md"
    html = "html"
    both = "both"


def _as_of(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of '{text}' is not a date", "write it as YYYY-MM-DD, for example --as-of 2026-12-31")


def audit(
    ctx: typer.Context,
    repo: Path = REPO_OPTION,
    as_of: str = typer.Option(None, "--as-of", help="Audit as of this date, YYYY-MM-DD (default: today)."),
    format: AuditFormat = typer.Option(
        None, "--format", "-f",
        help="text, json, github, junit, sarif, or the audit report: md, html, both (default: text; github "
             "under GitHub Actions).",
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file (both: FILE.md and FILE.html)."),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", help="Exit 1 on findings of this severity or worse."),
    stale_after: int = typer.Option(90, "--stale-after", min=1, help="Days an open Improvement may stay in one status."),
    breach_periods: int = typer.Option(6, "--breach-periods", min=2,
                                       help="Closed months searched for repeated breaches."),
) -> None:
    """Audit the repository and its git history against governance rules and Policies.

    Reviews, expiry, decommissioning clutter, amendment approvals across the whole history,
    underpinning contracts, repeated breaches without Problem records, stale improvements,
    Policy rules (GDPR, SOX, ...) and report archives. Exit codes: 0 clean, 1 findings at or above
    --fail-on, 2 unreadable input or usage error.

    Example: slactl audit --as-of 2026-12-31 --format both --out audit/2026
    """
    from slactl.cli.definitions import require_repository
    from slactl.governance.audit import audit_view, render_html, render_markdown, run_audit
    from slactl.loader.repository import ConfigError, load_config
    from slactl.reporters import REPORTERS, FindingsReport, default_format

    root = check_repo(repo, ctx)
    day = _as_of(as_of)
    try:
        config = load_config(root)
    except ConfigError as exc:
        fail(str(exc), "fix the settings file")
    require_repository(config)
    if format is AuditFormat.both and out is None:
        fail("--format both writes two files", "add --out FILE (FILE.md and FILE.html are written)")
    run = run_audit(root, day, {"stale_after_days": stale_after, "breach_periods": breach_periods}, config)
    chosen = format.value if format else default_format(None)
    if chosen in ("md", "html", "both"):
        view = audit_view(run)
        if chosen == "both":
            assert out is not None
            md_path = out.with_name(out.name + ".md") if out.suffix not in (".md", ".html") else out.with_suffix(".md")
            html_path = (out.with_name(out.name + ".html") if out.suffix not in (".md", ".html")
                         else out.with_suffix(".html"))
            emit(render_markdown(view), md_path, "--out")
            emit(render_html(view), html_path, "--out")
            typer.echo(f"wrote {md_path}\nwrote {html_path}", err=True)
        else:
            text = render_markdown(view) if chosen == "md" else render_html(view)
            emit(text, out, "--out")
    else:
        def wrap(**payload: Any) -> dict[str, Any]:
            return envelope(as_of=day.isoformat(), commit=run.commit, **payload)

        report = FindingsReport(findings=run.findings, files=run.result.files, documents=run.result.document_count,
                                command="audit", sources=run.result.sources, prefix=display_prefix(root),
                                suppressed=run.suppressed, wrap=wrap)
        text = REPORTERS[chosen]().render(report, color=out is None and chosen == "text" and sys.stdout.isatty())
        emit(text, out, "--out")
    raise typer.Exit(int(exit_code_for(run.findings, Severity(fail_on.value))))


def _git_fail(exc: Exception) -> None:
    fail(getattr(exc, "message", str(exc)), getattr(exc, "hint", None))


def diff(
    ctx: typer.Context,
    old: str = typer.Argument(..., help="The earlier revision (branch, tag or commit)."),
    new: str = typer.Argument(None, help="The later revision (default: the working tree)."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """Show what changed in the agreements between two revisions, in service management terms.

    Objectives added or removed, targets and thresholds tightened or loosened, credit tiers
    raised or reduced, exclusions, parties, status and version changes.

    Example: slactl diff v2026.1 HEAD --format json
    """
    from slactl.governance.diffing import diff_revisions
    from slactl.governance.gitrepo import GitError
    from slactl.loader.repository import ConfigError

    root = check_repo(repo, ctx)
    try:
        report = diff_revisions(root, old, new)
    except GitError as exc:
        _git_fail(exc)
    except ConfigError as exc:
        fail(str(exc), "fix the settings file")
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps(envelope(**report.to_dict()), indent=2, ensure_ascii=False, default=str) + "\n")
        return
    sys.stdout.write(diff_text(report.to_dict()))


_MARK = {"added": "+", "removed": "-", "changed": "~"}


def diff_text(data: dict[str, Any]) -> str:
    old, new = data["old"], data["new"]
    new_label = new["rev"] + (f" ({new['commit'][:10]})" if new["commit"] else "")
    lines = [f"Agreements from {old['rev']} ({old['commit'][:10]}) to {new_label}", ""]
    if not data["agreements"]:
        return lines[0] + "\n\nno agreement changed\n"
    for item in data["agreements"]:
        head = f"{item['kind']} {item['agreement']}"
        if item["state"] == "added":
            lines.append(f"+ {head}  added (version {item['new_version']}, {item['new_status']}) in {item['new_file']}")
        elif item["state"] == "removed":
            lines.append(f"- {head}  removed (was version {item['old_version']}, {item['old_status']}) "
                         f"from {item['old_file']}")
        else:
            version = (f"version {item['old_version']} -> {item['new_version']}"
                       if item["old_version"] != item["new_version"] else f"version {item['new_version']} (unchanged)")
            lines.append(f"~ {head}  {version}  {item['new_file']}")
            if item["moved"]:
                lines.append(f"    moved from {item['old_file']}")
            for change in item["changes"]:
                if change["path"] == "version":
                    continue
                tag = "" if change["material"] else "  [not material]"
                lines.append(f"    {_MARK[change['change']]} {change['summary']}{tag}")
        lines.append("")
    s = data["summary"]
    lines.append(f"{s['changed']} changed, {s['added']} added, {s['removed']} removed")
    return "\n".join(lines) + "\n"


def history(
    ctx: typer.Context,
    agreement: str = typer.Argument(..., help="Agreement id (metadata.id of an SLA, OLA or UC)."),
    repo: Path = REPO_OPTION,
    format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """List every version of one agreement from git history, newest first.

    Version, date, author, commit, approvals and what changed; the agreement is followed by its
    id across file renames and moves. A material change that kept its version is marked.

    Example: slactl history payments-gold --format json
    """
    from slactl.governance.gitrepo import GitError, open_repository
    from slactl.governance.history import agreement_history
    from slactl.loader.repository import ConfigError

    root = check_repo(repo, ctx)
    try:
        repository = open_repository(root)
        entries = agreement_history(root, agreement, repository)
    except GitError as exc:
        _git_fail(exc)
    except ConfigError as exc:
        fail(str(exc), "fix the settings file")
    if repository.shallow:
        typer.echo("note: the clone is shallow, so changes before its oldest commits are not listed; fetch the "
                   "full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)", err=True)
    data = [e.to_dict() for e in entries]
    if format is OutputFormat.json:
        payload = envelope(agreement=agreement, versions=data)
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    sys.stdout.write(history_text(agreement, data))


def history_text(agreement: str, entries: list[dict[str, Any]]) -> str:
    lines = [f"History of {agreement}: {len(entries)} change(s), newest first", ""]
    for e in entries:
        version = f"v{e['version']}" if e["version"] is not None else "v?"
        lines.append(f"{version:<5} {e['date'][:10]}  {e['commit'][:10]}  {terminal_safe(e['author'], 80)}  "
                     f"{e['state']}  ({e['status']})  {terminal_safe(e['subject'], 200)}")
        if e["moved"]:
            lines.append(f"      moved from {e['previous_file']} to {e['file']}")
        if e["approvals"] or e["trailers"]:
            parts = []
            if e["approvals"]:
                parts.append("changelog: " + ", ".join(e["approvals"]))
            if e["trailers"]:
                parts.append("Approved-by: " + ", ".join(e["trailers"]))
            lines.append("      approvals: " + "; ".join(parts))
        if e["silent_change"]:
            lines.append("      ! material change to an active agreement without a new version")
        for change in e["changes"]:
            if change["path"] == "version":
                continue
            tag = "" if change["material"] else "  [not material]"
            lines.append(f"      {_MARK[change['change']]} {change['summary']}{tag}")
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
    app.command("diff")(diff)
    app.command("history")(history)
