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


def load_checked_definitions(root: Path) -> Any:
    from slactl.loader import load_repository
    from slactl.loader.repository import ConfigError
    from slactl.rules.registry import Context, run_rules

    try:
        result = load_repository(root, positions=False, cache=True)
    except ConfigError as exc:
        fail(str(exc), "fix the settings file")
    findings = list(result.findings)
    if not findings:
        findings = run_rules(Context(result=result, root=root, today=date.today()), "validate")
    if not any(f.severity == Severity.ERROR for f in findings):
        return result
    from slactl.rules.validation import run_validation

    errors = [f for f in run_validation(root).findings if f.severity == Severity.ERROR]
    for finding in errors[:10]:
        typer.echo(f"{finding.file}:{finding.line}:{finding.column}: {finding.rule}: {finding.message}", err=True)
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    fail(f"{len(errors)} definition error(s){more}: figures would be wrong", "run `slactl validate` and fix them first")
