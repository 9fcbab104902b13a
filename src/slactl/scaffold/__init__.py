"""`slactl init`: a small, valid definitions repository with one example of every kind.

The files live in `template/`; `_name` becomes `.name`, and `@TODAY@`-style markers are filled in
so that review dates are current on the day the repository is created.
"""

from __future__ import annotations

import calendar
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from slactl.atomic import write_text_atomic
from slactl.schema_export import build_schemas, render


class ScaffoldError(Exception):
    """The target folder cannot be used (not empty without --force, or a file)."""


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


PLANNING_MONTHS = (3, 6, 9, 12)  # the review months of the template's governance policy


def _next_planned_review(today: date) -> date:
    """The 15th of the first planning month after this one: within a quarter, as the cadence asks."""
    day = _add_months(date(today.year, today.month, 1), 1)
    while day.month not in PLANNING_MONTHS:
        day = _add_months(day, 1)
    return day.replace(day=15)


def _markers(today: date) -> dict[str, str]:
    return {
        "@TODAY@": today.isoformat(),
        "@NEXT_REVIEW@": _next_planned_review(today).isoformat(),
        "@NEXT_ANNUAL@": _add_months(today, 12).isoformat(),
        "@YEAR@": str(today.year),
        "@NEXT_YEAR@": str(today.year + 1),
    }


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__":
            continue
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            found += _walk(child, rel + "/")
        else:
            found.append((rel, child))
    return found


def template_files(today: date | None = None) -> dict[str, str]:
    """Relative path -> text of every file `init` writes (definitions, data, settings, schemas)."""
    markers = _markers(today or date.today())
    files: dict[str, str] = {}
    for rel, node in _walk(resources.files("slactl.scaffold") / "template"):
        text = node.read_text(encoding="utf-8")
        for marker, value in markers.items():
            text = text.replace(marker, value)
        parts = rel.split("/")
        parts[-1] = "." + parts[-1][1:] if parts[-1].startswith("_") else parts[-1]
        files["/".join(parts)] = text
    for name, schema in build_schemas().items():
        files[f"schemas/{name}"] = render(schema)
    return files


def scaffold(dest: Path, *, force: bool = False, today: date | None = None) -> list[Path]:
    """Write the example repository into `dest`; refuses a non-empty folder unless `force`."""
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise ScaffoldError(f"'{dest}' is a file, not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise ScaffoldError(f"'{dest}' is not empty")
    written = []
    for rel, text in template_files(today).items():
        path = dest / rel
        write_text_atomic(path, text)
        written.append(path)
    return written
