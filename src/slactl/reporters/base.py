"""The record every findings reporter reads, and the reporter base class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from slactl.display import shorten
from slactl.findings import Finding, count_by_severity

QUOTE_CHARS = 200  # of a source line quoted under a finding, ellipsis included

@dataclass
class FindingsReport:
    """Findings of one run of `validate`, `audit` or `changes check`, with what they were found in.

    `prefix` is the repository folder as seen from where the report is read (CI annotations need
    paths relative to the workspace); `wrap` builds the JSON envelope.
    """

    findings: list[Finding]
    files: list[str] = field(default_factory=list)
    documents: int = 0
    command: str = "validate"
    sources: dict[str, str] = field(default_factory=dict)
    prefix: str = ""
    suppressed: int = 0
    wrap: Callable[..., dict[str, Any]] = dict

    def summary(self) -> dict[str, int]:
        counts = count_by_severity(self.findings)
        return {"files": len(self.files), "documents": self.documents, "errors": counts["errors"],
                "warnings": counts["warnings"], "infos": counts["infos"], "suppressed": self.suppressed}

    def path(self, file: str) -> str:
        """A finding's file as the reader should see it."""
        if not self.prefix or file == "slactl":  # a finding about slactl itself (a rule that crashed)
            return file
        if file == ".":  # a finding about the repository as a whole
            return self.prefix.rstrip("/") or "."
        return f"{self.prefix.rstrip('/')}/{file}"

    def source_line(self, file: str, line: int) -> str | None:
        """The line a finding points at, cut to QUOTE_CHARS: a pasted runbook or a 2 MB cell is never echoed."""
        text = self.sources.get(file)
        if text is None:
            return None
        lines = text.splitlines()
        if not 0 < line <= len(lines):
            return None
        return shorten(lines[line - 1], QUOTE_CHARS)

    def summary_text(self) -> str:
        s = self.summary()

        def plural(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        where = f"in {plural(s['files'], 'file')} ({plural(s['documents'], 'document')})"
        if not self.findings:
            text = f"no problems {where}"
        else:
            parts = [plural(s["errors"], "error"), plural(s["warnings"], "warning")]
            if s["infos"]:
                parts.append(plural(s["infos"], "info"))
            text = f"{', '.join(parts)} {where}"
        if self.suppressed:
            text += f"; {self.suppressed} suppressed by comments"
        return text


class Reporter:
    """Turns a FindingsReport into text for one output format."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def render(self, report: FindingsReport, *, color: bool = False) -> str:
        raise NotImplementedError
