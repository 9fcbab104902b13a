"""Atomic file writes: a temporary file in the same folder, then os.replace, so readers never see half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ordinary_file_mode() -> int:
    """The mode an ordinary new file gets under the current umask (0o666 minus the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_bytes_atomic(path: Path, data: bytes, *, mode: int | None = None, keep_mode: bool = False,
                       prefix: str | None = None, suffix: str = ".tmp", durable: bool = True) -> None:
    """Write `data` to `path` through a temporary file in the same folder (fsynced), then os.replace; creates the folder.

    `durable=False` skips the fsync, for caches: the replace is still atomic, but after a power cut
    the file may be empty or old, which a cache notices and rebuilds.

    The temporary file is private (0600) while it is written. `keep_mode=True` gives the new file the
    permission bits of the file it replaces (when there is one); otherwise `mode`, when given, is applied;
    otherwise the file gets the mode of any ordinary new file (0666 minus the umask), like `open()` would
    give it. `prefix` (default `.<name>.`) and `suffix` name the temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}." if prefix is None else prefix, suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if keep_mode and path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, mode if mode is not None else ordinary_file_mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_text_atomic(path: Path, text: str, *, mode: int | None = None, keep_mode: bool = False,
                      durable: bool = True) -> None:
    """Write `text` (UTF-8, line ends exactly as given) to `path` atomically, creating its folder.

    `mode` and `keep_mode` as for `write_bytes_atomic`.
    """
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode, keep_mode=keep_mode, durable=durable)
