"""The `slactl` typer application: each command group lives in its own module under slactl.cli.

Command modules import heavy libraries (pandas, pyarrow, jinja2, git) inside their
function bodies so that `slactl validate` starts fast and never imports pandas.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from slactl import __version__

app = typer.Typer(
    name="slactl",
    help="Service level management as code: validate agreements, compute compliance, report and audit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Each module exposes `register(app)`; listed here so the order of --help is stable.
COMMAND_MODULES = [
    "slactl.cli.validate_cmd",
    "slactl.cli.ingest_cmd",
    "slactl.cli.compliance_cmd",
    "slactl.cli.report_cmd",
    "slactl.cli.audit_cmd",
    "slactl.cli.improvement_cmd",
    "slactl.cli.changes_cmd",
    "slactl.cli.interop_cmd",
]


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"slactl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    repo: Path = typer.Option(None, "--repo", help="Definitions repository for every command (default: .)."),
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """slactl: service level management as code."""
    ctx.obj = {"repo": repo}


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as _exc:  # a command group not built yet
        if _exc.name != _name:
            raise
        continue
    _module.register(app)


def run() -> None:
    """Console entry point: an unexpected failure is reported in one line, never as a traceback.

    Set SLACTL_DEBUG=1 to see the traceback when reporting a bug.
    """
    import os
    import sys

    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if os.environ.get("SLACTL_DEBUG"):
            raise
        sys.stderr.write(
            f"error: slactl failed unexpectedly: {type(exc).__name__}: {exc}\n"
            "hint: this is a bug in slactl, not in your files; rerun with SLACTL_DEBUG=1 and report the traceback\n"
        )
        sys.exit(2)
