"""Finding, Severity and ExitCode: the one currency of every check slactl makes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum, IntEnum
from typing import Any


class Severity(str, Enum):
    """How bad a finding is; ordered error > warning > info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class ExitCode(IntEnum):
    """Process exit codes shared by every command."""

    OK = 0
    FINDINGS = 1
    USAGE = 2


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in a file, pointing at the exact line and column (1-based)."""

    file: str
    line: int
    column: int
    rule: str
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    hint: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        order = ["rule", "severity", "message", "file", "line", "column", "hint"]
        return {key: data[key] for key in order}


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = {"errors": 0, "warnings": 0, "infos": 0}
    for finding in findings:
        counts[finding.severity.value + "s"] += 1
    return counts


def exit_code_for(findings: list[Finding], fail_on: Severity) -> ExitCode:
    """1 when any finding is at or above `fail_on`, else 0."""
    if any(f.severity.rank >= fail_on.rank for f in findings):
        return ExitCode.FINDINGS
    return ExitCode.OK
