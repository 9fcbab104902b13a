"""A progress bar on stderr for ingesting big data files (only on a terminal, only when it takes a moment)."""

from __future__ import annotations

import sys
import time
from typing import Any

BIG_FILE_BYTES = 32 * 1024 * 1024


class FileProgress:
    """Draws one rich bar per big file while it is hashed, read and written; silent for small files."""

    def __init__(self, min_bytes: int = BIG_FILE_BYTES) -> None:
        self.min_bytes = min_bytes
        self._progress: Any = None
        self._task: Any = None
        self._file = ""
        self._size = 0
        self._started = 0.0

    def file_started(self, file: str, size: int) -> None:
        self._file, self._size, self._started = file, size, time.monotonic()
        if size < self.min_bytes:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        if self._progress is None:
            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                                      console=Console(stderr=True), transient=True)
            self._progress.start()
        self._task = self._progress.add_task(f"{file}: hashing", total=size * 2)

    def file_advanced(self, nbytes: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, nbytes)

    def file_phase(self, phase: str) -> None:
        if self._task is not None:
            done = self._size if phase == "writing" else None
            self._progress.update(self._task, description=f"{self._file}: {phase}",
                                  **({"completed": done * 2 - 1} if done else {}))

    def file_finished(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def terminal_progress() -> FileProgress | None:
    """A progress sink when stderr is a terminal, else None (no bar in CI logs or pipes)."""
    return FileProgress() if sys.stderr.isatty() else None
