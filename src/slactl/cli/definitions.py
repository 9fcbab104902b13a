"""Loading definitions for the commands that compute (compliance, report): fast, and checked.

The definitions are read without positions (fast) and checked by every `validate` rule. Should
anything be an error, they are validated again with positions, the errors are printed as
`file:line:column` and the command stops with exit 2: figures computed from a broken agreement
would be wrong.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from slactl.cli.common import fail
from slactl.findings import Severity

NOT_A_REPOSITORY_HINT = ("point at your definitions repository with --repo DIR, or make this folder one: "
                         "create slactl.toml here, or scaffold a new repository with `slactl init DIR`")


def require_repository(config: Any, result: Any = None) -> None:
    """Stop with exit 2, as `slactl validate` does, when the folder is not a definitions repository.

    Without it a command started in the wrong folder finds no agreement, prints nothing wrong and
    exits 0, and a CI job goes green. `result` (a whole-repository load) spares reading the files again.
    """
    from slactl.rules.validation import NotARepositoryError, is_definitions_repository, looks_like_repository

    found = is_definitions_repository(config, result) if result is not None else looks_like_repository(config)
    if not found:
        files = len(result.files) if result is not None else 0
        fail(str(NotARepositoryError(config.root.resolve(), files)), NOT_A_REPOSITORY_HINT)


def load_checked_definitions(root: Path) -> Any:
    from slactl.loader import load_repository
    from slactl.loader.repository import ConfigError, load_config
    from slactl.rules.registry import Context, run_rules

    try:
        config = load_config(root)
        result = load_repository(root, config, positions=False, cache=True)
    except ConfigError as exc:
        fail(str(exc), "fix the settings file")
    require_repository(config, result)
    findings = list(result.findings)
    if not findings:
        findings = run_rules(Context(result=result, root=root, today=date.today()), "validate")
    if not any(f.severity == Severity.ERROR for f in findings):
        return result
    from slactl.rules.validation import run_validation

    errors = [f for f in run_validation(root).findings if f.severity == Severity.ERROR]
    for finding in errors[:10]:
        typer.echo(f"{finding.file}:{finding.line}:{finding.column}: {finding.rule}: {finding.message}", err=True)
    shown = f" ({min(len(errors), 10)} shown above)" if len(errors) > 10 else ""
    fail(f"{len(errors)} definition error(s){shown}: figures would be wrong", "run `slactl validate` and fix them first")
