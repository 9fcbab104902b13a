"""Every command taking --period reads it the same way: the same range, the same message, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from slactl.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
COMMANDS = [["compliance"], ["gaps"], ["scorecard"], ["csi", "score"], ["reconcile"], ["changes", "check"],
            ["changes", "stats"]]


@pytest.mark.parametrize("period", ["9999-12", "0000-01", "9999-Q4", "0001-01", "2026-13", "nonsense"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_a_period_out_of_range_or_unreadable_is_a_usage_error(command: list[str], period: str) -> None:
    result = CliRunner().invoke(app, ["--repo", str(EXAMPLES), *command, "--period", period])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "out of range; periods run from 1971 to 2260" in result.output or "is not a period" in result.output
