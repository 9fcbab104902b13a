"""`slactl compliance`: attainment, status, error budget and credits per objective for one period."""

from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any

import typer

from slactl.cli.common import REPO_OPTION, check_repo, echo_json, envelope, fail
from slactl.cli.definitions import load_checked_definitions
from slactl.findings import ExitCode, Severity

STATUS_STYLE = {"met": ("green", "MET"), "at_risk": ("yellow", "AT RISK"), "breached": ("red", "BREACHED"),
                "insufficient_data": ("magenta", "NO DATA")}
# statuses as findings: a breach is an error; at risk and insufficient data are warnings
FAIL_ON = {"never": set(), "error": {"breached"}, "warning": {"breached", "at_risk", "insufficient_data"},
           "breached": {"breached"}, "at_risk": {"breached", "at_risk"},
           "insufficient_data": {"breached", "insufficient_data"}}
CSV_COLUMNS = ["period", "agreement", "kind", "objective", "indicator", "target", "attained", "status", "coverage",
               "eligible_seconds", "excluded_seconds", "bad_seconds", "counted", "within", "budget_unit",
               "budget_total", "budget_consumed", "budget_remaining_ratio", "projected", "credit_percent",
               "review_required"]


def compute(root: Path, period: str, as_of: str | None, **filters: Any) -> Any:
    """Run the engine with errors turned into messages (exit 2) rather than tracebacks."""
    from slactl.compliance.engine import ComplianceError, compute_compliance
    from slactl.compliance.periods import PeriodError, parse_as_of, parse_period

    try:
        period_ = parse_period(period)
        moment = datetime.now(timezone.utc) if as_of == "now" else (parse_as_of(as_of) if as_of else None)
    except PeriodError as exc:
        fail(str(exc))
    if moment is None and datetime.combine(period_.end, time(0), tzinfo=timezone.utc) > datetime.now(timezone.utc):
        typer.echo(f"note: {period_.label} has not ended: it is judged as of its end, so time still to come "
                   "counts as missing data; pass --as-of now to judge it in progress", err=True)
    if moment is not None and moment.date() < period_.start:
        typer.echo(f"note: --as-of {as_of} is before {period_.label} begins: nothing of it is judged yet, so every "
                   "objective shows no data; give a moment inside the period", err=True)
    result = load_checked_definitions(root)
    try:
        from slactl.store import IngestError
    except ImportError:  # pragma: no cover
        IngestError = RuntimeError  # type: ignore[misc,assignment]  # noqa: N806
    try:
        report = compute_compliance(root, result, period_, as_of=moment, **filters)
    except (ComplianceError, PeriodError, IngestError) as exc:
        fail(str(exc))
    errors = sum(1 for f in report.data_findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in report.data_findings if f.severity is Severity.WARNING)
    if errors:
        typer.echo(f"note: {errors} data problem(s) found while reading exports: the rows skipped are missing "
                   "data, not good data" + (f" (and {warnings} warning(s))" if warnings else "")
                   + "; `slactl ingest` lists them", err=True)
    elif warnings:
        typer.echo(f"note: {warnings} data warning(s) found while reading exports (no row was skipped); "
                   "`slactl ingest` lists them", err=True)
    return report


def _pct(value: Any, digits: int = 3) -> str:
    from slactl.display import fmt_percent

    return "—" if value is None else fmt_percent(value, digits)


def _render_text(report: Any) -> None:
    import sys

    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    if not report.results:
        console.print(f"no agreement in force for {report.period} (status active, effective before its end)")
        return
    live = report.in_progress
    title = f"SLA compliance, {report.period}" + (f" (in progress, as of {report.as_of})" if live else "")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for column, justify in (("agreement", "left"), ("objective", "left"), ("target", "right"), ("attained", "right"),
                            ("status", "left"), ("budget left", "right"), ("coverage", "right"), ("credit", "right")):
        table.add_column(column, justify=justify, no_wrap=column in ("agreement", "objective"))  # type: ignore[arg-type]
    previous = None
    for r in report.results:
        style, word = STATUS_STYLE[r.status]
        # with too little data the budget says nothing: show none rather than -24900%
        budget = r.error_budget.remaining_ratio if r.error_budget and r.status != "insufficient_data" else None
        name = f"{r.agreement} ({r.kind})" if r.agreement != previous else ""
        previous = r.agreement
        table.add_row(
            name, r.objective + (f" [{r.period}]" if r.period != report.period else ""),
            _pct(r.target, 2), _pct(r.attained), f"[{style}]{word}[/{style}]",
            "—" if budget is None else f"{budget * 100:.1f}%",
            "—" if r.coverage is None else f"{r.coverage * 100:.1f}%",
            "review" if r.review_required else f"{r.credit_percent:g}%",
        )
    console.print(table)
    for a in report.agreements:
        if a.credit_percent:
            money = f" = {a.credit_amount:,.2f} {a.currency or ''}".rstrip() if a.credit_amount is not None else ""
            owed = "provisional credit" if live else "credit owed"
            console.print(f"{owed} on {a.agreement}: {a.credit_percent:g}% of the monthly fee{money}")


def _render_csv(report: Any) -> None:
    from slactl.csvexport import to_csv

    rows = []
    for r in report.results:
        b = r.error_budget
        rows.append([r.period, r.agreement, r.kind, r.objective, r.indicator, r.target, r.attained, r.status,
                     r.coverage, r.eligible_seconds, r.excluded_seconds, r.bad_seconds, r.counted, r.within,
                     b.unit if b else None, b.total if b else None, b.consumed if b else None,
                     b.remaining_ratio if b else None, r.projected, r.credit_percent, r.review_required])
    typer.echo(to_csv(CSV_COLUMNS, rows), nl=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def compliance(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", "-p", help="Month (2026-10) or quarter (2026-Q4)."),
        agreement: str = typer.Option(None, "--agreement", help="Only this agreement (any status)."),
        as_of: str = typer.Option(None, "--as-of",
                                  help="Judge the period as of this date, date-time or 'now' (in progress)."),
        format: str = typer.Option("text", "--format", "-f", help="text, json or csv."),
        fail_on: str = typer.Option("error", "--fail-on",
                                    help="Exit 1 on a breach (error, the default), also on at-risk or "
                                         "insufficient data (warning), or never."),
        repo: Path = REPO_OPTION,
    ) -> None:
        """Attainment, status, error budget and credits for every objective in force.

        Data exports are ingested first when they changed. Statuses: met, at_risk, breached,
        insufficient_data (no automatic credit; review required).

        Example: slactl compliance --period 2026-10 --format json
        """
        if format not in ("text", "json", "csv"):
            fail(f"unknown format '{format}'", "use text, json or csv")
        if fail_on not in FAIL_ON:
            fail(f"unknown --fail-on '{fail_on}'", "use error, warning or never")
        root = check_repo(repo, ctx)
        report = compute(root, period, as_of, agreement=agreement)
        if format == "json":
            echo_json(envelope(**report.to_dict()))
        elif format == "csv":
            _render_csv(report)
        else:
            _render_text(report)
        failing = FAIL_ON[fail_on]
        code = ExitCode.FINDINGS if any(r.status in failing for r in report.results) else ExitCode.OK
        raise typer.Exit(int(code))
