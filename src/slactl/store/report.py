"""What an ingest run reports: data problems by file and line, counts per file, and the strict-mode error."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from slactl.findings import Finding, Severity


@dataclass
class DataProblem:
    """One problem in a data file: where it is (file, 1-based line, column header) and what to do."""

    file: str
    line: int
    column_name: str | None
    rule: str
    message: str
    severity: Literal["error", "warning"] = "error"
    hint: str | None = None

    def to_finding(self) -> Finding:
        return Finding(self.file, max(1, self.line), 1, self.rule, Severity(self.severity), self.message, self.hint)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    """The outcome of one ingest: which files were read, left alone, removed or rejected, and the problems."""

    files_ingested: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    rows_added: int = 0
    rows_skipped: int = 0
    duplicates: int = 0
    problems: list[DataProblem] = field(default_factory=list)
    files_rejected: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def findings(self) -> list[Finding]:
        """The problems as findings (column 1: data files point at a line, not a character)."""
        return sorted(problem.to_finding() for problem in self.problems)

    @property
    def errors(self) -> list[DataProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def changed(self) -> bool:
        return bool(self.files_ingested or self.files_removed or self.files_rejected)

    def merge(self, other: IngestReport) -> None:
        self.files_ingested += other.files_ingested
        self.files_unchanged += other.files_unchanged
        self.files_removed += other.files_removed
        self.files_rejected += other.files_rejected
        self.rows_added += other.rows_added
        self.rows_skipped += other.rows_skipped
        self.duplicates += other.duplicates
        self.problems += other.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "files_ingested": self.files_ingested,
            "files_unchanged": self.files_unchanged,
            "files_removed": self.files_removed,
            "files_rejected": self.files_rejected,
            "rows_added": self.rows_added,
            "rows_skipped": self.rows_skipped,
            "duplicates": self.duplicates,
            "problems": [p.to_dict() for p in self.problems],
        }


class IngestError(Exception):
    """The ingest could not go ahead (unknown or unreadable source, or --strict and data problems).

    The message names the file, the line and the fix; `report` holds everything found so far.
    """

    def __init__(self, message: str, report: IngestReport | None = None, usage: bool = False,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.report = report
        # True when the repository or the source itself cannot be read (exit 2), not the data (exit 1)
        self.usage = usage
        self.hint = hint
