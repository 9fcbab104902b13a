"""Snapshots of the Markdown service review for the example repository (time, version and commit masked).

Run with SLACTL_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after a deliberate change, then review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slactl.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SNAPSHOTS = Path(__file__).parent / "snapshots"
_GENERATED = re.compile(r"^\| Generated \| .* \|$", re.M)
_DEFINITIONS = re.compile(r"^\| Definitions \| .* \|$", re.M)


def mask(text: str) -> str:
    text = _GENERATED.sub("| Generated | <generated_at> by slactl <version> |", text)
    return _DEFINITIONS.sub("| Definitions | <git commit> |", text)


@pytest.mark.skipif(not (EXAMPLES / "slactl.toml").exists(), reason="the example repository is not present")
@pytest.mark.parametrize("view", ["executive", "manager", "technical"])
def test_example_report_markdown(tmp_path: Path, view: str) -> None:
    result = CliRunner().invoke(
        app, ["--repo", str(EXAMPLES), "report", "--period", "2026-10", "--view", view, "--format", "md",
              "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = mask((tmp_path / f"service-review-2026-10-{view}.md").read_text(encoding="utf-8"))
    snapshot = SNAPSHOTS / f"report-examples-2026-10-{view}.md"
    if os.environ.get("SLACTL_UPDATE_SNAPSHOTS") == "1" or not snapshot.exists():
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
        if os.environ.get("SLACTL_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {snapshot.name} did not exist and was written; review it and run again")
    assert text == snapshot.read_text(encoding="utf-8"), (
        f"the report differs from {snapshot}; if the change is intended, run with SLACTL_UPDATE_SNAPSHOTS=1")
