"""The rule registry: every check has a stable id, a default severity, the standard it serves and docs.

A rule is a function `check(ctx) -> Iterable[Finding]` registered with `@rule(...)`.
Its docstring's first line is the summary shown in `docs/rules.md`; below it a bad and a
good example. An exception inside a rule becomes a `rule-crashed` finding and the run goes on.
"""

from __future__ import annotations

import importlib
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from slactl.findings import Finding, Severity
from slactl.loader.documents import LoadResult


@dataclass
class Context:
    """What a rule may look at: the loaded repository, today's date and options."""

    result: LoadResult
    root: Path
    today: date = field(default_factory=date.today)
    options: dict[str, Any] = field(default_factory=dict)
    # Lookups built once per run and shared by the rules (see slactl.rules.catalog).
    cache: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    scope: str  # "validate" or "audit"
    standard: str
    check: Callable[[Context], Iterable[Finding]]
    doc: str

    @property
    def summary(self) -> str:
        return (self.doc or "").strip().splitlines()[0] if self.doc else self.id


RULES: dict[str, Rule] = {}

# Ids reserved for loading problems: they are findings too, documented with the rules.
LOADER_RULES: dict[str, tuple[Severity, str]] = {
    "yaml-syntax": (Severity.ERROR, "The file is not valid YAML."),
    "yaml-duplicate-key": (Severity.ERROR, "A mapping has the same key twice."),
    "yaml-encoding": (Severity.ERROR, "The file is binary or not UTF-8 text."),
    "yaml-value": (Severity.ERROR, "A value cannot be read, such as an impossible date (2026-02-30) or time (25:00)."),
    "yaml-empty": (Severity.WARNING, "The file holds no YAML document."),
    "yaml-tag": (Severity.ERROR, "A YAML tag such as !!python/object is used; definitions are plain data."),
    "file-unreadable": (Severity.ERROR, "The file cannot be read."),
    "file-too-large": (Severity.ERROR, "The file is larger than a definition file may be."),
    "schema-document": (Severity.ERROR, "A document is not a mapping."),
    "schema-api-version": (Severity.ERROR, "apiVersion is missing or not slactl/v1."),
    "schema-kind": (Severity.ERROR, "kind is missing or unknown."),
    "schema-unknown-field": (Severity.ERROR, "A field is not part of the kind's schema (often a typo)."),
    "schema-missing": (Severity.ERROR, "A required field is missing."),
    "schema-type": (Severity.ERROR, "A field has the wrong type."),
    "schema-value": (Severity.ERROR, "A field's value is not allowed (enumeration, range, format)."),
    "schema-id": (Severity.ERROR, "An id does not match ^[a-z0-9][a-z0-9-]{0,62}$."),
    "id-duplicate": (Severity.ERROR, "Two documents of one kind (or two agreements) share an id."),
    "rule-crashed": (Severity.ERROR, "A rule failed on this input; the other rules still ran."),
}


def rule(
    id: str,
    severity: Severity,
    *,
    scope: str = "validate",
    standard: str = "slactl",
) -> Callable[[Callable[[Context], Iterable[Finding]]], Callable[[Context], Iterable[Finding]]]:
    """Register a rule function under a stable id."""

    def decorator(func: Callable[[Context], Iterable[Finding]]) -> Callable[[Context], Iterable[Finding]]:
        if id in RULES or id in LOADER_RULES:
            raise ValueError(f"rule id {id!r} registered twice")
        RULES[id] = Rule(id=id, severity=severity, scope=scope, standard=standard, check=func, doc=func.__doc__ or "")
        return func

    return decorator


_FAMILIES = [
    "slactl.rules.references",
    "slactl.rules.hierarchy",
    "slactl.rules.consistency",
    "slactl.rules.sanity",
    "slactl.rules.audit",
    "slactl.rules.policies",
    "slactl.rules.improvement",
    "slactl.changes.check",
]


def load_rule_modules() -> None:
    """Import every rule family so that its rules register themselves."""
    for name in _FAMILIES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def run_rules(ctx: Context, scope: str = "validate", only: Iterable[str] | None = None) -> list[Finding]:
    """Run every registered rule of `scope`; a crashing rule becomes a finding about that rule."""
    load_rule_modules()
    wanted = set(only) if only is not None else None
    findings: list[Finding] = []
    for rule_ in list(RULES.values()):
        if rule_.scope != scope or (wanted is not None and rule_.id not in wanted):
            continue
        try:
            findings.extend(rule_.check(ctx))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the run
            where = traceback.extract_tb(exc.__traceback__)[-1]
            findings.append(Finding(
                "slactl", 1, 1, "rule-crashed", Severity.ERROR,
                f"rule '{rule_.id}' failed: {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})",
                "please report this; the other rules still ran",
            ))
    return findings
