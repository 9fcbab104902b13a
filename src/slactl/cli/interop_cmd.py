"""`slactl import openslo|slo-generator` and `slactl export openslo`: SLO definitions in from other tools and out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from slactl.cli.common import REPO_OPTION, OutputFormat, check_repo, echo_json, envelope, fail
from slactl.findings import ExitCode, Finding, Severity, count_by_severity


class ExportFormat(StrEnum):
    text = "text"
    yaml = "yaml"
    json = "json"


class AgreementKind(StrEnum):
    SLA = "SLA"
    OLA = "OLA"


class WindowChoice(StrEnum):
    calendar_month = "calendar_month"
    calendar_quarter = "calendar_quarter"
    rolling_28d = "rolling_28d"
    rolling_30d = "rolling_30d"


FILES_ARGUMENT = typer.Argument(..., help="Definition files to import.", show_default=False)
OUT_OPTION = typer.Option(None, "--out", help="Folder to write into (default: the repository); '-' prints the "
                                             "documents instead.")
KIND_OPTION = typer.Option(None, "--kind", help="Agreement kind to create (default: SLA, or the kind recorded by "
                                               "`slactl export openslo`).")
FORCE_OPTION = typer.Option(False, "--force", help="Overwrite files that exist already.")
EFFECTIVE_OPTION = typer.Option(None, "--effective", help="Effective date of the new agreements (default: today).",
                                formats=["%Y-%m-%d"])
IMPORT_FORMAT_OPTION = typer.Option(OutputFormat.text, "--format", help="Output format.")


def _check_files(files: list[Path]) -> list[tuple[Path, str]]:
    checked = []
    for path in files:
        if not path.exists():
            fail(f"file '{path}' does not exist", "pass the definition files to import")
        if not path.is_file():
            fail(f"'{path}' is not a file", "pass the definition files to import, not a folder")
        checked.append((path, path.as_posix()))
    return checked


def _existing(repo: Path) -> dict[str, set[str]]:
    from slactl.interop.build import existing_ids
    from slactl.loader import load_repository
    from slactl.loader.repository import ConfigError

    try:
        return existing_ids(load_repository(repo).documents)
    except ConfigError as exc:
        fail(str(exc), "fix slactl.toml or [tool.slactl] in pyproject.toml")


def _finding_lines(findings: list[Finding]) -> list[str]:
    lines = []
    for f in sorted(findings):
        lines.append(f"{f.file}:{f.line}:{f.column}: {f.severity.value} [{f.rule}] {f.message}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    return lines


def _write_files(target: Path, entries: Any, *, force: bool, as_json: bool, findings: list[Any],
                 documents: int) -> None:
    """Write planned documents into `target` (never over existing files without --force), report, exit."""
    from slactl.interop.writer import conflicts, plan_files, write_planned

    if target.exists() and not target.is_dir():
        fail(f"--out '{target}' is not a folder", "pass a folder, or '-' to print the documents")
    planned = plan_files(target, entries)
    clashes = [] if force else conflicts(planned, Path.cwd())
    findings.extend(clashes)
    written: list[Path] = []
    if not clashes:
        try:
            written = write_planned(planned)
        except OSError as exc:
            fail(f"cannot write into '{target}': {exc.strerror}", "check the folder and its permissions")
    files = [_shown(p) for p in written]
    if as_json:
        echo_json(envelope(written=files, findings=[f.to_dict() for f in sorted(findings)],
                           summary=_summary(findings, documents=documents, written=len(files))))
    else:
        for line in _finding_lines(findings):
            typer.echo(line)
        for path in files:
            typer.echo(f"wrote {path}")
        typer.echo(f"{len(files)} file(s) written" + (", nothing written: files exist (use --force)" if clashes
                                                      else "") + f"; {_count_text(findings)}")
    _exit(findings)


def _exit(findings: list[Finding]) -> None:
    if any(f.severity is Severity.ERROR for f in findings):
        raise typer.Exit(int(ExitCode.FINDINGS))


def _summary(findings: list[Finding], **extra: Any) -> dict[str, Any]:
    counts = count_by_severity(findings)
    return {**extra, "errors": counts["errors"], "warnings": counts["warnings"], "infos": counts["infos"]}


def _print_documents(as_json: bool, documents: list[Any], texts: Iterable[str], findings: list[Finding]) -> None:
    """`--out -`: the documents on stdout (a YAML stream, or a JSON envelope with `documents`), findings on stderr
    in text; exit 1 on an error finding."""
    from slactl.interop.writer import render_stream

    if as_json:
        echo_json(envelope(documents=documents, findings=[f.to_dict() for f in sorted(findings)],
                           summary=_summary(findings, documents=len(documents))))
    else:
        if documents:
            typer.echo(render_stream(texts), nl=False)
        for line in _finding_lines(findings):
            typer.echo(line, err=True)
    _exit(findings)


def _finish_import(result: Any, repo: Path, out: str | None, force: bool, fmt: OutputFormat) -> None:
    from slactl.interop.writer import relative_path, render_document

    findings: list[Finding] = list(result.findings)
    if out == "-":
        _print_documents(
            fmt is OutputFormat.json,
            [{"kind": d.kind, "id": d.id, "file": relative_path(d).as_posix(), "origin": d.origin,
              "document": d.data} for d in result.documents],
            (render_document(d) for d in result.documents), findings,
        )
        return
    target = Path(out) if out else repo
    _write_files(target, ((relative_path(d), render_document(d), d.kind, d.id) for d in result.documents),
                 force=force, as_json=fmt is OutputFormat.json, findings=findings, documents=len(result.documents))


def _count_text(findings: list[Finding]) -> str:
    counts = count_by_severity(findings)
    return f"{counts['errors']} error(s), {counts['warnings']} warning(s), {counts['infos']} note(s)"


def import_openslo_cmd(
    ctx: typer.Context,
    files: list[Path] = FILES_ARGUMENT,
    out: str | None = OUT_OPTION,
    kind: AgreementKind | None = KIND_OPTION,
    effective: datetime | None = EFFECTIVE_OPTION,
    force: bool = FORCE_OPTION,
    fmt: OutputFormat = IMPORT_FORMAT_OPTION,
    repo: Path | None = REPO_OPTION,
) -> None:
    """Import OpenSLO (openslo/v1, openslo/v1alpha) Services, SLOs, SLIs, DataSources and alert policies.

    Every SLO becomes an agreement with its objectives; what slactl cannot express is kept in the agreement's
    description and labels or reported. Exit 1 when something could not be imported.

    Example: slactl import openslo openslo/payments.yaml --out . --kind SLA
    """
    from slactl.interop.openslo import import_openslo

    root = check_repo(repo, ctx)
    checked = _check_files(files)
    result = import_openslo(checked, kind=kind.value if kind else None, effective=_date(effective),
                            existing=_existing(root))
    _finish_import(result, root, out, force, fmt)


def import_slo_generator_cmd(
    ctx: typer.Context,
    files: list[Path] = FILES_ARGUMENT,
    out: str | None = OUT_OPTION,
    kind: AgreementKind | None = KIND_OPTION,
    policy: str | None = typer.Option(None, "--policy", help="Error-budget policy to use when several are given "
                                                            "(default: 'default', else the first)."),
    window: WindowChoice | None = typer.Option(None, "--window", help="Window of the objectives (default: from the "
                                                                     "longest policy step, else rolling_28d)."),
    effective: datetime | None = EFFECTIVE_OPTION,
    force: bool = FORCE_OPTION,
    fmt: OutputFormat = IMPORT_FORMAT_OPTION,
    repo: Path | None = REPO_OPTION,
) -> None:
    """Import Google slo-generator (sre.google.com/v2) SLO configs and their error-budget policy.

    Pass the policy file (error_budget_policy.yaml, or the shared config.yaml) with the SLO configs: its steps
    become burn-rate alert tiers, the short window of each being 1/12 of the step's window.

    The paths below stand for your own slo-generator configs, here checked out beside this repository
    (--out - prints the documents for review; write them with --out DIR).

    \b
    Example: slactl import slo-generator ../slo-configs/slos/*.yaml \\
        ../slo-configs/error_budget_policy.yaml --out -
    """
    from slactl.interop.slo_generator import import_slo_generator

    root = check_repo(repo, ctx)
    checked = _check_files(files)
    result = import_slo_generator(checked, kind=kind.value if kind else None, effective=_date(effective),
                                  existing=_existing(root), policy=policy,
                                  window=window.value if window else None)
    _finish_import(result, root, out, force, fmt)


def export_openslo_cmd(
    ctx: typer.Context,
    agreement: str | None = typer.Option(None, "--agreement", help="Export this agreement only (default: all)."),
    out: str = typer.Option("-", "--out", help="Folder to write one file per document into; '-' prints them."),
    force: bool = FORCE_OPTION,
    fmt: ExportFormat = typer.Option(ExportFormat.text, "--format",
                                     help="text or yaml: the OpenSLO documents; json: an envelope with them."),
    repo: Path | None = REPO_OPTION,
) -> None:
    """Export objectives as OpenSLO v1: Services, DataSources, SLOs and burn-rate AlertPolicies.

    Each objective becomes one SLO with an inline indicator; slactl details OpenSLO has no field for travel in
    `slactl.dev/*` annotations, so importing the result gives the same objectives back.

    Example: slactl export openslo --agreement payments-gold --out openslo/
    """
    from slactl.interop.openslo import export_file_name, export_openslo
    from slactl.interop.writer import dump_yaml
    from slactl.loader import load_repository
    from slactl.loader.repository import ConfigError

    root = check_repo(repo, ctx)
    try:
        loaded = load_repository(root)
    except ConfigError as exc:
        fail(str(exc), "fix slactl.toml or [tool.slactl] in pyproject.toml")
    if agreement is not None and agreement not in loaded.index("agreement"):
        known = ", ".join(sorted(loaded.index("agreement"))) or "none"
        fail(f"no valid agreement '{agreement}' in {root}", f"agreements: {known} (run slactl validate)")
    result = export_openslo(loaded, agreement)
    findings = list(result.findings)
    invalid = count_by_severity(loaded.findings)["errors"]
    if invalid:
        typer.echo(f"warning: {invalid} definition error(s); documents that do not validate are not exported "
                   "(run slactl validate)", err=True)
    if out == "-":
        _print_documents(fmt is ExportFormat.json, result.documents, (dump_yaml(d) for d in result.documents),
                         findings)
        return
    _write_files(Path(out), ((Path(export_file_name(d)), dump_yaml(d), d["kind"], d["metadata"]["name"])
                             for d in result.documents),
                 force=force, as_json=fmt is ExportFormat.json, findings=findings, documents=len(result.documents))


def _shown(path: Path) -> str:
    from slactl.loader.documents import display_path

    return display_path(path, Path.cwd())


def _date(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if hasattr(value, "date") else value


def register(app: typer.Typer) -> None:
    import_app = typer.Typer(help="Import SLO definitions from other tools (OpenSLO, slo-generator).",
                             no_args_is_help=True, rich_markup_mode=None)
    import_app.command("openslo")(import_openslo_cmd)
    import_app.command("slo-generator")(import_slo_generator_cmd)
    export_app = typer.Typer(help="Export objectives for other tools (OpenSLO).", no_args_is_help=True,
                             rich_markup_mode=None)
    export_app.command("openslo")(export_openslo_cmd)
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
