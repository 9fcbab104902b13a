"""`slactl validate`, `slactl rules`, `slactl schema export` and `slactl init`."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path

import typer

from slactl.cli.common import (
    REPO_OPTION,
    FailOn,
    FindingsFormat,
    OutputFormat,
    check_repo,
    display_prefix,
    emit,
    envelope,
    fail,
)
from slactl.findings import Severity, exit_code_for


class RulesFormat(StrEnum):
    text = "text"
    json = "json"
    md = "md"


WRITE_FORMAT = typer.Option(OutputFormat.text, "--format", "-f", help="text, or json (the files written).")


def _written(format: OutputFormat, text: str, folder: Path, written: list[Path], **extra: object) -> None:
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps(envelope(folder=os.fspath(folder), written=[os.fspath(p) for p in written],
                                             **extra), indent=2, ensure_ascii=False) + "\n")
    else:
        typer.echo(text)


def validate(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help="Files or folders inside the repository to report on (default: all)."),
    repo: Path = REPO_OPTION,
    format: FindingsFormat = typer.Option(
        None, "--format", "-f", help="text, json, github, junit or sarif (default: text; github under GitHub Actions).",
    ),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on", help="Exit 1 on findings of this severity or worse."),
    base: str = typer.Option(None, "--base", help="Also check amendments made since this git revision (e.g. origin/main)."),
    output: Path = typer.Option(None, "--output", "-o", help="Write the report to this file instead of stdout."),
) -> None:
    """Check definitions: schema, references, hierarchy, OLA/UC consistency and sanity.

    The whole repository is read (references cross files); with PATHs only findings in those
    files or folders are reported. Suppress a finding with `# slactl: disable=RULE` on its line.
    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 unreadable input or usage error.

    Example: slactl validate --format sarif --output slactl.sarif
    """
    from slactl.cli.definitions import NOT_A_REPOSITORY_HINT
    from slactl.loader.repository import ConfigError, load_config
    from slactl.reporters import REPORTERS, FindingsReport, default_format
    from slactl.rules.validation import NotARepositoryError, PathSelectionError, run_validation

    if repo is None and paths and (ctx.find_root().obj or {}).get("repo") is None:
        from slactl.loader.repository import RepositoryNotFound, repository_root_of

        try:
            repo = repository_root_of([Path(p) for p in paths])
        except RepositoryNotFound as exc:
            fail(str(exc), "pass --repo DIR with the definitions repository the paths are in")
    root = check_repo(repo, ctx)
    try:
        config = load_config(root)
    except ConfigError as exc:
        fail(str(exc), "fix the settings file (see docs/validate.md)")
    checks = []
    git_errors: tuple[type[Exception], ...] = ()
    if base:
        try:
            from slactl.governance.amendments import check_amendments
            from slactl.governance.gitrepo import GitError
        except ImportError:
            fail("--base needs the amendments check, which this installation of slactl lacks",
                 "run without --base, or upgrade slactl")
        checks.append(lambda result: check_amendments(root, base, result))
        git_errors = (GitError,)
    try:
        run = run_validation(root, paths or None, config=config, extra_checks=checks)
    except NotARepositoryError as exc:
        fail(str(exc), NOT_A_REPOSITORY_HINT)
    except PathSelectionError as exc:
        fail(str(exc), "give files or folders inside the repository (see --repo)")
    except git_errors as exc:
        fail(getattr(exc, "message", str(exc)), getattr(exc, "hint", None))
    chosen = default_format(format.value if format else None)
    report = FindingsReport(
        findings=run.findings, files=run.files, documents=run.documents, command="validate",
        sources=run.result.sources, prefix=display_prefix(root), suppressed=run.suppressed, wrap=envelope,
    )
    emit(REPORTERS[chosen]().render(report, color=output is None and chosen == "text" and sys.stdout.isatty()),
          output)
    raise typer.Exit(int(exit_code_for(run.findings, Severity(fail_on.value))))


def rules(
    ctx: typer.Context,
    repo: Path = REPO_OPTION,
    format: RulesFormat = typer.Option(RulesFormat.text, "--format", "-f", help="text, json or md."),
) -> None:
    """List every rule: id, default severity, scope, standard and summary.

    `--format md` prints docs/rules.md. The rules are the same for every repository; `--repo` is
    accepted (and checked) like everywhere else.

    Example: slactl rules --format md > docs/rules.md
    """
    from slactl.rules.listing import all_rules, rules_markdown

    check_repo(repo, ctx)

    found = all_rules()
    if format is RulesFormat.md:
        sys.stdout.write(rules_markdown(found))
    elif format is RulesFormat.json:
        sys.stdout.write(json.dumps(envelope(rules=[r.to_dict() for r in found]), indent=2) + "\n")
    else:
        width = max(len(r.id) for r in found)
        for r in found:
            sys.stdout.write(f"{r.id:<{width}}  {r.severity:<7}  {r.scope:<15}  {r.summary}\n")


schema_app = typer.Typer(help="JSON Schema for definition files.", no_args_is_help=True)


@schema_app.command("export")
def schema_export(
    ctx: typer.Context,
    repo: Path = REPO_OPTION,
    out: Path = typer.Option(None, "--out", help="Folder to write into (default: schemas/ in the repository)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when the files differ from the models."),
    format: OutputFormat = WRITE_FORMAT,
) -> None:
    """Write one JSON Schema per kind, plus slactl.json for any document, for editors and CI.

    Example: slactl schema export --out schemas
    """
    from slactl.schema_export import stale_schemas, write_schemas

    folder = out if out is not None else check_repo(repo, ctx) / "schemas"
    if check:
        stale = stale_schemas(folder)
        for name in stale:
            typer.echo(f"{folder / name}: {'out of date' if (folder / name).is_file() else 'missing'}", err=True)
        if stale:
            typer.echo("hint: run slactl schema export", err=True)
        raise typer.Exit(1 if stale else 0)
    try:
        written = write_schemas(folder)
    except OSError as exc:
        fail(f"cannot write into '{folder}': {exc.strerror}", "choose a writable --out folder")
    _written(format, f"{len(written)} schema file(s) written to {folder}" if written else f"{folder}: up to date",
             folder, written)


def init(
    ctx: typer.Context,
    dest: Path | None = typer.Argument(None, help="Folder for the new definitions repository (default: --repo)."),
    force: bool = typer.Option(False, "--force", help="Write into a folder that is not empty (files are overwritten)."),
    repo: Path = typer.Option(None, "--repo", help="Same as DIR, for symmetry with every other command."),
    format: OutputFormat = WRITE_FORMAT,
) -> None:
    """Create a small, valid definitions repository with one example of every kind.

    Example: slactl init my-slas && slactl validate --repo my-slas
    """
    from slactl.scaffold import ScaffoldError, scaffold

    target: Path | None = dest or repo or (ctx.find_root().obj or {}).get("repo")
    if target is None:
        fail("missing DIR", "name the folder for the new repository: slactl init my-slas")
    dest = target

    try:
        written = scaffold(dest, force=force)
    except ScaffoldError as exc:
        fail(str(exc), "choose an empty folder, or pass --force to write into this one")
    except OSError as exc:
        fail(f"cannot write into '{dest}': {exc.strerror}", "choose a writable folder")
    _written(format, f"created {len(written)} files in {dest}\nnext: slactl validate --repo {os.fspath(dest)}",
             dest, written, next=f"slactl validate --repo {os.fspath(dest)}")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("rules")(rules)
    app.command("init")(init)
    app.add_typer(schema_app, name="schema")
