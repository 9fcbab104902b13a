"""Validate-level rules on the CSI register."""

from __future__ import annotations

from pathlib import Path

from improvement_repo import REGISTER, write_repo
from slactl.loader import load_repository
from slactl.rules.registry import Context, run_rules

RULES = ["improvement-failed-lessons", "improvement-dates", "improvement-unmeasurable"]


def _findings(root: Path) -> list[tuple[str, int, int]]:
    load = load_repository(root)
    return sorted((f.rule, f.line, f.column) for f in run_rules(Context(load, root), only=RULES))


def test_clean_register_has_no_findings(tmp_path: Path) -> None:
    assert _findings(write_repo(tmp_path)) == []


def test_failed_without_lessons_dates_and_unmeasurable(tmp_path: Path) -> None:
    register = REGISTER.replace(
        "  lessons_learned: Pool size was not the bottleneck; measure failover first.\n", ""
    ).replace("  started: 2026-07-01\n  implemented: 2026-07-15\n", "  started: 2026-07-20\n  implemented: 2026-07-15\n")
    register += """---
apiVersion: slactl/v1
kind: Improvement
metadata: {id: done-blind}
spec:
  title: Done without dates
  source: review
  status: validated
"""
    assert _findings(write_repo(tmp_path, register=register)) == [
        ("improvement-dates", 20, 16),
        ("improvement-failed-lessons", 30, 11),
        ("improvement-unmeasurable", 49, 11),
    ]
