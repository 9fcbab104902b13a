"""Docs that cannot drift: the CLI reference is generated from --help, every command has an example."""

from __future__ import annotations

from pathlib import Path

import pytest

from slactl.cli.main import app
from slactl.cli.reference import commands, markdown

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = commands(app)


def test_cli_reference_is_current() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == markdown(app), "docs/cli.md is stale: run `python -m slactl.cli.reference > docs/cli.md`"


@pytest.mark.parametrize("name,command", [(n, c) for n, c, _ in COMMANDS if not hasattr(c, "commands")],
                         ids=[n for n, c, _ in COMMANDS if not hasattr(c, "commands")])
def test_every_command_has_help_with_an_example(name: str, command) -> None:
    text = next(t for n, _, t in COMMANDS if n == name)
    assert command.help, f"{name} has no help text"
    assert "Example" in text and "slactl " in text.split("Example", 1)[1], f"{name} --help has no example"


def test_every_top_level_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    top = {name.split()[1] for name, _, _ in COMMANDS if len(name.split()) >= 2}
    missing = sorted(c for c in top if f"slactl {c}" not in readme)
    assert not missing, f"README does not mention: {missing}"
