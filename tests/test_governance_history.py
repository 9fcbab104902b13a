"""`slactl history ID` and `slactl diff REV [REV]` against real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from governance_support import SUPPORT, GitRepoBuilder, changelog_entry, sla
from slactl.cli.main import app
from slactl.governance.history import agreement_history

runner = CliRunner()

CREDITS = "      credits:\n        - {below: 99.9, credit: 10}\n"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepoBuilder:
    """Four versions of payments-gold: created, approved amendment (PR merged), moved, silent change."""
    b = GitRepoBuilder(tmp_path / "repo")
    b.write("services.yaml", SUPPORT)
    b.write("slas/payments.yaml", sla())
    b.commit("Add payments SLA", author="Jane Doe", email="jane@example.com", when="2026-01-10T10:00:00+00:00")
    b.branch("tighten")
    b.write("slas/payments.yaml", sla(version=2, target=99.95, credits=CREDITS,
                                      changelog=changelog_entry(2, "[{by: Jane Doe, on: 2026-02-01}]")))
    b.commit("Tighten availability\n\nApproved-by: Raj Patel", author="Raj Patel", email="raj@example.com",
             when="2026-02-05T10:00:00+00:00")
    b.checkout("main")
    b.merge("tighten", "Merge pull request #1 from tighten", when="2026-02-06T10:00:00+00:00")
    b.move("slas/payments.yaml", "agreements/customer/payments-gold.yaml")
    b.commit("Reorganise folders", when="2026-03-01T10:00:00+00:00")
    b.write("agreements/customer/payments-gold.yaml",
            sla(version=2, target=99.5, credits=CREDITS, name="Payments Gold",
                changelog=changelog_entry(2, "[{by: Jane Doe, on: 2026-02-01}]")))
    b.commit("Quick fix", author="Mallory", email="mallory@example.com", when="2026-04-01T10:00:00+00:00")
    return b


def test_history_lists_every_version_newest_first(repo: GitRepoBuilder) -> None:
    entries = agreement_history(repo.root, "payments-gold")
    assert [(e.version, e.state, e.commit.author) for e in entries] == [
        (2, "amended", "Mallory"),
        (2, "editorial", "Alice Author"),
        (2, "amended", "Raj Patel"),
        (1, "created", "Jane Doe"),
    ]
    silent, moved, amended, created = entries
    assert silent.silent and not amended.silent
    assert moved.moved and moved.previous_file == "slas/payments.yaml"
    assert moved.file == "agreements/customer/payments-gold.yaml"
    assert amended.approvals == ["Jane Doe (2026-02-01)"] and amended.trailers == ["Raj Patel"]
    assert [c.summary for c in amended.changes if c.material] == [
        "objectives[availability].target tightened: 99.9 -> 99.95",
        "objectives[availability] credit tiers raised: none -> below 99.9: 10%",
    ]
    assert created.approvals == ["Jane Doe (2025-12-20)", "Raj Patel (2025-12-21)"]


def test_history_cli_text_and_json(repo: GitRepoBuilder) -> None:
    result = runner.invoke(app, ["history", "payments-gold", "--repo", str(repo.root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "History of payments-gold: 4 change(s), newest first"
    assert lines[2].startswith("v2    2026-04-01") and "Mallory  amended  (active)  Quick fix" in lines[2]
    assert "! material change to an active agreement without a new version" in result.stdout
    assert "moved from slas/payments.yaml to agreements/customer/payments-gold.yaml" in result.stdout
    assert "approvals: changelog: Jane Doe (2026-02-01); Approved-by: Raj Patel" in result.stdout

    result = runner.invoke(app, ["history", "payments-gold", "--repo", str(repo.root), "--format", "json"],
                           catch_exceptions=False)
    data = json.loads(result.stdout)
    assert {"schema_version", "tool_version", "generated_at", "agreement", "versions"} <= set(data)
    first = data["versions"][0]
    assert first["version"] == 2 and first["silent_change"] is True and first["author"] == "Mallory"
    assert len(first["commit"]) == 40 and first["date"] == "2026-04-01T10:00:00+00:00"
    assert first["changes"][0]["direction"] == "loosened"


def test_history_of_an_unknown_agreement_is_a_usage_error(repo: GitRepoBuilder, tmp_path: Path) -> None:
    result = runner.invoke(app, ["history", "nope", "--repo", str(repo.root)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "error: agreement 'nope' is not in the git history" in result.stderr
    (tmp_path / "plain").mkdir()
    result = runner.invoke(app, ["history", "x", "--repo", str(tmp_path / "plain")], catch_exceptions=False)
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr


def test_diff_between_two_revisions(repo: GitRepoBuilder) -> None:
    result = runner.invoke(app, ["diff", "main~3", "main", "--repo", str(repo.root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "~ SLA payments-gold  version 1 -> 2  agreements/customer/payments-gold.yaml" in result.stdout
    assert "moved from slas/payments.yaml" in result.stdout
    assert "~ objectives[availability].target loosened: 99.9 -> 99.5" in result.stdout
    assert "~ objectives[availability] credit tiers raised: none -> below 99.9: 10%" in result.stdout
    assert result.stdout.rstrip().endswith("1 changed, 0 added, 0 removed")


def test_diff_against_the_working_tree_json(repo: GitRepoBuilder) -> None:
    repo.write("slas/new.yaml", sla(id_="payments-silver", status="draft"))
    repo.remove("agreements/customer/payments-gold.yaml")
    result = runner.invoke(app, ["diff", "HEAD", "--repo", str(repo.root), "--format", "json"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["new"] == {"rev": "working tree", "commit": None}
    assert [(a["agreement"], a["state"]) for a in data["agreements"]] == [
        ("payments-gold", "removed"), ("payments-silver", "added")]
    assert data["summary"] == {"added": 1, "removed": 1, "changed": 0}


def test_diff_with_no_changes_and_bad_revisions(repo: GitRepoBuilder) -> None:
    result = runner.invoke(app, ["diff", "HEAD", "--repo", str(repo.root)], catch_exceptions=False)
    assert result.exit_code == 0 and "no agreement changed" in result.stdout
    result = runner.invoke(app, ["diff", "v9.9", "--repo", str(repo.root)], catch_exceptions=False)
    assert result.exit_code == 2 and "error: unknown revision 'v9.9'" in result.stderr
