"""The store's guarantees: idempotent ingest, replaced and removed files, cheap re-checks, crash safety."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slactl.loader import load_repository
from store_helpers import Repo

HEADER = "time,service,status\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path)
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    return repo


def rows(day: int, count: int, status: str = "up") -> str:
    return "".join(f"2026-10-{day:02d}T00:{minute:02d}:00Z,web,{status}\n" for minute in range(count))


def parquet_files(repo: Repo) -> list[Path]:
    """Partitions (the probe runs beside them are counted apart)."""
    return sorted(p for p in repo.store.root.rglob("*.parquet") if not p.name.endswith(".runs.parquet"))


def runs_files(repo: Repo) -> list[Path]:
    return sorted(repo.store.root.rglob("*.runs.parquet"))


def test_second_ingest_adds_nothing(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 5))
    first = repo.ingest()
    assert first.files_ingested == ["data/a.csv"] and first.rows_added == 5
    files_before = parquet_files(repo)
    second = repo.ingest()
    assert second.files_ingested == [] and second.files_unchanged == ["data/a.csv"] and second.rows_added == 0
    assert parquet_files(repo) == files_before
    assert len(repo.store.read("probes")) == 5
    entry = repo.store.manifest()["files"]["data/a.csv"]
    assert entry["rows"] == 5 and entry["source"] == "probes" and len(entry["sha256"]) == 64
    assert entry["min_time"] == "2026-10-01T00:00:00Z" and entry["max_time"] == "2026-10-01T00:04:00Z"
    assert (repo.store.root / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")


def test_touched_but_identical_file_is_unchanged_by_hash(repo: Repo) -> None:
    path = repo.data("data/a.csv", HEADER + rows(1, 5))
    repo.ingest()
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    report = repo.ingest()
    assert report.files_unchanged == ["data/a.csv"] and report.files_ingested == []
    assert repo.store.manifest()["files"]["data/a.csv"]["mtime_ns"] == 1_000_000_000


def test_ensure_ingested_trusts_size_and_mtime(repo: Repo) -> None:
    path = repo.data("data/a.csv", HEADER + rows(1, 5))
    result = load_repository(repo.root)
    repo.store.ensure_ingested(result, repo.root)
    stat = path.stat()
    # same size, same mtime, other bytes: not hashed, so not seen (stat first, hash only on a difference)
    path.write_text(HEADER + rows(1, 5, "dn"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert repo.store.ensure_ingested(result, repo.root).files_unchanged == ["data/a.csv"]
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    report = repo.store.ensure_ingested(result, repo.root)
    assert report.files_ingested == ["data/a.csv"]
    assert not repo.store.read("probes")["up"].any()


def test_changed_file_replaces_its_own_rows(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 5))
    repo.data("data/b.csv", HEADER + rows(2, 3))
    repo.ingest()
    repo.data("data/a.csv", HEADER + rows(1, 2, "down"))
    report = repo.ingest()
    assert report.files_ingested == ["data/a.csv"] and report.files_unchanged == ["data/b.csv"]
    frame = repo.store.read("probes")
    assert len(frame) == 5
    assert frame.groupby("_file")["up"].agg(list).to_dict() == {"data/a.csv": [False, False],
                                                                "data/b.csv": [True, True, True]}
    assert len(parquet_files(repo)) == 2  # the old partition of a.csv is gone
    assert len(runs_files(repo)) == 2  # and its runs


def test_removed_file_drops_its_rows(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 5))
    b = repo.data("data/b.csv", HEADER + rows(2, 3))
    repo.ingest()
    b.unlink()
    report = repo.ingest()
    assert report.files_removed == ["data/b.csv"]
    assert repo.store.read("probes")["_file"].unique().tolist() == ["data/a.csv"]
    assert "data/b.csv" not in repo.store.manifest()["files"]
    assert len(parquet_files(repo)) == 1


def test_changing_how_a_source_is_read_reads_its_files_again(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 2, "green"))
    repo.ingest()
    assert not repo.store.read("probes")["up"].any()
    repo.source("probes", "probes", "data/*.csv", timezone="UTC", up_values="[green]")
    report = repo.ingest()
    assert report.files_ingested == ["data/a.csv"]
    assert repo.store.read("probes")["up"].all()


def test_partitions_by_month_and_read_filters(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + "2026-09-30T23:59:00Z,web,up\n2026-10-01T00:00:00Z,web,up\n"
              "2026-11-01T00:00:00Z,web,down\n")
    repo.ingest()
    months = sorted(p["month"] for p in repo.store.manifest()["files"]["data/a.csv"]["parts"])
    assert months == ["2026-09", "2026-10", "2026-11"]
    october = repo.store.read("probes", datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    assert october["_line"].tolist() == [3]


def test_interval_sources_filter_on_overlap(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    repo.source("outages", "outages", "data/o.csv", timezone="UTC")
    repo.data("data/o.csv", "service,start,end\n"
              "web,2026-09-30T23:00:00Z,2026-10-01T01:00:00Z\n"   # overlaps October from September
              "web,2026-09-10T00:00:00Z,2026-09-10T01:00:00Z\n"
              "web,2026-10-10T00:00:00Z,2026-10-10T01:00:00Z\n")
    repo.ingest()
    frame = repo.store.read("outages", datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    assert frame["_line"].tolist() == [2, 4]


def test_rows_repeated_across_files_are_read_once(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 3))
    repo.data("data/b.csv", HEADER + rows(1, 4))  # overlapping exports
    repo.ingest()
    frame = repo.store.read("probes")
    assert len(frame) == 4 and frame["_file"].tolist() == ["data/a.csv"] * 3 + ["data/b.csv"]


def test_read_of_a_source_never_ingested_is_empty(repo: Repo) -> None:
    frame = repo.store.read("probes", type="probes")
    assert frame.empty and list(frame.columns) == ["time", "service", "up", "_file", "_line"]
    assert repo.store.manifest()["files"] == {}


def test_source_removed_from_the_repository_drops_its_files(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 3))
    repo.ingest()
    (repo.root / "sources" / "probes.yaml").unlink()
    report = repo.ingest()
    assert report.files_removed == ["data/a.csv"]
    assert parquet_files(repo) == []


def test_files_given_for_one_source_are_kept_while_they_exist(repo: Repo) -> None:
    extra = repo.data("exports/late.csv", HEADER + rows(3, 2))
    repo.data("data/a.csv", HEADER + rows(1, 1))
    report = repo.ingest(sources=["probes"], files=[extra])
    assert report.files_ingested == ["exports/late.csv"]
    report = repo.ingest()
    assert report.files_ingested == ["data/a.csv"] and report.files_removed == []
    assert len(repo.store.read("probes")) == 3


def _run_ingest(root: Path, kill_at: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if kill_at:
        env["SLACTL_TEST_KILL_AT"] = kill_at
    code = "import sys; from slactl.cli.main import app; app(sys.argv[1:], prog_name='slactl')"
    return subprocess.run([sys.executable, "-c", code, "ingest", "--repo", str(root)],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("step", ["mid-partitions", "after-partitions"])
def test_killed_ingest_leaves_the_previous_store(repo: Repo, step: str) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 5))
    repo.data("data/b.csv", HEADER + rows(2, 5))
    assert _run_ingest(repo.root, None).returncode == 0
    before_manifest = repo.store.manifest()
    before = repo.store.read("probes")
    repo.data("data/a.csv", HEADER + rows(1, 3, "down"))
    repo.data("data/c.csv", HEADER + rows(3, 4))
    killed = _run_ingest(repo.root, step)
    assert killed.returncode == -signal.SIGKILL
    assert repo.store.manifest() == before_manifest
    after = repo.store.read("probes")
    assert after.equals(before)
    # the next run sweeps what the killed one left and ingests the changes
    report = repo.ingest()
    assert sorted(report.files_ingested) == ["data/a.csv", "data/c.csv"]
    assert not any(p.name.startswith(".tmp-") for p in repo.store.root.iterdir())
    listed = {repo.store.root / p["path"] for e in repo.store.manifest()["files"].values() for p in e["parts"]}
    assert set(parquet_files(repo)) == listed
    assert len(repo.store.read("probes")) == 3 + 5 + 4


def test_killed_after_the_manifest_swap_has_the_new_store(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 5))
    assert _run_ingest(repo.root, None).returncode == 0
    repo.data("data/a.csv", HEADER + rows(1, 2))
    assert _run_ingest(repo.root, "after-manifest").returncode == -signal.SIGKILL
    assert len(repo.store.read("probes")) == 2
    repo.ingest()
    assert len(parquet_files(repo)) == 1


def test_broken_datasource_keeps_its_rows_and_is_reported(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 3))
    repo.ingest()
    repo.source("probes", "probes", "data/*.csv", timezone="UTC", colums="{time: ts}")  # typo
    report = repo.ingest()
    assert [(p.file, p.line, p.rule) for p in report.problems] == [("sources/probes.yaml", 1, "data-source-invalid")]
    assert report.files_removed == []
    assert len(repo.store.read("probes")) == 3


def test_unsorted_file_spanning_months(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + "2026-11-01T00:00:00Z,web,down\n2026-09-30T23:59:00Z,web,up\n"
              "2026-11-02T00:00:00Z,web,up\n2026-10-01T00:00:00Z,web,up\n")
    repo.ingest()
    parts = repo.store.manifest()["files"]["data/a.csv"]["parts"]
    assert sorted((p["month"], p["rows"]) for p in parts) == [("2026-09", 1), ("2026-10", 1), ("2026-11", 2)]
    frame = repo.store.read("probes")
    assert frame["_line"].tolist() == [3, 5, 2, 4]  # sorted by time, lines as in the file
    november = repo.store.read("probes", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert november["_line"].tolist() == [2, 4]


def test_big_months_are_written_in_pieces(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    import slactl.store.store as store_module

    monkeypatch.setattr(store_module, "_SPLIT_ROWS", 2)  # as if 2 rows were a big file
    repo.data("data/a.csv", HEADER + rows(1, 7))
    repo.ingest()
    parts = repo.store.manifest()["files"]["data/a.csv"]["parts"]
    workers = max(1, min(4, os.cpu_count() or 1))
    assert len(parts) == min(workers, 7 // 2)
    assert sum(p["rows"] for p in parts) == 7
    frame = repo.store.read("probes")
    assert frame["_line"].tolist() == list(range(2, 9))


def test_file_matched_by_two_sources_is_read_once(repo: Repo) -> None:
    repo.source("zprobes", "probes", "data/*.csv", timezone="UTC")
    repo.data("data/a.csv", HEADER + rows(1, 2))
    report = repo.ingest()
    assert [(p.file, p.rule) for p in report.problems] == [("data/a.csv", "data-file-shared")]
    assert len(repo.store.read("probes")) == 2 and repo.store.read("zprobes").empty


def test_file_moving_to_another_source(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 2))
    repo.ingest()
    repo.source("probes", "probes", "other/*.csv", timezone="UTC")
    repo.source("zprobes", "probes", "data/*.csv", timezone="UTC")
    report = repo.ingest()
    # 'probes' now matches nothing: said as a warning, its file read again for 'zprobes'
    assert [p.rule for p in report.problems] == ["data-path-empty"] and report.files_ingested == ["data/a.csv"]
    assert repo.store.manifest()["files"]["data/a.csv"]["source"] == "zprobes"
    assert len(repo.store.read("zprobes")) == 2 and repo.store.read("probes").empty


def test_partitions_deleted_by_hand_are_written_again(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + rows(1, 3))
    repo.ingest()
    for path in parquet_files(repo) + runs_files(repo):
        path.unlink()
    report = repo.ingest()
    assert report.files_ingested == ["data/a.csv"]
    assert len(repo.store.read("probes")) == 3 and runs_files(repo)
    assert repo.ingest().files_unchanged == ["data/a.csv"]
