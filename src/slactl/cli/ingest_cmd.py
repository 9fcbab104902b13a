"""`slactl ingest`: read DataSource files into the local store, idempotently."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from slactl.cli.common import REPO_OPTION, check_repo, echo_json, envelope, fail
from slactl.findings import ExitCode, Severity, exit_code_for


class IngestFormat(str, Enum):
    text = "text"
    json = "json"


class IngestFailOn(str, Enum):
    """--fail-on of ingest: the least severe data problem that makes it exit 1, or never."""

    error = "error"
    warning = "warning"
    never = "never"


def ingest(
    ctx: typer.Context,
    source: str = typer.Argument(None, help="DataSource id to ingest (default: every source)."),
    files: list[Path] = typer.Argument(None, help="Files to read for SOURCE instead of its `path` glob."),
    repo: Path = REPO_OPTION,
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1, store unchanged) on any data problem at error level."),
    output: IngestFormat = typer.Option(IngestFormat.text, "--format", help="Output format: text or json."),
    fail_on: IngestFailOn = typer.Option(
        IngestFailOn.error, "--fail-on",
        help="Exit 1 when data problems of this severity or worse were found (the good rows are still "
             "ingested): error, warning or never.",
    ),
) -> None:
    """Read the DataSources' files into the local store (.slactl/store), skipping files already read.

    A changed file replaces its own rows, a removed file drops them. Bad rows are skipped, counted
    and reported by file and line, and the command exits 1 when problems at or above --fail-on were
    found (the good rows are still ingested); --strict fails instead and leaves the store as it was.
    Exit codes: 0 done, 1 problems at or above --fail-on, a rejected file or a --strict failure,
    2 unreadable repository or source.

    Example: slactl ingest probes data/probes/probes.csv --strict
    """
    from slactl.cli.definitions import require_repository
    from slactl.loader.repository import ConfigError, load_config
    from slactl.store import IngestError, Store
    from slactl.store.definitions import load_data_definitions

    root = check_repo(repo, ctx)
    try:
        config = load_config(root)
    except ConfigError as exc:
        fail(str(exc), "fix the setting in the file named")
    require_repository(config)
    result = load_data_definitions(config)
    store = Store(config.store_path)
    from slactl.cli.progress import terminal_progress

    sink = terminal_progress() if output is IngestFormat.text else None
    try:
        report = store.ingest(result, root, sources=[source] if source else None, files=list(files or []) or None,
                              strict=strict, progress=sink or False)
    except IngestError as exc:
        if exc.report is None or exc.usage:
            fail(str(exc), exc.hint or "run `slactl validate` to check the DataSource definitions")
        _print(exc.report, output, failed=str(exc))
        raise typer.Exit(int(ExitCode.FINDINGS)) from None
    finally:
        if sink is not None:
            sink.close()
    _print(report, output)
    if report.files_rejected:
        raise typer.Exit(int(ExitCode.FINDINGS))
    if fail_on is not IngestFailOn.never:
        raise typer.Exit(int(exit_code_for(report.findings(), Severity(fail_on.value))))


def _print(report: object, output: IngestFormat, failed: str | None = None) -> None:
    from slactl.store import IngestReport

    assert isinstance(report, IngestReport)
    if output is IngestFormat.json:
        echo_json(envelope(**report.to_dict(), findings=[f.to_dict() for f in report.findings()],
                           ok=failed is None and not report.files_rejected, error=failed))
        return
    for problem in sorted(report.problems, key=lambda p: (p.file, p.line)):
        typer.echo(f"{problem.file}:{problem.line}: {problem.severity}: {problem.message} [{problem.rule}]")
        if problem.hint:
            typer.echo(f"  hint: {problem.hint}")
    for rel in report.files_rejected:
        typer.echo(f"rejected {rel}")
    for rel in report.files_removed:
        typer.echo(f"removed {rel}")
    if failed:
        typer.echo(f"error: {failed}", err=True)
        return
    typer.echo(
        f"{len(report.files_ingested)} file(s) ingested, {len(report.files_unchanged)} unchanged, "
        f"{len(report.files_removed)} removed, {len(report.files_rejected)} rejected; "
        f"{report.rows_added} row(s) added, {report.rows_skipped} skipped, {report.duplicates} duplicate(s)"
    )


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
