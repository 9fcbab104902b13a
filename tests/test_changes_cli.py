"""`slactl changes check` and `slactl changes stats` on a real repository with CSV exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slactl.cli.main import app
from test_changes_check import DEFINITIONS

SOURCES = """---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: changes}
spec: {type: changes, path: data/changes/*.csv, timezone: UTC}
---
apiVersion: slactl/v1
kind: DataSource
metadata: {id: outages}
spec: {type: outages, path: data/outages/*.csv, timezone: UTC}
"""

HEADER = ("id,service,type,planned_start,planned_end,actual_start,actual_end,outcome,impact_assessment,"
          "objectives_at_risk,rollback_plan,cab_approvers,pir\n")
GOOD = ("CHG-1,payments-api,normal,2026-10-10T02:00:00Z,2026-10-10T03:00:00Z,2026-10-10T02:05:00Z,"
        "2026-10-10T02:50:00Z,successful,availability stays >= 99.9%,payments-gold/availability,"
        "promote the old primary,alice;team-payments,\n")
BAD = ("CHG-2,payments-api,normal,2026-10-12T02:00:00Z,2026-10-12T03:00:00Z,2026-10-12T02:00:00Z,"
       "2026-10-12T03:00:00Z,failed,,,,alice,\n")
WARN = ("CHG-3,payments-api,standard,2026-10-14T02:00:00Z,2026-10-14T03:00:00Z,,,successful,low risk,"
        "payments-gold/availability,,,\n")
OUTAGES = "service,start,end,impact\npayments-api,2026-10-12T02:30:00Z,2026-10-12T03:30:00Z,1\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "defs.yaml").write_text(DEFINITIONS + SOURCES, encoding="utf-8")
    (tmp_path / "data" / "changes").mkdir(parents=True)
    (tmp_path / "data" / "outages").mkdir(parents=True)
    (tmp_path / "data" / "changes" / "2026-10.csv").write_text(HEADER + GOOD + BAD + WARN, encoding="utf-8")
    (tmp_path / "data" / "outages" / "2026-10.csv").write_text(OUTAGES, encoding="utf-8")
    return tmp_path


def _run(*args: str) -> object:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_check_reports_each_problem_at_its_csv_line(repo: Path) -> None:
    result = _run("changes", "check", "--repo", str(repo), "--period", "2026-10", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["command"] == "changes check" and "schema_version" in payload
    found = [(f["rule"], f["file"], f["line"], f["severity"]) for f in payload["findings"]]
    csv = "data/changes/2026-10.csv"
    assert found == [
        ("change-cab-owner-missing", csv, 3, "error"),
        ("change-no-impact-assessment", csv, 3, "error"),
        ("change-no-pir", csv, 3, "error"),
        ("change-no-rollback-plan", csv, 3, "error"),
        ("change-success-criteria-no-target", csv, 4, "warning"),
    ]
    assert payload["summary"]["errors"] == 4 and payload["summary"]["warnings"] == 1


def test_check_github_annotations_and_fail_on(repo: Path) -> None:
    (repo / "data" / "changes" / "2026-10.csv").write_text(HEADER + GOOD + WARN, encoding="utf-8")
    result = _run("changes", "check", "--repo", str(repo), "--format", "github")
    assert result.exit_code == 0
    assert "::warning file=" in result.stdout and "2026-10.csv,line=3" in result.stdout
    assert "change-success-criteria-no-target" in result.stdout
    assert _run("changes", "check", "--repo", str(repo), "--fail-on", "warning").exit_code == 1


@pytest.mark.parametrize("fmt", ["text", "junit", "sarif"])
def test_check_other_formats(repo: Path, fmt: str) -> None:
    result = _run("changes", "check", "--repo", str(repo), "--format", fmt)
    assert result.exit_code == 1
    assert "change-no-pir" in result.stdout


def test_check_outside_the_period_is_clean(repo: Path) -> None:
    result = _run("changes", "check", "--repo", str(repo), "--period", "2026-11")
    assert result.exit_code == 0, result.stdout


def test_check_usage_errors(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    bad = _run("changes", "check", "--repo", str(repo), "--period", "October")
    assert bad.exit_code == 2 and "error: 'October' is not a period" in bad.stderr
    empty = tmp_path_factory.mktemp("empty")
    (empty / "defs.yaml").write_text(DEFINITIONS, encoding="utf-8")
    none = _run("changes", "check", "--repo", str(empty))
    assert none.exit_code == 2 and "no DataSource of type 'changes'" in none.stderr
    assert "Traceback" not in none.output


def test_check_reports_unreadable_rows(repo: Path) -> None:
    broken = HEADER + GOOD + "CHG-9,payments-api,normal,not-a-time,,,,successful,x,none,y,team-payments,\n"
    (repo / "data" / "changes" / "2026-10.csv").write_text(broken, encoding="utf-8")
    result = _run("changes", "check", "--repo", str(repo), "--format", "json")
    payload = json.loads(result.stdout)
    assert any(f["file"] == "data/changes/2026-10.csv" and f["line"] == 3 and f["rule"] != "change-no-pir"
               for f in payload["findings"]), payload["findings"]


def test_stats_text_json_csv(repo: Path) -> None:
    text = _run("changes", "stats", "--repo", str(repo), "--period", "2026-10")
    assert text.exit_code == 0
    assert "payments-api" in text.stdout and "33.3%" in text.stdout
    data = json.loads(_run("changes", "stats", "--repo", str(repo), "--period", "2026-10", "--format", "json").stdout)
    row = next(r for r in data["services"] if r["service"] == "payments-api")
    assert row["completed"] == 3 and row["failure_rate"] == 1 / 3
    assert row["downtime_seconds"] == 3600 and row["change_downtime_seconds"] == 1800
    csv = _run("changes", "stats", "--repo", str(repo), "--period", "2026-10", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("service,period,changes,completed")
    assert "payments-api,2026-10,3,3,2,1,0,0,0.3333333333333333,3600.0,1800.0" in csv


def test_stats_csv_neutralises_formulas(repo: Path) -> None:
    row = ("CHG-7,=HYPERLINK(1),normal,2026-10-10T02:00:00Z,2026-10-10T03:00:00Z,,,successful,x,none,y,z,\n")
    (repo / "data" / "changes" / "2026-10.csv").write_text(HEADER + row, encoding="utf-8")
    csv = _run("changes", "stats", "--repo", str(repo), "--period", "2026-10", "--format", "csv").stdout
    assert "'=HYPERLINK(1)" in csv
    assert "\n=HYPERLINK" not in csv


def test_stats_needs_a_period(repo: Path) -> None:
    result = CliRunner().invoke(app, ["changes", "stats", "--repo", str(repo)])
    assert result.exit_code == 2


@pytest.mark.parametrize("command", [["changes", "check"], ["changes", "stats"], ["alert"]])
def test_help_has_an_example(command: list[str]) -> None:
    result = _run(*command, "--help")
    assert result.exit_code == 0
    assert "Example: slactl" in result.output


def test_domain_modules_import_no_cli_and_no_pandas() -> None:
    import subprocess
    import sys

    code = ("import sys, slactl.changes.check, slactl.changes.stats, slactl.escalation.run; "
            "bad = [m for m in ('typer', 'rich', 'pandas', 'numpy') if m in sys.modules]; "
            "assert not bad, bad")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_docs_name_every_rule_and_command() -> None:
    from slactl.rules.registry import RULES, load_rule_modules

    root = Path(__file__).resolve().parents[1] / "docs"
    changes = (root / "changes.md").read_text(encoding="utf-8")
    escalation = (root / "escalation.md").read_text(encoding="utf-8")
    load_rule_modules()
    for rule in RULES.values():
        if rule.scope == "changes":
            assert f"`{rule.id}`" in changes, rule.id
    assert "Example: `slactl changes check" in changes and "Example: `slactl changes stats" in changes
    assert "Example: `slactl alert" in escalation
