"""`slactl report` end to end: a real repository, the real compliance engine and store, files and archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from report_support import write_definitions
from slactl.cli.main import app

runner = CliRunner()


def make_repo(root: Path, name: str = "Payments platform, Gold customers") -> Path:
    """Definitions plus hourly probes for September and October 2026, with a 3-hour outage on 2026-10-07."""
    write_definitions(root, name)
    text = (root / "slas" / "payments.yaml").read_text(encoding="utf-8")
    (root / "slas" / "payments.yaml").write_text(
        text.replace("spec: {type: probes, path: data/probes/*.csv, interval: 60s, timezone: UTC}",
                     "spec: {type: probes, path: data/probes/*.csv, interval: 1h, timezone: UTC}"), encoding="utf-8")
    lines = ["time,service,status"]
    t = datetime(2026, 9, 1, tzinfo=UTC)
    while t < datetime(2026, 11, 1, tzinfo=UTC):
        down = datetime(2026, 10, 7, 10, tzinfo=UTC) <= t < datetime(2026, 10, 7, 13, tzinfo=UTC)
        lines.append(f"{t.isoformat()},payments-api,{'down' if down else 'up'}")
        t += timedelta(hours=1)
    (root / "data" / "probes" / "2026-10.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_help_has_an_example() -> None:
    result = invoke("report", "--help")
    assert result.exit_code == 0 and "Example: slactl report --period 2026-10" in result.output
    assert "Example: slactl report verify" in invoke("report", "verify", "--help").output


def test_report_writes_markdown_and_html(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = invoke("report", "--repo", str(repo), "--period", "2026-10", "--trend", "2")
    assert result.exit_code == 0, result.output
    md = repo / "reports" / "service-review-2026-10-manager.md"
    html = repo / "reports" / "service-review-2026-10-manager.html"
    assert f"wrote {md}" in result.output and f"wrote {html}" in result.output
    assert "service review 2026-10 (manager view, all agreements): 2 agreement(s)" in result.output
    text = md.read_text(encoding="utf-8")
    # 745 hours in October (London), 8h Sunday maintenance and 2h storm excluded: 3 of 735 hours down
    assert "| availability | Availability | 99.9% | 99.591% | ✖ Breached |" in text
    assert "## Trend over the last 2 periods" in text and "| 2026-09 |" in text
    assert "<svg" in html.read_text(encoding="utf-8")


def test_view_format_out_and_scope(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "out"
    result = invoke("--repo", str(repo), "report", "--period", "2026-10", "--view", "executive", "--format", "md",
                    "--out", str(out), "--customer", "Acme Retail", "--trend", "1")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["service-review-2026-10-executive-Acme_Retail.md"]
    text = (out / "service-review-2026-10-executive-Acme_Retail.md").read_text(encoding="utf-8")
    assert "## Status by customer" in text and "| Acme Retail | ✖ Breached |" in text


def test_archive_twice_then_verify(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    archive = tmp_path / "archive"
    first = invoke("report", "--repo", str(repo), "--period", "2026-10", "--trend", "1", "--archive", str(archive))
    assert first.exit_code == 0, first.output
    assert f"archived {archive / '2026-10' / 'manager' / 'v1'} (manifest sha256 " in first.output
    gitrepo = git.Repo.init(repo)
    with gitrepo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.com")
    gitrepo.index.add(["slas/payments.yaml", "data/probes/2026-10.csv", "data/tickets/2026-10.csv"])
    commit = gitrepo.index.commit("definitions").hexsha
    second = invoke("report", "--repo", str(repo), "--period", "2026-10", "--trend", "1", "--archive", str(archive))
    assert second.exit_code == 0, second.output
    v1 = json.loads((archive / "2026-10" / "manager" / "v1" / "manifest.json").read_text(encoding="utf-8"))
    v2 = json.loads((archive / "2026-10" / "manager" / "v2" / "manifest.json").read_text(encoding="utf-8"))
    assert v1["definitions"]["commit"] is None
    assert v2["definitions"]["commit"] == commit
    assert v2["definitions"]["dirty"] is False  # reports/ and the store are untracked, but no input of the report
    assert {(i["path"], i["role"]) for i in v2["inputs"]} >= {
        ("slas/payments.yaml", "definition"), ("data/probes/2026-10.csv", "data"), ("data/tickets/2026-10.csv", "data")}
    assert [o["path"] for o in v2["outputs"]] == ["service-review-2026-10-manager.html",
                                                  "service-review-2026-10-manager.md"]
    result = invoke("report", "verify", str(archive))
    assert result.exit_code == 0 and "intact: 2 archived report(s)" in result.output


@pytest.mark.parametrize(("args", "message"), [
    ([], "missing --period"),
    (["--period", "2026-13"], "is not a period"),
    (["--period", "2026-10", "--agreement", "nope"], "no agreement with id 'nope'"),
    (["--period", "2026-10", "--service", "nope"], "no service with id 'nope'"),
    (["--period", "2026-10", "--agreement", "a", "--customer", "b"], "cannot be combined"),
    (["--period", "2026-10", "--as-of", "yesterday"], "is not a date or date-time"),
    (["--period", "2026-10", "--templates", "no-such-folder"], "templates folder 'no-such-folder' does not exist"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    repo = make_repo(tmp_path / "repo")
    result = invoke("report", "--repo", str(repo), "--trend", "1", *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_broken_template_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_text("{{ r.nope }}\n", encoding="utf-8")
    result = invoke("report", "--repo", str(repo), "--period", "2026-10", "--trend", "1", "--format", "md",
                    "--templates", str(templates))
    assert result.exit_code == 2 and "error: template report.md.j2:" in result.output and "nope" in result.output


def test_missing_repository(tmp_path: Path) -> None:
    result = invoke("report", "--repo", str(tmp_path / "missing"), "--period", "2026-10")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_period_in_progress(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    out = tmp_path / "out"
    result = invoke("report", "--repo", str(repo), "--period", "2026-10", "--as-of", "2026-10-15", "--trend", "1",
                    "--format", "md", "--view", "technical", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = (out / "service-review-2026-10-technical.md").read_text(encoding="utf-8")
    assert "| Period | 2026-10 (as of 2026-10-15 00:00) |" in text


def test_unwritable_out_and_archive_are_errors(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = invoke("report", "--repo", str(repo), "--period", "2026-10", "--trend", "1", "--format", "md",
                    "--out", str(blocker / "out"))
    assert result.exit_code == 2 and "error: cannot write" in result.output and "--out" in result.output
    result = invoke("report", "--repo", str(repo), "--period", "2026-10", "--trend", "1", "--format", "md",
                    "--archive", str(blocker))
    assert result.exit_code == 2 and "error: cannot write the archive at" in result.output


def test_template_that_is_not_utf8(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.md.j2").write_bytes(b"\xff\xfe bad")
    result = invoke("report", "--repo", str(repo), "--period", "2026-10", "--trend", "1", "--format", "md",
                    "--templates", str(templates))
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_quarter_with_its_trend(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = invoke("report", "--repo", str(repo), "--period", "2026-Q4", "--trend", "2", "--format", "md",
                    "--view", "executive")
    assert result.exit_code == 0, result.output
    text = (repo / "reports" / "service-review-2026-Q4-executive.md").read_text(encoding="utf-8")
    assert "| 2026-Q3 |" in text and "| 2026-Q4 |" in text


def test_report_names_the_definitions_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    args = ("report", "--repo", str(repo), "--period", "2026-10", "--trend", "1", "--format", "md")
    assert invoke(*args).exit_code == 0
    text = (repo / "reports" / "service-review-2026-10-manager.md").read_text(encoding="utf-8")
    assert "| Definitions | not a git commit (the definitions are not in a git repository) |" in text
    gitrepo = git.Repo.init(repo)
    with gitrepo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.com")
    (repo / ".gitignore").write_text("reports/\n.slactl/\n", encoding="utf-8")
    gitrepo.index.add([".gitignore", "slas/payments.yaml", "data/probes/2026-10.csv", "data/tickets/2026-10.csv"])
    commit = gitrepo.index.commit("definitions").hexsha
    assert invoke(*args).exit_code == 0
    text = (repo / "reports" / "service-review-2026-10-manager.md").read_text(encoding="utf-8")
    assert f"| Definitions | git commit {commit[:12]} |" in text


def test_out_naming_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("x", encoding="utf-8")
    examples = Path(__file__).resolve().parents[1] / "examples"
    result = CliRunner().invoke(app, ["--repo", str(examples), "report", "--period", "2026-10", "--out", str(target)])
    assert result.exit_code == 2 and "is a file, not a folder" in result.output
