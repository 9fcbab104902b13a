"""The store's manifest: which data files were ingested (sha256, rows, time range) and their partitions.

The manifest is the single source of truth of the store: readers only read the partition files it
lists, and it is replaced atomically (temp file, fsync, os.replace) after new partitions are in place,
so a crash at any moment leaves either the old or the new store, never a mix.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
_CHUNK = 1 << 22
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class FileDigest:
    """sha256 of a file's bytes and the number of physical lines (for line numbers in problems)."""

    sha256: str
    size: int
    newlines: int
    ends_with_newline: bool

    @property
    def physical_lines(self) -> int:
        if self.size == 0:
            return 0
        return self.newlines + (0 if self.ends_with_newline else 1)


def digest_file(path: Path, on_bytes: Callable[[int], None] | None = None) -> FileDigest:
    """Hash and count lines in one pass over the file, in chunks (constant memory)."""
    sha = hashlib.sha256()
    newlines = 0
    size = 0
    last = b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            sha.update(chunk)
            newlines += chunk.count(b"\n")
            size += len(chunk)
            last = chunk[-1:]
            if on_bytes is not None:
                on_bytes(len(chunk))
    return FileDigest(sha.hexdigest(), size, newlines, last == b"\n")


def sanitise(name: str) -> str:
    """A safe file or folder name from an id or a path: letters, digits, '.', '_' and '-' only."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "_"
    return cleaned[:120]


def empty_manifest() -> dict[str, Any]:
    return {"version": MANIFEST_VERSION, "sources": {}, "files": {}}


def load_manifest(store_root: Path) -> dict[str, Any]:
    """The manifest, or an empty one when the store is new; a damaged manifest reads as empty."""
    path = store_root / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty_manifest()
    except (OSError, ValueError):
        # a damaged manifest cannot be trusted: start over (every file will be ingested again)
        return empty_manifest()
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or not isinstance(data.get("files"), dict):
        return empty_manifest()
    data.setdefault("sources", {})
    return data


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and os.replace."""
    from slactl.atomic import write_bytes_atomic

    write_bytes_atomic(path, data, prefix=".tmp-", suffix=path.suffix)


def save_manifest(store_root: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False)
    write_atomic(store_root / MANIFEST_NAME, text.encode("utf-8"))
    _fsync_dir(store_root)


def _fsync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def fingerprint(spec: dict[str, Any]) -> str:
    """A hash of how a source is read (type, mapping, zone, formats...): a change re-reads its files."""
    reading = {key: value for key, value in spec.items() if key not in {"path", "pauses", "complete_until"}}
    return hashlib.sha256(json.dumps(reading, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


def referenced_parts(manifest: dict[str, Any]) -> set[str]:
    """Relative paths (to the store root) of every partition file the manifest lists."""
    parts: set[str] = set()
    for entry in manifest.get("files", {}).values():
        for part in entry.get("parts", []):
            parts.add(part["path"])
            if part.get("runs"):
                parts.add(part["runs"]["path"])
    return parts
