"""DataSource paths stay inside the repository; messages echo only short parts of what files hold;
non-finite numbers are data problems, not crashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store_helpers import Repo, problems

SECRET = "machine ci.example.com login deploy password hunter2-very-secret-token\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "netrc.csv").write_text(SECRET, encoding="utf-8")
    (tmp_path / "outside" / "events.csv").write_text(
        "time,service,good,total\n2026-10-01T00:00:00Z,web,1,1\n", encoding="utf-8")
    return Repo(root)


def _messages(report: object) -> str:
    return "\n".join(f"{p.message} {p.hint}" for p in report.problems)  # type: ignore[attr-defined]


@pytest.mark.parametrize("pattern", ["../outside/*.csv", "data/../../outside/netrc.csv", "ABSOLUTE"])
def test_paths_reaching_outside_are_refused_without_reading(repo: Repo, pattern: str) -> None:
    if pattern == "ABSOLUTE":
        pattern = str(repo.root.parent / "outside" / "*.csv")
    repo.source("events", "events", pattern, timezone="UTC")
    report = repo.ingest()
    assert problems(report) == [("sources/events.yaml", 6, "data-path-outside", "error")]
    assert "hunter2" not in _messages(report) and "machine" not in _messages(report)
    assert report.rows_added == 0 and report.files_rejected == []


def test_symbolic_links_to_files_outside_are_not_read(repo: Repo) -> None:
    repo.source("events", "events", "data/**/*.csv", timezone="UTC")
    repo.data("data/inside.csv", "time,service,good,total\n2026-10-01T00:00:00Z,web,9,10\n")
    (repo.root / "data" / "netrc.csv").symlink_to(repo.root.parent / "outside" / "netrc.csv")
    (repo.root / "data" / "linked").symlink_to(repo.root.parent / "outside", target_is_directory=True)
    (repo.root / "data" / "alias.csv").symlink_to(repo.root / "data" / "inside.csv")  # inside: fine
    (repo.root / "data" / "dangling.csv").symlink_to(repo.root / "nowhere.csv")
    report = repo.ingest()
    assert problems(report) == [
        ("data/linked/events.csv", 1, "data-path-outside", "error"),
        ("data/linked/netrc.csv", 1, "data-path-outside", "error"),
        ("data/netrc.csv", 1, "data-path-outside", "error"),
    ]
    assert "hunter2" not in _messages(report)
    assert sorted(report.files_ingested) == ["data/alias.csv", "data/inside.csv"]  # a link inside is fine


def test_missing_column_message_shows_only_a_short_part_of_the_header(repo: Repo) -> None:
    repo.source("events", "events", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", SECRET + "x\n")
    wide = ",".join(f"header_number_{i}" for i in range(40))
    repo.data("data/b.csv", wide + "\n" + ",".join("1" * 40) + "\n")
    report = repo.ingest()
    [a, b] = sorted(report.problems, key=lambda p: p.file)
    assert a.rule == b.rule == "data-missing-column"
    assert "hunter2" not in a.message and "'machine ci.example.com …'" in a.message
    assert "header_number_0" in b.message and "header_number_39" not in b.message and "more" in b.message
    assert len(b.message) < 300


def test_non_finite_and_overflowing_numbers_skip_the_row(repo: Repo) -> None:
    repo.source("events", "events", "data/e.csv", timezone="UTC")
    repo.source("outages", "outages", "data/o.csv", timezone="UTC")
    repo.source("csat", "csat", "data/c.csv", timezone="UTC")
    repo.data("data/e.csv", "time,service,good,total,latency_ms\n"
              "2026-10-01T00:00:00Z,web,1,1,\n"
              "2026-10-01T00:01:00Z,web,1,inf,\n"
              "2026-10-01T00:02:00Z,web,nan,5,\n"
              "2026-10-01T00:03:00Z,web,1,1e308,\n"
              "2026-10-01T00:04:00Z,web,,,-inf\n"
              "2026-10-01T00:05:00Z,web,,,NaN\n"
              "2026-10-01T00:06:00Z,web,,,120\n")
    repo.data("data/o.csv", "service,start,end,impact\n"
              "web,2026-10-01T10:00:00Z,2026-10-01T11:00:00Z,nan\n"
              "web,2026-10-02T10:00:00Z,2026-10-02T11:00:00Z,\n")
    repo.data("data/c.csv", "time,service,score\n"
              "2026-10-01T00:00:00Z,web,nan\n"
              "2026-10-01T00:01:00Z,web,4\n")
    report = repo.ingest()
    assert problems(report) == [
        ("data/c.csv", 2, "data-value-not-finite", "error"),
        ("data/e.csv", 3, "data-value-not-finite", "error"),
        ("data/e.csv", 4, "data-value-not-finite", "error"),
        ("data/e.csv", 5, "data-value-not-finite", "error"),
        ("data/e.csv", 6, "data-value-not-finite", "error"),
        ("data/e.csv", 7, "data-value-not-finite", "error"),
        ("data/o.csv", 2, "data-value-not-finite", "error"),
    ]
    by_line = {p.line: p for p in report.problems if p.file == "data/e.csv"}
    assert by_line[3].column_name == "total" and "'inf'" in by_line[3].message
    assert repo.store.read("events")["_line"].tolist() == [2, 8]
    assert repo.store.read("outages")["impact"].tolist() == [1.0]
    assert repo.store.read("csat")["score"].tolist() == [4.0]


def test_compliance_runs_after_a_row_with_inf(repo: Repo) -> None:
    from typer.testing import CliRunner

    from slactl.cli.main import app

    repo.source("events", "events", "data/*.csv", timezone="UTC")
    repo.data("data/e.csv", "time,service,good,total\n2026-10-01T00:00:00Z,web,9,10\n2026-10-02T00:00:00Z,web,1,inf\n")
    (repo.root / "sla.yaml").write_text(
        "apiVersion: slactl/v1\nkind: SLA\nmetadata: {id: a}\nspec:\n  level: service\n  services: [web]\n"
        "  status: active\n  version: 1\n  effective: 2026-01-01\n  objectives:\n"
        "    - {id: ok, indicator: success_ratio, source: events, target: 80}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["compliance", "--repo", str(repo.root), "--period", "2026-10",
                                      "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


def test_paths_inside_work_unchanged(repo: Repo) -> None:
    repo.source("events", "events", "./data/*.csv", timezone="UTC")
    repo.data("data/e.csv", "time,service,good,total\n2026-10-01T00:00:00Z,web,9,10\n")
    os.chmod(repo.root / "data" / "e.csv", 0o644)
    report = repo.ingest()
    assert report.problems == [] and report.rows_added == 1
