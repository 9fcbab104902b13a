"""Findings for people: grouped by file, each with its source line and a caret under the column."""

from __future__ import annotations

import io
from itertools import groupby

from slactl.reporters.base import FindingsReport, Reporter

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class TextReporter(Reporter):
    name = "text"
    description = "for people: grouped by file, with the offending line (the default)"

    def render(self, report: FindingsReport, *, color: bool = False) -> str:
        from rich.console import Console
        from rich.text import Text

        out = io.StringIO()
        console = Console(file=out, force_terminal=color, no_color=not color, color_system="standard" if color else None,
                          width=200, highlight=False, soft_wrap=True, emoji=False)
        for file, group in groupby(sorted(report.findings), key=lambda f: f.file):
            console.print(Text(report.path(file), style="bold underline"))
            for finding in group:
                where = f"{report.path(finding.file)}:{finding.line}:{finding.column}"
                severity = finding.severity.value
                line = Text("  ")
                line.append(where)
                line.append("  ")
                line.append(f"{severity:<7}", style=_STYLE[severity])
                line.append(f"  {finding.rule}", style="dim" if color else "")
                line.append(f"  {finding.message}")
                console.print(line)
                source = report.source_line(finding.file, finding.line)
                if source is not None:
                    number = str(finding.line)
                    console.print(Text(f"    {number} | {source.rstrip()}"))
                    console.print(Text(f"    {' ' * len(number)} | {' ' * max(0, finding.column - 1)}^",
                                       style=_STYLE[severity]))
                if finding.hint:
                    console.print(Text(f"    hint: {finding.hint}", style="green" if color else ""))
            console.print()
        summary = Text(report.summary_text(),
                       style=("bold red" if report.summary()["errors"] else "bold") if color else "")
        console.print(summary)
        return out.getvalue()
