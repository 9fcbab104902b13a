"""Layering: the domain never imports the CLI layer, typer or rich; nothing imports slactl.cli."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "slactl"
UI_MODULES = {"typer", "rich", "click"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


DOMAIN_FILES = sorted(p for p in SRC.rglob("*.py") if "cli" not in p.relative_to(SRC).parts)


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_domain_module_does_not_import_the_cli_layer(path: Path) -> None:
    imported = _imports(path)
    offending = {name for name in imported if name.split(".")[0] in UI_MODULES or name.startswith("slactl.cli")}
    # presentation may draw with rich: reporters format findings, the store shows a progress bar on a tty
    if path.relative_to(SRC).parts[0] in ("store", "reporters"):
        offending -= {n for n in offending if n.startswith("rich")}
    assert not offending, f"{path.relative_to(SRC)} imports {sorted(offending)}"


def test_no_print_or_exit_below_the_cli() -> None:
    found = []
    for path in DOMAIN_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                found.append(f"{path.relative_to(SRC)}:{node.lineno} print()")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "exit"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "sys"):
                found.append(f"{path.relative_to(SRC)}:{node.lineno} sys.exit()")
    assert not found, found
