"""`slactl report`: the monthly service review (Markdown and HTML), and `slactl report verify` for archives."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from slactl.cli.common import REPO_OPTION, OutputFormat, check_repo, echo_json, envelope, fail
from slactl.findings import ExitCode


class View(StrEnum):
    executive = "executive"
    manager = "manager"
    technical = "technical"


class DocFormat(StrEnum):
    md = "md"
    html = "html"
    both = "both"


report_app = typer.Typer(
    name="report",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


@report_app.callback(invoke_without_command=True)
def report(
    ctx: typer.Context,
    period: str = typer.Option(None, "--period", help="Month (2026-10) or quarter (2026-Q4) under review."),
    agreement: str = typer.Option(None, "--agreement", help="Only this agreement (with its OLAs and UCs)."),
    customer: str = typer.Option(None, "--customer", help="Only the SLAs of this customer."),
    service: str = typer.Option(None, "--service", help="Only the agreements covering this service."),
    view: View = typer.Option(View.manager, "--view", help="Audience: executive, manager or technical."),
    doc_format: DocFormat = typer.Option(DocFormat.both, "--format", help="md, html or both."),
    out: Path = typer.Option(None, "--out", help="Folder for the report files (default: reports/ in the repository)."),
    trend: int = typer.Option(6, "--trend", min=1, max=60, help="Periods in the trend, this one included."),
    templates: Path = typer.Option(None, "--templates", help="Folder whose templates replace the defaults of the same name."),
    archive: Path = typer.Option(None, "--archive", help="Also write a versioned copy with a manifest into this folder."),
    as_of: str = typer.Option(None, "--as-of", help="Judge the period as of this instant (a period in progress)."),
    repo: Path = REPO_OPTION,
) -> None:
    """Render the monthly service review for one period.

    Example: slactl report --period 2026-10 --view executive --format html --archive reports/archive
    """
    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        fail("missing --period", "give the month or quarter under review, e.g. slactl report --period 2026-10")
    if sum(x is not None for x in (agreement, customer, service)) > 1:
        fail("--agreement, --customer and --service cannot be combined", "choose one scope")
    root = check_repo(repo, ctx)

    from slactl import __version__
    from slactl.cli.definitions import load_checked_definitions
    from slactl.compliance.periods import PeriodError, parse_as_of
    from slactl.report.review import ReportError, ReviewOptions, generate
    from slactl.report.viewmodel import Scope

    as_of_time = None
    if as_of is not None:
        try:
            as_of_time = parse_as_of(as_of)
        except PeriodError as exc:
            fail(f"--as-of: {exc}")
    if out is not None and out.exists() and not out.is_dir():
        fail(f"--out '{out}' is a file, not a folder", "give a folder for the report files (it is created if missing)")
    result = load_checked_definitions(root)
    typer.echo(f"validated {len(result.files)} definition file(s), {result.document_count} document(s): no errors")
    options = ReviewOptions(
        period=period, view=view.value,
        formats=["md", "html"] if doc_format is DocFormat.both else [doc_format.value],
        out=(out if out is not None else root / "reports"), trend=trend, templates=templates,
        archive=archive, as_of=as_of_time, scope=Scope(agreement, customer, service),
    )
    try:
        outcome = generate(root, result, options, tool_version=__version__)
    except ReportError as exc:
        fail(str(exc))
    except _input_errors() as exc:  # data and store problems: their message names the file and line
        fail(str(exc), "run slactl ingest to see every data problem")
    data = outcome.view
    counts = data["counts"]
    typer.echo(f"service review {data['period']} ({data['view']} view, {data['scope']}): "
               f"{len(data['agreements'])} agreement(s), {data['objective_count']} objective(s): "
               f"{counts['met']} met, {counts['at_risk']} at risk, {counts['breached']} breached, "
               f"{counts['insufficient_data']} with insufficient data")
    for path in outcome.files:
        typer.echo(f"wrote {path}")
    if outcome.archive_folder is not None:
        typer.echo(f"archived {outcome.archive_folder} (manifest sha256 {outcome.manifest_sha256})")
    problems = [f for f in outcome.data_findings if getattr(getattr(f, "severity", None), "value", "") == "error"]
    if problems:
        typer.echo(f"warning: {len(problems)} data problem(s) while reading the data; "
                   "see the technical view or run slactl ingest", err=True)


@report_app.command("verify")
def verify(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="An archived report folder (with manifest.json) or an archive root."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json."),
    repo: Path = REPO_OPTION,
) -> None:
    """Check an archived report against its manifest: exit 0 intact, 1 altered, 2 unreadable.

    A relative PATH is read from the current folder, like --archive of `slactl report`.

    Example: slactl report verify reports/archive/2026-10/executive/v1
    """
    from slactl.report.archive import check_archive

    check = check_archive(path)
    code = ExitCode.USAGE if check.unreadable else (ExitCode.FINDINGS if check.problems else ExitCode.OK)
    if output is OutputFormat.json:
        echo_json(envelope(
            path=str(path), intact=check.intact, folders=check.folders,
            problems=[{"kind": p.kind, "path": p.path, "message": p.message, "expected_sha256": p.expected,
                       "actual_sha256": p.actual} for p in check.problems],
        ))
    else:
        for problem in check.problems:
            typer.echo(("error: " if problem.kind == "unreadable" else "") + problem.message,
                       err=problem.kind == "unreadable")
        if check.intact:
            typer.echo(f"intact: {len(check.folders)} archived report(s) match their manifest")
        elif code == ExitCode.FINDINGS:
            typer.echo(f"altered: {len(check.problems)} difference(s) from the manifest")
    raise typer.Exit(int(code))


def _input_errors() -> tuple[type[Exception], ...]:
    from slactl.compliance.engine import ComplianceError
    from slactl.compliance.periods import PeriodError

    errors: list[type[Exception]] = [ComplianceError, PeriodError]
    try:
        from slactl.store import IngestError

        errors.append(IngestError)
    except ImportError:  # pragma: no cover - the store is part of the package
        pass
    return tuple(errors)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
