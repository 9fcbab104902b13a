"""`slactl changes check|stats` and `slactl alert`: change records against SLAs, and breach notifications."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from slactl.cli.common import (
    REPO_OPTION,
    FailOn,
    FindingsFormat,
    OutputFormat,
    check_repo,
    display_prefix,
    echo_json,
    emit,
    envelope,
    fail,
)
from slactl.display import fmt_percent
from slactl.findings import ExitCode, Severity, exit_code_for

changes_app = typer.Typer(help="Change records against the agreements they can hurt.", no_args_is_help=True)


class StatsFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


SOURCE_QUOTE_LIMIT = 5 * 1024 * 1024
PERIOD_HELP = "Reporting period: a month (2026-10) or a quarter (2026-Q4)."


def _load(ctx: typer.Context, repo: Path | None, warn: bool = True) -> tuple[Path, Any, Any]:
    from slactl.cli.definitions import require_repository
    from slactl.loader.documents import load_repository
    from slactl.loader.repository import ConfigError, load_config

    root = check_repo(repo, ctx)
    try:
        config = load_config(root)
    except ConfigError as exc:
        fail(str(exc), "fix the settings file (see docs/validate.md)")
    result = load_repository(root, config)
    require_repository(config, result)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if warn and errors:
        first = errors[0]
        typer.echo(f"warning: {len(errors)} definition problem(s) (first: {first.file}:{first.line}: {first.message}); "
                   "documents with errors are left out; run slactl validate", err=True)
    return root, config, result


def _check_period(period: str | None) -> None:
    from slactl.changes.records import period_bounds

    if period is not None:
        try:
            period_bounds(period)
        except ValueError as exc:
            fail(str(exc), "pass --period 2026-10 or --period 2026-Q4")


def _store(root: Path, config: Any, result: Any) -> tuple[Any, Any]:
    """The store, brought up to date with the data files; (store, ingest report)."""
    from slactl.store import IngestError, Store

    store = Store(config.store_path)
    try:
        ingested = store.ensure_ingested(result, root)
    except IngestError as exc:
        fail(str(exc), "fix the data file or its DataSource, then run again")
    except OSError as exc:
        fail(f"cannot use the store at '{config.store_path}': {exc.strerror or exc}",
             "check the store folder (`store` in slactl.toml) is writable")
    return store, ingested


def _changes_sources(result: Any) -> list[str]:
    return [doc.model.metadata.id for doc in result.of_kind("DataSource") if doc.model.spec.type == "changes"]


@changes_app.command("check")
def changes_check(
    ctx: typer.Context,
    repo: Path = REPO_OPTION,
    period: str = typer.Option(None, "--period", help=PERIOD_HELP + " Default: every change."),
    format: FindingsFormat = typer.Option(
        None, "--format", "-f", help="text, json, github, junit or sarif (default: text; github under GitHub Actions).",
    ),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", help="Exit 1 on findings of this severity or worse."),
    output: Path = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
) -> None:
    """Check change records against the agreements: impact assessments, rollback plans, CAB, freezes, PIRs.

    Reads every DataSource of type `changes`; findings point at the CSV file and line of the
    change. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 unreadable input or usage error.

    Example: slactl changes check --period 2026-10 --format github
    """
    from slactl.changes.check import SCOPE, check_changes
    from slactl.changes.records import period_bounds, records_from_frame
    from slactl.reporters import REPORTERS, FindingsReport, default_format

    _check_period(period)
    root, config, result = _load(ctx, repo, warn=False)  # its findings are reported below
    sources = _changes_sources(result)
    if not sources:
        fail("no DataSource of type 'changes' is declared",
             "declare one (kind: DataSource, spec.type: changes, spec.path: data/changes/*.csv); see docs/changes.md")
    store, ingested = _store(root, config, result)
    start, end = period_bounds(period) if period else (None, None)
    records = []
    for source in sources:
        records.extend(records_from_frame(store.read(source, start, end)))
    files = sorted({name for name, entry in store.manifest().get("files", {}).items()
                    if entry.get("source") in sources})
    data_findings = [f for f in ingested.findings() if f.file in files]
    findings = sorted(list(result.findings) + data_findings + check_changes(result, records, root=root, period=period))
    texts = dict(result.sources)
    for name in files:  # for the source lines the text reporter quotes; large exports are not quoted
        try:
            if (root / name).stat().st_size <= SOURCE_QUOTE_LIMIT:
                texts[name] = (root / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    chosen = default_format(format.value if format else None)
    report = FindingsReport(
        findings=findings, files=files, documents=len(records), command=f"{SCOPE} check", sources=texts,
        prefix=display_prefix(root), wrap=envelope,
    )
    text = REPORTERS[chosen]().render(report, color=output is None and chosen == "text" and sys.stdout.isatty())
    emit(text, output)
    raise typer.Exit(int(exit_code_for(findings, Severity(fail_on.value))))


def _stats_text(period: str, rows: list[dict[str, Any]]) -> str:
    from slactl.durations import format_duration

    lines = [f"Changes and service levels, {period}", ""]
    header = ("service", "changes", "completed", "failed", "rolled back", "failure rate", "downtime",
              "during failed changes", "attainment")
    table = [header]
    for row in rows:
        rate = "-" if row["failure_rate"] is None else f"{row['failure_rate'] * 100:.1f}%"
        attained = ", ".join(
            f"{a['agreement']}/{a['objective']} {fmt_percent(a['attained'])} ({a['status']})" if a["attained"] is not None
            else f"{a['agreement']}/{a['objective']} ({a['status']})"
            for a in row.get("attainment", [])
        ) or "-"
        table.append((row["service"], str(row["changes"]), str(row["completed"]), str(row["failed"]),
                      str(row["rolled_back"]), rate, format_duration(row["downtime_seconds"]),
                      format_duration(row["change_downtime_seconds"]), attained))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip())
    if len(table) == 1:
        lines.append("(no services covered by an active agreement and no changes in the period)")
    return "\n".join(lines) + "\n"


@changes_app.command("stats")
def changes_stats(
    ctx: typer.Context,
    repo: Path = REPO_OPTION,
    period: str = typer.Option(..., "--period", help=PERIOD_HELP),
    format: StatsFormat = typer.Option(StatsFormat.text, "--format", "-f", help="text, json or csv."),
) -> None:
    """Change failure rate and downtime during failed changes, per service, beside availability attainment.

    failure rate = (failed + rolled back) / completed changes ending in the period; downtime
    during failed changes = outage or down-probe seconds inside a failed change's actual window.

    Example: slactl changes stats --period 2026-10 --format csv > changes-2026-10.csv
    """
    from slactl.changes.stats import change_impact
    from slactl.csvexport import to_csv

    _check_period(period)
    root, config, result = _load(ctx, repo)
    store, _ = _store(root, config, result)
    report = None
    try:
        from slactl.compliance.engine import ComplianceError, compute_compliance
    except ImportError:
        compute_compliance = None  # type: ignore[assignment]
    if compute_compliance is not None:
        try:
            report = compute_compliance(root, result, period, store=store, ingest=False)
        except ComplianceError as exc:
            fail(str(exc), "check the agreements and the period")
    rows = change_impact(root, result, period, store, report=report)
    if format is StatsFormat.json:
        echo_json(envelope(period=period, services=rows))
    elif format is StatsFormat.csv:
        columns = ["service", "period", "changes", "completed", "successful", "failed", "rolled_back", "emergency",
                   "failure_rate", "downtime_seconds", "change_downtime_seconds"]
        sys.stdout.write(to_csv(columns, ([row[c] for c in columns] for row in rows)))
    else:
        sys.stdout.write(_stats_text(period, rows))


def _parse_as_of(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        fail(f"--as-of '{text}' is not an ISO 8601 date or time", "write for example 2026-10-20T12:00:00Z")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _alert_header(data: dict[str, Any], period: str) -> list[str]:
    """What was evaluated: a period without data is said so, never shown as "0 conditions"."""
    from slactl.durations import format_duration

    summary = data["summary"]
    evaluated, missing = summary["objectives"], summary["insufficient_data"]
    if evaluated == 0:
        return [f"no objective evaluated for {period} at {data['as_of']}: no agreement in force; nothing to notify"]
    if data["no_data"]:
        return [f"no data for {period} at {data['as_of']}: all {evaluated} objective(s) have insufficient data, "
                "so no condition is raised or cleared (this does not mean they are met)"]
    lines = [f"{len(data['conditions'])} condition(s) at {data['as_of']} ({evaluated} objective(s) evaluated"
             + (f", {missing} with insufficient data: neither raised nor cleared)" if missing else ")")]
    now = datetime.fromisoformat(data["as_of"])
    for label, closed in sorted({(c["period"], c["period_closed_at"]) for c in data["conditions"]
                                 if c["period_closed_at"]}):
        ago = format_duration(round((now - datetime.fromisoformat(closed)).total_seconds() / 60) * 60)
        lines.append(f"period {label} closed {ago} ago ({closed}): escalation delays count from its close, "
                     "so every level whose delay has passed is due now")
    return lines


def _alert_text(data: dict[str, Any], dry_run: bool, period: str) -> str:
    lines = _alert_header(data, period)
    conditions = data["conditions"]
    for c in conditions:
        figures = ""
        if c["attained"] is not None and c["target"] is not None:
            figures = f"  attained {fmt_percent(c['attained'])} target {c['target']:g}%"
        lines.append(f"  {c['key']}  {c['status']} ({c['severity']}){figures}")
    for key in data["resolved"]:
        lines.append(f"  {key}  recovered")
    if not data["no_data"]:
        for key in data["insufficient_data"]:
            lines.append(f"  {key}  insufficient data")
    notifications = data["notifications"]
    if notifications:
        lines.append("would send:" if dry_run else "sent:")
    for n in notifications:
        keys = ", ".join(n["conditions"])
        if dry_run:
            problem = f" (would not be sent: {n['problem']})" if n["problem"] else ""
            lines.append(f"  {n['target']} ({n['format']}, {n['channel']}, {n['action']}) to {n['url']}: {keys}{problem}")
        elif n["delivered"]:
            lines.append(f"  {n['target']} ({n['format']}, {n['action']}): {keys}: delivered "
                         f"after {n['attempts']} attempt(s)")
        else:
            lines.append(f"  {n['target']} ({n['format']}, {n['action']}): {keys}: FAILED after "
                         f"{n['attempts']} attempt(s): {n['error']}")
    if data["skipped"]:
        lines.append("held back:")
    for s in data["skipped"]:
        lines.append(f"  {s['condition']}" + (f" -> {s['target']}" if s["target"] else "") + f": {s['reason']}")
    return "\n".join(lines) + "\n"


def alert(
    ctx: typer.Context,
    repo: Path = REPO_OPTION,
    period: str = typer.Option(None, "--period", help=PERIOD_HELP + " Default: the month of --as-of."),
    as_of: str = typer.Option(None, "--as-of", help="Evaluate as at this time (ISO 8601; default: now)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be sent (secrets hidden); send nothing."),
    format: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="text or json."),
    retries: int = typer.Option(3, "--retries", min=0, max=10, help="Retries per delivery after the first attempt."),
    timeout: float = typer.Option(10.0, "--timeout", min=0.1, max=120, help="Seconds to wait for each webhook answer."),
) -> None:
    """Notify breaches, at-risk objectives and burn-rate alerts along each agreement's escalation policy.

    Technical channels get figures and burn rates; customer channels get a plain-language status
    and credits, for breaches only. An unchanged condition is not sent twice; a changed one waits
    for the policy's cooldown (default 4h); each level is notified once its `after` delay has
    passed since the condition was first seen (for a closed period: since the period closed, if
    earlier); recoveries are sent once. Customer satisfaction and ticket times are never sent to
    PagerDuty. Objectives without data neither raise nor clear a condition. Webhook URLs and keys
    are read from the environment variables the policy names and never printed. State and the
    delivery log live in <store>/alerts/. Exit codes: 0 every due notification delivered (or none
    due), 1 a delivery failed after its retries, 2 usage error or unreadable input.

    Example: slactl alert --period 2026-10 --dry-run
    """
    from slactl.changes.records import month_label, period_bounds
    from slactl.compliance.periods import PeriodError
    from slactl.escalation.delivery import RetryPolicy
    from slactl.escalation.run import run_alerts
    from slactl.escalation.state import StateError

    _check_period(period)
    moment = _parse_as_of(as_of)
    now = moment or datetime.now(UTC)
    label = period or month_label(now)
    root, config, result = _load(ctx, repo)
    try:
        from slactl.compliance.engine import ComplianceError, compute_compliance
    except ImportError:
        fail("this installation of slactl cannot compute compliance", "reinstall slactl")
    store, _ = _store(root, config, result)
    period_start, period_end = period_bounds(label)
    evaluate_at = moment if moment is not None else (now if now < period_end else None)
    reference = evaluate_at if evaluate_at is None or evaluate_at.tzinfo else evaluate_at.replace(tzinfo=UTC)
    if reference is not None and reference < period_start:
        fail(f"period {label} has not started at {now.isoformat()}: there is nothing to judge yet",
             "pass the current or a past period, or an --as-of inside the period")
    try:
        report = compute_compliance(root, result, label, as_of=evaluate_at, store=store, ingest=False)
    except ComplianceError as exc:
        fail(str(exc), "check the agreements and the period")
    except PeriodError as exc:  # a period that has not started: there is nothing to judge yet
        if "before the start" not in str(exc):
            fail(str(exc), "check the period and --as-of")
        fail(f"period {label} has not started at {now.isoformat()}: there is nothing to judge yet",
             "pass the current or a past period, or an --as-of inside the period")
    try:
        policy = RetryPolicy(max_attempts=retries + 1, request_timeout=timeout)
        run = run_alerts(report, result, config.store_path, now, dry_run=dry_run, policy=policy)
    except StateError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write the alert state under '{config.store_path}': {exc.strerror or exc}",
             "check the store folder is writable")
    data = run.to_dict()
    if format is OutputFormat.json:
        echo_json(envelope(period=label, **data))
    else:
        sys.stdout.write(_alert_text(data, dry_run, label))
    raise typer.Exit(int(ExitCode.FINDINGS if run.failed else ExitCode.OK))


def register(app: typer.Typer) -> None:
    app.add_typer(changes_app, name="changes")
    app.command("alert")(alert)
