"""Amendments in pull requests (`slactl validate --base REV`), against real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from governance_support import SUPPORT, GitRepoBuilder, changelog_entry, sla
from slactl.cli.main import app
from slactl.findings import Severity
from slactl.governance.amendments import approved, check_amendments
from slactl.governance.gitrepo import GitError, parse_trailers
from slactl.loader import load_repository

runner = CliRunner()


@pytest.fixture
def base_repo(tmp_path: Path) -> GitRepoBuilder:
    """main with SLA payments-gold v1 (approvers Jane Doe and Raj Patel), then a feature branch."""
    builder = GitRepoBuilder(tmp_path / "repo")
    builder.write("slas/payments.yaml", sla())
    builder.write("services.yaml", SUPPORT)
    builder.commit("Add payments SLA", when="2026-01-10T10:00:00+00:00")
    builder.branch("feature")
    return builder


def _check(builder: GitRepoBuilder, base: str = "main"):
    return check_amendments(builder.root, base, load_repository(builder.root))


def _validate(builder: GitRepoBuilder, *args: str):
    return runner.invoke(app, ["validate", "--repo", str(builder.root), "--base", "main", "--format", "json", *args],
                         catch_exceptions=False)


def test_approved_amendment_passes(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(version=2, target=99.95, changelog=changelog_entry(2)))
    base_repo.commit("Tighten availability to 99.95", when="2026-02-05T10:00:00+00:00")
    assert _check(base_repo) == []
    result = _validate(base_repo)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


def test_trailers_approve_an_amendment(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(version=2, target=99.5,
                                              changelog=changelog_entry(2, "[{by: Jane Doe, on: 2026-02-01}]")))
    base_repo.commit("Relax availability\n\nAgreed in the February service review.\n\n"
                     "Approved-by: Raj Patel <raj@example.com>", when="2026-02-05T10:00:00+00:00")
    assert _check(base_repo) == []


def test_unapproved_amendment_fails_at_the_approvals(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(version=2, target=99.5,
                                              changelog=changelog_entry(2, "[{by: Jane Doe, on: 2026-02-01}]")))
    base_repo.commit("Relax availability", when="2026-02-05T10:00:00+00:00")
    findings = _check(base_repo)
    assert [(f.rule, f.severity) for f in findings] == [("amend-approval-missing", Severity.ERROR)]
    text = (base_repo.root / "slas/payments.yaml").read_text().splitlines()
    assert text[findings[0].line - 1].strip().startswith("approvals:")
    assert "Raj Patel" in findings[0].message and "Approved-by: Raj Patel" in findings[0].hint
    result = _validate(base_repo)
    assert result.exit_code == 1
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["amend-approval-missing"]


def test_version_not_raised_points_at_the_changed_line(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(target=99.5))
    findings = _check(base_repo)  # uncommitted working-tree change counts too
    assert [f.rule for f in findings] == ["amend-version-not-raised"]
    line = (base_repo.root / "slas/payments.yaml").read_text().splitlines()[findings[0].line - 1]
    assert line.strip() == "target: 99.5"
    assert findings[0].column == line.index("99.5") + 1
    assert "loosened: 99.9 -> 99.5" in findings[0].message
    assert "raise version to 2" in findings[0].hint


def test_version_must_rise_by_exactly_one(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(version=3, target=99.5, changelog=changelog_entry(3)))
    rules = [f.rule for f in _check(base_repo)]
    assert rules == ["amend-version-step"]


def test_new_version_needs_a_changelog_entry(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(version=2, target=99.5))
    base_repo.commit("Relax\n\nApproved-by: Jane Doe\nApproved-by: Raj Patel")
    rules = [f.rule for f in _check(base_repo)]
    assert rules == ["amend-changelog-missing"]


def test_editorial_change_passes(base_repo: GitRepoBuilder) -> None:
    text = sla(name="Payments, Gold tier").replace("  owner: team-payments\n",
                                                  "  owner: team-payments\n  labels: {tier: gold}\n"
                                                  "  description: Card payments\n")
    base_repo.write("slas/payments.yaml", "# reviewed in January\n" + text.replace("target: 99.9", "target: 99.90"))
    base_repo.commit("Rename")
    assert _check(base_repo) == []


def test_review_dates_and_new_changelog_entries_are_not_material(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(review="  review: {cadence: annual, last: 2026-02-01}\n"))
    assert _check(base_repo) == []


def test_draft_agreements_change_freely(base_repo: GitRepoBuilder) -> None:
    base_repo.checkout("main")
    base_repo.write("slas/payments.yaml", sla(status="draft"))
    base_repo.commit("Back to draft")
    base_repo.branch("draft-work")
    base_repo.write("slas/payments.yaml", sla(status="draft", target=95))
    assert _check(base_repo) == []


def test_rewritten_changelog_is_material(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla().replace("summary: First version", "summary: Initial version"))
    findings = _check(base_repo)
    assert [f.rule for f in findings] == ["amend-version-not-raised"]
    assert "changelog entry for version 1 rewritten" in findings[0].message


def test_changes_on_main_after_branching_are_not_attributed(base_repo: GitRepoBuilder) -> None:
    base_repo.checkout("main")
    base_repo.write("slas/payments.yaml", sla(version=2, target=99.95, changelog=changelog_entry(2)))
    base_repo.commit("Approved amendment on main", when="2026-02-10T10:00:00+00:00")
    base_repo.checkout("feature")
    base_repo.write("slas/other.yaml", sla(id_="other-sla", status="draft"))
    base_repo.commit("Unrelated")
    assert _check(base_repo) == []


def test_moved_agreement_is_compared_by_id(base_repo: GitRepoBuilder) -> None:
    base_repo.move("slas/payments.yaml", "agreements/payments-gold.yaml")
    base_repo.write("agreements/payments-gold.yaml", sla(target=99.0))
    base_repo.commit("Move and change")
    findings = _check(base_repo)
    assert [(f.rule, f.file) for f in findings] == [("amend-version-not-raised", "agreements/payments-gold.yaml")]


def test_deleting_an_active_agreement_warns(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/other.yaml", sla(id_="other-sla", status="draft"))
    base_repo.remove("slas/payments.yaml")
    findings = _check(base_repo)
    assert [(f.rule, f.severity, f.file) for f in findings] == [
        ("amend-removed-active", Severity.WARNING, "slas/payments.yaml")]


def test_approval_dated_in_the_future_warns(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(version=2, target=99.95, changelog=changelog_entry(
        2, "[{by: Jane Doe, on: 2026-02-01}, {by: Raj Patel, on: 2999-01-01}]")))
    findings = _check(base_repo)
    assert [(f.rule, f.severity) for f in findings] == [("amend-approval-date", Severity.WARNING)]


def test_definitions_in_a_subfolder_of_the_git_repository(tmp_path: Path) -> None:
    builder = GitRepoBuilder(tmp_path / "mono")
    builder.write("sla-defs/slas/payments.yaml", sla())
    builder.write("README.md", "docs\n")
    builder.commit("first")
    builder.write("sla-defs/slas/payments.yaml", sla(target=98))
    root = builder.root / "sla-defs"
    findings = check_amendments(root, "HEAD", load_repository(root))
    assert [(f.rule, f.file) for f in findings] == [("amend-version-not-raised", "slas/payments.yaml")]


def test_unknown_revision_is_a_usage_error(base_repo: GitRepoBuilder) -> None:
    result = runner.invoke(app, ["validate", "--repo", str(base_repo.root), "--base", "no-such-branch"],
                           catch_exceptions=False)
    assert result.exit_code == 2
    assert "error: unknown revision 'no-such-branch'" in result.stderr
    assert "hint:" in result.stderr
    with pytest.raises(GitError):
        check_amendments(base_repo.root, "--upload-pack=evil", load_repository(base_repo.root))


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain/sla.yaml").write_text(sla(), encoding="utf-8")
    result = runner.invoke(app, ["validate", "--repo", str(tmp_path / "plain"), "--base", "main"],
                           catch_exceptions=False)
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr


def test_shallow_clone_explains_the_missing_history(base_repo: GitRepoBuilder, tmp_path: Path) -> None:
    base_repo.write("slas/payments.yaml", sla(version=2, target=99.95, changelog=changelog_entry(2)))
    base_repo.commit("second")
    import git

    clone = git.Repo.clone_from(f"file://{base_repo.root}", tmp_path / "shallow", depth=1, branch="feature")
    result = runner.invoke(app, ["validate", "--repo", clone.working_tree_dir, "--base", "HEAD~1"],
                           catch_exceptions=False)
    assert result.exit_code == 2
    assert "shallow" in result.stderr


def test_trailers_and_approver_names() -> None:
    message = "Subject\n\nBody text: not a trailer.\n\nApproved-by: Jane Doe\nSigned-off-by: A <a@x>\n"
    assert parse_trailers(message) == (("Approved-by", "Jane Doe"), ("Signed-off-by", "A <a@x>"))
    assert parse_trailers("Approved-by: Jane Doe") == ()  # a subject line is not a trailer block
    assert parse_trailers("Subject\n\nApproved-by: Jane\nthis is prose\n") == ()
    assert approved("Jane Doe", ["jane  doe"])
    assert approved("Jane Doe", ["Jane Doe <jane@example.com>"])
    assert approved("jane@example.com", ["Jane Doe <JANE@example.com>"])
    assert not approved("Jane Doe", ["Jane"])


def test_a_trailer_approves_only_what_its_commit_changed(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/other.yaml", sla(id_="other-sla"))
    base_repo.commit("Add other SLA (active)")
    base_repo.checkout("main")
    base_repo.write("slas/other.yaml", sla(id_="other-sla"))
    base_repo.commit("Add other SLA on main too")
    base_repo.branch("two-amendments")
    one_approval = changelog_entry(2, "[{by: Jane Doe, on: 2026-02-01}]")
    base_repo.write("slas/payments.yaml", sla(version=2, target=99.5, changelog=one_approval))
    base_repo.commit("Relax payments\n\nApproved-by: Raj Patel")
    base_repo.write("slas/other.yaml", sla(id_="other-sla", version=2, target=99.5, changelog=one_approval))
    base_repo.commit("Relax other, no trailer")
    findings = _check(base_repo)
    assert [(f.rule, f.file) for f in findings] == [("amend-approval-missing", "slas/other.yaml")]


def test_an_agreement_that_fails_its_schema_is_not_called_deleted(base_repo: GitRepoBuilder) -> None:
    base_repo.write("slas/payments.yaml", sla(target=99.5).replace("  level: customer\n", "  levle: customer\n"))
    result = load_repository(base_repo.root)
    assert "schema-unknown-field" in {f.rule for f in result.findings}
    assert check_amendments(base_repo.root, "main", result) == []


def test_history_in_a_shallow_clone_lists_what_it_has_and_says_the_rest_is_missing(
        base_repo: GitRepoBuilder, tmp_path: Path) -> None:
    import git

    for version in (2, 3):
        base_repo.write("slas/payments.yaml", sla(version=version, target=99.9 + version / 100,
                                                  changelog=changelog_entry(version)))
        base_repo.commit(f"version {version}")
    clone = git.Repo.clone_from(f"file://{base_repo.root}", tmp_path / "shallow", depth=2, branch="feature")
    result = runner.invoke(app, ["history", "payments-gold", "--repo", clone.working_tree_dir, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "clone is shallow" in result.stderr and "Traceback" not in result.output
    assert [v["version"] for v in json.loads(result.stdout)["versions"]] == [3]
