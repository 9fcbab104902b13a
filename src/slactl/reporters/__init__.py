"""Findings reporters, one per output format; `REPORTERS` feeds every command's --format."""

from slactl.reporters.base import FindingsReport, Reporter
from slactl.reporters.github import GithubReporter
from slactl.reporters.json_report import JsonReporter
from slactl.reporters.junit import JunitReporter
from slactl.reporters.sarif import SarifReporter
from slactl.reporters.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "github": GithubReporter,
    "junit": JunitReporter,
    "sarif": SarifReporter,
}


def default_format(explicit: str | None, environ: dict[str, str] | None = None) -> str:
    """The --format to use: the one given, else github under GitHub Actions, else text."""
    import os

    if explicit:
        return explicit
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS", "").lower() == "true" else "text"


__all__ = ["REPORTERS", "FindingsReport", "Reporter", "default_format"]
