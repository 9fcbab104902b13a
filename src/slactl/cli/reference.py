"""The CLI reference (docs/cli.md), generated from every command's --help so it cannot drift."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer


def _walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            sub = command.commands[name]
            if not sub.hidden:
                yield from _walk(sub, [*path, name])


def commands(app: typer.Typer) -> list[tuple[str, Any, str]]:
    """(full name, command, help text) for every command and group."""
    root = typer.main.get_command(app)
    found = []
    for path, command in _walk(root, ["slactl"]):
        with command.context_class(command, info_name=" ".join(path), terminal_width=100,
                                   max_content_width=100) as ctx:
            found.append((" ".join(path), command, command.get_help(ctx)))
    return found


def markdown(app: typer.Typer) -> str:
    lines = ["# CLI reference", "",
             "Generated from `--help` by `python -m slactl.cli.reference > docs/cli.md`; do not edit by hand.", ""]
    for name, _command, text in commands(app):
        lines += [f"## {name}", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    from slactl.cli.main import app

    sys.stdout.write(markdown(app))
