"""Every command that reads a repository refuses a folder that is not one (exit 2), as `validate` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from slactl.cli.main import app

COMMANDS = [["validate"], ["ingest"], ["compliance", "--period", "2026-10"], ["report", "--period", "2026-10"],
            ["audit"], ["csi", "list"], ["changes", "check", "--period", "2026-10"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_folder_without_definitions_is_a_usage_error(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "notes.yaml").write_text("shopping: [milk, eggs]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--repo", str(tmp_path), *command])
    assert result.exit_code == 2, result.output
    assert "does not look like a slactl definitions repository" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.yaml"]  # nothing written


@pytest.mark.parametrize("command", COMMANDS[1:3], ids=lambda c: " ".join(c))
def test_a_settings_file_alone_makes_a_repository(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "slactl.toml").write_text("", encoding="utf-8")
    assert CliRunner().invoke(app, ["--repo", str(tmp_path), *command]).exit_code == 0
