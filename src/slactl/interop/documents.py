"""What every import builds: slactl documents as plain data, valid ids, and the source documents read with positions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slactl.findings import Finding, Severity
from slactl.loader.documents import MAX_FILE_BYTES
from slactl.loader.yamlpos import parse_documents, position
from slactl.model.common import API_VERSION
from slactl.model.documents import namespace_of

_ID_CHARS = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
MAX_ID = 63


def make_id(text: Any, fallback: str = "unnamed") -> str:
    """A valid slactl id (and RFC 1123 name) from any text: lower case, `-` for anything else, at most 63 chars.

    Names longer than 63 characters keep their first 54 and end with 8 hex digits of their hash, so two long
    names that differ only at the end stay different.
    """
    cleaned = _DASHES.sub("-", _ID_CHARS.sub("-", str(text).strip().lower())).strip("-")
    if not cleaned:
        return fallback
    if len(cleaned) > MAX_ID:
        digest = hashlib.sha1(cleaned.encode("utf-8")).hexdigest()[:8]
        cleaned = cleaned[: MAX_ID - 9].rstrip("-") + "-" + digest
    return cleaned


def join_id(*parts: str) -> str:
    return make_id("-".join(p for p in parts if p))


def ratio_to_percent(value: float) -> float:
    """0.999 -> 99.9 exactly as written (decimal arithmetic, no binary rounding noise)."""
    return float(Decimal(repr(float(value))) * 100)


def percent_to_ratio(value: float) -> float:
    """99.9 -> 0.999 exactly as written."""
    return float(Decimal(repr(float(value))) / 100)


def as_number(value: Any) -> float | None:
    """A YAML number (not a boolean, not text) as float, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Decimal(value.strip()))
        except (InvalidOperation, ValueError):
            return None
    return None


@dataclass
class SourceDocument:
    """One document of an input file, with its raw YAML so findings point at exact lines."""

    file: str
    raw: Any
    line: int
    column: int
    base: tuple[Any, ...] = ()

    def get(self, *path: Any, default: Any = None) -> Any:
        current = self.raw
        for key in path:
            if isinstance(current, dict) and key in current:
                current = current[key]
            elif isinstance(current, list) and isinstance(key, int) and 0 <= key < len(current):
                current = current[key]
            else:
                return default
        return current

    def pos(self, *path: Any) -> tuple[int, int]:
        found = position(self.raw, path) if path else None
        return found or (self.line, self.column)

    def finding(self, rule: str, severity: Severity, message: str, *path: Any, hint: str | None = None) -> Finding:
        line, column = self.pos(*path)
        return Finding(self.file, line, column, rule, severity, message, hint)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def read_source_documents(path: Path, display: str) -> tuple[list[SourceDocument], list[Finding]]:
    """Every YAML document of a file (a top-level list counts as one document per item), or findings."""
    findings: list[Finding] = []
    try:
        if not path.is_file():  # a pipe or a device would block or never end: never opened
            return [], [Finding(display, 1, 1, "file-unreadable", Severity.ERROR,
                                "not a regular file; only regular files are read", "give the path of a YAML file")]
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return [], [Finding(display, 1, 1, "file-too-large", Severity.ERROR,
                                f"file is larger than {MAX_FILE_BYTES} bytes", "split it into several files")]
    except OSError as exc:
        return [], [Finding(display, 1, 1, "file-unreadable", Severity.ERROR, f"cannot read file: {exc.strerror}",
                            "check the path and its permissions")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [Finding(display, line, 1, "yaml-encoding", Severity.ERROR, "file is not UTF-8 text",
                            "save the file as UTF-8")]
    raw_docs, problem = parse_documents(text)
    documents: list[SourceDocument] = []
    for raw in raw_docs:
        if raw.data is None:
            continue
        if isinstance(raw.data, CommentedSeq):
            for index, item in enumerate(raw.data):
                line, column = position(raw.data, (index,)) or (raw.line, raw.column)
                documents.append(SourceDocument(display, item, line, column))
        else:
            documents.append(SourceDocument(display, raw.data, raw.line, raw.column))
    if problem is not None:
        findings.append(Finding(display, problem.line, problem.column, problem.rule, Severity.ERROR,
                                problem.message, problem.hint))
    elif not documents:
        findings.append(Finding(display, 1, 1, "yaml-empty", Severity.WARNING, "file holds no YAML document",
                                "pass files with definitions to import"))
    return documents, findings


@dataclass
class OutputDocument:
    """A slactl document being built: plain data in the order it will be written."""

    kind: str
    id: str
    data: dict[str, Any]
    origin: str | None = None
    stub: bool = False

    @property
    def namespace(self) -> str:
        return namespace_of(self.kind)


def new_document(kind: str, id_: str, *, name: str | None = None, description: str | None = None,
                 labels: dict[str, Any] | None = None, owner: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"id": id_}
    if name:
        metadata["name"] = name
    if owner:
        metadata["owner"] = owner
    if labels:
        metadata["labels"] = labels
    if description:
        metadata["description"] = description
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": {}}


def plain_labels(raw: Any) -> dict[str, str | int | float | bool]:
    """OpenSLO and slo-generator labels as slactl labels: lists become comma-separated text."""
    labels: dict[str, str | int | float | bool] = {}
    if not isinstance(raw, dict):
        return labels
    for key, value in raw.items():
        if isinstance(value, (list, tuple)):
            labels[str(key)] = ",".join(str(v) for v in value)
        elif isinstance(value, (bool, int, float, str)):
            labels[str(key)] = value if not isinstance(value, str) else str(value)
        elif value is not None:
            labels[str(key)] = str(value)
    return labels


def to_plain(value: Any) -> Any:
    """ruamel containers and scalars as plain Python data (for JSON and for text in descriptions)."""
    if isinstance(value, (CommentedMap, dict)):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (CommentedSeq, list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


@dataclass
class ImportResult:
    """The documents an import produces and everything worth telling the user about it."""

    documents: list[OutputDocument] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def find(self, kind: str, id_: str) -> OutputDocument | None:
        namespace = namespace_of(kind)
        for doc in self.documents:
            if doc.namespace == namespace and doc.id == id_:
                return doc
        return None

    def add(self, doc: OutputDocument) -> OutputDocument:
        """Add a document; a stub never replaces a real one, and a real one replaces its stub."""
        existing = self.find(doc.kind, doc.id)
        if existing is None:
            self.documents.append(doc)
            return doc
        if doc.stub:
            return existing
        if existing.stub:
            self.documents[self.documents.index(existing)] = doc
            return doc
        raise ValueError(f"{doc.kind} '{doc.id}' is produced twice ({existing.origin} and {doc.origin})")
