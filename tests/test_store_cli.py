"""`slactl ingest` through the CLI: output, JSON envelope, --strict and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slactl.cli.main import app
from store_helpers import Repo

HEADER = "time,service,status\n"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path)
    repo.source("probes", "probes", "data/*.csv", timezone="UTC")
    return repo


def run(*args: str) -> object:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_ingest_text_output_and_second_run(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + "2026-10-01T00:00:00Z,web,up\n2026-10-01T00:01:00Z,web,up\n")
    result = run("ingest", "--repo", str(repo.root))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("1 file(s) ingested, 0 unchanged, 0 removed, 0 rejected; "
                                     "2 row(s) added, 0 skipped, 0 duplicate(s)")
    again = run("ingest", "--repo", str(repo.root))
    assert again.exit_code == 0
    assert again.output.startswith("0 file(s) ingested, 1 unchanged")


def test_problems_are_printed_with_file_and_line(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + "2026-10-01T00:00:00Z,web,up\nlater,web,up\n")
    result = run("ingest", "--repo", str(repo.root))
    assert result.exit_code == 1  # bad rows are skipped and reported, the good ones ingested; errors exit 1
    assert "data/a.csv:3: error: 'time' value 'later' is not a time" in result.output
    assert "[data-time-unparsable]" in result.output
    assert "1 skipped" in result.output
    assert len(repo.store.read("probes")) == 1


def test_fail_on_never_exits_0_after_error_rows(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + "2026-10-01T00:00:00Z,web,up\nlater,web,up\n")
    result = run("ingest", "--repo", str(repo.root), "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert "[data-time-unparsable]" in result.output and "1 row(s) added, 1 skipped" in result.output


def test_warnings_exit_0_unless_fail_on_warning(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + "2026-10-01T00:00:00Z,web,up\n2026-10-01T00:00:00Z,web,up\n")
    result = run("ingest", "--repo", str(repo.root))
    assert result.exit_code == 0, result.output
    assert "[data-duplicate]" in result.output
    (repo.root / "data" / "a.csv").write_text(
        HEADER + "2026-10-01T00:00:00Z,web,up\n2026-10-01T00:00:00Z,web,up\n\n", encoding="utf-8")
    result = run("ingest", "--repo", str(repo.root), "--fail-on", "warning")
    assert result.exit_code == 1, result.output
    assert "[data-duplicate]" in result.output and "1 file(s) ingested" in result.output


def test_data_path_outside_exits_1(repo: Repo) -> None:
    repo.source("probes", "probes", "../elsewhere/*.csv", timezone="UTC")
    result = run("ingest", "--repo", str(repo.root))
    assert result.exit_code == 1, result.output
    assert "[data-path-outside]" in result.output


def test_unknown_fail_on_value_is_a_usage_error(repo: Repo) -> None:
    result = run("ingest", "--repo", str(repo.root), "--fail-on", "info")
    assert result.exit_code == 2


def test_strict_exits_1_and_keeps_the_store(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + "2026-10-01T00:00:00Z,web,up\nlater,web,up\n")
    result = run("ingest", "--repo", str(repo.root), "--strict")
    assert result.exit_code == 1
    assert "data/a.csv:3:" in result.output
    assert not (repo.store.root / "manifest.json").exists() or repo.store.manifest()["files"] == {}


def test_rejected_file_exits_1(repo: Repo) -> None:
    repo.data("data/a.csv", "when,what\n1,2\n")
    result = run("ingest", "--repo", str(repo.root))
    assert result.exit_code == 1
    assert "data/a.csv:1: error: missing column(s)" in result.output
    assert "rejected data/a.csv" in result.output


def test_json_output_is_an_envelope(repo: Repo) -> None:
    repo.data("data/a.csv", HEADER + "2026-10-01T00:00:00Z,web,up\n2026-10-01T00:00:00Z,web,up\n")
    result = run("ingest", "probes", "--repo", str(repo.root), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {"schema_version", "tool_version", "generated_at"} <= set(data)
    assert data["files_ingested"] == ["data/a.csv"] and data["duplicates"] == 1
    assert data["findings"][0] == {"rule": "data-duplicate", "severity": "warning",
                                   "message": "row is identical to an earlier row; kept once",
                                   "file": "data/a.csv", "line": 3, "column": 1,
                                   "hint": "remove the repeated row from the export (it is counted once either way)"}


def test_unknown_source_exits_2(repo: Repo) -> None:
    result = run("ingest", "nope", "--repo", str(repo.root))
    assert result.exit_code == 2
    assert "error: no DataSource 'nope' in the repository (known: probes)" in result.output


def test_given_files_for_one_source(repo: Repo) -> None:
    late = repo.data("late/x.csv", HEADER + "2026-10-01T00:00:00Z,web,up\n")
    result = run("ingest", "probes", str(late), "--repo", str(repo.root))
    assert result.exit_code == 0 and "1 file(s) ingested" in result.output
    missing = run("ingest", "probes", str(repo.root / "none.csv"), "--repo", str(repo.root))
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_broken_config_exits_2(repo: Repo) -> None:
    (repo.root / "slactl.toml").write_text("store = [", encoding="utf-8")
    result = run("ingest", "--repo", str(repo.root))
    assert result.exit_code == 2 and "slactl.toml" in result.output


def test_validate_does_not_import_the_store_stack() -> None:
    import subprocess
    import sys

    code = ("import sys; from slactl.cli.main import app\n"
            "import slactl.store\n"
            "bad = [m for m in ('pandas', 'pyarrow', 'numpy', 'rich') if m in sys.modules]\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "pandas" not in out.stdout and "pyarrow" not in out.stdout, out.stdout + out.stderr


def test_ingest_loads_only_data_definitions(repo: Repo) -> None:
    from slactl.loader.repository import load_config
    from slactl.store.definitions import load_data_definitions

    (repo.root / "sla.yaml").write_text("apiVersion: slactl/v1\nkind: SLA\nmetadata: {id: x}\nspec: {}\n",
                                        encoding="utf-8")
    (repo.root / "flow.yaml").write_text('{"apiVersion": "slactl/v1", "kind": "Service", "metadata": {"id": "db"}, '
                                         '"spec": {}}\n', encoding="utf-8")
    result = load_data_definitions(load_config(repo.root))
    assert "sla.yaml" not in result.files and "flow.yaml" in result.files
    assert set(result.index("Service")) == {"payments-api", "web", "db"}
    assert set(result.index("DataSource")) == {"probes"}


def test_progress_sink_receives_big_files(repo: Repo) -> None:
    from slactl.cli.progress import FileProgress, terminal_progress

    repo.data("data/a.csv", HEADER + "2026-10-01T00:00:00Z,web,up\n")
    sink = FileProgress(min_bytes=0)
    try:
        report = repo.ingest(progress=sink)
    finally:
        sink.close()
    assert report.rows_added == 1
    assert terminal_progress() is None  # pytest's stderr is not a terminal: no bar


def test_store_package_stays_below_the_cli() -> None:
    source = Path(__file__).resolve().parents[1] / "src" / "slactl" / "store"
    for module in source.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        for forbidden in ("import typer", "from typer", "import rich", "from rich", "slactl.cli", "sys.exit"):
            assert forbidden not in text, f"{module.name} uses {forbidden}"
        assert not re.search(r"(?<![\w.])print\(", text), f"{module.name} prints"
