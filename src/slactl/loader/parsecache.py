"""A cache of parsed definition files for the commands that compute (compliance, report).

Parsing YAML is most of the time it takes to read a repository's definitions. Files that have not
changed since the last run are read from a JSON file in the store (`definitions-cache.json`),
keyed by the sha256 of each file's text: a changed byte means a fresh parse, so the cache cannot
go stale. Only plain data is kept (mappings, lists, text, numbers, booleans, null, dates and
date-times); a file holding anything else is simply parsed every time. JSON is read back with
`json.loads`, so the cache constructs no objects, like the safe YAML loader it stands in for.
The models are still validated, and every rule still runs, on every run.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from slactl.atomic import write_text_atomic
from slactl.derived import ensure_ignored_folder

FORMAT = 1
TAG = "\u0000"  # key of a tagged value; a mapping that has this key itself is stored as pairs


class _Uncacheable(Exception):
    pass


MAX_VALUES = 2_000_000
"""Values a file may encode to; more (aliases the loader let through) is parsed every time instead."""


def encode(value: Any) -> Any:
    """Plain YAML data as JSON-able data; raises _Uncacheable for anything else.

    JSON has no aliases, so a value reached twice is written twice: past MAX_VALUES values the
    data is not cached (the loader refuses documents whose aliases expand much further anyway).
    """
    return _encode(value, [MAX_VALUES])


def _encode(value: Any, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _Uncacheable("too many values")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return {TAG: "float", "v": repr(value)}
        return value
    if kind is list:
        return [_encode(v, budget) for v in value]
    if kind is dict:
        if all(type(k) is str for k in value) and TAG not in value:
            return {k: _encode(v, budget) for k, v in value.items()}
        return {TAG: "map", "v": [[_encode(k, budget), _encode(v, budget)] for k, v in value.items()]}
    if kind is date:
        return {TAG: "date", "v": value.isoformat()}
    if kind is datetime:
        zone = value.tzinfo
        if zone is not None and type(zone) is not timezone:
            raise _Uncacheable(type(zone).__name__)
        offset = None if zone is None else zone.utcoffset(None)
        name = None if zone is None or zone is timezone.utc else zone.tzname(None)
        naive = value.replace(tzinfo=None).isoformat()
        return {TAG: "datetime", "v": naive, "offset": None if offset is None else offset.total_seconds(),
                "name": name}
    raise _Uncacheable(kind.__name__)


def _decode_tagged(obj: dict[str, Any]) -> Any:
    if TAG not in obj:
        return obj
    tag = obj[TAG]
    if tag == "date":
        return date.fromisoformat(obj["v"])
    if tag == "datetime":
        moment = datetime.fromisoformat(obj["v"])
        if obj["offset"] is None:
            return moment
        delta = timedelta(seconds=obj["offset"])
        zone = timezone(delta, obj["name"]) if obj["name"] is not None else timezone(delta)
        return moment.replace(tzinfo=zone)
    if tag == "float":
        return float(obj["v"])
    if tag == "map":
        return {_hashable(k): v for k, v in obj["v"]}
    raise ValueError(f"unknown tag {tag!r}")


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    return key


def decode(text: str) -> Any:
    return json.loads(text, object_hook=_decode_tagged)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ParseCache:
    """Parsed documents by file; `save()` keeps the entries of the files read in this run."""

    def __init__(self, path: Path, version: str, root: Path | None = None) -> None:
        self.path = Path(path)
        self.version = version
        self.root = root  # what the files' names are relative to (entries of removed files are dropped)
        self.entries: dict[str, dict[str, Any]] = {}
        self.used: dict[str, dict[str, Any]] = {}
        self.changed = False
        try:
            data = decode(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            return
        if isinstance(data, dict) and data.get("format") == FORMAT and data.get("slactl") == version:
            files = data.get("files")
            self.entries = files if isinstance(files, dict) else {}

    def documents(self, rel: str, text: str) -> list[Any] | None:
        """The parsed documents of `text` (None where a document is empty), or None if not cached."""
        entry = self.entries.get(rel)
        if isinstance(entry, dict) and entry.get("sha256") == digest(text) and isinstance(entry.get("documents"), list):
            self.used[rel] = entry
            return entry["documents"]
        return None

    def remember(self, rel: str, text: str, documents: list[Any]) -> None:
        try:
            encoded = [encode(d) for d in documents]
        except (_Uncacheable, RecursionError):
            return
        self.used[rel] = {"sha256": digest(text), "documents": encoded, "_fresh": True}
        self.changed = True

    def save(self) -> None:
        """Write the cache (atomically) when anything changed; a read-only store is not an error.

        Entries read from the cache are copied from the file as stored, never encoded again from
        the objects handed out (which callers own).
        """
        if not self.changed:
            return
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8")).get("files", {})
        except (OSError, ValueError, UnicodeDecodeError, RecursionError, AttributeError):
            stored = {}
        if not isinstance(stored, dict):
            stored = {}
        files: dict[str, Any] = {}
        for rel, entry in self.used.items():
            if entry.get("_fresh"):
                files[rel] = {"sha256": entry["sha256"], "documents": entry["documents"]}
            elif isinstance(stored.get(rel), dict) and stored[rel].get("sha256") == entry["sha256"]:
                files[rel] = stored[rel]
        # files this run did not read (an ingest reads only some) stay while they exist
        for rel, entry in stored.items():
            if rel not in files and self.root is not None and (self.root / rel).is_file():
                files[rel] = entry
        payload = json.dumps({"format": FORMAT, "slactl": self.version, "files": files}, ensure_ascii=False,
                             separators=(",", ":"))
        try:
            ensure_ignored_folder(self.path.parent)
            write_text_atomic(self.path, payload, durable=False)  # a cache: no fsync
        except OSError:
            return
