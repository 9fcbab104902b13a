"""Inline suppression: `# slactl: disable=RULE[,RULE]` on a line, `# slactl: disable-file=RULE` in a file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from slactl.findings import Finding

_DIRECTIVE = re.compile(r"#\s*slactl:\s*(disable|disable-file)\s*=\s*([A-Za-z0-9_*-]+(?:\s*,\s*[A-Za-z0-9_*-]+)*)")
ALL = {"all", "*"}


@dataclass
class Suppressions:
    """The rules switched off per line and per file of one source text."""

    lines: dict[int, set[str]] = field(default_factory=dict)
    file: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, text: str) -> Suppressions:
        found = cls()
        if "slactl:" not in text:
            return found
        for number, line in enumerate(text.splitlines(), start=1):
            if "#" not in line:
                continue
            for match in _DIRECTIVE.finditer(line):
                rules = {part.strip() for part in match.group(2).split(",")}
                if match.group(1) == "disable-file":
                    found.file |= rules
                else:
                    found.lines.setdefault(number, set()).update(rules)
        return found

    def covers(self, finding: Finding) -> bool:
        for rules in (self.file, self.lines.get(finding.line, set())):
            if finding.rule in rules or rules & ALL:
                return True
        return False


def apply_suppressions(findings: list[Finding], sources: dict[str, str]) -> tuple[list[Finding], int]:
    """The findings not suppressed by a comment in their file, and how many were suppressed."""
    parsed: dict[str, Suppressions] = {}
    kept: list[Finding] = []
    for finding in findings:
        text = sources.get(finding.file)
        if text is None:
            kept.append(finding)
            continue
        rules = parsed.get(finding.file)
        if rules is None:
            rules = parsed[finding.file] = Suppressions.parse(text)
        if not rules.covers(finding):
            kept.append(finding)
    return kept, len(findings) - len(kept)
