"""`slactl compliance` through the CLI: formats, exit codes, bad input."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slactl.cli.main import app
from slactl.csvexport import safe_cell, to_csv

SPEC_RESULT_KEYS = {
    "agreement", "kind", "objective", "indicator", "target", "attained", "status", "coverage",
    "eligible_seconds", "excluded_seconds", "bad_seconds", "counted", "within", "error_budget",
    "burn_rates", "projected", "percentiles", "credit_percent", "review_required",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory, examples_dir_module) -> Path:
    target = tmp_path_factory.mktemp("examples") / "repo"
    shutil.copytree(examples_dir_module, target, ignore=shutil.ignore_patterns(".slactl", "reports"))
    return target


@pytest.fixture(scope="module")
def examples_dir_module() -> Path:
    return Path(__file__).resolve().parents[1] / "examples"


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_json_has_the_spec_shape(repo: Path) -> None:
    result = run("compliance", "--repo", str(repo), "--period", "2026-10", "--format", "json")
    assert result.exit_code == 1, result.output  # October has breaches: errors at the default --fail-on error
    data = json.loads(result.stdout)
    assert {"schema_version", "tool_version", "generated_at", "period", "results", "agreements"} <= set(data)
    assert data["period"] == "2026-10"
    assert data["results"]
    for item in data["results"]:
        assert SPEC_RESULT_KEYS <= set(item)
        assert item["status"] in {"met", "at_risk", "breached", "insufficient_data"}
        if item["error_budget"] is not None:
            assert set(item["error_budget"]) == {"unit", "total", "consumed", "remaining_ratio"}
    for item in data["agreements"]:
        assert {"agreement", "credit_percent", "credit_amount"} <= set(item)
    payments = next(r for r in data["results"] if r["agreement"] == "online-payments-sla" and r["indicator"] == "availability")
    assert payments["status"] == "breached" and payments["credit_percent"] == 10


def test_text_table_names_statuses_in_words(repo: Path) -> None:
    result = run("compliance", "--repo", str(repo), "--period", "2026-10")
    assert result.exit_code == 1
    assert "BREACHED" in result.stdout and "AT RISK" in result.stdout and "MET" in result.stdout
    assert "credit owed on online-payments-sla: 10% of the monthly fee = 8,500.00 GBP" in result.stdout


def test_csv_has_one_row_per_objective(repo: Path) -> None:
    result = run("compliance", "--repo", str(repo), "--period", "2026-10", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 21
    assert {"agreement", "objective", "attained", "status", "credit_percent"} <= set(rows[0])


def test_exit_code_follows_fail_on(repo: Path) -> None:
    # October: breaches (errors) and an at-risk objective; July: nothing breached, some objectives at risk
    assert run("compliance", "--repo", str(repo), "--period", "2026-10").exit_code == 1
    assert run("compliance", "--repo", str(repo), "--period", "2026-10", "--fail-on", "never").exit_code == 0
    assert run("compliance", "--repo", str(repo), "--period", "2026-07").exit_code == 0
    assert run("compliance", "--repo", str(repo), "--period", "2026-07", "--fail-on", "warning").exit_code == 1


def test_in_progress_period_is_labelled_and_credits_are_provisional(repo: Path) -> None:
    result = run("compliance", "--repo", str(repo), "--period", "2026-10", "--as-of", "2026-10-15", "--fail-on", "never")
    assert result.exit_code == 0
    assert "(in progress, as of 2026-10-15" in result.stdout
    assert "credit owed" not in result.stdout


def test_global_repo_option_works_too(repo: Path) -> None:
    result = run("--repo", str(repo), "compliance", "--period", "2026-10", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0 and json.loads(result.stdout)["results"]


@pytest.mark.parametrize("args,message", [
    (["--period", "2026-13"], "is not a period"),
    (["--period", "2026-10", "--as-of", "soon"], "is not a date or date-time"),
    (["--period", "2026-10", "--agreement", "nope"], "no agreement with id 'nope'"),
    (["--period", "2026-10", "--format", "xml"], "unknown format"),
])
def test_bad_options_exit_2_with_a_message(repo: Path, args: list[str], message: str) -> None:
    result = run("compliance", "--repo", str(repo), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_definition_errors_stop_the_run_with_positions(tmp_path: Path) -> None:
    (tmp_path / "sla.yaml").write_text(
        "apiVersion: slactl/v1\nkind: SLA\nmetadata: {id: a}\nspec:\n  level: service\n  services: [x]\n"
        "  status: active\n  version: one\n  effective: 2026-01-01\n  objectives: [{id: o, indicator: csat, target: 90}]\n"
    )
    result = run("compliance", "--repo", str(tmp_path), "--period", "2026-10")
    assert result.exit_code == 2
    assert "sla.yaml:8:12: schema-type" in result.stderr
    assert "run `slactl validate`" in result.stderr


def test_missing_repository_exits_2(tmp_path: Path) -> None:
    result = run("compliance", "--repo", str(tmp_path / "nope"), "--period", "2026-10")
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_csv_cells_cannot_become_formulas() -> None:
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("+1") == "'+1" and safe_cell("-1") == "'-1" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell(-1.5) == -1.5 and safe_cell("plain") == "plain" and safe_cell(None) == ""
    text = to_csv(["a"], [["=1+1"], ["\tx"]])
    assert text.splitlines() == ["a", "'=1+1", "'\tx"]


def test_as_of_before_the_period_says_nothing_is_judged_yet(repo: Path) -> None:
    result = run("--repo", str(repo), "compliance", "--period", "2026-10", "--as-of", "2026-09-01", "--fail-on", "never")
    assert result.exit_code == 0
    assert "is before 2026-10 begins" in result.output
