"""Findings as GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

from slactl.reporters.base import FindingsReport, Reporter

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    name = "github"
    description = "GitHub Actions annotations (chosen automatically when GITHUB_ACTIONS=true)"

    def render(self, report: FindingsReport, *, color: bool = False) -> str:
        lines = []
        for f in report.findings:
            message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
            lines.append(
                f"::{_COMMAND[f.severity.value]} file={_property(report.path(f.file))},line={f.line},"
                f"col={f.column},title={_property(f.rule)}::{_data(message)}"
            )
        lines.append(report.summary_text())
        return "\n".join(lines) + "\n"
