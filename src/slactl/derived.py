"""Folders of derived data (the data store and the definitions parse cache in it).

Everything in them is rebuilt from the repository's files, so each is created with a `.gitignore`
that keeps it out of git.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

IGNORE_ALL = "# slactl data store: derived from the data files, never committed\n*\n"


def ensure_ignored_folder(folder: Path) -> None:
    """Create `folder` (and its parents) if needed, with a `.gitignore` ignoring everything in it."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text(IGNORE_ALL, encoding="utf-8")
