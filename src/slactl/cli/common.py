"""Options and output helpers shared by every command (the only place that exits the process)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

import typer

from slactl.findings import ExitCode


class FailOn(StrEnum):
    """--fail-on: the least severe finding that makes a command exit 1."""

    error = "error"
    warning = "warning"
    info = "info"


class OutputFormat(StrEnum):
    """--format of the commands that print text for a person or JSON for a program."""

    text = "text"
    json = "json"


class FindingsFormat(StrEnum):
    """--format of the commands that report findings (validate, changes check)."""

    text = "text"
    json = "json"
    github = "github"
    junit = "junit"
    sarif = "sarif"


REPO_OPTION = typer.Option(
    None, "--repo", help="Definitions repository (default: the current directory, or the global --repo).",
)


def fail(message: str, hint: str | None = None, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    """Print an error for a person (never a traceback) and exit, 2 by default."""
    typer.echo(f"error: {message}", err=True)
    if hint:
        typer.echo(f"hint: {hint}", err=True)
    raise typer.Exit(int(code))


def check_repo(repo: Path | None, ctx: typer.Context | None = None) -> Path:
    """The repository folder: the command's --repo, else the global --repo, else the current directory."""
    if repo is None and ctx is not None:
        repo = (ctx.find_root().obj or {}).get("repo")
    repo = repo or Path(".")
    if not repo.exists():
        fail(f"repository folder '{repo}' does not exist", "pass --repo DIR with your definitions repository")
    if not repo.is_dir():
        fail(f"'{repo}' is not a folder", "pass --repo DIR with your definitions repository")
    return repo.resolve()


def emit(text: str, output: Path | None, option: str = "--output") -> None:
    """Print `text`, or write it atomically to `output` (an unwritable path is an error naming `option`)."""
    if output is None:
        sys.stdout.write(text)
        return
    from slactl.atomic import write_text_atomic

    try:
        write_text_atomic(output, text)
    except OSError as exc:
        fail(f"cannot write '{output}': {exc.strerror}", f"choose a writable {option} path")


def display_prefix(root: Path) -> str:
    """The repository folder relative to the working directory, so CI annotations find the files."""
    try:
        rel = root.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel


def echo_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def envelope(**payload: Any) -> dict[str, Any]:
    """Machine output envelope: schema_version, tool_version, generated_at, then the payload."""
    from datetime import datetime, timezone

    from slactl import __version__

    return {
        "schema_version": "1.0",
        "tool_version": __version__,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **payload,
    }
